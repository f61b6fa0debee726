#include "floe/iceberg/data_file_reader.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>

#include "floe/formats/parquet/parquet_reader.h"
#include "floe/iceberg/data_file_writer.h"
#include "floe/iceberg/literal_codec.h"

namespace floe::iceberg {

using formats::ColumnType;
using formats::ColumnVector;
using formats::DataType;

namespace {

std::string ColumnLabel(const NestedField& f) {
  return fmt::format("column {} ({})", f.id, f.name);
}

// Whether a file column of type `file` reads as the table's `table`: the same type, a promotion the spec allows
// (int -> long, float -> double, decimal(P,S) -> decimal(P',S), P' >= P), or the same values under another
// annotation (timestamps with and without UTC adjustment, strings and binary), as files added from other writers have.
bool Readable(const DataType& file, const DataType& table) {
  if (file == table) return true;
  switch (table.id) {
    case ColumnType::kInt64: return file.id == ColumnType::kInt32;
    case ColumnType::kDouble: return file.id == ColumnType::kFloat;
    case ColumnType::kDecimal:
      return file.id == ColumnType::kDecimal && file.scale == table.scale && file.precision <= table.precision;
    case ColumnType::kTimestamp: return file.id == ColumnType::kTimestampTz;
    case ColumnType::kTimestampTz: return file.id == ColumnType::kTimestamp;
    case ColumnType::kString: return file.id == ColumnType::kBinary;
    case ColumnType::kBinary: return file.id == ColumnType::kString;
    default: return false;
  }
}

// `v` as type `to` (Readable(v.type(), to)).
ColumnVector Widen(const ColumnVector& v, const DataType& to) {
  const size_t rows = v.size();
  ColumnVector out(to);
  std::vector<uint8_t> validity = v.validity();
  if (v.type().id == ColumnType::kInt32 && to.id == ColumnType::kInt64) {
    std::vector<uint8_t> fixed(rows * 8);
    for (size_t r = 0; r < rows; ++r) {
      const int64_t x = v.value<int32_t>(r);
      std::memcpy(fixed.data() + r * 8, &x, 8);
    }
    out.Assign(rows, std::move(validity), std::move(fixed), {}, {});
  } else if (v.type().id == ColumnType::kFloat && to.id == ColumnType::kDouble) {
    std::vector<uint8_t> fixed(rows * 8);
    for (size_t r = 0; r < rows; ++r) {
      const double x = static_cast<double>(v.value<float>(r));
      std::memcpy(fixed.data() + r * 8, &x, 8);
    }
    out.Assign(rows, std::move(validity), std::move(fixed), {}, {});
  } else if (formats::IsVariableWidth(to.id)) {
    out.Assign(rows, std::move(validity), {}, v.offsets(), v.bytes());
  } else {  // the same values under another type
    out.Assign(rows, std::move(validity),
               std::vector<uint8_t>(v.data(), v.data() + rows * static_cast<size_t>(v.width())), {}, {});
  }
  return out;
}

ColumnVector AllNulls(const DataType& type, size_t rows) {
  ColumnVector out(type);
  if (formats::IsVariableWidth(type.id)) {
    out.Assign(rows, std::vector<uint8_t>(rows, 0), {}, std::vector<int64_t>(rows + 1, 0), {});
  } else {
    out.Assign(rows, std::vector<uint8_t>(rows, 0), std::vector<uint8_t>(rows * static_cast<size_t>(out.width()), 0),
               {}, {});
  }
  return out;
}

template <typename T>
std::optional<T> LoadLe(std::string_view b) {
  if (b.size() < sizeof(T)) return std::nullopt;
  T v;
  std::memcpy(&v, b.data(), sizeof(T));
  return v;
}

// Big-endian two's complement of up to 16 bytes.
std::optional<__int128> LoadBigEndian(std::string_view b) {
  if (b.empty() || b.size() > 16) return std::nullopt;
  unsigned __int128 v = (static_cast<uint8_t>(b[0]) & 0x80) ? ~static_cast<unsigned __int128>(0) : 0;
  for (char c : b) v = (v << 8) | static_cast<uint8_t>(c);
  return static_cast<__int128>(v);
}

bool IsUnsigned(const parquet::SchemaElement& e) {
  if (e.logical_type && e.logical_type->kind == parquet::LogicalType::Kind::kInteger &&
      !e.logical_type->int_is_signed) {
    return true;
  }
  using CT = parquet::ConvertedType;
  return e.converted_type && (*e.converted_type == CT::kUint8 || *e.converted_type == CT::kUint16 ||
                              *e.converted_type == CT::kUint32 || *e.converted_type == CT::kUint64);
}

// A Parquet statistic (PLAIN-encoded, as ParquetReader::Stats gives it) of column `e`, read by floe as `file`, as a
// value of the table's type `to`; nullopt when it is not a bound floe can trust. `lower` says which end it is, for
// the rounding that keeps it a bound.
std::optional<Literal> StatLiteral(const parquet::SchemaElement& e, const DataType& file, std::string_view plain,
                                   const DataType& to, const TypePtr& to_type, bool lower) {
  if (!e.type || IsUnsigned(e)) return std::nullopt;
  const parquet::Type physical = *e.type;
  switch (file.id) {
    case ColumnType::kBoolean: {
      auto v = LoadLe<uint8_t>(plain);
      if (!v) return std::nullopt;
      return Literal::Of(to_type, *v != 0);
    }
    case ColumnType::kInt32:
    case ColumnType::kDate: {
      if (physical != parquet::Type::kInt32) return std::nullopt;
      auto v = LoadLe<int32_t>(plain);
      if (!v) return std::nullopt;
      if (to.id == ColumnType::kInt64) return Literal::Of(to_type, static_cast<int64_t>(*v));
      return Literal::Of(to_type, *v);
    }
    case ColumnType::kInt64: {
      if (physical != parquet::Type::kInt64) return std::nullopt;
      auto v = LoadLe<int64_t>(plain);
      if (!v) return std::nullopt;
      return Literal::Of(to_type, *v);
    }
    case ColumnType::kTimestamp:
    case ColumnType::kTimestampTz: {
      if (physical != parquet::Type::kInt64) return std::nullopt;  // INT96 statistics are not ordered usefully
      auto v = LoadLe<int64_t>(plain);
      if (!v) return std::nullopt;
      parquet::TimeUnit unit = parquet::TimeUnit::kMicros;
      if (e.logical_type && e.logical_type->kind == parquet::LogicalType::Kind::kTimestamp) {
        unit = e.logical_type->unit;
      } else if (e.converted_type == parquet::ConvertedType::kTimestampMillis) {
        unit = parquet::TimeUnit::kMillis;
      }
      int64_t micros = *v;
      if (unit == parquet::TimeUnit::kMillis) {
        if (__builtin_mul_overflow(*v, int64_t{1000}, &micros)) return std::nullopt;
      } else if (unit == parquet::TimeUnit::kNanos) {
        // Rounded outward so that the bound still bounds the values read (which are truncated to micros).
        micros = *v / 1000;
        if (lower && *v % 1000 < 0) --micros;
      }
      return Literal::Of(to_type, micros);
    }
    case ColumnType::kDecimal: {
      std::optional<__int128> v;
      if (physical == parquet::Type::kInt32) {
        if (auto x = LoadLe<int32_t>(plain)) v = *x;
      } else if (physical == parquet::Type::kInt64) {
        if (auto x = LoadLe<int64_t>(plain)) v = *x;
      } else if (physical == parquet::Type::kByteArray || physical == parquet::Type::kFixedLenByteArray) {
        v = LoadBigEndian(plain);
      }
      if (!v) return std::nullopt;
      return Literal::Of(to_type, DecimalValue{*v});
    }
    case ColumnType::kFloat:
    case ColumnType::kDouble: {
      double x;
      if (file.id == ColumnType::kFloat) {
        auto f = LoadLe<float>(plain);
        if (!f) return std::nullopt;
        x = *f;
      } else {
        auto d = LoadLe<double>(plain);
        if (!d) return std::nullopt;
        x = *d;
      }
      // Older writers let NaN into min/max: such bounds say nothing. A zero bound may hide the other zero (the
      // Parquet spec asks readers to take -0.0 as the lower and +0.0 as the upper).
      if (std::isnan(x)) return std::nullopt;
      if (x == 0) x = lower ? -0.0 : 0.0;
      if (to.id == ColumnType::kFloat) return Literal::Of(to_type, static_cast<float>(x));
      return Literal::Of(to_type, x);
    }
    case ColumnType::kString:
    case ColumnType::kBinary:
      if (physical != parquet::Type::kByteArray && physical != parquet::Type::kFixedLenByteArray) return std::nullopt;
      return Literal::Of(to_type, std::string(plain));
  }
  return std::nullopt;
}

}  // namespace

struct DataFileReader::State {
  std::string path;
  std::string bytes;  // the whole file; the ParquetReader points into it
  std::optional<parquet::ParquetReader> reader;
  std::vector<NestedField> fields;   // projected
  std::vector<DataType> types;       // their column types
  std::vector<int> column_of_field;  // file column or -1
  DataFile file;                     // the manifest's entry (path, partition, spec id)

