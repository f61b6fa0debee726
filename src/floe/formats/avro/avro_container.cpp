#include "floe/formats/avro/avro_container.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstring>

#include "floe/base/uuid.h"
#include "floe/base/varint.h"
#include "floe/formats/avro/avro_json.h"

namespace floe::avro {

namespace {

constexpr char kMagic[4] = {'O', 'b', 'j', 1};
constexpr std::string_view kSchemaKey = "avro.schema";
constexpr std::string_view kCodecKey = "avro.codec";

void PutLong(std::string* out, int64_t v) {
  uint64_t u = ZigZagEncode64(v);
  while (u >= 0x80) {
    out->push_back(static_cast<char>(u | 0x80));
    u >>= 7;
  }
  out->push_back(static_cast<char>(u));
}

void PutBytes(std::string* out, std::string_view b) {
  PutLong(out, static_cast<int64_t>(b.size()));
  out->append(b);
}

// The file metadata's schema: {"type": "map", "values": "bytes"}.
const AvroNode& MetadataSchema() {
  static const AvroSchema* schema = new AvroSchema(*AvroSchema::Parse(R"({"type":"map","values":"bytes"})"));
  return schema->root();
}

// From the thread's seeded generator (a random_device per file cost more than the rest of a small manifest's
// header).
AvroSyncMarker RandomSyncMarker() {
  static_assert(sizeof(UuidBytes) == kAvroSyncSize);
  const UuidBytes random = NewUuidBytes();
  AvroSyncMarker m;
  std::memcpy(m.data(), random.data(), m.size());
  return m;
}

// Raw deflate (RFC 1951: windowBits -15 gives no zlib header or trailer).
Status DeflateRaw(std::string_view in, int level, std::string* out) {
  if (in.size() > UINT_MAX) return Status::InvalidArgument("avro: a block of 4 GiB or more cannot be deflated");
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return Status::Internal("avro: deflateInit2 failed");
  out->resize(deflateBound(&zs, static_cast<uLong>(in.size())));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out->data());
  zs.avail_out = static_cast<uInt>(out->size());
  int rc = deflate(&zs, Z_FINISH);
  out->resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return Status::Internal(fmt::format("avro: deflate failed ({})", rc));
  return Status::Ok();
}

// Inflates raw deflate `in` into *out; false with *why if it is corrupt, truncated or larger than `max_out`. Bytes
// after the end of the deflate stream are ignored: fastavro (like Avro's Python reference code) writes a block as
// zlib.compress(data)[2:-1], the zlib stream without its header, which leaves 3 bytes of the Adler-32 trailer.
bool InflateRaw(std::string_view in, size_t max_out, std::string* out, std::string* why) {
  if (in.size() > UINT_MAX) {
    *why = "deflate block of 4 GiB or more";
    return false;
  }
  z_stream zs{};
  if (inflateInit2(&zs, -15) != Z_OK) {
    *why = "inflateInit2 failed";
    return false;
  }
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  size_t cap = std::min(max_out, std::max<size_t>(in.size() * 4, 4096));
  out->resize(cap);
  bool ok = false;
  while (true) {
    size_t room = std::min<size_t>(cap - zs.total_out, UINT_MAX);
    zs.next_out = reinterpret_cast<Bytef*>(out->data() + zs.total_out);
    zs.avail_out = static_cast<uInt>(room);
    int rc = inflate(&zs, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      ok = true;
      break;
    }
    if (rc == Z_OK || rc == Z_BUF_ERROR) {
      if (zs.avail_out == 0) {  // out of room
        if (cap >= max_out) {
          *why = fmt::format("inflates to more than {} bytes", max_out);
          break;
        }
        cap = std::min(max_out, cap * 2);
        out->resize(cap);
        continue;
      }
      if (zs.avail_in == 0) {
        *why = "deflate stream truncated";
        break;
      }
      if (rc == Z_OK) continue;
    }
    *why = fmt::format("corrupt deflate data ({})", zs.msg ? zs.msg : "error " + std::to_string(rc));
    break;
  }
  out->resize(zs.total_out);
  inflateEnd(&zs);
  return ok;
}

std::string Hex(std::string_view b) {
  std::string s;
  for (size_t i = 0; i < b.size(); ++i) s += fmt::format("{}{:02x}", i ? " " : "", static_cast<uint8_t>(b[i]));
  return s;
}

// Reads a zigzag long of a block header at *pos; false with *why on failure.
bool ReadHeaderLong(std::string_view data, size_t* pos, std::string_view what, int64_t* out, std::string* why) {
  uint64_t v = 0;
  for (int i = 0; i < 10; ++i) {
    if (*pos >= data.size()) {
      *why = fmt::format("{} truncated", what);
      return false;
    }
    auto b = static_cast<uint8_t>(data[(*pos)++]);
    v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) {
      if (i == 9 && b > 1) break;
      *out = ZigZagDecode64(v);
      return true;
    }
  }
  *why = fmt::format("{} is not a valid varint", what);
  return false;
}

}  // namespace

