// Keyed window state for a windowing-TVF aggregation (Flink's window aggregate over TUMBLE, HOP or CUMULATE):
// assigns each event to its event-time windows, keeps one group of accumulators per window and key, and emits one
// final row per window and key when the watermark passes the window's end.
//
// Windows, as Flink's (TimeWindow.getWindowStartWithOffset and the SQL slice assigners), all epoch-aligned and
// shifted by offset_ms, correct for negative times:
//   TUMBLE    [start, start + size) with start = ts - ((ts - offset) mod size), mod taken non-negative
//   HOP       the size / step windows [s, s + size) with s = the step-aligned start of ts, s - step, ... while
//             s > ts - size (size must be a multiple of step)
//   CUMULATE  [s, s + step), [s, s + 2 step) ... [s, s + size) with s the size-aligned start of ts; the event belongs
//             to those whose end is past ts (size must be a multiple of step)
// A window has fired once its end - 1 (Flink's window_time) <= the watermark. An event is late for a fired window:
// it is counted and dropped for that window only, and still updates its windows that have not fired (the result
// Flink's slicing gives).
//
// Aggregates, with SQL and Flink semantics (result types as sql/functions.h types them; `result_type` is trusted):
//   COUNT(*) counts rows; COUNT(x) non-null x. SUM, AVG, MIN, MAX skip nulls and are NULL without a non-null value.
//   SUM of exact integers: BIGINT, an int64 that wraps on overflow like Java's long (what Flink's SUM does).
//   SUM of DECIMAL(p, s): the unscaled value in Int128 at the result scale; a sum outside the result's precision
//     (38 digits) makes the result NULL (Flink's decimal overflow is NULL), and it stays NULL for the window.
//   SUM of FLOAT / DOUBLE: in float / double arithmetic.
//   AVG of exact integers: int64 sum (wrapping, as Flink's) / count, truncated toward zero, in the argument's type.
//   AVG of FLOAT / DOUBLE: double sum / count (FLOAT results rounded to float).
//   AVG of DECIMAL: Int128 sum / count rounded HALF_UP to the result scale; NULL when it overflows the result type.
//   MIN / MAX of any comparable type by DatumCompare.
//   DISTINCT: a per-group hash set of the values seen; a value updates the accumulator only the first time.
//     (MIN/MAX DISTINCT equal MIN/MAX and keep no set.)
//
// State layout (why it is fast and small): windows sit in an ordered map keyed by (end, start), so firing takes
// them from the front in emission order. Each window holds its groups densely: the keys in one flat vector of
// Datums, an open-addressing hash index (linear probing over group ids, key hashes kept beside the ids so probes
// rarely compare datums), and one column per aggregate (a vector per accumulator field, indexed by group id). Add
// hashes the key datums with DatumHash, compares with DatumEquals, and caches the last window it touched, so an
// event for an existing group in the current TUMBLE window does no map lookup and no heap allocation. HOP and
// CUMULATE keep each window separately (no slice sharing): an event updates every window it belongs to. A window's
// state is freed as soon as it fires. Accumulators are fixed-width columns (MIN/MAX of numbers, times and decimals
// too); only MIN/MAX of strings, booleans and the DISTINCT sets hold Datums.
// Measured by bench/window_state_bench.cpp (one STRING key, COUNT(*), AVG, MIN, MAX of a DOUBLE; Release build):
// 1,000,000 keys in one window take 144 bytes per key by EstimatedStateBytes (156 of resident memory), of which the
// key's Datum is 80; the hot path does no heap allocation and runs at about 3 million events per second.
//
// Not thread-safe: one aggregator per operator task.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "floe/base/status.h"
#include "floe/sql/ast.h"
#include "floe/sql/types.h"
#include "floe/stream/datum.h"

namespace floe::stream {

struct WindowSpec {
  sql::WindowKind kind = sql::WindowKind::kTumble;
  int64_t size_ms = 0;
  int64_t step_ms = 0;  // HOP: slide; CUMULATE: step; ignored for TUMBLE
  int64_t offset_ms = 0;
};

struct AggregateSpec {
  std::string function;  // COUNT, SUM, AVG, MIN, MAX
  bool distinct = false;
  bool star = false;          // COUNT(*)
  sql::DataType arg_type;     // ignored for COUNT(*)
  sql::DataType result_type;  // as sql::TypeAggregateCall types it
};

// One window's bounds: [start_ms, end_ms).
struct WindowBounds {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  bool operator==(const WindowBounds&) const = default;
};

namespace window_internal {
class WindowState;
}

class WindowAggregator {
 public:
  static constexpr int64_t kNoWatermark = std::numeric_limits<int64_t>::min();