  std::string Prefix() const { return "data file " + path; }
};

DataFileReader::DataFileReader(std::unique_ptr<State> state) : state_(std::move(state)) {}
DataFileReader::DataFileReader(DataFileReader&&) noexcept = default;
DataFileReader& DataFileReader::operator=(DataFileReader&&) noexcept = default;
DataFileReader::~DataFileReader() = default;

Result<NameMapping> ParseNameMapping(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_array()) {
    return Status::InvalidArgument("schema.name-mapping.default: not a JSON array of {\"field-id\", \"names\"}");
  }
  NameMapping mapping;
  for (size_t i = 0; i < j.size(); ++i) {
    const nlohmann::json& e = j[i];
    if (!e.is_object() || !e.contains("names") || !e["names"].is_array()) {
      return Status::InvalidArgument("schema.name-mapping.default[" + std::to_string(i) + "]: no \"names\" array");
    }
    if (!e.contains("field-id")) continue;  // a name with no id: nothing to map it to
    if (!e["field-id"].is_number_integer()) {
      return Status::InvalidArgument("schema.name-mapping.default[" + std::to_string(i) +
                                     "]: field-id is not an integer");
    }
    for (const nlohmann::json& name : e["names"]) {
      if (name.is_string()) mapping[name.get<std::string>()] = e["field-id"].get<int32_t>();
    }
  }
  return mapping;
}

