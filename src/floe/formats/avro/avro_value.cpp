#include "floe/formats/avro/avro_value.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "floe/base/byte_buffer.h"
#include "floe/base/varint.h"
#include "floe/formats/avro/avro_json.h"

namespace floe::avro {

using Json = nlohmann::ordered_json;

// ---- AvroDatum ----

AvroDatum AvroDatum::Enum(int32_t symbol_index) {
  AvroDatum d;
  d.kind_ = AvroType::kEnum;
  d.index_ = symbol_index;
  return d;
}

AvroDatum AvroDatum::Record(std::vector<AvroDatum> fields) {
  AvroDatum d;
  d.kind_ = AvroType::kRecord;
  d.value_ = std::move(fields);
  return d;
}

AvroDatum AvroDatum::Array(std::vector<AvroDatum> items) {
  AvroDatum d;
  d.kind_ = AvroType::kArray;
  d.value_ = std::move(items);
  return d;
}

AvroDatum AvroDatum::Map(std::vector<AvroMapEntry> entries) {
  AvroDatum d;
  d.kind_ = AvroType::kMap;
  d.value_ = std::move(entries);
  return d;
}

AvroDatum AvroDatum::Union(int32_t branch, AvroDatum value) {
  AvroDatum d;
  d.kind_ = AvroType::kUnion;
  d.index_ = branch;
  std::vector<AvroDatum> v;
  v.push_back(std::move(value));
  d.value_ = std::move(v);
  return d;
}

bool AvroDatum::is_null() const {
  return kind_ == AvroType::kNull || (kind_ == AvroType::kUnion && union_value().kind_ == AvroType::kNull);
}

bool AvroDatum::operator==(const AvroDatum& other) const {
  if (kind_ != other.kind_ || index_ != other.index_) return false;
  switch (kind_) {
    case AvroType::kFloat: return std::bit_cast<uint32_t>(as_float()) == std::bit_cast<uint32_t>(other.as_float());
    case AvroType::kDouble: return std::bit_cast<uint64_t>(as_double()) == std::bit_cast<uint64_t>(other.as_double());
    default: return value_ == other.value_;
  }
}

const AvroDatum* FindField(const AvroNode& record_schema, const AvroDatum& record, std::string_view name) {
  int i = record_schema.FieldIndex(name);
  if (i < 0 || record.kind() != AvroType::kRecord || static_cast<size_t>(i) >= record.fields().size()) return nullptr;
  return &record.fields()[i];
}

// ---- helpers ----

bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    // Skip ASCII 8 bytes at a time.
    while (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (w & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= n) break;
    uint8_t c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

std::string Printable(std::string_view s, size_t max) {
  bool utf8 = IsValidUtf8(s);
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (out.size() >= max) {
      // Do not cut a UTF-8 sequence in two.
      while (!out.empty() && (static_cast<uint8_t>(out.back()) & 0xC0) == 0x80) out.pop_back();
      if (!out.empty() && static_cast<uint8_t>(out.back()) >= 0xC0) out.pop_back();
      return out + "...";
    }
    auto c = static_cast<uint8_t>(s[i]);
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8) || c == '\\') {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

namespace {

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutLong(std::string* out, int64_t v) {
  PutVarint(out, ZigZagEncode64(v));
}

template <typename T>
void PutLittle(std::string* out, T v) {
  if constexpr (std::endian::native == std::endian::big) v = ByteSwap(v);
  out->append(reinterpret_cast<const char*>(&v), sizeof(v));
}

template <typename T>
T GetLittle(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(v));
  if constexpr (std::endian::native == std::endian::big) v = ByteSwap(v);
  return v;
}

// "$.a.b[3][\"key\"]" from path components.
struct PathPart {
  std::string_view name;
  int64_t index;  // -1 for a name
  bool key;
};

std::string FormatPath(const std::vector<PathPart>& parts) {
  std::string s = "$";
  for (const auto& p : parts) {
    if (p.index >= 0) {
      s += fmt::format("[{}]", p.index);
    } else if (p.key) {
      s += "[\"";
      s += Printable(p.name);
      s += "\"]";
    } else {
      s += '.';
      s += p.name;
    }
  }
  return s;
}

std::string DescribeKind(const AvroDatum& d) {
  if (d.kind() == AvroType::kUnion) return fmt::format("union (branch {})", d.union_branch());
  return std::string(AvroTypeName(d.kind()));
}

// The branch of union `u` that takes a non-union datum of kind `kind`: -1 if none, -2 if several.
int ImplicitBranch(const AvroNode& u, AvroType kind) {
  int found = -1;
  for (size_t i = 0; i < u.branches.size(); ++i) {
    if (u.branches[i]->type != kind) continue;
    if (found >= 0) return -2;
    found = static_cast<int>(i);
  }
  return found;
}

std::string UnionDescription(const AvroNode& u) {
  std::string s = "[";
  for (size_t i = 0; i < u.branches.size(); ++i) {
    if (i) s += ", ";
    s += u.branches[i]->JsonName();
  }
  return s + "]";
}

// Resolves the branch a datum takes in union `u`: its index and value, or an error message.
bool ResolveBranch(const AvroNode& u, const AvroDatum& d, int* branch, const AvroDatum** value, std::string* why) {
  if (d.kind() == AvroType::kUnion) {
    if (d.union_branch() < 0 || static_cast<size_t>(d.union_branch()) >= u.branches.size()) {
      *why = fmt::format("union branch {} out of range for {}", d.union_branch(), UnionDescription(u));
      return false;
    }
    *branch = d.union_branch();
    *value = &d.union_value();
    return true;
  }
  int b = ImplicitBranch(u, d.kind());
  if (b < 0) {
    *why = fmt::format("a {} datum {} union {}", AvroTypeName(d.kind()),
                       b == -1 ? "fits no branch of" : "is ambiguous (use AvroDatum::Union) for", UnionDescription(u));
    return false;
  }
  *branch = b;
  *value = &d;
  return true;
}

// ---- encoding ----

class Encoder {
 public:
  explicit Encoder(std::string* out) : out_(out) {}

  Status Encode(const AvroNode& s, const AvroDatum& d, int depth) {
    if (depth > AvroDecodeLimits().max_depth)
      return Error(fmt::format("nested deeper than {} levels", AvroDecodeLimits().max_depth));
    if (s.type == AvroType::kUnion) {
      int branch;
      const AvroDatum* value;
      std::string why;
      if (!ResolveBranch(s, d, &branch, &value, &why)) return Error(why);
      PutLong(out_, branch);
      return Encode(*s.branches[branch], *value, depth + 1);
    }
    if (d.kind() != s.type)
      return Error(fmt::format("expected a {} datum, got {}", AvroTypeName(s.type), DescribeKind(d)));
    switch (s.type) {
      case AvroType::kNull: return Status::Ok();
      case AvroType::kBoolean: out_->push_back(d.as_bool() ? 1 : 0); return Status::Ok();
      case AvroType::kInt: PutVarint(out_, ZigZagEncode32(d.as_int())); return Status::Ok();
      case AvroType::kLong: PutLong(out_, d.as_long()); return Status::Ok();
      case AvroType::kFloat: PutLittle(out_, std::bit_cast<uint32_t>(d.as_float())); return Status::Ok();
      case AvroType::kDouble: PutLittle(out_, std::bit_cast<uint64_t>(d.as_double())); return Status::Ok();
      case AvroType::kString:
        if (!IsValidUtf8(d.as_string())) return Error("string is not valid UTF-8");
        [[fallthrough]];
      case AvroType::kBytes:
        PutLong(out_, static_cast<int64_t>(d.as_bytes().size()));
        out_->append(d.as_bytes());
        return Status::Ok();
      case AvroType::kFixed:
        if (static_cast<int64_t>(d.as_bytes().size()) != s.size)
          return Error(fmt::format("fixed {} takes {} bytes, got {}", s.full_name, s.size, d.as_bytes().size()));
        out_->append(d.as_bytes());
        return Status::Ok();
      case AvroType::kEnum:
        if (d.enum_index() < 0 || static_cast<size_t>(d.enum_index()) >= s.symbols.size())
          return Error(fmt::format("enum index {} out of range for {} ({} symbols)", d.enum_index(), s.full_name,
                                   s.symbols.size()));
        PutVarint(out_, ZigZagEncode32(d.enum_index()));
        return Status::Ok();
      case AvroType::kRecord: {
        const auto& fields = d.fields();
        if (fields.size() != s.fields.size())
          return Error(
              fmt::format("record {} has {} fields, the datum {}", s.full_name, s.fields.size(), fields.size()));
        for (size_t i = 0; i < fields.size(); ++i) {
          path_.push_back({s.fields[i].name, -1, false});
          FLOE_RETURN_IF_ERROR(Encode(*s.fields[i].type, fields[i], depth + 1));
          path_.pop_back();
        }
        return Status::Ok();
      }
      case AvroType::kArray: {
        const auto& items = d.items();
        if (!items.empty()) PutLong(out_, static_cast<int64_t>(items.size()));
        for (size_t i = 0; i < items.size(); ++i) {
          path_.push_back({{}, static_cast<int64_t>(i), false});
          FLOE_RETURN_IF_ERROR(Encode(*s.items, items[i], depth + 1));
          path_.pop_back();
        }
        out_->push_back(0);
        return Status::Ok();
      }
      case AvroType::kMap: {
        const auto& entries = d.entries();
        if (!entries.empty()) PutLong(out_, static_cast<int64_t>(entries.size()));
        for (const auto& e : entries) {
          path_.push_back({e.key, -1, true});
          if (!IsValidUtf8(e.key)) return Error("map key is not valid UTF-8");
          PutLong(out_, static_cast<int64_t>(e.key.size()));
          out_->append(e.key);
          FLOE_RETURN_IF_ERROR(Encode(*s.values, e.value, depth + 1));
          path_.pop_back();
        }
        out_->push_back(0);
        return Status::Ok();
      }
      case AvroType::kUnion: break;
    }
    return Status::Internal("avro: unknown schema type");
  }

 private:
  Status Error(std::string_view why) const {
    return Status::InvalidArgument(fmt::format("avro: {}: {}", FormatPath(path_), why));
  }

  std::string* out_;
  std::vector<PathPart> path_;
};

bool MayBeEmptyImpl(const AvroNode& s, int depth) {
  if (depth > 64) return true;  // a record that contains itself: be conservative
  switch (s.type) {
    case AvroType::kNull: return true;
    case AvroType::kFixed: return s.size == 0;
    case AvroType::kRecord:
      for (const auto& f : s.fields)
        if (!MayBeEmptyImpl(*f.type, depth + 1)) return false;
      return true;
    default: return false;
  }
}

}  // namespace

Status EncodeDatum(const AvroNode& schema, const AvroDatum& datum, std::string* out) {
  Encoder e(out);
  return e.Encode(schema, datum, 0);
}

bool MayBeEmpty(const AvroNode& schema) {
  return MayBeEmptyImpl(schema, 0);
}

// ---- decoding ----

AvroDecoder::AvroDecoder(std::string_view data, size_t base_offset, std::string_view offset_name,
                         AvroDecodeLimits limits)
    : data_(data), base_(base_offset), offset_name_(offset_name), limits_(limits) {}

void AvroDecoder::Reset(std::string_view data, size_t base_offset, std::string_view offset_name) {
  data_ = data;
  pos_ = 0;
  base_ = base_offset;
  offset_name_ = offset_name;
}

std::string AvroDecoder::Path() const {
  std::vector<PathPart> parts;
  parts.reserve(path_.size());
  for (const auto& p : path_) parts.push_back({p.name, p.index, p.key});
  return FormatPath(parts);
}

Status AvroDecoder::Error(size_t at, std::string_view why) const {
  if (!in_datum_) return Status::Corruption(fmt::format("at {} {}: {}", offset_name_, base_ + at, why));
  return Status::Corruption(fmt::format("{} at {} {}: {}", Path(), offset_name_, base_ + at, why));
}

Status AvroDecoder::ChargeEmptyItems(uint64_t n, std::string_view what) {
  if (n > limits_.max_empty_items - empty_items_)
    return Error(pos_, fmt::format("{} of {} items that take no bytes passes the limit of {} such items", what, n,
                                   limits_.max_empty_items));
  empty_items_ += n;
  return Status::Ok();
}

Status AvroDecoder::ReadVarint(std::string_view what, int max_bytes, uint64_t* out) {
  size_t start = pos_;
  uint64_t v = 0;
  for (int i = 0; i < max_bytes; ++i) {
    if (pos_ >= data_.size()) return Error(start, fmt::format("{} truncated", what));
    auto b = static_cast<uint8_t>(data_[pos_++]);
    v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) {
      // The last byte may only carry the bits that are left: 4 of 32, 1 of 64.
      if (i == max_bytes - 1 && b > (max_bytes == 5 ? 0x0f : 0x01))
        return Error(start, fmt::format("{} varint overflows {} bits", what, max_bytes == 5 ? 32 : 64));
      *out = v;
      return Status::Ok();
    }
  }
  return Error(start, fmt::format("{} varint longer than {} bytes", what, max_bytes));
}

