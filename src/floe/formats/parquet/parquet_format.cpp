#include "floe/formats/parquet/parquet_format.h"

#include <fmt/format.h>

#include <functional>
#include <type_traits>
#include <utility>

#include "floe/formats/parquet/thrift_compact.h"

namespace floe::parquet {
namespace {

// --- Serialization ---

template <typename E>
int32_t EnumValue(E e) {
  return static_cast<int32_t>(e);
}

void WriteStatistics(ThriftCompactWriter& w, const Statistics& s) {
  w.StructBegin();
  if (s.max) w.FieldBinary(1, *s.max);
  if (s.min) w.FieldBinary(2, *s.min);
  if (s.null_count) w.FieldI64(3, *s.null_count);
  if (s.distinct_count) w.FieldI64(4, *s.distinct_count);
  if (s.max_value) w.FieldBinary(5, *s.max_value);
  if (s.min_value) w.FieldBinary(6, *s.min_value);
  if (s.is_max_value_exact) w.FieldBool(7, *s.is_max_value_exact);
  if (s.is_min_value_exact) w.FieldBool(8, *s.is_min_value_exact);
  if (s.nan_count) w.FieldI64(9, *s.nan_count);
  w.StructEnd();
}

void WriteI64List(ThriftCompactWriter& w, int16_t id, const std::vector<int64_t>& v) {
  if (v.empty()) return;
  w.FieldListBegin(id, CompactType::kI64, static_cast<uint32_t>(v.size()));
  for (int64_t x : v) w.I64(x);
}

void WriteLogicalType(ThriftCompactWriter& w, const LogicalType& t) {
  using Kind = LogicalType::Kind;
  w.StructBegin();
  const auto member = static_cast<int16_t>(t.kind);
  switch (t.kind) {
    case Kind::kNone: break;
    case Kind::kDecimal:  // DecimalType
      w.FieldStructBegin(member);
      w.FieldI32(1, t.decimal_scale);
      w.FieldI32(2, t.decimal_precision);
      w.StructEnd();
      break;
    case Kind::kTime:  // TimeType and TimestampType: isAdjustedToUTC, then the TimeUnit union
    case Kind::kTimestamp:
      w.FieldStructBegin(member);
      w.FieldBool(1, t.is_adjusted_to_utc);
      w.FieldStructBegin(2);
      w.FieldStructBegin(static_cast<int16_t>(EnumValue(t.unit) + 1));  // MILLIS 1, MICROS 2, NANOS 3
      w.StructEnd();
      w.StructEnd();
      w.StructEnd();
      break;
    case Kind::kInteger:  // IntType
      w.FieldStructBegin(member);
      w.FieldI8(1, t.int_bit_width);
      w.FieldBool(2, t.int_is_signed);
      w.StructEnd();
      break;
    default:  // an empty struct
      w.FieldStructBegin(member);
      w.StructEnd();
      break;
  }
  w.StructEnd();
}

void WriteSchemaElement(ThriftCompactWriter& w, const SchemaElement& e) {
  w.StructBegin();
  if (e.type) w.FieldI32(1, EnumValue(*e.type));
  if (e.type_length) w.FieldI32(2, *e.type_length);
  if (e.repetition_type) w.FieldI32(3, EnumValue(*e.repetition_type));
  w.FieldBinary(4, e.name);
  if (e.num_children) w.FieldI32(5, *e.num_children);
  if (e.converted_type) w.FieldI32(6, EnumValue(*e.converted_type));
  if (e.scale) w.FieldI32(7, *e.scale);
  if (e.precision) w.FieldI32(8, *e.precision);
  if (e.field_id) w.FieldI32(9, *e.field_id);
  if (e.logical_type && e.logical_type->kind != LogicalType::Kind::kNone) {
    w.FieldHeader(10, CompactType::kStruct);
    WriteLogicalType(w, *e.logical_type);
  }
  w.StructEnd();
}

void WriteKeyValues(ThriftCompactWriter& w, int16_t id, const std::vector<KeyValue>& kvs) {
  if (kvs.empty()) return;
  w.FieldListBegin(id, CompactType::kStruct, static_cast<uint32_t>(kvs.size()));
  for (const KeyValue& kv : kvs) {
    w.StructBegin();
    w.FieldBinary(1, kv.key);
    if (kv.value) w.FieldBinary(2, *kv.value);
    w.StructEnd();
  }
}

void WriteColumnMetaData(ThriftCompactWriter& w, const ColumnMetaData& md) {
  w.StructBegin();
  w.FieldI32(1, EnumValue(md.type));
  w.FieldListBegin(2, CompactType::kI32, static_cast<uint32_t>(md.encodings.size()));
  for (Encoding e : md.encodings) w.I32(EnumValue(e));
  w.FieldListBegin(3, CompactType::kBinary, static_cast<uint32_t>(md.path_in_schema.size()));
  for (const std::string& p : md.path_in_schema) w.Binary(p);
  w.FieldI32(4, EnumValue(md.codec));
  w.FieldI64(5, md.num_values);
  w.FieldI64(6, md.total_uncompressed_size);
  w.FieldI64(7, md.total_compressed_size);
  WriteKeyValues(w, 8, md.key_value_metadata);
  w.FieldI64(9, md.data_page_offset);
  if (md.index_page_offset) w.FieldI64(10, *md.index_page_offset);
  if (md.dictionary_page_offset) w.FieldI64(11, *md.dictionary_page_offset);
  if (md.statistics) {
    w.FieldHeader(12, CompactType::kStruct);
    WriteStatistics(w, *md.statistics);
  }
  if (!md.encoding_stats.empty()) {
    w.FieldListBegin(13, CompactType::kStruct, static_cast<uint32_t>(md.encoding_stats.size()));
    for (const PageEncodingStats& s : md.encoding_stats) {
      w.StructBegin();
      w.FieldI32(1, EnumValue(s.page_type));
      w.FieldI32(2, EnumValue(s.encoding));
      w.FieldI32(3, s.count);
      w.StructEnd();
    }
  }
  if (md.bloom_filter_offset) w.FieldI64(14, *md.bloom_filter_offset);
  if (md.bloom_filter_length) w.FieldI32(15, *md.bloom_filter_length);
  w.StructEnd();
}

void WriteColumnChunk(ThriftCompactWriter& w, const ColumnChunk& c) {
  w.StructBegin();
  if (c.file_path) w.FieldBinary(1, *c.file_path);
  w.FieldI64(2, c.file_offset);
  if (c.meta_data) {
    w.FieldHeader(3, CompactType::kStruct);
    WriteColumnMetaData(w, *c.meta_data);
  }
  if (c.offset_index_offset) w.FieldI64(4, *c.offset_index_offset);
  if (c.offset_index_length) w.FieldI32(5, *c.offset_index_length);
  if (c.column_index_offset) w.FieldI64(6, *c.column_index_offset);
  if (c.column_index_length) w.FieldI32(7, *c.column_index_length);
  w.StructEnd();
}

void WriteRowGroup(ThriftCompactWriter& w, const RowGroup& rg) {
  w.StructBegin();
  w.FieldListBegin(1, CompactType::kStruct, static_cast<uint32_t>(rg.columns.size()));
  for (const ColumnChunk& c : rg.columns) WriteColumnChunk(w, c);
  w.FieldI64(2, rg.total_byte_size);
  w.FieldI64(3, rg.num_rows);
  if (!rg.sorting_columns.empty()) {
    w.FieldListBegin(4, CompactType::kStruct, static_cast<uint32_t>(rg.sorting_columns.size()));
    for (const SortingColumn& s : rg.sorting_columns) {
      w.StructBegin();
      w.FieldI32(1, s.column_idx);
      w.FieldBool(2, s.descending);
      w.FieldBool(3, s.nulls_first);
      w.StructEnd();
    }
  }
  if (rg.file_offset) w.FieldI64(5, *rg.file_offset);
  if (rg.total_compressed_size) w.FieldI64(6, *rg.total_compressed_size);
  if (rg.ordinal) w.FieldI16(7, *rg.ordinal);
  w.StructEnd();
}

// --- Parsing ---

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};

// Parses one top-level struct. Errors are sticky: the reader's for malformed Thrift, error_ for a well-formed value
// that is not the struct (a known field of another type, a required field missing). `path_` is the way down to the
// struct being read; it stops being popped at the first error, so that it then names where the error happened.
class MetadataParser {
 public:
  MetadataParser(std::string_view bytes, std::string_view what) : r_(bytes), what_(what) {}

