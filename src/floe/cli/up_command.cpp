// `floe up`: starts every layer that exists in one process and serves until SIGINT/SIGTERM.
// Today: the Kafka broker, the Iceberg REST catalog and the HTTP door (health and metrics); each layer adds its door
// here as it lands. The catalog runs on a loop of its own (services.h, RunningCatalog).

#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "floe/base/logging.h"
#include "floe/base/version.h"
#include "floe/cli/commands.h"
#include "floe/cli/server_options.h"
#include "floe/cli/services.h"
#include "floe/io/data_dir.h"
#include "floe/io/event_loop.h"
#include "floe/io/http_server.h"
#include "floe/ui/health.h"

namespace floe::cli {

namespace {

int RunUp(const ServerFlags& flags) {
  FloeConfig config;
  std::optional<io::DataDir> data_dir;
  if (int status = PrepareServer(flags, "up", &config, &data_dir); status != 0) return status;

  io::EventLoop loop(1);
  auto broker = StartBroker(loop, config, data_dir->path());
  if (!broker.ok()) {
    PrintError(broker.status().message());
    return 1;
  }
  auto catalog = StartCatalog(config, data_dir->path());
  if (!catalog.ok()) {
    PrintError(catalog.status().message());
    return 1;
  }
  io::HttpServerOptions http_options;
  http_options.max_connections = static_cast<size_t>(config.http.max_connections);
  io::HttpServer http(loop, "http", http_options);
  ui::HealthEndpoints health({"kafka", "catalog", "http"});
  health.Register(http);

  auto bound = http.Listen(config.http.listen);
  if (!bound.ok()) {
    PrintError(bound.status().message());
    return 1;
  }
  AnnounceListening(Door::kHttp, *bound);
  FLOE_LOG_INFO("listening", {{"door", "http"}, {"address", bound->ToString()}});

  catalog->Run();
  return ServeUntilShutdown(loop, *broker, "up", [&] {
    http.Stop();
    catalog->Stop();
  });
}

}  // namespace

void AddUpCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ServerFlags>();
  CLI::App* cmd = app.add_subcommand("up", "Run the whole lakehouse in one process with embedded defaults");
  AddServerFlags(cmd, flags.get(), {Door::kKafka, Door::kCatalog, Door::kHttp});
  cmd->callback([flags, exit_code] { *exit_code = RunUp(*flags); });
}

}  // namespace floe::cli
