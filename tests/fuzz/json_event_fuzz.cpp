// libFuzzer target: stream::JsonRowDecoder, Flink's 'json' format as a job decodes every Kafka record value, over a
// table with a column of each type the decoder converts (strings, integers of every width, FLOAT/DOUBLE, DECIMAL,
// BOOLEAN, DATE, TIME, TIMESTAMP, TIMESTAMP_LTZ, BYTES), under the option combinations a job can set. A bad event
// must be an InvalidArgument (it goes to the dead-letter topic), never a crash, and a decoded row must read back:
// the JSON the encoder writes for it decodes to an equal row.
//
// Built and run by scripts/fuzz.sh; seeds in tests/fuzz/corpus/json_event/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "floe/sql/binder.h"
#include "floe/stream/json_format.h"

namespace {

using floe::stream::JsonFormatOptions;
using floe::stream::JsonRowDecoder;
using floe::stream::JsonRowEncoder;

constexpr std::string_view kTables[] = {
    R"(CREATE TABLE t (sensor_id STRING, ts BIGINT, temperature DOUBLE, humidity FLOAT, n INT, s SMALLINT,
         b TINYINT, ok BOOLEAN, price DECIMAL(10, 2), big DECIMAL(38, 6), d DATE, tm TIME(3), at TIMESTAMP(3),
         ltz TIMESTAMP_LTZ(3), raw BYTES, code CHAR(3), name VARCHAR(8))
       WITH ('connector'='kafka', 'format'='json'))",
    R"(CREATE TABLE t (sensor_id STRING, ts BIGINT, temperature DOUBLE, at TIMESTAMP(6), ltz TIMESTAMP_LTZ(6))
       WITH ('connector'='kafka', 'format'='json', 'json.timestamp-format.standard'='ISO-8601',
             'json.fail-on-missing-field'='true'))",
    R"(CREATE TABLE t (sensor_id STRING, ts BIGINT, temperature DOUBLE, price DECIMAL(5, 1), ok BOOLEAN)
       WITH ('connector'='kafka', 'format'='json', 'json.ignore-parse-errors'='true'))",
};

struct Decoders {
  std::vector<std::shared_ptr<const floe::sql::TableDefinition>> tables;
  std::vector<JsonRowDecoder> decoders;
  std::vector<JsonRowEncoder> encoders;
  Decoders() {
    for (std::string_view sql : kTables) {
      auto script = floe::sql::BindScript(sql);
      if (!script.ok()) std::abort();
      auto table = script->catalog.Find("t");
      auto options = floe::stream::ParseJsonFormatOptions(*table);
      if (!options.ok()) std::abort();
      auto decoder = JsonRowDecoder::Make(*table, *options);
      if (!decoder.ok()) std::abort();
      std::vector<std::string> names;
      std::vector<floe::sql::DataType> types;
      for (const auto& c : table->columns) {
        names.push_back(c.name);
        types.push_back(c.type);
      }
      auto encoder = JsonRowEncoder::Make(names, types, options->timestamp_standard);
      if (!encoder.ok()) std::abort();
      tables.push_back(table);
      decoders.push_back(std::move(*decoder));
      encoders.push_back(std::move(*encoder));
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Decoders* d = new Decoders();
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  for (size_t i = 0; i < d->decoders.size(); ++i) {
    floe::stream::Row row;
    floe::Status s = d->decoders[i].Decode(json, &row);
    if (!s.ok()) {
      if (s.code() != floe::StatusCode::kInvalidArgument || s.message().empty()) std::abort();
      continue;
    }
    std::string encoded;
    d->encoders[i].Encode(row, &encoded);
    floe::stream::Row again;
    floe::Status back = d->decoders[i].Decode(encoded, &again);
    if (!back.ok()) std::abort();
    const auto& columns = d->tables[i]->columns;
    for (size_t c = 0; c < columns.size(); ++c) {
      if (!floe::stream::DatumEquals(row[c], again[c], columns[c].type)) std::abort();
    }
  }
  return 0;
}
