#include "floe/stream/job.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "floe/base/logging.h"
#include "floe/sql/binder.h"

namespace floe::stream {

struct Job::Slot {
  std::thread thread;
  std::mutex mu;
  std::unique_ptr<Pipeline> pipeline;  // null while restarting
  PipelineStatus last;                 // kept across restarts
  int64_t restarts = 0;
  std::string error;
};

namespace {

void SleepUnlessStopped(const std::atomic<bool>& stop, int64_t ms) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  for (auto now = std::chrono::steady_clock::now(); !stop.load() && now < until;
       now = std::chrono::steady_clock::now()) {
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(std::chrono::milliseconds(20), until - now));
  }
}

}  // namespace

std::string DefaultJobId(std::string_view path) {
  std::string name = std::filesystem::path(std::string(path)).stem().string();
  return name.empty() ? std::string("job") : name;
}

std::string_view SeedJobSql() {
  return R"sql(-- The seed stack's job: raw telemetry archived to Iceberg, and 10-second average temperature per sensor.
SET 'execution.checkpointing.interval' = '1 s';

CREATE TABLE telemetry (
  sensor_id STRING,
  ts BIGINT,
  temperature DOUBLE,
  humidity DOUBLE,
  pressure DOUBLE,
  battery DOUBLE,
  event_time AS TO_TIMESTAMP_LTZ(ts, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'telemetry',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'floe-telemetry',
  'scan.startup.mode' = 'earliest-offset',
  'scan.watermark.idle-timeout' = '5 s',
  'format' = 'json'
);

CREATE TABLE readings (
  sensor_id STRING,
  ts BIGINT,
  event_time TIMESTAMP_LTZ(3),
  temperature DOUBLE,
  humidity DOUBLE,
  pressure DOUBLE,
  battery DOUBLE
) WITH ('connector' = 'iceberg', 'catalog-database' = 'telemetry', 'catalog-table' = 'readings');

CREATE TABLE sensor_10s (
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  sensor_id STRING,
  readings BIGINT,
  avg_temperature DOUBLE,
  min_temperature DOUBLE,
  max_temperature DOUBLE,
  avg_humidity DOUBLE
) WITH ('connector' = 'iceberg', 'catalog-database' = 'telemetry', 'catalog-table' = 'sensor_10s');

INSERT INTO readings
SELECT sensor_id, ts, event_time, temperature, humidity, pressure, battery FROM telemetry;

INSERT INTO sensor_10s
SELECT window_start, window_end, sensor_id, COUNT(*), AVG(temperature), MIN(temperature), MAX(temperature),
       AVG(humidity)
FROM TABLE(TUMBLE(TABLE telemetry, DESCRIPTOR(event_time), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, sensor_id;
)sql";
}

Result<std::unique_ptr<Job>> Job::Start(JobOptions options) {
  std::unique_ptr<Job> job(new Job());
  job->options_ = std::move(options);
  const std::string& origin = job->options_.sql_origin;
  auto bound = sql::BindScript(job->options_.sql);
  if (!bound.ok()) return bound.status().WithContext(origin);
  job->script_ = std::make_unique<sql::BoundScript>(std::move(*bound));
  auto plan = PlanJob(*job->script_);
  if (!plan.ok()) return plan.status().WithContext(origin);
  job->plan_ = std::move(*plan);

  PipelineEnvironment& env = job->options_.env;
  env.job_id = job->options_.job_id;
  env.state_dir = job->options_.data_dir + "/jobs/" + job->options_.job_id;
  env.checkpoint_interval_ms = job->plan_.checkpoint_interval_ms;
  env.status_interval_ms = job->plan_.status_interval_ms;
  env.compaction_interval_ms = job->plan_.compaction_interval_ms;
  env.compaction_min_files = job->plan_.compaction_min_files;
  env.snapshot_max_age_ms = job->plan_.snapshot_max_age_ms;
  env.snapshot_retain_last = job->plan_.snapshot_retain_last;
  std::error_code ec;
  std::filesystem::create_directories(env.state_dir, ec);
  if (ec) return Status::IoError(fmt::format("creating job directory {}: {}", env.state_dir, ec.message()));

  for (const PipelinePlan& p : job->plan_.pipelines) {
    auto slot = std::make_unique<Slot>();
    auto opened = Pipeline::Open(p, env);
    if (!opened.ok()) return opened.status().WithContext(fmt::format("{}: INSERT INTO {}", origin, p.name));
    slot->pipeline = std::move(*opened);
    slot->last.name = p.name;
    job->slots_.push_back(std::move(slot));
  }
  for (size_t i = 0; i < job->slots_.size(); ++i) {
    job->slots_[i]->thread = std::thread([j = job.get(), i] { j->RunPipeline(i); });
  }
  job->status_thread_ = std::thread([j = job.get()] { j->WriteStatusLoop(); });
  FLOE_LOG_INFO("job started", {{"job", job->options_.job_id}, {"pipelines", job->slots_.size()}});
  return job;
}

Job::~Job() {
  Stop();
}

void Job::RunPipeline(size_t index) {
  Slot& slot = *slots_[index];
  const PipelinePlan& plan = plan_.pipelines[index];
  int64_t backoff_ms = 1000;
  while (!stop_.load()) {
    Pipeline* p = nullptr;
    {
      std::lock_guard<std::mutex> lock(slot.mu);
      p = slot.pipeline.get();
    }
    if (!p) {
      auto opened = Pipeline::Open(plan, options_.env);
      if (!opened.ok()) {
        FLOE_LOG_ERROR("pipeline restart failed",
                       {{"job", options_.job_id}, {"pipeline", plan.name}, {"error", opened.status().ToString()}});
        {
          std::lock_guard<std::mutex> lock(slot.mu);
          slot.error = opened.status().ToString();
        }
        SleepUnlessStopped(stop_, backoff_ms);
        backoff_ms = std::min<int64_t>(backoff_ms * 2, 30000);
        continue;
      }
      std::lock_guard<std::mutex> lock(slot.mu);
      slot.pipeline = std::move(*opened);
      p = slot.pipeline.get();
    }
    Status s = p->Run(stop_);
    if (s.ok()) break;
    FLOE_LOG_ERROR("pipeline failed; restarting from its last checkpoint",
                   {{"job", options_.job_id}, {"pipeline", plan.name}, {"error", s.ToString()}});
    {
      std::lock_guard<std::mutex> lock(slot.mu);
      slot.last = slot.pipeline->status();
      slot.pipeline.reset();
      slot.error = s.ToString();
      ++slot.restarts;
    }
    SleepUnlessStopped(stop_, backoff_ms);
    backoff_ms = std::min<int64_t>(backoff_ms * 2, 30000);
  }
}

void Job::Stop() {
  stop_.store(true);
  bool joined = false;
  for (auto& slot : slots_) {
    if (slot->thread.joinable()) {
      slot->thread.join();
      joined = true;
    }
  }
  if (status_thread_.joinable()) status_thread_.join();
  if (joined) WriteStatusFile();  // the final state, once every pipeline took its last checkpoint
}

std::vector<PipelineStatus> Job::Statuses() const {
  std::vector<PipelineStatus> out;
  for (const auto& slot : slots_) {
    std::lock_guard<std::mutex> lock(slot->mu);
    PipelineStatus s = slot->pipeline ? slot->pipeline->status() : slot->last;
    if (!slot->pipeline) s.state = "restarting";
    s.restarts = slot->restarts;
    if (!slot->error.empty()) s.error = slot->error;
    out.push_back(std::move(s));
  }
  return out;
}

std::string Job::StatusJson() const {
  nlohmann::json j;
  j["job"] = options_.job_id;
  j["file"] = options_.sql_origin;
  j["updated_ms"] =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  j["pid"] = static_cast<int64_t>(::getpid());
  nlohmann::json ps = nlohmann::json::array();
  for (const PipelineStatus& s : Statuses()) {
    nlohmann::json p;
    p["pipeline"] = s.name;
    p["state"] = s.state;
    if (!s.error.empty()) p["error"] = s.error;
    p["events_in"] = s.events_in;
    p["events_per_second"] = s.events_per_second;
    p["rows_out"] = s.rows_out;
    p["late_events"] = s.late_events;
    p["bad_events"] = s.bad_events;
    p["filtered_events"] = s.filtered_events;
    p["watermark_ms"] = s.watermark_ms ? nlohmann::json(*s.watermark_ms) : nlohmann::json(nullptr);
    p["last_checkpoint_id"] = s.last_checkpoint_id;
    p["last_checkpoint_ms"] = s.last_checkpoint_ms;
    p["lag"] = s.lag;
    p["open_windows"] = s.open_windows;
    p["state_bytes"] = s.state_bytes;
    p["restarts"] = s.restarts;
    ps.push_back(std::move(p));
  }
  j["pipelines"] = std::move(ps);
  return j.dump(2);
}

void Job::WriteStatusFile() const {
  const std::string path = options_.env.state_dir + "/status.json";
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << StatusJson() << "\n";
  }
  std::rename(tmp.c_str(), path.c_str());
}

void Job::WriteStatusLoop() {
  while (!stop_.load()) {
    WriteStatusFile();
    SleepUnlessStopped(stop_, plan_.status_interval_ms);
  }
}

}  // namespace floe::stream
