// Reads a topic through floe's stream sources (src/floe/stream/source.h) for the interop tests
// (tests/interop/test_stream_source*.py):
//
//   floe_source_tool read-dir DATA_DIR TOPIC [options]     BrokerSource over the data dir of a stopped `floe broker`
//                                                         (so every batch is decoded by kafka/record_codec.h)
//   floe_source_tool read-kafka BOOTSTRAP TOPIC [options]  KafkaSource (librdkafka) against a running broker
//
// Options:
//   --startup earliest|latest|group-offsets|timestamp   where each partition starts (default earliest)
//   --timestamp MS                                     for --startup timestamp
//   --offsets P:O,P:O,...                              explicit start offsets instead (other partitions unread)
//   --group ID                                         properties.group.id
//   --commit                                           commit the next offsets for the group after reading
//   --max-records N                                    Poll's max_records (default 500)
//   --timeout-ms MS                                    fail if the end offsets are not reached by then (30000)
//   -X key=value                                       a client property (read-kafka), repeatable
//
// It reads every assigned partition up to the end offsets it saw when it started, printing one JSON line per record
// ({"partition", "offset", "timestamp", "key", "value"}; key and value are strings or null), then
// {"start_offsets": {...}, "end_offsets": {...}} and, with --commit, {"committed": {...}}. Exit status 1 with the
// error on stderr on failure.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "floe/broker/broker.h"
#include "floe/stream/broker_source.h"
#include "floe/stream/kafka_source.h"

namespace {

using floe::Result;
using floe::Status;
using floe::stream::SourceRecord;
using floe::stream::StartupMode;
using floe::stream::TopicSource;

struct Args {
  std::string command;
  std::string where;  // data dir or bootstrap
  std::string topic;
  std::string startup = "earliest";
  int64_t timestamp_ms = 0;
  std::map<int32_t, int64_t> offsets;
  std::string group;
  bool commit = false;
  size_t max_records = 500;
  int64_t timeout_ms = 30000;
  floe::ingest::ClientProperties properties;
};

int Fail(const std::string& message) {
  std::cerr << "floe_source_tool: " << message << "\n";
  return 1;
}

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json OffsetsJson(const std::map<int32_t, int64_t>& offsets) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [p, o] : offsets) j[std::to_string(p)] = o;
  return j;
}