  bool ok() const { return error_.empty() && r_.ok(); }
  size_t position() const { return r_.position(); }

  Status status() const {
    if (ok()) return Status::Ok();
    std::string where;
    if (path_.size() > 1) {
      where = " in ";
      for (size_t i = 0; i < path_.size(); ++i) {
        if (i > 0) where += '.';
        where += path_[i].name;
        if (path_[i].index >= 0) where += fmt::format("[{}]", path_[i].index);
      }
    }
    const std::string message = error_.empty() ? r_.status().message() : error_;
    return Status::Corruption(fmt::format("{}: {}{}", what_, message, where));
  }

  void ParseFileMetaData(FileMetaData* md) {
    Scope s(this, "FileMetaData");
    const uint32_t seen = Struct([&](int16_t id, CompactType t) {
      switch (id) {
        case 1: Value(t, "FileMetaData.version", &md->version); return true;
        case 2:
          List(t, "FileMetaData.schema", CompactType::kStruct, &md->schema,
               [&](SchemaElement* e) { ParseSchemaElement(e); });
          return true;
        case 3: Value(t, "FileMetaData.num_rows", &md->num_rows); return true;
        case 4:
          List(t, "FileMetaData.row_groups", CompactType::kStruct, &md->row_groups,
               [&](RowGroup* rg) { ParseRowGroup(rg); });
          return true;
        case 5: KeyValues(t, "FileMetaData.key_value_metadata", &md->key_value_metadata); return true;
        case 6: Value(t, "FileMetaData.created_by", &md->created_by); return true;
        case 7:
          List(t, "FileMetaData.column_orders", CompactType::kStruct, &md->column_orders,
               [&](ColumnOrder* o) { ParseColumnOrder(o); });
          return true;
        default: return false;
      }
    });
    Require(seen, 1, "FileMetaData.version");
    Require(seen, 2, "FileMetaData.schema");
    Require(seen, 3, "FileMetaData.num_rows");
    Require(seen, 4, "FileMetaData.row_groups");
  }

