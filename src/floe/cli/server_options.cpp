#include "floe/cli/server_options.h"

#include <fmt/format.h>

#include <cstdio>

namespace floe::cli {

std::string_view DoorName(Door door) {
  switch (door) {
    case Door::kKafka: return "kafka";
    case Door::kCatalog: return "catalog";
    case Door::kTrino: return "trino";
    case Door::kPg: return "pg";
    case Door::kHttp: return "http";
  }
  return "unknown";
}

namespace {

std::string_view DoorDefault(Door door) {
  switch (door) {
    case Door::kKafka: return "0.0.0.0:9092";
    case Door::kCatalog: return "0.0.0.0:19120";
    case Door::kTrino: return "0.0.0.0:8080";
    case Door::kPg: return "0.0.0.0:5433";
    case Door::kHttp: return "0.0.0.0:8088";
  }
  return "";
}

std::string_view DoorWhat(Door door) {
  switch (door) {
    case Door::kKafka: return "the Kafka protocol";
    case Door::kCatalog: return "the Iceberg REST catalog";
    case Door::kTrino: return "the Trino HTTP protocol";
    case Door::kPg: return "the PostgreSQL wire protocol";
    case Door::kHttp: return "HTTP: health, metrics and the dashboard";
  }
  return "";
}

}  // namespace

void AddServerFlags(CLI::App* cmd, ServerFlags* flags, const std::vector<Door>& doors) {
  cmd->add_option("--config", flags->config_path, "TOML configuration file (flags override it)")->type_name("FILE");
  cmd->add_option("--data-dir", flags->data_dir, "directory for all state (default ./floe-data)")->type_name("DIR");
  cmd->add_option("--log-level", flags->log_level, "trace, debug, info, warn, error or off (default info)")
      ->type_name("LEVEL");
  for (Door door : doors) {
    std::string name = fmt::format("--{}-listen", DoorName(door));
    std::string help =
        fmt::format("address for {} (default {}; port 0 picks a free port)", DoorWhat(door), DoorDefault(door));
    cmd->add_option_function<std::string>(
           name, [flags, door](const std::string& v) { flags->listen[door] = v; }, help)
        ->type_name("HOST:PORT");
  }
}

Result<FloeConfig> ResolveServerConfig(const ServerFlags& flags) {
  FloeConfig config;
  ConfigFile file;
  if (flags.config_path) {
    FLOE_ASSIGN_OR_RETURN(file, ConfigFile::Load(*flags.config_path));
  }
  FLOE_RETURN_IF_ERROR(config.Load(file));

  if (flags.data_dir) {
    if (flags.data_dir->empty()) return Status::InvalidArgument("--data-dir: must not be empty");
    config.data_dir = *flags.data_dir;
  }
  if (flags.log_level) {
    auto level = log::ParseLevel(*flags.log_level);
    if (!level.ok()) return level.status().WithContext("--log-level");
    config.log.level = *level;
  }
  for (const auto& [door, text] : flags.listen) {
    auto addr = io::ParseListenAddress(text);
    if (!addr.ok()) return addr.status().WithContext(fmt::format("--{}-listen", DoorName(door)));
    switch (door) {
      case Door::kHttp: config.http.listen = *addr; break;
      case Door::kKafka: config.broker.listen = *addr; break;
      case Door::kCatalog: config.catalog.listen = *addr; break;
      default: return Status::Internal(fmt::format("door {} has no configuration yet", DoorName(door)));
    }
  }
  log::Init(config.log.level, config.log.format);
  return config;
}

void AnnounceListening(Door door, const io::ListenAddress& bound) {
  std::string line = fmt::format("listening {} {}\n", DoorName(door), bound.ToString());
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

void AnnounceReady() {
  std::fputs("ready\n", stdout);
  std::fflush(stdout);
}

}  // namespace floe::cli