Result<DataFileReader> DataFileReader::Open(io::FileIO* io, const DataFile& file, const Schema& projection,
                                            const NameMapping* name_mapping) {
  auto state = std::make_unique<State>();
  state->path = file.file_path;
  state->file = file;
  const std::string prefix = state->Prefix();
  if (file.file_format != "PARQUET" && file.file_format != "parquet") {
    return Status::Unsupported(fmt::format("{}: format {} (floe reads Parquet data files)", prefix, file.file_format));
  }
  auto bytes = io->Read(file.file_path);
  if (!bytes.ok()) return bytes.status().WithContext(prefix);
  state->bytes = std::move(*bytes);
  if (file.file_size_in_bytes > 0 && static_cast<int64_t>(state->bytes.size()) != file.file_size_in_bytes) {
    return Status::Corruption(fmt::format("{}: the file has {} bytes, its manifest entry says {}", prefix,
                                          state->bytes.size(), file.file_size_in_bytes));
  }
  auto reader = parquet::ParquetReader::Open(state->bytes, prefix);
  if (!reader.ok()) return reader.status();
  state->reader.emplace(std::move(*reader));
  const formats::Schema& columns = state->reader->schema();

  bool any_ids = false;
  std::unordered_map<int32_t, int> by_id;
  for (size_t c = 0; c < columns.fields.size(); ++c) {
    if (columns.fields[c].field_id >= 0) {
      any_ids = true;
      by_id.emplace(columns.fields[c].field_id, static_cast<int>(c));
    }
  }
  for (const NestedField& f : projection.fields()) {
    auto type = ToColumnType(*f.type);
    if (!type.ok()) return type.status().WithContext(prefix + ": " + ColumnLabel(f));
    int column = -1;
    if (any_ids) {
      if (auto it = by_id.find(f.id); it != by_id.end()) column = it->second;
    } else if (name_mapping) {
      // No field ids: a file from outside Iceberg (pyiceberg's add_files), matched through the table's name mapping.
      for (size_t c = 0; c < columns.fields.size() && column < 0; ++c) {
        auto it = name_mapping->find(columns.fields[c].name);
        if (it != name_mapping->end() && it->second == f.id) column = static_cast<int>(c);
      }
    } else {
      column = columns.FindField(f.name);  // no field ids and no mapping: matched by the current name
    }
    if (column < 0 && f.required) {
      return Status::Corruption(fmt::format("{}: {}: a required field, but the file has no such column{}", prefix,
                                            ColumnLabel(f),
                                            any_ids ? "" : " (the file has no field ids; matched by name)"));
    }
    if (column >= 0 && !state->reader->column_status(column).ok()) {
      return Status::Corruption(
          fmt::format("{}: {}: {}", prefix, ColumnLabel(f), state->reader->column_status(column).message()));
    }
    if (column >= 0) {
      const formats::Field& fc = columns.fields[static_cast<size_t>(column)];
      if (!Readable(fc.type, *type)) {
        return Status::Corruption(fmt::format("{}: {}: the file's column {} is {}, which cannot be read as {}", prefix,
                                              ColumnLabel(f), fc.name, formats::TypeToString(fc.type),
                                              formats::TypeToString(*type)));
      }
    }
    state->fields.push_back(f);
    state->types.push_back(*type);
    state->column_of_field.push_back(column);
  }
  return DataFileReader(std::move(state));
}

