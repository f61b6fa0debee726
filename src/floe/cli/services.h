// Starting the layers on an event loop, shared by `floe up` and the single-layer subcommands.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "floe/broker/broker.h"
#include "floe/broker/kafka_server.h"
#include "floe/cli/floe_config.h"
#include "floe/cli/server_options.h"
#include "floe/io/data_dir.h"
#include "floe/io/event_loop.h"

namespace floe::cli {

// What every server subcommand does first: resolve the configuration (file and flags), set up logging, lock the
// data directory, log the start. On failure it prints the error and returns the exit status (2 for configuration,
// 1 otherwise); on success it returns 0 and fills *config and *data_dir.
int PrepareServer(const ServerFlags& flags, std::string_view command, FloeConfig* config,
                  std::optional<io::DataDir>* data_dir);

// The broker and its Kafka door, running on a loop.
struct RunningBroker {
  std::unique_ptr<broker::Broker> broker;
  std::unique_ptr<broker::KafkaServer> server;
  io::ListenAddress bound;

  // Stops accepting and closes connections; then closes the logs cleanly.
  void Stop();
};

// Opens the broker's state under `data_dir`, starts the Kafka door and announces it.
Result<RunningBroker> StartBroker(io::EventLoop& loop, const FloeConfig& config, const std::string& data_dir);

// The tail every server subcommand shares: on SIGINT/SIGTERM stop the other doors (`stop_others`, may be empty),
// the broker and the loop; print `ready`, run the loop until then, close the broker's logs. Returns the exit status
// (1 when closing failed, after printing why).
int ServeUntilShutdown(io::EventLoop& loop, RunningBroker& broker, std::string_view command,
                       std::function<void()> stop_others = {});

}  // namespace floe::cli
