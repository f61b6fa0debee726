// Single values as bytes and as JSON (Apache Iceberg table spec, "Appendix D: Single-value serialization"): the
// binary form is what manifests store as column bounds and partition-summary bounds; the JSON form is what
// metadata JSON uses for default values and the REST catalog for partition values.
//
// Binary: boolean 0x00/0x01; int, date 4 bytes little-endian; long, time, timestamps 8 bytes little-endian; float,
// double IEEE 754 little-endian; string UTF-8 bytes; uuid 16 bytes big-endian; fixed, binary the bytes; decimal the
// unscaled value as big-endian two's complement in the fewest bytes.
// JSON: booleans, numbers (int, long, float, double), strings for dates ("2026-11-25"), times, timestamps
// ("2026-11-25T10:00:00.123456", with "+00:00" for timestamptz), decimals ("12.34"), strings, uuids; fixed and binary
// as hex strings.
#pragma once

#include <string>
#include <string_view>

#include "floe/base/status.h"
#include "floe/iceberg/iceberg_types.h"

namespace floe::iceberg {

std::string SerializeValue(const Literal& value);
// Corruption when `bytes` has the wrong length for the type (or is not UTF-8 for a string).
Result<Literal> DeserializeValue(const TypePtr& type, std::string_view bytes);

std::string ValueToJson(const Literal& value);
// InvalidArgument when the JSON does not hold a value of the type.
Result<Literal> ValueFromJson(const TypePtr& type, std::string_view json);

}  // namespace floe::iceberg
