// SaslAuthenticate: one step of the SASL exchange started by SaslHandshake. A failed authentication is answered
// with SASL_AUTHENTICATION_FAILED and the connection is closed after the response, as Kafka does.
#include "floe/base/logging.h"
#include "floe/broker/handlers/handlers.h"

namespace floe::broker {

using kafka::ErrorCode;

void HandleSaslAuthenticate(RequestContext& ctx, const kafka::SaslAuthenticateRequest& req,
                            kafka::SaslAuthenticateResponse& resp) {
  ConnectionState& conn = *ctx.connection;
  if (!conn.sasl || conn.authenticated) {
    resp.error_code = kafka::Code(ErrorCode::kIllegalSaslState);
    resp.error_message = "SaslAuthenticate without a SaslHandshake first";
    conn.close_after_response = true;
    return;
  }
  auto step = conn.sasl->Step(req.auth_bytes);
  if (!step.ok()) {
    FLOE_LOG_WARN("sasl authentication failed", {{"peer", ctx.peer}, {"user", conn.sasl->user()}});
    resp.error_code = kafka::Code(ErrorCode::kSaslAuthenticationFailed);
    resp.error_message = step.status().message();
    conn.close_after_response = true;
    return;
  }
  resp.auth_bytes = *step;
  if (conn.sasl->authenticated()) {
    conn.authenticated = true;
    conn.user = conn.sasl->user();
    FLOE_LOG_INFO("sasl authenticated", {{"peer", ctx.peer}, {"user", conn.user}});
  }
}

}  // namespace floe::broker
