#include "floe/stream/broker_source.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../kafka/compressed_batches.h"

namespace floe::stream {
namespace {

namespace tb = ::floe::kafka::test_batches;
using kafka::RecordInput;

constexpr int64_t kBaseTime = 1700000000000;

// Stands in for the broker's network thread: runs posted functions in order on one thread of its own.
class BrokerThread {
 public:
  BrokerThread() : thread_([this] { Run(); }) {}
  ~BrokerThread() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  void Post(std::function<void()> fn) {
    {
      std::lock_guard lock(mu_);
      queue_.push_back(std::move(fn));
    }
    cv_.notify_one();
  }

 private:
  void Run() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;
      std::function<void()> fn = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      fn();
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stop_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

struct Got {
  int32_t partition;
  int64_t offset;
  int64_t timestamp;
  std::optional<std::string> key;
  std::optional<std::string> value;
};

RecordInput Rec(const std::string& value, int64_t timestamp, std::optional<std::string> key = "k") {
  RecordInput r;
  r.key = std::move(key);
  r.value = value;
  r.timestamp = timestamp;
  return r;
}

// Records "p<partition>-<first>" ... with timestamps kBaseTime + index * 1000.
std::vector<RecordInput> Records(int32_t partition, int first, int count) {
  std::vector<RecordInput> out;
  for (int i = first; i < first + count; ++i) {
    out.push_back(Rec("p" + std::to_string(partition) + "-" + std::to_string(i), kBaseTime + i * 1000));
  }
  return out;
}

class BrokerSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/floe-broker-source-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto broker = broker::Broker::Open(dir_, broker::BrokerConfig{});
    ASSERT_TRUE(broker.ok()) << broker.status().ToString();
    broker_ = std::move(*broker);
    ASSERT_TRUE(broker_->CreateTopic("events", 2, {}).ok());
  }
  void TearDown() override {
    source_.reset();
    thread_.reset();
    if (broker_) {
      EXPECT_TRUE(broker_->Close().ok());
    }
    broker_.reset();
    std::filesystem::remove_all(dir_);
  }

  BrokerSource& Source(std::string group = "job-group") {
    BrokerSourceOptions options;
    options.topic = "events";
    options.group_id = std::move(group);
    options.idle_poll_interval_ms = 2;
    options.max_partition_fetch_bytes = 600;  // a few batches per read: reads span several calls
    source_ = std::make_unique<BrokerSource>(*broker_, options,
                                             [this](std::function<void()> fn) { thread_->Post(std::move(fn)); });
    return *source_;
  }

  // Appends one batch; returns its base offset.
  int64_t Append(int32_t partition, std::vector<uint8_t> batch, const std::string& topic = "events") {
    broker::PartitionLog* log = broker_->FindPartition(topic, partition);
    EXPECT_NE(log, nullptr);
    auto appended = log->Append(batch, kBaseTime);
    EXPECT_TRUE(appended.ok()) << appended.status().ToString();
    return appended.ok() ? appended->base_offset : -1;
  }

  // Polls until `count` records arrived (or a poll returns nothing for a second), max_records at a time.
  std::vector<Got> PollN(size_t count, size_t max_records = 1000) {
    std::vector<Got> got;
    while (got.size() < count) {
      auto n = source_->Poll(1000, max_records, [&](const SourceRecord& r) {
        got.push_back({r.partition, r.offset, r.timestamp_ms, r.key ? std::optional<std::string>(*r.key) : std::nullopt,
                       r.value ? std::optional<std::string>(*r.value) : std::nullopt});
      });
      EXPECT_TRUE(n.ok()) << n.status().ToString();
      if (!n.ok() || *n == 0) break;
      EXPECT_LE(*n, max_records);
    }
    return got;
  }

