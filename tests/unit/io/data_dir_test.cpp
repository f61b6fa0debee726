#include "floe/io/data_dir.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace floe::io {
namespace {

std::string TempPath() {
  return (std::filesystem::temp_directory_path() / ("floe-data-dir-test-" + std::to_string(::getpid()))).string();
}

TEST(DataDirTest, CreatesMissingDirectoryWithParents) {
  std::string base = TempPath();
  std::filesystem::remove_all(base);
  {
    auto dir = DataDir::Open(base + "/a/b");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    EXPECT_TRUE(std::filesystem::is_directory(base + "/a/b"));
    EXPECT_TRUE(std::filesystem::exists(base + "/a/b/LOCK"));
  }
  std::filesystem::remove_all(base);
}

TEST(DataDirTest, SecondOpenWhileLockedFailsNamingTheHolder) {
  std::string base = TempPath();
  std::filesystem::remove_all(base);
  auto first = DataDir::Open(base);
  ASSERT_TRUE(first.ok());
  auto second = DataDir::Open(base);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("in use by another floe process (pid " + std::to_string(::getpid())),
            std::string::npos)
      << second.status().message();
  std::filesystem::remove_all(base);
}

TEST(DataDirTest, LockIsReleasedWhenClosed) {
  std::string base = TempPath();
  std::filesystem::remove_all(base);
  { ASSERT_TRUE(DataDir::Open(base).ok()); }
  EXPECT_TRUE(DataDir::Open(base).ok());
  std::filesystem::remove_all(base);
}

TEST(DataDirTest, AFileInTheWayIsRejected) {
  std::string base = TempPath();
  std::filesystem::remove_all(base);
  std::ofstream(base) << "x";
  auto dir = DataDir::Open(base);
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.status().message().find(base), std::string::npos);
  std::filesystem::remove_all(base);
}

}  // namespace
}  // namespace floe::io