  void ParsePageHeader(PageHeader* h) {
    Scope s(this, "PageHeader");
    const uint32_t seen = Struct([&](int16_t id, CompactType t) {
      switch (id) {
        case 1: Value(t, "PageHeader.type", &h->type); return true;
        case 2: Value(t, "PageHeader.uncompressed_page_size", &h->uncompressed_page_size); return true;
        case 3: Value(t, "PageHeader.compressed_page_size", &h->compressed_page_size); return true;
        case 4: Value(t, "PageHeader.crc", &h->crc); return true;
        case 5:
          Nested(t, "PageHeader.data_page_header", &h->data_page_header, &MetadataParser::ParseDataPage);
          return true;
        case 6:
          Nested(t, "PageHeader.index_page_header", &h->index_page_header,
                 [](MetadataParser* p, IndexPageHeader*) { p->Struct([](int16_t, CompactType) { return false; }); });
          return true;
        case 7:
          Nested(t, "PageHeader.dictionary_page_header", &h->dictionary_page_header,
                 &MetadataParser::ParseDictionaryPage);
          return true;
        case 8:
          Nested(t, "PageHeader.data_page_header_v2", &h->data_page_header_v2, &MetadataParser::ParseDataPageV2);
          return true;
        default: return false;
      }
    });
    Require(seen, 1, "PageHeader.type");
    Require(seen, 2, "PageHeader.uncompressed_page_size");
    Require(seen, 3, "PageHeader.compressed_page_size");
    NotNegative(h->uncompressed_page_size, "PageHeader.uncompressed_page_size");
    NotNegative(h->compressed_page_size, "PageHeader.compressed_page_size");
  }

 private:
  struct PathStep {
    const char* name;
    int64_t index;
  };

  // One step down the path; popped on the way back up unless an error happened below it.
  class Scope {
   public:
    Scope(MetadataParser* p, const char* qualified_name, int64_t index = -1) : p_(p) {
      // "RowGroup.columns" appears in the path as "columns".
      const char* name = qualified_name;
      for (const char* c = qualified_name; *c; ++c) {
        if (*c == '.') name = c + 1;
      }
      p_->path_.push_back({name, index});
    }
    ~Scope() {
      if (p_->ok()) p_->path_.pop_back();
    }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    MetadataParser* p_;
  };

  void Fail(size_t at, std::string_view why) {
    if (ok()) error_ = fmt::format("byte {}: {}", at, why);
  }

  // Reads the fields of one struct, handing each to on_field(id, type), which reads the value and returns true, or
  // returns false to have it skipped. Returns the ids (below 32) that on_field took.
  template <typename F>
  uint32_t Struct(F&& on_field) {
    uint32_t seen = 0;
    r_.StructBegin();
    int16_t id;
    CompactType type;
    while (ok()) {
      field_at_ = r_.position();
      if (!r_.ReadFieldHeader(&id, &type)) break;
      if (on_field(id, type)) {
        if (id >= 0 && id < 32) seen |= uint32_t{1} << id;
      } else if (ok()) {
        r_.Skip(type);
      }
    }
    r_.StructEnd();
    return seen;
  }

  void Require(uint32_t seen, int16_t id, std::string_view field) {
    if (ok() && (seen & (uint32_t{1} << id)) == 0) {
      error_ = fmt::format("{} missing (struct ending at byte {})", field, r_.position());
    }
  }

  void NotNegative(int64_t v, std::string_view field) {
    if (ok() && v < 0) error_ = fmt::format("{} is {} (struct ending at byte {})", field, v, r_.position());
  }

  bool Expect(CompactType got, CompactType want, std::string_view field) {
    if (got == want || (IsBool(got) && IsBool(want))) return true;
    Fail(field_at_, fmt::format("{} has type {}, expected {}", field, CompactTypeName(got), CompactTypeName(want)));
    return false;
  }

  // A scalar field: bool, i8, i16, i32, i64, binary (std::string), an enum (i32), or an optional of one.
  template <typename T>
  void Value(CompactType t, std::string_view field, T* out) {
    if constexpr (IsOptional<T>::value) {
      typename T::value_type v{};
      Value(t, field, &v);
      *out = std::move(v);
    } else if constexpr (std::is_same_v<T, bool>) {
      if (Expect(t, CompactType::kBoolTrue, field)) *out = r_.ReadBool();
    } else if constexpr (std::is_same_v<T, int8_t>) {
      if (Expect(t, CompactType::kI8, field)) *out = r_.ReadI8();
    } else if constexpr (std::is_same_v<T, int16_t>) {
      if (Expect(t, CompactType::kI16, field)) *out = r_.ReadI16();
    } else if constexpr (std::is_same_v<T, int32_t>) {
      if (Expect(t, CompactType::kI32, field)) *out = r_.ReadI32();
    } else if constexpr (std::is_same_v<T, int64_t>) {
      if (Expect(t, CompactType::kI64, field)) *out = r_.ReadI64();
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (Expect(t, CompactType::kBinary, field)) *out = std::string(r_.ReadBinary());
    } else {
      static_assert(std::is_enum_v<T>, "a field type the parser does not know");
      if (Expect(t, CompactType::kI32, field)) *out = static_cast<T>(r_.ReadI32());
    }
  }

  // A list field whose elements `read_element` parses; replaces *out.
  template <typename T, typename F>
  void List(CompactType t, const char* field, CompactType element, std::vector<T>* out, F&& read_element) {
    if (!Expect(t, CompactType::kList, field)) return;
    const size_t at = r_.position();
    CompactType got;
    const uint32_t n = r_.ReadListBegin(&got);
    out->clear();
    if (ok() && n > 0 && got != element) {
      Fail(at, fmt::format("{} is a list of {}, expected {}", field, CompactTypeName(got), CompactTypeName(element)));
    }
    for (uint32_t i = 0; i < n && ok(); ++i) {
      Scope s(this, field, i);
      T v{};
      read_element(&v);
      out->push_back(std::move(v));
    }
    r_.ListEnd();
  }

