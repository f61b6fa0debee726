#include "floe/formats/parquet/parquet_reader.h"

#include <fmt/format.h>

#include <cstring>

#include "floe/formats/parquet/delta_encoding.h"
#include "floe/formats/parquet/page_compression.h"
#include "floe/formats/parquet/rle_bit_packed.h"

namespace floe::parquet {

using formats::ColumnType;
using formats::ColumnVector;
using formats::DataType;

namespace {

constexpr int64_t kMaxFooterBytes = int64_t{1} << 30;
constexpr int64_t kMaxPageBytes = int64_t{1} << 30;

uint32_t LoadLe32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// The floe type of a flat Parquet column, and how its stored values convert.
Status MapColumn(const SchemaElement& e, formats::Field* field, int64_t* time_divisor, bool* int96) {
  field->name = e.name;
  field->nullable = !e.repetition_type || *e.repetition_type != FieldRepetitionType::kRequired;
  field->field_id = e.field_id ? *e.field_id : -1;
  if (!e.type) return Status::Unsupported(fmt::format("column {} has no physical type", e.name));
  const auto logical = e.logical_type ? e.logical_type->kind : LogicalType::Kind::kNone;
  const auto converted = e.converted_type;
  auto decimal = [&]() -> Status {
    const int32_t precision = e.logical_type && logical == LogicalType::Kind::kDecimal
                                  ? e.logical_type->decimal_precision
                                  : e.precision.value_or(0);
    const int32_t scale =
        e.logical_type && logical == LogicalType::Kind::kDecimal ? e.logical_type->decimal_scale : e.scale.value_or(0);
    if (precision < 1 || precision > 18) {
      return Status::Unsupported(
          fmt::format("column {}: decimal precision {} (floe reads up to 18)", e.name, precision));
    }
    field->type = DataType{ColumnType::kDecimal, precision, scale};
    return Status::Ok();
  };
  const bool is_decimal = logical == LogicalType::Kind::kDecimal || converted == ConvertedType::kDecimal;
  switch (*e.type) {
    case Type::kBoolean: field->type = DataType{ColumnType::kBoolean}; return Status::Ok();
    case Type::kInt32:
      if (is_decimal) return decimal();
      if (logical == LogicalType::Kind::kDate || converted == ConvertedType::kDate) {
        field->type = DataType{ColumnType::kDate};
      } else if ((logical == LogicalType::Kind::kInteger && !e.logical_type->int_is_signed &&
                  e.logical_type->int_bit_width == 32) ||
                 converted == ConvertedType::kUint32) {
        field->type = DataType{ColumnType::kInt64};  // uint32 widened
      } else {
        field->type = DataType{ColumnType::kInt32};
      }
      return Status::Ok();
    case Type::kInt64:
      if (is_decimal) return decimal();
      if (logical == LogicalType::Kind::kTimestamp) {
        field->type = DataType{e.logical_type->is_adjusted_to_utc ? ColumnType::kTimestampTz : ColumnType::kTimestamp};
        *time_divisor = e.logical_type->unit == TimeUnit::kMillis  ? -1000
                        : e.logical_type->unit == TimeUnit::kNanos ? 1000
                                                                   : 1;
      } else if (converted == ConvertedType::kTimestampMicros || converted == ConvertedType::kTimestampMillis) {
        field->type = DataType{ColumnType::kTimestampTz};
        *time_divisor = converted == ConvertedType::kTimestampMillis ? -1000 : 1;
      } else {
        field->type = DataType{ColumnType::kInt64};
      }
      return Status::Ok();
    case Type::kInt96:
      field->type = DataType{ColumnType::kTimestampTz};
      *int96 = true;
      return Status::Ok();
    case Type::kFloat: field->type = DataType{ColumnType::kFloat}; return Status::Ok();
    case Type::kDouble: field->type = DataType{ColumnType::kDouble}; return Status::Ok();
    case Type::kByteArray:
    case Type::kFixedLenByteArray:
      if (is_decimal) return decimal();
      if (logical == LogicalType::Kind::kString || logical == LogicalType::Kind::kEnum ||
          logical == LogicalType::Kind::kJson || converted == ConvertedType::kUtf8 ||
          converted == ConvertedType::kEnum || converted == ConvertedType::kJson) {
        field->type = DataType{ColumnType::kString};
      } else {
        field->type = DataType{ColumnType::kBinary};
      }
      return Status::Ok();
  }
  return Status::Unsupported(fmt::format("column {}: unknown physical type {}", e.name, static_cast<int>(*e.type)));
}

// Values of one column chunk as stored (physical type), before conversion to the column's type.
struct PhysicalValues {
  std::vector<uint8_t> fixed;  // fixed-width values back to back (INT96: 12 bytes; FLBA: type_length)
  std::vector<int64_t> offsets{0};
  std::string bytes;
  size_t count = 0;
};

int StoredWidth(Type t, int32_t type_length) {
  switch (t) {
    case Type::kBoolean: return 1;
    case Type::kInt32:
    case Type::kFloat: return 4;
    case Type::kInt64:
    case Type::kDouble: return 8;
    case Type::kInt96: return 12;
    case Type::kFixedLenByteArray: return type_length;
    case Type::kByteArray: return 0;
  }
  return 0;
}

// Decodes `n` PLAIN values from `data` into *out.
Status DecodePlain(std::string_view data, Type t, int32_t type_length, size_t n, PhysicalValues* out) {
  if (t == Type::kBoolean) {
    if (data.size() * 8 < n)
      return Status::Corruption(fmt::format("PLAIN booleans: {} values in {} bytes", n, data.size()));
    for (size_t i = 0; i < n; ++i) out->fixed.push_back((static_cast<uint8_t>(data[i / 8]) >> (i % 8)) & 1);
  } else if (t == Type::kByteArray) {
    size_t pos = 0;
    for (size_t i = 0; i < n; ++i) {
      if (data.size() - pos < 4)
        return Status::Corruption(fmt::format("PLAIN byte array {} of {}: truncated length", i, n));
      const uint32_t len = LoadLe32(data.data() + pos);
      pos += 4;
      if (len > data.size() - pos) {
        return Status::Corruption(fmt::format("PLAIN byte array {} of {}: length {} past the page end", i, n, len));
      }
      out->bytes.append(data.data() + pos, len);
      out->offsets.push_back(static_cast<int64_t>(out->bytes.size()));
      pos += len;
    }
  } else {
    const size_t width = static_cast<size_t>(StoredWidth(t, type_length));
    if (width == 0 || data.size() / width < n) {
      return Status::Corruption(
          fmt::format("PLAIN {}: {} values need {} bytes, the page has {}", TypeName(t), n, n * width, data.size()));
    }
    out->fixed.insert(out->fixed.end(), data.begin(), data.begin() + static_cast<ptrdiff_t>(n * width));
  }
  out->count += n;
  return Status::Ok();
}

class ChunkDecoder {
 public:
  ChunkDecoder(const ColumnMetaData& md, Type physical, int32_t type_length, bool nullable)
      : md_(md), physical_(physical), type_length_(type_length), nullable_(nullable) {}

