// Partition specs, partition transforms and sort orders (Apache Iceberg table spec v2, "Partitioning",
// "Partition Transforms", "Sort Orders").
//
// A partition spec turns a row into a partition tuple: one value per PartitionField, the field's transform applied to
// its source column. Transforms: identity, bucket[N] (murmur3_x86_32 of the value's hash bytes, mod N), truncate[W],
// year/month/day/hour (of dates and timestamps, as ordinals since 1970), void (always null). Partition field ids start
// at 1000 and are unique across all specs of a table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floe/base/status.h"
#include "floe/iceberg/iceberg_types.h"

namespace floe::iceberg {

enum class TransformKind : uint8_t { kIdentity, kBucket, kTruncate, kYear, kMonth, kDay, kHour, kVoid };

struct Transform {
  TransformKind kind = TransformKind::kIdentity;
  int32_t param = 0;  // bucket: N; truncate: W

  static Transform Identity() { return {TransformKind::kIdentity, 0}; }
  static Transform Bucket(int32_t n) { return {TransformKind::kBucket, n}; }
  static Transform Truncate(int32_t w) { return {TransformKind::kTruncate, w}; }
  static Transform Year() { return {TransformKind::kYear, 0}; }
  static Transform Month() { return {TransformKind::kMonth, 0}; }
  static Transform Day() { return {TransformKind::kDay, 0}; }
  static Transform Hour() { return {TransformKind::kHour, 0}; }
  static Transform Void() { return {TransformKind::kVoid, 0}; }

  // "identity", "bucket[16]", "truncate[4]", "year", "month", "day", "hour", "void".
  std::string ToString() const;
  // Parses that form; InvalidArgument for an unknown transform or a parameter that is not a positive integer.
  static Result<Transform> Parse(std::string_view text);

  // The type of the transform's result for a source column of type `source`: identity the source type, bucket int,
  // truncate the source type, year/month/hour int, day date (as the spec says; the value is days), void the source
  // type. InvalidArgument when the transform does not apply to the type (bucket of a float, day of a string...).
  Result<TypePtr> ResultType(const TypePtr& source) const;
  // Whether ordering is preserved (a <= b implies t(a) <= t(b)): identity, truncate, year, month, day, hour.
  bool PreservesOrder() const;

  bool operator==(const Transform&) const = default;
};

struct PartitionField {
  int32_t source_id = 0;
  int32_t field_id = 0;  // 1000 and above
  std::string name;
  Transform transform;

  bool operator==(const PartitionField&) const = default;
};

inline constexpr int32_t kPartitionDataIdStart = 1000;

struct PartitionSpec {
  int32_t spec_id = 0;
  std::vector<PartitionField> fields;

  bool unpartitioned() const;  // no fields, or only void transforms
  // The partition tuple's type: a struct of one optional field per partition field (its field id, name and result
  // type). InvalidArgument naming the field when a source column is missing or the transform does not apply.
  Result<TypePtr> PartitionType(const Schema& schema) const;
  // Highest partition field id (kPartitionDataIdStart - 1 when there are none).
  int32_t LastFieldId() const;
  // Same fields (ignoring spec ids).
  bool CompatibleWith(const PartitionSpec& other) const { return fields == other.fields; }

  bool operator==(const PartitionSpec&) const = default;
};

// Sort orders: direction and null order per sort field. Order id 0 is reserved for "unsorted" (no fields).
enum class SortDirection : uint8_t { kAsc, kDesc };
enum class NullOrder : uint8_t { kNullsFirst, kNullsLast };

struct SortField {
  int32_t source_id = 0;
  Transform transform;
  SortDirection direction = SortDirection::kAsc;
  NullOrder null_order = NullOrder::kNullsFirst;
  bool operator==(const SortField&) const = default;
};

struct SortOrder {
  int32_t order_id = 0;
  std::vector<SortField> fields;
  bool operator==(const SortOrder&) const = default;
};

}  // namespace floe::iceberg
