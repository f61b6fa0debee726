#include "floe/formats/parquet/parquet_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <optional>
#include <system_error>
#include <thread>

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
// Rows a chunk's buffers get room for before its first page (the row group's row count, up to this); beyond it
// they grow page by page, so that a footer's row count alone never allocates much.
constexpr size_t kReserveRows = size_t{1} << 24;
// The most bytes one page's dictionary-encoded values may decode to: a dictionary may repeat a long value many
// times, but not into gigabytes from a few bytes of indices (DELTA_BYTE_ARRAY pages have the same bound).
constexpr size_t kMaxPageOutputBytes = size_t{1} << 30;
// Bytes of strings a chunk's buffer gets room for at most, estimated from its first page.
constexpr size_t kReserveStringBytes = size_t{1} << 28;
// Longest dotted path kept for a column in a group (a schema tree may be deep; the name is only for messages).
constexpr size_t kMaxPathBytes = 1024;

uint32_t LoadLe32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// The floe type of a flat Parquet column, and how its stored values convert.
Status MapColumn(const SchemaElement& e, const std::string& name, formats::Field* field, int64_t* time_divisor,
                 bool* int96) {
  field->name = name;
  field->nullable = !e.repetition_type || *e.repetition_type != FieldRepetitionType::kRequired;
  field->field_id = e.field_id ? *e.field_id : -1;
  if (!e.type) return Status::Unsupported(fmt::format("column {} has no physical type", name));
  const auto logical = e.logical_type ? e.logical_type->kind : LogicalType::Kind::kNone;
  const auto converted = e.converted_type;
  auto decimal = [&]() -> Status {
    const int32_t precision = e.logical_type && logical == LogicalType::Kind::kDecimal
                                  ? e.logical_type->decimal_precision
                                  : e.precision.value_or(0);
    const int32_t scale =
        e.logical_type && logical == LogicalType::Kind::kDecimal ? e.logical_type->decimal_scale : e.scale.value_or(0);
    if (precision < 1 || precision > 18) {
      return Status::Unsupported(fmt::format("column {}: decimal precision {} (floe reads up to 18)", name, precision));
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
  return Status::Unsupported(fmt::format("column {}: unknown physical type {}", name, static_cast<int>(*e.type)));
}

// Values as stored (physical type), back to back: a dictionary page, or a page in an encoding decoded aside.
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

// A column chunk's values. Fixed-width values of every type but INT96 and FIXED_LEN_BYTE_ARRAY are at their row
// positions, zero where null, as the column will hold them; INT96 and FIXED_LEN_BYTE_ARRAY values are stored
// back to back for the non-null rows only (`values` of them), as their conversion reads them anyway and a null
// should not cost type_length bytes; byte arrays are rows + 1 offsets into `bytes` (a null is empty). `validity`
// stays empty until the first null row.
struct ChunkValues {
  size_t rows = 0;
  size_t values = 0;  // INT96 and FIXED_LEN_BYTE_ARRAY: values in `fixed`
  std::vector<uint8_t> validity;
  formats::FixedBytes fixed;  // grows without zeroing: every byte is written (null rows by the expansion)
  std::vector<int64_t> offsets{0};
  std::string bytes;
};

// Bytes of slack behind a dictionary's strings and a page's output, so that short strings are copied as one
// 16-byte move whatever their length.
constexpr size_t kCopySlack = 16;
// Dictionary indices decoded at once before their values are gathered (4 KiB: they stay in L1).
constexpr size_t kIndexBatch = 1024;

class ChunkDecoder {
 public:
  ChunkDecoder(const ColumnMetaData& md, Type physical, int32_t type_length, bool nullable, size_t max_rows)
      : md_(md),
        physical_(physical),
        type_length_(type_length),
        width_(static_cast<size_t>(StoredWidth(physical, type_length))),
        nullable_(nullable),
        max_rows_(max_rows) {}

  // Reads pages until num_values levels are known, into *out.
  Status Decode(std::string_view file, ChunkValues* out) {
    out_ = out;
    const size_t reserve = std::min(max_rows_, kReserveRows);
    if (Positional()) {
      out->fixed.reserve(reserve * width_);
    } else if (width_ == 0) {
      out->offsets.reserve(reserve + 1);
    }
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
    while (static_cast<int64_t>(out->rows) < md_.num_values) {
      if (pos >= chunk.size()) {
        return Status::Corruption(fmt::format("column chunk ended after {} of {} values", out->rows, md_.num_values));
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
        case PageType::kDataPage: s = ReadDataPageV1(h, body); break;
        case PageType::kDataPageV2: s = ReadDataPageV2(h, body); break;
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
    dict_max_len_ = 0;
    for (size_t k = 0; k + 1 < dict_.offsets.size(); ++k) {
      dict_max_len_ = std::max(dict_max_len_, static_cast<size_t>(dict_.offsets[k + 1] - dict_.offsets[k]));
    }
    dict_.bytes.append(kCopySlack, '\0');  // past the last value's end, for the gather's 16-byte moves
    has_dict_ = true;
    return Status::Ok();
  }

  // Whether fixed-width values go to their row positions (see ChunkValues): BOOLEAN, INT32, INT64, FLOAT, DOUBLE.
  bool Positional() const { return width_ > 0 && physical_ != Type::kInt96 && physical_ != Type::kFixedLenByteArray; }

  // A page of `n` rows begins after the rows decoded so far.
  Status BeginPage(size_t n) {
    if (n > max_rows_ - out_->rows) {
      return Status::Corruption(fmt::format("pages hold more than the row group's {} rows", max_rows_));
    }
    page_rows_ = n;
    return Status::Ok();
  }

  // Where the page's `count` fixed-width values go, back to back (at the front of its rows when positional). A
  // decoder asks only once it has checked that its data holds them, so that a corrupt count never allocates.
  uint8_t* Dest(size_t count) {
    formats::FixedBytes& fixed = out_->fixed;
    if (Positional()) {
      const size_t need = (out_->rows + page_rows_) * width_;
      if (fixed.size() < need) fixed.resize(need);
      return fixed.data() + out_->rows * width_;
    }
    const size_t need = (out_->values + count) * width_;
    if (fixed.size() < need) fixed.resize(need);
    return fixed.data() + out_->values * width_;
  }

  // The page's `present` values, decoded to the front of its rows, move to their rows; then the page is done.
  void EndPage(size_t n, size_t present) {
    if (Positional()) {
      Dest(0);  // a page of nulls only has written nothing
      if (present < n) ExpandFixed(n, present);
    } else if (width_ == 0) {
      if (present < n) ExpandOffsets(n, present);
      if (out_->rows == 0 && n > 0 && n < max_rows_) {
        // After the first page, room for the chunk's strings at its bytes per row (up to kReserveStringBytes),
        // so that the buffer is not copied as it grows.
        const double per_row = static_cast<double>(out_->bytes.size()) / static_cast<double>(n);
        const double want = per_row * static_cast<double>(max_rows_) * 1.05;
        if (want <= static_cast<double>(kReserveStringBytes)) out_->bytes.reserve(static_cast<size_t>(want));
      }
    } else {
      out_->values += present;
    }
    out_->rows += n;
  }

  Status ReadDataPageV1(const PageHeader& h, std::string_view body) {
    if (!h.data_page_header) return Status::Corruption("data page without its header");
    const DataPageHeader& dp = *h.data_page_header;
    if (dp.num_values < 0) return Status::Corruption(fmt::format("data page of {} values", dp.num_values));
    const size_t n = static_cast<size_t>(dp.num_values);
    FLOE_RETURN_IF_ERROR(BeginPage(n));
    const size_t size = static_cast<size_t>(h.uncompressed_page_size);
    if (!nullable_ && dp.encoding == Encoding::kPlain && width_ > 0 && physical_ != Type::kBoolean &&
        size == n * width_) {
      // A required column's PLAIN page is nothing but its values: decompressed straight into the column.
      FLOE_RETURN_IF_ERROR(DecompressPage(md_.codec, body, reinterpret_cast<char*>(Dest(n)), size));
      EndPage(n, n);
      return Status::Ok();
    }
    std::string_view data;
    FLOE_RETURN_IF_ERROR(Decompress(body, size, &data));
    size_t present = n;
    if (nullable_) {
      if (dp.definition_level_encoding != Encoding::kRle) {
        return Status::Unsupported(fmt::format("definition levels in {}", EncodingName(dp.definition_level_encoding)));
      }
      size_t consumed = 0;
      FLOE_ASSIGN_OR_RETURN(std::string_view levels, SplitLengthPrefixed(data, &consumed));
      FLOE_RETURN_IF_ERROR(ReadLevels(levels, n, &present));
      data.remove_prefix(consumed);
    }
    FLOE_RETURN_IF_ERROR(ReadValues(dp.encoding, data, present));
    EndPage(n, present);
    return Status::Ok();
  }

  Status ReadDataPageV2(const PageHeader& h, std::string_view body) {
    if (!h.data_page_header_v2) return Status::Corruption("data page v2 without its header");
    const DataPageHeaderV2& dp = *h.data_page_header_v2;
    if (dp.num_values < 0 || dp.definition_levels_byte_length < 0 || dp.repetition_levels_byte_length < 0 ||
        static_cast<int64_t>(dp.definition_levels_byte_length) + dp.repetition_levels_byte_length >
            static_cast<int64_t>(body.size())) {
      return Status::Corruption("data page v2: level lengths do not fit the page");
    }
    if (dp.repetition_levels_byte_length != 0) return Status::Unsupported("repeated (nested) column");
    const size_t n = static_cast<size_t>(dp.num_values);
    FLOE_RETURN_IF_ERROR(BeginPage(n));
    std::string_view levels = body.substr(0, static_cast<size_t>(dp.definition_levels_byte_length));
    std::string_view rest = body.substr(static_cast<size_t>(dp.definition_levels_byte_length));
    size_t present = n;
    if (nullable_) FLOE_RETURN_IF_ERROR(ReadLevels(levels, n, &present));
    std::string_view data = rest;
    const int64_t values_size = static_cast<int64_t>(h.uncompressed_page_size) - dp.definition_levels_byte_length;
    if (dp.is_compressed.value_or(true) && md_.codec != CompressionCodec::kUncompressed) {
      if (values_size < 0) return Status::Corruption("data page v2: uncompressed size smaller than its levels");
      if (dp.encoding == Encoding::kPlain && width_ > 0 && physical_ != Type::kBoolean &&
          static_cast<size_t>(values_size) == present * width_) {
        // The values section is nothing but the values: decompressed straight into the column.
        FLOE_RETURN_IF_ERROR(
            DecompressPage(md_.codec, rest, reinterpret_cast<char*>(Dest(present)), static_cast<size_t>(values_size)));
        EndPage(n, present);
        return Status::Ok();
      }
      FLOE_RETURN_IF_ERROR(Decompress(rest, static_cast<size_t>(values_size), &data));
    }
    FLOE_RETURN_IF_ERROR(ReadValues(dp.encoding, data, present));
    EndPage(n, present);
    return Status::Ok();
  }

  // Definition levels of the page's `n` rows: *present is how many are 1 (a value). A page whose levels are one
  // run of 1s (most pages of most columns) leaves validity alone; otherwise it is filled for the page's rows.
  Status ReadLevels(std::string_view levels, size_t n, size_t* present) {
    if (n == 0) {
      *present = 0;
      return Status::Ok();
    }
    RleBitPackedDecoder dec(levels, 1);
    uint32_t value = 0;
    if (dec.PeekRepeatedRun(&value) >= n && value == 1) {
      *present = n;
      if (!out_->validity.empty()) out_->validity.resize(out_->rows + n, 1);
      return Status::Ok();
    }
    std::vector<uint8_t>& validity = out_->validity;
    if (validity.empty()) validity.assign(out_->rows, 1);
    validity.resize(out_->rows + n);
    uint8_t* v = validity.data() + out_->rows;
    FLOE_RETURN_IF_ERROR(dec.Get(v, n).WithContext("definition levels"));
    size_t count = 0;
    uint8_t above = 0;
    for (size_t i = 0; i < n; ++i) {
      count += v[i];
      above |= v[i] & 0xfe;
    }
    if (above != 0) return Status::Corruption("definition level above 1 in a flat column");
    *present = count;
    return Status::Ok();
  }

  // Decodes `n` values to the front of the current page's rows (compact; EndPage spreads them over the rows).
  Status ReadValues(Encoding encoding, std::string_view data, size_t n) {
    switch (encoding) {
      case Encoding::kPlain: return ReadPlain(data, n);
      case Encoding::kPlainDictionary:
      case Encoding::kRleDictionary: return ReadDictionaryIndices(data, n);
      case Encoding::kRle: {
        if (physical_ != Type::kBoolean) break;
        size_t consumed = 0;
        FLOE_ASSIGN_OR_RETURN(std::string_view runs, SplitLengthPrefixed(data, &consumed));
        RleBitPackedDecoder dec(runs, 1);
        return dec.Get(Dest(n), n);
      }
      case Encoding::kDeltaBinaryPacked: {
        size_t consumed = 0;
        if (physical_ == Type::kInt32) {
          std::vector<int32_t> v;
          FLOE_RETURN_IF_ERROR(DecodeDeltaBinaryPacked(data, n, &v, &consumed));
          if (v.size() != n) return Status::Corruption(fmt::format("{} delta values, {} expected", v.size(), n));
          if (n > 0) std::memcpy(Dest(n), v.data(), n * 4);
          return Status::Ok();
        }
        if (physical_ == Type::kInt64) {
          std::vector<int64_t> v;
          FLOE_RETURN_IF_ERROR(DecodeDeltaBinaryPacked(data, n, &v, &consumed));
          if (v.size() != n) return Status::Corruption(fmt::format("{} delta values, {} expected", v.size(), n));
          if (n > 0) std::memcpy(Dest(n), v.data(), n * 8);
          return Status::Ok();
        }
        break;
      }
      case Encoding::kDeltaLengthByteArray:
      case Encoding::kDeltaByteArray: {
        if (physical_ != Type::kByteArray) break;
        size_t consumed = 0;
        const size_t before = out_->offsets.size();
        FLOE_RETURN_IF_ERROR(encoding == Encoding::kDeltaByteArray
                                 ? DecodeDeltaByteArray(data, n, &out_->offsets, &out_->bytes, &consumed)
                                 : DecodeDeltaLengthByteArray(data, n, &out_->offsets, &out_->bytes, &consumed));
        if (out_->offsets.size() - before != n) {
          return Status::Corruption(fmt::format("{} byte arrays, {} expected", out_->offsets.size() - before, n));
        }
        return Status::Ok();
      }
      case Encoding::kByteStreamSplit: {
        if (width_ == 0 || physical_ == Type::kBoolean || physical_ == Type::kInt96) break;
        if (data.size() != n * width_) {
          return Status::Corruption(fmt::format("BYTE_STREAM_SPLIT: {} bytes for {} values", data.size(), n));
        }
        size_t got = 0;
        return DecodeByteStreamSplit(data, width_, Dest(n), &got);
      }
      default: break;
    }
    return Status::Unsupported(fmt::format("{} values of type {}", EncodingName(encoding), TypeName(physical_)));
  }

  Status ReadPlain(std::string_view data, size_t n) {
    if (physical_ == Type::kBoolean) {
      if (data.size() * 8 < n) {
        return Status::Corruption(fmt::format("PLAIN booleans: {} values in {} bytes", n, data.size()));
      }
      uint8_t* dst = Dest(n);
      for (size_t i = 0; i < n; ++i) dst[i] = (static_cast<uint8_t>(data[i / 8]) >> (i % 8)) & 1;
      return Status::Ok();
    }
    if (physical_ == Type::kByteArray) {
      // Lengths first (checking each against the page), then the bytes in one piece each.
      std::vector<int64_t>& offsets = out_->offsets;
      const size_t first = offsets.size();
      offsets.resize(first + n);
      const int64_t base = static_cast<int64_t>(out_->bytes.size());
      size_t pos = 0;
      int64_t total = 0;
      for (size_t i = 0; i < n; ++i) {
        if (data.size() - pos < 4) {
          offsets.resize(first);
          return Status::Corruption(fmt::format("PLAIN byte array {} of {}: truncated length", i, n));
        }
        const uint32_t len = LoadLe32(data.data() + pos);
        pos += 4;
        if (len > data.size() - pos) {
          offsets.resize(first);
          return Status::Corruption(fmt::format("PLAIN byte array {} of {}: length {} past the page end", i, n, len));
        }
        pos += len;
        total += len;
        offsets[first + i] = base + total;
      }
      out_->bytes.resize(static_cast<size_t>(base + total));
      char* dst = out_->bytes.data() + base;
      pos = 0;
      for (size_t i = 0; i < n; ++i) {
        const uint32_t len = LoadLe32(data.data() + pos);
        std::memcpy(dst, data.data() + pos + 4, len);
        dst += len;
        pos += 4 + len;
      }
      return Status::Ok();
    }
    if (data.size() / width_ < n) {
      return Status::Corruption(fmt::format("PLAIN {}: {} values need {} bytes, the page has {}", TypeName(physical_),
                                            n, n * width_, data.size()));
    }
    if (n > 0) std::memcpy(Dest(n), data.data(), n * width_);
    return Status::Ok();
  }

  Status ReadDictionaryIndices(std::string_view data, size_t n) {
    if (!has_dict_) return Status::Corruption("dictionary-encoded page before any dictionary page");
    if (n == 0) return Status::Ok();
    if (data.empty()) return Status::Corruption("dictionary indices: empty page");
    const int bit_width = static_cast<uint8_t>(data[0]);
    if (bit_width > 32) return Status::Corruption(fmt::format("dictionary indices of bit width {}", bit_width));
    const size_t dict_size = dict_.count;
    if (dict_size == 0) return Status::Corruption(fmt::format("dictionary index 0 of a 0-value dictionary"));
    const uint32_t limit = static_cast<uint32_t>(std::min<size_t>(dict_size, UINT32_MAX));
    RleBitPackedDecoder dec(data.substr(1), bit_width);
    if (!Positional() && physical_ != Type::kByteArray) {
      // INT96 and FIXED_LEN_BYTE_ARRAY values are wide: all indices are read and checked before room is made.
      std::vector<uint32_t> all(n);
      FLOE_RETURN_IF_ERROR(dec.Get(all.data(), n).WithContext("dictionary indices"));
      for (uint32_t k : all) {
        if (k >= dict_size)
          return Status::Corruption(fmt::format("dictionary index {} of a {}-value dictionary", k, dict_size));
      }
      if (n > kMaxPageOutputBytes / width_) {
        return Status::Corruption(
            fmt::format("{} dictionary values of {} bytes: more than a page may decode to", n, width_));
      }
      uint8_t* dst = Dest(n);
      for (size_t i = 0; i < n; ++i) std::memcpy(dst + i * width_, dict_.fixed.data() + all[i] * width_, width_);
      return Status::Ok();
    }
    uint8_t* const dest = physical_ == Type::kByteArray ? nullptr : Dest(n);
    size_t page_bytes = 0;  // strings gathered so far
    // Indices a batch at a time (the batch stays in L1), each gathered from the dictionary straight to its row.
    uint32_t idx[kIndexBatch];
    for (size_t done = 0; done < n; done += kIndexBatch) {
      const size_t m = std::min(kIndexBatch, n - done);
      FLOE_RETURN_IF_ERROR(dec.Get(idx, m).WithContext("dictionary indices"));
      // Every index is checked before any is used, in one loop the compiler vectorizes (32-bit compares, no branch
      // per index).
      uint32_t bad = 0;
      for (size_t i = 0; i < m; ++i) bad |= static_cast<uint32_t>(idx[i] >= limit);
      if (bad != 0) {
        std::vector<uint32_t> again(done + m);
        RleBitPackedDecoder redo(data.substr(1), bit_width);
        (void)redo.Get(again.data(), again.size());
        size_t i = done;
        while (again[i] < dict_size) ++i;
        return Status::Corruption(fmt::format("dictionary index {} of a {}-value dictionary", again[i], dict_size));
      }
      if (physical_ == Type::kByteArray) {
        FLOE_RETURN_IF_ERROR(GatherStrings(idx, m, &page_bytes));
        continue;
      }
      uint8_t* dst = dest + done * width_;
      const uint8_t* src = dict_.fixed.data();
      switch (width_) {
        case 1: Gather<1>(idx, m, src, dst); break;
        case 4: Gather<4>(idx, m, src, dst); break;
        default: Gather<8>(idx, m, src, dst); break;
      }
    }
    return Status::Ok();
  }

  template <size_t kWidth>
  static void Gather(const uint32_t* idx, size_t n, const uint8_t* src, uint8_t* dst) {
    for (size_t i = 0; i < n; ++i) std::memcpy(dst + i * kWidth, src + size_t{idx[i]} * kWidth, kWidth);
  }

  // Appends the dictionary strings idx[0, n) to the column's bytes and their end offsets to its offsets; adds their
  // bytes to *page_bytes, which may not pass kMaxPageOutputBytes.
  Status GatherStrings(const uint32_t* idx, size_t n, size_t* page_bytes) {
    const int64_t* doff = dict_.offsets.data();
    const char* dbytes = dict_.bytes.data();
    std::string& bytes = out_->bytes;
    std::vector<int64_t>& offsets = out_->offsets;
    const size_t first = offsets.size();
    offsets.resize(first + n);
    int64_t* off = offsets.data() + first;
    const size_t at = bytes.size();
    if (dict_max_len_ <= kCopySlack) {
      // Every value fits one 16-byte move: the dictionary has 16 bytes of slack after its last value and the output
      // room for n of its longest values plus 16, so a move may run past its value into bytes that the next value
      // overwrites or the final resize drops.
      Grow(&bytes, at + n * dict_max_len_ + kCopySlack);
      char* base = bytes.data();
      size_t pos = at;
      for (size_t i = 0; i < n; ++i) {
        const uint32_t k = idx[i];
        std::memcpy(base + pos, dbytes + doff[k], kCopySlack);
        pos += static_cast<size_t>(doff[k + 1] - doff[k]);
        off[i] = static_cast<int64_t>(pos);
      }
      bytes.resize(pos);
      *page_bytes += pos - at;
      return Status::Ok();
    }
    size_t total = 0;
    for (size_t i = 0; i < n; ++i) total += static_cast<size_t>(doff[idx[i] + 1] - doff[idx[i]]);
    *page_bytes += total;
    if (*page_bytes > kMaxPageOutputBytes) {
      offsets.resize(first);
      return Status::Corruption(
          fmt::format("dictionary strings of more than {} bytes in one page", kMaxPageOutputBytes));
    }
    Grow(&bytes, at + total);
    char* base = bytes.data();
    size_t pos = at;
    for (size_t i = 0; i < n; ++i) {
      const uint32_t k = idx[i];
      const size_t len = static_cast<size_t>(doff[k + 1] - doff[k]);
      std::memcpy(base + pos, dbytes + doff[k], len);
      pos += len;
      off[i] = static_cast<int64_t>(pos);
    }
    return Status::Ok();
  }

  // Resizes `s` to `size`, at least doubling its capacity when it must grow (batches add a little at a time).
  static void Grow(std::string* s, size_t size) {
    if (s->capacity() < size) s->reserve(std::max(2 * s->capacity(), size));
    s->resize(size);
  }

  // Moves the page's `present` values from the front of its `n` rows to the rows validity marks (from the last
  // row back, so that no value is overwritten before it has moved), zeroing the null rows.
  void ExpandFixed(size_t n, size_t present) {
    const uint8_t* valid = out_->validity.data() + out_->rows;
    uint8_t* base = out_->fixed.data() + out_->rows * width_;
    size_t k = present;
    for (size_t r = n; r-- > 0;) {
      if (valid[r] != 0) {
        --k;
        if (k != r) std::memcpy(base + r * width_, base + k * width_, width_);
      } else {
        std::memset(base + r * width_, 0, width_);
      }
    }
  }

  // The same for byte arrays: the page's offsets become one per row, a null row ending where the row before it did.
  void ExpandOffsets(size_t n, size_t present) {
    const uint8_t* valid = out_->validity.data() + out_->rows;
    std::vector<int64_t>& offsets = out_->offsets;
    offsets.resize(out_->rows + 1 + n);
    const int64_t start = offsets[out_->rows];
    int64_t* end = offsets.data() + out_->rows + 1;  // end[r]: where row r of the page ends
    size_t k = present;                              // values in rows [0, r]
    for (size_t r = n; r-- > 0;) {
      end[r] = k > 0 ? end[k - 1] : start;
      if (valid[r] != 0) --k;
    }
  }

  const ColumnMetaData& md_;
  Type physical_;
  int32_t type_length_;
  size_t width_;  // stored bytes per value; 0 for BYTE_ARRAY
  bool nullable_;
  size_t max_rows_;
  size_t page_rows_ = 0;
  ChunkValues* out_ = nullptr;
  std::string scratch_;
  PhysicalValues dict_;
  size_t dict_max_len_ = 0;
  bool has_dict_ = false;
};

// Big-endian two's complement (a decimal stored in bytes) to int64.
int64_t BigEndianToInt64(std::string_view b) {
  uint64_t v = (!b.empty() && (static_cast<uint8_t>(b[0]) & 0x80)) ? ~uint64_t{0} : 0;
  for (char c : b) v = (v << 8) | static_cast<uint8_t>(c);
  return static_cast<int64_t>(v);
}

template <typename T>
formats::FixedBytes WidenToInt64(const formats::FixedBytes& fixed, size_t rows) {
  formats::FixedBytes out(rows * 8);
  for (size_t r = 0; r < rows; ++r) {
    T x;
    std::memcpy(&x, fixed.data() + r * sizeof(T), sizeof(T));
    const int64_t v = static_cast<int64_t>(x);
    std::memcpy(out.data() + r * 8, &v, 8);
  }
  return out;
}

// Whether a PLAIN bound of a FLOAT or DOUBLE column is NaN (which parquet.thrift tells readers to ignore).
bool IsNanBound(Type physical, std::string_view b) {
  if (physical == Type::kFloat && b.size() == 4) {
    float f;
    std::memcpy(&f, b.data(), 4);
    return std::isnan(f);
  }
  if (physical == Type::kDouble && b.size() == 8) {
    double d;
    std::memcpy(&d, b.data(), 8);
    return std::isnan(d);
  }
  return false;
}

}  // namespace

Result<ParquetReader> ParquetReader::Open(std::string_view file, std::string name, ParquetReaderOptions options) {
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
  r.options_ = options;
  auto md = ParseFileMetaData(
      file.substr(file.size() - 8 - static_cast<size_t>(footer_len), static_cast<size_t>(footer_len)));
  if (!md.ok()) return md.status().WithContext(r.name_ + ": footer");
  r.metadata_ = std::move(*md);
  const auto& schema = r.metadata_.schema;
  if (schema.empty()) return Status::Corruption(r.name_ + ": footer: empty schema");
  const int32_t children = schema[0].num_children.value_or(0);
  const auto tree_mismatch = [&] {
    return Status::Corruption(fmt::format("{}: footer: the root has {} children but {} schema elements follow", r.name_,
                                          children, schema.size() - 1));
  };
  if (children < 0) return tree_mismatch();
  // The schema is a tree flattened depth-first: a group (num_children > 0) is followed by its children. The leaves
  // are the columns, in order. Groups left open, or elements past the root's last child, are a malformed footer.
  struct Group {
    int32_t left;        // children still to come
    size_t path_length;  // of `path` before this group's name was added
    size_t element;      // its index in the schema
  };
  std::vector<Group> open{{children, 0, 0}};
  std::string path;  // dotted names of the open groups below the root
  for (size_t i = 1; i < schema.size(); ++i) {
    if (open.empty()) return tree_mismatch();
    --open.back().left;
    const SchemaElement& e = schema[i];
    const int32_t kids = e.num_children.value_or(0);
    if (kids < 0) {
      return Status::Corruption(
          fmt::format("{}: footer: schema element {} ({}) has {} children", r.name_, i, e.name, kids));
    }
    const bool in_group = open.size() > 1;
    std::string name = path.empty() ? e.name : path + "." + e.name;
    if (name.size() > kMaxPathBytes) name.resize(kMaxPathBytes);
    if (kids > 0) {
      open.push_back({kids, path.size(), i});
      path = std::move(name);
      continue;
    }
    formats::Field field;
    ColumnInfo info;
    info.element = i;
    if (in_group || (e.repetition_type && *e.repetition_type == FieldRepetitionType::kRepeated)) {
      field.name = name;
      field.nullable = true;
      field.field_id = e.field_id ? *e.field_id : -1;
      field.type = DataType{ColumnType::kBinary};
      info.status = Status::Unsupported(
          fmt::format("{}: column {} is nested or repeated; floe reads flat schemas", r.name_, name));
    } else {
      Status mapped = MapColumn(e, name, &field, &info.time_divisor, &info.int96);
      if (!mapped.ok()) {
        field.type = DataType{ColumnType::kBinary};
        info.status = mapped.WithContext(r.name_);
      } else {
        info.physical = *e.type;
        info.type_length = e.type_length.value_or(0);
        if (info.physical == Type::kFixedLenByteArray && info.type_length <= 0) {
          return Status::Corruption(
              fmt::format("{}: column {}: FIXED_LEN_BYTE_ARRAY of length {}", r.name_, e.name, info.type_length));
        }
      }
    }
    r.schema_.fields.push_back(std::move(field));
    r.columns_.push_back(std::move(info));
    while (!open.empty() && open.back().left == 0) {
      path.resize(open.back().path_length);
      open.pop_back();
    }
  }
  if (open.size() > 1) {
    const Group& g = open.back();
    return Status::Corruption(fmt::format(
        "{}: footer: group {} (schema element {}) has {} children but the schema "
        "ends after {}",
        r.name_, path, g.element, *schema[g.element].num_children, *schema[g.element].num_children - g.left));
  }
  if (!open.empty()) return tree_mismatch();
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

void ParquetReader::TrustedBounds(const Statistics& s, int column, std::optional<std::string>* min,
                                  std::optional<std::string>* max) const {
  const ColumnInfo& info = columns_[static_cast<size_t>(column)];
  // INT96 under TYPE_ORDER has no defined order: parquet.thrift tells readers to ignore its bounds.
  if (info.int96) return;
  const bool typed_order = metadata_.column_orders.size() == columns_.size() &&
                           metadata_.column_orders[static_cast<size_t>(column)].type_defined;
  if (s.min_value && s.max_value && typed_order) {
    *min = s.min_value;
    *max = s.max_value;
  } else if (s.min && s.max && !formats::IsVariableWidth(schema_.fields[column].type.id) &&
             schema_.fields[column].type.id != ColumnType::kDecimal) {
    *min = s.min;
    *max = s.max;
  } else {
    return;
  }
  if (IsNanBound(info.physical, **min) || IsNanBound(info.physical, **max)) {
    min->reset();
    max->reset();
  }
}

ParquetReader::ChunkStats ParquetReader::Stats(int row_group, int column) const {
  ChunkStats out;
  if (!columns_[column].status.ok()) return out;
  const ColumnMetaData& md = *metadata_.row_groups[row_group].columns[column].meta_data;
  if (!md.statistics) return out;
  const Statistics& s = *md.statistics;
  out.null_count = s.null_count;
  TrustedBounds(s, column, &out.min, &out.max);
  return out;
}

Result<ParquetReader::ChunkPages> ParquetReader::PageStatistics(int row_group, int column) const {
  if (row_group < 0 || row_group >= num_row_groups()) {
    return Status::InvalidArgument(
        fmt::format("{}: no row group {} (the file has {})", name_, row_group, num_row_groups()));
  }
  if (column < 0 || column >= static_cast<int>(columns_.size())) {
    return Status::InvalidArgument(fmt::format("{}: no column {} (the file has {})", name_, column, columns_.size()));
  }
  if (!columns_[static_cast<size_t>(column)].status.ok()) return columns_[static_cast<size_t>(column)].status;
  const ColumnChunk& cc = metadata_.row_groups[static_cast<size_t>(row_group)].columns[static_cast<size_t>(column)];
  ChunkPages out;
  const Status s = cc.offset_index_offset || cc.column_index_offset ? PagesFromIndex(row_group, column, &out)
                                                                    : PagesFromHeaders(row_group, column, &out);
  if (!s.ok()) {
    return s.WithContext(fmt::format("{}: row group {}, column {}", name_, row_group, schema_.fields[column].name));
  }
  return out;
}

namespace {

// Where a column chunk's pages lie in the file: [begin, end).
Status ChunkRange(const ColumnMetaData& md, size_t file_size, int64_t* begin, int64_t* end) {
  int64_t start = md.data_page_offset;
  if (md.dictionary_page_offset && *md.dictionary_page_offset > 0 && *md.dictionary_page_offset < start) {
    start = *md.dictionary_page_offset;
  }
  if (start < 4 || md.total_compressed_size < 0 || start > static_cast<int64_t>(file_size) ||
      md.total_compressed_size > static_cast<int64_t>(file_size) - start) {
    return Status::Corruption(fmt::format("column chunk at byte {} of {} bytes runs past the file ({} bytes)", start,
                                          md.total_compressed_size, file_size));
  }
  *begin = start;
  *end = start + md.total_compressed_size;
  return Status::Ok();
}

// The bytes of a page index structure, checked to lie inside the file.
Result<std::string_view> IndexBytes(std::string_view file, const std::optional<int64_t>& offset,
                                    const std::optional<int32_t>& length, std::string_view what) {
  if (!offset || !length) return Status::Corruption(fmt::format("{} has an offset or a length but not both", what));
  if (*offset < 4 || *length <= 0 || *offset > static_cast<int64_t>(file.size()) ||
      *length > static_cast<int64_t>(file.size()) - *offset) {
    return Status::Corruption(
        fmt::format("{} at byte {} of {} bytes runs past the file ({} bytes)", what, *offset, *length, file.size()));
  }
  return file.substr(static_cast<size_t>(*offset), static_cast<size_t>(*length));
}

}  // namespace

Status ParquetReader::PagesFromIndex(int row_group, int column, ChunkPages* out) const {
  const RowGroup& rg = metadata_.row_groups[static_cast<size_t>(row_group)];
  const ColumnChunk& cc = rg.columns[static_cast<size_t>(column)];
  const ColumnInfo& info = columns_[static_cast<size_t>(column)];
  int64_t chunk_begin = 0, chunk_end = 0;
  FLOE_RETURN_IF_ERROR(ChunkRange(*cc.meta_data, file_.size(), &chunk_begin, &chunk_end));
  if (!cc.offset_index_offset && !cc.offset_index_length) {
    // A ColumnIndex without its OffsetIndex (which parquet.thrift requires beside it): the pages' places come from
    // their headers, and the column index must describe as many pages.
    FLOE_RETURN_IF_ERROR(PagesFromHeaders(row_group, column, out));
  } else {
    FLOE_ASSIGN_OR_RETURN(std::string_view bytes,
                          IndexBytes(file_, cc.offset_index_offset, cc.offset_index_length, "offset index"));
    auto parsed = ParseOffsetIndex(bytes);
    if (!parsed.ok())
      return parsed.status().WithContext(fmt::format("offset index at byte {}", *cc.offset_index_offset));
    const std::vector<PageLocation>& locs = parsed->page_locations;
    if (locs.empty()) return Status::Corruption("offset index: no pages");
    out->pages.clear();
    for (size_t i = 0; i < locs.size(); ++i) {
      const PageLocation& loc = locs[i];
      if (loc.offset < chunk_begin || loc.compressed_page_size <= 0 || loc.offset >= chunk_end ||
          loc.compressed_page_size > chunk_end - loc.offset) {
        return Status::Corruption(
            fmt::format("offset index: page {} at byte {} of {} bytes runs past the column chunk (bytes {} to {})", i,
                        loc.offset, loc.compressed_page_size, chunk_begin, chunk_end));
      }
      if (i == 0 ? loc.first_row_index != 0
                 : loc.first_row_index <= locs[i - 1].first_row_index || loc.first_row_index >= rg.num_rows) {
        return Status::Corruption(fmt::format("offset index: page {} starts at row {} (after row {} of a {}-row group)",
                                              i, loc.first_row_index,
                                              i == 0 ? int64_t{-1} : locs[i - 1].first_row_index, rg.num_rows));
      }
      if (i > 0 && loc.offset < locs[i - 1].offset + locs[i - 1].compressed_page_size) {
        return Status::Corruption(fmt::format("offset index: page {} at byte {} overlaps page {} (bytes {} to {})", i,
                                              loc.offset, i - 1, locs[i - 1].offset,
                                              locs[i - 1].offset + locs[i - 1].compressed_page_size));
      }
      PageStats p;
      p.offset = loc.offset;
      p.compressed_size = loc.compressed_page_size;
      p.first_row = loc.first_row_index;
      p.rows = (i + 1 < locs.size() ? locs[i + 1].first_row_index : rg.num_rows) - loc.first_row_index;
      out->pages.push_back(std::move(p));
    }
  }
  if (!cc.column_index_offset && !cc.column_index_length) {
    // Locations only: the bounds are in the page headers, if anywhere.
    for (size_t i = 0; i < out->pages.size(); ++i) {
      PageStats& p = out->pages[i];
      size_t header_size = 0;
      auto h = ParsePageHeader(file_.substr(static_cast<size_t>(p.offset), static_cast<size_t>(p.compressed_size)),
                               &header_size);
      if (!h.ok()) return h.status().WithContext(fmt::format("page {} at byte {}", i, p.offset));
      FLOE_RETURN_IF_ERROR(StatsFromHeader(*h, column, &p).WithContext(fmt::format("page {} at byte {}", i, p.offset)));
    }
    return Status::Ok();
  }
  FLOE_ASSIGN_OR_RETURN(std::string_view bytes,
                        IndexBytes(file_, cc.column_index_offset, cc.column_index_length, "column index"));
  auto parsed = ParseColumnIndex(bytes);
  if (!parsed.ok()) return parsed.status().WithContext(fmt::format("column index at byte {}", *cc.column_index_offset));
  const ColumnIndex& ci = *parsed;
  const size_t n = out->pages.size();
  if (ci.null_pages.size() != n || ci.min_values.size() != n || ci.max_values.size() != n ||
      (!ci.null_counts.empty() && ci.null_counts.size() != n)) {
    return Status::Corruption(
        fmt::format("column index: {} null_pages, {} min_values, {} max_values and {} null_counts for {} pages",
                    ci.null_pages.size(), ci.min_values.size(), ci.max_values.size(), ci.null_counts.size(), n));
  }
  const size_t width = static_cast<size_t>(StoredWidth(info.physical, info.type_length));
  out->from_page_index = true;
  out->boundary_order = ci.boundary_order;
  for (size_t i = 0; i < n; ++i) {
    PageStats& p = out->pages[i];
    p.null_page = ci.null_pages[i];
    if (!ci.null_counts.empty()) {
      if (ci.null_counts[i] < 0 || ci.null_counts[i] > p.rows) {
        return Status::Corruption(
            fmt::format("column index: page {} of {} rows has {} nulls", i, p.rows, ci.null_counts[i]));
      }
      p.null_count = ci.null_counts[i];
    }
    p.min.reset();
    p.max.reset();
    if (p.null_page) continue;
    if (width > 0 && (ci.min_values[i].size() != width || ci.max_values[i].size() != width)) {
      return Status::Corruption(fmt::format("column index: page {} has bounds of {} and {} bytes for {}-byte {}", i,
                                            ci.min_values[i].size(), ci.max_values[i].size(), width,
                                            TypeName(info.physical)));
    }
    Statistics bounds;  // as page statistics, so that the same rules of trust apply
    bounds.min_value = ci.min_values[i];
    bounds.max_value = ci.max_values[i];
    TrustedBounds(bounds, column, &p.min, &p.max);
  }
  return Status::Ok();
}

Status ParquetReader::PagesFromHeaders(int row_group, int column, ChunkPages* out) const {
  const RowGroup& rg = metadata_.row_groups[static_cast<size_t>(row_group)];
  const ColumnMetaData& md = *rg.columns[static_cast<size_t>(column)].meta_data;
  int64_t begin = 0, end = 0;
  FLOE_RETURN_IF_ERROR(ChunkRange(md, file_.size(), &begin, &end));
  out->pages.clear();
  int64_t row = 0;
  for (int64_t pos = begin; pos < end;) {
    size_t header_size = 0;
    auto h = ParsePageHeader(file_.substr(static_cast<size_t>(pos), static_cast<size_t>(end - pos)), &header_size);
    if (!h.ok()) return h.status().WithContext(fmt::format("page header at byte {}", pos));
    if (h->compressed_page_size > end - pos - static_cast<int64_t>(header_size)) {
      return Status::Corruption(
          fmt::format("page at byte {}: size {} runs past the column chunk", pos, h->compressed_page_size));
    }
    const int64_t size = static_cast<int64_t>(header_size) + h->compressed_page_size;
    if (h->type == PageType::kDataPage || h->type == PageType::kDataPageV2) {
      PageStats p;
      p.offset = pos;
      p.compressed_size = static_cast<int32_t>(std::min<int64_t>(size, INT32_MAX));
      p.first_row = row;
      FLOE_RETURN_IF_ERROR(StatsFromHeader(*h, column, &p).WithContext(fmt::format("page at byte {}", pos)));
      if (p.rows > rg.num_rows - row) {
        return Status::Corruption(fmt::format("pages hold more than the row group's {} rows", rg.num_rows));
      }
      row += p.rows;
      out->pages.push_back(std::move(p));
    }
    pos += size;
  }
  return Status::Ok();
}

Status ParquetReader::StatsFromHeader(const PageHeader& h, int column, PageStats* p) const {
  const Statistics* s = nullptr;
  if (h.type == PageType::kDataPage && h.data_page_header) {
    p->rows = h.data_page_header->num_values;  // a flat column: a value (or null) per row
    if (h.data_page_header->statistics) s = &*h.data_page_header->statistics;
  } else if (h.type == PageType::kDataPageV2 && h.data_page_header_v2) {
    p->rows = h.data_page_header_v2->num_rows;
    if (h.data_page_header_v2->statistics) s = &*h.data_page_header_v2->statistics;
  } else {
    return Status::Corruption(fmt::format("{} where a data page should be", PageTypeName(h.type)));
  }
  if (s == nullptr) return Status::Ok();
  if (s->null_count) {
    if (*s->null_count < 0 || *s->null_count > p->rows) {
      return Status::Corruption(fmt::format("page statistics: {} nulls in {} rows", *s->null_count, p->rows));
    }
    p->null_count = s->null_count;
    p->null_page = *s->null_count == p->rows;
  }
  TrustedBounds(*s, column, &p->min, &p->max);
  const ColumnInfo& info = columns_[static_cast<size_t>(column)];
  const size_t width = static_cast<size_t>(StoredWidth(info.physical, info.type_length));
  if (p->min && width > 0 && (p->min->size() != width || p->max->size() != width)) {
    return Status::Corruption(fmt::format("page statistics: bounds of {} and {} bytes for {}-byte {}", p->min->size(),
                                          p->max->size(), width, TypeName(info.physical)));
  }
  return Status::Ok();
}

Result<ColumnVector> ParquetReader::ReadColumnChunk(int row_group, int column) const {
  const formats::Field& field = schema_.fields[column];
  const ColumnInfo& info = columns_[column];
  if (!info.status.ok()) return info.status;
  const RowGroup& rg = metadata_.row_groups[row_group];
  const ColumnMetaData& md = *rg.columns[column].meta_data;
  auto fail = [&](std::string why) {
    return Status::Corruption(fmt::format("{}: row group {}, column {}: {}", name_, row_group, field.name, why));
  };
  if (md.type != info.physical) {
    return fail(fmt::format("chunk type {} differs from the schema's {}", TypeName(md.type), TypeName(info.physical)));
  }
  ChunkValues values;
  ChunkDecoder decoder(md, info.physical, info.type_length, field.nullable, static_cast<size_t>(rg.num_rows));
  Status s = decoder.Decode(file_, &values);
  if (!s.ok()) return s.WithContext(fmt::format("{}: row group {}, column {}", name_, row_group, field.name));
  const size_t rows = values.rows;
  if (static_cast<int64_t>(rows) != rg.num_rows) {
    return fail(fmt::format("{} rows, the row group says {}", rows, rg.num_rows));
  }
  const uint8_t* valid = values.validity.empty() ? nullptr : values.validity.data();
  ColumnVector out(field.type);
  const Type physical = info.physical;
  switch (field.type.id) {
    case ColumnType::kString:
    case ColumnType::kBinary:
      if (physical == Type::kByteArray) {
        out.Assign(rows, std::move(values.validity), {}, std::move(values.offsets), std::move(values.bytes));
      } else {  // FIXED_LEN_BYTE_ARRAY: the non-null rows' values are stored back to back, as the bytes want them
        const size_t width = static_cast<size_t>(info.type_length);
        std::vector<int64_t> offsets(rows + 1, 0);
        size_t k = 0;
        for (size_t r = 0; r < rows; ++r) {
          if (valid == nullptr || valid[r] != 0) ++k;
          offsets[r + 1] = static_cast<int64_t>(k * width);
        }
        values.fixed.resize(k * width);
        out.Assign(rows, std::move(values.validity), {}, std::move(offsets),
                   std::string(values.fixed.begin(), values.fixed.end()));
      }
      return out;
    case ColumnType::kDecimal: {
      formats::FixedBytes fixed;
      if (physical == Type::kInt64) {
        fixed = std::move(values.fixed);
      } else if (physical == Type::kInt32) {
        fixed = WidenToInt64<int32_t>(values.fixed, rows);  // the INT32 decimals of precision <= 9
      } else {
        fixed.resize(rows * 8);
        const size_t width = static_cast<size_t>(info.type_length);
        size_t k = 0;  // FIXED_LEN_BYTE_ARRAY: the next stored value
        for (size_t r = 0; r < rows; ++r) {
          int64_t v = 0;
          if (physical == Type::kByteArray) {
            const size_t len = static_cast<size_t>(values.offsets[r + 1] - values.offsets[r]);
            if (len > 8) return fail(fmt::format("decimal of {} bytes", len));
            v = BigEndianToInt64(std::string_view(values.bytes).substr(static_cast<size_t>(values.offsets[r]), len));
          } else if (valid == nullptr || valid[r] != 0) {
            const char* p = reinterpret_cast<const char*>(values.fixed.data() + k++ * width);
            // Wider fixed decimals are sign extension plus at most 8 significant bytes for precision <= 18.
            v = width > 8 ? BigEndianToInt64(std::string_view(p + width - 8, 8))
                          : BigEndianToInt64(std::string_view(p, width));
          }
          std::memcpy(fixed.data() + r * 8, &v, 8);
        }
      }
      out.AssignFixed(rows, std::move(values.validity), std::move(fixed));
      return out;
    }
    case ColumnType::kTimestamp:
    case ColumnType::kTimestampTz: {
      if (info.int96) {
        // INT96: nanoseconds of the day (8 bytes LE), then the Julian day (4 bytes LE).
        // Stored back to back for the non-null rows; arithmetic wraps on nonsense values, as int64 does in Java.
        formats::FixedBytes fixed(rows * 8, 0);
        size_t k = 0;
        for (size_t r = 0; r < rows; ++r) {
          if (valid != nullptr && valid[r] == 0) continue;
          int64_t nanos;
          int32_t julian;
          std::memcpy(&nanos, &values.fixed[k * 12], 8);
          std::memcpy(&julian, &values.fixed[k * 12 + 8], 4);
          ++k;
          const uint64_t days = static_cast<uint64_t>(static_cast<int64_t>(julian) - 2440588);
          const int64_t v = static_cast<int64_t>(days * 86400000000ULL + static_cast<uint64_t>(nanos / 1000));
          std::memcpy(fixed.data() + r * 8, &v, 8);
        }
        out.AssignFixed(rows, std::move(values.validity), std::move(fixed));
        return out;
      }
      if (info.time_divisor != 1) {
        uint8_t* p = values.fixed.data();
        for (size_t r = 0; r < rows; ++r) {
          int64_t v;
          std::memcpy(&v, p + r * 8, 8);
          if (info.time_divisor > 1) v /= info.time_divisor;
          if (info.time_divisor < 0)
            v = static_cast<int64_t>(static_cast<uint64_t>(v) * static_cast<uint64_t>(-info.time_divisor));
          std::memcpy(p + r * 8, &v, 8);
        }
      }
      out.AssignFixed(rows, std::move(values.validity), std::move(values.fixed));
      return out;
    }
    case ColumnType::kInt64:
      if (physical == Type::kInt32) {  // uint32 widened
        out.AssignFixed(rows, std::move(values.validity), WidenToInt64<uint32_t>(values.fixed, rows));
        return out;
      }
      out.AssignFixed(rows, std::move(values.validity), std::move(values.fixed));
      return out;
    default:
      // Stored as the column holds them: boolean, int32, date, float, double.
      out.AssignFixed(rows, std::move(values.validity), std::move(values.fixed));
      return out;
  }
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
  for (int c : wanted) {
    if (c < 0 || c >= static_cast<int>(columns_.size())) {
      return Status::InvalidArgument(fmt::format("{}: no column {} (the file has {})", name_, c, columns_.size()));
    }
  }
  std::vector<ColumnVector> out;
  out.reserve(wanted.size());
  const size_t threads = std::min<size_t>(static_cast<size_t>(std::max(options_.threads, 1)), wanted.size());
  if (threads <= 1) {
    for (int c : wanted) {
      FLOE_ASSIGN_OR_RETURN(ColumnVector v, ReadColumnChunk(row_group, c));
      out.push_back(std::move(v));
    }
    return out;
  }
  // Column chunks are independent: each is decoded whole by one thread, the largest first so that the threads
  // finish together.
  std::vector<size_t> order(wanted.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  const RowGroup& rg = metadata_.row_groups[static_cast<size_t>(row_group)];
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return rg.columns[static_cast<size_t>(wanted[a])].meta_data->total_uncompressed_size >
           rg.columns[static_cast<size_t>(wanted[b])].meta_data->total_uncompressed_size;
  });
  std::vector<std::optional<Result<ColumnVector>>> results(wanted.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < order.size(); i = next++) {
      results[order[i]].emplace(ReadColumnChunk(row_group, wanted[order[i]]));
    }
  };
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < threads; ++t) {
    try {
      helpers.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // no more threads to be had: the calling thread does the rest
    }
  }
  work();
  for (auto& t : helpers) t.join();
  for (auto& r : results) {
    if (!r->ok()) return r->status();
    out.push_back(std::move(**r));
  }
  return out;
}

}  // namespace floe::parquet
