#include "floe/stream/broker_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <thread>
#include <utility>

#include "floe/base/logging.h"
#include "floe/kafka/generated/messages.h"
#include "floe/kafka/record_batch.h"
#include "floe/kafka/request_header.h"

namespace floe::stream {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint32_t LoadBig32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// Runs `fn` on the broker thread and waits for its result. The task owns everything it touches except the broker,
// so a caller that gave up waiting leaves nothing dangling.
template <typename T>
Result<T> CallOnBrokerThread(const BrokerSource::RunOnBrokerThread& run, int64_t timeout_ms, std::function<T()> fn,
                             std::string_view what) {
  auto promise = std::make_shared<std::promise<T>>();
  std::future<T> future = promise->get_future();
  run([promise, fn = std::move(fn)] { promise->set_value(fn()); });
  if (future.wait_for(std::chrono::milliseconds(timeout_ms)) != std::future_status::ready) {
    return Status::Unavailable(
        fmt::format("{}: the broker's network thread did not answer within {} ms (is its event "
                    "loop running?)",
                    what, timeout_ms));
  }
  return future.get();
}

}  // namespace

struct BrokerSource::Cursor {
  Cursor(int32_t p, int64_t offset, size_t max_decompressed)
      : partition(p), next_offset(offset), decoder(kafka::RecordDecoderOptions{max_decompressed, true}) {}

  // Forgets what was read but not delivered (the buffers keep their capacity).
  void Reset(int64_t offset) {
    next_offset = offset;
    read.bytes.clear();
    read_pos = 0;
    batch_pending = false;
    record_index = 0;
  }

  int32_t partition;
  int64_t next_offset;      // the next offset to deliver
  broker::ReadResult read;  // whole batches read from the log
  size_t read_pos = 0;      // the next undecoded batch in read.bytes
  int64_t read_from = 0;    // next_offset when `read` was filled
  kafka::RecordBatchDecoder decoder;
  bool batch_pending = false;  // decoder holds a batch with records not yet looked at
  size_t record_index = 0;     // the next of decoder.records() to look at
};

BrokerSource::BrokerSource(broker::Broker& broker, BrokerSourceOptions options, RunOnBrokerThread run_on_broker_thread)
    : broker_(broker), options_(std::move(options)), run_on_broker_thread_(std::move(run_on_broker_thread)) {}

BrokerSource::~BrokerSource() = default;

Result<broker::PartitionLog*> BrokerSource::FindLog(int32_t partition) const {
  broker::PartitionLog* log = broker_.FindPartition(options_.topic, partition);
  if (log == nullptr) {
    return Status::NotFound(fmt::format("stream source: topic {} partition {} does not exist on the in-process broker",
                                        options_.topic, partition));
  }
  return log;
}

Result<int32_t> BrokerSource::PartitionCount() {
  broker::Topic* topic = broker_.FindTopic(options_.topic);
  return topic == nullptr ? 0 : static_cast<int32_t>(topic->partitions.size());
}

Result<std::map<int32_t, int64_t>> BrokerSource::EndOffsets() {
  FLOE_ASSIGN_OR_RETURN(int32_t count, PartitionCount());
  std::map<int32_t, int64_t> ends;
  for (int32_t p = 0; p < count; ++p) {
    FLOE_ASSIGN_OR_RETURN(broker::PartitionLog * log, FindLog(p));
    ends[p] = log->next_offset();
  }
  return ends;
}

