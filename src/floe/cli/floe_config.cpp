#include "floe/cli/floe_config.h"

#include <fmt/format.h>

namespace floe::cli {

Status LogConfig::Load(const ConfigSection& section) {
  std::string level_name(log::LevelName(level));
  std::string format_name = format == log::Format::kJson ? "json" : "text";
  FLOE_RETURN_IF_ERROR(section.Read("level", &level_name));
  FLOE_RETURN_IF_ERROR(section.Read("format", &format_name));
  auto l = log::ParseLevel(level_name);
  if (!l.ok()) return l.status().WithContext("config " + section.Where("level"));
  auto f = log::ParseFormat(format_name);
  if (!f.ok()) return f.status().WithContext("config " + section.Where("format"));
  level = *l;
  format = *f;
  return Status::Ok();
}

Status HttpConfig::Load(const ConfigSection& section) {
  FLOE_RETURN_IF_ERROR(io::ReadListenAddress(section, "listen", &listen));
  FLOE_RETURN_IF_ERROR(section.ReadInt("max_connections", &max_connections, 1, 1 << 20));
  return Status::Ok();
}

Status CatalogConfig::Load(const ConfigSection& section) {
  FLOE_RETURN_IF_ERROR(io::ReadListenAddress(section, "listen", &listen));
  FLOE_RETURN_IF_ERROR(section.Read("warehouse", &warehouse));
  FLOE_RETURN_IF_ERROR(section.Read("token", &token));
  FLOE_RETURN_IF_ERROR(section.ReadInt("threads", &threads, 1, 256));
  return Status::Ok();
}

Status JobsConfig::Load(const ConfigSection& section) {
  FLOE_RETURN_IF_ERROR(section.Read("files", &files));
  FLOE_RETURN_IF_ERROR(section.Read("seed", &seed));
  return Status::Ok();
}

Status FloeConfig::Load(const ConfigFile& file) {
  ConfigSection root = file.Root();
  FLOE_RETURN_IF_ERROR(root.Read("data_dir", &data_dir));
  if (data_dir.empty())
    return Status::InvalidArgument(fmt::format("config {}: must not be empty", root.Where("data_dir")));
  FLOE_ASSIGN_OR_RETURN(ConfigSection log_section, root.Section("log"));
  FLOE_RETURN_IF_ERROR(log.Load(log_section));
  FLOE_ASSIGN_OR_RETURN(ConfigSection http_section, root.Section("http"));
  FLOE_RETURN_IF_ERROR(http.Load(http_section));
  FLOE_ASSIGN_OR_RETURN(ConfigSection broker_section, root.Section("broker"));
  FLOE_RETURN_IF_ERROR(broker.Load(broker_section));
  FLOE_ASSIGN_OR_RETURN(ConfigSection catalog_section, root.Section("catalog"));
  FLOE_RETURN_IF_ERROR(catalog.Load(catalog_section));
  FLOE_ASSIGN_OR_RETURN(ConfigSection jobs_section, root.Section("jobs"));
  FLOE_RETURN_IF_ERROR(jobs.Load(jobs_section));
  return file.CheckNoUnknownKeys();
}

}  // namespace floe::cli
