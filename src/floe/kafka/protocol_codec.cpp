#include "floe/kafka/protocol_codec.h"

#include <fmt/format.h>

namespace floe::kafka {

namespace {

// Reads a length prefix: -1 for null, else the length. `wide` selects int32 over int16 in non-flexible versions.
int64_t ReadLength(ByteReader& r, bool flexible, bool wide, bool nullable, std::string_view what) {
  int64_t n;
  if (flexible) {
    n = static_cast<int64_t>(r.ReadUnsignedVarint(what)) - 1;
  } else {
    n = wide ? r.ReadInt32(what) : r.ReadInt16(what);
  }
  if (!r.ok()) return 0;
  if (n < -1 || (n == -1 && !nullable)) {
    r.Fail(what, fmt::format("invalid length {}{}", n, n == -1 ? " (null where null is not allowed)" : ""));
    return 0;
  }
  return n;
}

void WriteLength(ByteWriter& w, bool flexible, bool wide, int64_t n) {
  if (flexible) {
    w.WriteUnsignedVarint(static_cast<uint64_t>(n + 1));
  } else if (wide) {
    w.WriteInt32(static_cast<int32_t>(n));
  } else {
    w.WriteInt16(static_cast<int16_t>(n));
  }
}

}  // namespace

int64_t ReadArrayLength(ByteReader& r, bool flexible, bool nullable, std::string_view what) {
  int64_t n = ReadLength(r, flexible, true, nullable, what);
  if (r.ok() && n > static_cast<int64_t>(r.remaining())) {
    r.Fail(what, fmt::format("array of {} elements cannot fit in the {} bytes left", n, r.remaining()));
    return 0;
  }
  return n;
}

void WriteArrayLength(ByteWriter& w, bool flexible, int64_t n) {
  WriteLength(w, flexible, true, n);
}

void ReadString(ByteReader& r, bool flexible, bool nullable, std::string_view what, std::string* out) {
  int64_t n = ReadLength(r, flexible, false, nullable, what);
  auto s = n > 0 ? r.ReadSpan(static_cast<size_t>(n), what) : std::span<const uint8_t>();
  out->assign(s.begin(), s.end());
}

void ReadString(ByteReader& r, bool flexible, bool nullable, std::string_view what, std::optional<std::string>* out) {
  int64_t n = ReadLength(r, flexible, false, nullable, what);
  if (n < 0) {
    out->reset();
    return;
  }
  auto s = r.ReadSpan(static_cast<size_t>(n), what);
  out->emplace(s.begin(), s.end());
}

void ReadBytesField(ByteReader& r, bool flexible, bool nullable, std::string_view what, std::string* out) {
  int64_t n = ReadLength(r, flexible, true, nullable, what);
  auto s = n > 0 ? r.ReadSpan(static_cast<size_t>(n), what) : std::span<const uint8_t>();
  out->assign(s.begin(), s.end());
}

void ReadBytesField(ByteReader& r, bool flexible, bool nullable, std::string_view what,
                    std::optional<std::string>* out) {
  int64_t n = ReadLength(r, flexible, true, nullable, what);
  if (n < 0) {
    out->reset();
    return;
  }
  auto s = r.ReadSpan(static_cast<size_t>(n), what);
  out->emplace(s.begin(), s.end());
}

void ReadRecords(ByteReader& r, bool flexible, std::string_view what, RecordsRef* out) {
  int64_t n = ReadLength(r, flexible, true, true, what);
  out->is_null = n < 0;
  out->data = n > 0 ? r.ReadSpan(static_cast<size_t>(n), what) : std::span<const uint8_t>();
}

void ReadUuid(ByteReader& r, std::string_view what, Uuid* out) {
  auto s = r.ReadSpan(16, what);
  if (s.size() == 16) std::copy(s.begin(), s.end(), out->begin());
}

bool ReadStructPresence(ByteReader& r, std::string_view what) {
  int8_t b = r.ReadInt8(what);
  return r.ok() && b >= 0;
}

void WriteString(ByteWriter& w, bool flexible, bool is_bytes, std::string_view s) {
  WriteLength(w, flexible, is_bytes, static_cast<int64_t>(s.size()));
  w.WriteBytes(s);
}

void WriteNullableString(ByteWriter& w, bool flexible, bool is_bytes, const std::optional<std::string>& s) {
  if (!s) {
    WriteLength(w, flexible, is_bytes, -1);
    return;
  }
  WriteString(w, flexible, is_bytes, *s);
}

void WriteRecords(ByteWriter& w, bool flexible, const RecordsRef& records) {
  if (records.is_null) {
    WriteLength(w, flexible, true, -1);
    return;
  }
  if (records.external_size >= 0) {
    WriteLength(w, flexible, true, records.external_size);
    w.WriteGap(static_cast<size_t>(records.external_size));
    return;
  }
  WriteLength(w, flexible, true, static_cast<int64_t>(records.data.size()));
  w.WriteBytes(records.data);
}

}  // namespace floe::kafka
