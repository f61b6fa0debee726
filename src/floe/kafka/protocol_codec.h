// Encoding of the Kafka protocol's variable-length types, shared by the generated message codecs
// (https://kafka.apache.org/protocol#protocol_types). In flexible versions strings, bytes, records and arrays are
// "compact": an unsigned varint of length + 1, with 0 meaning null; otherwise an int16 (strings) or int32 (bytes,
// records, arrays) length with -1 meaning null.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "floe/base/byte_buffer.h"
#include "floe/kafka/protocol_types.h"

namespace floe::kafka {

// Returns the element count, or -1 for a null array (only when `nullable`). Fails on a count that cannot fit in
// the bytes left, so a hostile length never causes a huge allocation.
int64_t ReadArrayLength(ByteReader& r, bool flexible, bool nullable, std::string_view what);
void WriteArrayLength(ByteWriter& w, bool flexible, int64_t n);

void ReadString(ByteReader& r, bool flexible, bool nullable, std::string_view what, std::string* out);
void ReadString(ByteReader& r, bool flexible, bool nullable, std::string_view what, std::optional<std::string>* out);
void ReadBytesField(ByteReader& r, bool flexible, bool nullable, std::string_view what, std::string* out);
void ReadBytesField(ByteReader& r, bool flexible, bool nullable, std::string_view what,
                    std::optional<std::string>* out);
void ReadRecords(ByteReader& r, bool flexible, std::string_view what, RecordsRef* out);
void ReadUuid(ByteReader& r, std::string_view what, Uuid* out);
// Nullable structs are preceded by an int8: -1 null, 1 present.
bool ReadStructPresence(ByteReader& r, std::string_view what);

void WriteString(ByteWriter& w, bool flexible, bool is_bytes, std::string_view s);
void WriteNullableString(ByteWriter& w, bool flexible, bool is_bytes, const std::optional<std::string>& s);
void WriteRecords(ByteWriter& w, bool flexible, const RecordsRef& records);

}  // namespace floe::kafka