  std::string dir_;
  std::unique_ptr<broker::Broker> broker_;
  std::unique_ptr<BrokerThread> thread_ = std::make_unique<BrokerThread>();
  std::unique_ptr<BrokerSource> source_;
};

std::vector<std::string> ValuesOf(const std::vector<Got>& got, int32_t partition) {
  std::vector<std::string> out;
  for (const Got& g : got) {
    if (g.partition == partition) out.push_back(g.value.value_or("<null>"));
  }
  return out;
}

std::vector<std::string> Expected(int32_t partition, int first, int count) {
  std::vector<std::string> out;
  for (int i = first; i < first + count; ++i) out.push_back("p" + std::to_string(partition) + "-" + std::to_string(i));
  return out;
}

TEST_F(BrokerSourceTest, ReadsEveryCodecInOffsetOrderAcrossPartitions) {
  // Partition 0: plain, gzip, zstd; partition 1: lz4, xerial snappy, raw snappy, plain.
  Append(0, kafka::BuildRecordBatch(Records(0, 0, 5)));
  Append(0, tb::CompressedBatch(tb::Codec::kGzip, Records(0, 5, 7)));
  Append(0, tb::CompressedBatch(tb::Codec::kZstd, Records(0, 12, 3)));
  Append(1, tb::CompressedBatch(tb::Codec::kLz4, Records(1, 0, 4)));
  Append(1, tb::CompressedBatch(tb::Codec::kSnappyXerial, Records(1, 4, 6)));
  Append(1, tb::CompressedBatch(tb::Codec::kSnappyRaw, Records(1, 10, 2)));
  Append(1, kafka::BuildRecordBatch(Records(1, 12, 1)));
  BrokerSource& source = Source();
  ASSERT_TRUE(source.Assign({{0, 0}, {1, 0}}).ok());
  const std::vector<Got> got = PollN(28);
  ASSERT_EQ(got.size(), 28u);
  EXPECT_EQ(ValuesOf(got, 0), Expected(0, 0, 15));
  EXPECT_EQ(ValuesOf(got, 1), Expected(1, 0, 13));
  int64_t next[2] = {0, 0};
  for (const Got& g : got) {
    EXPECT_EQ(g.offset, next[g.partition]) << "partition " << g.partition;
    ++next[g.partition];
    const int index = std::stoi(g.value->substr(3));
    EXPECT_EQ(g.timestamp, kBaseTime + index * 1000);
    EXPECT_EQ(g.key, "k");
  }
  // Nothing more: a short poll returns 0.
  auto n = source.Poll(0, 10, [](const SourceRecord&) {});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
}

TEST_F(BrokerSourceTest, StartsInTheMiddleOfABatch) {
  Append(0, kafka::BuildRecordBatch(Records(0, 0, 4)));
  Append(0, tb::CompressedBatch(tb::Codec::kLz4, Records(0, 4, 10)));
  BrokerSource& source = Source();
  for (int64_t start : {int64_t{2}, int64_t{7}, int64_t{13}}) {
    SCOPED_TRACE(start);
    ASSERT_TRUE(source.Assign({{0, start}}).ok());
    const std::vector<Got> got = PollN(static_cast<size_t>(14 - start));
    ASSERT_EQ(got.size(), static_cast<size_t>(14 - start));
    EXPECT_EQ(got.front().offset, start);
    EXPECT_EQ(ValuesOf(got, 0), Expected(0, static_cast<int>(start), static_cast<int>(14 - start)));
  }
}

TEST_F(BrokerSourceTest, MaxRecordsIsHonouredAndTheNextPollResumesInsideTheBatch) {
  Append(0, tb::CompressedBatch(tb::Codec::kZstd, Records(0, 0, 10)));
  Append(1, tb::CompressedBatch(tb::Codec::kGzip, Records(1, 0, 10)));
  BrokerSource& source = Source();
  ASSERT_TRUE(source.Assign({{0, 0}, {1, 0}}).ok());
  const std::vector<Got> got = PollN(20, 3);
  ASSERT_EQ(got.size(), 20u);
  EXPECT_EQ(ValuesOf(got, 0), Expected(0, 0, 10));
  EXPECT_EQ(ValuesOf(got, 1), Expected(1, 0, 10));
  // Both partitions were served before either finished: they take turns.
  size_t first_of_1 = 0;
  while (got[first_of_1].partition != 1) ++first_of_1;
  EXPECT_LT(first_of_1, 10u);
}

TEST_F(BrokerSourceTest, UnassignedPartitionsAreNotRead) {
  Append(0, kafka::BuildRecordBatch(Records(0, 0, 3)));
  Append(1, kafka::BuildRecordBatch(Records(1, 0, 3)));
  BrokerSource& source = Source();
  ASSERT_TRUE(source.Assign({{1, 1}}).ok());
  const std::vector<Got> got = PollN(2);
  EXPECT_EQ(ValuesOf(got, 1), Expected(1, 1, 2));
  EXPECT_TRUE(ValuesOf(got, 0).empty());
}

TEST_F(BrokerSourceTest, WaitsForRecordsAppendedWhileItPolls) {
  Append(0, kafka::BuildRecordBatch(Records(0, 0, 2)));
  BrokerSource& source = Source();
  ASSERT_TRUE(source.Assign({{0, 2}}).ok());
  std::mutex mu;
  std::condition_variable cv;
  bool polling = false;
  std::thread appender([&] {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return polling; });
    lock.unlock();
    Append(0, tb::CompressedBatch(tb::Codec::kSnappyRaw, Records(0, 2, 3)));
  });
  {
    std::lock_guard lock(mu);
    polling = true;
  }
  cv.notify_one();
  std::vector<Got> got;
  // The append may land before or during the poll; either way a generous wait sees it.
  while (got.size() < 3) {
    auto n = source.Poll(30000, 100, [&](const SourceRecord& r) {
      got.push_back({r.partition, r.offset, r.timestamp_ms, std::nullopt, std::string(*r.value)});
    });
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    ASSERT_GT(*n, 0u) << "the poll ran out before the appended records arrived";
  }
  appender.join();
  EXPECT_EQ(ValuesOf(got, 0), Expected(0, 2, 3));
  EXPECT_EQ(got.front().offset, 2);
}

