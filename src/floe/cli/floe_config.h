// floe's whole configuration: one typed struct per layer, with the defaults in one place (here), loaded from
// `floe.toml` and then overridden by flags. docs/configuration.md documents every key; keep the two in step.
#pragma once

#include <string>

#include "floe/base/config.h"
#include "floe/base/logging.h"
#include "floe/broker/broker_config.h"
#include "floe/io/listen_address.h"

namespace floe::cli {

// [log]
struct LogConfig {
  log::Level level = log::Level::kInfo;
  log::Format format = log::Format::kText;
  Status Load(const ConfigSection& section);
};

// [http]: the HTTP door (health and metrics now; the dashboard later). Default port 8088, as Superset's.
struct HttpConfig {
  io::ListenAddress listen{"0.0.0.0", 8088};
  int64_t max_connections = 1024;
  Status Load(const ConfigSection& section);
};

// [catalog]: the Iceberg REST catalog door (floe catalog, floe up). Default port 19120, as Project Nessie's.
struct CatalogConfig {
  io::ListenAddress listen{"0.0.0.0", 19120};
  // Where new tables go: a directory or an s3:// prefix. Empty: <data_dir>/warehouse.
  std::string warehouse;
  // When set, REST clients must send "Authorization: Bearer <token>" (pyiceberg: the catalog property "token").
  std::string token;
  // Threads serving catalog requests; each request (a commit writes and syncs a metadata file) holds one.
  int64_t threads = 4;
  Status Load(const ConfigSection& section);
};

// [jobs]: the stream jobs `floe up` runs (docs/streaming.md).
struct JobsConfig {
  // Job SQL files, separated by commas; each runs as a job named after its file. Relative paths are relative to the
  // working directory.
  std::string files;
  // With no `files`: run the seed job (raw events of topic telemetry to telemetry.readings, 10-second windows per
  // sensor to telemetry.sensor_10s).
  bool seed = true;
  Status Load(const ConfigSection& section);
};

struct FloeConfig {
  std::string data_dir = "./floe-data";
  LogConfig log;
  HttpConfig http;
  broker::BrokerConfig broker;
  CatalogConfig catalog;
  JobsConfig jobs;

  // Reads every section of `file` and rejects keys that no section knows.
  Status Load(const ConfigFile& file);
};

}  // namespace floe::cli
