// Starting the layers on an event loop, shared by `floe up` and the single-layer subcommands.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <thread>

#include "floe/broker/broker.h"
#include "floe/broker/kafka_server.h"
#include "floe/catalog/embedded_catalog.h"
#include "floe/catalog/nessie_api.h"
#include "floe/catalog/rest_catalog_server.h"
#include "floe/cli/floe_config.h"
#include "floe/cli/server_options.h"
#include "floe/io/data_dir.h"
#include "floe/io/event_loop.h"
#include "floe/io/http_server.h"

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

// The catalog (its store in <data_dir>/catalog) and its Iceberg REST door under /iceberg (with its history, Nessie's
// REST API v2, under /api/v2), on a loop of its own with
// [catalog] threads threads: catalog requests are synchronous (SQLite, metadata files written and synced), so they
// neither share a thread with another door nor wait for each other more than the store makes them.
class RunningCatalog {
 public:
  RunningCatalog() = default;
  RunningCatalog(RunningCatalog&&) = default;
  RunningCatalog& operator=(RunningCatalog&&) = delete;
  ~RunningCatalog() { Stop(); }

  // Starts the loop's threads: the door serves from now on.
  void Run();
  // Stops the loop, waits for requests in progress to finish, then closes the door and its connections (with no
  // loop thread left to race with). Idempotent; call from outside the catalog's loop.
  void Stop();

  catalog::EmbeddedCatalog& catalog() { return *catalog_; }
  const io::ListenAddress& bound() const { return bound_; }

 private:
  friend Result<RunningCatalog> StartCatalog(const FloeConfig& config, const std::string& data_dir);

  std::shared_ptr<catalog::EmbeddedCatalog> catalog_;  // bound to main; the REST door reaches other refs by AtRef
  std::unique_ptr<catalog::RestCatalogServer> rest_;
  std::unique_ptr<catalog::NessieApi> nessie_;  // the history API (/api/v2) on the same door
  std::unique_ptr<io::EventLoop> loop_;
  std::unique_ptr<io::HttpServer> server_;
  std::thread thread_;
  io::ListenAddress bound_;
};

// The catalog's warehouse: [catalog] warehouse (a relative directory made absolute, so that the metadata locations
// the catalog hands out mean the same to every client), or <data_dir>/warehouse.
std::string CatalogWarehouse(const FloeConfig& config, const std::string& data_dir);

// Opens the catalog store under `data_dir`, binds the REST door and announces it; Run() then serves.
Result<RunningCatalog> StartCatalog(const FloeConfig& config, const std::string& data_dir);

// The tail every server subcommand shares: on SIGINT/SIGTERM stop the other doors (`stop_others`, may be empty),
// the broker and the loop; print `ready`, run the loop until then, close the broker's logs. Returns the exit status
// (1 when closing failed, after printing why).
int ServeUntilShutdown(io::EventLoop& loop, RunningBroker& broker, std::string_view command,
                       std::function<void()> stop_others = {});
// The same tail for a server without a broker: `stop_doors` on the signal, then `close` (may be empty) once the loop
// has returned.
int ServeUntilShutdown(io::EventLoop& loop, std::string_view command, std::function<void()> stop_doors,
                       std::function<Status()> close = {});

}  // namespace floe::cli
