#include "floe/cli/floe_config.h"

#include <gtest/gtest.h>

namespace floe::cli {
namespace {

Result<FloeConfig> LoadText(std::string_view text) {
  auto file = ConfigFile::Parse(text, "floe.toml");
  if (!file.ok()) return file.status();
  FloeConfig config;
  Status st = config.Load(*file);
  if (!st.ok()) return st;
  return config;
}

TEST(FloeConfigTest, DefaultsMatchTheSeedStackPorts) {
  FloeConfig config;
  EXPECT_EQ(config.data_dir, "./floe-data");
  EXPECT_EQ(config.http.listen, (io::ListenAddress{"0.0.0.0", 8088}));
  EXPECT_EQ(config.log.level, log::Level::kInfo);
}

TEST(FloeConfigTest, ReadsEverySection) {
  auto config = LoadText(
      "data_dir = \"/var/lib/floe\"\n[log]\nlevel = \"debug\"\nformat = \"json\"\n"
      "[http]\nlisten = \"127.0.0.1:0\"\nmax_connections = 10\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->data_dir, "/var/lib/floe");
  EXPECT_EQ(config->log.level, log::Level::kDebug);
  EXPECT_EQ(config->log.format, log::Format::kJson);
  EXPECT_EQ(config->http.listen, (io::ListenAddress{"127.0.0.1", 0}));
  EXPECT_EQ(config->http.max_connections, 10);
}

TEST(FloeConfigTest, BadValuesNameFileLineAndKey) {
  auto level = LoadText("[log]\nlevel = \"loud\"\n");
  ASSERT_FALSE(level.ok());
  EXPECT_EQ(level.status().message().rfind("config floe.toml:2: log.level: unknown log level 'loud'", 0), 0u)
      << level.status().message();

  auto listen = LoadText("[http]\nlisten = \"8088\"\n");
  ASSERT_FALSE(listen.ok());
  EXPECT_EQ(
      listen.status().message().rfind("config floe.toml:2: http.listen: listen address '8088': missing ':PORT'", 0), 0u)
      << listen.status().message();

  auto type = LoadText("data_dir = 5\n");
  ASSERT_FALSE(type.ok());
  EXPECT_EQ(type.status().message(), "config floe.toml:1: data_dir: expected a string, got an integer");
}

TEST(FloeConfigTest, UnknownKeyInAKnownSection) {
  auto config = LoadText("[http]\nlisten = \":1\"\nlisen = \":2\"\n");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("floe.toml:3: unknown key 'http.lisen'"), std::string::npos)
      << config.status().message();
}

}  // namespace
}  // namespace floe::cli
