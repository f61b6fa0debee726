// Applying partition transforms to values (Apache Iceberg table spec v2, "Partition Transforms", "Bucket Transform
// Details", "Truncate Transform Details", "Appendix B: 32-bit Hash Requirements"), and the partition path strings
// Java writes into data file paths ("ts_day=2026-11-25/host_bucket=3").
//
// Partition values must agree bit for bit with what Java, pyiceberg and the other engines compute, or a reader that
// projects a filter onto partitions skips files that hold matching rows. So every rule here is the spec's: bucket is
// (murmur3_x86_32(hash bytes) & INT_MAX) % N with the hash bytes of Appendix B, truncate keeps a non-negative
// remainder, and year/month/day/hour count whole units from 1970-01-01 00:00:00 rounding toward negative infinity.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floe/base/status.h"
#include "floe/iceberg/iceberg_types.h"
#include "floe/iceberg/partition_spec.h"

namespace floe::iceberg {

// A partition tuple: one value per field of the spec, nullopt for null. Identical to the alias in manifest.h.
using PartitionValues = std::vector<std::optional<Literal>>;

// murmur3_x86_32 of `bytes` with seed 0, as Java's int.
int32_t Murmur3Hash32(std::string_view bytes);

// The spec's 32-bit hash of a value (Appendix B): int, long, date, time and timestamps as the 8-byte little-endian
// long (nanosecond timestamps first converted to micros); decimal the unscaled value's fewest big-endian
// two's-complement bytes; string its UTF-8 bytes; uuid its 16 big-endian bytes; fixed and binary their bytes. The
// types that cannot be bucketed get Appendix B's second table: boolean as int 0/1, float and double as the double's
// bits (NaN canonical, -0.0 as 0.0).
int32_t BucketHash(const Literal& value);

// Applies `transform` to a value of the source column's type: null gives null (void always gives null); bucket[N]
// (BucketHash & INT_MAX) % N; truncate[W] of ints and longs v - (((v % W) + W) % W) (wrapping at the type's range as
// Java's arithmetic does), of decimals the same on the unscaled value, of strings the first W unicode code points,
// of binary the first W bytes; year/month/day/hour the units since 1970 (negative before it). The result has type
// transform.ResultType(value's type) (day: a date). InvalidArgument when the transform does not apply to the type or
// its parameter is not positive.
Result<std::optional<Literal>> ApplyTransform(const Transform& transform, const std::optional<Literal>& value);

// A partition value (the transform's result) as Java's Transform.toHumanString writes it: "null" for null; year
// "2026", month "2026-11", day "2026-11-25", hour "2026-11-25-10"; identity/truncate/void values by their type:
// dates "2026-11-25", times "10:00" / "10:00:01.5" (java.time.LocalTime), timestamps "2026-11-25T10:00:00.123"
// (ISO local date-time, fraction without trailing zeros; timestamptz with "+00:00"), floats and doubles as Java's
// Float/Double.toString ("1.0", "1.0E10"), decimals as BigDecimal.toString, uuids in 8-4-4-4-12 form, fixed and
// binary as base64, numbers, booleans and strings as they are.
std::string PartitionPathValue(const Transform& transform, const std::optional<Literal>& value);

// "name=value/name=value" over the spec's fields (Java's PartitionSpec.partitionToPath), each name and value
// (PartitionPathValue) URL-encoded as java.net.URLEncoder does in UTF-8: letters, digits and ".-*_" kept, space as
// "+", every other byte as "%XX". `values` has one entry per field of `spec`; missing trailing entries count as null.
std::string PartitionPath(const PartitionSpec& spec, const PartitionValues& values);

}  // namespace floe::iceberg