Result<int64_t> BrokerSource::StartOffset(int32_t partition, StartupMode mode, int64_t timestamp_ms) {
  FLOE_ASSIGN_OR_RETURN(broker::PartitionLog * log, FindLog(partition));
  switch (mode) {
    case StartupMode::kEarliest: return log->log_start_offset();
    case StartupMode::kLatest: return log->next_offset();
    case StartupMode::kTimestamp: {
      Result<int64_t> found = log->OffsetForTimestamp(timestamp_ms);
      if (!found.ok()) {
        return found.status().WithContext(fmt::format("stream source: topic {} partition {}: offset for timestamp {}",
                                                      options_.topic, partition, timestamp_ms));
      }
      if (*found < 0) return log->next_offset();
      return RefineTimestampOffset(*log, *found, timestamp_ms);
    }
    case StartupMode::kGroupOffsets: {
      FLOE_ASSIGN_OR_RETURN(int64_t committed, FetchGroupOffset(partition));
      return committed < 0 ? log->log_start_offset() : committed;
    }
  }
  return Status::InvalidArgument(fmt::format("stream source: unknown startup mode {}", static_cast<int>(mode)));
}

Result<int64_t> BrokerSource::RefineTimestampOffset(broker::PartitionLog& log, int64_t offset, int64_t timestamp_ms) {
  broker::ReadResult read;
  Status st = log.ReadInto(offset, 1, &read);                              // 1 byte: exactly the batch holding `offset`
  if (!st.ok() || read.bytes.size() < kafka::kLogOverhead) return offset;  // retention raced us: keep the answer
  const size_t size = kafka::kLogOverhead + LoadBig32(read.bytes.data() + kafka::kBatchLengthOffset);
  if (size > read.bytes.size()) return offset;
  kafka::RecordBatchDecoder decoder(kafka::RecordDecoderOptions{options_.max_decompressed_batch_bytes, true});
  st = decoder.Decode(std::span<const uint8_t>(read.bytes).first(size));
  if (!st.ok()) {
    return st.WithContext(fmt::format("stream source: topic {}: offset for timestamp {} (log {})", options_.topic,
                                      timestamp_ms, log.dir()));
  }
  for (const kafka::Record& r : decoder.records()) {
    if (r.offset >= offset && r.timestamp >= timestamp_ms) return r.offset;
  }
  return offset;
}

Status BrokerSource::Assign(const std::map<int32_t, int64_t>& next_offsets) {
  for (const auto& [partition, offset] : next_offsets) {
    FLOE_RETURN_IF_ERROR(FindLog(partition).status());
    if (offset < 0) {
      return Status::InvalidArgument(fmt::format("stream source: topic {} partition {}: offset {} is negative",
                                                 options_.topic, partition, offset));
    }
  }
  // Keep the cursors of partitions that stay assigned: their buffers are warm.
  std::map<int32_t, std::unique_ptr<Cursor>> old;
  for (auto& c : cursors_) old[c->partition] = std::move(c);
  cursors_.clear();
  for (const auto& [partition, offset] : next_offsets) {
    auto it = old.find(partition);
    if (it != old.end()) {
      it->second->Reset(offset);
      cursors_.push_back(std::move(it->second));
    } else {
      cursors_.push_back(std::make_unique<Cursor>(partition, offset, options_.max_decompressed_batch_bytes));
    }
  }
  next_cursor_ = 0;
  return Status::Ok();
}

