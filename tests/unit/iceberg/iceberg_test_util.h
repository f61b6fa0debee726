// Small builders the Iceberg unit tests share: a schema field, and columns from lists of optional values.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "floe/formats/column_vector.h"
#include "floe/iceberg/iceberg_types.h"

namespace floe::iceberg::testing {

inline NestedField Field(int32_t id, std::string name, bool required, TypePtr type) {
  NestedField f;
  f.id = id;
  f.name = std::move(name);
  f.required = required;
  f.type = std::move(type);
  return f;
}

// A fixed-width column; nullopt is a null.
template <typename T>
formats::ColumnVector Col(formats::DataType type, const std::vector<std::optional<T>>& values) {
  formats::ColumnVector v(type);
  for (const auto& x : values) {
    if (x) {
      v.Append<T>(*x);
    } else {
      v.AppendNull();
    }
  }
  return v;
}

// A string or binary column; nullopt is a null.
inline formats::ColumnVector Strs(formats::DataType type, const std::vector<std::optional<std::string>>& values) {
  formats::ColumnVector v(type);
  for (const auto& x : values) {
    if (x) {
      v.AppendString(*x);
    } else {
      v.AppendNull();
    }
  }
  return v;
}

}  // namespace floe::iceberg::testing