  // Reads pages until num_values levels are known; fills validity (1 per row) and the non-null values.
  Status Decode(std::string_view file, std::vector<uint8_t>* validity, PhysicalValues* values) {
    int64_t start = md_.data_page_offset;
    if (md_.dictionary_page_offset && *md_.dictionary_page_offset > 0 && *md_.dictionary_page_offset < start) {
      start = *md_.dictionary_page_offset;
    }
    if (start < 4 || md_.total_compressed_size < 0 || start > static_cast<int64_t>(file.size()) ||
        md_.total_compressed_size > static_cast<int64_t>(file.size()) - start) {
      return Status::Corruption(fmt::format("column chunk at byte {} of {} bytes runs past the file ({} bytes)", start,
                                            md_.total_compressed_size, file.size()));
    }
    std::string_view chunk = file.substr(static_cast<size_t>(start), static_cast<size_t>(md_.total_compressed_size));
    size_t pos = 0;
    int64_t levels_read = 0;
    while (levels_read < md_.num_values) {
      if (pos >= chunk.size()) {
        return Status::Corruption(fmt::format("column chunk ended after {} of {} values", levels_read, md_.num_values));
      }
      size_t header_size = 0;
      auto header = ParsePageHeader(chunk.substr(pos), &header_size);
      if (!header.ok()) return header.status().WithContext(fmt::format("page header at byte {}", start + pos));
      const PageHeader& h = *header;
      const size_t body_at = pos + header_size;
      if (h.compressed_page_size < 0 || h.uncompressed_page_size < 0 || h.uncompressed_page_size > kMaxPageBytes ||
          static_cast<size_t>(h.compressed_page_size) > chunk.size() - body_at) {
        return Status::Corruption(
            fmt::format("page at byte {}: size {} runs past the column chunk", start + pos, h.compressed_page_size));
      }
      std::string_view body = chunk.substr(body_at, static_cast<size_t>(h.compressed_page_size));
      pos = body_at + static_cast<size_t>(h.compressed_page_size);
      Status s;
      switch (h.type) {
        case PageType::kDictionaryPage: s = ReadDictionary(h, body); break;
        case PageType::kDataPage: s = ReadDataPageV1(h, body, validity, values, &levels_read); break;
        case PageType::kDataPageV2: s = ReadDataPageV2(h, body, validity, values, &levels_read); break;
        default: break;  // index pages and unknown kinds carry no values
      }
      if (!s.ok()) return s.WithContext(fmt::format("{} at byte {}", PageTypeName(h.type), start + pos));
    }
    return Status::Ok();
  }

