// DescribeConfigs: the effective configuration of topics (resource type 2) and of this broker (type 4), with where
// each value comes from (topic override or default), as admin tools and Kafka UIs display it.
#include <fmt/format.h>

#include "floe/broker/handlers/handlers.h"

namespace floe::broker {

using kafka::DescribeConfigsResponse;
using kafka::ErrorCode;

namespace {

constexpr int8_t kTopicResource = 2;
constexpr int8_t kBrokerResource = 4;
// ConfigSource and ConfigType as the protocol numbers them.
constexpr int8_t kSourceTopic = 1;
constexpr int8_t kSourceStaticBroker = 4;
constexpr int8_t kSourceDefault = 5;
constexpr int8_t kTypeBoolean = 1, kTypeString = 2, kTypeInt = 3, kTypeLong = 5;

struct Entry {
  std::string name;
  std::string value;
  int8_t source;
  int8_t type;
};

std::vector<Entry> TopicConfigs(const Broker& broker, const Topic& topic) {
  const PartitionLogOptions& o = topic.log_options;
  auto source = [&](const char* key) { return topic.configs.count(key) ? kSourceTopic : kSourceDefault; };
  return {
      {"cleanup.policy", "delete", source("cleanup.policy"), kTypeString},
      {"compression.type", topic.configs.count("compression.type") ? topic.configs.at("compression.type") : "producer",
       source("compression.type"), kTypeString},
      {"retention.ms", std::to_string(o.retention_ms), source("retention.ms"), kTypeLong},
      {"retention.bytes", std::to_string(o.retention_bytes), source("retention.bytes"), kTypeLong},
      {"segment.bytes", std::to_string(o.segment_bytes), source("segment.bytes"), kTypeInt},
      {"segment.ms", std::to_string(o.segment_ms), source("segment.ms"), kTypeLong},
      {"index.interval.bytes", std::to_string(o.index_interval_bytes), source("index.interval.bytes"), kTypeInt},
      {"message.timestamp.type", topic.log_append_time ? "LogAppendTime" : "CreateTime",
       source("message.timestamp.type"), kTypeString},
      {"max.message.bytes", std::to_string(broker.config().max_request_bytes), source("max.message.bytes"), kTypeInt},
      {"min.insync.replicas", "1", source("min.insync.replicas"), kTypeInt},
  };
}

std::vector<Entry> BrokerConfigs(const Broker& broker) {
  const BrokerConfig& c = broker.config();
  return {
      {"broker.id", std::to_string(c.node_id), kSourceStaticBroker, kTypeInt},
      {"node.id", std::to_string(c.node_id), kSourceStaticBroker, kTypeInt},
      {"num.partitions", std::to_string(c.default_partitions), kSourceStaticBroker, kTypeInt},
      {"auto.create.topics.enable", c.auto_create_topics ? "true" : "false", kSourceStaticBroker, kTypeBoolean},
      {"socket.request.max.bytes", std::to_string(c.max_request_bytes), kSourceStaticBroker, kTypeInt},
      {"log.retention.ms", std::to_string(c.log.retention_ms), kSourceStaticBroker, kTypeLong},
      {"log.retention.bytes", std::to_string(c.log.retention_bytes), kSourceStaticBroker, kTypeLong},
      {"log.segment.bytes", std::to_string(c.log.segment_bytes), kSourceStaticBroker, kTypeInt},
      {"default.replication.factor", "1", kSourceDefault, kTypeInt},
      {"offsets.topic.replication.factor", "1", kSourceDefault, kTypeInt},
  };
}

}  // namespace

void HandleDescribeConfigs(RequestContext& ctx, const kafka::DescribeConfigsRequest& req,
                           kafka::DescribeConfigsResponse& resp) {
  for (const auto& res : req.resources) {
    DescribeConfigsResponse::DescribeConfigsResult out;
    out.resource_type = res.resource_type;
    out.resource_name = res.resource_name;
    std::vector<Entry> entries;
    if (res.resource_type == kTopicResource) {
      Topic* topic = ctx.broker.FindTopic(res.resource_name);
      if (!topic) {
        out.error_code = kafka::Code(ErrorCode::kUnknownTopicOrPartition);
        out.error_message = fmt::format("topic {} does not exist", res.resource_name);
      } else {
        entries = TopicConfigs(ctx.broker, *topic);
      }
    } else if (res.resource_type == kBrokerResource) {
      if (!res.resource_name.empty() && res.resource_name != std::to_string(ctx.broker.config().node_id)) {
        out.error_code = kafka::Code(ErrorCode::kInvalidRequest);
        out.error_message =
            fmt::format("broker {} is not this broker ({})", res.resource_name, ctx.broker.config().node_id);
      } else {
        entries = BrokerConfigs(ctx.broker);
      }
    } else {
      out.error_code = kafka::Code(ErrorCode::kInvalidRequest);
      out.error_message = fmt::format("resource type {} is not supported (2 = topic, 4 = broker)", res.resource_type);
    }
    for (const Entry& e : entries) {
      if (res.configuration_keys && std::find(res.configuration_keys->begin(), res.configuration_keys->end(), e.name) ==
                                        res.configuration_keys->end()) {
        continue;
      }
      DescribeConfigsResponse::DescribeConfigsResourceResult c;
      c.name = e.name;
      c.value = e.value;
      c.read_only = res.resource_type == kBrokerResource;
      c.config_source = e.source;
      c.config_type = e.type;
      if (req.include_synonyms) c.synonyms.push_back({e.name, e.value, e.source});
      out.configs.push_back(std::move(c));
    }
    resp.results.push_back(std::move(out));
  }
}

}  // namespace floe::broker
