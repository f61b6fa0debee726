// OffsetFetch: a group's committed offsets, for the partitions asked for (-1 where nothing was committed) or, with
// null topics (v2+), every partition the group has committed.
#include "floe/broker/handlers/handlers.h"

namespace floe::broker {

void HandleOffsetFetch(RequestContext& ctx, const kafka::OffsetFetchRequest& req, kafka::OffsetFetchResponse& resp) {
  resp = ctx.broker.groups().FetchOffsets(req);
}

}  // namespace floe::broker
