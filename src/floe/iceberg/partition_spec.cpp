#include "floe/iceberg/partition_spec.h"

#include <algorithm>
#include <charconv>

namespace floe::iceberg {
namespace {

bool IsTimeLike(TypeId id) {
  return id == TypeId::kTimestamp || id == TypeId::kTimestampTz || id == TypeId::kTimestampNs ||
         id == TypeId::kTimestampTzNs;
}

}  // namespace

std::string Transform::ToString() const {
  switch (kind) {
    case TransformKind::kIdentity: return "identity";
    case TransformKind::kBucket: return "bucket[" + std::to_string(param) + "]";
    case TransformKind::kTruncate: return "truncate[" + std::to_string(param) + "]";
    case TransformKind::kYear: return "year";
    case TransformKind::kMonth: return "month";
    case TransformKind::kDay: return "day";
    case TransformKind::kHour: return "hour";
    case TransformKind::kVoid: return "void";
  }
  return "?";
}

Result<Transform> Transform::Parse(std::string_view text) {
  if (text == "identity") return Identity();
  if (text == "year") return Year();
  if (text == "month") return Month();
  if (text == "day") return Day();
  if (text == "hour") return Hour();
  if (text == "void") return Void();
  for (auto [prefix, kind] : {std::pair<std::string_view, TransformKind>{"bucket[", TransformKind::kBucket},
                              std::pair<std::string_view, TransformKind>{"truncate[", TransformKind::kTruncate}}) {
    if (text.starts_with(prefix)) {
      if (!text.ends_with("]")) break;
      const std::string_view number = text.substr(prefix.size(), text.size() - prefix.size() - 1);
      int32_t n = 0;
      auto [p, ec] = std::from_chars(number.data(), number.data() + number.size(), n);
      if (ec != std::errc() || p != number.data() + number.size() || n <= 0) {
        return Status::InvalidArgument("transform '" + std::string(text) +
                                       "': the parameter must be a positive integer");
      }
      return Transform{kind, n};
    }
  }
  return Status::InvalidArgument("unknown transform '" + std::string(text) + "'");
}

Result<TypePtr> Transform::ResultType(const TypePtr& source) const {
  const TypeId id = source->id;
  auto refuse = [&]() -> Result<TypePtr> {
    return Status::InvalidArgument("transform " + ToString() + " cannot be applied to type " + source->ToString());
  };
  if (!source->is_primitive()) {
    if (kind == TransformKind::kVoid) return source;
    return refuse();
  }
  switch (kind) {
    case TransformKind::kIdentity:
    case TransformKind::kVoid: return source;
    case TransformKind::kBucket:
      if (id == TypeId::kBoolean || id == TypeId::kFloat || id == TypeId::kDouble) return refuse();
      return Type::Primitive(TypeId::kInt);
    case TransformKind::kTruncate:
      if (id == TypeId::kInt || id == TypeId::kLong || id == TypeId::kDecimal || id == TypeId::kString ||
          id == TypeId::kBinary) {
        return source;
      }
      return refuse();
    case TransformKind::kYear:
    case TransformKind::kMonth:
      if (id == TypeId::kDate || IsTimeLike(id)) return Type::Primitive(TypeId::kInt);
      return refuse();
    case TransformKind::kDay:
      if (id == TypeId::kDate || IsTimeLike(id)) return Type::Primitive(TypeId::kDate);
      return refuse();
    case TransformKind::kHour:
      if (IsTimeLike(id)) return Type::Primitive(TypeId::kInt);
      return refuse();
  }
  return refuse();
}

bool Transform::PreservesOrder() const {
  return kind != TransformKind::kBucket && kind != TransformKind::kVoid;
}

bool PartitionSpec::unpartitioned() const {
  return std::all_of(fields.begin(), fields.end(),
                     [](const PartitionField& f) { return f.transform.kind == TransformKind::kVoid; });
}

Result<TypePtr> PartitionSpec::PartitionType(const Schema& schema) const {
  std::vector<NestedField> out;
  out.reserve(fields.size());
  for (const PartitionField& pf : fields) {
    const NestedField* source = schema.FindById(pf.source_id);
    if (!source) {
      return Status::InvalidArgument("partition field '" + pf.name + "': source column id " +
                                     std::to_string(pf.source_id) + " is not in the schema");
    }
    auto result = pf.transform.ResultType(source->type);
    if (!result.ok()) {
      return Status::InvalidArgument("partition field '" + pf.name + "' on column '" + schema.NameOf(pf.source_id) +
                                     "': " + result.status().message());
    }
    NestedField f;
    f.id = pf.field_id;
    f.name = pf.name;
    f.required = false;
    f.type = *result;
    out.push_back(std::move(f));
  }
  return Type::Struct(std::move(out));
}

int32_t PartitionSpec::LastFieldId() const {
  int32_t last = kPartitionDataIdStart - 1;
  for (const PartitionField& f : fields) last = std::max(last, f.field_id);
  return last;
}

}  // namespace floe::iceberg
