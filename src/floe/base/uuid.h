// Random identifiers: RFC 4122 version-4 UUIDs (table uuids, file names) and positive 63-bit ids (Iceberg snapshot
// ids), drawn from a per-thread generator seeded from the OS's entropy.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace floe {

using UuidBytes = std::array<uint8_t, 16>;

UuidBytes NewUuidBytes();
// "f79c3e09-677c-4bbd-a479-3f349cb785e7": lower-case 8-4-4-4-12 hex.
std::string UuidToString(const UuidBytes& uuid);
std::string NewUuid();
// A random id in [1, 2^63).
int64_t NewPositiveId();

}  // namespace floe
