// One handler per Kafka API, each in its own file (<api>.cpp), as Redpanda does: decode is done by the generated
// codecs, the handler checks the request, calls the Broker, and fills the response. Handlers never touch sockets;
// the server (kafka_server.cpp) frames, dispatches and writes.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "floe/base/byte_buffer.h"
#include "floe/broker/broker.h"
#include "floe/broker/partition_log.h"
#include "floe/broker/sasl.h"
#include "floe/kafka/generated/messages.h"
#include "floe/kafka/request_header.h"

namespace floe::broker {

// What a connection remembers between requests.
struct ConnectionState {
  std::unique_ptr<SaslSession> sasl;  // set by SaslHandshake, stepped by SaslAuthenticate
  bool authenticated = false;
  std::string user;
  bool close_after_response = false;  // a failed authentication: answer, then close
  // Buffers kept between requests so that fetches do not allocate (and fault in) fresh memory each time.
  std::vector<std::vector<uint8_t>> fetch_buffers;  // one per partition of the last fetch, reused in order
  std::vector<uint8_t> spare_response;              // the last response's bytes, reused for the next
  // The response being written: where its gaps are (ByteWriter::Gap: records the fetch handler left in the log
  // files) and, for each gap in order, the file ranges that fill it. Cleared once the response is written.
  std::vector<ByteWriter::Gap> response_gaps;
  std::vector<std::vector<LogSlice>> fetch_slices;
};

struct RequestContext {
  Broker& broker;
  const kafka::RequestHeader& header;
  std::string peer;             // "127.0.0.1:53412", for logs
  std::string advertised_host;  // what Metadata tells clients to connect to
  int32_t advertised_port = 0;
  int64_t now_ms = 0;
  ConnectionState* connection = nullptr;

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
void HandleDescribeConfigs(RequestContext& ctx, const kafka::DescribeConfigsRequest& req,
                           kafka::DescribeConfigsResponse& resp);
void HandleSaslHandshake(RequestContext& ctx, const kafka::SaslHandshakeRequest& req,
                         kafka::SaslHandshakeResponse& resp);
void HandleSaslAuthenticate(RequestContext& ctx, const kafka::SaslAuthenticateRequest& req,
                            kafka::SaslAuthenticateResponse& resp);
void HandleInitProducerId(RequestContext& ctx, const kafka::InitProducerIdRequest& req,
                          kafka::InitProducerIdResponse& resp);

// Consumer groups (GroupCoordinator). Every group call runs on the network thread.
// Who sent a group request: version, client id, "/<ip>" (as Kafka shows client hosts), time.
inline GroupClient GroupClientOf(const RequestContext& ctx) {
  GroupClient c;
  c.version = ctx.version();
  c.client_id = ctx.header.client_id.value_or("");
  const size_t colon = ctx.peer.rfind(':');
  c.client_host.reserve(ctx.peer.size() + 1);
  c.client_host.push_back('/');
  c.client_host.append(ctx.peer, 0, colon == std::string::npos ? ctx.peer.size() : colon);
  c.now_ms = ctx.now_ms;
  return c;
}
void HandleFindCoordinator(RequestContext& ctx, const kafka::FindCoordinatorRequest& req,
                           kafka::FindCoordinatorResponse& resp);
// JoinGroup and SyncGroup wait for other members: `done` gets the response, at once or later (from another
// request or the maintenance tick), always on the network thread. The server bridges it to a co_await.
void HandleJoinGroup(RequestContext& ctx, const kafka::JoinGroupRequest& req,
                     std::function<void(kafka::JoinGroupResponse)> done);
void HandleSyncGroup(RequestContext& ctx, const kafka::SyncGroupRequest& req,
                     std::function<void(kafka::SyncGroupResponse)> done);
void HandleHeartbeat(RequestContext& ctx, const kafka::HeartbeatRequest& req, kafka::HeartbeatResponse& resp);
void HandleLeaveGroup(RequestContext& ctx, const kafka::LeaveGroupRequest& req, kafka::LeaveGroupResponse& resp);
void HandleOffsetCommit(RequestContext& ctx, const kafka::OffsetCommitRequest& req, kafka::OffsetCommitResponse& resp);
void HandleOffsetFetch(RequestContext& ctx, const kafka::OffsetFetchRequest& req, kafka::OffsetFetchResponse& resp);
void HandleListGroups(RequestContext& ctx, const kafka::ListGroupsRequest& req, kafka::ListGroupsResponse& resp);
void HandleDescribeGroups(RequestContext& ctx, const kafka::DescribeGroupsRequest& req,
                          kafka::DescribeGroupsResponse& resp);

}  // namespace floe::broker
