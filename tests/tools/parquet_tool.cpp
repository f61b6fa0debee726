// Drives floe's Parquet writer and reader from the interop tests (tests/interop/test_parquet_*.py):
//
//   floe_parquet_tool write SCHEMA.json OUT.parquet [--codec zstd|snappy|gzip|lz4_raw|none] [--row-group-rows N]
//                     [--page-rows N] [--no-dictionary] [--no-page-index] < rows.jsonl
//   floe_parquet_tool cat IN.parquet [--columns a,b,...]
//   floe_parquet_tool pages IN.parquet
//
// SCHEMA.json: [{"name": "x", "type": "long", "nullable": true, "id": 1}, ...] with Iceberg type names (int, long,
// float, double, boolean, string, binary, date, timestamp, timestamptz, decimal(P,S)). A row is a JSON array in
// schema order: numbers; strings; binary as hex; date as days; timestamps as microseconds; decimals as the unscaled
// integer; null. `cat` prints the schema in that form on its first line, then one row per line. `pages` prints one
// line per column chunk, ParquetReader::PageStatistics as JSON: {"row_group", "column", "from_page_index",
// "boundary_order" (0 unordered, 1 ascending, 2 descending), "pages": [{"offset", "size", "first_row", "rows",
// "null_page", "null_count", "min", "max"}]}, bounds in the row form (null when absent). Exit 1 on error.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "floe/formats/column_vector.h"
#include "floe/formats/parquet/parquet_reader.h"
#include "floe/formats/parquet/parquet_writer.h"

using floe::formats::ColumnType;
using floe::formats::ColumnVector;
using floe::formats::DataType;
using floe::formats::Field;
using floe::formats::Schema;
using nlohmann::json;

