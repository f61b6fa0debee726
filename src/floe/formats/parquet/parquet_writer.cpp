#include "floe/formats/parquet/parquet_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "floe/base/version.h"
#include "floe/formats/parquet/page_compression.h"
#include "floe/formats/parquet/parquet_format.h"
#include "floe/formats/parquet/rle_bit_packed.h"

namespace floe::parquet {

using formats::ColumnType;
using formats::ColumnVector;
using formats::DataType;
using formats::Field;

struct ParquetWriter::State {
  FileMetaData footer;
};

namespace {

// --- types ---

Type PhysicalType(const DataType& t) {
  switch (t.id) {
    case ColumnType::kBoolean: return Type::kBoolean;
    case ColumnType::kInt32:
    case ColumnType::kDate: return Type::kInt32;
    case ColumnType::kInt64:
    case ColumnType::kTimestamp:
    case ColumnType::kTimestampTz:
    case ColumnType::kDecimal: return Type::kInt64;
    case ColumnType::kFloat: return Type::kFloat;
    case ColumnType::kDouble: return Type::kDouble;
    case ColumnType::kString:
    case ColumnType::kBinary: return Type::kByteArray;
  }
  return Type::kByteArray;
}

SchemaElement ToSchemaElement(const Field& f) {
  SchemaElement e;
  e.name = f.name;
  e.type = PhysicalType(f.type);
  e.repetition_type = f.nullable ? FieldRepetitionType::kOptional : FieldRepetitionType::kRequired;
  if (f.field_id >= 0) e.field_id = f.field_id;
  LogicalType logical;
  switch (f.type.id) {
    case ColumnType::kString:
      e.converted_type = ConvertedType::kUtf8;
      logical.kind = LogicalType::Kind::kString;
      e.logical_type = logical;
      break;
    case ColumnType::kDate:
      e.converted_type = ConvertedType::kDate;
      logical.kind = LogicalType::Kind::kDate;
      e.logical_type = logical;
      break;
    case ColumnType::kTimestamp:
    case ColumnType::kTimestampTz:
      logical.kind = LogicalType::Kind::kTimestamp;
      logical.is_adjusted_to_utc = f.type.id == ColumnType::kTimestampTz;
      logical.unit = TimeUnit::kMicros;
      e.logical_type = logical;
      // The legacy annotation means "UTC-adjusted"; only then is it written (as parquet-cpp does).
      if (f.type.id == ColumnType::kTimestampTz) e.converted_type = ConvertedType::kTimestampMicros;
      break;
    case ColumnType::kDecimal:
      e.converted_type = ConvertedType::kDecimal;
      e.precision = f.type.precision;
      e.scale = f.type.scale;
      logical.kind = LogicalType::Kind::kDecimal;
      logical.decimal_precision = f.type.precision;
      logical.decimal_scale = f.type.scale;
      e.logical_type = logical;
      break;
    default: break;
  }
  return e;
}

// --- values ---

// Appends the PLAIN encoding of row `i` (non-null) of `v`.
void AppendPlain(const ColumnVector& v, size_t i, std::string* out) {
  const int width = formats::FixedWidth(v.type().id);
  if (width == 0) {
    std::string_view s = v.string(i);
    const uint32_t len = static_cast<uint32_t>(s.size());
    out->append(reinterpret_cast<const char*>(&len), 4);
    out->append(s);
  } else {
    const char* p = reinterpret_cast<const char*>(v.data()) + i * static_cast<size_t>(width);
    out->append(p, static_cast<size_t>(width));
  }
}

// Min and max of a chunk or page, for statistics, in the type's own order (unsigned bytes for strings; NaN left
// out; -0.0 / +0.0 as the spec asks).
class MinMax {
 public:
  explicit MinMax(const DataType& type) : type_(type) {}