int DataFileReader::row_groups() const {
  return state_->reader->num_row_groups();
}

int64_t DataFileReader::row_group_rows(int row_group) const {
  return state_->reader->row_group_rows(row_group);
}

const std::vector<int>& DataFileReader::column_of_field() const {
  return state_->column_of_field;
}

Result<std::vector<ColumnVector>> DataFileReader::ReadRowGroup(int row_group) const {
  const State& s = *state_;
  if (row_group < 0 || row_group >= row_groups()) {
    return Status::InvalidArgument(
        fmt::format("{}: no row group {} (the file has {})", s.Prefix(), row_group, row_groups()));
  }
  const size_t rows = static_cast<size_t>(s.reader->row_group_rows(row_group));
  std::vector<int> wanted;
  for (int c : s.column_of_field) {
    if (c >= 0) wanted.push_back(c);
  }
  std::vector<ColumnVector> read;
  if (!wanted.empty()) {
    FLOE_ASSIGN_OR_RETURN(read, s.reader->ReadRowGroup(row_group, wanted));
  }
  std::vector<ColumnVector> out;
  out.reserve(s.fields.size());
  size_t next = 0;
  for (size_t i = 0; i < s.fields.size(); ++i) {
    if (s.column_of_field[i] < 0) {
      out.push_back(AllNulls(s.types[i], rows));
      continue;
    }
    ColumnVector& v = read[next++];
    if (s.fields[i].required && v.null_count() > 0) {
      size_t r = 0;
      while (!v.IsNull(r)) ++r;
      return Status::Corruption(fmt::format("{}: {}: row {} of row group {} is null in a required field", s.Prefix(),
                                            ColumnLabel(s.fields[i]), r, row_group));
    }
    out.push_back(v.type() == s.types[i] ? std::move(v) : Widen(v, s.types[i]));
  }
  return out;
}

DataFile DataFileReader::RowGroupMetrics(int row_group) const {
  const State& s = *state_;
  DataFile m;
  m.content = s.file.content;
  m.file_path = s.file.file_path;
  m.file_format = s.file.file_format;
  m.spec_id = s.file.spec_id;
  m.partition = s.file.partition;
  m.file_size_in_bytes = s.file.file_size_in_bytes;
  if (row_group < 0 || row_group >= row_groups()) return m;
  const parquet::RowGroup& rg = s.reader->metadata().row_groups[static_cast<size_t>(row_group)];
  m.record_count = rg.num_rows;
  for (size_t i = 0; i < s.fields.size(); ++i) {
    const int32_t id = s.fields[i].id;
    const int c = s.column_of_field[i];
    if (c < 0) {  // not in the file: all nulls
      m.value_counts[id] = rg.num_rows;
      m.null_value_counts[id] = rg.num_rows;
      continue;
    }
    const parquet::ColumnMetaData& md = *rg.columns[static_cast<size_t>(c)].meta_data;
    m.column_sizes[id] = md.total_compressed_size;
    m.value_counts[id] = md.num_values;
    const auto stats = s.reader->Stats(row_group, c);
    if (stats.null_count) m.null_value_counts[id] = *stats.null_count;
    if (!stats.min || !stats.max) continue;
    const parquet::SchemaElement& e = s.reader->column_element(c);
    const DataType& file_type = s.reader->schema().fields[static_cast<size_t>(c)].type;
    auto lower = StatLiteral(e, file_type, *stats.min, s.types[i], s.fields[i].type, true);
    auto upper = StatLiteral(e, file_type, *stats.max, s.types[i], s.fields[i].type, false);
    if (lower) m.lower_bounds[id] = SerializeValue(*lower);
    if (upper) m.upper_bounds[id] = SerializeValue(*upper);
  }
  return m;
}

}  // namespace floe::iceberg