Status BrokerSource::Drain(Cursor& c, size_t max, const std::function<void(const SourceRecord&)>& on_record,
                           size_t* delivered) {
  int out_of_range_retries = 0;
  while (*delivered < max) {
    if (c.batch_pending) {
      const std::span<const kafka::Record> records = c.decoder.records();
      while (c.record_index < records.size() && *delivered < max) {
        const kafka::Record& r = records[c.record_index++];
        if (r.offset < c.next_offset) continue;  // before the assigned offset, in the batch that holds it
        on_record(SourceRecord{c.partition, r.offset, r.timestamp, r.key, r.value});
        ++*delivered;
        c.next_offset = r.offset + 1;
      }
      if (c.record_index < records.size()) return Status::Ok();
      c.batch_pending = false;
      // Past the batch's last offset even when its last records were not data (a control batch, compaction).
      c.next_offset = std::max(c.next_offset, c.decoder.header().last_offset() + 1);
      continue;
    }
    if (c.read_pos < c.read.bytes.size()) {
      const std::span<const uint8_t> rest = std::span<const uint8_t>(c.read.bytes).subspan(c.read_pos);
      const int64_t length = rest.size() >= kafka::kLogOverhead
                                 ? static_cast<int32_t>(LoadBig32(rest.data() + kafka::kBatchLengthOffset))
                                 : -1;
      if (length < 0 || kafka::kLogOverhead + static_cast<size_t>(length) > rest.size()) {
        return Status::Corruption(fmt::format(
            "stream source: topic {} partition {}: the log read from offset {} returned a cut-off batch at byte {} "
            "of {}",
            options_.topic, c.partition, c.read_from, c.read_pos, c.read.bytes.size()));
      }
      const std::span<const uint8_t> batch = rest.first(kafka::kLogOverhead + static_cast<size_t>(length));
      c.read_pos += batch.size();
      Status st = c.decoder.Decode(batch);
      if (!st.ok())
        return st.WithContext(fmt::format("stream source: topic {} partition {}", options_.topic, c.partition));
      c.batch_pending = true;
      c.record_index = 0;
      continue;
    }
    if (!c.read.bytes.empty() && c.next_offset <= c.read_from) {
      // Whole batches were read from read_from, so the first one held it: no progress means a broken log.
      return Status::Corruption(
          fmt::format("stream source: topic {} partition {}: reading from offset {} returned no batch holding it",
                      options_.topic, c.partition, c.read_from));
    }
    FLOE_ASSIGN_OR_RETURN(broker::PartitionLog * log, FindLog(c.partition));
    const int64_t start = log->log_start_offset();
    const int64_t end = log->next_offset();
    if (c.next_offset < start || c.next_offset > end) {
      FLOE_LOG_WARN("stream source offset out of range: reading from the earliest offset instead",
                    {{"topic", options_.topic},
                     {"partition", c.partition},
                     {"offset", c.next_offset},
                     {"log_start_offset", start},
                     {"log_end_offset", end},
                     {"reason", c.next_offset < start ? "removed by retention" : "beyond the end of the log"}});
      c.Reset(start);
      continue;
    }
    if (c.next_offset == end) {
      c.read.bytes.clear();
      c.read_pos = 0;
      return Status::Ok();
    }
    c.read_from = c.next_offset;
    c.read_pos = 0;
    Status st = log->ReadInto(c.next_offset, options_.max_partition_fetch_bytes, &c.read);
    if (st.code() == StatusCode::kNotFound && ++out_of_range_retries <= 3) {
      c.read.bytes.clear();
      continue;  // retention removed the offset between the check and the read: check again
    }
    if (!st.ok())
      return st.WithContext(fmt::format("stream source: topic {} partition {}", options_.topic, c.partition));
    if (c.read.bytes.empty()) return Status::Ok();
  }
  return Status::Ok();
}

Result<size_t> BrokerSource::Poll(int max_wait_ms, size_t max_records,
                                  const std::function<void(const SourceRecord&)>& on_record) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(max_wait_ms, 0));
  size_t delivered = 0;
  if (max_records == 0) return delivered;
  for (;;) {
    const size_t n = cursors_.size();
    size_t next = n == 0 ? 0 : (next_cursor_ + 1) % n;
    for (size_t k = 0; k < n && delivered < max_records; ++k) {
      const size_t i = (next_cursor_ + k) % n;
      FLOE_RETURN_IF_ERROR(Drain(*cursors_[i], max_records, on_record, &delivered));
      // Full: the next Poll starts after the partition that filled it, so partitions with backlogs take turns.
      if (delivered == max_records) next = (i + 1) % n;
    }
    next_cursor_ = next;
    if (delivered > 0) return delivered;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return delivered;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        deadline - now, std::chrono::milliseconds(std::max(options_.idle_poll_interval_ms, 1))));
  }
}