 private:
  Status Decompress(std::string_view in, size_t size, std::string_view* out) {
    if (md_.codec == CompressionCodec::kUncompressed) {
      if (in.size() != size) {
        return Status::Corruption(fmt::format("uncompressed page of {} bytes says {}", in.size(), size));
      }
      *out = in;
      return Status::Ok();
    }
    scratch_.resize(size);
    FLOE_RETURN_IF_ERROR(DecompressPage(md_.codec, in, scratch_.data(), size));
    *out = std::string_view(scratch_.data(), size);
    return Status::Ok();
  }

  Status ReadDictionary(const PageHeader& h, std::string_view body) {
    if (!h.dictionary_page_header) return Status::Corruption("dictionary page without its header");
    const int32_t n = h.dictionary_page_header->num_values;
    if (n < 0) return Status::Corruption(fmt::format("dictionary of {} values", n));
    std::string_view data;
    FLOE_RETURN_IF_ERROR(Decompress(body, static_cast<size_t>(h.uncompressed_page_size), &data));
    dict_ = PhysicalValues{};
    FLOE_RETURN_IF_ERROR(DecodePlain(data, physical_, type_length_, static_cast<size_t>(n), &dict_));
    has_dict_ = true;
    return Status::Ok();
  }

  Status ReadDataPageV1(const PageHeader& h, std::string_view body, std::vector<uint8_t>* validity,
                        PhysicalValues* values, int64_t* levels_read) {
    if (!h.data_page_header) return Status::Corruption("data page without its header");
    const DataPageHeader& dp = *h.data_page_header;
    if (dp.num_values < 0) return Status::Corruption(fmt::format("data page of {} values", dp.num_values));
    std::string_view data;
    FLOE_RETURN_IF_ERROR(Decompress(body, static_cast<size_t>(h.uncompressed_page_size), &data));
    const size_t n = static_cast<size_t>(dp.num_values);
    size_t present = n;
    if (nullable_) {
      if (dp.definition_level_encoding != Encoding::kRle) {
        return Status::Unsupported(fmt::format("definition levels in {}", EncodingName(dp.definition_level_encoding)));
      }
      size_t consumed = 0;
      FLOE_ASSIGN_OR_RETURN(std::string_view levels, SplitLengthPrefixed(data, &consumed));
      FLOE_RETURN_IF_ERROR(ReadLevels(levels, n, validity, &present));
      data.remove_prefix(consumed);
    } else {
      validity->insert(validity->end(), n, 1);
    }
    FLOE_RETURN_IF_ERROR(ReadValues(dp.encoding, data, present, values));
    *levels_read += dp.num_values;
    return Status::Ok();
  }

