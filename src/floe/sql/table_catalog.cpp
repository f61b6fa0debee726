#include "floe/sql/table_catalog.h"

#include "floe/sql/ast.h"

namespace floe::sql {

int TableDefinition::FindColumn(std::string_view column_name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column_name) return static_cast<int>(i);
  }
  return -1;
}

std::vector<std::string> TableDefinition::ColumnNames() const {
  std::vector<std::string> names;
  for (const TableColumn& c : columns) names.push_back(c.name);
  return names;
}

const std::string* TableDefinition::FindOption(std::string_view key) const {
  for (const auto& [k, v] : options) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::string TableDefinition::ToString() const {
  std::string out = std::string(temporary ? "temporary table " : "table ") + name + "\n";
  for (size_t i = 0; i < columns.size(); ++i) {
    const TableColumn& c = columns[i];
    out += "  column " + c.name + "#" + std::to_string(i) + " " + c.type.ToString();
    if (c.time_attribute) out += " *ROWTIME*";
    if (c.kind == ColumnKind::kMetadata) {
      out += " METADATA FROM " + QuoteString(c.metadata_key);
      if (c.is_virtual) out += " VIRTUAL";
    }
    if (c.kind == ColumnKind::kComputed) out += " := " + c.expression->ToString();
    out += "\n";
  }
  if (watermark) {
    out += "  watermark for " + columns[static_cast<size_t>(watermark->column)].name +
           " := " + watermark->expression->ToString();
    if (watermark->delay_ms) out += " (delay " + std::to_string(*watermark->delay_ms) + " ms)";
    out += "\n";
  }
  auto names = [&](const std::vector<int>& indexes) {
    std::string s;
    for (size_t i = 0; i < indexes.size(); ++i) s += (i ? ", " : "") + columns[static_cast<size_t>(indexes[i])].name;
    return s;
  };
  if (!primary_key.empty()) out += "  primary key (" + names(primary_key) + ")\n";
  if (!partition_keys.empty()) out += "  partitioned by (" + names(partition_keys) + ")\n";
  for (const auto& [k, v] : options) out += "  option " + QuoteString(k) + " = " + QuoteString(v) + "\n";
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

Status TableCatalog::Add(std::shared_ptr<const TableDefinition> table) {
  if (Find(table->name)) return Status::AlreadyExists("table '" + table->name + "' already exists");
  tables_.push_back(std::move(table));
  return Status::Ok();
}

std::shared_ptr<const TableDefinition> TableCatalog::Find(std::string_view name) const {
  for (const auto& t : tables_) {
    if (t->name == name) return t;
  }
  return nullptr;
}

std::vector<std::string> TableCatalog::TableNames() const {
  std::vector<std::string> names;
  for (const auto& t : tables_) names.push_back(t->name);
  return names;
}

}  // namespace floe::sql
