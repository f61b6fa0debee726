// OffsetCommit: stores a group's consumed positions durably (GroupCoordinator, group_offsets_format.h). Members of
// a managed group commit with their generation; simple consumers (assign, no group management) with generation -1.
// Partitions of topics that do not exist are refused with UNKNOWN_TOPIC_OR_PARTITION, as Kafka does.
#include "floe/broker/handlers/handlers.h"

namespace floe::broker {

void HandleOffsetCommit(RequestContext& ctx, const kafka::OffsetCommitRequest& req, kafka::OffsetCommitResponse& resp) {
  Broker& broker = ctx.broker;
  resp = broker.groups().CommitOffsets(req, ctx.now_ms, [&broker](const std::string& topic, int32_t partition) {
    return broker.FindPartition(topic, partition) != nullptr;
  });
}

}  // namespace floe::broker
