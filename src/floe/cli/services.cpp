#include "floe/cli/services.h"

#include <fmt/format.h>

#include <filesystem>
#include <map>

#include "floe/base/logging.h"
#include "floe/base/version.h"
#include "floe/cli/commands.h"

namespace floe::cli {

int PrepareServer(const ServerFlags& flags, std::string_view command, FloeConfig* config,
                  std::optional<io::DataDir>* data_dir) {
  io::EventLoop::HoldShutdownSignals();  // until the server's handler is in place (ServeUntilShutdown)
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

std::string CatalogWarehouse(const FloeConfig& config, const std::string& data_dir) {
  if (config.catalog.warehouse.empty()) return (std::filesystem::absolute(data_dir) / "warehouse").lexically_normal();
  if (io::IsS3Location(config.catalog.warehouse) || config.catalog.warehouse.rfind("file:", 0) == 0) {
    return config.catalog.warehouse;
  }
  return std::filesystem::absolute(config.catalog.warehouse).lexically_normal();
}

namespace {

// What a client needs to reach an S3 warehouse, in the property names pyiceberg and Java's S3FileIO read.
// Credentials are not handed out: clients bring their own.
std::map<std::string, std::string> TableConfig(const std::string& warehouse, const io::FileIOConfig& io) {
  std::map<std::string, std::string> out;
  if (!io::IsS3Location(warehouse)) return out;
  if (!io.endpoint.empty()) out["s3.endpoint"] = io.endpoint;
  if (!io.region.empty()) {
    out["s3.region"] = io.region;
    out["client.region"] = io.region;
  }
  if (io.path_style) out["s3.path-style-access"] = *io.path_style ? "true" : "false";
  return out;
}

}  // namespace

Result<RunningCatalog> StartCatalog(const FloeConfig& config, const std::string& data_dir) {
  RunningCatalog running;
  catalog::EmbeddedCatalogOptions options;
  options.warehouse = CatalogWarehouse(config, data_dir);
  auto opened = catalog::EmbeddedCatalog::Open(data_dir, options);
  if (!opened.ok()) return opened.status().WithContext("catalog");
  running.catalog_ = std::move(*opened);

  catalog::RestCatalogServerOptions rest;
  rest.warehouse = running.catalog_->warehouse();
  rest.token = config.catalog.token;
  rest.table_config = TableConfig(rest.warehouse, running.catalog_->io_config());
  std::shared_ptr<catalog::EmbeddedCatalog> main = running.catalog_;
  running.rest_ = std::make_unique<catalog::RestCatalogServer>(
      [main](const std::string& ref) -> Result<std::shared_ptr<catalog::Catalog>> {
        if (ref == main->ref()) return std::shared_ptr<catalog::Catalog>(main);
        FLOE_ASSIGN_OR_RETURN(std::unique_ptr<catalog::EmbeddedCatalog> at, main->AtRef(ref));
        return std::shared_ptr<catalog::Catalog>(std::move(at));
      },
      std::move(rest));

  running.loop_ = std::make_unique<io::EventLoop>(static_cast<int>(config.catalog.threads));
  io::HttpServerOptions http;
  http.max_connections = static_cast<size_t>(config.http.max_connections);
  running.server_ = std::make_unique<io::HttpServer>(*running.loop_, "catalog", http);
  running.rest_->Register(*running.server_);
  catalog::NessieApiOptions nessie;
  nessie.token = config.catalog.token;
  running.nessie_ = std::make_unique<catalog::NessieApi>(running.catalog_->shared_store(), std::move(nessie));
  running.nessie_->Register(*running.server_);
  FLOE_ASSIGN_OR_RETURN(running.bound_, running.server_->Listen(config.catalog.listen));
  AnnounceListening(Door::kCatalog, running.bound_);
  FLOE_LOG_INFO("listening", {{"door", "catalog"},
                              {"address", running.bound_.ToString()},
                              {"base_url", fmt::format("http://{}/iceberg", running.bound_.ToString())},
                              {"warehouse", running.catalog_->warehouse()},
                              {"auth", config.catalog.token.empty() ? "none" : "bearer token"}});
  return running;
}

void RunningCatalog::Run() {
  if (loop_ && !thread_.joinable()) thread_ = std::thread([loop = loop_.get()] { loop->Run(); });
}

void RunningCatalog::Stop() {
  if (thread_.joinable()) {
    loop_->Stop();
    thread_.join();
  }
  // The loop no longer runs, so the server closes its acceptor and connections here, on this thread.
  if (server_) server_->Stop();
}

int ServeUntilShutdown(io::EventLoop& loop, std::string_view command, std::function<void()> stop_doors,
                       std::function<Status()> close) {
  loop.OnShutdownSignal([&](int) {
    if (stop_doors) stop_doors();
    loop.Stop();
  });
  AnnounceReady();
  loop.Run();
  if (close) {
    Status closed = close();
    if (!closed.ok()) {
      PrintError(closed.message());
      return 1;
    }
  }
  FLOE_LOG_INFO(fmt::format("floe {} stopped cleanly", command));
  return 0;
}

int ServeUntilShutdown(io::EventLoop& loop, RunningBroker& broker, std::string_view command,
                       std::function<void()> stop_others) {
  return ServeUntilShutdown(
      loop, command,
      [&] {
        broker.Stop();
        if (stop_others) stop_others();
      },
      [&] { return broker.broker->Close(); });
}

}  // namespace floe::cli