Status BrokerSource::CommitGroupOffsets(const std::map<int32_t, int64_t>& next_offsets) {
  if (options_.group_id.empty()) {
    return Status::InvalidArgument(fmt::format(
        "stream source: topic {}: committing group offsets needs a group id ('properties.group.id')", options_.topic));
  }
  if (next_offsets.empty()) return Status::Ok();
  kafka::OffsetCommitRequest req;
  req.group_id = options_.group_id;
  req.generation_id_or_member_epoch = -1;  // a simple consumer: no membership
  auto& topic = req.topics.emplace_back();
  topic.name = options_.topic;
  for (const auto& [partition, offset] : next_offsets) {
    auto& p = topic.partitions.emplace_back();
    p.partition_index = partition;
    p.committed_offset = offset;
  }
  broker::Broker* broker = &broker_;
  const std::string what =
      fmt::format("stream source: committing offsets of group {} for topic {}", options_.group_id, options_.topic);
  FLOE_ASSIGN_OR_RETURN(kafka::OffsetCommitResponse resp, CallOnBrokerThread<kafka::OffsetCommitResponse>(
                                                              run_on_broker_thread_, options_.group_request_timeout_ms,
                                                              [broker, req = std::move(req)] {
                                                                return broker->groups().CommitOffsets(
                                                                    req, NowMs(),
                                                                    [broker](const std::string& t, int32_t p) {
                                                                      return broker->FindPartition(t, p) != nullptr;
                                                                    });
                                                              },
                                                              what));
  for (const auto& t : resp.topics) {
    for (const auto& p : t.partitions) {
      if (p.error_code == kafka::Code(kafka::ErrorCode::kNone)) continue;
      const auto code = static_cast<kafka::ErrorCode>(p.error_code);
      const std::string message =
          fmt::format("{}: partition {} refused with Kafka error code {}", what, p.partition_index, p.error_code);
      if (code == kafka::ErrorCode::kUnknownMemberId || code == kafka::ErrorCode::kIllegalGeneration) {
        return Status::Conflict(message +
                                " (the group has members that manage its offsets; use a group id of "
                                "its own for this job)");
      }
      if (code == kafka::ErrorCode::kUnknownTopicOrPartition) return Status::NotFound(message + " (no such partition)");
      return Status::Unavailable(message);
    }
  }
  return Status::Ok();
}

Result<int64_t> BrokerSource::FetchGroupOffset(int32_t partition) {
  if (options_.group_id.empty()) {
    return Status::InvalidArgument(fmt::format(
        "stream source: topic {}: scan.startup.mode 'group-offsets' needs a group id ('properties.group.id')",
        options_.topic));
  }
  kafka::OffsetFetchRequest req;
  req.group_id = options_.group_id;
  auto& topic = req.topics.emplace().emplace_back();
  topic.name = options_.topic;
  topic.partition_indexes.push_back(partition);
  broker::Broker* broker = &broker_;
  const std::string what = fmt::format("stream source: fetching the offset of group {} for topic {} partition {}",
                                       options_.group_id, options_.topic, partition);
  FLOE_ASSIGN_OR_RETURN(kafka::OffsetFetchResponse resp,
                        CallOnBrokerThread<kafka::OffsetFetchResponse>(
                            run_on_broker_thread_, options_.group_request_timeout_ms,
                            [broker, req = std::move(req)] { return broker->groups().FetchOffsets(req); }, what));
  if (resp.error_code != 0) return Status::Unavailable(fmt::format("{}: Kafka error code {}", what, resp.error_code));
  for (const auto& t : resp.topics) {
    if (t.name != options_.topic) continue;
    for (const auto& p : t.partitions) {
      if (p.partition_index != partition) continue;
      if (p.error_code != 0) return Status::Unavailable(fmt::format("{}: Kafka error code {}", what, p.error_code));
      return p.committed_offset;  // -1 when the group has committed nothing for it
    }
  }
  return int64_t{-1};
}

}  // namespace floe::stream