TEST_F(BrokerSourceTest, StartupModes) {
  Append(0, kafka::BuildRecordBatch(Records(0, 0, 5)));                         // times 0..4 s
  Append(0, tb::CompressedBatch(tb::Codec::kGzip, Records(0, 5, 5)));           // times 5..9 s
  Append(0, tb::CompressedBatch(tb::Codec::kSnappyXerial, Records(0, 10, 5)));  // times 10..14 s
  BrokerSource& source = Source();
  auto offset = [&](StartupMode mode, int64_t ts = 0) {
    Result<int64_t> r = source.StartOffset(0, mode, ts);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : -100;
  };
  EXPECT_EQ(offset(StartupMode::kEarliest), 0);
  EXPECT_EQ(offset(StartupMode::kLatest), 15);
  EXPECT_EQ(source.StartOffset(1, StartupMode::kLatest, 0).value(), 0);
  // Timestamps: exact within plain and compressed batches alike.
  EXPECT_EQ(offset(StartupMode::kTimestamp, kBaseTime), 0);
  EXPECT_EQ(offset(StartupMode::kTimestamp, kBaseTime + 2500), 3);
  EXPECT_EQ(offset(StartupMode::kTimestamp, kBaseTime + 7000), 7);
  EXPECT_EQ(offset(StartupMode::kTimestamp, kBaseTime + 6999), 7);
  EXPECT_EQ(offset(StartupMode::kTimestamp, kBaseTime + 13000), 13);
  EXPECT_EQ(offset(StartupMode::kTimestamp, kBaseTime + 99000), 15);  // after every record: the end
  // Group offsets: nothing committed yet means the earliest offset; then the committed one.
  EXPECT_EQ(offset(StartupMode::kGroupOffsets), 0);
  ASSERT_TRUE(source.CommitGroupOffsets({{0, 9}, {1, 0}}).ok());
  EXPECT_EQ(offset(StartupMode::kGroupOffsets), 9);
  EXPECT_EQ(source.StartOffset(1, StartupMode::kGroupOffsets, 0).value(), 0);
  ASSERT_TRUE(source.CommitGroupOffsets({{0, 12}}).ok());
  EXPECT_EQ(offset(StartupMode::kGroupOffsets), 12);
  // Another group has its own offsets.
  BrokerSource& other = Source("other-group");
  EXPECT_EQ(other.StartOffset(0, StartupMode::kGroupOffsets, 0).value(), 0);
  // Unknown partitions are NotFound.
  EXPECT_EQ(other.StartOffset(2, StartupMode::kEarliest, 0).status().code(), StatusCode::kNotFound);
}