Status AvroDecoder::ReadLong(std::string_view what, int64_t* out) {
  uint64_t v;
  FLOE_RETURN_IF_ERROR(ReadVarint(what, 10, &v));
  *out = ZigZagDecode64(v);
  return Status::Ok();
}

Status AvroDecoder::ReadRaw(size_t n, std::string_view what, std::string_view* out) {
  if (n > remaining())
    return Error(pos_, fmt::format("{} of {} bytes runs past the end ({} bytes left)", what, n, remaining()));
  *out = data_.substr(pos_, n);
  pos_ += n;
  return Status::Ok();
}

Status AvroDecoder::Decode(const AvroNode& schema, AvroDatum* out) {
  path_.clear();
  in_datum_ = true;
  Status s = DecodeNode(schema, out, 0);
  in_datum_ = false;
  return s;
}

Status AvroDecoder::DecodeNode(const AvroNode& s, AvroDatum* out, int depth) {
  switch (s.type) {
    case AvroType::kNull: *out = AvroDatum(); return Status::Ok();
    case AvroType::kBoolean: {
      if (pos_ >= data_.size()) return Error(pos_, "boolean truncated");
      auto b = static_cast<uint8_t>(data_[pos_]);
      if (b > 1) return Error(pos_, fmt::format("boolean byte {} is not 0 or 1", b));
      ++pos_;
      *out = AvroDatum::Boolean(b == 1);
      return Status::Ok();
    }
    case AvroType::kInt: {
      uint64_t v;
      FLOE_RETURN_IF_ERROR(ReadVarint("int", 5, &v));
      *out = AvroDatum::Int(ZigZagDecode32(static_cast<uint32_t>(v)));
      return Status::Ok();
    }
    case AvroType::kLong: {
      int64_t v;
      FLOE_RETURN_IF_ERROR(ReadLong("long", &v));
      *out = AvroDatum::Long(v);
      return Status::Ok();
    }
    case AvroType::kFloat: {
      if (remaining() < 4) return Error(pos_, "float truncated");
      *out = AvroDatum::Float(std::bit_cast<float>(GetLittle<uint32_t>(data_.data() + pos_)));
      pos_ += 4;
      return Status::Ok();
    }
    case AvroType::kDouble: {
      if (remaining() < 8) return Error(pos_, "double truncated");
      *out = AvroDatum::Double(std::bit_cast<double>(GetLittle<uint64_t>(data_.data() + pos_)));
      pos_ += 8;
      return Status::Ok();
    }
    case AvroType::kBytes:
    case AvroType::kString: {
      size_t at = pos_;
      bool string = s.type == AvroType::kString;
      int64_t n;
      FLOE_RETURN_IF_ERROR(ReadLong(string ? "string length" : "bytes length", &n));
      if (n < 0) return Error(at, fmt::format("negative {} length {}", AvroTypeName(s.type), n));
      if (static_cast<uint64_t>(n) > remaining())
        return Error(
            at, fmt::format("{} length {} runs past the end ({} bytes left)", AvroTypeName(s.type), n, remaining()));
      std::string_view v = data_.substr(pos_, n);
      if (string && !IsValidUtf8(v)) return Error(at, "string is not valid UTF-8");
      pos_ += n;
      *out = string ? AvroDatum::String(std::string(v)) : AvroDatum::Bytes(std::string(v));
      return Status::Ok();
    }
    case AvroType::kFixed: {
      if (static_cast<uint64_t>(s.size) > remaining())
        return Error(pos_, fmt::format("fixed {} of {} bytes runs past the end ({} bytes left)", s.full_name, s.size,
                                       remaining()));
      if (s.size == 0) FLOE_RETURN_IF_ERROR(ChargeEmptyItems(1, "fixed"));
      *out = AvroDatum::Fixed(std::string(data_.substr(pos_, s.size)));
      pos_ += s.size;
      return Status::Ok();
    }
    case AvroType::kEnum: {
      size_t at = pos_;
      uint64_t v;
      FLOE_RETURN_IF_ERROR(ReadVarint("enum index", 5, &v));
      int32_t i = ZigZagDecode32(static_cast<uint32_t>(v));
      if (i < 0 || static_cast<size_t>(i) >= s.symbols.size())
        return Error(at,
                     fmt::format("enum index {} out of range for {} ({} symbols)", i, s.full_name, s.symbols.size()));
      *out = AvroDatum::Enum(i);
      return Status::Ok();
    }
    default: break;
  }
  if (depth >= limits_.max_depth) return Error(pos_, fmt::format("nested deeper than {} levels", limits_.max_depth));
  switch (s.type) {
    case AvroType::kRecord: {
      std::vector<AvroDatum> fields(s.fields.size());
      for (size_t i = 0; i < fields.size(); ++i) {
        path_.push_back({s.fields[i].name, -1, false});
        FLOE_RETURN_IF_ERROR(DecodeNode(*s.fields[i].type, &fields[i], depth + 1));
        path_.pop_back();
      }
      *out = AvroDatum::Record(std::move(fields));
      return Status::Ok();
    }
    case AvroType::kUnion: {
      size_t at = pos_;
      int64_t branch;
      FLOE_RETURN_IF_ERROR(ReadLong("union branch", &branch));
      if (branch < 0 || static_cast<uint64_t>(branch) >= s.branches.size())
        return Error(at, fmt::format("union branch {} out of range for {}", branch, UnionDescription(s)));
      AvroDatum value;
      FLOE_RETURN_IF_ERROR(DecodeNode(*s.branches[branch], &value, depth + 1));
      *out = AvroDatum::Union(static_cast<int32_t>(branch), std::move(value));
      return Status::Ok();
    }
    case AvroType::kArray:
    case AvroType::kMap: return DecodeBlocks(s, out, depth);
    default: return Status::Internal("avro: unknown schema type");
  }
}