  void KeyValues(CompactType t, const char* field, std::vector<KeyValue>* out) {
    List(t, field, CompactType::kStruct, out, [&](KeyValue* kv) {
      const uint32_t seen = Struct([&](int16_t id, CompactType ft) {
        switch (id) {
          case 1: Value(ft, "KeyValue.key", &kv->key); return true;
          case 2: Value(ft, "KeyValue.value", &kv->value); return true;
          default: return false;
        }
      });
      Require(seen, 1, "KeyValue.key");
    });
  }

  // Lists of scalars. A list of bools may name its element type by either bool id.
  void BoolList(CompactType t, const char* field, std::vector<bool>* out) {
    if (!Expect(t, CompactType::kList, field)) return;
    const size_t at = r_.position();
    CompactType got;
    const uint32_t n = r_.ReadListBegin(&got);
    out->clear();
    if (ok() && n > 0 && !IsBool(got)) {
      Fail(at, fmt::format("{} is a list of {}, expected bool", field, CompactTypeName(got)));
    }
    for (uint32_t i = 0; i < n && ok(); ++i) out->push_back(r_.ReadBool());
    r_.ListEnd();
  }
  void I64List(CompactType t, const char* field, std::vector<int64_t>* out) {
    List(t, field, CompactType::kI64, out, [&](int64_t* v) { *v = r_.ReadI64(); });
  }
  void BinaryList(CompactType t, const char* field, std::vector<std::string>* out) {
    List(t, field, CompactType::kBinary, out, [&](std::string* v) { *v = std::string(r_.ReadBinary()); });
  }

  void ParsePageLocation(PageLocation* loc) {
    const uint32_t seen = Struct([&](int16_t id, CompactType t) {
      switch (id) {
        case 1: Value(t, "PageLocation.offset", &loc->offset); return true;
        case 2: Value(t, "PageLocation.compressed_page_size", &loc->compressed_page_size); return true;
        case 3: Value(t, "PageLocation.first_row_index", &loc->first_row_index); return true;
        default: return false;
      }
    });
    Require(seen, 1, "PageLocation.offset");
    Require(seen, 2, "PageLocation.compressed_page_size");
    Require(seen, 3, "PageLocation.first_row_index");
  }

  // An optional struct field, parsed by parse(this, &value) into a fresh value that replaces *out.
  template <typename T, typename F>
  void Nested(CompactType t, const char* field, std::optional<T>* out, F parse) {
    if (!Expect(t, CompactType::kStruct, field)) return;
    Scope s(this, field);
    T v{};
    std::invoke(parse, this, &v);
    *out = std::move(v);
  }

  void ParseStatistics(Statistics* s) {
    Struct([&](int16_t id, CompactType t) {
      switch (id) {
        case 1: Value(t, "Statistics.max", &s->max); return true;
        case 2: Value(t, "Statistics.min", &s->min); return true;
        case 3: Value(t, "Statistics.null_count", &s->null_count); return true;
        case 4: Value(t, "Statistics.distinct_count", &s->distinct_count); return true;
        case 5: Value(t, "Statistics.max_value", &s->max_value); return true;
        case 6: Value(t, "Statistics.min_value", &s->min_value); return true;
        case 7: Value(t, "Statistics.is_max_value_exact", &s->is_max_value_exact); return true;
        case 8: Value(t, "Statistics.is_min_value_exact", &s->is_min_value_exact); return true;
        case 9: Value(t, "Statistics.nan_count", &s->nan_count); return true;
        default: return false;
      }
    });
  }

 public:
  void ParseColumnIndex(ColumnIndex* ci) {
    Scope s(this, "ColumnIndex");
    const uint32_t seen = Struct([&](int16_t id, CompactType t) {
      switch (id) {
        case 1: BoolList(t, "ColumnIndex.null_pages", &ci->null_pages); return true;
        case 2: BinaryList(t, "ColumnIndex.min_values", &ci->min_values); return true;
        case 3: BinaryList(t, "ColumnIndex.max_values", &ci->max_values); return true;
        case 4: Value(t, "ColumnIndex.boundary_order", &ci->boundary_order); return true;
        case 5: I64List(t, "ColumnIndex.null_counts", &ci->null_counts); return true;
        case 6: I64List(t, "ColumnIndex.repetition_level_histograms", &ci->repetition_level_histograms); return true;
        case 7: I64List(t, "ColumnIndex.definition_level_histograms", &ci->definition_level_histograms); return true;
        case 8: I64List(t, "ColumnIndex.nan_counts", &ci->nan_counts); return true;
        default: return false;
      }
    });
    Require(seen, 1, "ColumnIndex.null_pages");
    Require(seen, 2, "ColumnIndex.min_values");
    Require(seen, 3, "ColumnIndex.max_values");
    Require(seen, 4, "ColumnIndex.boundary_order");
  }

  void ParseOffsetIndex(OffsetIndex* oi) {
    Scope s(this, "OffsetIndex");
    const uint32_t seen = Struct([&](int16_t id, CompactType t) {
      switch (id) {
        case 1:
          List(t, "OffsetIndex.page_locations", CompactType::kStruct, &oi->page_locations,
               [&](PageLocation* loc) { ParsePageLocation(loc); });
          return true;
        case 2:
          I64List(t, "OffsetIndex.unencoded_byte_array_data_bytes", &oi->unencoded_byte_array_data_bytes);
          return true;
        default: return false;
      }
    });
    Require(seen, 1, "OffsetIndex.page_locations");
  }

  // The bytes are exactly one struct: a length that runs past its end is as wrong as one that cuts it short.
  void ExpectEnd(size_t size) {
    if (ok() && position() != size)
      Fail(position(), fmt::format("the struct ends {} bytes before its stated length", size - position()));
  }

