#include "floe/stream/topic_writer.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "floe/base/murmur2.h"
#include "floe/broker/kafka_server.h"
#include "floe/io/event_loop.h"
#include "floe/kafka/record_batch.h"

namespace floe::stream {
namespace {

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = fmt::format("{}/floe_topic_writer_XXXXXX", base != nullptr ? base : "/tmp");
    path_ = ::mkdtemp(tmpl.data()) != nullptr ? tmpl : "";
    EXPECT_FALSE(path_.empty()) << "mkdtemp failed";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct ReadRecord {
  std::optional<std::string> key;
  std::string value;
  int64_t offset = 0;
  int64_t timestamp = 0;
};

class BrokerTopicWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    broker::BrokerConfig config;
    config.default_partitions = 3;
    auto opened = broker::Broker::Open(dir_.path(), config);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    broker_ = std::move(opened).value();
  }

  // Every record of topic-partition, in offset order.
  std::vector<ReadRecord> ReadPartition(const std::string& topic, int32_t partition) {
    std::vector<ReadRecord> out;
    broker::PartitionLog* log = broker_->FindPartition(topic, partition);
    EXPECT_NE(log, nullptr);
    if (log == nullptr) return out;
    auto read = log->Read(0, 64 << 20);
    EXPECT_TRUE(read.ok()) << read.status().ToString();
    if (!read.ok()) return out;
    auto batches = kafka::SplitBatches(read->bytes);
    EXPECT_TRUE(batches.ok());
    for (auto batch : *batches) {
      EXPECT_TRUE(kafka::VerifyCrc(batch).ok());
      auto records = kafka::DecodeRecords(batch);
      EXPECT_TRUE(records.ok()) << records.status().ToString();
      for (const kafka::Record& r : *records) {
        ReadRecord rr;
        if (r.key) rr.key = std::string(*r.key);
        rr.value = r.value ? std::string(*r.value) : "<null>";
        rr.offset = r.offset;
        rr.timestamp = r.timestamp;
        out.push_back(std::move(rr));
      }
    }
    return out;
  }

  int64_t NextOffset(const std::string& topic, int32_t partition) {
    return broker_->FindPartition(topic, partition)->next_offset();
  }

  TempDir dir_;
  std::unique_ptr<broker::Broker> broker_;
};

TEST_F(BrokerTopicWriterTest, CreatesAMissingTopicWithTheBrokersDefaultPartitions) {
  ASSERT_EQ(broker_->FindTopic("late-events"), nullptr);
  auto writer = BrokerTopicWriter::Open(*broker_, "late-events");
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  broker::Topic* topic = broker_->FindTopic("late-events");
  ASSERT_NE(topic, nullptr);
  EXPECT_EQ(topic->partitions.size(), 3u);
  EXPECT_EQ((*writer)->partitions(), 3);
  EXPECT_EQ((*writer)->topic(), "late-events");
}

TEST_F(BrokerTopicWriterTest, UsesAnExistingTopicsPartitionCount) {
  ASSERT_TRUE(broker_->CreateTopic("five", 5, {}).ok());
  auto writer = BrokerTopicWriter::Open(*broker_, "five");
  ASSERT_TRUE(writer.ok());
  EXPECT_EQ((*writer)->partitions(), 5);
}

TEST_F(BrokerTopicWriterTest, MissingTopicIsNotFoundWhenCreationIsOff) {
  BrokerTopicWriterOptions options;
  options.create_topic = false;
  auto writer = BrokerTopicWriter::Open(*broker_, "absent", options);
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.status().code(), StatusCode::kNotFound);
  EXPECT_NE(writer.status().message().find("absent"), std::string::npos);
  EXPECT_EQ(broker_->FindTopic("absent"), nullptr);
}