  Status ReadDataPageV2(const PageHeader& h, std::string_view body, std::vector<uint8_t>* validity,
                        PhysicalValues* values, int64_t* levels_read) {
    if (!h.data_page_header_v2) return Status::Corruption("data page v2 without its header");
    const DataPageHeaderV2& dp = *h.data_page_header_v2;
    if (dp.num_values < 0 || dp.definition_levels_byte_length < 0 || dp.repetition_levels_byte_length < 0 ||
        static_cast<int64_t>(dp.definition_levels_byte_length) + dp.repetition_levels_byte_length >
            static_cast<int64_t>(body.size())) {
      return Status::Corruption("data page v2: level lengths do not fit the page");
    }
    if (dp.repetition_levels_byte_length != 0) return Status::Unsupported("repeated (nested) column");
    const size_t n = static_cast<size_t>(dp.num_values);
    std::string_view levels = body.substr(0, static_cast<size_t>(dp.definition_levels_byte_length));
    std::string_view rest = body.substr(static_cast<size_t>(dp.definition_levels_byte_length));
    size_t present = n;
    if (nullable_) {
      FLOE_RETURN_IF_ERROR(ReadLevels(levels, n, validity, &present));
    } else {
      validity->insert(validity->end(), n, 1);
    }
    std::string_view data = rest;
    const int64_t values_size = static_cast<int64_t>(h.uncompressed_page_size) - dp.definition_levels_byte_length;
    if (dp.is_compressed.value_or(true) && md_.codec != CompressionCodec::kUncompressed) {
      if (values_size < 0) return Status::Corruption("data page v2: uncompressed size smaller than its levels");
      FLOE_RETURN_IF_ERROR(Decompress(rest, static_cast<size_t>(values_size), &data));
    }
    FLOE_RETURN_IF_ERROR(ReadValues(dp.encoding, data, present, values));
    *levels_read += dp.num_values;
    return Status::Ok();
  }

  Status ReadLevels(std::string_view levels, size_t n, std::vector<uint8_t>* validity, size_t* present) {
    const size_t at = validity->size();
    validity->resize(at + n);
    RleBitPackedDecoder dec(levels, 1);
    FLOE_RETURN_IF_ERROR(dec.Get(validity->data() + at, n).WithContext("definition levels"));
    size_t count = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (validity->data()[i] > 1) return Status::Corruption("definition level above 1 in a flat column");
      count += validity->data()[i];
    }
    *present = count;
    return Status::Ok();
  }

  Status ReadValues(Encoding encoding, std::string_view data, size_t n, PhysicalValues* out) {
    switch (encoding) {
      case Encoding::kPlain: return DecodePlain(data, physical_, type_length_, n, out);
      case Encoding::kPlainDictionary:
      case Encoding::kRleDictionary: return ReadDictionaryIndices(data, n, out);
      case Encoding::kRle: {
        if (physical_ != Type::kBoolean) break;
        size_t consumed = 0;
        FLOE_ASSIGN_OR_RETURN(std::string_view runs, SplitLengthPrefixed(data, &consumed));
        const size_t at = out->fixed.size();
        out->fixed.resize(at + n);
        RleBitPackedDecoder dec(runs, 1);
        FLOE_RETURN_IF_ERROR(dec.Get(out->fixed.data() + at, n));
        out->count += n;
        return Status::Ok();
      }
      case Encoding::kDeltaBinaryPacked: {
        size_t consumed = 0;
        if (physical_ == Type::kInt32) {
          std::vector<int32_t> v;
          FLOE_RETURN_IF_ERROR(DecodeDeltaBinaryPacked(data, n, &v, &consumed));
          if (v.size() != n) return Status::Corruption(fmt::format("{} delta values, {} expected", v.size(), n));
          AppendRaw(v.data(), n * 4, out, n);
          return Status::Ok();
        }
        if (physical_ == Type::kInt64) {
          std::vector<int64_t> v;
          FLOE_RETURN_IF_ERROR(DecodeDeltaBinaryPacked(data, n, &v, &consumed));
          if (v.size() != n) return Status::Corruption(fmt::format("{} delta values, {} expected", v.size(), n));
          AppendRaw(v.data(), n * 8, out, n);
          return Status::Ok();
        }
        break;
      }
      case Encoding::kDeltaLengthByteArray:
      case Encoding::kDeltaByteArray: {
        if (physical_ != Type::kByteArray) break;
        size_t consumed = 0;
        const size_t before = out->offsets.size();
        FLOE_RETURN_IF_ERROR(encoding == Encoding::kDeltaByteArray
                                 ? DecodeDeltaByteArray(data, n, &out->offsets, &out->bytes, &consumed)
                                 : DecodeDeltaLengthByteArray(data, n, &out->offsets, &out->bytes, &consumed));
        if (out->offsets.size() - before != n) {
          return Status::Corruption(fmt::format("{} byte arrays, {} expected", out->offsets.size() - before, n));
        }
        out->count += n;
        return Status::Ok();
      }
      case Encoding::kByteStreamSplit: {
        const int width = StoredWidth(physical_, type_length_);
        if (width <= 0 || physical_ == Type::kBoolean || physical_ == Type::kInt96) break;
        if (data.size() != n * static_cast<size_t>(width)) {
          return Status::Corruption(fmt::format("BYTE_STREAM_SPLIT: {} bytes for {} values", data.size(), n));
        }
        const size_t at = out->fixed.size();
        out->fixed.resize(at + data.size());
        size_t got = 0;
        FLOE_RETURN_IF_ERROR(DecodeByteStreamSplit(data, static_cast<size_t>(width), out->fixed.data() + at, &got));
        out->count += n;
        return Status::Ok();
      }
      default: break;
    }
    return Status::Unsupported(fmt::format("{} values of type {}", EncodingName(encoding), TypeName(physical_)));
  }