 private:
  // An empty struct (a union member without parameters); fields a newer spec may add are skipped.
  void EmptyMember(CompactType t, std::string_view field) {
    if (Expect(t, CompactType::kStruct, field)) r_.Skip(t);
  }

  void ParseTimeUnit(TimeUnit* unit) {
    int members = 0;
    Struct([&](int16_t id, CompactType t) {
      ++members;
      if (id < 1 || id > 3) {
        Fail(field_at_, fmt::format("TimeUnit member {} unknown", id));
        return true;
      }
      EmptyMember(t, "TimeUnit member");
      *unit = static_cast<TimeUnit>(id - 1);
      return true;
    });
    if (ok() && members != 1) {
      error_ = fmt::format("TimeUnit union sets {} members (struct ending at byte {})", members, r_.position());
    }
  }

  // TimeType and TimestampType, the LogicalType members TIME and TIMESTAMP.
  void ParseTimeType(CompactType t, LogicalType* lt, const char* member, std::string_view type_name) {
    if (!Expect(t, CompactType::kStruct, fmt::format("LogicalType.{}", member))) return;
    Scope s(this, member);
    const uint32_t seen = Struct([&](int16_t id, CompactType ft) {
      switch (id) {
        case 1: Value(ft, fmt::format("{}.isAdjustedToUTC", type_name), &lt->is_adjusted_to_utc); return true;
        case 2: {
          if (!Expect(ft, CompactType::kStruct, fmt::format("{}.unit", type_name))) return true;
          Scope u(this, "unit");
          ParseTimeUnit(&lt->unit);
          return true;
        }
        default: return false;
      }
    });
    Require(seen, 1, fmt::format("{}.isAdjustedToUTC", type_name));
    Require(seen, 2, fmt::format("{}.unit", type_name));
  }

  void ParseLogicalType(std::optional<LogicalType>* out) {
    using Kind = LogicalType::Kind;
    LogicalType lt;
    int members = 0;
    bool known = false;
    Struct([&](int16_t id, CompactType t) {
      ++members;
      switch (id) {
        case 1:
        case 2:
        case 3:
        case 4:
        case 6:
        case 11:
        case 12:
        case 13:
        case 14:
        case 15: EmptyMember(t, "LogicalType member"); break;
        case 5: {
          if (!Expect(t, CompactType::kStruct, "LogicalType.DECIMAL")) return true;
          Scope s(this, "DECIMAL");
          const uint32_t seen = Struct([&](int16_t fid, CompactType ft) {
            switch (fid) {
              case 1: Value(ft, "DecimalType.scale", &lt.decimal_scale); return true;
              case 2: Value(ft, "DecimalType.precision", &lt.decimal_precision); return true;
              default: return false;
            }
          });
          Require(seen, 1, "DecimalType.scale");
          Require(seen, 2, "DecimalType.precision");
          break;
        }
        case 7: ParseTimeType(t, &lt, "TIME", "TimeType"); break;
        case 8: ParseTimeType(t, &lt, "TIMESTAMP", "TimestampType"); break;
        case 10: {
          if (!Expect(t, CompactType::kStruct, "LogicalType.INTEGER")) return true;
          Scope s(this, "INTEGER");
          const uint32_t seen = Struct([&](int16_t fid, CompactType ft) {
            switch (fid) {
              case 1: Value(ft, "IntType.bitWidth", &lt.int_bit_width); return true;
              case 2: Value(ft, "IntType.isSigned", &lt.int_is_signed); return true;
              default: return false;
            }
          });
          Require(seen, 1, "IntType.bitWidth");
          Require(seen, 2, "IntType.isSigned");
          break;
        }
        default: return false;  // a member floe does not know (VARIANT, GEOMETRY, GEOGRAPHY, newer): skipped
      }
      lt.kind = static_cast<Kind>(id);
      known = true;
      return true;
    });
    if (ok() && members != 1) {
      error_ = fmt::format("LogicalType union sets {} members (struct ending at byte {})", members, r_.position());
    }
    if (known) {
      *out = lt;
    } else {
      out->reset();
    }
  }

  void ParseSchemaElement(SchemaElement* e) {
    const uint32_t seen = Struct([&](int16_t id, CompactType t) {
      switch (id) {
        case 1: Value(t, "SchemaElement.type", &e->type); return true;
        case 2: Value(t, "SchemaElement.type_length", &e->type_length); return true;
        case 3: Value(t, "SchemaElement.repetition_type", &e->repetition_type); return true;
        case 4: Value(t, "SchemaElement.name", &e->name); return true;
        case 5: Value(t, "SchemaElement.num_children", &e->num_children); return true;
        case 6: Value(t, "SchemaElement.converted_type", &e->converted_type); return true;
        case 7: Value(t, "SchemaElement.scale", &e->scale); return true;
        case 8: Value(t, "SchemaElement.precision", &e->precision); return true;
        case 9: Value(t, "SchemaElement.field_id", &e->field_id); return true;
        case 10: {
          if (!Expect(t, CompactType::kStruct, "SchemaElement.logicalType")) return true;
          Scope s(this, "logicalType");
          ParseLogicalType(&e->logical_type);
          return true;
        }
        default: return false;
      }
    });
    Require(seen, 4, "SchemaElement.name");
  }

