// ApiVersions: the APIs and version ranges this broker serves. A request at a version the broker does not support
// is answered by the server with a v0 response carrying UNSUPPORTED_VERSION and this same list (KIP-511).
#include "floe/broker/handlers/handlers.h"

namespace floe::broker {

void HandleApiVersions(RequestContext& ctx, const kafka::ApiVersionsRequest& req, kafka::ApiVersionsResponse& resp) {
  resp.error_code = kafka::Code(kafka::ErrorCode::kNone);
  for (const SupportedApi& api : SupportedApis()) {
    kafka::ApiVersionsResponse::ApiVersion v;
    v.api_key = api.key;
    v.min_version = api.min_version;
    v.max_version = api.max_version;
    resp.api_keys.push_back(v);
  }
}

}  // namespace floe::broker
