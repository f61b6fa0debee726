// `floe job`: run a stream job alone (`floe job run FILE.sql --bootstrap HOST:PORT --catalog URL`), and look at the
// jobs of a data directory (`floe job list`, `floe job status [JOB]`), whether `floe up` or `floe job run` runs them.

#include <fmt/format.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "floe/base/logging.h"
#include "floe/catalog/rest_catalog_client.h"
#include "floe/cli/commands.h"
#include "floe/stream/job.h"

namespace floe::cli {
namespace {

struct JobFlags {
  std::string file;
  std::string bootstrap;
  std::string catalog;
  std::string catalog_token;
  std::string data_dir = "./floe-data";
  std::string job_id;
  std::string log_level = "info";
  std::string format = "table";
  std::string job;
};

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(fmt::format("job file {}: {}", path, std::strerror(errno)));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int RunJob(const JobFlags& flags) {
  auto level = log::ParseLevel(flags.log_level);
  if (!level.ok()) {
    PrintError(level.status().message());
    return 2;
  }
  log::Init(*level);
  if (flags.catalog.empty()) {
    PrintError("--catalog URL is required: the Iceberg REST catalog the job's sink tables live in");
    return 2;
  }
  auto sql = ReadFile(flags.file);
  if (!sql.ok()) {
    PrintError(sql.status().message());
    return 2;
  }
  catalog::RestCatalogOptions options;
  options.uri = flags.catalog;
  options.token = flags.catalog_token;
  auto client = catalog::RestCatalogClient::Connect(std::move(options));
  if (!client.ok()) {
    PrintError(client.status().message());
    return 1;
  }
  // SIGINT and SIGTERM are taken by sigwait below; block them before any thread starts so every thread inherits it.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  stream::JobOptions jo;
  jo.job_id = flags.job_id.empty() ? stream::DefaultJobId(flags.file) : flags.job_id;
  jo.sql = std::move(*sql);
  jo.sql_origin = flags.file;
  jo.data_dir = flags.data_dir;
  jo.env.catalog = client->get();
  jo.env.bootstrap_override = flags.bootstrap;
  auto job = stream::Job::Start(std::move(jo));
  if (!job.ok()) {
    PrintError(job.status().message());
    return job.status().code() == StatusCode::kInvalidArgument || job.status().code() == StatusCode::kUnsupported ? 2
                                                                                                                  : 1;
  }
  fmt::print("running job {} ({} pipelines)\nready\n", (*job)->id(), (*job)->Statuses().size());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&signals, &sig);
  FLOE_LOG_INFO("stopping job", {{"job", (*job)->id()}, {"signal", sig}});
  (*job)->Stop();
  FLOE_LOG_INFO("job stopped cleanly", {{"job", (*job)->id()}});
  return 0;
}

std::vector<nlohmann::json> LoadStatuses(const std::string& data_dir, std::string* error) {
  std::vector<nlohmann::json> out;
  const std::string dir = data_dir + "/jobs";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    *error = fmt::format("no jobs in {} (no directory {})", data_dir, dir);
    return out;
  }
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) names.push_back(e.path().string());
  std::sort(names.begin(), names.end());
  for (const std::string& path : names) {
    std::ifstream in(path + "/status.json");
    if (!in) continue;
    try {
      nlohmann::json j = nlohmann::json::parse(in);
      const int64_t pid = j.value("pid", int64_t{0});
      j["alive"] = pid > 0 && ::kill(static_cast<pid_t>(pid), 0) == 0;
      out.push_back(std::move(j));
    } catch (const nlohmann::json::exception& e) {
      FLOE_LOG_WARN("unreadable job status", {{"file", path + "/status.json"}, {"error", e.what()}});
    }
  }
  return out;
}

