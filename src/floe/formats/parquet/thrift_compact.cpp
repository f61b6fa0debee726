#include "floe/formats/parquet/thrift_compact.h"

#include <bit>
#include <cassert>
#include <cstring>
#include <limits>
#include <span>

#include "floe/base/varint.h"

namespace floe::parquet {
namespace {

// The fewest bytes an element of `t` takes, for bounding counts by the bytes left; 0 for an invalid element type.
size_t MinElementBytes(CompactType t) {
  switch (t) {
    case CompactType::kDouble: return 8;
    case CompactType::kUuid: return 16;
    case CompactType::kStop: return 0;
    default: return static_cast<uint8_t>(t) <= static_cast<uint8_t>(CompactType::kUuid) ? 1 : 0;
  }
}

}  // namespace

std::string_view CompactTypeName(CompactType t) {
  switch (t) {
    case CompactType::kStop: return "stop";
    case CompactType::kBoolTrue:
    case CompactType::kBoolFalse: return "bool";
    case CompactType::kI8: return "i8";
    case CompactType::kI16: return "i16";
    case CompactType::kI32: return "i32";
    case CompactType::kI64: return "i64";
    case CompactType::kDouble: return "double";
    case CompactType::kBinary: return "binary";
    case CompactType::kList: return "list";
    case CompactType::kSet: return "set";
    case CompactType::kMap: return "map";
    case CompactType::kStruct: return "struct";
    case CompactType::kUuid: return "uuid";
  }
  return "unknown type";
}

// --- ThriftCompactWriter ---

void ThriftCompactWriter::StructEnd() {
  out_->push_back('\0');
  assert(!last_ids_.empty() && "StructEnd without StructBegin");
  last_ids_.pop_back();
}

void ThriftCompactWriter::FieldHeader(int16_t id, CompactType type) {
  assert(!last_ids_.empty() && "a field outside a struct");
  int16_t& last = last_ids_.back();
  const int delta = static_cast<int>(id) - static_cast<int>(last);
  if (delta > 0 && delta <= 15) {
    out_->push_back(static_cast<char>((delta << 4) | static_cast<int>(type)));
  } else {
    out_->push_back(static_cast<char>(type));
    I16(id);
  }
  last = id;
}

void ThriftCompactWriter::FieldI8(int16_t id, int8_t v) {
  FieldHeader(id, CompactType::kI8);
  I8(v);
}

void ThriftCompactWriter::FieldI16(int16_t id, int16_t v) {
  FieldHeader(id, CompactType::kI16);
  I16(v);
}

void ThriftCompactWriter::FieldI32(int16_t id, int32_t v) {
  FieldHeader(id, CompactType::kI32);
  I32(v);
}

void ThriftCompactWriter::FieldI64(int16_t id, int64_t v) {
  FieldHeader(id, CompactType::kI64);
  I64(v);
}

void ThriftCompactWriter::FieldDouble(int16_t id, double v) {
  FieldHeader(id, CompactType::kDouble);
  Double(v);
}

void ThriftCompactWriter::FieldBinary(int16_t id, std::string_view v) {
  FieldHeader(id, CompactType::kBinary);
  Binary(v);
}

void ThriftCompactWriter::FieldListBegin(int16_t id, CompactType element, uint32_t size) {
  FieldHeader(id, CompactType::kList);
  ListBegin(element, size);
}

void ThriftCompactWriter::FieldMapBegin(int16_t id, CompactType key, CompactType value, uint32_t size) {
  FieldHeader(id, CompactType::kMap);
  MapBegin(key, value, size);
}

void ThriftCompactWriter::FieldStructBegin(int16_t id) {
  FieldHeader(id, CompactType::kStruct);
  StructBegin();
}

void ThriftCompactWriter::ListBegin(CompactType element, uint32_t size) {
  if (size < 15) {
    out_->push_back(static_cast<char>((size << 4) | static_cast<uint32_t>(element)));
  } else {
    out_->push_back(static_cast<char>(0xf0 | static_cast<uint32_t>(element)));
    UnsignedVarint(size);
  }
}

void ThriftCompactWriter::MapBegin(CompactType key, CompactType value, uint32_t size) {
  UnsignedVarint(size);
  if (size != 0) out_->push_back(static_cast<char>((static_cast<int>(key) << 4) | static_cast<int>(value)));
}

void ThriftCompactWriter::I32(int32_t v) {
  UnsignedVarint(ZigZagEncode32(v));
}

void ThriftCompactWriter::I64(int64_t v) {
  UnsignedVarint(ZigZagEncode64(v));
}

void ThriftCompactWriter::Double(double v) {
  uint64_t bits = std::bit_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i, bits >>= 8) out_->push_back(static_cast<char>(bits & 0xff));
}

void ThriftCompactWriter::Binary(std::string_view v) {
  UnsignedVarint(v.size());
  out_->append(v);
}

