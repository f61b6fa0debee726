// libFuzzer target: kafka::RecordBatchDecoder on one record batch of any compression (none, gzip, snappy raw and
// xerial-framed, lz4 frame, zstd), as the stream sources decode what a broker log or a Kafka fetch hands them.
// Oracles beyond "no crash, no sanitizer report": a decoded batch has at most recordsCount records, their offset
// deltas rise within [0, lastOffsetDelta], and every key, value and header view lies inside the
// decoder's own buffers or the input (ASan checks the reads below).
//
// Built and run by scripts/fuzz.sh; seeds in tests/fuzz/corpus/record_codec/ (batches captured from librdkafka and
// the Java client producing with each compression.type to a floe broker).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "floe/kafka/record_codec.h"

namespace {

void Touch(std::string_view s) {
  volatile uint8_t sink = 0;
  for (char c : s) sink ^= static_cast<uint8_t>(c);
  (void)sink;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  floe::kafka::RecordDecoderOptions options;
  options.max_decompressed_bytes = 1 << 20;  // keeps zip bombs cheap for the fuzzer; the limit itself is under test
  for (bool verify_crc : {true, false}) {
    options.verify_crc = verify_crc;
    floe::kafka::RecordBatchDecoder decoder(options);
    if (!decoder.Decode(std::span<const uint8_t>(data, size)).ok()) continue;
    const auto& header = decoder.header();
    const auto records = decoder.records();
    if (records.size() > static_cast<size_t>(header.records_count < 0 ? 0 : header.records_count)) std::abort();
    uint64_t previous = 0;
    bool first = true;
    for (const auto& r : records) {
      const uint64_t delta = static_cast<uint64_t>(r.offset) - static_cast<uint64_t>(header.base_offset);
      if (delta > static_cast<uint64_t>(header.last_offset_delta) || (!first && delta <= previous)) std::abort();
      previous = delta;
      first = false;
      if (r.key) Touch(*r.key);
      if (r.value) Touch(*r.value);
      for (const auto& [k, v] : r.headers) {
        Touch(k);
        if (v) Touch(*v);
      }
    }
    // A second decode reuses the buffers: the views of the first are gone, the new ones must be right.
    if (!decoder.Decode(std::span<const uint8_t>(data, size)).ok()) std::abort();
  }
  return 0;
}
