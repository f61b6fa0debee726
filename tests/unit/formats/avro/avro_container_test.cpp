// Binary encoding of AvroDatum (avro_value.h) and object container files (avro_container.h): spec examples, round
// trips of every type, and the corruptions a reader must survive.
#include "floe/formats/avro/avro_container.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "floe/formats/avro/avro_schema.h"
#include "floe/formats/avro/avro_value.h"

namespace floe::avro {
namespace {

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size();) {
    if (hex[i] == ' ') {
      ++i;
      continue;
    }
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    i += 2;
  }
  return out;
}

std::string Hex(std::string_view b) {
  std::string s;
  char buf[4];
  for (unsigned char c : b) {
    std::snprintf(buf, sizeof(buf), "%s%02x", s.empty() ? "" : " ", c);
    s += buf;
  }
  return s;
}

AvroSchema MustParse(std::string_view json) {
  auto s = AvroSchema::Parse(json);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : AvroSchema();
}

std::string Encode(const AvroSchema& s, const AvroDatum& d) {
  std::string out;
  Status st = EncodeDatum(s.root(), d, &out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

Result<AvroDatum> Decode(const AvroSchema& s, std::string_view bytes, size_t* consumed = nullptr) {
  AvroDecoder dec(bytes);
  AvroDatum d;
  FLOE_RETURN_IF_ERROR(dec.Decode(s.root(), &d));
  if (consumed) *consumed = dec.position();
  return d;
}

std::string DecodeError(const AvroSchema& s, std::string_view bytes) {
  auto d = Decode(s, bytes);
  EXPECT_FALSE(d.ok()) << Hex(bytes);
  if (d.ok()) return "";
  EXPECT_EQ(d.status().code(), StatusCode::kCorruption);
  return d.status().message();
}

void ExpectRoundTrip(const AvroSchema& s, const AvroDatum& d) {
  std::string bytes = Encode(s, d);
  size_t consumed = 0;
  auto back = Decode(s, bytes, &consumed);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(consumed, bytes.size());
  EXPECT_TRUE(*back == d) << s.ToJson();
  // And through the JSON encoding.
  auto json = DatumToJson(s.root(), d);
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  auto from_json = DatumFromJson(s.root(), *json);
  ASSERT_TRUE(from_json.ok()) << from_json.status().ToString() << " " << *json;
  EXPECT_EQ(Encode(s, *from_json), bytes) << *json;
}

AvroDatum Opt(int32_t branch, AvroDatum v) {
  return AvroDatum::Union(branch, std::move(v));
}

// ---- binary encoding ----

TEST(AvroBinaryTest, EncodesTheSpecificationsExamples) {
  AvroSchema lng = MustParse("\"long\"");
  const std::pair<int64_t, const char*> zigzag[] = {{0, "00"}, {-1, "01"},  {1, "02"},    {-2, "03"},
                                                    {2, "04"}, {-64, "7f"}, {64, "80 01"}};
  for (const auto& [v, hex] : zigzag) EXPECT_EQ(Hex(Encode(lng, AvroDatum::Long(v))), hex) << v;
  EXPECT_EQ(Hex(Encode(MustParse("\"string\""), AvroDatum::String("foo"))), "06 66 6f 6f");
  AvroSchema rec = MustParse(R"({"type": "record", "name": "test", "fields": [
    {"name": "a", "type": "long"}, {"name": "b", "type": "string"}]})");
  EXPECT_EQ(Hex(Encode(rec, AvroDatum::Record({AvroDatum::Long(27), AvroDatum::String("foo")}))), "36 06 66 6f 6f");
  AvroSchema arr = MustParse(R"({"type": "array", "items": "long"})");
  EXPECT_EQ(Hex(Encode(arr, AvroDatum::Array({AvroDatum::Long(3), AvroDatum::Long(27)}))), "04 06 36 00");
  AvroSchema uni = MustParse(R"(["null", "string"])");
  EXPECT_EQ(Hex(Encode(uni, Opt(0, AvroDatum::Null()))), "00");
  EXPECT_EQ(Hex(Encode(uni, Opt(1, AvroDatum::String("a")))), "02 02 61");
  // A plain datum picks the only branch of its kind.
  EXPECT_EQ(Hex(Encode(uni, AvroDatum::Null())), "00");
  EXPECT_EQ(Hex(Encode(uni, AvroDatum::String("a"))), "02 02 61");
  EXPECT_EQ(Hex(Encode(MustParse("\"float\""), AvroDatum::Float(1.0f))), "00 00 80 3f");
  EXPECT_EQ(Hex(Encode(MustParse("\"double\""), AvroDatum::Double(-2.0))), "00 00 00 00 00 00 00 c0");
  EXPECT_EQ(Hex(Encode(MustParse("\"boolean\""), AvroDatum::Boolean(true))), "01");
  EXPECT_EQ(
      Hex(Encode(MustParse(R"({"type": "enum", "name": "e", "symbols": ["A", "B", "C", "D"]})"), AvroDatum::Enum(3))),
      "06");
  EXPECT_EQ(Hex(Encode(MustParse(R"({"type": "fixed", "name": "f", "size": 3})"), AvroDatum::Fixed("abc"))),
            "61 62 63");
  EXPECT_EQ(Hex(Encode(MustParse(R"({"type": "map", "values": "int"})"), AvroDatum::Map({{"k", AvroDatum::Int(1)}}))),
            "02 02 6b 02 00");
  EXPECT_EQ(Hex(Encode(arr, AvroDatum::Array({}))), "00");
}