namespace {

[[noreturn]] void Die(const std::string& m) {
  std::fprintf(stderr, "floe_parquet_tool: %s\n", m.c_str());
  std::exit(1);
}

DataType ParseType(const std::string& s) {
  static const std::regex decimal(R"(decimal\((\d+),\s*(\d+)\))");
  std::smatch m;
  if (std::regex_match(s, m, decimal)) return DataType{ColumnType::kDecimal, std::stoi(m[1]), std::stoi(m[2])};
  if (s == "boolean") return {ColumnType::kBoolean};
  if (s == "int") return {ColumnType::kInt32};
  if (s == "long") return {ColumnType::kInt64};
  if (s == "float") return {ColumnType::kFloat};
  if (s == "double") return {ColumnType::kDouble};
  if (s == "string") return {ColumnType::kString};
  if (s == "binary") return {ColumnType::kBinary};
  if (s == "date") return {ColumnType::kDate};
  if (s == "timestamp") return {ColumnType::kTimestamp};
  if (s == "timestamptz") return {ColumnType::kTimestampTz};
  Die("unknown type " + s);
}

std::string Hex(std::string_view b) {
  std::string out;
  for (unsigned char c : b) out += fmt::format("{:02x}", c);
  return out;
}

std::string Unhex(const std::string& h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return out;
}

void AppendJson(const json& v, ColumnVector* col) {
  if (v.is_null()) {
    col->AppendNull();
    return;
  }
  switch (col->type().id) {
    case ColumnType::kBoolean: col->Append<uint8_t>(v.get<bool>() ? 1 : 0); break;
    case ColumnType::kInt32:
    case ColumnType::kDate: col->Append<int32_t>(v.get<int32_t>()); break;
    case ColumnType::kInt64:
    case ColumnType::kTimestamp:
    case ColumnType::kTimestampTz:
    case ColumnType::kDecimal: col->Append<int64_t>(v.get<int64_t>()); break;
    case ColumnType::kFloat:
      col->Append<float>(v.is_string() ? std::stof(v.get<std::string>()) : v.get<float>());
      break;
    case ColumnType::kDouble:
      col->Append<double>(v.is_string() ? std::stod(v.get<std::string>()) : v.get<double>());
      break;
    case ColumnType::kString: col->AppendString(v.get<std::string>()); break;
    case ColumnType::kBinary: col->AppendString(Unhex(v.get<std::string>())); break;
  }
}

json ToJson(const ColumnVector& c, size_t i) {
  if (c.IsNull(i)) return nullptr;
  auto real = [](double d) -> json {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    return d;
  };
  switch (c.type().id) {
    case ColumnType::kBoolean: return c.value<uint8_t>(i) != 0;
    case ColumnType::kInt32:
    case ColumnType::kDate: return c.value<int32_t>(i);
    case ColumnType::kInt64:
    case ColumnType::kTimestamp:
    case ColumnType::kTimestampTz:
    case ColumnType::kDecimal: return c.value<int64_t>(i);
    case ColumnType::kFloat: return real(c.value<float>(i));
    case ColumnType::kDouble: return real(c.value<double>(i));
    case ColumnType::kString: return std::string(c.string(i));
    case ColumnType::kBinary: return Hex(c.string(i));
  }
  return nullptr;
}

int Write(int argc, char** argv) {
  if (argc < 4) Die("usage: write SCHEMA.json OUT.parquet [options] < rows.jsonl");
  std::ifstream sf(argv[2]);
  if (!sf) Die(std::string("cannot read ") + argv[2]);
  json js = json::parse(sf);
  Schema schema;
  for (const auto& f : js) {
    schema.fields.push_back(Field{f.at("name").get<std::string>(), ParseType(f.at("type").get<std::string>()),
                                  f.value("nullable", true), f.value("id", -1)});
  }
  floe::parquet::ParquetWriterOptions options;
  for (int i = 4; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Die(a + " needs a value");
      return argv[++i];
    };
    if (a == "--codec") {
      std::string c = next();
      using floe::parquet::CompressionCodec;
      options.codec = c == "zstd"      ? CompressionCodec::kZstd
                      : c == "snappy"  ? CompressionCodec::kSnappy
                      : c == "gzip"    ? CompressionCodec::kGzip
                      : c == "lz4_raw" ? CompressionCodec::kLz4Raw
                      : c == "none"    ? CompressionCodec::kUncompressed
                                       : (Die("unknown codec " + c), CompressionCodec::kZstd);
    } else if (a == "--row-group-rows") {
      options.row_group_rows = std::stoll(next());
    } else if (a == "--page-rows") {
      options.page_rows = std::stoll(next());
    } else if (a == "--no-dictionary") {
      options.dictionary = false;
    } else if (a == "--no-page-index") {
      options.page_index = false;
    } else {
      Die("unknown option " + a);
    }
  }
  floe::parquet::ParquetWriter writer(schema, options);
  std::vector<ColumnVector> batch;
  for (const auto& f : schema.fields) batch.emplace_back(f.type);
  std::string line;
  auto flush = [&] {
    floe::Status s = writer.Write(batch);
    if (!s.ok()) Die(s.ToString());
    for (auto& c : batch) c.Clear();
  };
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    json row = json::parse(line);
    if (row.size() != schema.fields.size()) Die("a row with " + std::to_string(row.size()) + " values");
    for (size_t c = 0; c < row.size(); ++c) AppendJson(row[c], &batch[c]);
    if (batch[0].size() >= 10000) flush();
  }
  flush();
  auto file = writer.Finish();
  if (!file.ok()) Die(file.status().ToString());
  std::ofstream out(argv[3], std::ios::binary);
  out.write(file->data(), static_cast<std::streamsize>(file->size()));
  if (!out) Die(std::string("cannot write ") + argv[3]);
  return 0;
}

