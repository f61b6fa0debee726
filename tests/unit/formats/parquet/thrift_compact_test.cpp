#include "floe/formats/parquet/thrift_compact.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>

namespace floe::parquet {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

std::string Hex(const std::string& s) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

TEST(ThriftCompactWriterTest, ShortFieldHeadersCarryTheIdDelta) {
  std::string out;
  ThriftCompactWriter w(&out);
  w.StructBegin();
  w.FieldI32(1, 0);   // delta 1, type 5
  w.FieldI32(3, -1);  // delta 2; zigzag(-1) = 1
  w.FieldI64(18, 1);  // delta 15, type 6; zigzag(1) = 2
  w.StructEnd();
  EXPECT_EQ(Hex(out),
            "1500"
            "2501"
            "f602"
            "00");
}

TEST(ThriftCompactWriterTest, LongFormWhenTheDeltaIsOutOfRangeOrBackwards) {
  std::string out;
  ThriftCompactWriter w(&out);
  w.StructBegin();
  w.FieldI32(20, 7);  // delta 20 > 15: type byte, then zigzag(20) = 40
  w.FieldI32(2, 7);   // backwards: long form, zigzag(2) = 4
  w.FieldI32(3, 7);   // the delta counts from the long-form id
  w.FieldI8(-1, 5);   // a negative id: zigzag(-1) = 1; i8 is one raw byte
  w.StructEnd();
  EXPECT_EQ(Hex(out),
            "05280e"
            "05040e"
            "150e"
            "030105"
            "00");
}

TEST(ThriftCompactWriterTest, BoolFieldsLiveInTheTypeNibble) {
  std::string out;
  ThriftCompactWriter w(&out);
  w.StructBegin();
  w.FieldBool(1, true);
  w.FieldBool(2, false);
  w.StructEnd();
  EXPECT_EQ(Hex(out),
            "11"
            "12"
            "00");
}

TEST(ThriftCompactWriterTest, ValuesAndContainers) {
  std::string out;
  ThriftCompactWriter w(&out);
  w.StructBegin();
  w.FieldBinary(1, "hi");
  w.FieldDouble(2, 1.0);  // little-endian IEEE 754
  w.FieldI16(3, -300);    // zigzag 599 = 0xd7 0x04
  w.FieldListBegin(4, CompactType::kI32, 3);
  w.I32(1);
  w.I32(2);
  w.I32(3);
  w.FieldListBegin(5, CompactType::kBinary, 15);  // 15 elements: the long form
  for (int i = 0; i < 15; ++i) w.Binary("");
  w.FieldMapBegin(6, CompactType::kBinary, CompactType::kI32, 1);
  w.Binary("k");
  w.I32(-2);
  w.FieldMapBegin(7, CompactType::kI32, CompactType::kI32, 0);
  w.FieldStructBegin(8);
  w.FieldI64(1, int64_t{1} << 40);
  w.StructEnd();
  w.StructEnd();
  EXPECT_EQ(Hex(out),
            "18026869"
            "17000000000000f03f"
            "14d704"
            "1935020406"
            "19f80f000000000000000000000000000000"
            "1b0185016b03"
            "1b00"
            "1c168080808080400000");
}

TEST(ThriftCompactReaderTest, ReadsWhatTheWriterWrote) {
  std::string out;
  ThriftCompactWriter w(&out);
  w.StructBegin();
  w.FieldBool(1, true);
  w.FieldI8(2, -128);
  w.FieldI16(3, std::numeric_limits<int16_t>::min());
  w.FieldI32(4, std::numeric_limits<int32_t>::min());
  w.FieldI64(5, std::numeric_limits<int64_t>::max());
  w.FieldDouble(6, -2.5);
  w.FieldBinary(7, std::string("a\0b", 3));
  w.FieldListBegin(300, CompactType::kBoolFalse, 2);
  w.Bool(true);
  w.Bool(false);
  w.FieldStructBegin(301);
  w.FieldBool(1, false);
  w.StructEnd();
  w.StructEnd();

  ThriftCompactReader r(out);
  int16_t id;
  CompactType t;
  r.StructBegin();
  ASSERT_TRUE(r.ReadFieldHeader(&id, &t));
  EXPECT_EQ(id, 1);
  EXPECT_EQ(t, CompactType::kBoolTrue);
  EXPECT_TRUE(r.ReadBool());
  ASSERT_TRUE(r.ReadFieldHeader(&id, &t));
  EXPECT_EQ(r.ReadI8(), -128);
  ASSERT_TRUE(r.ReadFieldHeader(&id, &t));
  EXPECT_EQ(r.ReadI16(), std::numeric_limits<int16_t>::min());
  ASSERT_TRUE(r.ReadFieldHeader(&id, &t));
  EXPECT_EQ(r.ReadI32(), std::numeric_limits<int32_t>::min());
  ASSERT_TRUE(r.ReadFieldHeader(&id, &t));
  EXPECT_EQ(r.ReadI64(), std::numeric_limits<int64_t>::max());
  ASSERT_TRUE(r.ReadFieldHeader(&id, &t));
  EXPECT_EQ(r.ReadDouble(), -2.5);
  ASSERT_TRUE(r.ReadFieldHeader(&id, &t));
  EXPECT_EQ(id, 7);
  EXPECT_EQ(t, CompactType::kBinary);
  EXPECT_EQ(r.ReadBinary(), std::string_view("a\0b", 3));
  ASSERT_TRUE(r.ReadFieldHeader(&id, &t));
  EXPECT_EQ(id, 300);
  EXPECT_EQ(t, CompactType::kList);
  CompactType element;
  ASSERT_EQ(r.ReadListBegin(&element), 2u);
  EXPECT_EQ(element, CompactType::kBoolFalse);
  EXPECT_TRUE(r.ReadBool());
  EXPECT_FALSE(r.ReadBool());
  r.ListEnd();
  ASSERT_TRUE(r.ReadFieldHeader(&id, &t));
  EXPECT_EQ(id, 301);
  EXPECT_EQ(t, CompactType::kStruct);
  r.StructBegin();
  ASSERT_TRUE(r.ReadFieldHeader(&id, &t));
  EXPECT_EQ(id, 1);  // ids restart inside the nested struct
  EXPECT_EQ(t, CompactType::kBoolFalse);
  EXPECT_FALSE(r.ReadBool());
  EXPECT_FALSE(r.ReadFieldHeader(&id, &t));
  r.StructEnd();
  EXPECT_FALSE(r.ReadFieldHeader(&id, &t));  // the outer stop byte
  r.StructEnd();
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r.position(), out.size());
}