Status AvroDecoder::DecodeBlocks(const AvroNode& s, AvroDatum* out, int depth) {
  bool array = s.type == AvroType::kArray;
  const AvroNode& item = array ? *s.items : *s.values;
  // Map entries start with a key length, so take at least a byte; array items may take none.
  bool may_be_empty = array && MayBeEmpty(item);
  std::vector<AvroDatum> items;
  std::vector<AvroMapEntry> entries;
  int64_t index = 0;
  while (true) {
    size_t at = pos_;
    int64_t count;
    FLOE_RETURN_IF_ERROR(ReadLong("block count", &count));
    if (count == 0) break;
    int64_t bytes = -1;
    bool sized = count < 0;
    if (sized) {
      if (count == std::numeric_limits<int64_t>::min()) return Error(at, "block count out of range");
      count = -count;
      FLOE_RETURN_IF_ERROR(ReadLong("block size", &bytes));
      if (bytes < 0 || static_cast<uint64_t>(bytes) > remaining())
        return Error(at, fmt::format("block of {} bytes runs past the end ({} bytes left)", bytes, remaining()));
    }
    size_t items_start = pos_;
    if (may_be_empty) {
      FLOE_RETURN_IF_ERROR(ChargeEmptyItems(count, "array block"));
    } else if (static_cast<uint64_t>(count) > remaining()) {
      return Error(at, fmt::format("block of {} items runs past the end ({} bytes left)", count, remaining()));
    }
    if (array) {
      items.reserve(items.size() + std::min<int64_t>(count, 4096));
      for (int64_t i = 0; i < count; ++i, ++index) {
        path_.push_back({{}, index, false});
        FLOE_RETURN_IF_ERROR(DecodeNode(item, &items.emplace_back(), depth + 1));
        path_.pop_back();
      }
    } else {
      entries.reserve(entries.size() + std::min<int64_t>(count, 4096));
      for (int64_t i = 0; i < count; ++i, ++index) {
        AvroMapEntry& e = entries.emplace_back();
        size_t key_at = pos_;
        int64_t n;
        FLOE_RETURN_IF_ERROR(ReadLong("map key length", &n));
        if (n < 0 || static_cast<uint64_t>(n) > remaining())
          return Error(key_at, fmt::format("map key length {} runs past the end ({} bytes left)", n, remaining()));
        e.key.assign(data_.substr(pos_, n));
        if (!IsValidUtf8(e.key)) return Error(key_at, "map key is not valid UTF-8");
        pos_ += n;
        path_.push_back({e.key, -1, true});
        FLOE_RETURN_IF_ERROR(DecodeNode(item, &e.value, depth + 1));
        path_.pop_back();
      }
    }
    if (sized && pos_ - items_start != static_cast<uint64_t>(bytes))
      return Error(at, fmt::format("block says {} bytes, its {} items took {}", bytes, count, pos_ - items_start));
  }
  *out = array ? AvroDatum::Array(std::move(items)) : AvroDatum::Map(std::move(entries));
  return Status::Ok();
}

