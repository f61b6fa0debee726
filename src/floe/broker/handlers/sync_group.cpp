// SyncGroup: the leader hands in the assignments; every member waits for its own (the GroupCoordinator calls
// `done` when the leader has synced, or at once when it already has).
#include "floe/broker/handlers/handlers.h"

namespace floe::broker {

void HandleSyncGroup(RequestContext& ctx, const kafka::SyncGroupRequest& req,
                     std::function<void(kafka::SyncGroupResponse)> done) {
  ctx.broker.groups().Sync(req, GroupClientOf(ctx), std::move(done));
}

}  // namespace floe::broker
