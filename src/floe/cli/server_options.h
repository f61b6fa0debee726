// The command-line contract every floe server subcommand shares (ARCHITECTURE.md, "One command-line contract"):
//   --config FILE          TOML configuration; flags override it, it overrides defaults
//   --data-dir DIR         where state lives (default ./floe-data)
//   --<door>-listen H:P    one per door the subcommand opens; port 0 picks a free port
//   --log-level LEVEL      trace|debug|info|warn|error|off
// and the output contract: `listening <door> HOST:PORT` on stdout for each door, then `ready`, before serving.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "floe/cli/floe_config.h"
#include "floe/io/listen_address.h"

namespace floe::cli {

// A door a subcommand opens: its name in flags and `listening` lines ("kafka", "catalog", "trino", "pg", "http").
enum class Door { kKafka, kCatalog, kTrino, kPg, kHttp };
std::string_view DoorName(Door door);

// What the user passed on the command line; unset flags stay empty so the file or the default applies.
struct ServerFlags {
  std::optional<std::string> config_path;
  std::optional<std::string> data_dir;
  std::optional<std::string> log_level;
  std::map<Door, std::string> listen;  // only the doors given on the command line
};

// Adds the shared flags for `doors` to `cmd`; values land in `*flags` when CLI11 parses.
void AddServerFlags(CLI::App* cmd, ServerFlags* flags, const std::vector<Door>& doors);

// Loads --config (if given), applies the flags over it, validates, and sets up logging.
// Errors name the file, line, key or flag and say what was expected.
Result<FloeConfig> ResolveServerConfig(const ServerFlags& flags);

// Prints `listening <door> HOST:PORT` on stdout and flushes, so scripts can read the port before connecting.
void AnnounceListening(Door door, const io::ListenAddress& bound);
// Prints `ready` on stdout and flushes: every door is open and the process serves.
void AnnounceReady();

}  // namespace floe::cli
