// ListOffsets: earliest (-2), latest (-1) and by-timestamp offsets per partition.
#include "floe/base/logging.h"
#include "floe/broker/handlers/handlers.h"

namespace floe::broker {

using kafka::ErrorCode;
using kafka::ListOffsetsResponse;

namespace {
constexpr int64_t kLatest = -1;
constexpr int64_t kEarliest = -2;
}  // namespace

void HandleListOffsets(RequestContext& ctx, const kafka::ListOffsetsRequest& req, kafka::ListOffsetsResponse& resp) {
  for (const auto& t : req.topics) {
    ListOffsetsResponse::ListOffsetsTopicResponse tr;
    tr.name = t.name;
    for (const auto& p : t.partitions) {
      ListOffsetsResponse::ListOffsetsPartitionResponse pr;
      pr.partition_index = p.partition_index;
      PartitionLog* log = ctx.broker.FindPartition(t.name, p.partition_index);
      if (!log) {
        pr.error_code = kafka::Code(ErrorCode::kUnknownTopicOrPartition);
      } else if (p.timestamp == kLatest) {
        pr.offset = log->next_offset();
        pr.leader_epoch = 0;
      } else if (p.timestamp == kEarliest) {
        pr.offset = log->log_start_offset();
        pr.leader_epoch = 0;
      } else if (p.timestamp >= 0) {
        auto offset = log->OffsetForTimestamp(p.timestamp);
        if (!offset.ok()) {
          FLOE_LOG_ERROR("list offsets by timestamp failed",
                         {{"dir", log->dir()}, {"error", offset.status().message()}});
          pr.error_code = kafka::Code(ErrorCode::kUnknownServerError);
        } else {
          // No record at or after the timestamp: offset -1 and timestamp -1, as Kafka answers.
          pr.offset = *offset;
          pr.timestamp = *offset >= 0 ? p.timestamp : -1;
          pr.leader_epoch = *offset >= 0 ? 0 : -1;
        }
      } else {
        // -3 (max timestamp, KIP-734) and other special values are not supported yet.
        pr.error_code = kafka::Code(ErrorCode::kInvalidRequest);
      }
      tr.partitions.push_back(pr);
    }
    resp.topics.push_back(std::move(tr));
  }
}

}  // namespace floe::broker