std::string_view AvroCodecName(AvroCodec codec) {
  switch (codec) {
    case AvroCodec::kNull: return "null";
    case AvroCodec::kDeflate: return "deflate";
  }
  return "?";
}

Result<AvroCodec> ParseAvroCodec(std::string_view name) {
  if (name == "null") return AvroCodec::kNull;
  if (name == "deflate") return AvroCodec::kDeflate;
  return Status::Unsupported(
      fmt::format("avro codec \"{}\" is not supported (floe reads and writes null and deflate)", Printable(name)));
}

// ---- AvroWriter ----

Result<AvroWriter> AvroWriter::Make(AvroSchema schema, AvroMetadata metadata, AvroWriterOptions options) {
  for (size_t i = 0; i < metadata.size(); ++i) {
    const std::string& key = metadata[i].first;
    if (key.starts_with("avro."))
      return Status::InvalidArgument(
          fmt::format("avro: metadata key \"{}\": keys starting with \"avro.\" are reserved", Printable(key)));
    for (size_t j = 0; j < i; ++j)
      if (metadata[j].first == key)
        return Status::InvalidArgument(fmt::format("avro: metadata key \"{}\" given twice", Printable(key)));
  }
  if (options.deflate_level < -1 || options.deflate_level > 9)
    return Status::InvalidArgument(fmt::format("avro: deflate level {} is not -1 or 1..9", options.deflate_level));
  if (options.block_bytes == 0) return Status::InvalidArgument("avro: block_bytes must be positive");

  AvroWriter w;
  w.options_ = options;
  w.sync_ = options.sync_marker ? *options.sync_marker : RandomSyncMarker();
  w.out_.append(kMagic, sizeof(kMagic));
  PutLong(&w.out_, static_cast<int64_t>(metadata.size() + 2));
  PutBytes(&w.out_, kSchemaKey);
  PutBytes(&w.out_, schema.ToJson());
  PutBytes(&w.out_, kCodecKey);
  PutBytes(&w.out_, AvroCodecName(options.codec));
  for (const auto& [k, v] : metadata) {
    PutBytes(&w.out_, k);
    PutBytes(&w.out_, v);
  }
  w.out_.push_back(0);
  w.out_.append(reinterpret_cast<const char*>(w.sync_.data()), w.sync_.size());
  w.schema_ = std::move(schema);
  return w;
}

Status AvroWriter::Append(const AvroDatum& record) {
  if (finished_) return Status::InvalidArgument("avro: Append after Finish");
  size_t before = block_.size();
  Status s = EncodeDatum(schema_.root(), record, &block_);
  if (!s.ok()) {
    block_.resize(before);
    return s.WithContext(fmt::format("record {}", records_));
  }
  ++block_records_;
  ++records_;
  if (block_.size() >= options_.block_bytes ||
      (options_.block_records > 0 && static_cast<size_t>(block_records_) >= options_.block_records))
    return FlushBlock();
  return Status::Ok();
}