  void Add(const ColumnVector& v, size_t i) {
    switch (type_.id) {
      case ColumnType::kBoolean: Track<uint8_t>(v.value<uint8_t>(i)); break;
      case ColumnType::kInt32:
      case ColumnType::kDate: Track<int32_t>(v.value<int32_t>(i)); break;
      case ColumnType::kInt64:
      case ColumnType::kTimestamp:
      case ColumnType::kTimestampTz:
      case ColumnType::kDecimal: Track<int64_t>(v.value<int64_t>(i)); break;
      case ColumnType::kFloat: TrackFloat<float>(v.value<float>(i)); break;
      case ColumnType::kDouble: TrackFloat<double>(v.value<double>(i)); break;
      case ColumnType::kString:
      case ColumnType::kBinary: {
        std::string_view s = v.string(i);
        if (!has_ || s < min_s_) min_s_.assign(s);
        if (!has_ || s > max_s_) max_s_.assign(s);
        has_ = true;
        break;
      }
    }
  }

  bool has() const { return has_; }
  // PLAIN encodings of the bounds (no length prefix for strings).
  std::string min() const { return Encode(true); }
  std::string max() const { return Encode(false); }

 private:
  template <typename T>
  void Track(T x) {
    T lo, hi;
    std::memcpy(&lo, min_, sizeof(T));
    std::memcpy(&hi, max_, sizeof(T));
    if (!has_ || x < lo) std::memcpy(min_, &x, sizeof(T));
    if (!has_ || x > hi) std::memcpy(max_, &x, sizeof(T));
    has_ = true;
  }
  template <typename T>
  void TrackFloat(T x) {
    if (std::isnan(x)) return;
    // A zero bound is written as -0.0 when it is the minimum and +0.0 when it is the maximum.
    const T low = x == 0 ? static_cast<T>(-0.0) : x;
    const T high = x == 0 ? static_cast<T>(0.0) : x;
    T lo, hi;
    std::memcpy(&lo, min_, sizeof(T));
    std::memcpy(&hi, max_, sizeof(T));
    if (!has_ || low < lo) std::memcpy(min_, &low, sizeof(T));
    if (!has_ || high > hi) std::memcpy(max_, &high, sizeof(T));
    has_ = true;
  }
  std::string Encode(bool lower) const {
    if (formats::IsVariableWidth(type_.id)) return lower ? min_s_ : max_s_;
    return std::string(lower ? min_ : max_, static_cast<size_t>(formats::FixedWidth(type_.id)));
  }

  DataType type_;
  bool has_ = false;
  char min_[8] = {};
  char max_[8] = {};
  std::string min_s_, max_s_;
};

Statistics MakeStatistics(const MinMax& mm, int64_t nulls, bool legacy_too) {
  Statistics s;
  s.null_count = nulls;
  if (mm.has()) {
    s.min_value = mm.min();
    s.max_value = mm.max();
    if (legacy_too) {  // the deprecated min/max: only for types whose order is signed, as parquet-cpp writes them
      s.min = *s.min_value;
      s.max = *s.max_value;
    }
  }
  return s;
}

// The dictionary of one column chunk: distinct values in first-seen order and each row's index.
struct Dictionary {
  std::string plain;                // the dictionary page body: PLAIN values
  uint32_t size = 0;                // distinct values
  std::vector<uint32_t> indices;    // per non-null row
  std::vector<uint32_t> first_row;  // per distinct value, a row holding it (for the chunk's min/max)
};

// Value -> dictionary index: open addressing with linear probing, grown at half load. Replaces
// std::unordered_map, whose node per entry made dictionary building the writer's largest cost.
template <typename Key, typename Hash>
class DictionaryIndex {
 public:
  DictionaryIndex() { Rehash(1024); }

  // The index of `key`, inserting it as `next` when new (*inserted says which).
  uint32_t FindOrInsert(const Key& key, uint32_t next, bool* inserted) {
    size_t slot = Hash{}(key)&mask_;
    while (ids_[slot] != kEmpty) {
      if (keys_[slot] == key) {
        *inserted = false;
        return ids_[slot];
      }
      slot = (slot + 1) & mask_;
    }
    keys_[slot] = key;
    ids_[slot] = next;
    *inserted = true;
    if (++size_ * 2 > ids_.size()) Rehash(ids_.size() * 2);
    return next;
  }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;

