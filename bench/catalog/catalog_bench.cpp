// Catalog commit throughput and load latency under concurrent writers (issue 6: >= 500 commits/s, p99 load-table
// <= 5 ms with 8 writers), against any Iceberg REST catalog: floe's (`floe catalog`) or a peer such as Nessie.
//
//   floe_bench_catalog --catalog URL [--writers 8] [--commits 100] [--loads 200] [--namespace bench]
//
// Each writer is a thread with its own RestCatalogClient (its own HTTP connection), as separate writer processes
// would be. It (re)creates its table NS.w<i> (schema: id long required, ts timestamptz, value double, note string;
// unpartitioned), then all writers start together and each makes `--commits` real Iceberg appends to its own table:
// every commit writes a new 4-row Parquet data file and appends it with iceberg::AppendFiles through
// CatalogTableOperations, which is what a stream sink does on each checkpoint: LoadTable, a new manifest and manifest
// list, then the REST commit (requirements + updates; the catalog writes the new metadata file). A fresh data file
// per commit (rather than one file appended again and again, which Iceberg allows but nobody does) keeps every
// snapshot a plausible one. Then all writers start together again and each makes `--loads` LoadTable calls on its
// table, which by then holds `--commits` snapshots; then `--loads` plain HTTP GETs of the same table (the response
// read whole, not parsed), which is the catalog's share of a load without the client's JSON parsing.
//
// Table files go through the FileIO the client gets: local paths, or S3 with the endpoint from the catalog's
// /v1/config overrides and credentials from the usual AWS_* environment variables (io::FileIOConfig).
//
// Prints one JSON object on stdout:
//   commits_per_s    successful appends over the wall time of the commit phase, all writers together
//   append_ms        end-to-end latency of one append (data file + LoadTable + manifests + commit): p50/p99/max
//   commit_ms        the catalog commit request alone (CommitTable, the POST), p50/p99/max
//   commit_load_ms   the LoadTable each append starts with, p50/p99/max
//   loads_per_s, load_ms   the load phase (RestCatalogClient::LoadTable: request, response, metadata parsed)
//   raw_loads_per_s, raw_load_ms   the same GETs over HTTP, the body read but not parsed; load_bytes its size
//   errors, first_error    failed appends or loads (a failed operation is counted, not retried beyond what
//                          AppendFiles itself does on a conflict)
// Exit status 1 when the setup fails (catalog unreachable, table not creatable), 2 for bad flags.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "floe/base/status.h"
#include "floe/catalog/catalog.h"
#include "floe/catalog/rest_catalog_client.h"
#include "floe/formats/column_vector.h"
#include "floe/iceberg/data_file_writer.h"
#include "floe/iceberg/iceberg_types.h"
#include "floe/iceberg/table_updates.h"
#include "floe/io/http_client.h"

namespace floe::bench {
namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// A Catalog that forwards to another and times LoadTable and CommitTable, so that the catalog's share of an append
// can be told from the client's own work (data file, manifests). Used by one thread only.
class TimedCatalog final : public catalog::Catalog {
 public:
  explicit TimedCatalog(catalog::Catalog& inner) : inner_(inner) {}

  Result<std::vector<catalog::Namespace>> ListNamespaces(const catalog::Namespace& parent) override {
    return inner_.ListNamespaces(parent);
  }
  Status CreateNamespace(const catalog::Namespace& ns, const catalog::Properties& properties,
                         const catalog::CommitMeta& meta) override {
    return inner_.CreateNamespace(ns, properties, meta);
  }
  Result<catalog::Properties> LoadNamespace(const catalog::Namespace& ns) override { return inner_.LoadNamespace(ns); }
  Status UpdateNamespaceProperties(const catalog::Namespace& ns, const std::vector<std::string>& removals,
                                   const catalog::Properties& updates, const catalog::CommitMeta& meta) override {
    return inner_.UpdateNamespaceProperties(ns, removals, updates, meta);
  }
  Status DropNamespace(const catalog::Namespace& ns, const catalog::CommitMeta& meta) override {
    return inner_.DropNamespace(ns, meta);
  }
  Result<std::vector<catalog::TableIdentifier>> ListTables(const catalog::Namespace& ns) override {
    return inner_.ListTables(ns);
  }
  Result<iceberg::TableState> CreateTable(const catalog::Namespace& ns, const catalog::CreateTableRequest& request,
                                          const catalog::CommitMeta& meta) override {
    return inner_.CreateTable(ns, request, meta);
  }
  Result<iceberg::TableState> LoadTable(const catalog::TableIdentifier& table) override {
    const auto start = Clock::now();
    auto r = inner_.LoadTable(table);
    load_ms.push_back(MsSince(start));
    return r;
  }
  Result<iceberg::TableState> CommitTable(const catalog::TableCommit& commit,
                                          const catalog::CommitMeta& meta) override {
    const auto start = Clock::now();
    auto r = inner_.CommitTable(commit, meta);
    commit_ms.push_back(MsSince(start));
    return r;
  }
  Status CommitTransaction(const std::vector<catalog::TableCommit>& commits, const catalog::CommitMeta& meta) override {
    return inner_.CommitTransaction(commits, meta);
  }
  Status DropTable(const catalog::TableIdentifier& table, bool purge, const catalog::CommitMeta& meta) override {
    return inner_.DropTable(table, purge, meta);
  }
  Status RenameTable(const catalog::TableIdentifier& from, const catalog::TableIdentifier& to,
                     const catalog::CommitMeta& meta) override {
    return inner_.RenameTable(from, to, meta);
  }
  Result<std::shared_ptr<io::FileIO>> FileIOFor(std::string_view location) override {
    return inner_.FileIOFor(location);
  }

