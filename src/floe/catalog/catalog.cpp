#include "floe/catalog/catalog.h"

#include <utility>

namespace floe::catalog {

std::string NamespaceToString(const Namespace& ns) {
  std::string out;
  for (size_t i = 0; i < ns.size(); ++i) {
    if (i > 0) out += '.';
    out += ns[i];
  }
  return out;
}

std::string TableIdentifier::ToString() const {
  std::string out = NamespaceToString(ns);
  if (!out.empty()) out += '.';
  out += name;
  return out;
}

Result<TableIdentifier> TableIdentifier::Parse(std::string_view text) {
  TableIdentifier id;
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t dot = text.find('.', start);
    std::string_view part = text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty()) {
      return Status::InvalidArgument("table identifier '" + std::string(text) +
                                     "': empty name part; expected namespace.table, e.g. telemetry.sensor_10s");
    }
    parts.emplace_back(part);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (parts.size() < 2) {
    return Status::InvalidArgument("table identifier '" + std::string(text) +
                                   "' has no namespace; expected namespace.table, e.g. telemetry.sensor_10s");
  }
  id.name = std::move(parts.back());
  parts.pop_back();
  id.ns = std::move(parts);
  return id;
}

CatalogTableOperations::CatalogTableOperations(Catalog& catalog, TableIdentifier table, std::shared_ptr<io::FileIO> io,
                                               CommitMeta meta)
    : catalog_(catalog), table_(std::move(table)), io_(std::move(io)), meta_(std::move(meta)) {}

Result<iceberg::TableState> CatalogTableOperations::Load() {
  return catalog_.LoadTable(table_);
}

Result<iceberg::TableState> CatalogTableOperations::Commit(const iceberg::TableState* base,
                                                           const iceberg::TableMetadata& updated) {
  const iceberg::TableMetadata* base_metadata = base ? &base->metadata : nullptr;
  TableCommit commit;
  commit.table = table_;
  commit.updates = iceberg::DiffMetadata(base_metadata, updated);
  commit.requirements = iceberg::RequirementsFor(base_metadata, commit.updates);
  Result<iceberg::TableState> result = catalog_.CommitTable(commit, meta_);
  // TableOperations promises AlreadyExists for a create that finds the table; through a catalog that is the
  // assert-create requirement failing, which the catalog reports as Conflict.
  if (!base && !result.ok() && result.status().code() == StatusCode::kConflict) {
    return Status::AlreadyExists("table " + table_.ToString() + " already exists (" + result.status().message() + ")");
  }
  return result;
}

}  // namespace floe::catalog