  void Rehash(size_t capacity) {
    std::vector<Key> old_keys = std::move(keys_);
    std::vector<uint32_t> old_ids = std::move(ids_);
    keys_.assign(capacity, Key{});
    ids_.assign(capacity, kEmpty);
    mask_ = capacity - 1;
    for (size_t i = 0; i < old_ids.size(); ++i) {
      if (old_ids[i] == kEmpty) continue;
      size_t slot = Hash{}(old_keys[i]) & mask_;
      while (ids_[slot] != kEmpty) slot = (slot + 1) & mask_;
      keys_[slot] = old_keys[i];
      ids_[slot] = old_ids[i];
    }
  }

  std::vector<Key> keys_;
  std::vector<uint32_t> ids_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

struct BitsHash {
  size_t operator()(uint64_t x) const {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return static_cast<size_t>(x);
  }
};

// A column whose first kSampleValues values are more than half distinct would overflow the dictionary limit or
// gain nothing from it: PLAIN is chosen then without building the rest.
constexpr size_t kSampleValues = 65536;

// Builds the chunk's dictionary, or returns false when it would pass `limit` bytes or is not worth it.
bool BuildDictionary(const ColumnVector& v, size_t begin, size_t end, int64_t limit, Dictionary* d) {
  d->indices.reserve(end - begin);
  bool inserted = false;
  if (formats::IsVariableWidth(v.type().id)) {
    DictionaryIndex<std::string_view, std::hash<std::string_view>> ids;
    for (size_t i = begin; i < end; ++i) {
      if (v.IsNull(i)) continue;
      const uint32_t id = ids.FindOrInsert(v.string(i), d->size, &inserted);
      if (inserted) {
        ++d->size;
        d->first_row.push_back(static_cast<uint32_t>(i));
        AppendPlain(v, i, &d->plain);
        if (static_cast<int64_t>(d->plain.size()) > limit) return false;
      }
      d->indices.push_back(id);
      if (d->indices.size() == kSampleValues && d->size > kSampleValues / 2) return false;
    }
  } else {
    const int width = formats::FixedWidth(v.type().id);
    DictionaryIndex<uint64_t, BitsHash> ids;
    const uint8_t* base = v.data();
    for (size_t i = begin; i < end; ++i) {
      if (v.IsNull(i)) continue;
      uint64_t bits = 0;
      std::memcpy(&bits, base + i * static_cast<size_t>(width), static_cast<size_t>(width));
      const uint32_t id = ids.FindOrInsert(bits, d->size, &inserted);
      if (inserted) {
        ++d->size;
        d->first_row.push_back(static_cast<uint32_t>(i));
        AppendPlain(v, i, &d->plain);
        if (static_cast<int64_t>(d->plain.size()) > limit) return false;
      }
      d->indices.push_back(id);
      if (d->indices.size() == kSampleValues && d->size > kSampleValues / 2) return false;
    }
  }
  return true;
}

// Writes one column chunk of a row group, rows [begin, end) of `column`, at the end of `file`.
class ColumnChunkWriter {
 public:
  ColumnChunkWriter(const Field& field, const ColumnVector& column, size_t begin, size_t end,
                    const ParquetWriterOptions& options, std::string* file)
      : field_(field), v_(column), begin_(begin), end_(end), options_(options), file_(file) {}