TEST_F(BrokerTopicWriterTest, BadTopicNameIsInvalidArgument) {
  auto writer = BrokerTopicWriter::Open(*broker_, "no spaces allowed");
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(BrokerTopicWriterTest, KeyedRecordsLandWhereKafkasDefaultPartitionerPutsThem) {
  // Known outputs of the Java client's murmur2 (tests/unit/base/murmur2_test.cpp): "21" -> -973932308,
  // "foobar" -> -790332482, "abc" -> 479470107. toPositive(h) % 3: 1173551340 % 3 = 0, 1357151166 % 3 = 0,
  // 479470107 % 3 = 0; % 5 (below): 0, 1, 2.
  ASSERT_TRUE(broker_->CreateTopic("keyed", 5, {}).ok());
  auto writer = BrokerTopicWriter::Open(*broker_, "keyed");
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Send("21", "v21").ok());
  ASSERT_TRUE((*writer)->Send("foobar", "vfoobar").ok());
  ASSERT_TRUE((*writer)->Send("abc", "vabc").ok());
  ASSERT_TRUE((*writer)->Flush(1000).ok());
  auto p0 = ReadPartition("keyed", 0);
  auto p1 = ReadPartition("keyed", 1);
  auto p2 = ReadPartition("keyed", 2);
  ASSERT_EQ(p0.size(), 1u);
  ASSERT_EQ(p1.size(), 1u);
  ASSERT_EQ(p2.size(), 1u);
  EXPECT_EQ(p0[0].key, "21");
  EXPECT_EQ(p0[0].value, "v21");
  EXPECT_EQ(p1[0].key, "foobar");
  EXPECT_EQ(p2[0].key, "abc");
  EXPECT_TRUE(ReadPartition("keyed", 3).empty());
  EXPECT_TRUE(ReadPartition("keyed", 4).empty());
}

TEST_F(BrokerTopicWriterTest, EverySensorsRecordsShareOnePartitionInSendOrder) {
  BrokerTopicWriterOptions options;
  options.max_batch_records = 7;
  auto writer = BrokerTopicWriter::Open(*broker_, "telemetry", options);
  ASSERT_TRUE(writer.ok());
  for (int i = 0; i < 300; ++i) {
    std::string key = fmt::format("s-{:05}", i % 20);
    ASSERT_TRUE((*writer)->Send(key, fmt::format("{}", i)).ok());
  }
  ASSERT_TRUE((*writer)->Flush(1000).ok());
  size_t total = 0;
  for (int32_t p = 0; p < 3; ++p) {
    std::map<std::string, int> last_seen;
    auto records = ReadPartition("telemetry", p);
    total += records.size();
    for (size_t i = 0; i < records.size(); ++i) {
      ASSERT_TRUE(records[i].key.has_value());
      EXPECT_EQ(PartitionForKey(*records[i].key, 3), p) << *records[i].key;
      EXPECT_EQ(records[i].offset, static_cast<int64_t>(i));
      const int v = std::stoi(records[i].value);
      EXPECT_EQ(fmt::format("s-{:05}", v % 20), *records[i].key);
      auto it = last_seen.find(*records[i].key);
      if (it != last_seen.end()) {
        EXPECT_GT(v, it->second);  // a key's records keep their order
      }
      last_seen[*records[i].key] = v;
    }
  }
  EXPECT_EQ(total, 300u);
}

TEST_F(BrokerTopicWriterTest, BatchesAreAppendedWhenFullAndTheRestAtFlush) {
  BrokerTopicWriterOptions options;
  options.max_batch_records = 3;
  auto writer = BrokerTopicWriter::Open(*broker_, "batched", options);
  ASSERT_TRUE(writer.ok());
  const int32_t p = PartitionForKey("k", 3);
  ASSERT_TRUE((*writer)->Send("k", "1").ok());
  ASSERT_TRUE((*writer)->Send("k", "2").ok());
  EXPECT_EQ(NextOffset("batched", p), 0);  // still pending
  ASSERT_TRUE((*writer)->Send("k", "3").ok());
  EXPECT_EQ(NextOffset("batched", p), 3);  // the full batch went out
  ASSERT_TRUE((*writer)->Send("k", "4").ok());
  EXPECT_EQ(NextOffset("batched", p), 3);
  ASSERT_TRUE((*writer)->Flush(0).ok());
  EXPECT_EQ(NextOffset("batched", p), 4);
  auto records = ReadPartition("batched", p);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[3].value, "4");
}

