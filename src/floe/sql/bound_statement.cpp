#include "floe/sql/bound_statement.h"

#include "floe/sql/value.h"

namespace floe::sql {
namespace {

std::string Interval(int64_t ms) {
  return Value::Int64(DataType::IntervalDayTime(), ms).ToSql();
}

std::string Typed(const BoundExprPtr& e) {
  return e->ToString() + " " + e->type.ToString();
}

}  // namespace

BoundSource::BoundSource() = default;
BoundSource::BoundSource(BoundSource&&) noexcept = default;
BoundSource& BoundSource::operator=(BoundSource&&) noexcept = default;
BoundSource::~BoundSource() = default;

std::string BoundWindow::ToString(const std::string& table, const std::string& time_column_name) const {
  std::string out = std::string(WindowKindName(kind)) + "(" + table + ", time " + time_column_name + "#" +
                    std::to_string(time_column);
  if (kind == WindowKind::kHop) out += ", slide " + Interval(step_ms);
  if (kind == WindowKind::kCumulate) out += ", step " + Interval(step_ms);
  out += ", size " + Interval(size_ms);
  if (offset_ms != 0) out += ", offset " + Interval(offset_ms);
  return out + ")";
}

std::string BoundAggregate::ToString() const {
  if (args.empty()) return function + "(*)";
  std::string out = function + "(" + (distinct ? "DISTINCT " : "");
  for (size_t i = 0; i < args.size(); ++i) out += (i ? ", " : "") + args[i]->ToString();
  return out + ")";
}

std::string BoundQuery::ToString(int indent) const {
  std::string pad(static_cast<size_t>(indent), ' ');
  std::string out = pad + (distinct ? "select distinct" : "select");
  if (window_aggregate) out += " (window aggregate)";
  out += "\n";
  std::string alias = from.alias.empty() ? "" : " AS " + from.alias;
  switch (from.kind) {
    case BoundSourceKind::kNone: break;
    case BoundSourceKind::kTable: out += pad + "from " + from.table->name + alias + "\n"; break;
    case BoundSourceKind::kWindow: {
      const std::string& time_name = from.table->columns[static_cast<size_t>(from.window->time_column)].name;
      out += pad + "from " + from.window->ToString(from.table->name, time_name) + alias + "\n";
      break;
    }
    case BoundSourceKind::kSubquery:
      out += pad + "from subquery" + alias + "\n" + from.subquery->ToString(indent + 2);
      break;
  }
  if (where) out += pad + "where " + where->ToString() + "\n";
  for (size_t i = 0; i < group_keys.size(); ++i) {
    out += pad + "group key" + std::to_string(i) + " := " + Typed(group_keys[i]) + "\n";
  }
  for (size_t i = 0; i < aggregates.size(); ++i) {
    out += pad + "aggregate agg" + std::to_string(i) + " := " + aggregates[i].ToString() + " " +
           aggregates[i].type.ToString() + "\n";
  }
  if (aggregated && group_keys.empty() && aggregates.empty()) out += pad + "aggregate (no keys, no aggregates)\n";
  if (having) out += pad + "having " + having->ToString() + "\n";
  for (size_t i = 0; i < projections.size(); ++i) {
    out += pad + "output " + output[i].name + " := " + Typed(projections[i]);
    if (output[i].time_attribute) out += " *ROWTIME*";
    out += "\n";
  }
  for (const BoundOrderItem& o : order_by) {
    out += pad + "order by " + o.expr->ToString() + (o.descending ? " DESC" : " ASC") +
           (o.nulls_first ? " NULLS FIRST" : " NULLS LAST") + "\n";
  }
  if (limit) out += pad + "limit " + std::to_string(*limit) + "\n";
  return out;
}

std::string BoundInsert::ToString() const {
  std::string out = "insert into " + sink->name + " (";
  for (size_t i = 0; i < target_columns.size(); ++i) {
    out += (i ? ", " : "") + sink->columns[static_cast<size_t>(target_columns[i])].name;
  }
  return out + ")\n" + query.ToString();
}

std::string BoundStatement::ToString() const {
  std::string out;
  switch (kind) {
    case StatementKind::kCreateTable:
      out = table ? table->ToString() : "table exists: CREATE TABLE IF NOT EXISTS skipped";
      break;
    case StatementKind::kInsert: out = inserts.front().ToString(); break;
    case StatementKind::kStatementSet:
      out = "statement set\n";
      for (const BoundInsert& insert : inserts) out += insert.ToString();
      break;
    case StatementKind::kQuery: out = query->ToString(); break;
    case StatementKind::kSet: out = "set " + QuoteString(key) + " = " + QuoteString(value); break;
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

const std::string* BoundScript::FindSetting(std::string_view key) const {
  const std::string* found = nullptr;
  for (const auto& [k, v] : settings) {
    if (k == key) found = &v;
  }
  return found;
}

}  // namespace floe::sql
