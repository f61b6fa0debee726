// ListGroups: every group this node coordinates (all of them), with its protocol type; v4 filters by state
// (KIP-518, case-insensitively).
#include "floe/broker/handlers/handlers.h"

namespace floe::broker {

void HandleListGroups(RequestContext& ctx, const kafka::ListGroupsRequest& req, kafka::ListGroupsResponse& resp) {
  resp = ctx.broker.groups().ListGroups(req);
}

}  // namespace floe::broker
