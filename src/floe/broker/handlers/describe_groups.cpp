// DescribeGroups: state, protocol and members of groups; member metadata and assignments only once the group is
// Stable, as Kafka answers. A group that does not exist is described as Dead.
#include "floe/broker/handlers/handlers.h"

namespace floe::broker {

void HandleDescribeGroups(RequestContext& ctx, const kafka::DescribeGroupsRequest& req,
                          kafka::DescribeGroupsResponse& resp) {
  resp = ctx.broker.groups().DescribeGroups(req);
}

}  // namespace floe::broker
