// The tables a job declares with CREATE TABLE, as the binder resolves them: columns with their types, computed
// columns and the watermark as bound expressions, keys, partitioning and connector options. The binder's catalog:
// a job file is its own catalog (as a Flink SQL script with CREATE TABLE statements is).
//
// Columns, in declaration order, are of three kinds, as Flink's:
//   physical   read from (or written to) the connector: `sensor_id STRING`
//   metadata   read from the connector's metadata: `event_time TIMESTAMP_LTZ(3) METADATA FROM 'timestamp'`;
//              a VIRTUAL one is read-only (not written by an INSERT)
//   computed   `ts AS TO_TIMESTAMP_LTZ(ts_ms, 3)`: `expression` over the table's physical and metadata columns
//              (kColumnRef indexes are positions in `columns`), computed by the source for every row
// A time attribute is the column a WATERMARK is declared for: TIMESTAMP(p) or TIMESTAMP_LTZ(p), p <= 3. Window
// table functions (TUMBLE, HOP, CUMULATE) take their time column from these.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "floe/sql/bound_expression.h"
#include "floe/sql/source_position.h"
#include "floe/sql/types.h"

namespace floe::sql {

enum class ColumnKind { kPhysical, kMetadata, kComputed };

struct TableColumn {
  std::string name;
  DataType type;
  ColumnKind kind = ColumnKind::kPhysical;
  BoundExprPtr expression;   // kComputed
  std::string metadata_key;  // kMetadata: the FROM key, or the column's name
  bool is_virtual = false;   // kMetadata
  bool time_attribute = false;
  std::optional<std::string> comment;
  SourcePosition pos;

  // Whether an INSERT writes this column: physical, or metadata that is not VIRTUAL.
  bool writable() const { return kind == ColumnKind::kPhysical || (kind == ColumnKind::kMetadata && !is_virtual); }
};

struct WatermarkSpec {
  int column = -1;          // the time attribute, an index into `columns`
  BoundExprPtr expression;  // over the table's columns
  // Set when the expression is `column - INTERVAL '...'` (or just `column`): the fixed delay, which is how
  // Flink's bounded-out-of-orderness strategy reads it. Unset for other expressions.
  std::optional<int64_t> delay_ms;
};

struct TableDefinition {
  std::string name;  // as declared; a qualified name is joined with '.' (catalog.db.table)
  SourcePosition pos;
  bool temporary = false;
  std::vector<TableColumn> columns;
  std::optional<WatermarkSpec> watermark;
  std::vector<int> primary_key;                              // indexes into `columns`
  std::vector<int> partition_keys;                           // indexes into `columns`
  std::vector<std::pair<std::string, std::string>> options;  // WITH (...), in order; keys unique
  std::optional<std::string> comment;

  // The index of the column named `name` (case-sensitive), or -1.
  int FindColumn(std::string_view name) const;
  std::vector<std::string> ColumnNames() const;
  // The value of option `key`, or null.
  const std::string* FindOption(std::string_view key) const;

  // A readable description for tests and `floe job` output: one line per column, watermark, key and option.
  std::string ToString() const;
};

class TableCatalog {
 public:
  // Adds `table`. AlreadyExists if a table of that name is there.
  Status Add(std::shared_ptr<const TableDefinition> table);
  // The table named `name` (case-sensitive, as declared), or null.
  std::shared_ptr<const TableDefinition> Find(std::string_view name) const;
  std::vector<std::string> TableNames() const;
  const std::vector<std::shared_ptr<const TableDefinition>>& tables() const { return tables_; }

 private:
  std::vector<std::shared_ptr<const TableDefinition>> tables_;
};

}  // namespace floe::sql