TEST_F(BrokerTopicWriterTest, ByteLimitAlsoClosesABatch) {
  BrokerTopicWriterOptions options;
  options.max_batch_bytes = 10;
  auto writer = BrokerTopicWriter::Open(*broker_, "bytes", options);
  ASSERT_TRUE(writer.ok());
  const int32_t p = PartitionForKey("k", 3);
  ASSERT_TRUE((*writer)->Send("k", "1234").ok());
  EXPECT_EQ(NextOffset("bytes", p), 0);
  ASSERT_TRUE((*writer)->Send("k", "12345").ok());  // 1 + 4 + 1 + 5 bytes
  EXPECT_EQ(NextOffset("bytes", p), 2);
}

TEST_F(BrokerTopicWriterTest, KeylessRecordsStickToAPartitionUntilItsBatchIsSent) {
  BrokerTopicWriterOptions options;
  options.max_batch_records = 2;
  auto writer = BrokerTopicWriter::Open(*broker_, "keyless", options);
  ASSERT_TRUE(writer.ok());
  for (int i = 0; i < 7; ++i) ASSERT_TRUE((*writer)->Send(std::nullopt, fmt::format("{}", i)).ok());
  ASSERT_TRUE((*writer)->Flush(0).ok());
  auto p0 = ReadPartition("keyless", 0);
  auto p1 = ReadPartition("keyless", 1);
  auto p2 = ReadPartition("keyless", 2);
  ASSERT_EQ(p0.size(), 3u);  // 0, 1, then 6 after the others had their turn
  ASSERT_EQ(p1.size(), 2u);
  ASSERT_EQ(p2.size(), 2u);
  EXPECT_EQ(p0[0].value, "0");
  EXPECT_EQ(p0[1].value, "1");
  EXPECT_EQ(p0[2].value, "6");
  EXPECT_EQ(p1[0].value, "2");
  EXPECT_EQ(p2[1].value, "5");
  for (const auto& r : p0) EXPECT_FALSE(r.key.has_value());
}

TEST_F(BrokerTopicWriterTest, NullAndEmptyKeysAndValuesSurvive) {
  auto writer = BrokerTopicWriter::Open(*broker_, "edge");
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Send(std::string_view(), "").ok());  // empty key: keyed, partition of ""
  ASSERT_TRUE((*writer)->Flush(0).ok());
  auto records = ReadPartition("edge", PartitionForKey("", 3));
  ASSERT_EQ(records.size(), 1u);
  ASSERT_TRUE(records[0].key.has_value());
  EXPECT_EQ(*records[0].key, "");
  EXPECT_EQ(records[0].value, "");
}

TEST_F(BrokerTopicWriterTest, RecordsCarryTheClocksTimestamp) {
  BrokerTopicWriterOptions options;
  int64_t now = 1732480000123;
  options.clock = [&now] { return now++; };
  auto writer = BrokerTopicWriter::Open(*broker_, "timed", options);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Send("k", "a").ok());
  ASSERT_TRUE((*writer)->Send("k", "b").ok());
  ASSERT_TRUE((*writer)->Flush(0).ok());
  auto records = ReadPartition("timed", PartitionForKey("k", 3));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].timestamp, 1732480000123);
  EXPECT_EQ(records[1].timestamp, 1732480000124);
}

TEST_F(BrokerTopicWriterTest, NotifiesWaitingConsumersOncePerAppendUnlessAskedNotTo) {
  int notified = 0;
  broker_->SetAppendListener([&notified] { ++notified; });
  {
    auto writer = BrokerTopicWriter::Open(*broker_, "notify");
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Send("a", "1").ok());
    EXPECT_EQ(notified, 0);
    ASSERT_TRUE((*writer)->Flush(0).ok());
    EXPECT_EQ(notified, 1);
    ASSERT_TRUE((*writer)->Flush(0).ok());  // nothing pending: no append, no wake-up
    EXPECT_EQ(notified, 1);
  }
  BrokerTopicWriterOptions quiet;
  quiet.notify_consumers = false;
  auto writer = BrokerTopicWriter::Open(*broker_, "notify", quiet);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Send("a", "2").ok());
  ASSERT_TRUE((*writer)->Flush(0).ok());
  EXPECT_EQ(notified, 1);
  broker_->SetAppendListener(nullptr);
}