  static void AppendRaw(const void* p, size_t bytes, PhysicalValues* out, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    out->fixed.insert(out->fixed.end(), b, b + bytes);
    out->count += n;
  }

  Status ReadDictionaryIndices(std::string_view data, size_t n, PhysicalValues* out) {
    if (!has_dict_) return Status::Corruption("dictionary-encoded page before any dictionary page");
    if (n == 0) return Status::Ok();
    if (data.empty()) return Status::Corruption("dictionary indices: empty page");
    const int bit_width = static_cast<uint8_t>(data[0]);
    if (bit_width > 32) return Status::Corruption(fmt::format("dictionary indices of bit width {}", bit_width));
    indices_.resize(n);
    RleBitPackedDecoder dec(data.substr(1), bit_width);
    FLOE_RETURN_IF_ERROR(dec.Get(indices_.data(), n).WithContext("dictionary indices"));
    const size_t dict_size = dict_.count;
    if (physical_ == Type::kByteArray) {
      for (size_t i = 0; i < n; ++i) {
        const uint32_t k = indices_[i];
        if (k >= dict_size)
          return Status::Corruption(fmt::format("dictionary index {} of a {}-value dictionary", k, dict_size));
        out->bytes.append(dict_.bytes, static_cast<size_t>(dict_.offsets[k]),
                          static_cast<size_t>(dict_.offsets[k + 1] - dict_.offsets[k]));
        out->offsets.push_back(static_cast<int64_t>(out->bytes.size()));
      }
    } else {
      const size_t width = static_cast<size_t>(StoredWidth(physical_, type_length_));
      const size_t at = out->fixed.size();
      out->fixed.resize(at + n * width);
      uint8_t* dst = out->fixed.data() + at;
      const uint8_t* src = dict_.fixed.data();
      for (size_t i = 0; i < n; ++i) {
        const uint32_t k = indices_[i];
        if (k >= dict_size)
          return Status::Corruption(fmt::format("dictionary index {} of a {}-value dictionary", k, dict_size));
        std::memcpy(dst + i * width, src + k * width, width);
      }
    }
    out->count += n;
    return Status::Ok();
  }

  const ColumnMetaData& md_;
  Type physical_;
  int32_t type_length_;
  bool nullable_;
  std::string scratch_;
  PhysicalValues dict_;
  bool has_dict_ = false;
  std::vector<uint32_t> indices_;
};

// Big-endian two's complement (a decimal stored in bytes) to int64.
int64_t BigEndianToInt64(std::string_view b) {
  uint64_t v = (!b.empty() && (static_cast<uint8_t>(b[0]) & 0x80)) ? ~uint64_t{0} : 0;
  for (char c : b) v = (v << 8) | static_cast<uint8_t>(c);
  return static_cast<int64_t>(v);
}

}  // namespace

