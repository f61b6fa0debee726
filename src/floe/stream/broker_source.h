// TopicSource (source.h) over the partition logs of a floe broker in the same process: no sockets and no copies
// beyond reading whole batches from the log into a reused buffer and decompressing them (kafka/record_codec.h).
//
// Reading: per assigned partition, PartitionLog::ReadInto fills a buffer with whole batches from the next offset;
// the batches are decoded one at a time and records below the next offset (the start of the first batch, after a
// seek into the middle of a batch) are skipped. Batch CRCs are checked. New data is noticed by polling each
// partition's end offset every `idle_poll_interval_ms` while Poll waits: Broker::SetAppendListener has a single
// slot, which the Kafka server uses to wake long-polling fetches, so this source does not take it. (A multi-listener
// append hook on Broker would let Poll wake at once; until then the added latency is at most the interval.)
//
// Group offsets: GroupCoordinator runs on the broker's network thread only, so every group call is handed to
// `run_on_broker_thread` (wired by the caller to post onto the broker's event loop) and awaited for at most
// group_request_timeout_ms. Offsets are committed as a simple consumer: generation -1, no member id, which the
// coordinator accepts for a group without members.
//
// Memory: per assigned partition, one read buffer of up to max_partition_fetch_bytes (more when a single batch is
// larger: a read always returns at least one batch) and one decompression buffer as large as the largest
// decompressed batch (at most max_decompressed_batch_bytes).
//
// Lifetime: the broker must outlive the source. A topic deleted while the source reads it gives NotFound from Poll;
// the partition log pointers are looked up again on every read, never kept across calls.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "floe/broker/broker.h"
#include "floe/kafka/record_codec.h"
#include "floe/stream/source.h"

namespace floe::stream {

struct BrokerSourceOptions {
  std::string topic;
  // properties.group.id: needed for StartupMode::kGroupOffsets and CommitGroupOffsets only.
  std::string group_id;
  // Bytes read from one partition's log at a time (Kafka's max.partition.fetch.bytes).
  size_t max_partition_fetch_bytes = 1u << 20;
  // While Poll waits for data: how often it looks at the partitions' end offsets.
  int idle_poll_interval_ms = 10;
  // How long a group offset commit or fetch may wait for the broker thread.
  int64_t group_request_timeout_ms = 10000;
  size_t max_decompressed_batch_bytes = kafka::kDefaultMaxDecompressedBatchBytes;
};

class BrokerSource final : public TopicSource {
 public:
  // Runs a function on the broker's network thread, e.g. [&](auto fn) { boost::asio::post(loop.context(), fn); }.
  // A caller without a running network thread (a tool, a test) may run it inline on its own thread, provided no
  // other thread uses the broker's GroupCoordinator.
  using RunOnBrokerThread = std::function<void(std::function<void()>)>;

  BrokerSource(broker::Broker& broker, BrokerSourceOptions options, RunOnBrokerThread run_on_broker_thread);
  ~BrokerSource() override;

  Result<int32_t> PartitionCount() override;
  Result<int64_t> StartOffset(int32_t partition, StartupMode mode, int64_t timestamp_ms) override;
  Status Assign(const std::map<int32_t, int64_t>& next_offsets) override;
  Result<size_t> Poll(int max_wait_ms, size_t max_records,
                      const std::function<void(const SourceRecord&)>& on_record) override;
  Status CommitGroupOffsets(const std::map<int32_t, int64_t>& next_offsets) override;
  Result<std::map<int32_t, int64_t>> EndOffsets() override;

 private:
  struct Cursor;  // one assigned partition's read state

  Result<broker::PartitionLog*> FindLog(int32_t partition) const;
  // Delivers records of one partition until it has nothing more in memory or on disk, or `*delivered` reaches `max`.
  Status Drain(Cursor& cursor, size_t max, const std::function<void(const SourceRecord&)>& on_record,
               size_t* delivered);
  // Refines a compressed batch's base offset (what PartitionLog::OffsetForTimestamp answers for one) to the first
  // record at or after `timestamp_ms`.
  Result<int64_t> RefineTimestampOffset(broker::PartitionLog& log, int64_t offset, int64_t timestamp_ms);
  Result<int64_t> FetchGroupOffset(int32_t partition);

  broker::Broker& broker_;
  BrokerSourceOptions options_;
  RunOnBrokerThread run_on_broker_thread_;
  std::vector<std::unique_ptr<Cursor>> cursors_;  // by partition, ascending
  size_t next_cursor_ = 0;                        // where the next Poll starts, so that partitions take turns
};

}  // namespace floe::stream