std::string FormatTime(const nlohmann::json& v) {
  if (!v.is_number_integer()) return "-";
  const int64_t ms = v.get<int64_t>();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

int ListJobs(const JobFlags& flags, bool details) {
  std::string error;
  std::vector<nlohmann::json> jobs = LoadStatuses(flags.data_dir, &error);
  if (!error.empty()) {
    PrintError(error);
    return 1;
  }
  if (!flags.job.empty()) {
    std::erase_if(jobs, [&](const nlohmann::json& j) { return j.value("job", "") != flags.job; });
    if (jobs.empty()) {
      PrintError(fmt::format("no job {} in {}", flags.job, flags.data_dir));
      return 1;
    }
  }
  if (flags.format == "json") {
    fmt::print("{}\n", nlohmann::json(jobs).dump(2));
    return 0;
  }
  if (!details) {
    fmt::print("{:<20} {:<8} {:>9} {:>12} {:>10} {:>8} {:>8}\n", "JOB", "RUNNING", "PIPELINES", "EVENTS", "LAG", "LATE",
               "BAD");
    for (const auto& j : jobs) {
      int64_t events = 0, lag = 0, late = 0, bad = 0;
      for (const auto& p : j["pipelines"]) {
        events += p.value("events_in", int64_t{0});
        lag += p.value("lag", int64_t{0});
        late += p.value("late_events", int64_t{0});
        bad += p.value("bad_events", int64_t{0});
      }
      fmt::print("{:<20} {:<8} {:>9} {:>12} {:>10} {:>8} {:>8}\n", j.value("job", "?"),
                 j.value("alive", false) ? "yes" : "no", j["pipelines"].size(), events, lag, late, bad);
    }
    return 0;
  }
  for (const auto& j : jobs) {
    fmt::print("job {} ({}), {}, status of {}\n", j.value("job", "?"), j.value("file", ""),
               j.value("alive", false) ? "running" : "not running", FormatTime(j["updated_ms"]));
    for (const auto& p : j["pipelines"]) {
      fmt::print("  pipeline {}: {}\n", p.value("pipeline", "?"), p.value("state", "?"));
      fmt::print("    events in {} ({:.0f}/s), rows out {}, late {}, bad {}, filtered {}\n",
                 p.value("events_in", int64_t{0}), p.value("events_per_second", 0.0), p.value("rows_out", int64_t{0}),
                 p.value("late_events", int64_t{0}), p.value("bad_events", int64_t{0}),
                 p.value("filtered_events", int64_t{0}));
      fmt::print("    watermark {}, lag {} records, open windows {}, state {} bytes\n", FormatTime(p["watermark_ms"]),
                 p.value("lag", int64_t{0}), p.value("open_windows", int64_t{0}), p.value("state_bytes", int64_t{0}));
      fmt::print("    last checkpoint {} at {}, restarts {}\n", p.value("last_checkpoint_id", int64_t{0}),
                 FormatTime(p["last_checkpoint_ms"]), p.value("restarts", int64_t{0}));
      if (p.contains("error")) fmt::print("    last error: {}\n", p.value("error", ""));
    }
  }
  return 0;
}

}  // namespace

void AddJobCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<JobFlags>();
  CLI::App* cmd = app.add_subcommand("job", "Run a stream SQL job, or show the jobs of a data directory");
  cmd->require_subcommand(1, 1);

  CLI::App* run = cmd->add_subcommand("run", "Run the INSERT statements of a Flink-dialect SQL file until stopped");
  run->add_option("file", flags->file, "the job's SQL file")->required()->type_name("FILE.sql");
  run->add_option("--bootstrap", flags->bootstrap, "Kafka bootstrap servers for every source (overrides the file)")
      ->type_name("HOST:PORT");
  run->add_option("--catalog", flags->catalog, "the Iceberg REST catalog of the sink tables")->type_name("URL");
  run->add_option("--catalog-token", flags->catalog_token, "a bearer token for the catalog")->type_name("TOKEN");
  run->add_option("--data-dir", flags->data_dir, "checkpoint state and status go to DIR/jobs/<job>")->type_name("DIR");
  run->add_option("--job-id", flags->job_id, "the job's id (default: the file's name without extension)");
  run->add_option("--log-level", flags->log_level, "trace, debug, info, warn, error");
  run->callback([flags, exit_code] { *exit_code = RunJob(*flags); });

  CLI::App* list = cmd->add_subcommand("list", "List the jobs of a data directory: running or not, events, lag");
  list->add_option("--data-dir", flags->data_dir, "the data directory")->type_name("DIR");
  list->add_option("--format", flags->format, "table or json")->check(CLI::IsMember({"table", "json"}));
  list->callback([flags, exit_code] { *exit_code = ListJobs(*flags, false); });

  CLI::App* status = cmd->add_subcommand("status",
                                         "Show each pipeline of a job: lag, watermark, last checkpoint, "
                                         "events, late and bad counts");
  status->add_option("job", flags->job, "the job (default: every job)");
  status->add_option("--data-dir", flags->data_dir, "the data directory")->type_name("DIR");
  status->add_option("--format", flags->format, "table or json")->check(CLI::IsMember({"table", "json"}));
  status->callback([flags, exit_code] { *exit_code = ListJobs(*flags, true); });
}

}  // namespace floe::cli