  struct AddResult {
    int added = 0;                // windows the event was aggregated into
    int late = 0;                 // windows it was late for (already fired)
    int64_t late_window_end = 0;  // the largest end among those late windows; 0 when none
  };

  using EmitFn =
      std::function<void(int64_t window_start_ms, int64_t window_end_ms, const Row& keys, const Row& results)>;

  // InvalidArgument when the spec is unusable: size <= 0, a HOP or CUMULATE step <= 0 or not dividing size, an
  // unknown function, COUNT(*) not COUNT, SUM/AVG of a non-numeric type, or a result type the function cannot have.
  static Status Check(const WindowSpec& spec, const std::vector<AggregateSpec>& aggregates);

  // The windows an event at `event_time_ms` belongs to, in the order Add visits them.
  static std::vector<WindowBounds> WindowsOf(const WindowSpec& spec, int64_t event_time_ms);
  // Flink's TimeWindow.getWindowStartWithOffset: the start of the `size`-aligned window holding `ts`.
  static int64_t WindowStart(int64_t ts, int64_t offset, int64_t size);

  // Precondition: Check(spec, aggregates) is OK.
  WindowAggregator(WindowSpec spec, std::vector<sql::DataType> key_types, std::vector<AggregateSpec> aggregates);
  ~WindowAggregator();
  WindowAggregator(const WindowAggregator&) = delete;
  WindowAggregator& operator=(const WindowAggregator&) = delete;

  // Adds one event: `keys` has one datum per key type, `args` one per aggregate (ignored for COUNT(*)).
  AddResult Add(int64_t event_time_ms, const Row& keys, const Row& args);

  // Raises the watermark to `watermark` (a lower one is ignored) and fires every window with end - 1 <= watermark, in
  // order of window end, then start, then key (ascending by DatumCompare over the keys): `emit` is called once per
  // group with the results in aggregate order; the window's state is freed right after its last group is emitted.
  void AdvanceWatermark(int64_t watermark, const EmitFn& emit);
  int64_t watermark() const { return watermark_; }

  // Checkpointed state: every open window, its groups (keys, accumulators, distinct sets) and the watermark. Version 1
  // binary format: "FLWA" u32 version, u64 body length, the body, u32 crc32c of the body; the body records the
  // window spec, key types and aggregates it was written for, and Restore refuses a snapshot of a different job shape
  // (InvalidArgument) or bad bytes (Corruption, saying what is wrong and where). On error the state is unchanged.
  std::string Snapshot() const;
  Status Restore(std::string_view bytes);

  size_t open_windows() const { return windows_.size(); }
  size_t groups() const;  // over all open windows
  // Heap bytes held by the state: keys (with long strings), hash index, accumulators, distinct sets.
  size_t EstimatedStateBytes() const;

  const WindowSpec& spec() const { return spec_; }
  const std::vector<sql::DataType>& key_types() const { return key_types_; }
  const std::vector<AggregateSpec>& aggregates() const { return aggregates_; }

 private:
  using WindowKey = std::pair<int64_t, int64_t>;  // (end, start): the map's order is the firing order

  window_internal::WindowState* FindOrCreateWindow(int64_t start, int64_t end);
  void AddToWindow(window_internal::WindowState* window, uint64_t key_hash, const Row& keys, const Row& args);
  uint64_t HashKeys(const Row& keys) const;
  std::unique_ptr<window_internal::WindowState> NewWindow(int64_t start, int64_t end) const;
  void EncodeShape(std::string* out) const;

  WindowSpec spec_;
  std::vector<sql::DataType> key_types_;
  std::vector<AggregateSpec> aggregates_;
  int64_t watermark_ = kNoWatermark;
  std::map<WindowKey, std::unique_ptr<window_internal::WindowState>> windows_;
  // The window Add touched last (null after firing or restore): most events of a TUMBLE stream land there.
  window_internal::WindowState* last_window_ = nullptr;
  Row scratch_keys_;
  Row scratch_results_;
};

}  // namespace floe::stream