  std::vector<double> load_ms;
  std::vector<double> commit_ms;

 private:
  catalog::Catalog& inner_;
};

struct Flags {
  std::string catalog;
  int writers = 8;
  int commits = 100;
  int loads = 200;
  std::string ns = "bench";
};

// What one writer measured.
struct WriterResult {
  std::vector<double> append_ms;
  std::vector<double> commit_ms;
  std::vector<double> commit_load_ms;
  std::vector<double> load_ms;
  std::vector<double> raw_load_ms;
  size_t load_bytes = 0;
  int committed = 0;
  int errors = 0;
  std::string first_error;
};

iceberg::NestedField Field(int32_t id, std::string name, bool required, iceberg::TypeId type) {
  iceberg::NestedField f;
  f.id = id;
  f.name = std::move(name);
  f.required = required;
  f.type = iceberg::Type::Primitive(type);
  return f;
}

iceberg::Schema BenchSchema() {
  return iceberg::Schema(
      0, {Field(1, "id", true, iceberg::TypeId::kLong), Field(2, "ts", false, iceberg::TypeId::kTimestampTz),
          Field(3, "value", false, iceberg::TypeId::kDouble), Field(4, "note", false, iceberg::TypeId::kString)});
}

// Writes one 4-row data file for commit `n` of writer `w` and returns its DataFile entries.
Result<std::vector<iceberg::DataFile>> WriteDataFile(io::FileIO* io, const iceberg::TableMetadata& m, int w, int n) {
  iceberg::DataFileWriterOptions options;
  options.file_prefix = fmt::format("w{}-c{:06d}", w, n);
  FLOE_ASSIGN_OR_RETURN(
      iceberg::DataFileWriter writer,
      iceberg::DataFileWriter::Make(io, m.CurrentSchema(), m.DefaultSpec(), m.location + "/data", options));
  std::vector<formats::ColumnVector> batch;
  batch.emplace_back(formats::DataType{formats::ColumnType::kInt64});
  batch.emplace_back(formats::DataType{formats::ColumnType::kTimestampTz});
  batch.emplace_back(formats::DataType{formats::ColumnType::kDouble});
  batch.emplace_back(formats::DataType{formats::ColumnType::kString});
  for (int r = 0; r < 4; ++r) {
    const int64_t id = int64_t{n} * 4 + r;
    batch[0].Append<int64_t>(id);
    batch[1].Append<int64_t>(int64_t{1'700'000'000'000'000} + id * 1'000'000);
    batch[2].Append<double>(id * 0.5);
    batch[3].AppendString(fmt::format("writer {} row {}", w, id));
  }
  FLOE_RETURN_IF_ERROR(writer.Write(batch));
  return writer.Finish();
}

// Connects and (re)creates the writer's table; the namespace is created by whoever gets there first.
Status Setup(const Flags& flags, int w, std::unique_ptr<catalog::RestCatalogClient>* client,
             catalog::TableIdentifier* table, std::shared_ptr<io::FileIO>* io) {
  catalog::RestCatalogOptions options;
  options.uri = flags.catalog;
  FLOE_ASSIGN_OR_RETURN(*client, catalog::RestCatalogClient::Connect(std::move(options)));
  const catalog::Namespace ns{flags.ns};
  Status created_ns = (*client)->CreateNamespace(ns, {}, {"floe-bench", "bench namespace"});
  // Nessie 0.99 answers an existing namespace with a 409 whose error has no type, which the client takes for a
  // Conflict rather than AlreadyExists: either is fine when the namespace is there now.
  if (!created_ns.ok() && !(*client)->LoadNamespace(ns).ok()) return created_ns;
  *table = catalog::TableIdentifier{ns, fmt::format("w{}", w)};
  Status dropped = (*client)->DropTable(*table, false, {"floe-bench", "drop old bench table"});
  if (!dropped.ok() && dropped.code() != StatusCode::kNotFound) return dropped;
  catalog::CreateTableRequest request;
  request.name = table->name;
  request.schema = BenchSchema();
  FLOE_ASSIGN_OR_RETURN(iceberg::TableState state,
                        (*client)->CreateTable(ns, request, {"floe-bench", "create bench table"}));
  FLOE_ASSIGN_OR_RETURN(*io, (*client)->FileIOFor(state.metadata.location));
  return Status::Ok();
}

void NoteError(WriterResult* r, const Status& s, const std::string& what) {
  if (r->errors++ == 0) r->first_error = what + ": " + s.ToString();
}

struct Summary {
  double p50 = 0, p99 = 0, max = 0;
};

// Nearest-rank percentiles.
Summary Summarize(std::vector<double> v) {
  Summary s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  auto rank = [&](double q) {
    const size_t i = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[std::min(v.size() - 1, i == 0 ? 0 : i - 1)];
  };
  s.p50 = rank(0.50);
  s.p99 = rank(0.99);
  s.max = v.back();
  return s;
}

std::string Json(const Summary& s) {
  return fmt::format("{{\"p50\": {:.3f}, \"p99\": {:.3f}, \"max\": {:.3f}}}", s.p50, s.p99, s.max);
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

int Usage(const std::string& why) {
  std::fprintf(stderr,
               "floe_bench_catalog: %s\nusage: floe_bench_catalog --catalog URL [--writers N] [--commits N] "
               "[--loads N] [--namespace NS]\n",
               why.c_str());
  return 2;
}

int Main(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return Usage(arg + " needs a value");
    const std::string value = argv[++i];
    auto number = [&](int* out) {
      char* end = nullptr;
      const long v = std::strtol(value.c_str(), &end, 10);
      if (*end != '\0' || v < 1 || v > 1'000'000) return false;
      *out = static_cast<int>(v);
      return true;
    };
    bool ok = true;
    if (arg == "--catalog") {
      flags.catalog = value;
    } else if (arg == "--writers") {
      ok = number(&flags.writers);
    } else if (arg == "--commits") {
      ok = number(&flags.commits);
    } else if (arg == "--loads") {
      ok = number(&flags.loads);
    } else if (arg == "--namespace") {
      flags.ns = value;
    } else {
      return Usage("unknown flag " + arg);
    }
    if (!ok) return Usage(arg + ": expected a positive integer, got '" + value + "'");
  }
  if (flags.catalog.empty()) return Usage("--catalog is required");

  const int n = flags.writers;
  std::vector<WriterResult> results(static_cast<size_t>(n));
  std::atomic<bool> setup_ok{true};
  Clock::time_point commit_start, commit_end, load_start, load_end, raw_end;
  // Phase boundaries: the completion step runs once per phase, on the last thread to arrive.
  int phase = 0;
  auto on_phase = [&]() noexcept {
    const auto now = Clock::now();
    switch (phase++) {
      case 0: commit_start = now; break;
      case 1: commit_end = load_start = now; break;
      case 2: load_end = now; break;
      case 3: raw_end = now; break;
    }
  };
  std::barrier sync(n, on_phase);

  std::vector<std::thread> threads;
  for (int w = 0; w < n; ++w) {
    threads.emplace_back([&, w] {
      WriterResult& r = results[static_cast<size_t>(w)];
      std::unique_ptr<catalog::RestCatalogClient> client;
      catalog::TableIdentifier table;
      std::shared_ptr<io::FileIO> io;
      Status setup = Setup(flags, w, &client, &table, &io);
      if (!setup.ok()) {
        NoteError(&r, setup, fmt::format("writer {} setup", w));
        setup_ok = false;
      }
      sync.arrive_and_wait();
      if (setup_ok) {
        TimedCatalog timed(*client);
        catalog::CatalogTableOperations ops(timed, table, io, {"floe-bench", "bench append"});
        iceberg::TableMetadata current;
        if (auto loaded = client->LoadTable(table); loaded.ok()) current = std::move(loaded->metadata);
        for (int c = 0; c < flags.commits; ++c) {
          const auto start = Clock::now();
          auto files = WriteDataFile(io.get(), current, w, c);
          if (!files.ok()) {
            NoteError(&r, files.status(), fmt::format("writer {} data file {}", w, c));
            continue;
          }
          auto committed = iceberg::AppendFiles(ops, *files);
          r.append_ms.push_back(MsSince(start));
          if (!committed.ok()) {
            NoteError(&r, committed.status(), fmt::format("writer {} append {}", w, c));
            continue;
          }
          ++r.committed;
          current = std::move(committed->metadata);
        }
        r.commit_ms = std::move(timed.commit_ms);
        r.commit_load_ms = std::move(timed.load_ms);
      }
      sync.arrive_and_wait();
      if (setup_ok) {
        r.load_ms.reserve(static_cast<size_t>(flags.loads));
        for (int l = 0; l < flags.loads; ++l) {
          const auto start = Clock::now();
          auto loaded = client->LoadTable(table);
          r.load_ms.push_back(MsSince(start));
          if (!loaded.ok()) NoteError(&r, loaded.status(), fmt::format("writer {} load {}", w, l));
        }
      }
      sync.arrive_and_wait();
      if (setup_ok) {
        io::HttpClient http;
        const std::string& prefix = client->prefix();
        const std::string url = flags.catalog + "/v1/" + (prefix.empty() ? "" : io::HttpClient::Escape(prefix) + "/") +
                                "namespaces/" + io::HttpClient::Escape(flags.ns) + "/tables/" + table.name;
        r.raw_load_ms.reserve(static_cast<size_t>(flags.loads));
        for (int l = 0; l < flags.loads; ++l) {
          const auto start = Clock::now();
          auto got = http.Send("GET", url, {});
          r.raw_load_ms.push_back(MsSince(start));
          if (!got.ok()) {
            NoteError(&r, got.status(), fmt::format("writer {} GET {}", w, url));
          } else if (got->status != 200) {
            NoteError(&r, Status::Unavailable(fmt::format("status {}", got->status)), fmt::format("GET {}", url));
          } else {
            r.load_bytes = got->body.size();
          }
        }
      }
      sync.arrive_and_wait();
    });
  }
  for (std::thread& t : threads) t.join();

  std::vector<double> append_ms, commit_ms, commit_load_ms, load_ms, raw_load_ms;
  size_t load_bytes = 0;
  int errors = 0;
  std::string first_error;
  size_t ok_commits = 0;
  for (const WriterResult& r : results) {
    append_ms.insert(append_ms.end(), r.append_ms.begin(), r.append_ms.end());
    commit_ms.insert(commit_ms.end(), r.commit_ms.begin(), r.commit_ms.end());
    commit_load_ms.insert(commit_load_ms.end(), r.commit_load_ms.begin(), r.commit_load_ms.end());
    load_ms.insert(load_ms.end(), r.load_ms.begin(), r.load_ms.end());
    raw_load_ms.insert(raw_load_ms.end(), r.raw_load_ms.begin(), r.raw_load_ms.end());
    load_bytes = std::max(load_bytes, r.load_bytes);
    ok_commits += static_cast<size_t>(r.committed);
    errors += r.errors;
    if (first_error.empty()) first_error = r.first_error;
  }
  if (!setup_ok) {
    std::fprintf(stderr, "floe_bench_catalog: %s\n", first_error.c_str());
    return 1;
  }
  const double commit_seconds = std::chrono::duration<double>(commit_end - commit_start).count();
  const double load_seconds = std::chrono::duration<double>(load_end - load_start).count();
  const double raw_seconds = std::chrono::duration<double>(raw_end - load_end).count();
  fmt::print(
      "{{\"catalog\": {}, \"writers\": {}, \"commits_per_writer\": {}, \"commits\": {}, \"commit_seconds\": {:.3f}, "
      "\"commits_per_s\": {:.1f}, \"append_ms\": {}, \"commit_ms\": {}, \"commit_load_ms\": {}, "
      "\"loads\": {}, \"load_seconds\": {:.3f}, \"loads_per_s\": {:.1f}, \"load_ms\": {}, \"raw_loads_per_s\": {:.1f}, "
      "\"raw_load_ms\": {}, \"load_bytes\": {}, \"errors\": {}, \"first_error\": {}}}\n",
      JsonString(flags.catalog), n, flags.commits, ok_commits, commit_seconds,
      static_cast<double>(ok_commits) / commit_seconds, Json(Summarize(append_ms)), Json(Summarize(commit_ms)),
      Json(Summarize(commit_load_ms)), load_ms.size(), load_seconds, static_cast<double>(load_ms.size()) / load_seconds,
      Json(Summarize(load_ms)), static_cast<double>(raw_load_ms.size()) / raw_seconds, Json(Summarize(raw_load_ms)),
      load_bytes, errors, JsonString(first_error));
  return 0;
}

}  // namespace
}  // namespace floe::bench

int main(int argc, char** argv) {
  return floe::bench::Main(argc, argv);
}
