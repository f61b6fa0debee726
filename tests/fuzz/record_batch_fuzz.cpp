// libFuzzer target: the `records` bytes of a produce request (or a log segment read): zero or more v2 record
// batches back to back. Runs SplitBatches and, on each batch, RecordBatchHeader::Parse, VerifyCrc, DecodeRecords,
// the rebuild and stamping oracles of record_batch_checks.h. The whole input is also tried as one batch, so that
// mutations of batchLength reach Parse's own length checks.
//
// Built and run by scripts/fuzz.sh; seeds in tests/fuzz/corpus/record_batch/ and from fuzz_seeds.cpp.
#include <cstddef>
#include <cstdint>
#include <span>

#include "record_batch_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  floe::kafka::fuzz::CheckRecordsField(input);
  floe::kafka::fuzz::CheckOneBatch(input);
  return 0;
}
