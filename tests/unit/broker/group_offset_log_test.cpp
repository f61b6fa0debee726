// GroupOffsetLog: committed offsets survive a reopen, later records win, deletions replay, a torn or corrupt tail
// is dropped (and only it), compaction keeps exactly the live offsets.
#include "floe/broker/group_offset_log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "floe/base/crc32c.h"
#include "floe/broker/group_offsets_format.h"
#include "partition_log_for_tests.h"

namespace floe::broker {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

CommittedOffset At(int64_t offset, std::optional<std::string> metadata = std::nullopt, int32_t epoch = -1) {
  CommittedOffset c;
  c.offset = offset;
  c.metadata = std::move(metadata);
  c.leader_epoch = epoch;
  c.commit_time_ms = 1000 + offset;
  return c;
}

class GroupOffsetLogTest : public ::testing::Test {
 protected:
  std::string dir() const { return tmp_.path() + "/__consumer_offsets"; }
  std::string file() const { return dir() + "/offsets.log"; }

  std::unique_ptr<GroupOffsetLog> Open(GroupOffsetLog::Recovered* recovered, GroupOffsetLog::Options options = {}) {
    auto log = GroupOffsetLog::Open(dir(), options, recovered);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(*log) : nullptr;
  }

  int64_t FileSize() const { return static_cast<int64_t>(fs::file_size(file())); }

  void Truncate(int64_t size) const { fs::resize_file(file(), static_cast<uintmax_t>(size)); }

  void AppendRaw(const std::vector<uint8_t>& bytes) const {
    std::ofstream out(file(), std::ios::binary | std::ios::app);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }

  void FlipByteAt(int64_t pos) const {
    std::fstream f(file(), std::ios::binary | std::ios::in | std::ios::out);
    f.seekg(pos);
    char c;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x40);
    f.seekp(pos);
    f.write(&c, 1);
  }

  TempDir tmp_;
};

TEST_F(GroupOffsetLogTest, CommitsSurviveReopen) {
  GroupOffsetLog::Recovered rec;
  {
    auto log = Open(&rec);
    EXPECT_TRUE(rec.groups.empty());
    ASSERT_TRUE(log->AppendCommit("g1", {{"telemetry", 0, At(10, "meta", 3)}, {"telemetry", 1, At(20)}}).ok());
    ASSERT_TRUE(log->AppendCommit("g2", {{"other", 2, At(5, "")}}).ok());
    ASSERT_TRUE(log->Close().ok());
  }
  auto log = Open(&rec);
  EXPECT_EQ(rec.records, 2);
  EXPECT_EQ(rec.dropped_bytes, 0);
  ASSERT_EQ(rec.groups.size(), 2u);
  EXPECT_EQ(rec.groups["g1"]["telemetry"][0], At(10, "meta", 3));
  EXPECT_EQ(rec.groups["g1"]["telemetry"][1], At(20));
  EXPECT_EQ(rec.groups["g2"]["other"][2], At(5, ""));  // empty metadata stays empty, null stays null
}

TEST_F(GroupOffsetLogTest, LaterCommitsWin) {
  GroupOffsetLog::Recovered rec;
  {
    auto log = Open(&rec);
    for (int64_t i = 0; i < 50; ++i) ASSERT_TRUE(log->AppendCommit("g", {{"t", 0, At(i)}}).ok());
  }
  Open(&rec);
  EXPECT_EQ(rec.records, 50);
  EXPECT_EQ(rec.groups["g"]["t"][0].offset, 49);
}

TEST_F(GroupOffsetLogTest, DeletionsReplay) {
  GroupOffsetLog::Recovered rec;
  {
    auto log = Open(&rec);
    ASSERT_TRUE(log->AppendCommit("gone", {{"t", 0, At(1)}}).ok());
    ASSERT_TRUE(log->AppendCommit("kept", {{"t", 0, At(2)}, {"t", 1, At(3)}, {"u", 0, At(4)}}).ok());
    ASSERT_TRUE(log->AppendDeleteGroup("gone").ok());
    ASSERT_TRUE(log->AppendDeleteOffsets("kept", {{"t", 0}, {"t", 1}}).ok());
  }
  Open(&rec);
  EXPECT_EQ(rec.groups.count("gone"), 0u);
  ASSERT_EQ(rec.groups.count("kept"), 1u);
  EXPECT_EQ(rec.groups["kept"].count("t"), 0u);
  EXPECT_EQ(rec.groups["kept"]["u"][0].offset, 4);
}

TEST_F(GroupOffsetLogTest, TornTailIsDroppedAndTruncated) {
  GroupOffsetLog::Recovered rec;
  int64_t good_size = 0;
  {
    auto log = Open(&rec);
    ASSERT_TRUE(log->AppendCommit("g", {{"t", 0, At(1)}}).ok());
    ASSERT_TRUE(log->AppendCommit("g", {{"t", 0, At(2)}, {"t", 1, At(7)}}).ok());
    good_size = log->size_bytes();
    ASSERT_TRUE(log->AppendCommit("g", {{"t", 0, At(3)}, {"t", 1, At(8)}}).ok());
  }
  // A crash tore the last record: only part of its body reached the disk.
  Truncate(FileSize() - 5);
  {
    auto log = Open(&rec);
    EXPECT_EQ(rec.records, 2);
    EXPECT_GT(rec.dropped_bytes, 0);
    EXPECT_EQ(rec.groups["g"]["t"][0].offset, 2);  // the torn commit is lost whole, never half applied
    EXPECT_EQ(rec.groups["g"]["t"][1].offset, 7);
    EXPECT_EQ(FileSize(), good_size);
    // New records go after the last good one and are read back.
    ASSERT_TRUE(log->AppendCommit("g", {{"t", 0, At(4)}}).ok());
  }
  Open(&rec);
  EXPECT_EQ(rec.records, 3);
  EXPECT_EQ(rec.dropped_bytes, 0);
  EXPECT_EQ(rec.groups["g"]["t"][0].offset, 4);
}

