#include "floe/base/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace floe {
namespace {

struct Sample {
  std::string name = "default";
  int32_t partitions = 3;
  bool fsync = false;
  double ratio = 0.5;
  uint16_t port = 1;

  Status Load(const ConfigFile& file) {
    ConfigSection root = file.Root();
    FLOE_RETURN_IF_ERROR(root.Read("name", &name));
    FLOE_ASSIGN_OR_RETURN(ConfigSection broker, root.Section("broker"));
    FLOE_RETURN_IF_ERROR(broker.Read("partitions", &partitions));
    FLOE_RETURN_IF_ERROR(broker.Read("fsync", &fsync));
    FLOE_RETURN_IF_ERROR(broker.Read("ratio", &ratio));
    FLOE_RETURN_IF_ERROR(broker.Read("port", &port));
    return file.CheckNoUnknownKeys();
  }
};

Status LoadText(std::string_view text, Sample* out) {
  auto file = ConfigFile::Parse(text, "test.toml");
  if (!file.ok()) return file.status();
  return out->Load(*file);
}

TEST(ConfigTest, AbsentKeysKeepDefaults) {
  Sample s;
  ASSERT_TRUE(LoadText("", &s).ok());
  EXPECT_EQ(s.name, "default");
  EXPECT_EQ(s.partitions, 3);
}

TEST(ConfigTest, ReadsTypedValues) {
  Sample s;
  Status st = LoadText("name = \"x\"\n[broker]\npartitions = 12\nfsync = true\nratio = 2\nport = 9092\n", &s);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(s.name, "x");
  EXPECT_EQ(s.partitions, 12);
  EXPECT_TRUE(s.fsync);
  EXPECT_DOUBLE_EQ(s.ratio, 2.0);
  EXPECT_EQ(s.port, 9092);
}

TEST(ConfigTest, UnknownKeyNamesKeyFileLineAndKnownKeys) {
  Sample s;
  Status st = LoadText("name = \"x\"\n[broker]\npartitions = 1\nno_such_key_xyz = 1\n", &s);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(),
            "config test.toml:4: unknown key 'broker.no_such_key_xyz'; known keys in [broker]: fsync, partitions, "
            "port, ratio");
}

TEST(ConfigTest, UnknownSectionIsReported) {
  Sample s;
  Status st = LoadText("[brokr]\npartitions = 1\n", &s);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("unknown key 'brokr'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("at the top level: broker, name"), std::string::npos) << st.message();
}

TEST(ConfigTest, WrongTypeNamesExpectedAndActual) {
  Sample s;
  Status st = LoadText("[broker]\n\npartitions = \"three\"\n", &s);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "config test.toml:3: broker.partitions: expected an integer, got a string");
}

TEST(ConfigTest, OutOfRangeIntegerIsRejected) {
  Sample s;
  Status st = LoadText("[broker]\nport = 70000\n", &s);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("broker.port: 70000 is out of range (expected 0 to 65535)"), std::string::npos)
      << st.message();
}

TEST(ConfigTest, SectionThatIsNotATable) {
  Sample s;
  Status st = LoadText("broker = 5\n", &s);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "config test.toml:1: broker: expected a table ([broker]), got an integer");
}

TEST(ConfigTest, SyntaxErrorNamesLineAndColumn) {
  auto file = ConfigFile::Parse("a = 1\nb = = 2\n", "bad.toml");
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.status().message().find("config bad.toml:2:"), std::string::npos) << file.status().message();
  EXPECT_NE(file.status().message().find("not valid TOML"), std::string::npos);
}

TEST(ConfigTest, MissingFileIsNotFoundNamingThePath) {
  auto file = ConfigFile::Load("/nonexistent/floe.toml");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kNotFound);
  EXPECT_NE(file.status().message().find("/nonexistent/floe.toml"), std::string::npos);
}

TEST(ConfigTest, LoadsFromDisk) {
  char path[] = "/tmp/floe-config-test-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << "name = \"disk\"\n";
  auto file = ConfigFile::Load(path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  Sample s;
  ASSERT_TRUE(s.Load(*file).ok());
  EXPECT_EQ(s.name, "disk");
  unlink(path);
}

}  // namespace
}  // namespace floe
