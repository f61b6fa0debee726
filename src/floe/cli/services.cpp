#include "floe/cli/services.h"

#include "floe/base/logging.h"

namespace floe::cli {

Result<RunningBroker> StartBroker(io::EventLoop& loop, const FloeConfig& config, const std::string& data_dir) {
  RunningBroker running;
  FLOE_ASSIGN_OR_RETURN(running.broker, broker::Broker::Open(data_dir, config.broker));
  running.server = std::make_unique<broker::KafkaServer>(loop, *running.broker);
  FLOE_ASSIGN_OR_RETURN(running.bound, running.server->Listen(config.broker.listen));
  AnnounceListening(Door::kKafka, running.bound);
  FLOE_LOG_INFO(
      "listening",
      {{"door", "kafka"}, {"address", running.bound.ToString()}, {"cluster_id", running.broker->cluster_id()}});
  return running;
}

void RunningBroker::Stop() {
  if (server) server->Stop();
}

}  // namespace floe::cli