Status AvroWriter::FlushBlock() {
  if (block_records_ == 0) return Status::Ok();
  std::string_view data = block_;
  if (options_.codec == AvroCodec::kDeflate) {
    FLOE_RETURN_IF_ERROR(DeflateRaw(block_, options_.deflate_level, &compressed_));
    data = compressed_;
  }
  PutLong(&out_, block_records_);
  PutLong(&out_, static_cast<int64_t>(data.size()));
  out_.append(data);
  out_.append(reinterpret_cast<const char*>(sync_.data()), sync_.size());
  block_.clear();
  block_records_ = 0;
  return Status::Ok();
}

Result<std::string> AvroWriter::Finish() {
  if (finished_) return Status::InvalidArgument("avro: Finish called twice");
  FLOE_RETURN_IF_ERROR(FlushBlock());
  finished_ = true;
  return std::move(out_);
}

// ---- AvroReader ----

Result<AvroReader> AvroReader::Open(std::string_view data, std::string name, AvroReaderOptions options) {
  AvroReader r;
  r.data_ = data;
  r.name_ = name.empty() ? "avro" : std::move(name);
  r.options_ = options;
  const std::string& n = r.name_;
  if (data.size() < sizeof(kMagic) || std::memcmp(data.data(), kMagic, sizeof(kMagic)) != 0) {
    if (data.size() < sizeof(kMagic))
      return Status::Corruption(
          fmt::format("{}: {} bytes is too short for an Avro object container file", n, data.size()));
    return Status::Corruption(
        fmt::format("{}: not an Avro object container file: starts with {}, not 4f 62 6a 01 (\"Obj\\x01\")", n,
                    Hex(data.substr(0, 4))));
  }
  // The metadata map, decoded with the general decoder so that its limits apply.
  AvroDecoder header(data.substr(sizeof(kMagic)), sizeof(kMagic), "byte", options.limits);
  AvroDatum meta;
  Status s = header.Decode(MetadataSchema(), &meta);
  if (!s.ok()) return Status::Corruption(fmt::format("{}: header metadata: {}", n, s.message()));
  for (auto& e : meta.mutable_entries()) r.metadata_.emplace_back(std::move(e.key), std::move(e.value.as_bytes()));
  size_t pos = sizeof(kMagic) + header.position();
  if (data.size() - pos < kAvroSyncSize)
    return Status::Corruption(
        fmt::format("{}: header: sync marker at byte {} truncated ({} of 16 bytes)", n, pos, data.size() - pos));
  std::memcpy(r.sync_.data(), data.data() + pos, kAvroSyncSize);
  r.next_block_ = pos + kAvroSyncSize;

  const std::string* schema_json = r.FindMetadata(kSchemaKey);
  if (!schema_json) return Status::Corruption(fmt::format("{}: header: no avro.schema in the metadata", n));
  auto schema = AvroSchema::Parse(*schema_json);
  if (!schema.ok()) return Status::Corruption(fmt::format("{}: header: avro.schema: {}", n, schema.status().message()));
  r.schema_ = std::move(schema).value();
  r.root_may_be_empty_ = MayBeEmpty(r.schema_.root());
  if (const std::string* codec = r.FindMetadata(kCodecKey)) {
    auto c = ParseAvroCodec(*codec);
    if (!c.ok()) return c.status().WithContext(n);
    r.codec_ = *c;
  }
  r.decoder_ = AvroDecoder(std::string_view(), 0, "byte", options.limits);
  return r;
}

const std::string* AvroReader::FindMetadata(std::string_view key) const {
  for (const auto& [k, v] : metadata_)
    if (k == key) return &v;
  return nullptr;
}

Status AvroReader::BlockError(std::string_view why) const {
  return Status::Corruption(fmt::format("{}: block {} at byte {}: {}", name_, block_index_, block_start_, why));
}

