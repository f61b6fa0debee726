// Metadata: brokers (just this one), the cluster id, and topics with their partitions, every partition led by this
// node. Requested topics that do not exist are auto-created when both the request and the broker allow it.
#include <fmt/format.h>

#include "floe/base/logging.h"
#include "floe/broker/handlers/handlers.h"

namespace floe::broker {

using kafka::ErrorCode;
using kafka::MetadataResponse;

namespace {

MetadataResponse::MetadataResponseTopic DescribeTopic(RequestContext& ctx, const Topic& topic) {
  MetadataResponse::MetadataResponseTopic t;
  t.error_code = kafka::Code(ErrorCode::kNone);
  t.name = topic.name;
  t.topic_id = topic.id;
  const int32_t node = ctx.broker.config().node_id;
  for (size_t p = 0; p < topic.partitions.size(); ++p) {
    MetadataResponse::MetadataResponsePartition part;
    part.partition_index = static_cast<int32_t>(p);
    part.leader_id = node;
    part.leader_epoch = 0;
    part.replica_nodes = {node};
    part.isr_nodes = {node};
    t.partitions.push_back(std::move(part));
  }
  return t;
}

}  // namespace

void HandleMetadata(RequestContext& ctx, const kafka::MetadataRequest& req, kafka::MetadataResponse& resp) {
  Broker& broker = ctx.broker;
  MetadataResponse::MetadataResponseBroker self;
  self.node_id = broker.config().node_id;
  self.host = ctx.advertised_host;
  self.port = ctx.advertised_port;
  resp.brokers.push_back(self);
  resp.cluster_id = broker.cluster_id();
  resp.controller_id = broker.config().node_id;

  // v0: an empty list means all topics; v1+: null means all, empty means none.
  bool all = !req.topics || (ctx.version() == 0 && req.topics->empty());
  if (all) {
    for (Topic* t : broker.Topics()) resp.topics.push_back(DescribeTopic(ctx, *t));
    return;
  }
  // v0-3 always auto-create; v4+ asks.
  bool may_create = broker.config().auto_create_topics && (ctx.version() < 4 || req.allow_auto_topic_creation);
  for (const auto& requested : *req.topics) {
    MetadataResponse::MetadataResponseTopic t;
    if (!requested.name) {
      // Lookup by topic id only (v10+): floe answers by name; an unknown id is reported as such.
      t.error_code = kafka::Code(ErrorCode::kUnknownTopicOrPartition);
      t.topic_id = requested.topic_id;
      for (Topic* topic : broker.Topics()) {
        if (topic->id == requested.topic_id) t = DescribeTopic(ctx, *topic);
      }
      resp.topics.push_back(std::move(t));
      continue;
    }
    const std::string& name = *requested.name;
    Topic* topic = broker.FindTopic(name);
    if (!topic && may_create) {
      auto created = broker.CreateTopic(name, broker.config().default_partitions, {});
      if (created.ok()) {
        topic = *created;
      } else if (created.status().code() == StatusCode::kAlreadyExists) {
        topic = broker.FindTopic(name);
      } else {
        FLOE_LOG_WARN("metadata: cannot auto-create topic", {{"topic", name}, {"error", created.status().message()}});
        t.name = name;
        t.error_code =
            kafka::Code(created.status().code() == StatusCode::kInvalidArgument ? ErrorCode::kInvalidTopicException
                                                                                : ErrorCode::kUnknownServerError);
        resp.topics.push_back(std::move(t));
        continue;
      }
    }
    if (!topic) {
      t.name = name;
      t.error_code = kafka::Code(ErrorCode::kUnknownTopicOrPartition);
      resp.topics.push_back(std::move(t));
      continue;
    }
    resp.topics.push_back(DescribeTopic(ctx, *topic));
  }
}

}  // namespace floe::broker