  void ParseColumnMetaData(ColumnMetaData* md) {
    const uint32_t seen = Struct([&](int16_t id, CompactType t) {
      switch (id) {
        case 1: Value(t, "ColumnMetaData.type", &md->type); return true;
        case 2:
          List(t, "ColumnMetaData.encodings", CompactType::kI32, &md->encodings,
               [&](Encoding* e) { *e = static_cast<Encoding>(r_.ReadI32()); });
          return true;
        case 3:
          List(t, "ColumnMetaData.path_in_schema", CompactType::kBinary, &md->path_in_schema,
               [&](std::string* p) { *p = std::string(r_.ReadBinary()); });
          return true;
        case 4: Value(t, "ColumnMetaData.codec", &md->codec); return true;
        case 5: Value(t, "ColumnMetaData.num_values", &md->num_values); return true;
        case 6: Value(t, "ColumnMetaData.total_uncompressed_size", &md->total_uncompressed_size); return true;
        case 7: Value(t, "ColumnMetaData.total_compressed_size", &md->total_compressed_size); return true;
        case 8: KeyValues(t, "ColumnMetaData.key_value_metadata", &md->key_value_metadata); return true;
        case 9: Value(t, "ColumnMetaData.data_page_offset", &md->data_page_offset); return true;
        case 10: Value(t, "ColumnMetaData.index_page_offset", &md->index_page_offset); return true;
        case 11: Value(t, "ColumnMetaData.dictionary_page_offset", &md->dictionary_page_offset); return true;
        case 12: Nested(t, "ColumnMetaData.statistics", &md->statistics, &MetadataParser::ParseStatistics); return true;
        case 13:
          List(t, "ColumnMetaData.encoding_stats", CompactType::kStruct, &md->encoding_stats,
               [&](PageEncodingStats* s) {
                 const uint32_t got = Struct([&](int16_t fid, CompactType ft) {
                   switch (fid) {
                     case 1: Value(ft, "PageEncodingStats.page_type", &s->page_type); return true;
                     case 2: Value(ft, "PageEncodingStats.encoding", &s->encoding); return true;
                     case 3: Value(ft, "PageEncodingStats.count", &s->count); return true;
                     default: return false;
                   }
                 });
                 Require(got, 1, "PageEncodingStats.page_type");
                 Require(got, 2, "PageEncodingStats.encoding");
                 Require(got, 3, "PageEncodingStats.count");
               });
          return true;
        case 14: Value(t, "ColumnMetaData.bloom_filter_offset", &md->bloom_filter_offset); return true;
        case 15: Value(t, "ColumnMetaData.bloom_filter_length", &md->bloom_filter_length); return true;
        default: return false;  // 16 size_statistics, 17 geospatial_statistics, newer
      }
    });
    Require(seen, 1, "ColumnMetaData.type");
    Require(seen, 2, "ColumnMetaData.encodings");
    Require(seen, 3, "ColumnMetaData.path_in_schema");
    Require(seen, 4, "ColumnMetaData.codec");
    Require(seen, 5, "ColumnMetaData.num_values");
    Require(seen, 6, "ColumnMetaData.total_uncompressed_size");
    Require(seen, 7, "ColumnMetaData.total_compressed_size");
    Require(seen, 9, "ColumnMetaData.data_page_offset");
  }

  void ParseColumnChunk(ColumnChunk* c) {
    const uint32_t seen = Struct([&](int16_t id, CompactType t) {
      switch (id) {
        case 1: Value(t, "ColumnChunk.file_path", &c->file_path); return true;
        case 2: Value(t, "ColumnChunk.file_offset", &c->file_offset); return true;
        case 3: Nested(t, "ColumnChunk.meta_data", &c->meta_data, &MetadataParser::ParseColumnMetaData); return true;
        case 4: Value(t, "ColumnChunk.offset_index_offset", &c->offset_index_offset); return true;
        case 5: Value(t, "ColumnChunk.offset_index_length", &c->offset_index_length); return true;
        case 6: Value(t, "ColumnChunk.column_index_offset", &c->column_index_offset); return true;
        case 7: Value(t, "ColumnChunk.column_index_length", &c->column_index_length); return true;
        default: return false;  // 8 crypto_metadata, 9 encrypted_column_metadata
      }
    });
    Require(seen, 2, "ColumnChunk.file_offset");
  }

  void ParseRowGroup(RowGroup* rg) {
    const uint32_t seen = Struct([&](int16_t id, CompactType t) {
      switch (id) {
        case 1:
          List(t, "RowGroup.columns", CompactType::kStruct, &rg->columns, [&](ColumnChunk* c) { ParseColumnChunk(c); });
          return true;
        case 2: Value(t, "RowGroup.total_byte_size", &rg->total_byte_size); return true;
        case 3: Value(t, "RowGroup.num_rows", &rg->num_rows); return true;
        case 4:
          List(t, "RowGroup.sorting_columns", CompactType::kStruct, &rg->sorting_columns, [&](SortingColumn* s) {
            const uint32_t got = Struct([&](int16_t fid, CompactType ft) {
              switch (fid) {
                case 1: Value(ft, "SortingColumn.column_idx", &s->column_idx); return true;
                case 2: Value(ft, "SortingColumn.descending", &s->descending); return true;
                case 3: Value(ft, "SortingColumn.nulls_first", &s->nulls_first); return true;
                default: return false;
              }
            });
            Require(got, 1, "SortingColumn.column_idx");
            Require(got, 2, "SortingColumn.descending");
            Require(got, 3, "SortingColumn.nulls_first");
          });
          return true;
        case 5: Value(t, "RowGroup.file_offset", &rg->file_offset); return true;
        case 6: Value(t, "RowGroup.total_compressed_size", &rg->total_compressed_size); return true;
        case 7: Value(t, "RowGroup.ordinal", &rg->ordinal); return true;
        default: return false;
      }
    });
    Require(seen, 1, "RowGroup.columns");
    Require(seen, 2, "RowGroup.total_byte_size");
    Require(seen, 3, "RowGroup.num_rows");
  }