std::string_view AvroReader::BlockData() const {
  return block_inflated_ ? std::string_view(inflated_) : data_.substr(block_data_offset_, block_data_size_);
}

Status AvroReader::LoadBlock() {
  ++block_index_;
  block_start_ = next_block_;
  size_t pos = next_block_;
  int64_t count, size;
  std::string why;
  if (!ReadHeaderLong(data_, &pos, "record count", &count, &why) ||
      !ReadHeaderLong(data_, &pos, "byte size", &size, &why))
    return BlockError(why);
  if (count < 0) return BlockError(fmt::format("negative record count {}", count));
  if (size < 0) return BlockError(fmt::format("negative byte size {}", size));
  size_t left = data_.size() - pos;
  if (static_cast<uint64_t>(size) > left)
    return BlockError(
        fmt::format("block of {} bytes runs past the end of the file ({} bytes left; truncated?)", size, left));
  size_t data_offset = pos;
  pos += size;
  if (data_.size() - pos < kAvroSyncSize)
    return BlockError(fmt::format("sync marker at byte {} truncated ({} of 16 bytes)", pos, data_.size() - pos));
  if (std::memcmp(data_.data() + pos, sync_.data(), kAvroSyncSize) != 0)
    return BlockError(fmt::format("sync marker mismatch at byte {} (the block is corrupt or its size is wrong)", pos));
  next_block_ = pos + kAvroSyncSize;

  if (codec_ == AvroCodec::kDeflate) {
    if (!InflateRaw(data_.substr(data_offset, size), options_.max_block_bytes, &inflated_, &why))
      return BlockError("deflate: " + why);
    block_inflated_ = true;
    block_data_size_ = inflated_.size();
  } else {
    if (static_cast<uint64_t>(size) > options_.max_block_bytes)
      return BlockError(
          fmt::format("block of {} bytes is larger than the limit of {}", size, options_.max_block_bytes));
    block_inflated_ = false;
    block_data_offset_ = data_offset;
    block_data_size_ = size;
  }
  if (root_may_be_empty_) {
    decoder_.Reset(BlockData(), 0, "byte");
    Status s = decoder_.ChargeEmptyItems(count, "block");
    if (!s.ok()) return BlockError(s.message());
  } else if (static_cast<uint64_t>(count) > block_data_size_) {
    return BlockError(fmt::format("{} records cannot fit in {} bytes", count, block_data_size_));
  }
  if (count == 0 && block_data_size_ != 0)
    return BlockError(fmt::format("no records but {} bytes of data", block_data_size_));
  block_pos_ = 0;
  block_count_ = count;
  block_left_ = count;
  return Status::Ok();
}

Result<bool> AvroReader::Next(AvroDatum* record) {
  if (!error_.ok()) return error_;
  while (block_left_ == 0) {
    if (next_block_ >= data_.size()) return false;
    error_ = LoadBlock();
    if (!error_.ok()) return error_;
  }
  std::string_view block = BlockData();
  decoder_.Reset(block.substr(block_pos_), block_inflated_ ? block_pos_ : block_data_offset_ + block_pos_,
                 block_inflated_ ? "inflated byte" : "byte");
  int64_t index = block_count_ - block_left_;
  Status s = decoder_.Decode(schema_.root(), record);
  if (!s.ok()) {
    error_ = BlockError(fmt::format("record {} of {}: {}", index, block_count_, s.message()));
    return error_;
  }
  block_pos_ += decoder_.position();
  if (--block_left_ == 0 && block_pos_ != block.size()) {
    error_ = BlockError(fmt::format("its {} records take {} of its {} bytes", block_count_, block_pos_, block.size()));
    return error_;
  }
  return true;
}

Status AvroReader::ReadAll(std::vector<AvroDatum>* records) {
  while (true) {
    AvroDatum d;
    auto more = Next(&d);
    if (!more.ok()) return more.status();
    if (!*more) return Status::Ok();
    records->push_back(std::move(d));
  }
}

}  // namespace floe::avro
