// The Thrift Compact Protocol (apache/thrift, doc/specs/thrift-compact-protocol.md), as far as Parquet's footer and
// page headers need it: structs, their fields, lists, and skipping what the reader does not know.
//
// Encoding in brief: a struct is its fields followed by a stop byte 0. A field header is one byte `ddddtttt` (id
// delta 1..15 from the previous field of the same struct, type), or `0000tttt` followed by the id as a zigzag varint
// (the long form). A bool field carries its value in the type (1 true, 2 false) and has no value bytes. i16, i32 and
// i64 are zigzag varints, i8 one byte, double 8 bytes little-endian, binary a varint length and the bytes. A list or
// set header is `sssstttt` (size 0..14, element type) or `1111tttt` followed by the size as a varint; a map header
// is a varint size and, when the size is not 0, one byte `kkkkvvvv`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "floe/base/status.h"

namespace floe::parquet {

// Type ids of the compact protocol. In a field header a bool's value is its type (kBoolTrue or kBoolFalse); as a
// list element type a bool is written kBoolFalse (2), as the spec says, and either id is read.
enum class CompactType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,
  kBoolFalse = 2,
  kI8 = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
  kUuid = 13,  // 16 bytes
};

constexpr bool IsBool(CompactType t) {
  return t == CompactType::kBoolTrue || t == CompactType::kBoolFalse;
}
// "i32", "struct", ... for error messages.
std::string_view CompactTypeName(CompactType t);

// Appends compact-protocol values to a string. Never fails; the caller keeps the shape valid (every StructBegin or
// FieldStructBegin matched by a StructEnd, exactly `size` elements after a list header).
class ThriftCompactWriter {
 public:
  // Appends to *out, which must outlive the writer.
  explicit ThriftCompactWriter(std::string* out) : out_(out) {}

  // A struct: its fields, then StructEnd. For a top-level struct or a list element.
  void StructBegin() { last_ids_.push_back(0); }
  // Writes the stop byte and returns to the enclosing struct.
  void StructEnd();

  // Fields of the current struct, each a header and its value.
  void FieldBool(int16_t id, bool v) { FieldHeader(id, v ? CompactType::kBoolTrue : CompactType::kBoolFalse); }
  void FieldI8(int16_t id, int8_t v);
  void FieldI16(int16_t id, int16_t v);
  void FieldI32(int16_t id, int32_t v);
  void FieldI64(int16_t id, int64_t v);
  void FieldDouble(int16_t id, double v);
  void FieldBinary(int16_t id, std::string_view v);
  // A list field: the header; then `size` elements of type `element`.
  void FieldListBegin(int16_t id, CompactType element, uint32_t size);
  // A map field: the header; then `size` key/value pairs.
  void FieldMapBegin(int16_t id, CompactType key, CompactType value, uint32_t size);
  // A struct (or union) field: the header; then its fields and StructEnd.
  void FieldStructBegin(int16_t id);
  // Any field header, for values written with the element writers below.
  void FieldHeader(int16_t id, CompactType type);

  // Headers and elements without a field header: list elements and map keys and values.
  void ListBegin(CompactType element, uint32_t size);
  void MapBegin(CompactType key, CompactType value, uint32_t size);
  void Bool(bool v) { out_->push_back(v ? 1 : 0); }
  void I8(int8_t v) { out_->push_back(static_cast<char>(v)); }
  void I16(int16_t v) { I32(v); }
  void I32(int32_t v);
  void I64(int64_t v);
  void Double(double v);
  void Binary(std::string_view v);
  void UnsignedVarint(uint64_t v);

 private:
  std::string* out_;
  std::vector<int16_t> last_ids_;  // the last field id written in each open struct
};

// Reads compact-protocol values from a byte string. Bounds-checked, with sticky errors: after the first failure every
// read returns a zero value and does nothing, and status() says what failed at which byte ("thrift: byte 123:
// truncated varint"). A list, map or binary longer than the bytes left is an error before anything is allocated.
// Nesting (structs, lists, maps) deeper than kMaxDepth is an error.
class ThriftCompactReader {
 public:
  static constexpr int kMaxDepth = 64;

  // `data` must outlive the reader and the views it returns.
  explicit ThriftCompactReader(std::string_view data) : data_(data) {}

  bool ok() const { return error_.empty(); }
  // OK, or Corruption("thrift: byte <pos>: <why>").
  Status status() const;
  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  // Records a failure at the current position unless one is recorded already.
  void Fail(std::string_view why) { FailAt(pos_, why); }
  void FailAt(size_t pos, std::string_view why);

  // Enters a struct (top level, list element, or the value of a struct field) and leaves it after its stop byte.
  void StructBegin();
  void StructEnd();
  // Reads the next field header of the current struct. Returns false at the struct's stop byte or on error;
  // otherwise sets *id and *type. For a bool field the value is in *type, and ReadBool() also returns it.
  bool ReadFieldHeader(int16_t* id, CompactType* type);

  // Values: of the field whose header was just read, or of a list element.
  bool ReadBool();
  int8_t ReadI8();
  int16_t ReadI16();
  int32_t ReadI32();
  int64_t ReadI64();
  double ReadDouble();
  // A view into the input; empty on error.
  std::string_view ReadBinary();
  // A list or set header: the element type and count; the count fits the bytes left. Call ListEnd() after the
  // elements, also when this failed and returned 0.
  uint32_t ReadListBegin(CompactType* element);
  void ListEnd() { --depth_; }

  // Skips a value of `type`: the value of the field whose header was just read (a bool field has none), and all it
  // contains.
  void Skip(CompactType type);

 private:
  uint64_t ReadVarint(size_t max_bytes, std::string_view what);
  void SkipValue(CompactType type, bool in_field);
  bool Enter();  // one nesting level deeper; false past kMaxDepth

  std::string_view data_;
  size_t pos_ = 0;
  std::string error_;
  std::vector<int16_t> last_ids_;
  int depth_ = 0;
  int pending_bool_ = -1;  // the value of the bool field header just read, or -1
};

}  // namespace floe::parquet
