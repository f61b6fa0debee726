// The binder: from parsed statements (ast.h) to bound ones (bound_statement.h). It resolves every name against the
// tables the job declares, types every expression, and checks what Flink checks before it runs a job:
//   - columns exist and are not ambiguous ("unknown column 'tempx' in table telemetry (did you mean 'temp'?)");
//     identifiers are case-sensitive, as in Flink;
//   - operands meet in a common type ("type mismatch: cannot compare STRING with INT"), with Flink's numeric
//     promotion; implicit casts become explicit CAST nodes;
//   - in an aggregated query every column read outside an aggregate is a GROUP BY key; aggregates are not nested
//     and not in WHERE or GROUP BY;
//   - a window function's DESCRIPTOR column is a time attribute (a column with a WATERMARK, TIMESTAMP(3) or
//     TIMESTAMP_LTZ(3)); its size, slide and step are positive interval literals, and HOP's size and CUMULATE's
//     size are whole multiples of the slide or step;
//   - CREATE TABLE: unique columns; computed columns over physical and metadata columns; WATERMARK FOR a
//     TIMESTAMP(p <= 3) or TIMESTAMP_LTZ(p <= 3) column with an expression of the same kind; PRIMARY KEY and
//     PARTITIONED BY columns physical (primary-key columns become NOT NULL, as Flink makes them); unique option keys;
//   - INSERT: the query's column count is the sink's (or the listed columns'), each query column widens to its
//     sink column (INT into BIGINT, TIMESTAMP(3) into TIMESTAMP_LTZ(3)), never narrows (BIGINT into INT, DOUBLE
//     into FLOAT), and sink columns left out of a column list are nullable. A nullable query column may go into a
//     NOT NULL sink column: as in Flink (table.exec.sink.not-null-enforcer), that is checked for each row written,
//     by the sink.
// Errors are InvalidArgument "line L, column C: <reason>" at the offending token (source_position.h).
//
// The binder does not interpret WITH options (connector, format, ...): the stream layer that opens the connectors
// does, with the table's position for its messages.
#pragma once

#include <string_view>

#include "floe/base/status.h"
#include "floe/sql/ast.h"
#include "floe/sql/bound_statement.h"
#include "floe/sql/table_catalog.h"

namespace floe::sql {

class Binder {
 public:
  Binder() = default;
  // Starts from the tables of `catalog` (e.g. tables a catalog service provides).
  explicit Binder(TableCatalog catalog) : catalog_(std::move(catalog)) {}

  // Binds one statement against the tables declared so far. A CREATE TABLE adds its table for the statements after
  // it (CREATE TABLE IF NOT EXISTS of an existing table binds to a statement without a table).
  Result<BoundStatement> Bind(const Statement& statement);

  const TableCatalog& catalog() const { return catalog_; }
  TableCatalog TakeCatalog() { return std::move(catalog_); }

 private:
  TableCatalog catalog_;
};

// Parses and binds a job file (or any script): its CREATE TABLE statements are the catalog of its INSERTs and
// queries, its SETs its settings. Positions in errors are positions in `sql`.
Result<BoundScript> BindScript(std::string_view sql);

}  // namespace floe::sql
