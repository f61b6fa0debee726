// FindCoordinator: this node coordinates every consumer group, so every group key gets this node's advertised
// address. floe has no transaction coordinator: key_type 1 (transaction) answers COORDINATOR_NOT_AVAILABLE.
// v0-3 ask for one key; v4 batches keys (KIP-699).
#include "floe/broker/handlers/handlers.h"

namespace floe::broker {

using kafka::ErrorCode;

namespace {

constexpr int8_t kGroupKey = 0;
constexpr int8_t kTransactionKey = 1;

}  // namespace

void HandleFindCoordinator(RequestContext& ctx, const kafka::FindCoordinatorRequest& req,
                           kafka::FindCoordinatorResponse& resp) {
  auto answer = [&](const std::string& key) {
    kafka::FindCoordinatorResponse::Coordinator c;
    c.key = key;
    if (req.key_type == kGroupKey) {
      c.node_id = ctx.broker.config().node_id;
      c.host = ctx.advertised_host;
      c.port = ctx.advertised_port;
      c.error_code = kafka::Code(ErrorCode::kNone);
    } else {
      c.node_id = -1;
      c.port = -1;
      c.error_code = kafka::Code(req.key_type == kTransactionKey ? ErrorCode::kCoordinatorNotAvailable
                                                                 : ErrorCode::kInvalidRequest);
      c.error_message =
          req.key_type == kTransactionKey ? "floe does not support transactions" : "unknown coordinator key type";
    }
    return c;
  };
  if (ctx.version() >= 4) {
    for (const auto& key : req.coordinator_keys) resp.coordinators.push_back(answer(key));
    return;
  }
  kafka::FindCoordinatorResponse::Coordinator c = answer(req.key);
  resp.error_code = c.error_code;
  resp.error_message = c.error_message;
  resp.node_id = c.node_id;
  resp.host = c.host;
  resp.port = c.port;
}

}  // namespace floe::broker