int Cat(int argc, char** argv) {
  if (argc < 3) Die("usage: cat IN.parquet [--columns a,b]");
  std::ifstream in(argv[2], std::ios::binary);
  if (!in) Die(std::string("cannot read ") + argv[2]);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  auto reader = floe::parquet::ParquetReader::Open(bytes, argv[2]);
  if (!reader.ok()) Die(reader.status().ToString());
  std::vector<int> columns;
  if (argc >= 5 && std::string(argv[3]) == "--columns") {
    std::stringstream names(argv[4]);
    std::string name;
    while (std::getline(names, name, ',')) {
      int c = reader->schema().FindField(name);
      if (c < 0) Die("no column " + name);
      columns.push_back(c);
    }
  }
  json schema = json::array();
  std::vector<int> shown = columns;
  if (shown.empty()) {
    for (size_t c = 0; c < reader->schema().fields.size(); ++c) shown.push_back(static_cast<int>(c));
  }
  for (int c : shown) {
    const Field& f = reader->schema().fields[static_cast<size_t>(c)];
    schema.push_back({{"name", f.name},
                      {"type", floe::formats::TypeToString(f.type)},
                      {"nullable", f.nullable},
                      {"id", f.field_id}});
  }
  std::string out = schema.dump() + "\n";
  for (int g = 0; g < reader->num_row_groups(); ++g) {
    auto cols = reader->ReadRowGroup(g, columns);
    if (!cols.ok()) Die(cols.status().ToString());
    const size_t rows = cols->empty() ? 0 : (*cols)[0].size();
    for (size_t r = 0; r < rows; ++r) {
      json row = json::array();
      for (const auto& c : *cols) row.push_back(ToJson(c, r));
      out += row.dump();
      out += '\n';
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

// A PLAIN-encoded bound as the row form shows a value of `type` stored as `physical`.
json BoundToJson(const DataType& type, floe::parquet::Type physical, const std::string& b) {
  ColumnVector c(type);
  auto fixed = [&](auto tag) {
    using T = decltype(tag);
    T v{};
    std::memcpy(&v, b.data(), std::min(sizeof(T), b.size()));
    return v;
  };
  switch (type.id) {
    case ColumnType::kBoolean: return fixed(uint8_t{}) != 0;
    case ColumnType::kInt32:
    case ColumnType::kDate: return fixed(int32_t{});
    case ColumnType::kDecimal:
      if (physical == floe::parquet::Type::kInt32) return fixed(int32_t{});
      if (physical == floe::parquet::Type::kInt64) return fixed(int64_t{});
      {
        // FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY: big-endian two's complement.
        int64_t v = !b.empty() && (static_cast<uint8_t>(b[0]) & 0x80) != 0 ? -1 : 0;
        for (unsigned char ch : b) v = static_cast<int64_t>(static_cast<uint64_t>(v) << 8 | ch);
        return v;
      }
    case ColumnType::kInt64:
    case ColumnType::kTimestamp:
    case ColumnType::kTimestampTz: return fixed(int64_t{});
    case ColumnType::kFloat: c.Append<float>(fixed(float{})); return ToJson(c, 0);
    case ColumnType::kDouble: c.Append<double>(fixed(double{})); return ToJson(c, 0);
    case ColumnType::kString: return b;
    case ColumnType::kBinary: return Hex(b);
  }
  return nullptr;
}

int Pages(int argc, char** argv) {
  if (argc < 3) Die("usage: pages IN.parquet");
  std::ifstream in(argv[2], std::ios::binary);
  if (!in) Die(std::string("cannot read ") + argv[2]);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  auto reader = floe::parquet::ParquetReader::Open(bytes, argv[2]);
  if (!reader.ok()) Die(reader.status().ToString());
  std::string out;
  for (int g = 0; g < reader->num_row_groups(); ++g) {
    for (size_t c = 0; c < reader->schema().fields.size(); ++c) {
      const Field& f = reader->schema().fields[c];
      const auto physical = reader->column_element(static_cast<int>(c)).type.value_or(floe::parquet::Type::kByteArray);
      auto chunk = reader->PageStatistics(g, static_cast<int>(c));
      if (!chunk.ok()) Die(chunk.status().ToString());
      json pages = json::array();
      for (const auto& p : chunk->pages) {
        pages.push_back({{"offset", p.offset},
                         {"size", p.compressed_size},
                         {"first_row", p.first_row},
                         {"rows", p.rows},
                         {"null_page", p.null_page},
                         {"null_count", p.null_count ? json(*p.null_count) : json(nullptr)},
                         {"min", p.min ? BoundToJson(f.type, physical, *p.min) : json(nullptr)},
                         {"max", p.max ? BoundToJson(f.type, physical, *p.max) : json(nullptr)}});
      }
      json line = {{"row_group", g},
                   {"column", f.name},
                   {"from_page_index", chunk->from_page_index},
                   {"boundary_order", static_cast<int>(chunk->boundary_order)},
                   {"pages", pages}};
      out += line.dump() + "\n";
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) Die("usage: write|cat|pages ...");
  const std::string mode = argv[1];
  if (mode == "write") return Write(argc, argv);
  if (mode == "cat") return Cat(argc, argv);
  if (mode == "pages") return Pages(argc, argv);
  Die("unknown mode " + mode);
}
