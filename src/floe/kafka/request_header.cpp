#include "floe/kafka/request_header.h"

#include "floe/kafka/protocol_codec.h"

namespace floe::kafka {

Result<RequestHeader> ReadRequestHeader(ByteReader& r) {
  RequestHeader h;
  h.api_key = r.ReadInt16("request header api_key");
  h.api_version = r.ReadInt16("request header api_version");
  h.correlation_id = r.ReadInt32("request header correlation_id");
  if (!r.ok()) return r.status();
  h.api = FindApi(h.api_key);
  h.version_supported = h.api && h.api_version >= h.api->min_version && h.api_version <= h.api->max_version;
  if (!h.version_supported) return h;
  ReadString(r, /*flexible=*/false, /*nullable=*/true, "request header client_id", &h.client_id);
  if (h.api_version >= h.api->first_flexible_version) {
    uint32_t tags = r.ReadUnsignedVarint("request header tagged fields");
    for (uint32_t i = 0; i < tags && r.ok(); ++i) {
      r.ReadUnsignedVarint("request header tag");
      uint32_t size = r.ReadUnsignedVarint("request header tag size");
      r.Skip(size, "request header tagged field");
    }
  }
  if (!r.ok()) return r.status();
  return h;
}

void WriteRequestHeader(ByteWriter& w, const RequestHeader& header) {
  w.WriteInt16(header.api_key);
  w.WriteInt16(header.api_version);
  w.WriteInt32(header.correlation_id);
  WriteNullableString(w, false, false, header.client_id);
  const ApiInfo* api = FindApi(header.api_key);
  if (api && header.api_version >= api->first_flexible_version) w.WriteUnsignedVarint(0);
}

void WriteResponseHeader(ByteWriter& w, int32_t correlation_id, int16_t api_key, int16_t api_version) {
  w.WriteInt32(correlation_id);
  const ApiInfo* api = FindApi(api_key);
  bool flexible = api && api_version >= api->first_flexible_version;
  if (flexible && api_key != static_cast<int16_t>(ApiKey::kApiVersions)) w.WriteUnsignedVarint(0);
}

}  // namespace floe::kafka