// ---- JSON ----

namespace {

constexpr int kMaxJsonDepth = 100;

std::string Compact(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// JSON output is ASCII (non-ASCII characters as \uXXXX escapes), as Python's json.dumps writes it, so that line-based
// readers that also split at U+0085 or U+2028 see one datum per line.
std::string Output(const Json& j) {
  return j.dump(-1, ' ', true, Json::error_handler_t::replace);
}

// Bytes as a string of code points 0-255, UTF-8 encoded.
std::string BytesToCodePoints(std::string_view b) {
  std::string s;
  s.reserve(b.size());
  for (char ch : b) {
    auto c = static_cast<uint8_t>(ch);
    if (c < 0x80) {
      s.push_back(static_cast<char>(c));
    } else {
      s.push_back(static_cast<char>(0xC0 | (c >> 6)));
      s.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return s;
}

// The inverse; false if a code point is above 255. `s` is valid UTF-8 (nlohmann checks when parsing).
bool CodePointsToBytes(std::string_view s, std::string* out) {
  out->clear();
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<uint8_t>(s[i]);
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
    } else if ((c == 0xC2 || c == 0xC3) && i + 1 < s.size()) {
      out->push_back(static_cast<char>(((c & 0x03) << 6) | (static_cast<uint8_t>(s[++i]) & 0x3F)));
    } else {
      return false;
    }
  }
  return true;
}

Json FloatingToJson(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return v;
}

Status JsonError(const std::string& path, std::string_view why) {
  return Status::InvalidArgument(fmt::format("{}: {}", path, why));
}

Status ToJson(const AvroNode& s, const AvroDatum& d, const std::string& path, int depth, Json* out) {
  if (depth > kMaxJsonDepth) return JsonError(path, fmt::format("nested deeper than {} levels", kMaxJsonDepth));
  if (s.type == AvroType::kUnion) {
    int branch;
    const AvroDatum* value;
    std::string why;
    if (!ResolveBranch(s, d, &branch, &value, &why)) return JsonError(path, why);
    const AvroNode& b = *s.branches[branch];
    if (b.type == AvroType::kNull) {
      *out = nullptr;
      return value->kind() == AvroType::kNull ? Status::Ok() : JsonError(path, "expected a null datum");
    }
    Json inner;
    FLOE_RETURN_IF_ERROR(ToJson(b, *value, path, depth + 1, &inner));
    *out = Json::object();
    (*out)[std::string(b.JsonName())] = std::move(inner);
    return Status::Ok();
  }
  if (d.kind() != s.type)
    return JsonError(path, fmt::format("expected a {} datum, got {}", AvroTypeName(s.type), DescribeKind(d)));
  switch (s.type) {
    case AvroType::kNull: *out = nullptr; return Status::Ok();
    case AvroType::kBoolean: *out = d.as_bool(); return Status::Ok();
    case AvroType::kInt: *out = d.as_int(); return Status::Ok();
    case AvroType::kLong: *out = d.as_long(); return Status::Ok();
    case AvroType::kFloat: *out = FloatingToJson(d.as_float()); return Status::Ok();
    case AvroType::kDouble: *out = FloatingToJson(d.as_double()); return Status::Ok();
    case AvroType::kString: *out = d.as_string(); return Status::Ok();
    case AvroType::kBytes:
    case AvroType::kFixed: *out = BytesToCodePoints(d.as_bytes()); return Status::Ok();
    case AvroType::kEnum:
      if (d.enum_index() < 0 || static_cast<size_t>(d.enum_index()) >= s.symbols.size())
        return JsonError(path, fmt::format("enum index {} out of range", d.enum_index()));
      *out = s.symbols[d.enum_index()];
      return Status::Ok();
    case AvroType::kRecord: {
      if (d.fields().size() != s.fields.size())
        return JsonError(path, fmt::format("record {} has {} fields, the datum {}", s.full_name, s.fields.size(),
                                           d.fields().size()));
      *out = Json::object();
      for (size_t i = 0; i < s.fields.size(); ++i) {
        Json v;
        FLOE_RETURN_IF_ERROR(ToJson(*s.fields[i].type, d.fields()[i], path + "." + s.fields[i].name, depth + 1, &v));
        (*out)[s.fields[i].name] = std::move(v);
      }
      return Status::Ok();
    }
    case AvroType::kArray: {
      *out = Json::array();
      for (size_t i = 0; i < d.items().size(); ++i) {
        Json v;
        FLOE_RETURN_IF_ERROR(ToJson(*s.items, d.items()[i], fmt::format("{}[{}]", path, i), depth + 1, &v));
        out->push_back(std::move(v));
      }
      return Status::Ok();
    }
    case AvroType::kMap: {
      *out = Json::object();
      for (const auto& e : d.entries()) {
        Json v;
        FLOE_RETURN_IF_ERROR(
            ToJson(*s.values, e.value, fmt::format("{}[\"{}\"]", path, Printable(e.key)), depth + 1, &v));
        (*out)[e.key] = std::move(v);
      }
      return Status::Ok();
    }
    case AvroType::kUnion: break;
  }
  return Status::Internal("avro: unknown schema type");
}

bool JsonFloating(const Json& j, double* v) {
  if (j.is_number()) {
    *v = j.get<double>();
    return true;
  }
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (s == "NaN")
      *v = std::numeric_limits<double>::quiet_NaN();
    else if (s == "Infinity")
      *v = std::numeric_limits<double>::infinity();
    else if (s == "-Infinity")
      *v = -std::numeric_limits<double>::infinity();
    else
      return false;
    return true;
  }
  return false;
}

bool JsonInteger(const Json& j, int64_t* v) {
  if (!j.is_number_integer()) return false;
  if (j.is_number_unsigned() && j.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return false;
  *v = j.get<int64_t>();
  return true;
}

Status FromJson(const AvroNode& s, const Json& j, bool default_form, const std::string& path, int depth,
                AvroDatum* out) {
  if (depth > kMaxJsonDepth) return JsonError(path, fmt::format("nested deeper than {} levels", kMaxJsonDepth));
  auto expected = [&](std::string_view what) {
    return JsonError(path,
                     fmt::format("expected {} for {}, got {}", what, AvroTypeName(s.type), Compact(j).substr(0, 80)));
  };
  switch (s.type) {
    case AvroType::kNull:
      if (!j.is_null()) return expected("null");
      *out = AvroDatum::Null();
      return Status::Ok();
    case AvroType::kBoolean:
      if (!j.is_boolean()) return expected("true or false");
      *out = AvroDatum::Boolean(j.get<bool>());
      return Status::Ok();
    case AvroType::kInt: {
      int64_t v;
      if (!JsonInteger(j, &v) || v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
        return expected("a 32-bit integer");
      *out = AvroDatum::Int(static_cast<int32_t>(v));
      return Status::Ok();
    }
    case AvroType::kLong: {
      int64_t v;
      if (!JsonInteger(j, &v)) return expected("a 64-bit integer");
      *out = AvroDatum::Long(v);
      return Status::Ok();
    }
    case AvroType::kFloat:
    case AvroType::kDouble: {
      double v;
      if (!JsonFloating(j, &v)) return expected("a number");
      *out = s.type == AvroType::kFloat ? AvroDatum::Float(static_cast<float>(v)) : AvroDatum::Double(v);
      return Status::Ok();
    }
    case AvroType::kString:
      if (!j.is_string()) return expected("a string");
      *out = AvroDatum::String(j.get<std::string>());
      return Status::Ok();
    case AvroType::kBytes:
    case AvroType::kFixed: {
      std::string b;
      if (!j.is_string() || !CodePointsToBytes(j.get_ref<const std::string&>(), &b))
        return expected("a string of code points 0-255");
      if (s.type == AvroType::kFixed) {
        if (static_cast<int64_t>(b.size()) != s.size)
          return JsonError(path, fmt::format("fixed {} takes {} bytes, got {}", s.full_name, s.size, b.size()));
        *out = AvroDatum::Fixed(std::move(b));
      } else {
        *out = AvroDatum::Bytes(std::move(b));
      }
      return Status::Ok();
    }
    case AvroType::kEnum: {
      if (!j.is_string()) return expected("a symbol");
      auto it = std::find(s.symbols.begin(), s.symbols.end(), j.get_ref<const std::string&>());
      if (it == s.symbols.end()) return expected("one of the symbols");
      *out = AvroDatum::Enum(static_cast<int32_t>(it - s.symbols.begin()));
      return Status::Ok();
    }
    case AvroType::kArray: {
      if (!j.is_array()) return expected("an array");
      std::vector<AvroDatum> items(j.size());
      for (size_t i = 0; i < j.size(); ++i)
        FLOE_RETURN_IF_ERROR(
            FromJson(*s.items, j[i], default_form, fmt::format("{}[{}]", path, i), depth + 1, &items[i]));
      *out = AvroDatum::Array(std::move(items));
      return Status::Ok();
    }
    case AvroType::kMap: {
      if (!j.is_object()) return expected("an object");
      std::vector<AvroMapEntry> entries;
      entries.reserve(j.size());
      for (const auto& [k, v] : j.items()) {
        AvroMapEntry& e = entries.emplace_back();
        e.key = k;
        FLOE_RETURN_IF_ERROR(
            FromJson(*s.values, v, default_form, fmt::format("{}[\"{}\"]", path, Printable(k)), depth + 1, &e.value));
      }
      *out = AvroDatum::Map(std::move(entries));
      return Status::Ok();
    }
    case AvroType::kRecord: {
      if (!j.is_object()) return expected("an object");
      for (const auto& [k, v] : j.items())
        if (s.FieldIndex(k) < 0) return JsonError(path, fmt::format("record {} has no field \"{}\"", s.full_name, k));
      std::vector<AvroDatum> fields(s.fields.size());
      for (size_t i = 0; i < s.fields.size(); ++i) {
        const AvroField& f = s.fields[i];
        std::string p = path + "." + f.name;
        auto it = j.find(f.name);
        if (it != j.end()) {
          FLOE_RETURN_IF_ERROR(FromJson(*f.type, *it, default_form, p, depth + 1, &fields[i]));
        } else if (f.default_json) {
          Json d = Json::parse(*f.default_json, nullptr, false);
          FLOE_RETURN_IF_ERROR(FromJson(*f.type, d, /*default_form=*/true, p, depth + 1, &fields[i]));
        } else {
          return JsonError(path, fmt::format("missing field \"{}\" (it has no default)", f.name));
        }
      }
      *out = AvroDatum::Record(std::move(fields));
      return Status::Ok();
    }
    case AvroType::kUnion: {
      if (s.branches.empty()) return JsonError(path, "a union without branches has no values");
      if (default_form) {
        AvroDatum v;
        FLOE_RETURN_IF_ERROR(FromJson(*s.branches[0], j, true, path, depth + 1, &v));
        *out = AvroDatum::Union(0, std::move(v));
        return Status::Ok();
      }
      if (j.is_null()) {
        int b = s.NullBranch();
        if (b < 0) return JsonError(path, fmt::format("null for union {} without a null branch", UnionDescription(s)));
        *out = AvroDatum::Union(b, AvroDatum::Null());
        return Status::Ok();
      }
      if (j.is_object() && j.size() == 1) {
        const std::string& key = j.begin().key();
        for (size_t b = 0; b < s.branches.size(); ++b) {
          if (s.branches[b]->JsonName() != key || s.branches[b]->type == AvroType::kNull) continue;
          AvroDatum v;
          FLOE_RETURN_IF_ERROR(FromJson(*s.branches[b], j.begin().value(), false, path, depth + 1, &v));
          *out = AvroDatum::Union(static_cast<int32_t>(b), std::move(v));
          return Status::Ok();
        }
      }
      return JsonError(path, fmt::format("expected null or {{\"<branch>\": value}} for union {}, got {}",
                                         UnionDescription(s), Compact(j).substr(0, 80)));
    }
  }
  return Status::Internal("avro: unknown schema type");
}

}  // namespace

Status JsonToDatum(const AvroNode& schema, const Json& j, bool default_form, const std::string& path, AvroDatum* out) {
  return FromJson(schema, j, default_form, path, 0, out);
}

Status CheckJsonDefault(const AvroNode& type, const Json& value, const std::string& path) {
  AvroDatum d;
  Status s = FromJson(type, value, /*default_form=*/true, path, 0, &d);
  if (!s.ok()) return Status::InvalidArgument(fmt::format("avro schema: invalid default: {}", s.message()));
  return Status::Ok();
}

Result<std::string> DatumToJson(const AvroNode& schema, const AvroDatum& datum) {
  Json j;
  Status s = ToJson(schema, datum, "$", 0, &j);
  if (!s.ok()) return Status::InvalidArgument("avro json: " + s.message());
  return Output(j);
}

Result<AvroDatum> DatumFromJson(const AvroNode& schema, std::string_view json) {
  Json j;
  try {
    j = Json::parse(json);
  } catch (const Json::exception& e) {
    return Status::InvalidArgument(fmt::format("avro json: not valid JSON: {}", Printable(e.what(), 200)));
  }
  AvroDatum d;
  Status s = FromJson(schema, j, false, "$", 0, &d);
  if (!s.ok()) return Status::InvalidArgument("avro json: " + s.message());
  return d;
}

}  // namespace floe::avro