  void ParseColumnOrder(ColumnOrder* o) {
    o->type_defined = false;
    Struct([&](int16_t id, CompactType t) {
      if (id != 1) return false;  // IEEE_754_TOTAL_ORDER, INT96_TIMESTAMP_ORDER, newer
      EmptyMember(t, "ColumnOrder.TYPE_ORDER");
      o->type_defined = true;
      return true;
    });
  }

  void ParseDataPage(DataPageHeader* dp) {
    const uint32_t seen = Struct([&](int16_t id, CompactType t) {
      switch (id) {
        case 1: Value(t, "DataPageHeader.num_values", &dp->num_values); return true;
        case 2: Value(t, "DataPageHeader.encoding", &dp->encoding); return true;
        case 3: Value(t, "DataPageHeader.definition_level_encoding", &dp->definition_level_encoding); return true;
        case 4: Value(t, "DataPageHeader.repetition_level_encoding", &dp->repetition_level_encoding); return true;
        case 5: Nested(t, "DataPageHeader.statistics", &dp->statistics, &MetadataParser::ParseStatistics); return true;
        default: return false;
      }
    });
    Require(seen, 1, "DataPageHeader.num_values");
    Require(seen, 2, "DataPageHeader.encoding");
    Require(seen, 3, "DataPageHeader.definition_level_encoding");
    Require(seen, 4, "DataPageHeader.repetition_level_encoding");
    NotNegative(dp->num_values, "DataPageHeader.num_values");
  }

  void ParseDictionaryPage(DictionaryPageHeader* dp) {
    const uint32_t seen = Struct([&](int16_t id, CompactType t) {
      switch (id) {
        case 1: Value(t, "DictionaryPageHeader.num_values", &dp->num_values); return true;
        case 2: Value(t, "DictionaryPageHeader.encoding", &dp->encoding); return true;
        case 3: Value(t, "DictionaryPageHeader.is_sorted", &dp->is_sorted); return true;
        default: return false;
      }
    });
    Require(seen, 1, "DictionaryPageHeader.num_values");
    Require(seen, 2, "DictionaryPageHeader.encoding");
    NotNegative(dp->num_values, "DictionaryPageHeader.num_values");
  }

  void ParseDataPageV2(DataPageHeaderV2* dp) {
    const uint32_t seen = Struct([&](int16_t id, CompactType t) {
      switch (id) {
        case 1: Value(t, "DataPageHeaderV2.num_values", &dp->num_values); return true;
        case 2: Value(t, "DataPageHeaderV2.num_nulls", &dp->num_nulls); return true;
        case 3: Value(t, "DataPageHeaderV2.num_rows", &dp->num_rows); return true;
        case 4: Value(t, "DataPageHeaderV2.encoding", &dp->encoding); return true;
        case 5:
          Value(t, "DataPageHeaderV2.definition_levels_byte_length", &dp->definition_levels_byte_length);
          return true;
        case 6:
          Value(t, "DataPageHeaderV2.repetition_levels_byte_length", &dp->repetition_levels_byte_length);
          return true;
        case 7: Value(t, "DataPageHeaderV2.is_compressed", &dp->is_compressed); return true;
        case 8:
          Nested(t, "DataPageHeaderV2.statistics", &dp->statistics, &MetadataParser::ParseStatistics);
          return true;
        default: return false;
      }
    });
    Require(seen, 1, "DataPageHeaderV2.num_values");
    Require(seen, 2, "DataPageHeaderV2.num_nulls");
    Require(seen, 3, "DataPageHeaderV2.num_rows");
    Require(seen, 4, "DataPageHeaderV2.encoding");
    Require(seen, 5, "DataPageHeaderV2.definition_levels_byte_length");
    Require(seen, 6, "DataPageHeaderV2.repetition_levels_byte_length");
    NotNegative(dp->num_values, "DataPageHeaderV2.num_values");
    NotNegative(dp->num_nulls, "DataPageHeaderV2.num_nulls");
    NotNegative(dp->num_rows, "DataPageHeaderV2.num_rows");
    NotNegative(dp->definition_levels_byte_length, "DataPageHeaderV2.definition_levels_byte_length");
    NotNegative(dp->repetition_levels_byte_length, "DataPageHeaderV2.repetition_levels_byte_length");
  }

  ThriftCompactReader r_;
  std::string_view what_;
  std::string error_;
  std::vector<PathStep> path_;
  size_t field_at_ = 0;  // where the current field's header starts
};

}  // namespace

void SerializeFileMetaData(const FileMetaData& md, std::string* out) {
  ThriftCompactWriter w(out);
  w.StructBegin();
  w.FieldI32(1, md.version);
  w.FieldListBegin(2, CompactType::kStruct, static_cast<uint32_t>(md.schema.size()));
  for (const SchemaElement& e : md.schema) WriteSchemaElement(w, e);
  w.FieldI64(3, md.num_rows);
  w.FieldListBegin(4, CompactType::kStruct, static_cast<uint32_t>(md.row_groups.size()));
  for (const RowGroup& rg : md.row_groups) WriteRowGroup(w, rg);
  WriteKeyValues(w, 5, md.key_value_metadata);
  if (md.created_by) w.FieldBinary(6, *md.created_by);
  if (!md.column_orders.empty()) {
    w.FieldListBegin(7, CompactType::kStruct, static_cast<uint32_t>(md.column_orders.size()));
    for (const ColumnOrder& o : md.column_orders) {
      w.StructBegin();
      if (o.type_defined) {
        w.FieldStructBegin(1);  // TYPE_ORDER: TypeDefinedOrder, an empty struct
        w.StructEnd();
      }
      w.StructEnd();
    }
  }
  w.StructEnd();
}

