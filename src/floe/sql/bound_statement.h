// Bound statements: the binder's output and the stream planner's input. Every name is resolved to an index and
// every expression typed (bound_expression.h); nothing here refers back to the SQL text except positions.
//
// A BoundQuery is evaluated in this order, and each clause's expressions read the row named here:
//   from         a source row: a table's columns (physical, metadata, computed: table_catalog.h); a window's row
//                (the table's columns, then window_start, window_end, window_time); or a subquery's output
//   where        filter over the source row
//   aggregation  when `aggregated`: group_keys and aggregates' arguments over the source row; one row per group,
//                made of the keys (kGroupRef) and the aggregates' results (kAggregateRef)
//   having       filter over the group row
//   projections  over the source row, or over the group row when aggregated; `output` names and types them
//   distinct, order_by (over the same row as projections), limit
// A window aggregation (`window_aggregate`) groups a TUMBLE/HOP/CUMULATE window by its window_start and window_end
// (at group keys window_start_key and window_end_key) plus any other keys: the planner emits one final row per
// window and key when the watermark passes the window's end. Aggregations that are not window aggregations are
// Flink's updating "group aggregations"; whether a planner supports them is its own decision.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "floe/sql/ast.h"
#include "floe/sql/bound_expression.h"
#include "floe/sql/source_position.h"
#include "floe/sql/table_catalog.h"
#include "floe/sql/types.h"

namespace floe::sql {

struct BoundColumn {
  std::string name;
  DataType type;
  bool time_attribute = false;  // a rowtime column: a table's WATERMARK column, or a window's window_time
  SourcePosition pos;           // where it was declared or selected
};

// A window table function. Window bounds are epoch-aligned multiples of the step (TUMBLE: size) shifted by offset,
// as Flink's; window_start and window_end are TIMESTAMP(3) NOT NULL, window_time = window_end - 1 ms has the time
// column's type and is the new time attribute (the table's time column becomes a plain timestamp).
struct BoundWindow {
  WindowKind kind = WindowKind::kTumble;
  int time_column = -1;  // index into the table's columns
  int64_t size_ms = 0;
  int64_t step_ms = 0;  // HOP: slide; CUMULATE: step; TUMBLE: 0
  int64_t offset_ms = 0;

  std::string ToString(const std::string& table, const std::string& time_column_name) const;
};

struct BoundQuery;

enum class BoundSourceKind { kNone, kTable, kWindow, kSubquery };

struct BoundSource {
  BoundSource();
  BoundSource(BoundSource&&) noexcept;
  BoundSource& operator=(BoundSource&&) noexcept;
  ~BoundSource();

  BoundSourceKind kind = BoundSourceKind::kNone;  // kNone: SELECT without FROM (one empty row)
  std::shared_ptr<const TableDefinition> table;   // kTable, kWindow
  std::optional<BoundWindow> window;              // kWindow
  std::unique_ptr<BoundQuery> subquery;           // kSubquery
  std::string alias;                              // the FROM item's alias, if any
  std::vector<BoundColumn> columns;               // the row it produces
};

struct BoundAggregate {
  std::string function;  // COUNT, SUM, AVG, MIN, MAX (functions.h)
  bool distinct = false;
  std::vector<BoundExprPtr> args;  // empty for COUNT(*)
  DataType type;

  std::string ToString() const;  // "COUNT(*)", "AVG(temperature#2)", "COUNT(DISTINCT sensor_id#0)"
};

struct BoundOrderItem {
  BoundExprPtr expr;
  bool descending = false;
  bool nulls_first = true;  // NULL sorts as the smallest value unless the query says otherwise (Flink's default)
};

struct BoundQuery {
  BoundSource from;
  BoundExprPtr where;
  bool aggregated = false;
  std::vector<BoundExprPtr> group_keys;
  std::vector<BoundAggregate> aggregates;
  bool window_aggregate = false;
  int window_start_key = -1;  // group key indexes, when window_aggregate
  int window_end_key = -1;
  BoundExprPtr having;
  std::vector<BoundExprPtr> projections;
  std::vector<BoundColumn> output;
  bool distinct = false;
  std::vector<BoundOrderItem> order_by;
  std::optional<int64_t> limit;

  // A readable plan, one clause per line, nested subqueries indented; the format of the .test files.
  std::string ToString(int indent = 0) const;
};

struct BoundInsert {
  std::shared_ptr<const TableDefinition> sink;
  std::vector<int> target_columns;  // the sink column each output column is written to; unlisted ones get NULL
  BoundQuery query;                 // its projections already converted to the sink columns' types
  SourcePosition pos;

  std::string ToString() const;
};

struct BoundStatement {
  StatementKind kind = StatementKind::kQuery;
  SourcePosition pos;
  std::shared_ptr<const TableDefinition> table;  // kCreateTable: the new table; null if IF NOT EXISTS found one
  std::vector<BoundInsert> inserts;              // kInsert: one; kStatementSet: one per INSERT
  std::unique_ptr<BoundQuery> query;             // kQuery
  std::string key;                               // kSet
  std::string value;                             // kSet

  std::string ToString() const;
};

// A whole job file, bound.
struct BoundScript {
  TableCatalog catalog;
  std::vector<std::pair<std::string, std::string>> settings;  // SET, in file order
  std::vector<BoundInsert> inserts;                           // in file order, statement sets flattened
  std::vector<BoundQuery> queries;                            // plain SELECT statements

  // The value of the last SET of `key`, or null.
  const std::string* FindSetting(std::string_view key) const;
};

}  // namespace floe::sql
