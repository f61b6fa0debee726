// floe: a streaming lakehouse in one binary. See docs/quickstart.md.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "floe/base/version.h"
#include "floe/cli/commands.h"

namespace floe::cli {

void PrintError(std::string_view message) {
  fmt::print(stderr, "floe: error: {}\n", message);
}

namespace {

void AddVersionCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("version", "Print the floe version and build");
  cmd->callback([exit_code] {
    fmt::print("floe {} (commit {}, {} build)\n", Version(), GitCommit(), BuildType());
    *exit_code = 0;
  });
}

}  // namespace
}  // namespace floe::cli

int main(int argc, char** argv) {
  CLI::App app{"floe: a streaming lakehouse in one binary (Kafka protocol, stream SQL, Iceberg, REST catalog)", "floe"};
  // At most one subcommand; none is a usage error reported after parsing, so that an unknown flag is named first.
  app.require_subcommand(0, 1);
  app.set_version_flag("--version", std::string(floe::Version()));
  app.footer("Run `floe <command> --help` for the options of a command. Docs: docs/quickstart.md");
  int exit_code = 0;
  floe::cli::AddVersionCommand(app, &exit_code);
  floe::cli::AddUpCommand(app, &exit_code);
  floe::cli::AddBrokerCommand(app, &exit_code);
  floe::cli::AddCatalogCommand(app, &exit_code);
  floe::cli::AddProduceCommand(app, &exit_code);
  floe::cli::AddPartitionCommand(app, &exit_code);
  floe::cli::AddTableCommand(app, &exit_code);
  floe::cli::AddJobCommand(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" that exit 0; everything else is a usage error, exit status 2.
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (app.get_subcommands().empty()) {
    floe::cli::PrintError("a command is required (run `floe --help` to list them)");
    return 2;
  }
  return exit_code;
}