TEST(ThriftCompactReaderTest, LongFormIdsAndDeltasAfterThem) {
  // Field 1000 (i32 5) in the long form: type 5, zigzag(1000) = 2000 = 0xd0 0x0f; then delta 1 -> field 1001;
  // then a long-form negative id -3 (zigzag 5) of type binary.
  const std::string in = Bytes({0x05, 0xd0, 0x0f, 0x0a, 0x15, 0x0c, 0x08, 0x05, 0x01, 'x', 0x00});
  ThriftCompactReader r(in);
  r.StructBegin();
  int16_t id;
  CompactType t;
  ASSERT_TRUE(r.ReadFieldHeader(&id, &t));
  EXPECT_EQ(id, 1000);
  EXPECT_EQ(r.ReadI32(), 5);
  ASSERT_TRUE(r.ReadFieldHeader(&id, &t));
  EXPECT_EQ(id, 1001);
  EXPECT_EQ(r.ReadI32(), 6);
  ASSERT_TRUE(r.ReadFieldHeader(&id, &t));
  EXPECT_EQ(id, -3);
  EXPECT_EQ(r.ReadBinary(), "x");
  EXPECT_FALSE(r.ReadFieldHeader(&id, &t));
  r.StructEnd();
  EXPECT_TRUE(r.ok()) << r.status().ToString();
}

TEST(ThriftCompactReaderTest, SkipsNestedUnknownValuesOfEveryType) {
  std::string out;
  ThriftCompactWriter w(&out);
  w.StructBegin();
  w.FieldBool(1, true);
  w.FieldI8(2, 1);
  w.FieldI16(3, 1000);
  w.FieldI32(4, -100000);
  w.FieldI64(5, int64_t{1} << 50);
  w.FieldDouble(6, 3.5);
  w.FieldBinary(7, "skipped");
  w.FieldHeader(8, CompactType::kUuid);
  out.append(16, '\x7f');
  w.FieldStructBegin(9);  // a struct holding a list of structs holding a map and a set
  w.FieldListBegin(1, CompactType::kStruct, 2);
  for (int i = 0; i < 2; ++i) {
    w.StructBegin();
    w.FieldMapBegin(1, CompactType::kBinary, CompactType::kList, 1);
    w.Binary("key");
    w.ListBegin(CompactType::kDouble, 2);
    w.Double(1);
    w.Double(2);
    w.FieldHeader(2, CompactType::kSet);
    w.ListBegin(CompactType::kBoolFalse, 3);
    w.Bool(true);
    w.Bool(false);
    w.Bool(true);
    w.FieldBool(3, false);
    w.StructEnd();
  }
  w.StructEnd();
  w.FieldI32(10, 42);  // the one field read
  w.StructEnd();

  ThriftCompactReader r(out);
  r.StructBegin();
  int16_t id;
  CompactType t;
  int32_t found = 0;
  while (r.ReadFieldHeader(&id, &t)) {
    if (id == 10) {
      found = r.ReadI32();
    } else {
      r.Skip(t);
    }
  }
  r.StructEnd();
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(found, 42);
  EXPECT_EQ(r.position(), out.size());
}

