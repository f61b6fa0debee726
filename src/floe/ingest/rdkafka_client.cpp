#include "floe/ingest/rdkafka_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace floe::ingest {

Status SetClientProperties(rd_kafka_conf_t* conf, const ClientProperties& properties) {
  char err[512];
  for (const auto& [key, value] : properties) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      return Status::InvalidArgument(fmt::format("Kafka client property {}={}: {}", key, value, err));
    }
  }
  return Status::Ok();
}

Result<RdKafkaHandle> NewRdKafka(rd_kafka_type_t type, rd_kafka_conf_t* conf) {
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status::InvalidArgument(fmt::format("cannot create the Kafka client: {}", err));
  }
  return RdKafkaHandle(rk);
}

Status CheckReachable(rd_kafka_t* rk, const std::string& bootstrap, int64_t timeout_ms) {
  // librdkafka answers "all brokers down" as soon as a connection is refused; a broker that is still starting
  // deserves the whole timeout, so ask again until it runs out.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  rd_kafka_resp_err_t err;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    const struct rd_kafka_metadata* md = nullptr;
    err = rd_kafka_metadata(rk, 1, nullptr, &md, static_cast<int>(std::max<int64_t>(left.count(), 1)));
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_metadata_destroy(md);
      return Status::Ok();
    }
    if (std::chrono::steady_clock::now() + std::chrono::milliseconds(200) >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return Status::Unavailable(
      fmt::format("no Kafka broker at {} answered within {} ms ({}); is it running? "
                  "(--bootstrap, --timeout-ms)",
                  bootstrap, timeout_ms, rd_kafka_err2str(err)));
}

}  // namespace floe::ingest