TEST(AvroBinaryTest, RoundTripsEveryType) {
  AvroSchema s = MustParse(R"({"type": "record", "name": "all", "namespace": "t", "fields": [
    {"name": "n", "type": "null"},
    {"name": "b", "type": "boolean"},
    {"name": "i", "type": "int"},
    {"name": "l", "type": "long"},
    {"name": "f", "type": "float"},
    {"name": "d", "type": "double"},
    {"name": "by", "type": "bytes"},
    {"name": "s", "type": "string"},
    {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["X", "Y", "Z"]}},
    {"name": "a", "type": {"type": "array", "items": ["null", "long"]}},
    {"name": "m", "type": {"type": "map", "values": {"type": "array", "items": "string"}}},
    {"name": "u", "type": ["null", "int", "string", "E", {"type": "record", "name": "R", "fields": [
      {"name": "x", "type": "double"}]}]},
    {"name": "fx", "type": {"type": "fixed", "name": "F", "size": 4}},
    {"name": "nested", "type": {"type": "array", "items": {"type": "map", "values": "R"}}}]})");
  std::string binary;
  for (int c = 0; c < 256; ++c) binary.push_back(static_cast<char>(c));
  const int32_t ints[] = {
      0, 1, -1, 63, -64, 64, std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min()};
  const int64_t longs[] = {0, -1, 1LL << 40, std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()};
  for (size_t k = 0; k < 8; ++k) {
    AvroDatum d = AvroDatum::Record({
        AvroDatum::Null(),
        AvroDatum::Boolean(k % 2 == 0),
        AvroDatum::Int(ints[k]),
        AvroDatum::Long(longs[k % 5]),
        AvroDatum::Float(k == 3 ? std::numeric_limits<float>::infinity() : 1.25f * static_cast<float>(k) - 3),
        AvroDatum::Double(k == 4 ? std::nan("") : (k == 5 ? -0.0 : 1e300 / (k + 1))),
        AvroDatum::Bytes(binary.substr(k * 30, k * 7)),
        AvroDatum::String(k == 2 ? "ключ-датчика センサー \U0001F321" : std::string(k * 100, 'x')),
        AvroDatum::Enum(static_cast<int32_t>(k % 3)),
        AvroDatum::Array({Opt(1, AvroDatum::Long(static_cast<int64_t>(k))), Opt(0, AvroDatum::Null())}),
        AvroDatum::Map({{"a", AvroDatum::Array({AvroDatum::String("x")})}, {"", AvroDatum::Array({})}}),
        k % 5 == 0   ? Opt(0, AvroDatum::Null())
        : k % 5 == 1 ? Opt(1, AvroDatum::Int(-7))
        : k % 5 == 2 ? Opt(2, AvroDatum::String("s"))
        : k % 5 == 3 ? Opt(3, AvroDatum::Enum(2))
                     : Opt(4, AvroDatum::Record({AvroDatum::Double(0.5)})),
        AvroDatum::Fixed(std::string("\x00\xff\x10", 3) + static_cast<char>(k)),
        AvroDatum::Array({AvroDatum::Map({{"r", AvroDatum::Record({AvroDatum::Double(1)})}}), AvroDatum::Map({})}),
    });
    ExpectRoundTrip(s, d);
  }
}

TEST(AvroBinaryTest, DecodesNegativeBlockCountsWithByteSizes) {
  AvroSchema arr = MustParse(R"({"type": "array", "items": "long"})");
  // Block of -2 items, 2 bytes; then a block of 1 item; then the end.
  auto d = Decode(arr, Unhex("03 04 06 36 02 08 00"));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->items().size(), 3u);
  EXPECT_EQ(d->items()[0].as_long(), 3);
  EXPECT_EQ(d->items()[1].as_long(), 27);
  EXPECT_EQ(d->items()[2].as_long(), 4);
  AvroSchema map = MustParse(R"({"type": "map", "values": "int"})");
  auto m = Decode(map, Unhex("01 06 02 6b 02 00"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->entries()[0].key, "k");
  EXPECT_EQ(m->entries()[0].value.as_int(), 1);
  // A block whose items do not fill its stated size.
  EXPECT_EQ(DecodeError(arr, Unhex("03 06 06 36 00 00")), "$ at byte 0: block says 3 bytes, its 2 items took 2");
}