void SerializePageHeader(const PageHeader& h, std::string* out) {
  ThriftCompactWriter w(out);
  w.StructBegin();
  w.FieldI32(1, EnumValue(h.type));
  w.FieldI32(2, h.uncompressed_page_size);
  w.FieldI32(3, h.compressed_page_size);
  if (h.crc) w.FieldI32(4, *h.crc);
  if (h.data_page_header) {
    const DataPageHeader& dp = *h.data_page_header;
    w.FieldStructBegin(5);
    w.FieldI32(1, dp.num_values);
    w.FieldI32(2, EnumValue(dp.encoding));
    w.FieldI32(3, EnumValue(dp.definition_level_encoding));
    w.FieldI32(4, EnumValue(dp.repetition_level_encoding));
    if (dp.statistics) {
      w.FieldHeader(5, CompactType::kStruct);
      WriteStatistics(w, *dp.statistics);
    }
    w.StructEnd();
  }
  if (h.index_page_header) {
    w.FieldStructBegin(6);
    w.StructEnd();
  }
  if (h.dictionary_page_header) {
    const DictionaryPageHeader& dp = *h.dictionary_page_header;
    w.FieldStructBegin(7);
    w.FieldI32(1, dp.num_values);
    w.FieldI32(2, EnumValue(dp.encoding));
    if (dp.is_sorted) w.FieldBool(3, *dp.is_sorted);
    w.StructEnd();
  }
  if (h.data_page_header_v2) {
    const DataPageHeaderV2& dp = *h.data_page_header_v2;
    w.FieldStructBegin(8);
    w.FieldI32(1, dp.num_values);
    w.FieldI32(2, dp.num_nulls);
    w.FieldI32(3, dp.num_rows);
    w.FieldI32(4, EnumValue(dp.encoding));
    w.FieldI32(5, dp.definition_levels_byte_length);
    w.FieldI32(6, dp.repetition_levels_byte_length);
    if (dp.is_compressed) w.FieldBool(7, *dp.is_compressed);
    if (dp.statistics) {
      w.FieldHeader(8, CompactType::kStruct);
      WriteStatistics(w, *dp.statistics);
    }
    w.StructEnd();
  }
  w.StructEnd();
}

void SerializeColumnIndex(const ColumnIndex& ci, std::string* out) {
  ThriftCompactWriter w(out);
  w.StructBegin();
  w.FieldListBegin(1, CompactType::kBoolFalse, static_cast<uint32_t>(ci.null_pages.size()));
  // A bool element is one byte, 1 or 2 as in a field header, which is what Thrift's own writers put there.
  for (bool b : ci.null_pages) w.I8(b ? 1 : 2);
  w.FieldListBegin(2, CompactType::kBinary, static_cast<uint32_t>(ci.min_values.size()));
  for (const std::string& v : ci.min_values) w.Binary(v);
  w.FieldListBegin(3, CompactType::kBinary, static_cast<uint32_t>(ci.max_values.size()));
  for (const std::string& v : ci.max_values) w.Binary(v);
  w.FieldI32(4, EnumValue(ci.boundary_order));
  WriteI64List(w, 5, ci.null_counts);
  WriteI64List(w, 6, ci.repetition_level_histograms);
  WriteI64List(w, 7, ci.definition_level_histograms);
  WriteI64List(w, 8, ci.nan_counts);
  w.StructEnd();
}

void SerializeOffsetIndex(const OffsetIndex& oi, std::string* out) {
  ThriftCompactWriter w(out);
  w.StructBegin();
  w.FieldListBegin(1, CompactType::kStruct, static_cast<uint32_t>(oi.page_locations.size()));
  for (const PageLocation& loc : oi.page_locations) {
    w.StructBegin();
    w.FieldI64(1, loc.offset);
    w.FieldI32(2, loc.compressed_page_size);
    w.FieldI64(3, loc.first_row_index);
    w.StructEnd();
  }
  WriteI64List(w, 2, oi.unencoded_byte_array_data_bytes);
  w.StructEnd();
}

Result<ColumnIndex> ParseColumnIndex(std::string_view bytes) {
  MetadataParser p(bytes, "parquet column index");
  ColumnIndex ci;
  p.ParseColumnIndex(&ci);
  p.ExpectEnd(bytes.size());
  if (!p.ok()) return p.status();
  return ci;
}

Result<OffsetIndex> ParseOffsetIndex(std::string_view bytes) {
  MetadataParser p(bytes, "parquet offset index");
  OffsetIndex oi;
  p.ParseOffsetIndex(&oi);
  p.ExpectEnd(bytes.size());
  if (!p.ok()) return p.status();
  return oi;
}

Result<FileMetaData> ParseFileMetaData(std::string_view footer) {
  MetadataParser p(footer, "parquet footer");
  FileMetaData md;
  p.ParseFileMetaData(&md);
  if (!p.ok()) return p.status();
  return md;
}

Result<PageHeader> ParsePageHeader(std::string_view bytes, size_t* header_size) {
  MetadataParser p(bytes, "parquet page header");
  PageHeader h;
  p.ParsePageHeader(&h);
  if (!p.ok()) return p.status();
  *header_size = p.position();
  return h;
}

}  // namespace floe::parquet
