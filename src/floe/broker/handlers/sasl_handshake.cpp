// SaslHandshake (v1): the client names a mechanism; the exchange then runs in SaslAuthenticate requests. With SASL
// off, every mechanism is refused with an empty list, as a PLAINTEXT Kafka listener answers.
#include <fmt/format.h>

#include "floe/broker/handlers/handlers.h"

namespace floe::broker {

using kafka::ErrorCode;

void HandleSaslHandshake(RequestContext& ctx, const kafka::SaslHandshakeRequest& req,
                         kafka::SaslHandshakeResponse& resp) {
  const SaslAuthenticator& auth = ctx.broker.sasl();
  ConnectionState& conn = *ctx.connection;
  if (!auth.enabled()) {
    resp.error_code = kafka::Code(ErrorCode::kUnsupportedSaslMechanism);
    return;
  }
  resp.mechanisms = auth.mechanisms();
  if (conn.authenticated || conn.sasl) {
    resp.error_code = kafka::Code(ErrorCode::kIllegalSaslState);
    conn.close_after_response = true;
    return;
  }
  if (!auth.SupportsMechanism(req.mechanism)) {
    resp.error_code = kafka::Code(ErrorCode::kUnsupportedSaslMechanism);
    conn.close_after_response = true;
    return;
  }
  conn.sasl = std::make_unique<SaslSession>(auth, req.mechanism);
}

}  // namespace floe::broker
