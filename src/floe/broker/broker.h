// The broker's state: topics and their partition logs, producer ids, and the signal that wakes waiting fetches.
// Handlers (broker/handlers/) call into it; it knows nothing of the wire protocol.
//
// On disk, under `<data_dir>/kafka/`:
//   <topic>-<partition>/        one PartitionLog each (partition_log.h)
//   <topic>-<partition>/partition.metadata   "version: 0\ntopic_id: <uuid hex>" as Kafka writes it
//   topic-configs/<topic>.properties         per-topic overrides (key=value lines), when any
//   meta.properties                          cluster.id and node.id, written on first start
//   producer-ids                             the next producer id to hand out (InitProducerId)
//   __consumer_offsets/offsets.log           consumer groups' committed offsets (group_offsets_format.h)
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "floe/base/status.h"
#include "floe/broker/broker_config.h"
#include "floe/broker/group_coordinator.h"
#include "floe/broker/partition_log.h"
#include "floe/broker/sasl.h"
#include "floe/kafka/protocol_types.h"

namespace floe::broker {

struct Topic {
  std::string name;
  kafka::Uuid id{};
  std::map<std::string, std::string> configs;  // overrides only
  PartitionLogOptions log_options;             // the broker's, with the overrides applied
  bool log_append_time = false;                // message.timestamp.type=LogAppendTime
  std::vector<std::unique_ptr<PartitionLog>> partitions;
};

class Broker {
 public:
  // Opens every topic found under `<data_dir>/kafka/`, recovering their logs.
  static Result<std::unique_ptr<Broker>> Open(const std::string& data_dir, const BrokerConfig& config);
  ~Broker();

  const BrokerConfig& config() const { return config_; }
  const std::string& cluster_id() const { return cluster_id_; }

  // Validates a topic name as Kafka does: 1-249 characters of [a-zA-Z0-9._-], not "." or "..".
  static Status ValidateTopicName(std::string_view name);
  // Validates per-topic config overrides: known keys with valid values (retention.ms, retention.bytes,
  // segment.bytes, segment.ms, message.timestamp.type, cleanup.policy=delete, max.message.bytes, ...).
  Status ValidateTopicConfigs(const std::map<std::string, std::string>& configs) const;

  // Creates a topic. AlreadyExists if it exists; InvalidArgument for a bad name, count or config.
  Result<Topic*> CreateTopic(const std::string& name, int32_t partitions,
                             const std::map<std::string, std::string>& configs, bool validate_only = false);
  // The topic, or nullptr.
  Topic* FindTopic(std::string_view name);
  // The partition's log, or nullptr when the topic or partition does not exist.
  PartitionLog* FindPartition(std::string_view topic, int32_t partition);
  // Deletes the topic's partitions and every group's committed offsets for it (so from the network thread).
  Status DeleteTopic(const std::string& name);
  std::vector<Topic*> Topics();

  // A new producer id for InitProducerId, unique across restarts.
  Result<int64_t> AllocateProducerId();

  // Called after every successful append, from the appending thread (wakes long-polling fetches).
  void SetAppendListener(std::function<void()> listener) { append_listener_ = std::move(listener); }
  void NotifyAppended() {
    if (append_listener_) append_listener_();
  }

  // The consumer groups' coordinator. Network thread only (see group_coordinator.h).
  GroupCoordinator& groups() { return *groups_; }
  const SaslAuthenticator& sasl() const { return *sasl_; }

  // Fires the group coordinator's timeouts (GroupCoordinator::Tick) at every call, and at most every
  // min(flush_interval_ms, 30 s) applies retention to every partition and flushes under FlushPolicy::kInterval.
  // Called periodically (every 100 ms at most) from the network thread.
  void RunMaintenance(int64_t now_ms);
  Status Close();

 private:
  Broker(std::string dir, BrokerConfig config) : dir_(std::move(dir)), config_(std::move(config)) {}
  Status LoadTopics();
  Status WriteTopicConfigs(const Topic& topic);
  Result<std::unique_ptr<Topic>> MakeTopic(const std::string& name, const std::map<std::string, std::string>& configs);

  std::string dir_;  // <data_dir>/kafka
  BrokerConfig config_;
  std::string cluster_id_;
  std::mutex mu_;  // guards topics_ (the map, not the logs, which lock themselves)
  std::map<std::string, std::unique_ptr<Topic>, std::less<>> topics_;
  std::mutex producer_id_mu_;
  int64_t next_producer_id_ = 0;
  std::function<void()> append_listener_;
  std::unique_ptr<GroupCoordinator> groups_;
  std::unique_ptr<SaslAuthenticator> sasl_;
  int64_t last_log_maintenance_ms_ = -1;
};

}  // namespace floe::broker
