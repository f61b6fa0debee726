// Parquet benchmark program (bench/parquet_write, bench/parquet_read): floe's writer and reader on telemetry rows.
//
//   floe_bench_parquet write OUT.parquet --rows N [--codec zstd|snappy|none] [--row-group-rows R] [--threads T]
//       generates N telemetry rows (the `floe produce` simulation, seed 1, 1,000 sensors) as columns, then times
//       only ParquetWriter (Write + Finish) and prints {"rows", "seconds", "bytes", "threads"}; the file is written
//       afterwards. T (default 1) is ParquetWriterOptions::threads.
//   floe_bench_parquet read IN.parquet [--repeat K] [--threads T]
//       times reading the whole file (already in memory) into columns, best of K, and prints {"rows", "seconds",
//       "checksum", "threads"}. T (default 1) is ParquetReaderOptions::threads.
// One thread is the default so that the figures compare with pyarrow's single-threaded writer and with
// pyarrow.parquet.read_table(use_threads=False); the multi-threaded figures are asked for explicitly.
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "floe/formats/column_vector.h"
#include "floe/formats/parquet/parquet_reader.h"
#include "floe/formats/parquet/parquet_writer.h"
#include "floe/ingest/telemetry_generator.h"
#include "floe/ingest/telemetry_json.h"

using namespace floe;
using formats::ColumnType;
using formats::ColumnVector;

namespace {

[[noreturn]] void Die(const std::string& m) {
  std::fprintf(stderr, "parquet_bench: %s\n", m.c_str());
  std::exit(1);
}

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

formats::Schema TelemetrySchema() {
  formats::Schema s;
  s.fields = {{"sensor_id", {ColumnType::kString}, false, 1},  {"ts", {ColumnType::kTimestampTz}, false, 2},
              {"temperature", {ColumnType::kDouble}, true, 3}, {"humidity", {ColumnType::kDouble}, true, 4},
              {"pressure", {ColumnType::kDouble}, true, 5},    {"battery", {ColumnType::kDouble}, true, 6}};
  return s;
}

int Write(int argc, char** argv) {
  const std::string out_path = argv[2];
  int64_t rows = 10'000'000;
  int64_t row_group_rows = 1 << 20;
  int threads = 1;
  parquet::CompressionCodec codec = parquet::CompressionCodec::kZstd;
  for (int i = 3; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--rows")
      rows = std::stoll(v);
    else if (k == "--row-group-rows")
      row_group_rows = std::stoll(v);
    else if (k == "--threads")
      threads = std::stoi(v);
    else if (k == "--codec")
      codec = v == "zstd"     ? parquet::CompressionCodec::kZstd
              : v == "snappy" ? parquet::CompressionCodec::kSnappy
              : v == "none"   ? parquet::CompressionCodec::kUncompressed
                              : (Die("codec " + v), parquet::CompressionCodec::kZstd);
    else
      Die("unknown option " + k);
  }
  const formats::Schema schema = TelemetrySchema();
  ingest::TelemetryOptions topt;
  topt.seed = 1;
  topt.sensors = 1000;
  topt.start_ms = 1732480000000;
  ingest::TelemetryGenerator gen(topt);
  std::vector<ColumnVector> cols;
  for (const auto& f : schema.fields) cols.emplace_back(f.type);
  for (auto& c : cols) c.Reserve(static_cast<size_t>(rows), static_cast<size_t>(rows) * 7);
  char id[ingest::kMaxSensorIdBytes];
  for (int64_t r = 0; r < rows; ++r) {
    const ingest::TelemetryEvent e = gen.Next();
    cols[0].AppendString(std::string_view(id, ingest::FormatSensorId(e.sensor, id)));
    cols[1].Append<int64_t>(e.ts_ms * 1000);
    cols[2].Append<double>(e.temperature_centi / 100.0);
    cols[3].Append<double>(e.humidity_deci / 10.0);
    cols[4].Append<double>(e.pressure_deci / 10.0);
    cols[5].Append<double>(e.battery_milli / 1000.0);
  }
  parquet::ParquetWriterOptions o;
  o.codec = codec;
  o.row_group_rows = row_group_rows;
  o.threads = threads;
  const double t0 = Now();
  parquet::ParquetWriter writer(schema, o);
  if (Status s = writer.Write(cols); !s.ok()) Die(s.ToString());
  auto file = writer.Finish();
  const double secs = Now() - t0;
  if (!file.ok()) Die(file.status().ToString());
  std::ofstream out(out_path, std::ios::binary);
  out.write(file->data(), static_cast<std::streamsize>(file->size()));
  if (!out) Die("cannot write " + out_path);
  std::printf("{\"rows\": %lld, \"seconds\": %.4f, \"bytes\": %zu, \"threads\": %d}\n", static_cast<long long>(rows),
              secs, file->size(), threads);
  return 0;
}

int Read(int argc, char** argv) {
  int repeat = 3;
  parquet::ParquetReaderOptions options;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--repeat")
      repeat = std::atoi(argv[i + 1]);
    else if (k == "--threads")
      options.threads = std::atoi(argv[i + 1]);
    else
      Die("unknown option " + k);
  }
  std::ifstream in(argv[2], std::ios::binary);
  if (!in) Die(std::string("cannot read ") + argv[2]);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  double best = 1e9;
  int64_t rows = 0;
  uint64_t checksum = 0;
  for (int k = 0; k < repeat; ++k) {
    const double t0 = Now();
    auto reader = parquet::ParquetReader::Open(bytes, argv[2], options);
    if (!reader.ok()) Die(reader.status().ToString());
    rows = 0;
    checksum = 0;
    for (int g = 0; g < reader->num_row_groups(); ++g) {
      auto cols = reader->ReadRowGroup(g);
      if (!cols.ok()) Die(cols.status().ToString());
      rows += static_cast<int64_t>((*cols)[0].size());
      for (const auto& c : *cols) checksum += c.size() + c.null_count() + c.bytes().size();
    }
    best = std::min(best, Now() - t0);
  }
  std::printf("{\"rows\": %lld, \"seconds\": %.4f, \"checksum\": %llu, \"threads\": %d}\n",
              static_cast<long long>(rows), best, static_cast<unsigned long long>(checksum), options.threads);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Keep freed memory in the process instead of returning it to the kernel and faulting it in again for the next
  // row group (pyarrow gets the same from its jemalloc/mimalloc pool).
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  if (argc < 3) Die("usage: write OUT --rows N ... | read IN");
  if (std::string(argv[1]) == "write") return Write(argc, argv);
  if (std::string(argv[1]) == "read") return Read(argc, argv);
  Die("unknown mode");
}
