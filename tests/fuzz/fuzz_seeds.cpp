// Writes seed inputs for the fuzz targets, generated from the codecs themselves so that they follow the schema:
//   fuzz_seeds REQUEST_DIR BATCH_DIR [CAPTURED_DIR]
// REQUEST_DIR (kafka_request_fuzz): for every API and version, a few request frame bodies (header + request) with
// every field filled by the generated Fill() helpers, plus Produce requests at every version carrying valid
// uncompressed batches. BATCH_DIR (record_batch_fuzz): batches built with BuildRecordBatch, and the records field of
// every Produce request in CAPTURED_DIR (tests/fuzz/corpus/kafka_request: frames captured from real clients, with
// their compressed batches).
// Run by scripts/fuzz.sh on its working copy of the corpus; nothing it writes is checked in.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "floe/base/byte_buffer.h"
#include "floe/kafka/generated/messages.h"
#include "floe/kafka/generated/messages_fill.h"
#include "floe/kafka/record_batch.h"
#include "floe/kafka/request_header.h"
#include "request_types.h"

namespace fs = std::filesystem;
using namespace floe;
using namespace floe::kafka;

namespace {

void WriteFile(const fs::path& path, std::span<const uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "fuzz_seeds: cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

template <typename Req>
std::vector<uint8_t> Frame(const Req& req, int16_t version, int32_t correlation_id) {
  std::vector<uint8_t> out;
  ByteWriter w(&out);
  RequestHeader h;
  h.api_key = Req::kApiKey;
  h.api_version = version;
  h.correlation_id = correlation_id;
  h.client_id = "floe-fuzz-seed";
  WriteRequestHeader(w, h);
  req.Encode(w, version);
  return out;
}

std::vector<std::vector<uint8_t>> SampleBatches() {
  std::vector<std::vector<uint8_t>> batches;
  batches.push_back(BuildRecordBatch({}));
  batches.push_back(BuildRecordBatch({{"key", "value", {}, 1700000000000}}));
  batches.push_back(BuildRecordBatch({{std::nullopt, std::nullopt, {}, -1}}));
  std::vector<RecordInput> many;
  for (int i = 0; i < 20; ++i) {
    RecordInput r;
    r.key = "k" + std::to_string(i % 3);
    r.value = std::string(static_cast<size_t>(i * 7), static_cast<char>('a' + i));
    r.headers = {{"source", "fuzz"}, {"n", std::to_string(i)}, {"null", std::nullopt}};
    r.timestamp = 1700000000000 + i * 1000 - (i % 4) * 3000;
    many.push_back(r);
  }
  batches.push_back(BuildRecordBatch(many));
  BatchOptions idempotent;
  idempotent.producer_id = 4000;
  idempotent.producer_epoch = 0;
  idempotent.base_sequence = 17;
  batches.push_back(BuildRecordBatch(many, idempotent));
  BatchOptions transactional = idempotent;
  transactional.is_transactional = true;
  transactional.timestamp_type = TimestampType::kLogAppendTime;
  std::vector<uint8_t> stamped = BuildRecordBatch({many[0], many[1]}, transactional);
  SetLogAppendTime(stamped, 1700000001234);
  SetBaseOffset(stamped, 99);
  batches.push_back(stamped);
  return batches;
}

// The records field of every Produce request frame in `dir`, one file per partition.
int ExtractRecords(const fs::path& dir, const fs::path& out_dir) {
  int written = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::vector<uint8_t> frame((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ByteReader r(frame);
    Result<RequestHeader> h = ReadRequestHeader(r);
    if (!h.ok() || !h->version_supported || h->api_key != ProduceRequest::kApiKey) continue;
    ProduceRequest req;
    if (!req.Decode(std::span<const uint8_t>(frame).subspan(r.position()), h->api_version).ok()) continue;
    int n = 0;
    for (const auto& topic : req.topic_data) {
      for (const auto& partition : topic.partition_data) {
        if (partition.records.is_null || partition.records.data.empty()) continue;
        WriteFile(out_dir / ("records-" + entry.path().filename().string() + "-" + std::to_string(n++)),
                  partition.records.data);
        ++written;
      }
    }
  }
  return written;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: %s REQUEST_DIR BATCH_DIR [CAPTURED_DIR]\n", argv[0]);
    return 2;
  }
  const fs::path request_dir = argv[1];
  const fs::path batch_dir = argv[2];
  fs::create_directories(request_dir);
  fs::create_directories(batch_dir);

  const int extracted = argc == 4 ? ExtractRecords(argv[3], batch_dir) : 0;

  int frames = 0;
  fuzz::AllRequests::ForEach([&]<typename Req>() {
    for (int16_t v = Req::kMinVersion; v <= Req::kMaxVersion; ++v) {
      for (uint64_t seed = 0; seed < 3; ++seed) {
        Req req;
        TestRng rng(seed * 1000 + static_cast<uint64_t>(v) * 31 + static_cast<uint64_t>(Req::kApiKey));
        Fill(req, v, rng, 0);
        WriteFile(
            request_dir / ("fill-" + std::string(Req::kName) + "-v" + std::to_string(v) + "-" + std::to_string(seed)),
            Frame(req, v, static_cast<int32_t>(seed)));
        ++frames;
      }
    }
  });

  const std::vector<std::vector<uint8_t>> batches = SampleBatches();
  std::vector<uint8_t> all;
  for (size_t i = 0; i < batches.size(); ++i) {
    WriteFile(batch_dir / ("built-" + std::to_string(i)), batches[i]);
    all.insert(all.end(), batches[i].begin(), batches[i].end());
  }
  WriteFile(batch_dir / "built-all", all);

  // Produce requests whose records are valid batches, so the record checks run from the first input.
  for (int16_t v = ProduceRequest::kMinVersion; v <= ProduceRequest::kMaxVersion; ++v) {
    ProduceRequest req;
    req.acks = -1;
    req.timeout_ms = 30000;
    ProduceRequest::TopicProduceData topic;
    topic.name = "seed";
    for (size_t i = 0; i < batches.size(); ++i) {
      ProduceRequest::PartitionProduceData p;
      p.index = static_cast<int32_t>(i);
      p.records.data = batches[i];
      topic.partition_data.push_back(p);
    }
    req.topic_data.push_back(topic);
    WriteFile(request_dir / ("built-ProduceRequest-v" + std::to_string(v)), Frame(req, v, 7));
    ++frames;
  }
  std::printf("fuzz_seeds: %d request frames in %s, %zu built batches and %d captured records fields in %s\n", frames,
              request_dir.c_str(), batches.size() + 1, extracted, batch_dir.c_str());
  return 0;
}
