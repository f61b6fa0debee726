// CRC-32C (Castagnoli), the checksum of Kafka record batches (magic 2) and of iSCSI (RFC 3720 section B.4).
//
// Polynomial 0x1EDC6F41 (0x82F63B78 reflected), initial value and final xor 0xFFFFFFFF, bits reflected: the CRC
// that Java's java.util.zip.CRC32C and the SSE4.2 `crc32` instruction compute. The check value of "123456789" is
// 0xE3069283. On x86-64 CPUs with SSE4.2 the instruction is used (chosen at run time, so the build needs no
// -msse4.2); elsewhere a slice-by-8 table does the work.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace floe {

// The CRC-32C of `data`.
uint32_t Crc32c(std::span<const uint8_t> data);
inline uint32_t Crc32c(std::string_view s) {
  return Crc32c(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

// Continues a checksum: if `crc` is Crc32c(a), returns Crc32c(a followed by data). Crc32cExtend(0, d) == Crc32c(d).
uint32_t Crc32cExtend(uint32_t crc, std::span<const uint8_t> data);

// --- The two implementations behind Crc32cExtend, for tests and benchmarks. ---

// The portable table-driven implementation; same contract as Crc32cExtend.
uint32_t Crc32cExtendSoftware(uint32_t crc, std::span<const uint8_t> data);
inline uint32_t Crc32cSoftware(std::span<const uint8_t> data) {
  return Crc32cExtendSoftware(0, data);
}

// Whether this CPU has the SSE4.2 crc32 instruction (always false off x86-64).
bool Crc32cHardwareAvailable();
// The SSE4.2 implementation; same contract as Crc32cExtend. Only call it when Crc32cHardwareAvailable().
uint32_t Crc32cExtendHardware(uint32_t crc, std::span<const uint8_t> data);

}  // namespace floe
