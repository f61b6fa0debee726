// A running job: a SQL file bound, planned (job_plan.h) and its pipelines (pipeline.h) each run on a thread of its
// own. A pipeline that fails at run time (a lost broker, an unreadable table) is restarted after a growing delay from
// its last committed checkpoint, as Flink's fixed-delay restart strategy does; the job keeps running meanwhile.
//
// The job's state lives under <data_dir>/jobs/<job id>/: one checkpoint directory per pipeline and status.json,
// rewritten every second, which `floe job list|status` read.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "floe/base/status.h"
#include "floe/sql/bound_statement.h"
#include "floe/stream/job_plan.h"
#include "floe/stream/pipeline.h"

namespace floe::stream {

struct JobOptions {
  std::string job_id;       // names the job in checkpoints (the Iceberg snapshot summaries) and status
  std::string sql;          // the job file's text
  std::string sql_origin;   // the file name, for messages
  std::string data_dir;     // state under <data_dir>/jobs/<job_id>/
  PipelineEnvironment env;  // job_id, state_dir and checkpoint interval are filled in by Start
};

class Job {
 public:
  // Binds and plans the SQL, opens every pipeline (creating sink tables, restoring checkpoints) and starts them.
  // Errors in the SQL or the tables are returned here ("<file>: line L, column C: reason"), before anything runs.
  static Result<std::unique_ptr<Job>> Start(JobOptions options);
  ~Job();

  // Stops every pipeline after a last checkpoint and waits for them.
  void Stop();

  const std::string& id() const { return options_.job_id; }
  std::vector<PipelineStatus> Statuses() const;
  // The status as JSON (what status.json holds).
  std::string StatusJson() const;

 private:
  Job() = default;
  void RunPipeline(size_t index);
  void WriteStatusLoop();
  void WriteStatusFile() const;

  JobOptions options_;
  std::unique_ptr<sql::BoundScript> script_;
  JobPlan plan_;
  struct Slot;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::atomic<bool> stop_{false};
  std::thread status_thread_;
};

// The job id for a file when none is given: the file's name without directory and extension ("telemetry.sql" ->
// "telemetry").
std::string DefaultJobId(std::string_view path);

// The job `floe up` runs when the config names none: the seed stack's pipeline. Raw events from topic `telemetry`
// archived to telemetry.readings, and 10-second per-sensor windows to telemetry.sensor_10s.
std::string_view SeedJobSql();

}  // namespace floe::stream