Result<ParquetReader> ParquetReader::Open(std::string_view file, std::string name) {
  auto fail = [&](std::string why) { return Status::Corruption(fmt::format("{}: {}", name, why)); };
  if (file.size() < 12 || file.substr(0, 4) != "PAR1" || file.substr(file.size() - 4) != "PAR1") {
    return fail(fmt::format("not a Parquet file (no PAR1 magic at both ends of its {} bytes)", file.size()));
  }
  const int64_t footer_len = LoadLe32(file.data() + file.size() - 8);
  if (footer_len <= 0 || footer_len > kMaxFooterBytes || footer_len > static_cast<int64_t>(file.size()) - 12) {
    return fail(fmt::format("footer length {} does not fit the file's {} bytes", footer_len, file.size()));
  }
  ParquetReader r;
  r.file_ = file;
  r.name_ = std::move(name);
  auto md = ParseFileMetaData(
      file.substr(file.size() - 8 - static_cast<size_t>(footer_len), static_cast<size_t>(footer_len)));
  if (!md.ok()) return md.status().WithContext(r.name_ + ": footer");
  r.metadata_ = std::move(*md);
  const auto& schema = r.metadata_.schema;
  if (schema.empty()) return Status::Corruption(r.name_ + ": footer: empty schema");
  const int32_t children = schema[0].num_children.value_or(0);
  if (children < 0 || static_cast<size_t>(children) != schema.size() - 1) {
    for (size_t i = 1; i < schema.size(); ++i) {
      if (schema[i].num_children.value_or(0) > 0) {
        return Status::Unsupported(
            fmt::format("{}: column {} is nested (a group); floe reads flat schemas", r.name_, schema[i].name));
      }
    }
    return Status::Corruption(fmt::format("{}: footer: the root has {} children but {} schema elements follow", r.name_,
                                          children, schema.size() - 1));
  }
  for (size_t i = 1; i < schema.size(); ++i) {
    const SchemaElement& e = schema[i];
    if (e.num_children.value_or(0) > 0 || (e.repetition_type && *e.repetition_type == FieldRepetitionType::kRepeated)) {
      return Status::Unsupported(
          fmt::format("{}: column {} is nested or repeated; floe reads flat schemas", r.name_, e.name));
    }
    formats::Field field;
    ColumnInfo info;
    FLOE_RETURN_IF_ERROR(MapColumn(e, &field, &info.time_divisor, &info.int96).WithContext(r.name_));
    info.physical = *e.type;
    info.type_length = e.type_length.value_or(0);
    if (info.physical == Type::kFixedLenByteArray && info.type_length <= 0) {
      return Status::Corruption(
          fmt::format("{}: column {}: FIXED_LEN_BYTE_ARRAY of length {}", r.name_, e.name, info.type_length));
    }
    r.schema_.fields.push_back(std::move(field));
    r.columns_.push_back(info);
  }
  for (size_t g = 0; g < r.metadata_.row_groups.size(); ++g) {
    const RowGroup& rg = r.metadata_.row_groups[g];
    if (rg.columns.size() != r.columns_.size()) {
      return Status::Corruption(fmt::format("{}: row group {} has {} column chunks for {} columns", r.name_, g,
                                            rg.columns.size(), r.columns_.size()));
    }
    if (rg.num_rows < 0) return Status::Corruption(fmt::format("{}: row group {} of {} rows", r.name_, g, rg.num_rows));
    for (const ColumnChunk& cc : rg.columns) {
      if (!cc.meta_data) {
        return Status::Unsupported(fmt::format("{}: row group {}: column chunk in another file", r.name_, g));
      }
    }
  }
  return r;
}

ParquetReader::ChunkStats ParquetReader::Stats(int row_group, int column) const {
  ChunkStats out;
  const ColumnMetaData& md = *metadata_.row_groups[row_group].columns[column].meta_data;
  if (!md.statistics) return out;
  const Statistics& s = *md.statistics;
  out.null_count = s.null_count;
  const bool typed_order = metadata_.column_orders.size() == columns_.size() &&
                           metadata_.column_orders[static_cast<size_t>(column)].type_defined;
  if (s.min_value && s.max_value && typed_order) {
    out.min = s.min_value;
    out.max = s.max_value;
  } else if (s.min && s.max && !formats::IsVariableWidth(schema_.fields[column].type.id) &&
             schema_.fields[column].type.id != ColumnType::kDecimal) {
    out.min = s.min;
    out.max = s.max;
  }
  return out;
}

