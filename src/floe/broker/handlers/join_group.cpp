// JoinGroup: joins a member to a consumer group and waits for the rebalance to complete (the GroupCoordinator
// calls `done`, maybe much later). Responses are adapted to the request's version here.
#include "floe/broker/handlers/handlers.h"

namespace floe::broker {

void HandleJoinGroup(RequestContext& ctx, const kafka::JoinGroupRequest& req,
                     std::function<void(kafka::JoinGroupResponse)> done) {
  const int16_t version = ctx.version();
  ctx.broker.groups().Join(req, GroupClientOf(ctx), [version, done = std::move(done)](kafka::JoinGroupResponse resp) {
    // The protocol name is nullable only from v7 on; before, "no protocol" is the empty string.
    if (version < 7 && !resp.protocol_name) resp.protocol_name = "";
    done(std::move(resp));
  });
}

}  // namespace floe::broker