TEST(AvroBinaryTest, HostileInputIsAnErrorWithPathAndOffset) {
  AvroSchema rec = MustParse(R"({"type": "record", "name": "r", "fields": [
    {"name": "id", "type": "long"},
    {"name": "tags", "type": {"type": "array", "items": "string"}},
    {"name": "kind", "type": {"type": "enum", "name": "K", "symbols": ["A", "B"]}},
    {"name": "opt", "type": ["null", "int"]},
    {"name": "ok", "type": "boolean"}]})");
  EXPECT_EQ(DecodeError(rec, ""), "$.id at byte 0: long truncated");
  EXPECT_EQ(DecodeError(rec, Unhex("02 02 c8 01 61")),
            "$.tags[0] at byte 2: string length 100 runs past the end (1 bytes left)");
  EXPECT_EQ(DecodeError(rec, Unhex("02 02 03 61")), "$.tags[0] at byte 2: negative string length -2");
  EXPECT_EQ(DecodeError(rec, Unhex("02 02 02 ff 00")), "$.tags[0] at byte 2: string is not valid UTF-8");
  EXPECT_EQ(DecodeError(rec, Unhex("02 00 04")), "$.kind at byte 2: enum index 2 out of range for K (2 symbols)");
  EXPECT_EQ(DecodeError(rec, Unhex("02 00 02 04")), "$.opt at byte 3: union branch 2 out of range for [null, int]");
  EXPECT_EQ(DecodeError(rec, Unhex("02 00 02 00 02")), "$.ok at byte 4: boolean byte 2 is not 0 or 1");
  EXPECT_EQ(DecodeError(rec, Unhex("ff ff ff ff ff ff ff ff ff ff 01")),
            "$.id at byte 0: long varint longer than 10 bytes");
  EXPECT_EQ(DecodeError(rec, Unhex("ff ff ff ff ff ff ff ff ff 7f")), "$.id at byte 0: long varint overflows 64 bits");
  EXPECT_EQ(DecodeError(rec, Unhex("02 fe ff ff ff 0f")),
            "$.tags at byte 1: block of 2147483647 items runs past the end (0 bytes left)");
  AvroSchema i = MustParse("\"int\"");
  EXPECT_EQ(DecodeError(i, Unhex("ff ff ff ff 1f")), "$ at byte 0: int varint overflows 32 bits");
  // Items that take no bytes: counts are bounded by the budget, not the bytes left.
  AvroSchema nulls = MustParse(R"({"type": "array", "items": "null"})");
  auto few = Decode(nulls, Unhex("c8 01 00"));
  ASSERT_TRUE(few.ok());
  EXPECT_EQ(few->items().size(), 100u);
  EXPECT_EQ(DecodeError(nulls, Unhex("fe ff ff ff ff ff ff ff ff 01 00")),
            "$ at byte 10: array block of 9223372036854775807 items that take no bytes passes the limit of 1048576 "
            "such items");
  // Recursion deeper than the limit.
  AvroSchema list =
      MustParse(R"({"type": "record", "name": "L", "fields": [{"name": "next", "type": ["null", "L"]}]})");
  std::string deep(500, '\x02');
  deep.push_back(0);
  EXPECT_NE(DecodeError(list, deep).find("nested deeper than 100 levels"), std::string::npos);
  std::string shallow(40, '\x02');
  shallow.push_back(0);
  EXPECT_TRUE(Decode(list, shallow).ok());
}