Result<ColumnVector> ParquetReader::ReadColumnChunk(int row_group, int column) const {
  const formats::Field& field = schema_.fields[column];
  const ColumnInfo& info = columns_[column];
  const ColumnChunk& cc = metadata_.row_groups[row_group].columns[column];
  const ColumnMetaData& md = *cc.meta_data;
  if (md.type != info.physical) {
    return Status::Corruption(fmt::format("{}: row group {}, column {}: chunk type {} differs from the schema's {}",
                                          name_, row_group, field.name, TypeName(md.type), TypeName(info.physical)));
  }
  std::vector<uint8_t> validity;
  PhysicalValues values;
  validity.reserve(static_cast<size_t>(std::max<int64_t>(md.num_values, 0)));
  if (const int w = StoredWidth(info.physical, info.type_length); w > 0) {
    values.fixed.reserve(static_cast<size_t>(std::max<int64_t>(md.num_values, 0)) * static_cast<size_t>(w));
  }
  ChunkDecoder decoder(md, info.physical, info.type_length, field.nullable);
  Status s = decoder.Decode(file_, &validity, &values);
  if (!s.ok()) return s.WithContext(fmt::format("{}: row group {}, column {}", name_, row_group, field.name));

  const size_t rows = validity.size();
  if (values.count > rows) {
    return Status::Corruption(fmt::format("{}: row group {}, column {}: {} values stored for {} rows", name_, row_group,
                                          field.name, values.count, rows));
  }
  if (static_cast<int64_t>(rows) != metadata_.row_groups[row_group].num_rows) {
    return Status::Corruption(fmt::format("{}: row group {}, column {}: {} rows, the row group says {}", name_,
                                          row_group, field.name, rows, metadata_.row_groups[row_group].num_rows));
  }
  size_t valid_rows = 0;
  for (uint8_t v : validity) valid_rows += v;
  if (valid_rows != values.count) {
    return Status::Corruption(fmt::format("{}: row group {}, column {}: {} values stored for {} non-null rows", name_,
                                          row_group, field.name, values.count, valid_rows));
  }
  ColumnVector out(field.type);
  const bool no_nulls = values.count == rows;
  // Bulk paths: values stored as the column holds them move over whole (nulls get a zero slot or an empty string).
  if (info.physical == Type::kByteArray && formats::IsVariableWidth(field.type.id)) {
    if (!no_nulls) {
      std::vector<int64_t> offsets(rows + 1, 0);
      size_t k = 0;
      for (size_t r = 0; r < rows; ++r) {
        if (validity[r]) ++k;
        offsets[r + 1] = values.offsets[k];
      }
      values.offsets = std::move(offsets);
    }
    out.Assign(rows, std::move(validity), {}, std::move(values.offsets), std::move(values.bytes));
    return out;
  }
  const int logical_width = formats::FixedWidth(field.type.id);
  const int stored = StoredWidth(info.physical, info.type_length);
  if (logical_width == stored && !info.int96 && info.time_divisor == 1 && !formats::IsVariableWidth(field.type.id) &&
      !(field.type.id == ColumnType::kDecimal && info.physical != Type::kInt64) &&
      !(field.type.id == ColumnType::kInt64 && info.physical != Type::kInt64)) {
    if (!no_nulls) {
      const size_t width = static_cast<size_t>(stored);
      std::vector<uint8_t> fixed(rows * width, 0);
      size_t k = 0;
      for (size_t r = 0; r < rows; ++r) {
        if (!validity[r]) continue;
        std::memcpy(fixed.data() + r * width, values.fixed.data() + k * width, width);
        ++k;
      }
      values.fixed = std::move(fixed);
    }
    out.Assign(rows, std::move(validity), std::move(values.fixed), {}, {});
    return out;
  }
  out.Reserve(rows, values.bytes.size());
  size_t k = 0;  // next stored value
  const int stored_width = StoredWidth(info.physical, info.type_length);
  for (size_t r = 0; r < rows; ++r) {
    if (!validity[r]) {
      out.AppendNull();
      continue;
    }
    const uint8_t* p = values.fixed.data() + k * static_cast<size_t>(stored_width);
    switch (field.type.id) {
      case ColumnType::kString:
      case ColumnType::kBinary:
        if (info.physical == Type::kByteArray) {
          out.AppendString(std::string_view(values.bytes)
                               .substr(static_cast<size_t>(values.offsets[k]),
                                       static_cast<size_t>(values.offsets[k + 1] - values.offsets[k])));
        } else {
          out.AppendString(std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(stored_width)));
        }
        break;
      case ColumnType::kDecimal: {
        int64_t v = 0;
        if (info.physical == Type::kInt32) {
          int32_t x;
          std::memcpy(&x, p, 4);
          v = x;
        } else if (info.physical == Type::kInt64) {
          std::memcpy(&v, p, 8);
        } else if (info.physical == Type::kByteArray) {
          std::string_view b = std::string_view(values.bytes)
                                   .substr(static_cast<size_t>(values.offsets[k]),
                                           static_cast<size_t>(values.offsets[k + 1] - values.offsets[k]));
          if (b.size() > 8)
            return Status::Corruption(fmt::format("{}: column {}: decimal of {} bytes", name_, field.name, b.size()));
          v = BigEndianToInt64(b);
        } else {
          if (stored_width > 8) {
            // Wider fixed decimals are sign extension plus at most 8 significant bytes for precision <= 18.
            v = BigEndianToInt64(std::string_view(reinterpret_cast<const char*>(p) + stored_width - 8, 8));
          } else {
            v = BigEndianToInt64(std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(stored_width)));
          }
        }
        out.Append<int64_t>(v);
        break;
      }
      case ColumnType::kTimestamp:
      case ColumnType::kTimestampTz: {
        int64_t v = 0;
        if (info.int96) {
          // INT96: nanoseconds of the day (8 bytes LE), then the Julian day (4 bytes LE).
          int64_t nanos;
          int32_t julian;
          std::memcpy(&nanos, p, 8);
          std::memcpy(&julian, p + 8, 4);
          v = (static_cast<int64_t>(julian) - 2440588) * 86400000000LL + nanos / 1000;
        } else {
          std::memcpy(&v, p, 8);
          if (info.time_divisor > 1) v /= info.time_divisor;
          if (info.time_divisor < 0) v *= -info.time_divisor;
        }
        out.Append<int64_t>(v);
        break;
      }
      case ColumnType::kInt64:
        if (info.physical == Type::kInt32) {
          uint32_t x;
          std::memcpy(&x, p, 4);
          out.Append<int64_t>(static_cast<int64_t>(x));
        } else {
          int64_t x;
          std::memcpy(&x, p, 8);
          out.Append<int64_t>(x);
        }
        break;
      default: {
        // Same width as stored: boolean, int32, date, float, double.
        out.AppendFixed(p, 1);
        break;
      }
    }
    ++k;
  }
  if (k != values.count) {
    return Status::Corruption(fmt::format("{}: row group {}, column {}: {} values stored for {} non-null rows", name_,
                                          row_group, field.name, values.count, k));
  }
  return out;
}

Result<std::vector<ColumnVector>> ParquetReader::ReadRowGroup(int row_group, const std::vector<int>& columns) const {
  if (row_group < 0 || row_group >= num_row_groups()) {
    return Status::InvalidArgument(
        fmt::format("{}: no row group {} (the file has {})", name_, row_group, num_row_groups()));
  }
  std::vector<int> wanted = columns;
  if (wanted.empty()) {
    for (size_t c = 0; c < columns_.size(); ++c) wanted.push_back(static_cast<int>(c));
  }
  std::vector<ColumnVector> out;
  out.reserve(wanted.size());
  for (int c : wanted) {
    if (c < 0 || c >= static_cast<int>(columns_.size())) {
      return Status::InvalidArgument(fmt::format("{}: no column {} (the file has {})", name_, c, columns_.size()));
    }
    FLOE_ASSIGN_OR_RETURN(ColumnVector v, ReadColumnChunk(row_group, c));
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace floe::parquet
