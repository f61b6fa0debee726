// A librdkafka handle with floe's conventions: one place that builds the configuration (bootstrap servers, the
// caller's -X properties, which win) and turns librdkafka's error strings into Status values naming the property.
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "floe/base/status.h"

namespace floe::ingest {

struct RdKafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using RdKafkaHandle = std::unique_ptr<rd_kafka_t, RdKafkaDeleter>;

using ClientProperties = std::vector<std::pair<std::string, std::string>>;

// Sets `properties` in order on `conf`; an unknown property or bad value is InvalidArgument naming it.
Status SetClientProperties(rd_kafka_conf_t* conf, const ClientProperties& properties);

// Creates a producer or consumer from `conf` (which it takes over, also on error).
Result<RdKafkaHandle> NewRdKafka(rd_kafka_type_t type, rd_kafka_conf_t* conf);

// Fails with Unavailable naming `bootstrap` when no broker answers a metadata request within `timeout_ms`.
Status CheckReachable(rd_kafka_t* rk, const std::string& bootstrap, int64_t timeout_ms);

}  // namespace floe::ingest
