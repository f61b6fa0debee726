// Drives floe's Avro object container writer and reader from the interop tests (tests/interop/test_avro_fastavro.py):
//
//   floe_avro_tool write SCHEMA.json OUT.avro [--codec null|deflate] [--block-records N] [--block-bytes N]
//                  [--meta KEY=VALUE ...] < records.jsonl
//   floe_avro_tool cat IN.avro
//
// Records are JSON lines in Avro's JSON encoding (what fastavro.json_writer writes): unions as null or
// {"<branch type or full name>": value}, bytes and fixed as strings of code points 0-255. `cat` prints the file
// metadata as one JSON object (values as strings; as code points 0-255 if one is not UTF-8), then one record per
// line. Errors go to stderr, naming the file, with exit status 1.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "floe/formats/avro/avro_container.h"
#include "floe/formats/avro/avro_schema.h"
#include "floe/formats/avro/avro_value.h"

using namespace floe::avro;

namespace {

[[noreturn]] void Die(const std::string& m) {
  std::fprintf(stderr, "floe_avro_tool: %s\n", m.c_str());
  std::exit(1);
}

[[noreturn]] void Usage() {
  Die("usage: floe_avro_tool write SCHEMA.json OUT.avro [--codec null|deflate] [--block-records N] "
      "[--block-bytes N] [--meta KEY=VALUE ...] < records.jsonl | floe_avro_tool cat IN.avro");
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Die(path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

size_t ParseSize(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  unsigned long long n = std::strtoull(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0') Die(flag + ": not a number: " + v);
  return static_cast<size_t>(n);
}

int Write(const std::vector<std::string>& args) {
  if (args.size() < 2) Usage();
  const std::string& schema_path = args[0];
  const std::string& out_path = args[1];
  AvroWriterOptions options;
  AvroMetadata metadata;
  for (size_t i = 2; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (i + 1 >= args.size()) Usage();
    const std::string& v = args[++i];
    if (a == "--codec") {
      auto codec = ParseAvroCodec(v);
      if (!codec.ok()) Die(codec.status().message());
      options.codec = *codec;
    } else if (a == "--block-records") {
      options.block_records = ParseSize(a, v);
    } else if (a == "--block-bytes") {
      options.block_bytes = ParseSize(a, v);
    } else if (a == "--meta") {
      size_t eq = v.find('=');
      if (eq == std::string::npos) Die("--meta takes KEY=VALUE, got " + v);
      metadata.emplace_back(v.substr(0, eq), v.substr(eq + 1));
    } else {
      Usage();
    }
  }
  auto schema = AvroSchema::Parse(ReadFile(schema_path));
  if (!schema.ok()) Die(schema_path + ": " + schema.status().message());
  auto writer = AvroWriter::Make(*schema, std::move(metadata), options);
  if (!writer.ok()) Die(writer.status().message());
  std::string line;
  for (size_t n = 1; std::getline(std::cin, line); ++n) {
    if (line.empty()) continue;
    auto datum = DatumFromJson(schema->root(), line);
    if (!datum.ok()) Die("stdin line " + std::to_string(n) + ": " + datum.status().message());
    floe::Status s = writer->Append(*datum);
    if (!s.ok()) Die("stdin line " + std::to_string(n) + ": " + s.message());
  }
  auto bytes = writer->Finish();
  if (!bytes.ok()) Die(bytes.status().message());
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  out.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
  if (!out.flush()) Die(out_path + ": write failed");
  return 0;
}

int Cat(const std::vector<std::string>& args) {
  if (args.size() != 1) Usage();
  std::string data = ReadFile(args[0]);
  auto reader = AvroReader::Open(data, args[0]);
  if (!reader.ok()) Die(reader.status().message());

  bool utf8 = true;
  std::vector<AvroMapEntry> entries;
  for (const auto& [k, v] : reader->metadata()) {
    utf8 = utf8 && IsValidUtf8(v);
    entries.push_back({k, AvroDatum::String(v)});
  }
  auto meta_schema =
      AvroSchema::Parse(utf8 ? R"({"type":"map","values":"string"})" : R"({"type":"map","values":"bytes"})");
  if (!utf8)
    for (auto& e : entries) e.value = AvroDatum::Bytes(e.value.as_bytes());
  auto meta = DatumToJson(meta_schema->root(), AvroDatum::Map(std::move(entries)));
  if (!meta.ok()) Die(args[0] + ": metadata: " + meta.status().message());
  std::string out = *meta + "\n";

  AvroDatum record;
  while (true) {
    auto more = reader->Next(&record);
    if (!more.ok()) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      Die(more.status().message());
    }
    if (!*more) break;
    auto json = DatumToJson(reader->schema().root(), record);
    if (!json.ok()) Die(args[0] + ": " + json.status().message());
    out += *json;
    out += '\n';
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) Usage();
  std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (cmd == "write") return Write(args);
  if (cmd == "cat") return Cat(args);
  Usage();
}
