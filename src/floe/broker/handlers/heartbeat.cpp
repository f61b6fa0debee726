// Heartbeat: keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin.
#include "floe/broker/handlers/handlers.h"

namespace floe::broker {

void HandleHeartbeat(RequestContext& ctx, const kafka::HeartbeatRequest& req, kafka::HeartbeatResponse& resp) {
  resp = ctx.broker.groups().Heartbeat(req, ctx.now_ms);
}

}  // namespace floe::broker
