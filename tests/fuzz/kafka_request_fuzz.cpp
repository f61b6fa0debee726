// libFuzzer target: one Kafka request frame body (the bytes after the 4-byte size: request header, then the
// request), decoded as floe's broker decodes it (kafka_server.cpp: ReadRequestHeader, then the generated struct's
// Decode at the header's version).
//
// Oracles (abort on failure, so libFuzzer keeps the input):
//  - the header written back with WriteRequestHeader reads back with the same fields;
//  - a request that decodes re-encodes to bytes that decode again, to an equal struct, and re-encode to the same
//    bytes (Kafka's encoding is canonical once unknown tagged fields are dropped);
//  - for Produce, every partition's records go through SplitBatches, RecordBatchHeader::Parse, VerifyCrc and
//    DecodeRecords, with the checks of record_batch_checks.h.
// Sanitizers (ASan, UBSan) catch out-of-bounds reads, overflows and huge allocations on the way.
//
// Built and run by scripts/fuzz.sh; seeds in tests/fuzz/corpus/kafka_request/ and from fuzz_seeds.cpp.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "floe/base/byte_buffer.h"
#include "floe/kafka/generated/messages.h"
#include "floe/kafka/request_header.h"
#include "record_batch_checks.h"
#include "request_types.h"

namespace floe::kafka::fuzz {
namespace {

void CheckProduceRecords(const ProduceRequest& req) {
  for (const auto& topic : req.topic_data) {
    for (const auto& partition : topic.partition_data) {
      if (!partition.records.is_null) CheckRecordsField(partition.records.data);
    }
  }
}

// Decode, re-encode, decode again: the two structs must be equal and the two encodings identical.
template <typename Req>
void RoundTrip(std::span<const uint8_t> body, int16_t version) {
  Req first;
  if (!first.Decode(body, version).ok()) return;

  std::vector<uint8_t> encoded;
  {
    ByteWriter w(&encoded);
    first.Encode(w, version);
  }
  Req second;
  Status again = second.Decode(encoded, version);
  Expect(again.ok(), "re-encoded request does not decode",
         std::string(Req::kName) + " v" + std::to_string(version) + ": " + again.ToString());
  Expect(first == second, "re-decoded request differs from the first decode",
         std::string(Req::kName) + " v" + std::to_string(version));

  std::vector<uint8_t> reencoded;
  {
    ByteWriter w(&reencoded);
    second.Encode(w, version);
  }
  Expect(reencoded == encoded, "encoding is not stable",
         std::string(Req::kName) + " v" + std::to_string(version) + ": " + std::to_string(encoded.size()) + " vs " +
             std::to_string(reencoded.size()) + " bytes");

  if constexpr (std::is_same_v<Req, ProduceRequest>) CheckProduceRecords(first);
}

void CheckHeaderRoundTrip(const RequestHeader& h) {
  std::vector<uint8_t> bytes;
  {
    ByteWriter w(&bytes);
    WriteRequestHeader(w, h);
  }
  ByteReader r(bytes);
  Result<RequestHeader> again = ReadRequestHeader(r);
  Expect(again.ok(), "written request header does not read back", again.status().ToString());
  Expect(again->api_key == h.api_key && again->api_version == h.api_version &&
             again->correlation_id == h.correlation_id && again->client_id == h.client_id && again->api == h.api &&
             again->version_supported == h.version_supported,
         "request header fields changed in a write/read round trip");
  Expect(r.remaining() == 0, "request header round trip left bytes");
}

}  // namespace
}  // namespace floe::kafka::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace floe::kafka;
  std::span<const uint8_t> frame(data, size);
  floe::ByteReader r(frame);
  floe::Result<RequestHeader> header = ReadRequestHeader(r);
  if (!header.ok()) return 0;
  const RequestHeader& h = *header;
  if (!h.version_supported) return 0;
  fuzz::CheckHeaderRoundTrip(h);
  std::span<const uint8_t> body = frame.subspan(r.position());
  const bool known =
      fuzz::AllRequests::Visit(h.api_key, [&]<typename Req>() { fuzz::RoundTrip<Req>(body, h.api_version); });
  fuzz::Expect(known, "ReadRequestHeader accepted an API with no request type", std::to_string(h.api_key));
  return 0;
}
