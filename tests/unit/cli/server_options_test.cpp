#include "floe/cli/server_options.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace floe::cli {
namespace {

// Parses `args` (without the program name) as the flags of a server subcommand.
ServerFlags Parse(std::vector<std::string> args) {
  CLI::App app;
  ServerFlags flags;
  AddServerFlags(&app, &flags, {Door::kHttp});
  std::vector<const char*> argv{"floe"};
  for (auto& a : args) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
  return flags;
}

std::string WriteTemp(const std::string& text) {
  char path[] = "/tmp/floe-server-options-XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  std::ofstream(path) << text;
  return path;
}

TEST(ServerOptionsTest, FlagsOverrideTheFileWhichOverridesDefaults) {
  std::string path = WriteTemp("data_dir = \"/from/file\"\n[http]\nlisten = \"127.0.0.1:1\"\n");
  auto config = ResolveServerConfig(Parse({"--config", path, "--http-listen", "127.0.0.1:0"}));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->data_dir, "/from/file");        // from the file
  EXPECT_EQ(config->http.listen.port, 0);           // the flag wins
  EXPECT_EQ(config->log.level, log::Level::kInfo);  // the default
  unlink(path.c_str());
}

TEST(ServerOptionsTest, BadListenFlagNamesTheFlag) {
  auto config = ResolveServerConfig(Parse({"--http-listen", "nope"}));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message().rfind("--http-listen: listen address 'nope': missing ':PORT'", 0), 0u)
      << config.status().message();
}

TEST(ServerOptionsTest, MissingConfigFileNamesThePath) {
  auto config = ResolveServerConfig(Parse({"--config", "/no/such/floe.toml"}));
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("/no/such/floe.toml"), std::string::npos);
}

TEST(ServerOptionsTest, UnknownFlagIsAParseError) {
  EXPECT_THROW(Parse({"--kafka-listen", "127.0.0.1:0"}), CLI::ParseError);
}

}  // namespace
}  // namespace floe::cli