TEST(AvroBinaryTest, EncodingADatumThatDoesNotFitIsAnError) {
  AvroSchema rec = MustParse(R"({"type": "record", "name": "r", "fields": [
    {"name": "a", "type": "long"},
    {"name": "b", "type": {"type": "array", "items": {"type": "fixed", "name": "f", "size": 2}}},
    {"name": "c", "type": ["null", "string"]},
    {"name": "d", "type": [{"type": "record", "name": "x", "fields": []}, {"type": "record", "name": "y", "fields": []}]}]})");
  auto error = [&](const AvroDatum& d) {
    std::string out;
    Status s = EncodeDatum(rec.root(), d, &out);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    return s.message();
  };
  AvroDatum x = AvroDatum::Record({});
  EXPECT_EQ(error(AvroDatum::Long(1)), "avro: $: expected a record datum, got long");
  EXPECT_EQ(error(AvroDatum::Record({AvroDatum::Int(1)})), "avro: $: record r has 4 fields, the datum 1");
  EXPECT_EQ(error(AvroDatum::Record({AvroDatum::Int(1), AvroDatum::Array({}), AvroDatum::Null(), x})),
            "avro: $.a: expected a long datum, got int");
  EXPECT_EQ(
      error(AvroDatum::Record({AvroDatum::Long(1), AvroDatum::Array({AvroDatum::Fixed("ab"), AvroDatum::Fixed("abc")}),
                               AvroDatum::Null(), x})),
      "avro: $.b[1]: fixed f takes 2 bytes, got 3");
  EXPECT_EQ(error(AvroDatum::Record({AvroDatum::Long(1), AvroDatum::Array({}), AvroDatum::Long(2), x})),
            "avro: $.c: a long datum fits no branch of union [null, string]");
  EXPECT_EQ(error(AvroDatum::Record({AvroDatum::Long(1), AvroDatum::Array({}), Opt(5, AvroDatum::Null()), x})),
            "avro: $.c: union branch 5 out of range for [null, string]");
  EXPECT_EQ(error(AvroDatum::Record(
                {AvroDatum::Long(1), AvroDatum::Array({}), AvroDatum::String(std::string("\xc3\x28", 2)), x})),
            "avro: $.c: string is not valid UTF-8");
  EXPECT_EQ(error(AvroDatum::Record({AvroDatum::Long(1), AvroDatum::Array({}), AvroDatum::Null(), x})),
            "avro: $.d: a record datum is ambiguous (use AvroDatum::Union) for union [x, y]");
  std::string out;
  EXPECT_TRUE(EncodeDatum(rec.root(),
                          AvroDatum::Record({AvroDatum::Long(1), AvroDatum::Array({}), AvroDatum::Null(), Opt(1, x)}),
                          &out)
                  .ok());
}

TEST(AvroJsonTest, UsesAvrosJsonEncoding) {
  AvroSchema s = MustParse(R"({"type": "record", "name": "r", "namespace": "n", "fields": [
    {"name": "u", "type": ["null", "long", {"type": "record", "name": "s", "fields": [{"name": "x", "type": "int"}]}]},
    {"name": "b", "type": "bytes"},
    {"name": "f", "type": "float"},
    {"name": "d", "type": "double"},
    {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A", "B"]}},
    {"name": "m", "type": {"type": "map", "values": "boolean"}},
    {"name": "dflt", "type": ["null", "string"], "default": null}]})");
  auto d = DatumFromJson(s.root(), R"({"u": {"n.s": {"x": 3}}, "b": "\u0000\u00ffA", "f": 0.1, "d": "-Infinity",
                                       "e": "B", "m": {"k": true}})");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->field(0).union_branch(), 2);
  EXPECT_EQ(d->field(1).as_bytes(), std::string("\x00\xff"
                                                "A",
                                                3));
  EXPECT_EQ(d->field(2).as_float(), 0.1f);
  EXPECT_EQ(d->field(3).as_double(), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(d->field(4).enum_index(), 1);
  EXPECT_TRUE(d->field(6).is_null());  // from the default
  EXPECT_EQ(FindField(s.root(), *d, "e"), &d->field(4));
  EXPECT_EQ(FindField(s.root(), *d, "nope"), nullptr);
  auto json = DatumToJson(s.root(), *d);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json,
            "{\"u\":{\"n.s\":{\"x\":3}},\"b\":\"\\u0000\\u00ffA\",\"f\":0.10000000149011612,"
            "\"d\":\"-Infinity\",\"e\":\"B\",\"m\":{\"k\":true},\"dflt\":null}");
  auto bad = [&](std::string_view j) {
    auto r = DatumFromJson(s.root(), j);
    EXPECT_FALSE(r.ok()) << j;
    return r.ok() ? "" : r.status().message();
  };
  EXPECT_EQ(bad(R"({"u": 5, "b": "", "f": 1, "d": 1, "e": "A", "m": {}})"),
            "avro json: $.u: expected null or {\"<branch>\": value} for union [null, long, n.s], got 5");
  EXPECT_EQ(bad(R"({"u": null, "b": "\u0100", "f": 1, "d": 1, "e": "A", "m": {}})"),
            "avro json: $.b: expected a string of code points 0-255 for bytes, got \"\xc4\x80\"");
  EXPECT_EQ(bad(R"({"u": null, "b": "", "f": 1, "d": 1, "e": "C", "m": {}})"),
            "avro json: $.e: expected one of the symbols for enum, got \"C\"");
  EXPECT_EQ(bad(R"({"u": null, "b": "", "f": 1, "d": 1, "e": "A"})"),
            "avro json: $: missing field \"m\" (it has no default)");
  EXPECT_EQ(bad(R"({"u": null, "b": "", "f": 1, "d": 1, "e": "A", "m": {}, "zz": 1})"),
            "avro json: $: record n.r has no field \"zz\"");
  EXPECT_EQ(bad(R"({"u": {"long": 1.5}, "b": "", "f": 1, "d": 1, "e": "A", "m": {}})"),
            "avro json: $.u: expected a 64-bit integer for long, got 1.5");
}

