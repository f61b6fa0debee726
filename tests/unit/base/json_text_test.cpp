#include "floe/base/json_text.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

namespace floe {
namespace {

std::string Quoted(std::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

TEST(JsonTextTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(Quoted(""), "\"\"");
  EXPECT_EQ(Quoted("plain text"), "\"plain text\"");
  EXPECT_EQ(Quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(Quoted("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"");
  EXPECT_EQ(Quoted(std::string("\x01\x1f\x00", 3)), "\"\\u0001\\u001f\\u0000\"");
}

TEST(JsonTextTest, KeepsUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(Quoted("température 25°C ✓ 🌡"), "\"température 25°C ✓ 🌡\"");
  // A lone continuation byte, a truncated sequence and an overlong encoding each become U+FFFD.
  EXPECT_EQ(Quoted("a\x80z"), "\"a\xef\xbf\xbdz\"");
  EXPECT_EQ(Quoted("\xe2\x9c"), "\"\xef\xbf\xbd\xef\xbf\xbd\"");
  EXPECT_EQ(Quoted("\xc0\xaf"), "\"\xef\xbf\xbd\xef\xbf\xbd\"");
  // Escapes still apply next to the replacement.
  EXPECT_EQ(Quoted("\xff\n"), "\"\xef\xbf\xbd\\n\"");
}

TEST(JsonTextTest, OutputReadsBackAsTheSameString) {
  std::string all;
  for (int c = 1; c < 128; ++c) all.push_back(static_cast<char>(c));
  all += "é中🌡";
  const nlohmann::json j = nlohmann::json::parse(Quoted(all));
  ASSERT_TRUE(j.is_string());
  EXPECT_EQ(j.get<std::string>(), all);
}

TEST(JsonTextTest, AppendsIntegers) {
  std::string out;
  AppendJsonInt(0, &out);
  out += ',';
  AppendJsonInt(-42, &out);
  out += ',';
  AppendJsonInt(std::numeric_limits<int64_t>::min(), &out);
  out += ',';
  AppendJsonInt(std::numeric_limits<int64_t>::max(), &out);
  EXPECT_EQ(out, "0,-42,-9223372036854775808,9223372036854775807");
}

}  // namespace
}  // namespace floe
