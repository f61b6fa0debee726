#include "floe/broker/broker_config.h"

#include <fmt/format.h>

namespace floe::broker {

namespace {

Status ReadPositive(const ConfigSection& section, std::string_view key, int64_t* out, int64_t min, int64_t max) {
  return section.ReadInt(key, out, min, max);
}

}  // namespace

Status BrokerConfig::Load(const ConfigSection& section) {
  FLOE_RETURN_IF_ERROR(io::ReadListenAddress(section, "listen", &listen));
  FLOE_RETURN_IF_ERROR(section.Read("advertised_listen", &advertised_listen));
  if (!advertised_listen.empty()) {
    auto parsed = io::ParseListenAddress(advertised_listen);
    if (!parsed.ok()) return parsed.status().WithContext("config " + section.Where("advertised_listen"));
  }
  FLOE_RETURN_IF_ERROR(section.Read("node_id", &node_id));
  FLOE_RETURN_IF_ERROR(section.Read("auto_create_topics", &auto_create_topics));
  int64_t partitions = default_partitions;
  FLOE_RETURN_IF_ERROR(ReadPositive(section, "default_partitions", &partitions, 1, 10000));
  default_partitions = static_cast<int32_t>(partitions);
  FLOE_RETURN_IF_ERROR(ReadPositive(section, "max_request_bytes", &max_request_bytes, 1024, 1LL << 31));
  FLOE_RETURN_IF_ERROR(ReadPositive(section, "max_connections", &max_connections, 1, 1 << 20));

  // Consumer groups, named after Kafka's group.* broker configs.
  FLOE_RETURN_IF_ERROR(
      ReadPositive(section, "group_initial_rebalance_delay_ms", &groups.initial_rebalance_delay_ms, 0, INT32_MAX));
  FLOE_RETURN_IF_ERROR(section.Read("group_min_session_timeout_ms", &groups.min_session_timeout_ms));
  FLOE_RETURN_IF_ERROR(section.Read("group_max_session_timeout_ms", &groups.max_session_timeout_ms));
  if (groups.min_session_timeout_ms < 1 || groups.min_session_timeout_ms > groups.max_session_timeout_ms) {
    return Status::InvalidArgument(fmt::format(
        "config {}: {} must be at least 1 and at most group_max_session_timeout_ms ({})",
        section.Where("group_min_session_timeout_ms"), groups.min_session_timeout_ms, groups.max_session_timeout_ms));
  }
  int64_t group_max_size = groups.max_group_size;
  FLOE_RETURN_IF_ERROR(ReadPositive(section, "group_max_size", &group_max_size, 1, INT32_MAX));
  groups.max_group_size = static_cast<int32_t>(group_max_size);
  int64_t metadata_max = groups.max_metadata_bytes;
  FLOE_RETURN_IF_ERROR(ReadPositive(section, "offset_metadata_max_bytes", &metadata_max, 0, 32767));
  groups.max_metadata_bytes = static_cast<int32_t>(metadata_max);
  FLOE_RETURN_IF_ERROR(ReadPositive(section, "offsets_compact_bytes", &groups.offsets_compact_bytes, 1024, INT64_MAX));

  FLOE_ASSIGN_OR_RETURN(ConfigSection sasl_section, section.Section("sasl"));
  FLOE_RETURN_IF_ERROR(sasl.Load(sasl_section));
  FLOE_ASSIGN_OR_RETURN(ConfigSection log_section, section.Section("log"));
  FLOE_RETURN_IF_ERROR(ReadPositive(log_section, "segment_bytes", &log.segment_bytes, 1024, 1LL << 40));
  FLOE_RETURN_IF_ERROR(ReadPositive(log_section, "segment_ms", &log.segment_ms, 1, INT64_MAX));
  FLOE_RETURN_IF_ERROR(ReadPositive(log_section, "retention_bytes", &log.retention_bytes, -1, INT64_MAX));
  FLOE_RETURN_IF_ERROR(ReadPositive(log_section, "retention_ms", &log.retention_ms, -1, INT64_MAX));
  int64_t interval = log.index_interval_bytes;
  FLOE_RETURN_IF_ERROR(ReadPositive(log_section, "index_interval_bytes", &interval, 1, 1 << 30));
  log.index_interval_bytes = static_cast<int32_t>(interval);
  std::string flush = "os";
  FLOE_RETURN_IF_ERROR(log_section.Read("flush", &flush));
  if (flush == "every_batch") {
    log.flush = FlushPolicy::kEveryBatch;
  } else if (flush == "interval") {
    log.flush = FlushPolicy::kInterval;
  } else if (flush == "os") {
    log.flush = FlushPolicy::kOs;
  } else {
    return Status::InvalidArgument(
        fmt::format("config {}: unknown flush policy '{}' (expected every_batch, interval or os)",
                    log_section.Where("flush"), flush));
  }
  FLOE_RETURN_IF_ERROR(ReadPositive(log_section, "flush_interval_ms", &log.flush_interval_ms, 1, INT64_MAX));
  return Status::Ok();
}

}  // namespace floe::broker
