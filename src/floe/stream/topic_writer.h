// Writing records to a Kafka topic from a stream job: the side outputs (late events, dead letters) and sinks with
// 'connector' = 'kafka'. Two writers behind one interface: into floe's own broker in the same process, or through
// librdkafka to any Kafka cluster.
//
// Both partition as Kafka's Java client does (base/murmur2.h): a keyed record goes to
// toPositive(murmur2(key)) % partitions, so a sensor's records land in the same partition whichever writer (or
// external producer) wrote them. Keyless records are spread with a sticky partitioner (Kafka >= 2.4's default): all
// go to one partition until its batch is sent, then the next partition takes over.
//
// A writer is used by one thread. Send copies the key and value; records become visible to consumers once sent
// (a batch filled, or Flush). A job calls Flush at least once per poll loop, and before it commits a checkpoint.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floe/base/status.h"
#include "floe/broker/broker.h"
#include "floe/ingest/rdkafka_client.h"
#include "floe/kafka/record_batch.h"

namespace floe::stream {

class TopicWriter {
 public:
  virtual ~TopicWriter() = default;

  // Queues one record (key null when nullopt). May send earlier records. An error means the record (or an earlier
  // one) was not and will not be written.
  virtual Status Send(std::optional<std::string_view> key, std::string_view value) = 0;
  // Sends every queued record and waits, at most `timeout_ms`, until all are written (appended to the log, or
  // acknowledged by all in-sync replicas). An error names the topic and says how many records were lost or are
  // still unconfirmed.
  virtual Status Flush(int timeout_ms) = 0;

  virtual const std::string& topic() const = 0;
};

struct BrokerTopicWriterOptions {
  // A partition's pending records are appended as one batch when they reach either limit (or at Flush).
  int32_t max_batch_records = 64;
  size_t max_batch_bytes = 256 * 1024;
  // Create the topic (with the broker's default_partitions) when it does not exist. The job asked for this topic
  // by name, so this holds whatever the broker's auto_create_topics says (that setting governs remote clients).
  bool create_topic = true;
  // Wake consumers long-polling the broker (Broker::NotifyAppended) after each append.
  bool notify_consumers = true;
  // Record timestamps (CreateTime), milliseconds since the epoch. Default: the system clock.
  std::function<int64_t()> clock;
};

// Appends to a topic of an in-process broker::Broker, without the network.
//
// Thread-safety: PartitionLog::Append and Broker::FindTopic/CreateTopic lock internally, so a writer on a job
// thread may append while the network thread serves producers and consumers. Broker::NotifyAppended is safe from
// this thread too: the KafkaServer's listener only locks a weak_ptr and asio::post()s the wake-up to the network
// thread. The one unsynchronised part is the std::function the listener is held in: KafkaServer sets it in its
// constructor and clears it in its destructor, so writers must not run while a KafkaServer is being constructed or
// destroyed (start them after, stop them before). Deleting the topic while a writer writes to it is not supported
// (Broker::DeleteTopic destroys the logs); the writer looks the partition up for each batch and reports NotFound
// if the topic is gone by then, but cannot close the race with a concurrent delete.
class BrokerTopicWriter : public TopicWriter {
 public:
  // Finds (or creates, see options) the topic. NotFound when it does not exist and create_topic is false;
  // InvalidArgument for a bad topic name.
  static Result<std::unique_ptr<BrokerTopicWriter>> Open(broker::Broker& broker, const std::string& topic,
                                                         BrokerTopicWriterOptions options = {});
  ~BrokerTopicWriter() override;  // appends what is still pending (errors are logged)

  Status Send(std::optional<std::string_view> key, std::string_view value) override;
  Status Flush(int timeout_ms) override;  // appends are synchronous: the timeout is not needed
  const std::string& topic() const override { return topic_; }

  int32_t partitions() const { return static_cast<int32_t>(pending_.size()); }
  // The partition the next keyless record goes to (tests).
  int32_t sticky_partition() const { return sticky_partition_; }

 private:
  struct Pending {
    std::vector<kafka::RecordInput> records;
    size_t bytes = 0;
  };

  BrokerTopicWriter(broker::Broker& broker, std::string topic, int32_t partitions, BrokerTopicWriterOptions options);
  Status AppendPending(int32_t partition);

  broker::Broker& broker_;
  std::string topic_;
  BrokerTopicWriterOptions options_;
  std::vector<Pending> pending_;  // by partition
  int32_t sticky_partition_ = 0;
};

struct RdKafkaTopicWriterOptions {
  std::string bootstrap;                // bootstrap.servers
  ingest::ClientProperties properties;  // librdkafka properties, set after floe's (so they win)
  int64_t connect_timeout_ms = 10'000;  // Open fails if no broker answers within this; 0 skips the check
};

// Produces to a topic of a Kafka cluster through librdkafka: partitioner murmur2_random (the Java client's
// partitioning of keyed records), acks=all and enable.idempotence=true (no duplicates or reordering on retries).
// Delivery reports are collected on the writer's thread (in Send and Flush); the first failure is returned by the
// next Send or Flush.
class RdKafkaTopicWriter : public TopicWriter {
 public:
  // InvalidArgument for a bad property (named); Unavailable when no broker answers within connect_timeout_ms.
  static Result<std::unique_ptr<RdKafkaTopicWriter>> Open(const std::string& topic, RdKafkaTopicWriterOptions options);
  ~RdKafkaTopicWriter() override;  // records not yet delivered are purged: Flush first

  Status Send(std::optional<std::string_view> key, std::string_view value) override;
  Status Flush(int timeout_ms) override;
  const std::string& topic() const override { return topic_; }

 private:
  struct Deliveries {
    int64_t failed = 0;
    std::string first_error;
  };
  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);

  RdKafkaTopicWriter(std::string topic, std::string bootstrap);
  Status TakeDeliveryError();

  std::string topic_;
  std::string bootstrap_;
  // The delivery callback's state: a stable address given to librdkafka as the opaque before the handle exists.
  std::unique_ptr<Deliveries> deliveries_;
  ingest::RdKafkaHandle rk_;
};

}  // namespace floe::stream
