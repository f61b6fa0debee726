// Fetch: whole record batches from each requested partition, from the batch that holds fetch_offset, bounded by
// partition_max_bytes and max_bytes (at least one batch for the first partition with data, as KIP-74 requires, so
// a consumer always makes progress). Long polling: when less than min_bytes is available and max_wait_ms has not
// passed, the handler says "not yet" and the server waits for an append or the deadline.
//
// Large reads are not copied: a partition's batches that reach kSendFromFileBytes are left in the log files
// (ReadResult::slices), the response encoder leaves a gap for them, and the server sends them with sendfile, as
// Kafka does. Smaller reads are copied into the connection's pooled buffers, which costs fewer system calls.
//
// Fetch sessions (KIP-227) are not kept: every response has session_id 0, which tells clients to send full
// requests, a mode every client supports.
#include <fmt/format.h>

#include "floe/broker/handlers/handlers.h"

namespace floe::broker {

using kafka::ErrorCode;
using kafka::FetchResponse;

namespace {
constexpr size_t kSendFromFileBytes = 64 * 1024;
}  // namespace

bool HandleFetch(RequestContext& ctx, const kafka::FetchRequest& req, kafka::FetchResponse& resp, bool may_wait) {
  resp = {};
  resp.session_id = 0;
  int64_t budget = req.max_bytes > 0 ? req.max_bytes : 0;
  int64_t total = 0;
  bool any_error = false;
  size_t buffers_used = 0;
  // Bound what a connection keeps between fetches: 16 pooled partition buffers at most.
  if (ctx.connection->fetch_buffers.size() > 16) ctx.connection->fetch_buffers.resize(16);
  ctx.connection->fetch_slices.clear();  // from an earlier pass of a long poll
  auto next_buffer = [&]() -> std::vector<uint8_t>& {
    auto& pool = ctx.connection->fetch_buffers;
    if (buffers_used == pool.size()) pool.emplace_back();
    std::vector<uint8_t>& b = pool[buffers_used++];
    b.clear();
    return b;
  };
  for (const auto& ft : req.topics) {
    FetchResponse::FetchableTopicResponse tr;
    tr.topic = ft.topic;
    for (const auto& fp : ft.partitions) {
      FetchResponse::PartitionData pd;
      pd.partition_index = fp.partition;
      pd.aborted_transactions.reset();
      PartitionLog* log = ctx.broker.FindPartition(ft.topic, fp.partition);
      if (!log) {
        pd.error_code = kafka::Code(ErrorCode::kUnknownTopicOrPartition);
        pd.high_watermark = -1;
        any_error = true;
        tr.partitions.push_back(std::move(pd));
        continue;
      }
      // At least one batch for the first partition that has data, whatever the limits.
      size_t limit = static_cast<size_t>(std::max<int64_t>(0, std::min<int64_t>(fp.partition_max_bytes, budget)));
      if (total == 0 && limit == 0) limit = 1;
      // Read into this connection's pooled buffer for the partition; the response's span points into it and stays
      // valid until the connection's next fetch.
      std::vector<uint8_t>& buffer = next_buffer();
      ReadResult read;
      read.bytes = std::move(buffer);
      Status st = limit == 0 ? Status::Unavailable("budget spent")
                             : log->ReadInto(fp.fetch_offset, limit, &read, kSendFromFileBytes);
      buffer = std::move(read.bytes);
      pd.high_watermark = log->next_offset();
      pd.last_stable_offset = pd.high_watermark;
      pd.log_start_offset = log->log_start_offset();
      if (!st.ok()) {
        if (st.code() == StatusCode::kNotFound) {
          pd.error_code = kafka::Code(ErrorCode::kOffsetOutOfRange);
          any_error = true;
        } else if (st.code() != StatusCode::kUnavailable) {
          pd.error_code = kafka::Code(ErrorCode::kUnknownServerError);
          any_error = true;
        }
      } else {
        pd.high_watermark = read.high_watermark;
        pd.last_stable_offset = read.high_watermark;
        pd.log_start_offset = read.log_start_offset;
        if (!read.slices.empty()) {
          const size_t n = read.size();
          total += static_cast<int64_t>(n);
          budget -= static_cast<int64_t>(n);
          pd.records.external_size = static_cast<int64_t>(n);
          ctx.connection->fetch_slices.push_back(std::move(read.slices));
        } else if (!buffer.empty()) {
          total += static_cast<int64_t>(buffer.size());
          budget -= static_cast<int64_t>(buffer.size());
          pd.records.data = buffer;
        }
      }
      tr.partitions.push_back(std::move(pd));
    }
    resp.responses.push_back(std::move(tr));
  }
  if (may_wait && !any_error && total < std::max(1, req.min_bytes) && req.max_wait_ms > 0) return false;
  return true;
}

}  // namespace floe::broker
