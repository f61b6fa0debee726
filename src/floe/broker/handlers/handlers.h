// One handler per Kafka API, each in its own file (<api>.cpp), as Redpanda does: decode is done by the generated
// codecs, the handler checks the request, calls the Broker, and fills the response. Handlers never touch sockets;
// the server (kafka_server.cpp) frames, dispatches and writes.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "floe/broker/broker.h"
#include "floe/kafka/generated/messages.h"
#include "floe/kafka/request_header.h"

namespace floe::broker {

struct RequestContext {
  Broker& broker;
  const kafka::RequestHeader& header;
  std::string peer;             // "127.0.0.1:53412", for logs
  std::string advertised_host;  // what Metadata tells clients to connect to
  int32_t advertised_port = 0;
  int64_t now_ms = 0;
  // Buffers that responses point into (fetched records); they live until the response is written.
  std::deque<std::vector<uint8_t>> keep_alive;

  int16_t version() const { return header.api_version; }
};

// The APIs the server dispatches, for ApiVersions. Defined in kafka_server.cpp beside the dispatch table.
struct SupportedApi {
  int16_t key;
  int16_t min_version;
  int16_t max_version;
};
const std::vector<SupportedApi>& SupportedApis();

void HandleApiVersions(RequestContext& ctx, const kafka::ApiVersionsRequest& req, kafka::ApiVersionsResponse& resp);
void HandleMetadata(RequestContext& ctx, const kafka::MetadataRequest& req, kafka::MetadataResponse& resp);
void HandleProduce(RequestContext& ctx, const kafka::ProduceRequest& req, kafka::ProduceResponse& resp);
// Returns false when the response has fewer than min_bytes and the caller may still wait (`may_wait`): the server
// waits for an append or the deadline and calls again. With may_wait false it always fills the response.
bool HandleFetch(RequestContext& ctx, const kafka::FetchRequest& req, kafka::FetchResponse& resp, bool may_wait);
void HandleListOffsets(RequestContext& ctx, const kafka::ListOffsetsRequest& req, kafka::ListOffsetsResponse& resp);
void HandleCreateTopics(RequestContext& ctx, const kafka::CreateTopicsRequest& req, kafka::CreateTopicsResponse& resp);
void HandleDeleteTopics(RequestContext& ctx, const kafka::DeleteTopicsRequest& req, kafka::DeleteTopicsResponse& resp);
void HandleInitProducerId(RequestContext& ctx, const kafka::InitProducerIdRequest& req,
                          kafka::InitProducerIdResponse& resp);

}  // namespace floe::broker
