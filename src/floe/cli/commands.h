// The floe subcommands. Each Add*Command registers its flags on the main app and returns the exit status through
// `*exit_code` when it runs: 0 on success, 1 on a runtime failure, 2 on a usage or configuration error.
#pragma once

#include <CLI/CLI.hpp>

namespace floe::cli {

// `floe up`: every layer in one process, with embedded defaults.
void AddUpCommand(CLI::App& app, int* exit_code);
// `floe broker`: the Kafka-protocol broker alone.
void AddBrokerCommand(CLI::App& app, int* exit_code);
// `floe catalog`: the Iceberg REST catalog alone, and its history (log, refs, branch, tag, merge, diff).
void AddCatalogCommand(CLI::App& app, int* exit_code);
// `floe partition`: which partition Kafka's default partitioner gives each key.
void AddPartitionCommand(CLI::App& app, int* exit_code);

// `floe produce`: simulated IoT telemetry to a Kafka topic.
void AddProduceCommand(CLI::App& app, int* exit_code);

// `floe table`: create, describe, scan and maintain Iceberg tables.
void AddTableCommand(CLI::App& app, int* exit_code);

// `floe job`: run a stream SQL job; list the jobs of a data directory and their status.
void AddJobCommand(CLI::App& app, int* exit_code);

// Prints `floe: error: <message>` on stderr.
void PrintError(std::string_view message);

}  // namespace floe::cli