TEST(ThriftCompactReaderTest, TruncatedVarintSaysWhereAndIsSticky) {
  const std::string in = Bytes({0x15, 0x80, 0x80});  // field 1, i32 whose varint never ends
  ThriftCompactReader r(in);
  r.StructBegin();
  int16_t id;
  CompactType t;
  ASSERT_TRUE(r.ReadFieldHeader(&id, &t));
  EXPECT_EQ(r.ReadI32(), 0);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(r.status().message(), "thrift: byte 1: truncated varint (i32)");
  // Sticky: later reads do nothing and keep the first error.
  EXPECT_EQ(r.ReadI64(), 0);
  EXPECT_EQ(r.ReadBinary(), "");
  EXPECT_FALSE(r.ReadFieldHeader(&id, &t));
  EXPECT_EQ(r.status().message(), "thrift: byte 1: truncated varint (i32)");
}

TEST(ThriftCompactReaderTest, OverlongVarintIsAnError) {
  // Six bytes of varint for an i32.
  const std::string in = Bytes({0x15, 0x81, 0x81, 0x81, 0x81, 0x81, 0x01});
  ThriftCompactReader r(in);
  r.StructBegin();
  int16_t id;
  CompactType t;
  ASSERT_TRUE(r.ReadFieldHeader(&id, &t));
  r.ReadI32();
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("byte 1: i32 varint longer than 5 bytes"), std::string::npos)
      << r.status().message();
}

TEST(ThriftCompactReaderTest, LengthsPastTheEndFailWithoutAllocating) {
  {
    // A binary claiming 2^31 bytes.
    const std::string in = Bytes({0x18, 0x80, 0x80, 0x80, 0x80, 0x08, 'a'});
    ThriftCompactReader r(in);
    r.StructBegin();
    int16_t id;
    CompactType t;
    ASSERT_TRUE(r.ReadFieldHeader(&id, &t));
    EXPECT_EQ(r.ReadBinary(), "");
    EXPECT_NE(r.status().message().find("byte 1: binary of 2147483648 bytes runs past the end (1 bytes left)"),
              std::string::npos)
        << r.status().message();
  }
  {
    // A list of 2^31 - 1 structs in 0 bytes.
    const std::string in = Bytes({0xfc, 0xff, 0xff, 0xff, 0xff, 0x07});
    ThriftCompactReader r(in);
    CompactType element;
    EXPECT_EQ(r.ReadListBegin(&element), 0u);
    EXPECT_NE(r.status().message().find("byte 0: list of 2147483647 struct elements runs past the end"),
              std::string::npos)
        << r.status().message();
  }
  {
    // A list of 3 doubles in 16 bytes: each needs 8.
    std::string in = Bytes({0x37});
    in.append(16, '\0');
    ThriftCompactReader r(in);
    CompactType element;
    EXPECT_EQ(r.ReadListBegin(&element), 0u);
    EXPECT_FALSE(r.ok());
  }
  {
    // A map of 1000 entries skipped in 4 bytes.
    const std::string in = Bytes({0x1b, 0xe8, 0x07, 0x55, 0x02, 0x02});
    ThriftCompactReader r(in);
    r.StructBegin();
    int16_t id;
    CompactType t;
    ASSERT_TRUE(r.ReadFieldHeader(&id, &t));
    r.Skip(t);
    EXPECT_NE(r.status().message().find("map of 1000 entries runs past the end"), std::string::npos)
        << r.status().message();
  }
}

