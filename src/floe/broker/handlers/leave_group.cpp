// LeaveGroup: members leave at once instead of waiting for their session to expire. v0-2 name one member_id; v3+
// a batch of members (by member id, or by group instance id alone for static members, KIP-345).
#include "floe/broker/handlers/handlers.h"

namespace floe::broker {

void HandleLeaveGroup(RequestContext& ctx, const kafka::LeaveGroupRequest& req, kafka::LeaveGroupResponse& resp) {
  if (ctx.version() >= 3) {
    resp = ctx.broker.groups().Leave(req, ctx.now_ms);
    return;
  }
  kafka::LeaveGroupRequest one = req;
  one.members.clear();
  kafka::LeaveGroupRequest::MemberIdentity member;
  member.member_id = req.member_id;
  one.members.push_back(std::move(member));
  resp = ctx.broker.groups().Leave(one, ctx.now_ms);
  // v0-2 have only the top-level error: the member's, unless the whole request failed.
  if (resp.error_code == kafka::Code(kafka::ErrorCode::kNone) && !resp.members.empty()) {
    resp.error_code = resp.members.front().error_code;
  }
  resp.members.clear();
}

}  // namespace floe::broker
