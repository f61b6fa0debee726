#include "floe/cli/services.h"

#include <fmt/format.h>

#include "floe/base/logging.h"
#include "floe/base/version.h"
#include "floe/cli/commands.h"

namespace floe::cli {

int PrepareServer(const ServerFlags& flags, std::string_view command, FloeConfig* config,
                  std::optional<io::DataDir>* data_dir) {
  auto resolved = ResolveServerConfig(flags);
  if (!resolved.ok()) {
    PrintError(resolved.status().message());
    return 2;
  }
  auto dir = io::DataDir::Open(resolved->data_dir);
  if (!dir.ok()) {
    PrintError(dir.status().message());
    return 1;
  }
  *config = std::move(*resolved);
  data_dir->emplace(std::move(*dir));
  FLOE_LOG_INFO(fmt::format("floe {} starting", command), {{"version", Version()}, {"data_dir", (*data_dir)->path()}});
  return 0;
}

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

int ServeUntilShutdown(io::EventLoop& loop, RunningBroker& broker, std::string_view command,
                       std::function<void()> stop_others) {
  loop.OnShutdownSignal([&](int) {
    broker.Stop();
    if (stop_others) stop_others();
    loop.Stop();
  });
  AnnounceReady();
  loop.Run();
  Status closed = broker.broker->Close();
  if (!closed.ok()) {
    PrintError(closed.message());
    return 1;
  }
  FLOE_LOG_INFO(fmt::format("floe {} stopped cleanly", command));
  return 0;
}

}  // namespace floe::cli