TEST_F(BrokerTopicWriterTest, DestroyingTheWriterAppendsWhatIsPending) {
  {
    auto writer = BrokerTopicWriter::Open(*broker_, "closing");
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Send("k", "last words").ok());
  }
  auto records = ReadPartition("closing", PartitionForKey("k", 3));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].value, "last words");
}

TEST_F(BrokerTopicWriterTest, AppendingToADeletedTopicIsNotFoundAndSaysHowManyRecordsWereLost) {
  auto writer = BrokerTopicWriter::Open(*broker_, "doomed");
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Send("k", "1").ok());
  ASSERT_TRUE((*writer)->Send("k", "2").ok());
  ASSERT_TRUE(broker_->DeleteTopic("doomed").ok());
  Status st = (*writer)->Flush(0);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_EQ(st.message(), fmt::format("topic doomed partition {} no longer exists (deleted?): 2 records not written",
                                      PartitionForKey("k", 3)));
}

TEST(RdKafkaTopicWriterTest, OpenRejectsMissingBootstrapAndBadProperties) {
  RdKafkaTopicWriterOptions options;
  auto writer = RdKafkaTopicWriter::Open("out", options);
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(writer.status().message(), "topic out: no bootstrap servers to write to");

  options.bootstrap = "127.0.0.1:1";
  options.connect_timeout_ms = 0;
  options.properties = {{"no.such.property", "1"}};
  writer = RdKafkaTopicWriter::Open("out", options);
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(writer.status().message().find("no.such.property=1"), std::string::npos) << writer.status().message();
  EXPECT_NE(writer.status().message().find("topic out at 127.0.0.1:1"), std::string::npos);
}

// librdkafka's murmur2_random partitioner, acks=all and idempotence, against floe's broker over the network: the
// records land in the partitions floe's own partitioner picks, in order, and Flush returns once they are in the log.
TEST_F(BrokerTopicWriterTest, RdKafkaWriterAgreesWithTheBrokerWritersPartitioning) {
  ASSERT_TRUE(broker_->CreateTopic("remote", 3, {}).ok());
  io::EventLoop loop(1);
  auto server = std::make_unique<broker::KafkaServer>(loop, *broker_);
  auto address = server->Listen({"127.0.0.1", 0});
  ASSERT_TRUE(address.ok()) << address.status().ToString();
  std::thread network([&loop] { loop.Run(); });
  {
    RdKafkaTopicWriterOptions options;
    options.bootstrap = fmt::format("127.0.0.1:{}", address->port);
    auto writer = RdKafkaTopicWriter::Open("remote", options);
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    for (int i = 0; i < 60; ++i) {
      ASSERT_TRUE((*writer)->Send(fmt::format("s-{:05}", i % 12), fmt::format("{}", i)).ok());
    }
    ASSERT_TRUE((*writer)->Send(std::nullopt, "keyless").ok());
    Status flushed = (*writer)->Flush(30'000);
    EXPECT_TRUE(flushed.ok()) << flushed.ToString();
  }
  server->Stop();
  loop.Stop();
  network.join();
  server.reset();  // after the writer and the network thread: see BrokerTopicWriter's thread-safety note

  size_t total = 0;
  for (int32_t p = 0; p < 3; ++p) {
    std::map<std::string, int> last_seen;
    for (const ReadRecord& r : ReadPartition("remote", p)) {
      ++total;
      if (!r.key) continue;
      EXPECT_EQ(PartitionForKey(*r.key, 3), p) << *r.key;
      const int v = std::stoi(r.value);
      auto it = last_seen.find(*r.key);
      if (it != last_seen.end()) {
        EXPECT_GT(v, it->second);
      }
      last_seen[*r.key] = v;
    }
  }
  EXPECT_EQ(total, 61u);
}

}  // namespace
}  // namespace floe::stream