TEST_F(BrokerSourceTest, GroupOffsetsNeedAGroupId) {
  BrokerSource& source = Source("");
  Status st = source.CommitGroupOffsets({{0, 1}});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("properties.group.id"), std::string::npos) << st.message();
  EXPECT_EQ(source.StartOffset(0, StartupMode::kGroupOffsets, 0).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(BrokerSourceTest, CommitForAPartitionThatDoesNotExistIsRefused) {
  BrokerSource& source = Source();
  Status st = source.CommitGroupOffsets({{7, 1}});
  EXPECT_EQ(st.code(), StatusCode::kNotFound) << st.ToString();
  EXPECT_NE(st.message().find("partition 7"), std::string::npos) << st.message();
}

TEST_F(BrokerSourceTest, GroupCallsTimeOutWhenTheBrokerThreadDoesNotRunThem) {
  std::vector<std::function<void()>> parked;
  BrokerSourceOptions options;
  options.topic = "events";
  options.group_id = "g";
  options.group_request_timeout_ms = 20;
  {
    BrokerSource source(*broker_, options, [&](std::function<void()> fn) { parked.push_back(std::move(fn)); });
    Status st = source.CommitGroupOffsets({{0, 1}});
    EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
    EXPECT_NE(st.message().find("did not answer within 20 ms"), std::string::npos) << st.message();
  }
  // The source is gone; the late task still runs safely on the "broker thread" and commits.
  ASSERT_EQ(parked.size(), 1u);
  parked[0]();
  BrokerSource& source = Source("g");
  EXPECT_EQ(source.StartOffset(0, StartupMode::kGroupOffsets, 0).value(), 1);
}

TEST_F(BrokerSourceTest, OffsetRemovedByRetentionResetsToTheEarliest) {
  ASSERT_TRUE(broker_->CreateTopic("short", 1, {{"segment.bytes", "1024"}, {"retention.bytes", "1024"}}).ok());
  for (int i = 0; i < 20; ++i) Append(0, kafka::BuildRecordBatch(Records(0, i * 4, 4)), "short");
  broker::PartitionLog* log = broker_->FindPartition("short", 0);
  ASSERT_TRUE(log->ApplyRetention(kBaseTime).ok());
  const int64_t start = log->log_start_offset();
  ASSERT_GT(start, 0) << "retention removed nothing; the test needs it to";
  BrokerSourceOptions options;
  options.topic = "short";
  source_ = std::make_unique<BrokerSource>(*broker_, options, [](std::function<void()> fn) { fn(); });
  ASSERT_TRUE(source_->Assign({{0, 1}}).ok());
  std::vector<Got> got = PollN(static_cast<size_t>(80 - start));
  ASSERT_EQ(got.size(), static_cast<size_t>(80 - start));
  EXPECT_EQ(got.front().offset, start);
  EXPECT_EQ(got.back().offset, 79);
  // Beyond the end (say, the topic was re-created): also back to the earliest.
  ASSERT_TRUE(source_->Assign({{0, 500}}).ok());
  got = PollN(static_cast<size_t>(80 - start));
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.front().offset, start);
}

TEST_F(BrokerSourceTest, ControlBatchesAreSkipped) {
  Append(0, kafka::BuildRecordBatch(Records(0, 0, 2)));
  // A transaction marker after them: offset 2, then data again at 3.
  RecordInput marker;
  marker.key = std::string("\x00\x00\x00\x01", 4);
  marker.value = std::string("\x00\x00\x00\x00\x00\x00", 6);
  marker.timestamp = kBaseTime;
  std::vector<uint8_t> control = kafka::BuildRecordBatch({marker});
  tb::SetAttributes(&control, static_cast<int16_t>(kafka::kControlBit | kafka::kTransactionalBit));
  kafka::RewriteCrc(control);
  EXPECT_EQ(Append(0, control), 2);
  Append(0, kafka::BuildRecordBatch(Records(0, 2, 2)));
  BrokerSource& source = Source();
  ASSERT_TRUE(source.Assign({{0, 0}}).ok());
  const std::vector<Got> got = PollN(4);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(ValuesOf(got, 0), Expected(0, 0, 4));
  EXPECT_EQ(got[1].offset, 1);
  EXPECT_EQ(got[2].offset, 3);
  // Starting at the marker itself works too.
  ASSERT_TRUE(source.Assign({{0, 2}}).ok());
  const std::vector<Got> after = PollN(2);
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].offset, 3);
}