// ---- container files ----

AvroSchema ReadingSchema() {
  return MustParse(R"({"type": "record", "name": "reading", "fields": [
    {"name": "sensor", "type": "string", "field-id": 1},
    {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-micros"}, "field-id": 2},
    {"name": "value", "type": ["null", "double"], "default": null, "field-id": 3},
    {"name": "sizes", "type": ["null", {"type": "array", "logicalType": "map", "items": {"type": "record",
      "name": "k117_v118", "fields": [{"name": "key", "type": "int", "field-id": 117},
                                      {"name": "value", "type": "long", "field-id": 118}]}}],
     "default": null, "field-id": 108}]})");
}

AvroDatum Reading(int i) {
  std::vector<AvroDatum> sizes;
  for (int k = 0; k < i % 4; ++k)
    sizes.push_back(AvroDatum::Record({AvroDatum::Int(k), AvroDatum::Long(static_cast<int64_t>(i) * 1000 + k)}));
  return AvroDatum::Record({
      AvroDatum::String("sensor-" + std::to_string(i % 17)),
      AvroDatum::Long(1700000000000000LL + i),
      i % 5 == 0 ? Opt(0, AvroDatum::Null()) : Opt(1, AvroDatum::Double(i * 0.25)),
      i % 3 == 0 ? Opt(0, AvroDatum::Null()) : Opt(1, AvroDatum::Array(std::move(sizes))),
  });
}

constexpr AvroSyncMarker kSync = {0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87,
                                  0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f};

std::string WriteFile(AvroCodec codec, int records, size_t block_records, AvroMetadata metadata = {}) {
  AvroWriterOptions o;
  o.codec = codec;
  o.block_records = block_records;
  o.sync_marker = kSync;
  auto w = AvroWriter::Make(ReadingSchema(), std::move(metadata), o);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  for (int i = 0; i < records; ++i) {
    Status s = w->Append(Reading(i));
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  EXPECT_EQ(w->records(), records);
  auto bytes = w->Finish();
  EXPECT_TRUE(bytes.ok());
  return *bytes;
}

Result<std::vector<AvroDatum>> ReadFile(std::string_view bytes, std::string name = "m0.avro") {
  FLOE_ASSIGN_OR_RETURN(AvroReader r, AvroReader::Open(bytes, std::move(name)));
  std::vector<AvroDatum> out;
  FLOE_RETURN_IF_ERROR(r.ReadAll(&out));
  return out;
}

std::string ReadError(std::string_view bytes) {
  auto r = ReadFile(bytes);
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.status().message();
}

// The file offset of each block: just after the header's sync marker and after each sync marker that follows.
std::vector<size_t> BlockEnds(const std::string& file) {
  std::vector<size_t> ends;
  std::string_view marker(reinterpret_cast<const char*>(kSync.data()), kSync.size());
  for (size_t at = file.find(marker); at != std::string::npos; at = file.find(marker, at + 1))
    ends.push_back(at + kSync.size());
  return ends;
}

class AvroContainerTest : public ::testing::TestWithParam<AvroCodec> {};

TEST_P(AvroContainerTest, RoundTripsRecordsAndMetadataOverSeveralBlocks) {
  AvroMetadata meta = {{"schema", R"({"type":"struct","schema-id":0,"fields":[]})"},
                       {"partition-spec", "[]"},
                       {"partition-spec-id", "0"},
                       {"format-version", "2"},
                       {"content", "data"}};
  std::string file = WriteFile(GetParam(), 250, 40, meta);
  EXPECT_EQ(file.substr(0, 4), std::string("Obj\x01", 4));
  EXPECT_EQ(BlockEnds(file).size(), 1u + 7u);  // header + ceil(250 / 40) blocks
  auto r = AvroReader::Open(file, "m0.avro");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->codec(), GetParam());
  EXPECT_EQ(r->sync_marker(), kSync);
  ASSERT_EQ(r->metadata().size(), 7u);
  EXPECT_EQ(r->metadata()[0].first, "avro.schema");
  EXPECT_EQ(*r->FindMetadata("avro.codec"), AvroCodecName(GetParam()));
  for (const auto& [k, v] : meta) EXPECT_EQ(*r->FindMetadata(k), v) << k;
  EXPECT_EQ(r->schema().ToJson(), ReadingSchema().ToJson());
  EXPECT_EQ(r->schema().root().FindField("sizes")->attributes.GetInt("field-id"), 108);
  std::vector<AvroDatum> records;
  ASSERT_TRUE(r->ReadAll(&records).ok());
  ASSERT_EQ(records.size(), 250u);
  for (int i = 0; i < 250; ++i) EXPECT_TRUE(records[i] == Reading(i)) << i;
  AvroDatum extra;
  auto more = r->Next(&extra);
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);
}

