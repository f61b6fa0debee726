// `floe broker`: the Kafka-protocol broker alone, for running it on its own host.

#include <memory>

#include "floe/base/logging.h"
#include "floe/base/version.h"
#include "floe/cli/commands.h"
#include "floe/cli/server_options.h"
#include "floe/cli/services.h"
#include "floe/io/data_dir.h"
#include "floe/io/event_loop.h"

namespace floe::cli {

namespace {

int RunBroker(const ServerFlags& flags) {
  FloeConfig config;
  std::optional<io::DataDir> data_dir;
  if (int status = PrepareServer(flags, "broker", &config, &data_dir); status != 0) return status;

  io::EventLoop loop(1);
  auto broker = StartBroker(loop, config, data_dir->path());
  if (!broker.ok()) {
    PrintError(broker.status().message());
    return 1;
  }
  return ServeUntilShutdown(loop, *broker, "broker");
}

}  // namespace

void AddBrokerCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ServerFlags>();
  CLI::App* cmd = app.add_subcommand("broker", "Run the Kafka-protocol broker alone");
  AddServerFlags(cmd, flags.get(), {Door::kKafka});
  cmd->callback([flags, exit_code] { *exit_code = RunBroker(*flags); });
}

}  // namespace floe::cli
