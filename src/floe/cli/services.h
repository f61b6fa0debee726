// Starting the layers on an event loop, shared by `floe up` and the single-layer subcommands.
#pragma once

#include <memory>

#include "floe/broker/broker.h"
#include "floe/broker/kafka_server.h"
#include "floe/cli/floe_config.h"
#include "floe/cli/server_options.h"
#include "floe/io/event_loop.h"

namespace floe::cli {

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

}  // namespace floe::cli