  // Appends the chunk to the file and fills *out (its metadata) and *stats.
  Status Write(ColumnFileStats* stats, ColumnChunk* out) {
    ColumnMetaData md;
    md.type = PhysicalType(field_.type);
    md.path_in_schema = {field_.name};
    md.codec = options_.codec;
    md.num_values = static_cast<int64_t>(end_ - begin_);
    const int64_t chunk_start = static_cast<int64_t>(file_->size());

    Dictionary dict;
    const bool use_dict = options_.dictionary && field_.type.id != ColumnType::kBoolean && end_ > begin_ &&
                          BuildDictionary(v_, begin_, end_, options_.dictionary_page_bytes, &dict);
    if (use_dict) {
      md.dictionary_page_offset = chunk_start;
      PageHeader h;
      h.type = PageType::kDictionaryPage;
      DictionaryPageHeader dh;
      dh.num_values = static_cast<int32_t>(dict.size);
      dh.encoding = Encoding::kPlain;
      h.dictionary_page_header = dh;
      FLOE_RETURN_IF_ERROR(WritePage(h, dict.plain, &md));
    }
    md.data_page_offset = static_cast<int64_t>(file_->size());

    // Pages: at most page_rows rows and about page_bytes of encoded values each.
    const size_t n = end_;
    size_t row = begin_;
    size_t dict_pos = 0;  // next index in dict.indices
    const int index_width = use_dict ? std::max(1, BitWidthOf(dict.size > 0 ? dict.size - 1 : 0)) : 0;
    MinMax chunk_mm(field_.type);
    int64_t chunk_nulls = 0;
    std::string body;
    std::string values;
    do {
      const size_t page_start = row;
      body.clear();
      values.clear();
      int64_t page_nulls = 0;
      RleBitPackedEncoder levels(1);
      RleBitPackedEncoder indices(index_width);
      uint8_t bool_byte = 0;
      int bool_bits = 0;
      while (row < n && row - page_start < static_cast<size_t>(options_.page_rows)) {
        const bool is_null = v_.IsNull(row);
        if (field_.nullable) levels.Put(is_null ? 0 : 1);
        if (is_null) {
          ++page_nulls;
        } else {
          if (use_dict) {
            indices.Put(dict.indices[dict_pos++]);
          } else if (field_.type.id == ColumnType::kBoolean) {
            bool_byte |= static_cast<uint8_t>((v_.value<uint8_t>(row) ? 1 : 0) << bool_bits);
            if (++bool_bits == 8) {
              values.push_back(static_cast<char>(bool_byte));
              bool_byte = 0;
              bool_bits = 0;
            }
          } else {
            AppendPlain(v_, row, &values);
          }
          if (!use_dict) chunk_mm.Add(v_, row);
        }
        ++row;
        if ((row & 255) == 0) {
          const size_t estimate = use_dict ? indices.EstimatedSize() : values.size();
          if (static_cast<int64_t>(estimate) >= options_.page_bytes) break;
        }
      }
      if (bool_bits > 0) values.push_back(static_cast<char>(bool_byte));
      if (field_.nullable) {
        std::string lv;
        levels.Finish(&lv);
        const uint32_t len = static_cast<uint32_t>(lv.size());
        body.append(reinterpret_cast<const char*>(&len), 4);
        body.append(lv);
      }
      if (use_dict) {
        body.push_back(static_cast<char>(index_width));
        indices.Finish(&body);
      } else {
        body.append(values);
      }
      PageHeader h;
      h.type = PageType::kDataPage;
      DataPageHeader dp;
      dp.num_values = static_cast<int32_t>(row - page_start);
      dp.encoding = use_dict ? Encoding::kRleDictionary : Encoding::kPlain;
      dp.definition_level_encoding = Encoding::kRle;
      dp.repetition_level_encoding = Encoding::kRle;
      h.data_page_header = dp;
      FLOE_RETURN_IF_ERROR(WritePage(h, body, &md));
      chunk_nulls += page_nulls;
    } while (row < n);

    md.encodings = use_dict ? std::vector<Encoding>{Encoding::kPlain, Encoding::kRle, Encoding::kRleDictionary}
                            : std::vector<Encoding>{Encoding::kPlain, Encoding::kRle};
    if (use_dict) {
      for (uint32_t r : dict.first_row) chunk_mm.Add(v_, r);  // the distinct values are all the values
    }
    md.statistics = MakeStatistics(chunk_mm, chunk_nulls, LegacyStats());

    stats->values += static_cast<int64_t>(end_ - begin_);
    stats->nulls += chunk_nulls;
    stats->compressed_bytes += md.total_compressed_size;
    if (chunk_mm.has()) MergeBounds(chunk_mm, stats);

    out->file_offset = chunk_start;
    out->meta_data = std::move(md);
    return Status::Ok();
  }