TEST(ThriftCompactReaderTest, NestingDeeperThanTheLimitIsAnError) {
  // Field 1: a list of one list of one list ... 100 levels deep.
  std::string in = Bytes({0x19});
  for (int i = 0; i < 100; ++i) in.push_back(0x19);
  in.push_back(0x05);  // the innermost: an empty list of i32
  ThriftCompactReader r(in);
  r.StructBegin();
  int16_t id;
  CompactType t;
  ASSERT_TRUE(r.ReadFieldHeader(&id, &t));
  r.Skip(t);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nesting deeper than 64 levels"), std::string::npos) << r.status().message();

  // Structs nested 100 deep.
  std::string structs;
  for (int i = 0; i < 100; ++i) structs.push_back(0x1c);
  structs.append(101, '\0');
  ThriftCompactReader s(structs);
  s.Skip(CompactType::kStruct);
  EXPECT_NE(s.status().message().find("nesting deeper than 64 levels"), std::string::npos) << s.status().message();

  // 60 levels are fine.
  std::string ok;
  for (int i = 0; i < 60; ++i) ok.push_back(0x1c);
  ok.append(61, '\0');
  ThriftCompactReader o(ok);
  o.Skip(CompactType::kStruct);
  EXPECT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o.position(), ok.size());
}

TEST(ThriftCompactReaderTest, MalformedHeadersAreErrors) {
  int16_t id;
  CompactType t;
  {
    const std::string in = Bytes({0x1e});  // type 14 does not exist
    ThriftCompactReader r(in);
    r.StructBegin();
    EXPECT_FALSE(r.ReadFieldHeader(&id, &t));
    EXPECT_EQ(r.status().message(), "thrift: byte 0: unknown field type 14");
  }
  {
    const std::string in = Bytes({0x15, 0x02});  // no stop byte
    ThriftCompactReader r(in);
    r.StructBegin();
    ASSERT_TRUE(r.ReadFieldHeader(&id, &t));
    r.ReadI32();
    EXPECT_FALSE(r.ReadFieldHeader(&id, &t));
    EXPECT_EQ(r.status().message(), "thrift: byte 2: truncated struct (no stop byte)");
  }
  {
    const std::string in = Bytes({0x05, 0x80, 0x80, 0x04});  // long-form id 32768
    ThriftCompactReader r(in);
    r.StructBegin();
    EXPECT_FALSE(r.ReadFieldHeader(&id, &t));
    EXPECT_NE(r.status().message().find("out of the i16 range"), std::string::npos) << r.status().message();
  }
  {
    const std::string in = Bytes({0x14, 0x80, 0x80, 0x04});  // i16 value 32768
    ThriftCompactReader r(in);
    r.StructBegin();
    ASSERT_TRUE(r.ReadFieldHeader(&id, &t));
    r.ReadI16();
    EXPECT_NE(r.status().message().find("i16 value 32768 out of range"), std::string::npos) << r.status().message();
  }
  {
    const std::string in = Bytes({0x10});  // a list header of element type 0
    ThriftCompactReader r(in);
    CompactType element;
    r.ReadListBegin(&element);
    EXPECT_NE(r.status().message().find("list of unknown element type 0"), std::string::npos);
  }
  {
    const std::string in = Bytes({0x17, 1, 2, 3});  // a double cut short
    ThriftCompactReader r(in);
    r.StructBegin();
    ASSERT_TRUE(r.ReadFieldHeader(&id, &t));
    EXPECT_EQ(r.ReadDouble(), 0);
    EXPECT_EQ(r.status().message(), "thrift: byte 1: truncated double");
  }
}

TEST(ThriftCompactReaderTest, EveryPrefixOfAStructFailsCleanlyWhenSkipped) {
  std::string out;
  ThriftCompactWriter w(&out);
  w.StructBegin();
  w.FieldBinary(1, "abc");
  w.FieldListBegin(2, CompactType::kStruct, 1);
  w.StructBegin();
  w.FieldDouble(1, 1.5);
  w.FieldMapBegin(2, CompactType::kI32, CompactType::kBinary, 1);
  w.I32(1);
  w.Binary("v");
  w.StructEnd();
  w.FieldI64(300, -5);
  w.StructEnd();
  for (size_t n = 0; n < out.size(); ++n) {
    ThriftCompactReader r(std::string_view(out).substr(0, n));
    r.Skip(CompactType::kStruct);
    EXPECT_FALSE(r.ok()) << "prefix of " << n << " bytes";
  }
  ThriftCompactReader whole(out);
  whole.Skip(CompactType::kStruct);
  EXPECT_TRUE(whole.ok()) << whole.status().ToString();
}

TEST(ThriftCompactReaderTest, DoubleIsLittleEndian) {
  std::string out;
  ThriftCompactWriter w(&out);
  w.Double(std::nextafter(1.0, 2.0));
  EXPECT_EQ(Hex(out), "010000000000f03f");
  ThriftCompactReader r(out);
  EXPECT_EQ(r.ReadDouble(), std::nextafter(1.0, 2.0));
}

}  // namespace
}  // namespace floe::parquet
