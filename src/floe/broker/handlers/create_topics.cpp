// CreateTopics: explicit topic creation with a partition count and config overrides. floe is one node, so a
// replication factor other than 1 (or -1, the broker default) is refused, as Kafka refuses one above its broker
// count.
#include <fmt/format.h>

#include "floe/broker/handlers/handlers.h"

namespace floe::broker {

using kafka::CreateTopicsResponse;
using kafka::ErrorCode;

void HandleCreateTopics(RequestContext& ctx, const kafka::CreateTopicsRequest& req, kafka::CreateTopicsResponse& resp) {
  Broker& broker = ctx.broker;
  for (const auto& t : req.topics) {
    CreateTopicsResponse::CreatableTopicResult r;
    r.name = t.name;
    auto fail = [&](ErrorCode code, std::string message) {
      r.error_code = kafka::Code(code);
      r.error_message = std::move(message);
    };
    int32_t partitions = t.num_partitions;
    if (!t.assignments.empty()) partitions = static_cast<int32_t>(t.assignments.size());
    if (partitions == -1) partitions = broker.config().default_partitions;
    std::map<std::string, std::string> configs;
    for (const auto& c : t.configs) {
      if (c.value) configs[c.name] = *c.value;
    }
    if (Status st = Broker::ValidateTopicName(t.name); !st.ok()) {
      fail(ErrorCode::kInvalidTopicException, st.message());
    } else if (t.replication_factor != -1 && t.replication_factor != 1) {
      fail(ErrorCode::kInvalidReplicationFactor,
           fmt::format("replication factor {} is larger than the number of brokers (1)", t.replication_factor));
    } else if (!t.assignments.empty() && t.num_partitions != -1) {
      fail(ErrorCode::kInvalidRequest, "give either num_partitions or assignments, not both");
    } else if (partitions < 1) {
      fail(ErrorCode::kInvalidPartitions, fmt::format("number of partitions must be positive, got {}", partitions));
    } else if (Status cs = broker.ValidateTopicConfigs(configs); !cs.ok()) {
      fail(ErrorCode::kInvalidConfig, cs.message());
    } else {
      auto created = broker.CreateTopic(t.name, partitions, configs, req.validate_only);
      if (!created.ok()) {
        fail(created.status().code() == StatusCode::kAlreadyExists     ? ErrorCode::kTopicAlreadyExists
             : created.status().code() == StatusCode::kInvalidArgument ? ErrorCode::kInvalidRequest
                                                                       : ErrorCode::kUnknownServerError,
             created.status().message());
      } else {
        r.num_partitions = partitions;
        r.replication_factor = 1;
        if (*created) r.topic_id = (*created)->id;
        r.configs.emplace();
        for (const auto& [k, v] : configs) {
          CreateTopicsResponse::CreatableTopicConfigs c;
          c.name = k;
          c.value = v;
          c.config_source = 1;  // TOPIC_CONFIG
          r.configs->push_back(std::move(c));
        }
      }
    }
    resp.topics.push_back(std::move(r));
  }
}

}  // namespace floe::broker