TEST_P(AvroContainerTest, WritesBlocksByTargetBytes) {
  AvroWriterOptions o;
  o.codec = GetParam();
  o.block_bytes = 1000;
  o.sync_marker = kSync;
  auto w = AvroWriter::Make(ReadingSchema(), {}, o);
  ASSERT_TRUE(w.ok());
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(w->Append(Reading(i)).ok());
  std::string file = *w->Finish();
  EXPECT_GT(BlockEnds(file).size(), 10u);
  auto records = ReadFile(file);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_EQ(records->size(), 500u);
}

TEST_P(AvroContainerTest, AnEmptyFileHasAHeaderAndNoBlocks) {
  std::string file = WriteFile(GetParam(), 0, 0);
  EXPECT_EQ(BlockEnds(file).size(), 1u);
  EXPECT_EQ(file.size(), BlockEnds(file)[0]);
  auto records = ReadFile(file);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_TRUE(records->empty());
}

// Every prefix of a file is an error or (cut exactly after a block) the records of the blocks before the cut.
TEST_P(AvroContainerTest, TruncationAtEveryByteIsAnErrorNeverACrash) {
  std::string file = WriteFile(GetParam(), 30, 7);
  std::vector<size_t> ends = BlockEnds(file);
  for (size_t n = 0; n < file.size(); ++n) {
    std::string cut = file.substr(0, n);  // its own allocation, so ASan sees reads past the end
    auto records = ReadFile(cut);
    size_t blocks = std::find(ends.begin(), ends.end(), n) - ends.begin();
    if (blocks < ends.size()) {
      ASSERT_TRUE(records.ok()) << n << ": " << records.status().ToString();
      EXPECT_EQ(records->size(), std::min<size_t>(30, blocks * 7)) << n;
    } else {
      ASSERT_FALSE(records.ok()) << "prefix of " << n << " bytes read";
      EXPECT_EQ(records.status().code(), StatusCode::kCorruption) << records.status().ToString();
      EXPECT_EQ(records.status().message().rfind("m0.avro: ", 0), 0u) << records.status().ToString();
    }
  }
}

