// InitProducerId: a new producer id (epoch 0) for idempotent producers, or the next epoch of an existing id when the
// client asks to bump it (v3+). Transactional ids are refused: floe does not implement transactions.
#include "floe/base/logging.h"
#include "floe/broker/handlers/handlers.h"

namespace floe::broker {

using kafka::ErrorCode;

void HandleInitProducerId(RequestContext& ctx, const kafka::InitProducerIdRequest& req,
                          kafka::InitProducerIdResponse& resp) {
  if (req.transactional_id && !req.transactional_id->empty()) {
    resp.error_code = kafka::Code(ErrorCode::kInvalidRequest);
    return;
  }
  if (req.producer_id >= 0 && req.producer_epoch >= 0 && req.producer_epoch < 32766) {
    resp.producer_id = req.producer_id;
    resp.producer_epoch = static_cast<int16_t>(req.producer_epoch + 1);
    return;
  }
  auto id = ctx.broker.AllocateProducerId();
  if (!id.ok()) {
    FLOE_LOG_ERROR("cannot allocate a producer id", {{"error", id.status().message()}});
    resp.error_code = kafka::Code(ErrorCode::kUnknownServerError);
    return;
  }
  resp.producer_id = *id;
  resp.producer_epoch = 0;
}

}  // namespace floe::broker
