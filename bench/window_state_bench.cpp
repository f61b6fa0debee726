// Window aggregation state: the cost of WindowAggregator::Add on the hot path (TUMBLE, one string key, the
// telemetry job's aggregates) and the memory one group takes.
//
// Phase 1: 1,000,000 distinct sensor ids in one window; reports the aggregator's EstimatedStateBytes per key and the
// process's resident-set growth per key (what malloc really took). Phase 2: 100,000 keys, 20 events each into the
// same window, after every group exists; reports events per second and the heap allocations counted during that
// loop (expected 0). Prints one JSON object.
//
// Usage: floe_bench_window_state [distinct_keys] [hot_keys] [events_per_hot_key]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <new>
#include <string>
#include <vector>

#include "floe/sql/functions.h"
#include "floe/stream/window_aggregator.h"

namespace {

size_t g_allocations = 0;

size_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages_total = 0;
  size_t pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return pages_resident * 4096;
}

floe::stream::AggregateSpec Agg(const char* function, floe::sql::DataType arg, bool star = false) {
  floe::stream::AggregateSpec spec;
  spec.function = function;
  spec.star = star;
  spec.arg_type = arg;
  auto type = floe::sql::TypeAggregateCall(
      function, star, star ? std::vector<floe::sql::DataType>{} : std::vector<floe::sql::DataType>{arg}, true);
  spec.result_type = *type;
  return spec;
}

std::unique_ptr<floe::stream::WindowAggregator> MakeAggregator() {
  using floe::sql::DataType;
  std::vector<floe::stream::AggregateSpec> aggs = {Agg("COUNT", DataType::Null(), true), Agg("AVG", DataType::Double()),
                                                   Agg("MIN", DataType::Double()), Agg("MAX", DataType::Double())};
  return std::make_unique<floe::stream::WindowAggregator>(
      floe::stream::WindowSpec{floe::sql::WindowKind::kTumble, 60000, 0, 0}, std::vector<DataType>{DataType::String()},
      aggs);
}

std::string SensorId(int i) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "sensor-%07d", i);
  return buf;
}

}  // namespace

void* operator new(size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, size_t) noexcept {
  std::free(p);
}

int main(int argc, char** argv) {
  using floe::stream::Datum;
  using floe::stream::Row;
  const int distinct_keys = argc > 1 ? std::atoi(argv[1]) : 1000000;
  const int hot_keys = argc > 2 ? std::atoi(argv[2]) : 100000;
  const int events_per_hot_key = argc > 3 ? std::atoi(argv[3]) : 20;

  // Phase 1: memory per group.
  size_t state_bytes_per_key = 0;
  double rss_bytes_per_key = 0;
  {
    std::vector<Row> keys;
    keys.reserve(distinct_keys);
    for (int i = 0; i < distinct_keys; ++i) keys.push_back(Row{Datum::String(SensorId(i))});
    Row args = {Datum::Null(), Datum::Double(21.5), Datum::Double(21.5), Datum::Double(21.5)};
    size_t rss_before = ResidentBytes();
    auto agg = MakeAggregator();
    for (int i = 0; i < distinct_keys; ++i) agg->Add(1000, keys[i], args);
    size_t rss_after = ResidentBytes();
    state_bytes_per_key = agg->EstimatedStateBytes() / static_cast<size_t>(distinct_keys);
    rss_bytes_per_key = static_cast<double>(rss_after - rss_before) / distinct_keys;
    size_t emitted = 0;
    agg->AdvanceWatermark(60000, [&](int64_t, int64_t, const Row&, const Row&) { ++emitted; });
    if (emitted != static_cast<size_t>(distinct_keys) || agg->groups() != 0) {
      std::fprintf(stderr, "phase 1: emitted %zu of %d groups\n", emitted, distinct_keys);
      return 1;
    }
  }

  // Phase 2: the hot path once every group exists.
  std::vector<Row> keys;
  keys.reserve(hot_keys);
  for (int i = 0; i < hot_keys; ++i) keys.push_back(Row{Datum::String(SensorId(i))});
  auto agg = MakeAggregator();
  Row args = {Datum::Null(), Datum::Double(0), Datum::Double(0), Datum::Double(0)};
  for (int i = 0; i < hot_keys; ++i) agg->Add(0, keys[i], args);
  const int64_t events = static_cast<int64_t>(hot_keys) * events_per_hot_key;
  size_t allocations_before = g_allocations;
  auto start = std::chrono::steady_clock::now();
  uint32_t x = 1;
  for (int64_t e = 0; e < events; ++e) {
    x = x * 1664525u + 1013904223u;
    double t = static_cast<double>(x >> 20) / 64.0;
    args[1].d = t;
    args[2].d = t;
    args[3].d = t;
    agg->Add(e % 60000, keys[(x >> 8) % static_cast<uint32_t>(hot_keys)], args);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  size_t hot_allocations = g_allocations - allocations_before;
  int64_t counted = 0;
  agg->AdvanceWatermark(60000, [&](int64_t, int64_t, const Row&, const Row& r) { counted += r[0].i; });
  if (counted != events + hot_keys) {
    std::fprintf(stderr, "phase 2: counted %lld events, expected %lld\n", static_cast<long long>(counted),
                 static_cast<long long>(events + hot_keys));
    return 1;
  }
  std::printf(
      "{\"distinct_keys\": %d, \"state_bytes_per_key\": %zu, \"rss_bytes_per_key\": %.1f, \"hot_keys\": %d, "
      "\"events\": %lld, \"events_per_second\": %.0f, \"hot_path_allocations\": %zu}\n",
      distinct_keys, state_bytes_per_key, rss_bytes_per_key, hot_keys, static_cast<long long>(events),
      static_cast<double>(events) / seconds, hot_allocations);
  return 0;
}