TEST_F(GroupOffsetLogTest, TornHeaderIsDropped) {
  GroupOffsetLog::Recovered rec;
  {
    auto log = Open(&rec);
    ASSERT_TRUE(log->AppendCommit("g", {{"t", 0, At(1)}}).ok());
  }
  const int64_t good_size = FileSize();
  AppendRaw({0x00, 0x00, 0x00});  // three bytes of the next record's length
  Open(&rec);
  EXPECT_EQ(rec.records, 1);
  EXPECT_EQ(rec.dropped_bytes, 3);
  EXPECT_EQ(FileSize(), good_size);
  EXPECT_EQ(rec.groups["g"]["t"][0].offset, 1);
}

TEST_F(GroupOffsetLogTest, RecordWithBadCrcEndsTheLog) {
  GroupOffsetLog::Recovered rec;
  int64_t first_size = 0;
  {
    auto log = Open(&rec);
    ASSERT_TRUE(log->AppendCommit("g", {{"t", 0, At(1)}}).ok());
    first_size = log->size_bytes();
    ASSERT_TRUE(log->AppendCommit("g", {{"t", 0, At(2)}}).ok());
  }
  FlipByteAt(FileSize() - 3);  // inside the last record's body
  Open(&rec);
  EXPECT_EQ(rec.records, 1);
  EXPECT_EQ(rec.groups["g"]["t"][0].offset, 1);
  EXPECT_EQ(FileSize(), first_size);
}

TEST_F(GroupOffsetLogTest, UnknownRecordTypeIsCorruptionNotSilentLoss) {
  {
    GroupOffsetLog::Recovered rec;
    Open(&rec);
  }
  // A well-formed record (its CRC matches) of a type this floe does not know: written by a newer floe.
  std::vector<uint8_t> body = {0 /*version*/, 9 /*type*/, 0, 1, 'g'};
  uint32_t crc = Crc32c(std::span<const uint8_t>(body));
  std::vector<uint8_t> record = {0,
                                 0,
                                 0,
                                 static_cast<uint8_t>(body.size()),
                                 static_cast<uint8_t>(crc >> 24),
                                 static_cast<uint8_t>(crc >> 16),
                                 static_cast<uint8_t>(crc >> 8),
                                 static_cast<uint8_t>(crc)};
  record.insert(record.end(), body.begin(), body.end());
  AppendRaw(record);
  GroupOffsetLog::Recovered rec;
  auto log = GroupOffsetLog::Open(dir(), {}, &rec);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kCorruption);
  EXPECT_NE(log.status().message().find("unknown record type 9"), std::string::npos) << log.status().message();
}

TEST_F(GroupOffsetLogTest, CompactionKeepsExactlyTheLiveOffsets) {
  GroupOffsetLog::Options options;
  options.compact_bytes = 1024;
  GroupOffsetLog::Recovered rec;
  std::map<std::string, GroupOffsets> live;
  {
    auto log = Open(&rec, options);
    for (int64_t i = 0; i < 100 && !log->ShouldCompact(); ++i) {
      ASSERT_TRUE(log->AppendCommit("g", {{"t", static_cast<int32_t>(i % 3), At(i)}}).ok());
      live["g"]["t"][static_cast<int32_t>(i % 3)] = At(i);
    }
    ASSERT_TRUE(log->ShouldCompact());
    const int64_t before = log->size_bytes();
    ASSERT_TRUE(log->Compact(live).ok());
    EXPECT_LT(log->size_bytes(), before);
    EXPECT_EQ(log->size_bytes(), FileSize());
    EXPECT_FALSE(log->ShouldCompact());
    EXPECT_FALSE(fs::exists(dir() + "/offsets.log.tmp"));
    // Appends continue on the compacted file.
    ASSERT_TRUE(log->AppendCommit("h", {{"t", 0, At(500)}}).ok());
    live["h"]["t"][0] = At(500);
  }
  Open(&rec, options);
  EXPECT_EQ(rec.records, 2);  // one compacted record for g, then h's commit
  EXPECT_EQ(rec.groups, live);
}

TEST_F(GroupOffsetLogTest, StaleTempFileFromACrashedCompactionIsIgnored) {
  GroupOffsetLog::Recovered rec;
  {
    auto log = Open(&rec);
    ASSERT_TRUE(log->AppendCommit("g", {{"t", 0, At(1)}}).ok());
  }
  {
    std::ofstream tmp(dir() + "/offsets.log.tmp", std::ios::binary);
    tmp << "half a compaction";
  }
  Open(&rec);
  EXPECT_EQ(rec.groups["g"]["t"][0].offset, 1);
  EXPECT_FALSE(fs::exists(dir() + "/offsets.log.tmp"));
}

TEST_F(GroupOffsetLogTest, OverlongStringsAreRefusedNotTruncated) {
  GroupOffsetLog::Recovered rec;
  auto log = Open(&rec);
  Status st = log->AppendCommit(std::string(40000, 'g'), {{"t", 0, At(1)}});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->size_bytes(), 0);
}

}  // namespace
}  // namespace floe::broker
