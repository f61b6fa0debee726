// `floe partition`: prints the partition Kafka's default partitioner (murmur2) picks for each key, the same one
// the Java client, librdkafka's murmur2_random and `floe produce` pick. Keys come from the arguments, or one per
// line on stdin when there are none.

#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "floe/base/murmur2.h"
#include "floe/cli/commands.h"

namespace floe::cli {

namespace {

struct PartitionFlags {
  int32_t partitions = 3;
  std::vector<std::string> keys;
};

int RunPartition(const PartitionFlags& flags) {
  std::string out;
  auto emit = [&](const std::string& key) {
    out += fmt::format("{}\t{}\n", key, PartitionForKey(key, flags.partitions));
    if (out.size() > (1 << 16)) {
      std::cout << out;
      out.clear();
    }
  };
  if (flags.keys.empty()) {
    std::string line;
    while (std::getline(std::cin, line)) emit(line);
  } else {
    for (const auto& k : flags.keys) emit(k);
  }
  std::cout << out << std::flush;
  return std::cout ? 0 : 1;
}

}  // namespace

void AddPartitionCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<PartitionFlags>();
  CLI::App* cmd = app.add_subcommand("partition", "Print the partition Kafka's default partitioner picks for keys");
  cmd->add_option("--partitions", flags->partitions, "number of partitions of the topic")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  cmd->add_option("keys", flags->keys, "keys (read one per line from stdin when none are given)")->type_name("KEY");
  cmd->callback([flags, exit_code] { *exit_code = RunPartition(*flags); });
}

}  // namespace floe::cli