TEST_F(BrokerSourceTest, NullKeysAndValuesStayNull) {
  std::vector<RecordInput> records = {Rec("a", kBaseTime, std::nullopt), Rec("", kBaseTime)};
  records.push_back(RecordInput{std::string("tombstone"), std::nullopt, {}, kBaseTime});
  Append(0, tb::CompressedBatch(tb::Codec::kZstd, records));
  BrokerSource& source = Source();
  ASSERT_TRUE(source.Assign({{0, 0}}).ok());
  const std::vector<Got> got = PollN(3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_FALSE(got[0].key.has_value());
  EXPECT_EQ(got[1].value, "");
  EXPECT_EQ(got[2].key, "tombstone");
  EXPECT_FALSE(got[2].value.has_value());
}

TEST_F(BrokerSourceTest, PartitionCountEndOffsetsAndMissingTopics) {
  Append(0, kafka::BuildRecordBatch(Records(0, 0, 3)));
  BrokerSource& source = Source();
  EXPECT_EQ(source.PartitionCount().value(), 2);
  EXPECT_EQ(source.EndOffsets().value(), (std::map<int32_t, int64_t>{{0, 3}, {1, 0}}));
  EXPECT_EQ(source.Assign({{5, 0}}).code(), StatusCode::kNotFound);
  EXPECT_EQ(source.Assign({{0, -1}}).code(), StatusCode::kInvalidArgument);

  BrokerSourceOptions options;
  options.topic = "not-yet";
  BrokerSource later(*broker_, options, [](std::function<void()> fn) { fn(); });
  EXPECT_EQ(later.PartitionCount().value(), 0);
  EXPECT_TRUE(later.EndOffsets().value().empty());
  ASSERT_TRUE(broker_->CreateTopic("not-yet", 3, {}).ok());
  EXPECT_EQ(later.PartitionCount().value(), 3);
}

TEST_F(BrokerSourceTest, ADeletedTopicIsNotFoundOnPoll) {
  Append(0, kafka::BuildRecordBatch(Records(0, 0, 3)));
  BrokerSource& source = Source();
  ASSERT_TRUE(source.Assign({{0, 0}}).ok());
  EXPECT_EQ(PollN(3).size(), 3u);
  ASSERT_TRUE(broker_->DeleteTopic("events").ok());
  auto n = source.Poll(0, 10, [](const SourceRecord&) {});
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), StatusCode::kNotFound);
  EXPECT_NE(n.status().message().find("topic events partition 0"), std::string::npos) << n.status().message();
}

TEST_F(BrokerSourceTest, CorruptBatchOnDiskIsCorruptionNamingThePartition) {
  // A gzip batch whose stream is garbage but whose crc is right (as if written so by a broken client).
  std::vector<uint8_t> plain = kafka::BuildRecordBatch(Records(0, 0, 3));
  std::vector<uint8_t> garbage(40, 0x33);
  Append(0, tb::WithRecordsField(plain, garbage, kafka::CompressionType::kGzip));
  BrokerSource& source = Source();
  ASSERT_TRUE(source.Assign({{0, 0}}).ok());
  auto n = source.Poll(0, 10, [](const SourceRecord&) {});
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), StatusCode::kCorruption);
  EXPECT_NE(n.status().message().find("stream source: topic events partition 0: record batch at base offset 0 (gzip)"),
            std::string::npos)
      << n.status().message();
}

}  // namespace
}  // namespace floe::stream
