// Writing JSON text by hand, for the places where building a document tree first would cost more than the output:
// table metadata (100+ KB on every catalog commit), Flink's JSON format (every event a job writes).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace floe {

// Appends `s` as a JSON string: quoted, with \" \\ \b \f \n \r \t and \u00XX for other control characters (as
// Jackson and nlohmann write them); bytes that are not valid UTF-8 become U+FFFD, so the output is always valid
// JSON. Other characters are written as they are (no \u escapes for non-ASCII).
void AppendJsonString(std::string_view s, std::string* out);

// Appends a decimal integer.
void AppendJsonInt(int64_t v, std::string* out);

}  // namespace floe