TEST_P(AvroContainerTest, RandomByteFlipsAreAnErrorOrDataNeverACrash) {
  std::string file = WriteFile(GetParam(), 60, 9);
  std::mt19937 rng(42);
  for (int trial = 0; trial < 3000; ++trial) {
    std::string bad = file;
    int flips = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < flips; ++k) bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
    auto records = ReadFile(bad);
    if (!records.ok()) {
      EXPECT_NE(records.status().code(), StatusCode::kOk);
      EXPECT_FALSE(records.status().message().empty());
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Codecs, AvroContainerTest, ::testing::Values(AvroCodec::kNull, AvroCodec::kDeflate),
                         [](const auto& info) { return std::string(AvroCodecName(info.param)); });

TEST(AvroContainerCorruptionTest, AFlippedSyncMarkerByteIsASyncError) {
  std::string file = WriteFile(AvroCodec::kNull, 30, 10);
  std::vector<size_t> ends = BlockEnds(file);
  ASSERT_EQ(ends.size(), 4u);
  // In the header: the first block's marker no longer matches.
  std::string bad = file;
  bad[ends[0] - 3] ^= 0x40;
  EXPECT_EQ(ReadError(bad), fmt::format("m0.avro: block 0 at byte {}: sync marker mismatch at byte {} (the block is "
                                        "corrupt or its size is wrong)",
                                        ends[0], ends[1] - 16));
  // After block 2.
  bad = file;
  bad[ends[3] - 1] ^= 0x01;
  EXPECT_EQ(ReadError(bad), fmt::format("m0.avro: block 2 at byte {}: sync marker mismatch at byte {} (the block is "
                                        "corrupt or its size is wrong)",
                                        ends[2], ends[3] - 16));
}

TEST(AvroContainerCorruptionTest, WrongMagicIsNotAvro) {
  std::string file = WriteFile(AvroCodec::kNull, 3, 0);
  file[3] = 2;
  EXPECT_EQ(ReadError(file),
            "m0.avro: not an Avro object container file: starts with 4f 62 6a 02, not 4f 62 6a 01 (\"Obj\\x01\")");
  EXPECT_EQ(ReadError("PAR1"),
            "m0.avro: not an Avro object container file: starts with 50 41 52 31, not 4f 62 6a 01 "
            "(\"Obj\\x01\")");
  EXPECT_EQ(ReadError("Ob"), "m0.avro: 2 bytes is too short for an Avro object container file");
  auto unnamed = AvroReader::Open("xx");
  EXPECT_EQ(unnamed.status().message(), "avro: 2 bytes is too short for an Avro object container file");
}

// Builds a file by hand: header with `schema` and `codec`, then raw blocks.
std::string HandMadeFile(std::string_view schema, std::string_view codec, const std::vector<std::string>& blocks) {
  auto put_long = [](std::string* out, int64_t v) {
    uint64_t u = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
    while (u >= 0x80) {
      out->push_back(static_cast<char>(u | 0x80));
      u >>= 7;
    }
    out->push_back(static_cast<char>(u));
  };
  auto put_bytes = [&](std::string* out, std::string_view b) {
    put_long(out, static_cast<int64_t>(b.size()));
    out->append(b);
  };
  std::string f("Obj\x01", 4);
  put_long(&f, codec.empty() ? 1 : 2);
  put_bytes(&f, "avro.schema");
  put_bytes(&f, schema);
  if (!codec.empty()) {
    put_bytes(&f, "avro.codec");
    put_bytes(&f, codec);
  }
  f.push_back(0);
  std::string sync(reinterpret_cast<const char*>(kSync.data()), kSync.size());
  f += sync;
  for (const auto& b : blocks) f += b + sync;
  return f;
}

TEST(AvroContainerCorruptionTest, ABlockCountLargerThanItsDataIsAnError) {
  // Three longs (1 byte each), but the block claims 1000 records: more than its bytes can hold.
  std::string f = HandMadeFile("\"long\"", "null", {Unhex("d0 0f 06 02 04 06")});
  size_t block_at = f.size() - 6 - 16;
  EXPECT_EQ(ReadError(f), fmt::format("m0.avro: block 0 at byte {}: 1000 records cannot fit in 3 bytes", block_at));
  // Claims 4 records in 4 bytes, but the 4th long is cut: a record error naming the record and byte.
  f = HandMadeFile("\"long\"", "null", {Unhex("08 08 02 04 06 80")});
  block_at = f.size() - 6 - 16;
  EXPECT_EQ(ReadError(f), fmt::format("m0.avro: block 0 at byte {}: record 3 of 4: $ at byte {}: long truncated",
                                      block_at, block_at + 5));
  // Claims 2 records but holds 3.
  f = HandMadeFile("\"long\"", "", {Unhex("04 06 02 04 06")});
  EXPECT_EQ(ReadError(f),
            fmt::format("m0.avro: block 0 at byte {}: its 2 records take 2 of its 3 bytes", f.size() - 5 - 16));
  // Records that take no bytes: the count is bounded by the budget.
  f = HandMadeFile("\"null\"", "null", {Unhex("fe ff ff ff ff ff ff ff ff 01 00")});
  EXPECT_NE(ReadError(f).find("passes the limit of 1048576"), std::string::npos);
  f = HandMadeFile("\"null\"", "null", {Unhex("c8 01 00")});
  auto nulls = ReadFile(f);
  ASSERT_TRUE(nulls.ok()) << nulls.status().ToString();
  EXPECT_EQ(nulls->size(), 100u);
}

// fastavro writes deflate blocks as zlib.compress(data)[2:-1]: 3 bytes of the zlib trailer follow the deflate stream.
TEST(AvroContainerCompatibilityTest, ReadsDeflateBlocksWithBytesAfterTheStream) {
  std::string file = WriteFile(AvroCodec::kDeflate, 20, 0);
  std::vector<size_t> ends = BlockEnds(file);
  ASSERT_EQ(ends.size(), 2u);
  std::string block = file.substr(ends[0], ends[1] - 16 - ends[0]);
  AvroDecoder d(block);
  int64_t count, size;
  ASSERT_TRUE(d.ReadLong("count", &count).ok());
  ASSERT_TRUE(d.ReadLong("size", &size).ok());
  std::string_view data;
  ASSERT_TRUE(d.ReadRaw(static_cast<size_t>(size), "data", &data).ok());
  std::string padded;
  std::string header =
      Encode(MustParse("\"long\""), AvroDatum::Long(count)) + Encode(MustParse("\"long\""), AvroDatum::Long(size + 3));
  padded = file.substr(0, ends[0]) + header + std::string(data) + "\x12\x34\x56" + file.substr(ends[1] - 16);
  auto records = ReadFile(padded);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 20u);
  EXPECT_TRUE((*records)[19] == Reading(19));
}