 private:
  bool LegacyStats() const {
    // The deprecated min/max are signed comparisons; strings and binary sort unsigned, so they get only
    // min_value/max_value.
    return !formats::IsVariableWidth(field_.type.id);
  }

  void MergeBounds(const MinMax& mm, ColumnFileStats* stats) const {
    // Bounds across row groups: compare decoded values with a tracker over the two encodings.
    if (!stats->has_bounds) {
      stats->lower = mm.min();
      stats->upper = mm.max();
      stats->has_bounds = true;
      return;
    }
    ColumnVector both(field_.type);
    AppendEncoded(stats->lower, &both);
    AppendEncoded(stats->upper, &both);
    AppendEncoded(mm.min(), &both);
    AppendEncoded(mm.max(), &both);
    MinMax all(field_.type);
    for (size_t i = 0; i < both.size(); ++i) all.Add(both, i);
    stats->lower = all.min();
    stats->upper = all.max();
  }

  void AppendEncoded(const std::string& plain, ColumnVector* out) const {
    if (formats::IsVariableWidth(field_.type.id)) {
      out->AppendString(plain);
    } else {
      out->AppendFixed(plain.data(), 1);
    }
  }

  Status WritePage(PageHeader h, std::string_view body, ColumnMetaData* md) {
    compressed_.clear();
    FLOE_RETURN_IF_ERROR(CompressPage(options_.codec, body, &compressed_, options_.compression_level)
                             .WithContext(fmt::format("column {}", field_.name)));
    h.uncompressed_page_size = static_cast<int32_t>(body.size());
    h.compressed_page_size = static_cast<int32_t>(compressed_.size());
    header_.clear();
    SerializePageHeader(h, &header_);
    file_->append(header_);
    file_->append(compressed_);
    md->total_uncompressed_size += static_cast<int64_t>(header_.size() + body.size());
    md->total_compressed_size += static_cast<int64_t>(header_.size() + compressed_.size());
    return Status::Ok();
  }

