#include "floe/stream/topic_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <span>
#include <utility>

#include "floe/base/logging.h"
#include "floe/base/murmur2.h"

namespace floe::stream {

namespace {

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// ---- BrokerTopicWriter ----

BrokerTopicWriter::BrokerTopicWriter(broker::Broker& broker, std::string topic, int32_t partitions,
                                     BrokerTopicWriterOptions options)
    : broker_(broker),
      topic_(std::move(topic)),
      options_(std::move(options)),
      pending_(static_cast<size_t>(partitions)) {
  if (!options_.clock) options_.clock = SystemNowMs;
  options_.max_batch_records = std::max(options_.max_batch_records, 1);
}

Result<std::unique_ptr<BrokerTopicWriter>> BrokerTopicWriter::Open(broker::Broker& broker, const std::string& topic,
                                                                   BrokerTopicWriterOptions options) {
  FLOE_RETURN_IF_ERROR(broker::Broker::ValidateTopicName(topic));
  broker::Topic* t = broker.FindTopic(topic);
  if (t == nullptr) {
    if (!options.create_topic) {
      return Status::NotFound(
          fmt::format("topic {} does not exist in the broker (and the writer may not create it)", topic));
    }
    auto created = broker.CreateTopic(topic, broker.config().default_partitions, {});
    if (created.ok()) {
      t = *created;
    } else if (created.status().code() == StatusCode::kAlreadyExists) {
      t = broker.FindTopic(topic);  // created meanwhile by another thread
    } else {
      return created.status().WithContext(fmt::format("creating topic {} to write to", topic));
    }
    if (t == nullptr) return Status::NotFound(fmt::format("topic {} was deleted while being opened", topic));
  }
  const auto partitions = static_cast<int32_t>(t->partitions.size());
  if (partitions < 1) return Status::Internal(fmt::format("topic {} has no partitions", topic));
  return std::unique_ptr<BrokerTopicWriter>(new BrokerTopicWriter(broker, topic, partitions, std::move(options)));
}

BrokerTopicWriter::~BrokerTopicWriter() {
  if (Status st = Flush(0); !st.ok()) {
    FLOE_LOG_ERROR("topic writer lost records at close", {{"topic", topic_}, {"error", st.message()}});
  }
}

Status BrokerTopicWriter::Send(std::optional<std::string_view> key, std::string_view value) {
  const int32_t partition = key ? PartitionForKey(*key, partitions()) : sticky_partition_;
  Pending& pending = pending_[static_cast<size_t>(partition)];
  kafka::RecordInput& record = pending.records.emplace_back();
  if (key) record.key.emplace(*key);
  record.value.emplace(value);
  record.timestamp = options_.clock();
  pending.bytes += (key ? key->size() : 0) + value.size();
  if (static_cast<int32_t>(pending.records.size()) >= options_.max_batch_records ||
      pending.bytes >= options_.max_batch_bytes) {
    return AppendPending(partition);
  }
  return Status::Ok();
}

Status BrokerTopicWriter::AppendPending(int32_t partition) {
  Pending& pending = pending_[static_cast<size_t>(partition)];
  if (pending.records.empty()) return Status::Ok();
  const size_t count = pending.records.size();
  std::vector<uint8_t> batch = kafka::BuildRecordBatch(pending.records);
  pending.records.clear();
  pending.bytes = 0;
  // Kafka's sticky partitioner moves keyless records on once the batch they were filling has been sent.
  if (partition == sticky_partition_) sticky_partition_ = (sticky_partition_ + 1) % partitions();

  // Looked up per batch rather than kept: a Topic* would dangle after a DeleteTopic.
  broker::Topic* t = broker_.FindTopic(topic_);
  if (t == nullptr || partition >= static_cast<int32_t>(t->partitions.size())) {
    return Status::NotFound(fmt::format("topic {} partition {} no longer exists (deleted?): {} records not written",
                                        topic_, partition, count));
  }
  const int64_t now = options_.clock();
  auto appended = t->partitions[static_cast<size_t>(partition)]->Append(std::span<uint8_t>(batch), now,
                                                                        t->log_append_time ? now : -1);
  if (!appended.ok()) {
    return appended.status().WithContext(
        fmt::format("appending {} records to {}-{} (they are lost)", count, topic_, partition));
  }
  if (options_.notify_consumers) broker_.NotifyAppended();
  return Status::Ok();
}

Status BrokerTopicWriter::Flush(int /*timeout_ms*/) {
  Status first;
  for (int32_t p = 0; p < partitions(); ++p) {
    Status st = AppendPending(p);
    if (!st.ok() && first.ok()) first = std::move(st);
  }
  return first;
}

// ---- RdKafkaTopicWriter ----

RdKafkaTopicWriter::RdKafkaTopicWriter(std::string topic, std::string bootstrap)
    : topic_(std::move(topic)), bootstrap_(std::move(bootstrap)), deliveries_(std::make_unique<Deliveries>()) {}

void RdKafkaTopicWriter::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
  auto* deliveries = static_cast<Deliveries*>(opaque);
  if (deliveries->failed++ == 0) {
    deliveries->first_error = fmt::format("partition {}: {}", message->partition, rd_kafka_err2str(message->err));
  }
}

Result<std::unique_ptr<RdKafkaTopicWriter>> RdKafkaTopicWriter::Open(const std::string& topic,
                                                                     RdKafkaTopicWriterOptions options) {
  if (options.bootstrap.empty()) {
    return Status::InvalidArgument(fmt::format("topic {}: no bootstrap servers to write to", topic));
  }
  std::unique_ptr<RdKafkaTopicWriter> writer(new RdKafkaTopicWriter(topic, options.bootstrap));
  ingest::ClientProperties properties = {
      {"bootstrap.servers", options.bootstrap},
      {"partitioner", "murmur2_random"},  // the Java client's partitioning of keyed records
      {"acks", "all"},
      {"enable.idempotence", "true"},
      {"linger.ms", "5"},
  };
  properties.insert(properties.end(), options.properties.begin(), options.properties.end());
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (Status st = ingest::SetClientProperties(conf, properties); !st.ok()) {
    rd_kafka_conf_destroy(conf);
    return st.WithContext(fmt::format("topic {} at {}", topic, options.bootstrap));
  }
  rd_kafka_conf_set_dr_msg_cb(conf, &RdKafkaTopicWriter::OnDelivery);
  rd_kafka_conf_set_opaque(conf, writer->deliveries_.get());
  FLOE_ASSIGN_OR_RETURN(writer->rk_, ingest::NewRdKafka(RD_KAFKA_PRODUCER, conf));
  if (options.connect_timeout_ms > 0) {
    FLOE_RETURN_IF_ERROR(ingest::CheckReachable(writer->rk_.get(), options.bootstrap, options.connect_timeout_ms)
                             .WithContext(fmt::format("topic {}", topic)));
  }
  return writer;
}

RdKafkaTopicWriter::~RdKafkaTopicWriter() {
  if (!rk_) return;
  if (rd_kafka_outq_len(rk_.get()) > 0) {
    FLOE_LOG_WARN("topic writer closed with undelivered records",
                  {{"topic", topic_}, {"bootstrap", bootstrap_}, {"records", rd_kafka_outq_len(rk_.get())}});
    rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(rk_.get(), 0);  // serve the purged records' delivery reports while deliveries_ lives
  }
  rk_.reset();
}

Status RdKafkaTopicWriter::TakeDeliveryError() {
  char fatal[512];
  if (rd_kafka_resp_err_t err = rd_kafka_fatal_error(rk_.get(), fatal, sizeof fatal);
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Unavailable(
        fmt::format("topic {} at {}: the producer failed and cannot continue: {}", topic_, bootstrap_, fatal));
  }
  if (deliveries_->failed == 0) return Status::Ok();
  Status st = Status::Unavailable(fmt::format("topic {} at {}: {} records were not delivered; the first: {}", topic_,
                                              bootstrap_, deliveries_->failed, deliveries_->first_error));
  *deliveries_ = Deliveries{};
  return st;
}

Status RdKafkaTopicWriter::Send(std::optional<std::string_view> key, std::string_view value) {
  rd_kafka_poll(rk_.get(), 0);  // delivery reports of earlier records
  FLOE_RETURN_IF_ERROR(TakeDeliveryError());
  for (;;) {
    // A present but empty key stays an empty key (non-null pointer); only nullopt is a null key.
    void* key_ptr = key ? const_cast<char*>(key->data() != nullptr ? key->data() : "") : nullptr;
    const size_t key_len = key ? key->size() : 0;
    rd_kafka_resp_err_t err =
        rd_kafka_producev(rk_.get(), RD_KAFKA_V_TOPIC(topic_.c_str()), RD_KAFKA_V_KEY(key_ptr, key_len),
                          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::Ok();
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      return Status::Unavailable(
          fmt::format("topic {} at {}: cannot queue a record: {}", topic_, bootstrap_, rd_kafka_err2str(err)));
    }
    // The local queue is full: wait for deliveries to make room (they fail after message.timeout.ms at worst).
    rd_kafka_poll(rk_.get(), 100);
    FLOE_RETURN_IF_ERROR(TakeDeliveryError());
  }
}

Status RdKafkaTopicWriter::Flush(int timeout_ms) {
  rd_kafka_resp_err_t err = rd_kafka_flush(rk_.get(), std::max(timeout_ms, 0));
  FLOE_RETURN_IF_ERROR(TakeDeliveryError());
  if (err == RD_KAFKA_RESP_ERR__TIMED_OUT) {
    return Status::Unavailable(fmt::format("topic {} at {}: {} records not acknowledged within {} ms", topic_,
                                           bootstrap_, rd_kafka_outq_len(rk_.get()), timeout_ms));
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Unavailable(
        fmt::format("topic {} at {}: flush failed: {}", topic_, bootstrap_, rd_kafka_err2str(err)));
  }
  return Status::Ok();
}

}  // namespace floe::stream