TEST(AvroContainerCorruptionTest, BadBlockHeadersAndSizesAreErrors) {
  std::string f = HandMadeFile("\"long\"", "null", {Unhex("03 02 02")});
  EXPECT_NE(ReadError(f).find("negative record count -2"), std::string::npos);
  f = HandMadeFile("\"long\"", "null", {Unhex("02 c8 01 02")});
  EXPECT_NE(ReadError(f).find("block of 100 bytes runs past the end of the file"), std::string::npos);
  f = HandMadeFile("\"long\"", "deflate", {Unhex("02 06 01 02 03")});
  EXPECT_NE(ReadError(f).find("deflate: "), std::string::npos) << ReadError(f);
}

TEST(AvroContainerCorruptionTest, BadHeadersAreErrors) {
  EXPECT_EQ(ReadError(HandMadeFile("{\"type\": \"recrod\"}", "null", {})),
            "m0.avro: header: avro.schema: avro schema: $.type: unknown type \"recrod\" (not a primitive type, nor a "
            "named type defined before it)");
  EXPECT_NE(
      ReadError(HandMadeFile("not json", "null", {})).find("m0.avro: header: avro.schema: avro schema: not valid JSON"),
      std::string::npos);
  auto snappy = ReadFile(HandMadeFile("\"long\"", "snappy", {}));
  EXPECT_EQ(snappy.status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(snappy.status().message(),
            "m0.avro: avro codec \"snappy\" is not supported (floe reads and writes null and deflate)");
  std::string no_schema(
      "Obj\x01\x02\x14"
      "avro.codec\x08null\x00",
      22);
  no_schema += std::string(16, 'x');
  EXPECT_EQ(ReadError(no_schema), "m0.avro: header: no avro.schema in the metadata");
  std::string cut_meta(
      "Obj\x01\x02\x16"
      "avro.schema\x7f"
      "abc",
      21);
  EXPECT_EQ(ReadError(cut_meta), "m0.avro: header metadata: $[\"avro.schema\"] at byte 17: negative bytes length -64");
}

TEST(AvroContainerCorruptionTest, DataThatDoesNotMatchTheSchemaIsAnError) {
  // A file whose schema was swapped for one with an extra field: the records no longer decode.
  std::string file = WriteFile(AvroCodec::kNull, 5, 0);
  AvroSchema wrong = MustParse(R"({"type": "record", "name": "reading", "fields": [
    {"name": "sensor", "type": "string"}, {"name": "ts", "type": "long"}, {"name": "value", "type": "double"},
    {"name": "sizes", "type": ["null", "string"]}, {"name": "more", "type": "string"}]})");
  std::string body = file.substr(BlockEnds(file)[0]);
  auto w = AvroWriter::Make(wrong, {}, AvroWriterOptions{.sync_marker = kSync});
  std::string swapped = *w->Finish() + body;
  std::string e = ReadError(swapped);
  EXPECT_EQ(e.rfind("m0.avro: block 0 at byte ", 0), 0u) << e;
  EXPECT_NE(e.find("record "), std::string::npos) << e;
}

TEST(AvroWriterTest, RejectsReservedAndDuplicateMetadataAndMismatchedRecords) {
  auto reserved = AvroWriter::Make(ReadingSchema(), {{"avro.foo", "x"}});
  EXPECT_EQ(reserved.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(reserved.status().message(), "avro: metadata key \"avro.foo\": keys starting with \"avro.\" are reserved");
  auto dup = AvroWriter::Make(ReadingSchema(), {{"a", "x"}, {"a", "y"}});
  EXPECT_EQ(dup.status().message(), "avro: metadata key \"a\" given twice");
  auto w = AvroWriter::Make(ReadingSchema(), {}, AvroWriterOptions{.sync_marker = kSync});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->Append(Reading(1)).ok());
  Status bad = w->Append(AvroDatum::Record({AvroDatum::Long(1)}));
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.message(), "record 1: avro: $: record reading has 4 fields, the datum 1");
  ASSERT_TRUE(w->Append(Reading(2)).ok());
  std::string file = *w->Finish();
  auto records = ReadFile(file);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 2u);  // the rejected record left nothing behind
  EXPECT_TRUE((*records)[1] == Reading(2));
  EXPECT_FALSE(w->Append(Reading(3)).ok());
}

TEST(AvroWriterTest, RandomSyncMarkersDiffer) {
  auto a = AvroWriter::Make(ReadingSchema());
  auto b = AvroWriter::Make(ReadingSchema());
  EXPECT_NE(a->sync_marker(), b->sync_marker());
}

}  // namespace
}  // namespace floe::avro
