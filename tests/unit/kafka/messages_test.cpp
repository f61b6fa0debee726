// Every generated message codec, at every supported version, round-trips: Fill -> Encode -> Decode gives the same
// struct, and re-encoding gives the same bytes. Truncating an encoded message anywhere fails cleanly.
#include "floe/kafka/generated/messages.h"

#include <gtest/gtest.h>

#include <set>

#include "floe/kafka/generated/messages_fill.h"

namespace floe::kafka {
namespace {

template <typename Msg>
void RoundTripAllVersions(int* checked) {
  for (int16_t v = Msg::kMinVersion; v <= Msg::kMaxVersion; ++v) {
    for (uint64_t seed = 1; seed <= 20; ++seed) {
      TestRng rng(seed * 1000 + static_cast<uint64_t>(v));
      Msg original;
      Fill(original, v, rng, 0);
      ByteWriter w;
      original.Encode(w, v);
      std::vector<uint8_t> bytes = w.buffer();

      Msg decoded;
      Status st = decoded.Decode(bytes, v);
      ASSERT_TRUE(st.ok()) << Msg::kName << " v" << v << " seed " << seed << ": " << st.ToString();
      EXPECT_TRUE(decoded == original) << Msg::kName << " v" << v << " seed " << seed;
      ByteWriter again;
      decoded.Encode(again, v);
      EXPECT_EQ(again.buffer(), bytes) << Msg::kName << " v" << v;

      // Any strict prefix is either rejected or (when the tail was only optional tagged fields) decodes without
      // crashing; it must never read past the end. ASan checks the latter.
      for (size_t cut = 0; cut < bytes.size(); cut += 1 + bytes.size() / 16) {
        Msg partial;
        (void)partial.Decode(std::span<const uint8_t>(bytes.data(), cut), v);
      }
      ++*checked;
    }
  }
}

TEST(MessagesTest, EveryMessageRoundTripsAtEveryVersion) {
  int checked = 0;
  ForEachMessagePair([&]<typename Req, typename Resp>() {
    RoundTripAllVersions<Req>(&checked);
    RoundTripAllVersions<Resp>(&checked);
  });
  EXPECT_GT(checked, 1000);
}

TEST(MessagesTest, UnsupportedVersionIsRejectedByName) {
  ProduceRequest req;
  std::vector<uint8_t> empty;
  Status st = req.Decode(empty, 2);
  EXPECT_EQ(st.code(), StatusCode::kUnsupported);
  EXPECT_NE(st.message().find("ProduceRequest version 2 is not supported"), std::string::npos) << st.message();
}

TEST(MessagesTest, TruncatedMessageNamesTheField) {
  MetadataRequest req;
  req.topics.emplace();
  req.topics->push_back({});
  req.topics->back().name = "telemetry";
  ByteWriter w;
  req.Encode(w, 1);
  std::vector<uint8_t> bytes = w.buffer();
  bytes.resize(bytes.size() - 3);
  MetadataRequest back;
  Status st = back.Decode(bytes, 1);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("Name"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("truncated"), std::string::npos) << st.message();
}

TEST(MessagesTest, HugeArrayLengthFailsWithoutAllocating) {
  // Metadata v1: topics array length 0x7fffffff with no elements behind it.
  std::vector<uint8_t> bytes = {0x7f, 0xff, 0xff, 0xff};
  MetadataRequest req;
  Status st = req.Decode(bytes, 1);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("cannot fit"), std::string::npos) << st.message();
}

// A fetch response whose records the server sends from the log files: the encoder writes each length and leaves a
// gap; with the records put in the gaps, the bytes are exactly those of the same response with the records inline.
TEST(MessagesTest, FetchResponseRecordsLeftAsGapsFillToTheInlineEncoding) {
  const std::vector<uint8_t> a(300, 0xab), b(70000, 0x5c);  // b's length needs a 3-byte varint when flexible
  for (int16_t v = FetchResponse::kMinVersion; v <= FetchResponse::kMaxVersion; ++v) {
    SCOPED_TRACE(v);
    FetchResponse inline_resp, gap_resp;
    for (FetchResponse* resp : {&inline_resp, &gap_resp}) {
      FetchResponse::FetchableTopicResponse t;
      t.topic = "telemetry";
      for (int32_t p = 0; p < 3; ++p) {
        FetchResponse::PartitionData pd;
        pd.partition_index = p;
        pd.high_watermark = 100 + p;
        t.partitions.push_back(std::move(pd));
      }
      resp->responses.push_back(std::move(t));
    }
    inline_resp.responses[0].partitions[0].records.data = a;  // partition 1 has no records in either
    inline_resp.responses[0].partitions[2].records.data = b;
    gap_resp.responses[0].partitions[0].records.external_size = static_cast<int64_t>(a.size());
    gap_resp.responses[0].partitions[2].records.external_size = static_cast<int64_t>(b.size());

    ByteWriter whole;
    inline_resp.Encode(whole, v);
    ByteWriter gaps;
    gap_resp.Encode(gaps, v);
    ASSERT_EQ(gaps.gaps().size(), 2u);
    EXPECT_EQ(gaps.gap_bytes(), a.size() + b.size());
    EXPECT_EQ(gaps.buffer().size() + gaps.gap_bytes(), whole.buffer().size());
    std::vector<uint8_t> filled;
    size_t at = 0;
    const std::vector<uint8_t>* fill[] = {&a, &b};
    for (size_t g = 0; g < 2; ++g) {
      const ByteWriter::Gap gap = gaps.gaps()[g];
      EXPECT_EQ(gap.size, fill[g]->size());
      filled.insert(filled.end(), gaps.buffer().begin() + static_cast<std::ptrdiff_t>(at),
                    gaps.buffer().begin() + static_cast<std::ptrdiff_t>(gap.position));
      filled.insert(filled.end(), fill[g]->begin(), fill[g]->end());
      at = gap.position;
    }
    filled.insert(filled.end(), gaps.buffer().begin() + static_cast<std::ptrdiff_t>(at), gaps.buffer().end());
    EXPECT_EQ(filled, whole.buffer());
  }
}

TEST(MessagesTest, ApiTableListsEveryApiOnce) {
  std::set<int16_t> keys;
  for (const ApiInfo& api : kApis) {
    EXPECT_TRUE(keys.insert(api.key).second) << api.name;
    EXPECT_LE(api.min_version, api.max_version) << api.name;
  }
  EXPECT_EQ(FindApi(18)->name, "ApiVersions");
  EXPECT_EQ(FindApi(9999), nullptr);
}

}  // namespace
}  // namespace floe::kafka
