// Internal to floe_avro (which links nlohmann_json privately): datum <-> JSON over nlohmann::ordered_json, shared by
// the schema parser (to check field defaults) and avro_value.cpp. Not part of the public headers.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "floe/base/status.h"
#include "floe/formats/avro/avro_schema.h"

namespace floe::avro {

class AvroDatum;

// Converts `j` to a datum of `schema` (Avro's JSON encoding; see DatumFromJson). With `default_form`, `j` is a field
// default: a union's value is that of its first branch, untagged. InvalidArgument("<path>: <why>").
Status JsonToDatum(const AvroNode& schema, const nlohmann::ordered_json& j, bool default_form, const std::string& path,
                   AvroDatum* out);

// `s` made safe for an error message: control characters and, unless `s` is UTF-8, bytes above 0x7f as \xNN; cut
// to about `max` bytes.
std::string Printable(std::string_view s, size_t max = 80);

// InvalidArgument("avro schema: <path>: ...") unless `value` is a valid default for a field of type `type`.
Status CheckJsonDefault(const AvroNode& type, const nlohmann::ordered_json& value, const std::string& path);

}  // namespace floe::avro