  const Field& field_;
  const ColumnVector& v_;
  size_t begin_, end_;
  const ParquetWriterOptions& options_;
  std::string* file_;
  std::string compressed_;
  std::string header_;
};

}  // namespace

ParquetWriter::ParquetWriter(formats::Schema schema, ParquetWriterOptions options)
    : schema_(std::move(schema)), options_(std::move(options)), state_(std::make_shared<State>()) {
  for (const Field& f : schema_.fields) pending_.emplace_back(f.type);
  stats_.resize(schema_.fields.size());
  file_ = "PAR1";
}

Status ParquetWriter::Write(const std::vector<ColumnVector>& batch) {
  if (batch.size() != schema_.fields.size()) {
    return Status::InvalidArgument(
        fmt::format("parquet writer: a batch of {} columns for a schema of {}", batch.size(), schema_.fields.size()));
  }
  const size_t rows = batch.empty() ? 0 : batch[0].size();
  for (size_t c = 0; c < batch.size(); ++c) {
    const Field& f = schema_.fields[c];
    if (batch[c].type() != f.type) {
      return Status::InvalidArgument(fmt::format("parquet writer: column {} is {}, the schema says {}", f.name,
                                                 formats::TypeToString(batch[c].type()),
                                                 formats::TypeToString(f.type)));
    }
    if (batch[c].size() != rows) {
      return Status::InvalidArgument(fmt::format("parquet writer: column {} has {} rows, column {} has {}", f.name,
                                                 batch[c].size(), schema_.fields[0].name, rows));
    }
    if (!f.nullable && batch[c].null_count() > 0) {
      for (size_t r = 0; r < rows; ++r) {
        if (batch[c].IsNull(r)) {
          return Status::InvalidArgument(
              fmt::format("parquet writer: row {} of required column {} is null", r, f.name));
        }
      }
    }
  }
  size_t done = 0;
  // Whole row groups go straight from the batch; only a remainder is copied to wait for more rows.
  const size_t group = static_cast<size_t>(options_.row_group_rows);
  while (pending_[0].size() == 0 && rows - done >= group) {
    FLOE_RETURN_IF_ERROR(WriteRowGroup(batch, done, done + group));
    done += group;
  }
  while (done < rows) {
    const size_t room = static_cast<size_t>(options_.row_group_rows) - pending_[0].size();
    const size_t take = std::min(room, rows - done);
    for (size_t c = 0; c < batch.size(); ++c) {
      const ColumnVector& src = batch[c];
      ColumnVector& dst = pending_[c];
      if (formats::IsVariableWidth(src.type().id)) {
        for (size_t r = done; r < done + take; ++r) {
          if (src.IsNull(r)) {
            dst.AppendNull();
          } else {
            dst.AppendString(src.string(r));
          }
        }
      } else {
        const size_t width = static_cast<size_t>(formats::FixedWidth(src.type().id));
        dst.AppendFixed(src.data() + done * width, take,
                        src.validity().empty() ? nullptr : src.validity().data() + done);
      }
    }
    done += take;
    if (pending_[0].size() >= group) FLOE_RETURN_IF_ERROR(FlushRowGroup());
  }
  rows_ += static_cast<int64_t>(rows);
  return Status::Ok();
}

Status ParquetWriter::FlushRowGroup() {
  if (pending_.empty() || pending_[0].size() == 0) return Status::Ok();
  FLOE_RETURN_IF_ERROR(WriteRowGroup(pending_, 0, pending_[0].size()));
  for (auto& c : pending_) c.Clear();
  return Status::Ok();
}

Status ParquetWriter::WriteRowGroup(const std::vector<formats::ColumnVector>& columns, size_t begin, size_t end) {
  RowGroup rg;
  rg.num_rows = static_cast<int64_t>(end - begin);
  rg.file_offset = static_cast<int64_t>(file_.size());
  rg.ordinal = static_cast<int16_t>(state_->footer.row_groups.size());
  rg.total_byte_size = 0;
  rg.total_compressed_size = 0;
  for (size_t c = 0; c < columns.size(); ++c) {
    ColumnChunkWriter w(schema_.fields[c], columns[c], begin, end, options_, &file_);
    ColumnChunk& cc = rg.columns.emplace_back();
    FLOE_RETURN_IF_ERROR(w.Write(&stats_[c], &cc));
    rg.total_byte_size += cc.meta_data.value().total_uncompressed_size;
    *rg.total_compressed_size += cc.meta_data.value().total_compressed_size;
  }
  state_->footer.row_groups.push_back(std::move(rg));
  return Status::Ok();
}

Result<std::string> ParquetWriter::Finish() {
  FLOE_RETURN_IF_ERROR(FlushRowGroup());
  FileMetaData& md = state_->footer;
  md.version = 2;
  SchemaElement root;
  root.name = "schema";
  root.num_children = static_cast<int32_t>(schema_.fields.size());
  md.schema.push_back(root);
  for (const Field& f : schema_.fields) md.schema.push_back(ToSchemaElement(f));
  md.num_rows = rows_;
  for (const auto& [k, v] : options_.key_value_metadata) md.key_value_metadata.push_back(KeyValue{k, v});
  md.created_by = fmt::format("floe version {} (build {})", Version(), GitCommit());
  md.column_orders.assign(schema_.fields.size(), ColumnOrder{});
  std::string footer;
  SerializeFileMetaData(md, &footer);
  file_.append(footer);
  const uint32_t len = static_cast<uint32_t>(footer.size());
  file_.append(reinterpret_cast<const char*>(&len), 4);
  file_.append("PAR1");
  return std::move(file_);
}

}  // namespace floe::parquet