Status Run(const Args& args, TopicSource& source) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(args.timeout_ms);
  int32_t partitions = 0;
  for (;;) {
    FLOE_ASSIGN_OR_RETURN(partitions, source.PartitionCount());
    if (partitions > 0) break;
    if (Clock::now() >= deadline) return Status::NotFound(fmt::format("topic {} does not exist", args.topic));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::map<int32_t, int64_t> start = args.offsets;
  if (start.empty()) {
    StartupMode mode = StartupMode::kEarliest;
    if (args.startup == "latest") {
      mode = StartupMode::kLatest;
    } else if (args.startup == "group-offsets") {
      mode = StartupMode::kGroupOffsets;
    } else if (args.startup == "timestamp") {
      mode = StartupMode::kTimestamp;
    } else if (args.startup != "earliest") {
      return Status::InvalidArgument("unknown --startup " + args.startup);
    }
    for (int32_t p = 0; p < partitions; ++p) {
      FLOE_ASSIGN_OR_RETURN(start[p], source.StartOffset(p, mode, args.timestamp_ms));
    }
  }
  using OffsetMap = std::map<int32_t, int64_t>;
  FLOE_ASSIGN_OR_RETURN(OffsetMap end, source.EndOffsets());
  FLOE_RETURN_IF_ERROR(source.Assign(start));
  std::map<int32_t, int64_t> next = start;
  auto done = [&] {
    for (const auto& [p, o] : next) {
      if (o < end[p]) return false;
    }
    return true;
  };
  while (!done()) {
    if (Clock::now() >= deadline) {
      return Status::Unavailable(fmt::format("the end offsets {} were not reached within {} ms (at {})",
                                             Dump(OffsetsJson(end)), args.timeout_ms, Dump(OffsetsJson(next))));
    }
    auto print = [&](const SourceRecord& r) {
      nlohmann::json j;
      j["partition"] = r.partition;
      j["offset"] = r.offset;
      j["timestamp"] = r.timestamp_ms;
      j["key"] = r.key ? nlohmann::json(std::string(*r.key)) : nlohmann::json(nullptr);
      j["value"] = r.value ? nlohmann::json(std::string(*r.value)) : nlohmann::json(nullptr);
      std::cout << Dump(j) << "\n";
      next[r.partition] = r.offset + 1;
    };
    FLOE_ASSIGN_OR_RETURN(size_t n, source.Poll(200, args.max_records, print));
    if (n > args.max_records) return Status::Internal(fmt::format("Poll returned {} > max_records", n));
  }
  nlohmann::json summary;
  summary["start_offsets"] = OffsetsJson(start);
  summary["end_offsets"] = OffsetsJson(end);
  std::cout << Dump(summary) << "\n";
  if (args.commit) {
    FLOE_RETURN_IF_ERROR(source.CommitGroupOffsets(next));
    std::cout << Dump(nlohmann::json{{"committed", OffsetsJson(next)}}) << "\n";
  }
  std::cout.flush();
  return Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> argv_s(argv + 1, argv + argc);
  if (argv_s.size() < 3) return Fail("usage: floe_source_tool read-dir|read-kafka DATA_DIR|BOOTSTRAP TOPIC [options]");
  Args args;
  args.command = argv_s[0];
  args.where = argv_s[1];
  args.topic = argv_s[2];
  for (size_t i = 3; i < argv_s.size(); ++i) {
    const std::string& a = argv_s[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argv_s.size()) {
        Fail(a + " needs a value");
        std::exit(1);
      }
      return argv_s[++i];
    };
    if (a == "--startup") {
      args.startup = value();
    } else if (a == "--timestamp") {
      args.timestamp_ms = std::stoll(value());
    } else if (a == "--offsets") {
      const std::string list = value();
      size_t pos = 0;
      while (pos < list.size()) {
        size_t comma = list.find(',', pos);
        if (comma == std::string::npos) comma = list.size();
        const std::string item = list.substr(pos, comma - pos);
        const size_t colon = item.find(':');
        if (colon == std::string::npos) return Fail("--offsets takes P:O,P:O,...");
        args.offsets[std::stoi(item.substr(0, colon))] = std::stoll(item.substr(colon + 1));
        pos = comma + 1;
      }
    } else if (a == "--group") {
      args.group = value();
    } else if (a == "--commit") {
      args.commit = true;
    } else if (a == "--max-records") {
      args.max_records = std::stoul(value());
    } else if (a == "--timeout-ms") {
      args.timeout_ms = std::stoll(value());
    } else if (a == "-X") {
      const std::string kv = value();
      const size_t eq = kv.find('=');
      if (eq == std::string::npos) return Fail("-X takes key=value");
      args.properties.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    } else {
      return Fail("unknown option " + a);
    }
  }

  Status st;
  if (args.command == "read-dir") {
    auto broker = floe::broker::Broker::Open(args.where, floe::broker::BrokerConfig{});
    if (!broker.ok()) return Fail(broker.status().ToString());
    floe::stream::BrokerSourceOptions options;
    options.topic = args.topic;
    options.group_id = args.group;
    // No network thread here: this thread is the only one touching the group coordinator.
    floe::stream::BrokerSource source(**broker, options, [](std::function<void()> fn) { fn(); });
    st = Run(args, source);
    Status closed = (*broker)->Close();
    if (st.ok()) st = closed;
  } else if (args.command == "read-kafka") {
    floe::stream::KafkaSourceOptions options;
    options.bootstrap = args.where;
    options.topic = args.topic;
    options.properties = args.properties;
    if (!args.group.empty()) options.properties.emplace_back("group.id", args.group);
    Result<std::unique_ptr<floe::stream::KafkaSource>> source = floe::stream::KafkaSource::Open(options);
    if (!source.ok()) return Fail(source.status().ToString());
    st = Run(args, **source);
  } else {
    return Fail("unknown command " + args.command + " (read-dir, read-kafka)");
  }
  if (!st.ok()) return Fail(st.ToString());
  return 0;
}
