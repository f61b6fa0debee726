// `floe up`: starts every layer that exists in one process and serves until SIGINT/SIGTERM.
// Today: the Kafka broker, the Iceberg REST catalog, the HTTP door (health and metrics) and the stream jobs of
// [jobs] (the seed job by default), which read the broker in-process and commit through the catalog in-process.
// The catalog runs on a loop of its own (services.h, RunningCatalog); each job's pipelines on threads of their own.

#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "floe/base/logging.h"
#include "floe/base/version.h"
#include "floe/cli/commands.h"
#include "floe/cli/server_options.h"
#include "floe/cli/services.h"
#include "floe/io/data_dir.h"
#include "floe/io/event_loop.h"
#include "floe/io/http_server.h"
#include "floe/stream/job.h"
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

  // The jobs start once the broker and the catalog serve; `ready` (below) means they run.
  std::vector<std::unique_ptr<stream::Job>> jobs;
  std::vector<std::pair<std::string, std::string>> job_files;  // origin, SQL
  if (!config.jobs.files.empty()) {
    std::string_view rest = config.jobs.files;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      std::string path(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      while (!path.empty() && path.front() == ' ') path.erase(path.begin());
      while (!path.empty() && path.back() == ' ') path.pop_back();
      if (path.empty()) continue;
      std::ifstream in(path, std::ios::binary);
      if (!in) {
        PrintError(fmt::format("[jobs] files: cannot read {}", path));
        catalog->Stop();
        broker->Stop();
        return 2;
      }
      std::stringstream ss;
      ss << in.rdbuf();
      job_files.emplace_back(path, ss.str());
    }
  } else if (config.jobs.seed) {
    job_files.emplace_back("seed.sql", std::string(stream::SeedJobSql()));
  }
  for (const auto& [origin, sql] : job_files) {
    stream::JobOptions jo;
    jo.job_id = stream::DefaultJobId(origin);
    jo.sql = sql;
    jo.sql_origin = origin;
    jo.data_dir = data_dir->path();
    jo.env.catalog = &catalog->catalog();
    jo.env.local_broker = broker->broker.get();
    jo.env.run_on_broker_thread = [&loop](std::function<void()> fn) { loop.Post(std::move(fn)); };
    auto job = stream::Job::Start(std::move(jo));
    if (!job.ok()) {
      PrintError(job.status().message());
      for (auto& j : jobs) j->Stop();
      catalog->Stop();
      broker->Stop();
      return 2;
    }
    jobs.push_back(std::move(*job));
  }

  // On SIGINT/SIGTERM the jobs stop first (a last checkpoint each, which reads the broker and commits to the
  // catalog), off the loop thread so that the loop keeps serving them meanwhile; then the doors close.
  std::thread stopper;
  loop.OnShutdownSignal([&](int) {
    if (stopper.joinable()) return;
    stopper = std::thread([&] {
      for (auto& j : jobs) j->Stop();
      loop.Post([&] {
        broker->Stop();
        http.Stop();
        catalog->Stop();
        loop.Stop();
      });
    });
  });
  AnnounceReady();
  loop.Run();
  if (stopper.joinable()) stopper.join();
  Status closed = broker->broker->Close();
  if (!closed.ok()) {
    PrintError(closed.message());
    return 1;
  }
  FLOE_LOG_INFO("floe up stopped cleanly");
  return 0;
}

}  // namespace

void AddUpCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ServerFlags>();
  CLI::App* cmd = app.add_subcommand("up", "Run the whole lakehouse in one process with embedded defaults");
  AddServerFlags(cmd, flags.get(), {Door::kKafka, Door::kCatalog, Door::kHttp});
  cmd->callback([flags, exit_code] { *exit_code = RunUp(*flags); });
}

}  // namespace floe::cli
