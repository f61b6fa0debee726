// [broker] configuration: the Kafka door, topic defaults and log settings. Defaults here, in one place;
// docs/broker.md documents every key.
#pragma once

#include <cstdint>
#include <string>

#include "floe/base/config.h"
#include "floe/broker/group_coordinator.h"
#include "floe/broker/partition_log.h"
#include "floe/broker/sasl.h"
#include "floe/io/listen_address.h"

namespace floe::broker {

struct BrokerConfig {
  io::ListenAddress listen{"0.0.0.0", 9092};
  // host:port clients are told to connect to (Metadata). Empty: the bound address, with 0.0.0.0/:: replaced by
  // "localhost".
  std::string advertised_listen;
  int32_t node_id = 0;
  int32_t default_partitions = 3;  // for auto-created topics and CreateTopics with num_partitions = -1
  bool auto_create_topics = true;
  int64_t max_request_bytes = 100LL << 20;  // Kafka's socket.request.max.bytes
  int64_t max_connections = 4096;
  PartitionLogOptions log;
  SaslConfig sasl;  // [broker.sasl]: off by default
  // Consumer groups: the group_* keys of [broker]. Its flush policy is log.flush, applied by Broker::Open.
  GroupCoordinatorOptions groups;

  Status Load(const ConfigSection& section);
};

}  // namespace floe::broker
