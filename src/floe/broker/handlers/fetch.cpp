// Fetch: whole record batches from each requested partition, from the batch that holds fetch_offset, bounded by
// partition_max_bytes and max_bytes (at least one batch for the first partition with data, as KIP-74 requires, so
// a consumer always makes progress). Long polling: when less than min_bytes is available and max_wait_ms has not
// passed, the handler says "not yet" and the server waits for an append or the deadline.
//
// Fetch sessions (KIP-227) are not kept: every response has session_id 0, which tells clients to send full
// requests, a mode every client supports.
#include <fmt/format.h>

#include "floe/broker/handlers/handlers.h"

namespace floe::broker {

using kafka::ErrorCode;
using kafka::FetchResponse;

bool HandleFetch(RequestContext& ctx, const kafka::FetchRequest& req, kafka::FetchResponse& resp, bool may_wait) {
  resp = {};
  resp.session_id = 0;
  int64_t budget = req.max_bytes > 0 ? req.max_bytes : 0;
  int64_t total = 0;
  bool any_error = false;
  ctx.keep_alive.clear();
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
      auto read =
          limit == 0 ? Result<ReadResult>(Status::Unavailable("budget spent")) : log->Read(fp.fetch_offset, limit);
      pd.high_watermark = log->next_offset();
      pd.last_stable_offset = pd.high_watermark;
      pd.log_start_offset = log->log_start_offset();
      if (!read.ok()) {
        if (read.status().code() == StatusCode::kNotFound) {
          pd.error_code = kafka::Code(ErrorCode::kOffsetOutOfRange);
          any_error = true;
        } else if (read.status().code() != StatusCode::kUnavailable) {
          pd.error_code = kafka::Code(ErrorCode::kUnknownServerError);
          any_error = true;
        }
      } else {
        pd.high_watermark = read->high_watermark;
        pd.last_stable_offset = read->high_watermark;
        pd.log_start_offset = read->log_start_offset;
        if (!read->bytes.empty()) {
          total += static_cast<int64_t>(read->bytes.size());
          budget -= static_cast<int64_t>(read->bytes.size());
          ctx.keep_alive.push_back(std::move(read->bytes));
          pd.records.data = ctx.keep_alive.back();
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