void ThriftCompactWriter::UnsignedVarint(uint64_t v) {
  uint8_t buf[kMaxVarint64Bytes];
  out_->append(reinterpret_cast<const char*>(buf), EncodeUnsignedVarint(v, buf));
}

// --- ThriftCompactReader ---

Status ThriftCompactReader::status() const {
  if (ok()) return Status::Ok();
  return Status::Corruption("thrift: " + error_);
}

void ThriftCompactReader::FailAt(size_t pos, std::string_view why) {
  if (!ok()) return;
  error_ = "byte " + std::to_string(pos) + ": " + std::string(why);
}

bool ThriftCompactReader::Enter() {
  ++depth_;
  if (depth_ > kMaxDepth) {
    Fail("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    return false;
  }
  return ok();
}

void ThriftCompactReader::StructBegin() {
  Enter();
  last_ids_.push_back(0);
}

void ThriftCompactReader::StructEnd() {
  --depth_;
  if (!last_ids_.empty()) last_ids_.pop_back();
}

uint64_t ThriftCompactReader::ReadVarint(size_t max_bytes, std::string_view what) {
  if (!ok()) return 0;
  std::span<const uint8_t> in(reinterpret_cast<const uint8_t*>(data_.data()), data_.size());
  size_t p = pos_;
  bool decoded;
  uint64_t v = 0;
  if (max_bytes == kMaxVarint32Bytes) {
    uint32_t v32 = 0;
    decoded = DecodeUnsignedVarint32(in, &p, &v32);
    v = v32;
  } else {
    decoded = DecodeUnsignedVarint64(in, &p, &v);
  }
  if (!decoded) {
    Fail(VarintTruncated(in, pos_, max_bytes)
             ? "truncated varint (" + std::string(what) + ")"
             : std::string(what) + " varint longer than " + std::to_string(max_bytes) + " bytes or too large");
    return 0;
  }
  pos_ = p;
  return v;
}

bool ThriftCompactReader::ReadFieldHeader(int16_t* id, CompactType* type) {
  pending_bool_ = -1;
  if (!ok()) return false;
  if (pos_ >= data_.size()) {
    Fail("truncated struct (no stop byte)");
    return false;
  }
  const size_t at = pos_;
  const uint8_t b = static_cast<uint8_t>(data_[pos_++]);
  if (b == 0) return false;
  const uint8_t t = b & 0x0f;
  if (t == 0 || t > static_cast<uint8_t>(CompactType::kUuid)) {
    FailAt(at, "unknown field type " + std::to_string(t));
    return false;
  }
  const int delta = b >> 4;
  int32_t field_id;
  if (delta != 0) {
    field_id = (last_ids_.empty() ? 0 : last_ids_.back()) + delta;
  } else {
    field_id = ZigZagDecode32(static_cast<uint32_t>(ReadVarint(kMaxVarint32Bytes, "field id")));
  }
  if (!ok()) return false;
  if (field_id < std::numeric_limits<int16_t>::min() || field_id > std::numeric_limits<int16_t>::max()) {
    FailAt(at, "field id " + std::to_string(field_id) + " out of the i16 range");
    return false;
  }
  if (!last_ids_.empty()) last_ids_.back() = static_cast<int16_t>(field_id);
  *id = static_cast<int16_t>(field_id);
  *type = static_cast<CompactType>(t);
  if (IsBool(*type)) pending_bool_ = *type == CompactType::kBoolTrue ? 1 : 0;
  return true;
}

bool ThriftCompactReader::ReadBool() {
  if (pending_bool_ >= 0) {
    const bool v = pending_bool_ == 1;
    pending_bool_ = -1;
    return v;
  }
  if (!ok()) return false;
  if (pos_ >= data_.size()) {
    Fail("truncated bool");
    return false;
  }
  const uint8_t b = static_cast<uint8_t>(data_[pos_]);
  if (b > 2) {
    Fail("bool element " + std::to_string(b) + " (expected 0, 1 or 2)");
    return false;
  }
  ++pos_;
  return b == 1;
}

int8_t ThriftCompactReader::ReadI8() {
  if (!ok()) return 0;
  if (pos_ >= data_.size()) {
    Fail("truncated i8");
    return 0;
  }
  return static_cast<int8_t>(data_[pos_++]);
}

int16_t ThriftCompactReader::ReadI16() {
  const size_t at = pos_;
  const int32_t v = ZigZagDecode32(static_cast<uint32_t>(ReadVarint(kMaxVarint32Bytes, "i16")));
  if (v < std::numeric_limits<int16_t>::min() || v > std::numeric_limits<int16_t>::max()) {
    FailAt(at, "i16 value " + std::to_string(v) + " out of range");
    return 0;
  }
  return static_cast<int16_t>(v);
}

int32_t ThriftCompactReader::ReadI32() {
  return ZigZagDecode32(static_cast<uint32_t>(ReadVarint(kMaxVarint32Bytes, "i32")));
}

int64_t ThriftCompactReader::ReadI64() {
  return ZigZagDecode64(ReadVarint(kMaxVarint64Bytes, "i64"));
}

double ThriftCompactReader::ReadDouble() {
  if (!ok()) return 0;
  if (remaining() < 8) {
    Fail("truncated double");
    return 0;
  }
  uint64_t bits = 0;
  for (int i = 7; i >= 0; --i) bits = (bits << 8) | static_cast<uint8_t>(data_[pos_ + static_cast<size_t>(i)]);
  pos_ += 8;
  return std::bit_cast<double>(bits);
}

std::string_view ThriftCompactReader::ReadBinary() {
  const size_t at = pos_;
  const uint64_t n = ReadVarint(kMaxVarint32Bytes, "binary length");
  if (!ok()) return {};
  if (n > remaining()) {
    FailAt(at, "binary of " + std::to_string(n) + " bytes runs past the end (" + std::to_string(remaining()) +
                   " bytes left)");
    return {};
  }
  std::string_view v = data_.substr(pos_, static_cast<size_t>(n));
  pos_ += static_cast<size_t>(n);
  return v;
}

uint32_t ThriftCompactReader::ReadListBegin(CompactType* element) {
  *element = CompactType::kStop;
  if (!Enter()) return 0;
  if (pos_ >= data_.size()) {
    Fail("truncated list header");
    return 0;
  }
  const size_t at = pos_;
  const uint8_t b = static_cast<uint8_t>(data_[pos_++]);
  const auto t = static_cast<CompactType>(b & 0x0f);
  uint64_t n = b >> 4;
  if (n == 15) n = ReadVarint(kMaxVarint32Bytes, "list size");
  if (!ok()) return 0;
  const size_t min_bytes = MinElementBytes(t);
  if (min_bytes == 0) {
    FailAt(at, "list of unknown element type " + std::to_string(b & 0x0f));
    return 0;
  }
  if (n > remaining() / min_bytes) {
    FailAt(at, "list of " + std::to_string(n) + " " + std::string(CompactTypeName(t)) +
                   " elements runs past the end (" + std::to_string(remaining()) + " bytes left)");
    return 0;
  }
  *element = t;
  return static_cast<uint32_t>(n);
}

void ThriftCompactReader::Skip(CompactType type) {
  SkipValue(type, /*in_field=*/true);
}

void ThriftCompactReader::SkipValue(CompactType type, bool in_field) {
  if (!ok()) return;
  switch (type) {
    case CompactType::kBoolTrue:
    case CompactType::kBoolFalse:
      if (in_field) {
        pending_bool_ = -1;
      } else {
        ReadBool();
      }
      return;
    case CompactType::kI8: ReadI8(); return;
    case CompactType::kI16:
    case CompactType::kI32: ReadVarint(kMaxVarint32Bytes, CompactTypeName(type)); return;
    case CompactType::kI64: ReadVarint(kMaxVarint64Bytes, "i64"); return;
    case CompactType::kDouble: ReadDouble(); return;
    case CompactType::kBinary: ReadBinary(); return;
    case CompactType::kUuid:
      if (remaining() < 16) {
        Fail("truncated uuid");
      } else {
        pos_ += 16;
      }
      return;
    case CompactType::kList:
    case CompactType::kSet: {
      CompactType element;
      const uint32_t n = ReadListBegin(&element);
      for (uint32_t i = 0; i < n && ok(); ++i) SkipValue(element, /*in_field=*/false);
      ListEnd();
      return;
    }
    case CompactType::kMap: {
      const size_t at = pos_;
      const uint64_t n = ReadVarint(kMaxVarint32Bytes, "map size");
      if (!ok() || n == 0) return;
      if (pos_ >= data_.size()) {
        Fail("truncated map header");
        return;
      }
      const uint8_t kv = static_cast<uint8_t>(data_[pos_++]);
      const auto key = static_cast<CompactType>(kv >> 4);
      const auto value = static_cast<CompactType>(kv & 0x0f);
      const size_t min_bytes = MinElementBytes(key) + MinElementBytes(value);
      if (MinElementBytes(key) == 0 || MinElementBytes(value) == 0) {
        FailAt(at, "map of unknown key or value type (byte " + std::to_string(kv) + ")");
        return;
      }
      if (n > remaining() / min_bytes) {
        FailAt(at, "map of " + std::to_string(n) + " entries runs past the end (" + std::to_string(remaining()) +
                       " bytes left)");
        return;
      }
      if (Enter()) {
        for (uint64_t i = 0; i < n && ok(); ++i) {
          SkipValue(key, /*in_field=*/false);
          SkipValue(value, /*in_field=*/false);
        }
      }
      --depth_;
      return;
    }
    case CompactType::kStruct: {
      StructBegin();
      int16_t id;
      CompactType t;
      while (ReadFieldHeader(&id, &t)) SkipValue(t, /*in_field=*/true);
      StructEnd();
      return;
    }
    case CompactType::kStop: break;
  }
  Fail("cannot skip a value of type " + std::to_string(static_cast<int>(type)));
}

}  // namespace floe::parquet
