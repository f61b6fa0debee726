// `floe table`: Iceberg tables from the command line.
//
//   (--catalog URL can stand wherever --warehouse DIR does)
//   floe table create  --warehouse DIR NS.TABLE --schema 'sensor_id string required, ts timestamptz, t double'
//                      [--partition-by 'day(ts), bucket(16, sensor_id)'] [--property k=v]...
//   floe table append  --warehouse DIR NS.TABLE FILE.parquet...      (any Parquet file whose columns match by name)
//   floe table alter   --warehouse DIR NS.TABLE [--add-column 'NAME TYPE'] [--rename-column OLD=NEW]
//                      [--widen-column 'NAME TYPE'] [--make-optional NAME] [--drop-column NAME] [--set-property K=V]
//   floe table describe --warehouse DIR NS.TABLE [--format text|json]
//   floe table scan     --warehouse DIR NS.TABLE [--limit N] [--format csv|json|table] [--columns a,b]
//                      [--where FILTER] [--snapshot-id ID | --as-of TIME | --ref NAME]
//   floe table compact  --warehouse DIR NS.TABLE [--target-file-size BYTES] [--min-input-files N]
//   floe table expire-snapshots --warehouse DIR NS.TABLE [--older-than TIME|AGE] [--retain-last N]
//   floe table remove-orphans   --warehouse DIR NS.TABLE [--older-than TIME|AGE] [--dry-run]
//
// A table is addressed through an Iceberg REST catalog (--catalog URL NS.TABLE), by a warehouse and its name (the table
// lives at DIR/NS/TABLE, as Iceberg's Hadoop catalog lays tables out; DIR may be s3://bucket/prefix, configured by the
// usual AWS environment variables), or by the location of one of its metadata files (read-only: describe and scan).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "floe/catalog/rest_catalog_client.h"
#include "floe/cli/commands.h"
#include "floe/cli/table_output.h"
#include "floe/formats/parquet/parquet_reader.h"
#include "floe/iceberg/data_file_writer.h"
#include "floe/iceberg/expressions.h"
#include "floe/iceberg/literal_codec.h"
#include "floe/iceberg/table_maintenance.h"
#include "floe/iceberg/table_scan.h"
#include "floe/iceberg/table_updates.h"
#include "floe/iceberg/transforms.h"
#include "floe/io/file_io.h"

namespace floe::cli {
namespace {

using namespace floe::iceberg;  // NOLINT(google-build-using-namespace): this file speaks Iceberg throughout

struct TableFlags {
  std::string warehouse;
  std::string catalog;
  std::string catalog_token;
  std::string table;
  // create
  std::string schema;
  std::string partition_by;
  std::vector<std::string> properties;
  // append
  std::vector<std::string> files;
  // describe, scan
  std::string format;
  int64_t limit = -1;
  std::string columns;
  std::string where;
  std::optional<int64_t> snapshot_id;
  std::string as_of;
  std::string ref;
  // compact
  std::optional<int64_t> target_file_size;
  std::optional<int64_t> small_file_size;
  int min_input_files = 5;
  // alter
  std::vector<std::string> add_columns;
  std::vector<std::string> rename_columns;
  std::vector<std::string> widen_columns;
  std::vector<std::string> optional_columns;
  std::vector<std::string> drop_columns;
  std::vector<std::string> unset_properties;
  // expire, orphans
  std::string older_than;
  std::optional<int> retain_last;
  bool dry_run = false;
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Splits at commas outside parentheses and brackets.
std::vector<std::string> SplitTopLevel(std::string_view text) {
  std::vector<std::string> parts;
  int depth = 0;
  std::string current;
  for (char c : text) {
    if (c == '(' || c == '[') ++depth;
    if (c == ')' || c == ']') --depth;
    if (c == ',' && depth == 0) {
      parts.emplace_back(Trim(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!Trim(current).empty() || !parts.empty()) parts.emplace_back(Trim(current));
  return parts;
}

Result<TypePtr> ParseColumnType(std::string_view text) {
  const std::string t = Lower(Trim(text));
  static const std::pair<std::string_view, TypeId> kAliases[] = {
      {"bool", TypeId::kBoolean},
      {"integer", TypeId::kInt},
      {"int32", TypeId::kInt},
      {"bigint", TypeId::kLong},
      {"int64", TypeId::kLong},
      {"real", TypeId::kFloat},
      {"float32", TypeId::kFloat},
      {"float64", TypeId::kDouble},
      {"varchar", TypeId::kString},
      {"text", TypeId::kString},
      {"bytes", TypeId::kBinary},
      {"varbinary", TypeId::kBinary},
      {"timestamp_ltz", TypeId::kTimestampTz},
  };
  for (const auto& [alias, id] : kAliases) {
    if (t == alias) return Type::Primitive(id);
  }
  return Type::ParsePrimitive(t);
}

// "sensor_id string required, ts timestamptz not null, temperature double"
Result<Schema> ParseSchemaFlag(std::string_view text) {
  std::vector<NestedField> fields;
  int32_t id = 0;
  for (const std::string& part : SplitTopLevel(text)) {
    std::string_view rest = Trim(part);
    const size_t space = rest.find_first_of(" \t");
    if (rest.empty() || space == std::string_view::npos) {
      return Status::InvalidArgument("--schema: '" + part + "' is not 'NAME TYPE [required]'");
    }
    NestedField f;
    f.id = ++id;
    f.name = std::string(rest.substr(0, space));
    std::string type_text(Trim(rest.substr(space)));
    const std::string lower = Lower(type_text);
    for (std::string_view suffix : {" not null", " required"}) {
      if (lower.ends_with(suffix)) {
        f.required = true;
        type_text = std::string(Trim(std::string_view(type_text).substr(0, type_text.size() - suffix.size())));
      }
    }
    auto type = ParseColumnType(type_text);
    if (!type.ok()) return Status::InvalidArgument("--schema: column '" + f.name + "': " + type.status().message());
    f.type = *type;
    fields.push_back(std::move(f));
  }
  if (fields.empty()) return Status::InvalidArgument("--schema: no columns");
  Schema schema(0, std::move(fields));
  FLOE_RETURN_IF_ERROR(schema.Validate().WithContext("--schema"));
  return schema;
}

// "day(ts), bucket(16, sensor_id), truncate(4, name), region" with Java's default partition field names.
Result<PartitionSpec> ParsePartitionFlag(std::string_view text, const Schema& schema) {
  PartitionSpec spec;
  int32_t next_id = kPartitionDataIdStart;
  for (const std::string& part : SplitTopLevel(text)) {
    std::string_view item = Trim(part);
    std::string fn = "identity";
    std::string column(item);
    int32_t param = 0;
    const size_t open = item.find('(');
    if (open != std::string_view::npos) {
      if (!item.ends_with(")")) return Status::InvalidArgument("--partition-by: '" + part + "' lacks a ')'");
      fn = Lower(Trim(item.substr(0, open)));
      std::vector<std::string> args = SplitTopLevel(item.substr(open + 1, item.size() - open - 2));
      if (fn == "bucket" || fn == "truncate") {
        if (args.size() != 2) return Status::InvalidArgument("--partition-by: " + fn + " takes (N, column)");
        auto [p, ec] = std::from_chars(args[0].data(), args[0].data() + args[0].size(), param);
        if (ec != std::errc() || p != args[0].data() + args[0].size() || param <= 0) {
          return Status::InvalidArgument("--partition-by: '" + part + "': N must be a positive integer");
        }
        column = args[1];
      } else {
        if (args.size() != 1) return Status::InvalidArgument("--partition-by: " + fn + " takes one column");
        column = args[0];
      }
    }
    if (fn == "years") fn = "year";
    if (fn == "months") fn = "month";
    if (fn == "days") fn = "day";
    if (fn == "hours") fn = "hour";
    auto transform = Transform::Parse(fn == "bucket" || fn == "truncate" ? fn + "[" + std::to_string(param) + "]" : fn);
    if (!transform.ok()) return Status::InvalidArgument("--partition-by: " + transform.status().message());
    const NestedField* source = schema.FindByName(column);
    if (!source) return Status::InvalidArgument("--partition-by: unknown column '" + column + "'");
    PartitionField f;
    f.source_id = source->id;
    f.field_id = next_id++;
    f.transform = *transform;
    switch (transform->kind) {
      case TransformKind::kIdentity: f.name = column; break;
      case TransformKind::kBucket: f.name = column + "_bucket"; break;
      case TransformKind::kTruncate: f.name = column + "_trunc"; break;
      case TransformKind::kYear: f.name = column + "_year"; break;
      case TransformKind::kMonth: f.name = column + "_month"; break;
      case TransformKind::kDay: f.name = column + "_day"; break;
      case TransformKind::kHour: f.name = column + "_hour"; break;
      case TransformKind::kVoid: f.name = column + "_null"; break;
    }
    auto result = transform->ResultType(source->type);
    if (!result.ok()) return Status::InvalidArgument("--partition-by: " + result.status().message());
    spec.fields.push_back(std::move(f));
  }
  return spec;
}

// An instant: epoch milliseconds, or an ISO date/timestamp (UTC unless it has an offset).
Result<int64_t> ParseInstant(std::string_view text, std::string_view flag) {
  int64_t ms = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (ec == std::errc() && p == text.data() + text.size()) return ms;
  std::string iso(text);
  if (iso.size() == 10) iso += "T00:00:00";
  if (iso.size() > 10 && iso[10] == ' ') iso[10] = 'T';
  auto v = ValueFromJson(Type::Primitive(TypeId::kTimestampTz), nlohmann::json(iso).dump());
  if (!v.ok()) {
    return Status::InvalidArgument(std::string(flag) + ": '" + std::string(text) +
                                   "' is neither epoch milliseconds nor an ISO timestamp like 2026-11-25T10:00:00Z");
  }
  return v->as_long() / 1000;
}

// "7d", "12h", "30m", "45s", "0s" before now, or an instant.
Result<int64_t> ParseOlderThan(std::string_view text) {
  if (text.size() >= 2 && std::string_view("smhd").find(text.back()) != std::string_view::npos) {
    int64_t n = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, n);
    if (ec == std::errc() && p == text.data() + text.size() - 1 && n >= 0) {
      const int64_t unit = text.back() == 's'   ? 1000
                           : text.back() == 'm' ? 60'000
                           : text.back() == 'h' ? 3'600'000
                                                : 86'400'000;
      return NowMs() - n * unit;
    }
  }
  return ParseInstant(text, "--older-than");
}

struct OpenedTable {
  std::unique_ptr<catalog::Catalog> catalog;  // when addressed through a REST catalog
  std::shared_ptr<io::FileIO> io;
  std::unique_ptr<TableOperations> ops;
  std::string location;  // the table's base location (warehouse tables)
};

Result<OpenedTable> OpenTable(const TableFlags& flags, bool for_write) {
  OpenedTable t;
  if (!flags.catalog.empty()) {
    if (!flags.warehouse.empty()) return Status::InvalidArgument("give either --catalog or --warehouse, not both");
    FLOE_ASSIGN_OR_RETURN(catalog::TableIdentifier id, catalog::TableIdentifier::Parse(flags.table));
    catalog::RestCatalogOptions options;
    options.uri = flags.catalog;
    options.token = flags.catalog_token;
    FLOE_ASSIGN_OR_RETURN(std::unique_ptr<catalog::RestCatalogClient> client,
                          catalog::RestCatalogClient::Connect(std::move(options)));
    // The FileIO is picked once the table's location is known (Load), or for the warehouse on create.
    auto state = client->LoadTable(id);
    std::string location = state.ok() ? state->metadata.location : "";
    if (!state.ok() && state.status().code() != StatusCode::kNotFound) return state.status();
    if (!location.empty()) {
      FLOE_ASSIGN_OR_RETURN(t.io, client->FileIOFor(location));
    } else {
      FLOE_ASSIGN_OR_RETURN(t.io, client->FileIOFor("/"));
    }
    t.ops = std::make_unique<catalog::CatalogTableOperations>(*client, id, t.io);
    t.catalog = std::move(client);
    return t;
  }
  const bool by_metadata = flags.table.ends_with(".metadata.json");
  const std::string& where = by_metadata ? flags.table : flags.warehouse;
  if (!by_metadata && flags.warehouse.empty()) {
    return Status::InvalidArgument(
        "give --catalog URL (an Iceberg REST catalog), --warehouse DIR (the table is DIR/NAMESPACE/TABLE), or a "
        "metadata file");
  }
  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<io::FileIO> io,
                        io::FileIO::ForPath(where, io::FileIOConfig::FromEnvironment()));
  t.io = std::move(io);
  if (by_metadata) {
    if (for_write) {
      return Status::InvalidArgument("table " + flags.table +
                                     " is addressed by a metadata file, which is read-only; use --warehouse");
    }
    t.ops = std::make_unique<StaticTableOperations>(t.io, flags.table);
    return t;
  }
  const size_t dot = flags.table.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == flags.table.size()) {
    return Status::InvalidArgument("table '" + flags.table + "': expected NAMESPACE.TABLE");
  }
  std::string path = flags.warehouse;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  for (std::string_view part : {std::string_view(flags.table).substr(0, dot)}) {
    std::string ns(part);
    std::replace(ns.begin(), ns.end(), '.', '/');
    path += "/" + ns;
  }
  path += "/" + flags.table.substr(dot + 1);
  t.location = path;
  t.ops = std::make_unique<FileSystemTableOperations>(t.io, path, flags.table);
  return t;
}

int Fail(const Status& s) {
  PrintError(s.message().empty() ? s.ToString() : s.message());
  return s.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

int RunCreate(const TableFlags& flags) {
  auto schema = ParseSchemaFlag(flags.schema);
  if (!schema.ok()) return Fail(schema.status());
  CreateTableOptions options;
  options.schema = *schema;
  if (!flags.partition_by.empty()) {
    auto spec = ParsePartitionFlag(flags.partition_by, *schema);
    if (!spec.ok()) return Fail(spec.status());
    options.spec = *spec;
  }
  for (const std::string& kv : flags.properties) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      return Fail(Status::InvalidArgument("--property '" + kv + "': expected KEY=VALUE"));
    options.properties[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  auto table = OpenTable(flags, true);
  if (!table.ok()) return Fail(table.status());
  if (table->catalog) {
    auto id = catalog::TableIdentifier::Parse(flags.table);
    catalog::CreateTableRequest request;
    request.name = id->name;
    request.schema = options.schema;
    request.spec = options.spec;
    request.properties = options.properties;
    auto created = table->catalog->CreateTable(id->ns, request, {});
    if (!created.ok()) return Fail(created.status());
    fmt::print("created {} at {}\n", flags.table, created->metadata_location);
    return 0;
  }
  options.location = table->location;
  auto created = CreateTable(*table->ops, options);
  if (!created.ok()) return Fail(created.status());
  fmt::print("created {} at {}\n", flags.table, created->metadata_location);
  return 0;
}

// A Parquet file's columns in the table's current schema, matched by name.
Result<std::vector<formats::ColumnVector>> ConformBatch(const formats::Schema& file_schema,
                                                        std::vector<formats::ColumnVector> columns, const Schema& table,
                                                        size_t rows, const std::string& file) {
  std::vector<formats::ColumnVector> out;
  for (const formats::Field& f : file_schema.fields) {
    if (!table.FindByName(f.name)) {
      return Status::InvalidArgument(file + ": column '" + f.name + "' is not in the table");
    }
  }
  for (const NestedField& field : table.fields()) {
    FLOE_ASSIGN_OR_RETURN(formats::DataType want, ToColumnType(*field.type));
    const int index = file_schema.FindField(field.name);
    if (index < 0) {
      if (field.required) return Status::InvalidArgument(file + ": required column '" + field.name + "' is missing");
      formats::ColumnVector nulls(want);
      for (size_t i = 0; i < rows; ++i) nulls.AppendNull();
      out.push_back(std::move(nulls));
      continue;
    }
    formats::ColumnVector& col = columns[static_cast<size_t>(index)];
    if (col.type() == want) {
      out.push_back(std::move(col));
      continue;
    }
    // Widen int to long and float to double; nothing else converts silently.
    formats::ColumnVector converted(want);
    const auto from = col.type().id;
    if (from == formats::ColumnType::kInt32 && want.id == formats::ColumnType::kInt64) {
      for (size_t i = 0; i < col.size(); ++i) {
        if (col.IsNull(i))
          converted.AppendNull();
        else
          converted.Append<int64_t>(col.value<int32_t>(i));
      }
    } else if (from == formats::ColumnType::kFloat && want.id == formats::ColumnType::kDouble) {
      for (size_t i = 0; i < col.size(); ++i) {
        if (col.IsNull(i))
          converted.AppendNull();
        else
          converted.Append<double>(col.value<float>(i));
      }
    } else {
      return Status::InvalidArgument(file + ": column '" + field.name + "' is " + formats::TypeToString(col.type()) +
                                     ", the table's is " + field.type->ToString());
    }
    out.push_back(std::move(converted));
  }
  return out;
}

int RunAppend(const TableFlags& flags) {
  auto table = OpenTable(flags, true);
  if (!table.ok()) return Fail(table.status());
  auto state = table->ops->Load();
  if (!state.ok()) return Fail(state.status());
  const TableMetadata& m = state->metadata;
  auto writer = DataFileWriter::Make(table->io.get(), m.CurrentSchema(), m.DefaultSpec(),
                                     m.Property("write.data.path", m.location + "/data"));
  if (!writer.ok()) return Fail(writer.status());
  int64_t rows = 0;
  for (const std::string& file : flags.files) {
    auto local = io::FileIO::ForPath(file, io::FileIOConfig::FromEnvironment());
    if (!local.ok()) return Fail(local.status());
    auto bytes = (*local)->Read(file);
    if (!bytes.ok()) return Fail(bytes.status());
    auto reader = parquet::ParquetReader::Open(*bytes, file);
    if (!reader.ok()) return Fail(reader.status());
    for (int rg = 0; rg < reader->num_row_groups(); ++rg) {
      auto columns = reader->ReadRowGroup(rg);
      if (!columns.ok()) return Fail(columns.status());
      auto batch = ConformBatch(reader->schema(), std::move(*columns), m.CurrentSchema(),
                                static_cast<size_t>(reader->row_group_rows(rg)), file);
      if (!batch.ok()) return Fail(batch.status());
      Status st = writer->Write(*batch);
      if (!st.ok()) return Fail(st);
      rows += reader->row_group_rows(rg);
    }
  }
  auto files = writer->Finish();
  if (!files.ok()) return Fail(files.status());
  auto committed = AppendFiles(*table->ops, *files);
  if (!committed.ok()) {
    std::vector<std::string> paths;
    for (const DataFile& f : *files) paths.push_back(f.file_path);
    (void)table->io->DeleteMany(paths);
    return Fail(committed.status());
  }
  fmt::print("appended {} rows in {} files to {} (snapshot {})\n", rows, files->size(), flags.table,
             *committed->metadata.current_snapshot_id);
  return 0;
}

std::string TimeString(int64_t ms) {
  std::string s = Literal::TimestampTz(ms * 1000).ToString();
  return s;
}

std::string SpecString(const PartitionSpec& spec, const Schema& schema) {
  if (spec.fields.empty()) return "unpartitioned";
  std::string out;
  for (const PartitionField& f : spec.fields) {
    if (!out.empty()) out += ", ";
    out += f.name + " = " + f.transform.ToString() + "(" + schema.NameOf(f.source_id) + ")";
  }
  return out;
}

int RunDescribe(const TableFlags& flags) {
  auto table = OpenTable(flags, false);
  if (!table.ok()) return Fail(table.status());
  auto state = table->ops->Load();
  if (!state.ok()) return Fail(state.status());
  const TableMetadata& m = state->metadata;
  const Schema& schema = m.CurrentSchema();
  int64_t files = 0, records = 0, bytes = 0, smallest = 0, largest = 0;
  std::set<std::string> partitions;
  if (const Snapshot* current = m.CurrentSnapshot()) {
    auto live = LiveEntries(*table->io, m, *current);
    if (!live.ok()) return Fail(live.status());
    for (const ManifestEntry& e : *live) {
      const DataFile& f = e.data_file;
      ++files;
      records += f.record_count;
      bytes += f.file_size_in_bytes;
      smallest = files == 1 ? f.file_size_in_bytes : std::min(smallest, f.file_size_in_bytes);
      largest = std::max(largest, f.file_size_in_bytes);
      const PartitionSpec* spec = m.SpecById(f.spec_id);
      partitions.insert(std::to_string(f.spec_id) + "/" + (spec ? PartitionPath(*spec, f.partition) : ""));
    }
  }
  if (flags.format == "json") {
    nlohmann::ordered_json j;
    j["table"] = flags.table;
    j["metadata-location"] = state->metadata_location;
    j["metadata"] = nlohmann::ordered_json::parse(TableMetadataToJson(m));
    j["files"] = {{"data-files", files},
                  {"records", records},
                  {"bytes", bytes},
                  {"partitions", partitions.size()},
                  {"smallest-file-bytes", smallest},
                  {"largest-file-bytes", largest}};
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  std::string out;
  out += fmt::format("table          {}\n", flags.table);
  out += fmt::format("location       {}\n", m.location);
  out += fmt::format("uuid           {}\n", m.table_uuid);
  out += fmt::format("format         v{}\n", m.format_version);
  out += fmt::format("metadata       {}\n", state->metadata_location);
  out += fmt::format("last updated   {}\n", TimeString(m.last_updated_ms));
  out += fmt::format("\nschema (id {})\n", schema.schema_id());
  size_t width = 4;
  for (const NestedField& f : schema.fields()) width = std::max(width, f.name.size());
  for (const NestedField& f : schema.fields()) {
    out += fmt::format("  {:>4}  {:<{}}  {:<14} {}{}\n", f.id, f.name, width, f.type->ToString(),
                       f.required ? "required" : "optional", f.doc.empty() ? "" : "  -- " + f.doc);
  }
  out += fmt::format("\npartitioning (spec {})\n  {}\n", m.default_spec_id, SpecString(m.DefaultSpec(), schema));
  if (const SortOrder* order = m.SortOrderById(m.default_sort_order_id); order && !order->fields.empty()) {
    out += "\nsort order\n";
    for (const SortField& f : order->fields) {
      out += fmt::format("  {}({}) {} {}\n", f.transform.ToString(), schema.NameOf(f.source_id),
                         f.direction == SortDirection::kAsc ? "asc" : "desc",
                         f.null_order == NullOrder::kNullsFirst ? "nulls first" : "nulls last");
    }
  }
  if (!m.properties.empty()) {
    out += "\nproperties\n";
    for (const auto& [k, v] : m.properties) out += fmt::format("  {} = {}\n", k, v);
  }
  out += fmt::format("\ndata           {} files, {} records, {} bytes in {} partitions", files, records, bytes,
                     partitions.size());
  if (files > 0) {
    out += fmt::format(" (files {}..{} bytes, average {})", smallest, largest, bytes / files);
  }
  out += "\n";
  if (!m.refs.empty()) {
    out += "\nrefs\n";
    for (const auto& [name, ref] : m.refs) {
      out += fmt::format("  {:<12} {} {}\n", name, ref.is_branch ? "branch" : "tag   ", ref.snapshot_id);
    }
  }
  out += fmt::format("\nsnapshots ({})\n", m.snapshots.size());
  if (!m.snapshots.empty()) {
    out += fmt::format("  {:<20} {:<20} {:>5}  {:<27} {:<10} {:>12} {:>14} {:>12}\n", "id", "parent", "seq", "time",
                       "operation", "added-files", "added-records", "total-files");
  }
  auto summary = [](const Snapshot& s, std::string_view key) {
    const std::string* v = s.FindSummary(key);
    return v ? *v : std::string("-");
  };
  for (const Snapshot& s : m.snapshots) {
    out += fmt::format("  {:<20} {:<20} {:>5}  {:<27} {:<10} {:>12} {:>14} {:>12}{}\n", s.snapshot_id,
                       s.parent_snapshot_id ? std::to_string(*s.parent_snapshot_id) : "-", s.sequence_number,
                       TimeString(s.timestamp_ms), s.operation(), summary(s, "added-data-files"),
                       summary(s, "added-records"), summary(s, "total-data-files"),
                       m.current_snapshot_id == s.snapshot_id ? "  (current)" : "");
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

int RunScan(const TableFlags& flags) {
  RowFormat format = RowFormat::kTable;
  if (flags.format == "csv")
    format = RowFormat::kCsv;
  else if (flags.format == "json")
    format = RowFormat::kJson;
  auto table = OpenTable(flags, false);
  if (!table.ok()) return Fail(table.status());
  auto state = table->ops->Load();
  if (!state.ok()) return Fail(state.status());
  ScanOptions options;
  if (!flags.columns.empty()) {
    for (const std::string& c : SplitTopLevel(flags.columns)) options.columns.push_back(c);
  }
  if (!flags.where.empty()) {
    auto filter = ParseFilter(flags.where);
    if (!filter.ok()) return Fail(filter.status());
    options.filter = *filter;
  }
  options.snapshot_id = flags.snapshot_id;
  if (!flags.as_of.empty()) {
    auto at = ParseInstant(flags.as_of, "--as-of");
    if (!at.ok()) return Fail(at.status());
    options.as_of_timestamp_ms = *at;
  }
  if (!flags.ref.empty()) options.ref = flags.ref;
  auto scan = TableScan::Plan(*table->io, state->metadata, options);
  if (!scan.ok()) return Fail(scan.status());
  std::vector<std::string> names;
  for (const NestedField& f : scan->projection().fields()) names.push_back(f.name);
  RowPrinter printer(stdout, format, names);
  bool limit_reached = false;
  const int threads = std::max(1, std::min(4, static_cast<int>(std::thread::hardware_concurrency())));
  Status read = scan->Read(
      *table->io,
      [&](std::vector<formats::ColumnVector>&& batch) -> Status {
        printer.Print(batch, flags.limit);
        if (flags.limit >= 0 && printer.rows() >= flags.limit) {
          limit_reached = true;
          return Status::Unavailable("limit reached");
        }
        return Status::Ok();
      },
      flags.limit >= 0 ? 1 : threads);
  if (!read.ok() && !limit_reached) return Fail(read);
  if (!printer.Finish()) return Fail(Status::IoError("writing the rows to stdout failed"));
  return 0;
}

// "name type" -> (name, type)
Result<std::pair<std::string, TypePtr>> ParseNameType(const std::string& text, std::string_view flag) {
  std::string_view t = Trim(text);
  const size_t space = t.find_first_of(" \t");
  if (space == std::string_view::npos) {
    return Status::InvalidArgument(std::string(flag) + " '" + text + "': expected 'NAME TYPE'");
  }
  auto type = ParseColumnType(t.substr(space));
  if (!type.ok()) return Status::InvalidArgument(std::string(flag) + " '" + text + "': " + type.status().message());
  return std::make_pair(std::string(t.substr(0, space)), *type);
}

int RunAlter(const TableFlags& flags) {
  auto table = OpenTable(flags, true);
  if (!table.ok()) return Fail(table.status());
  SchemaUpdate update;
  bool schema_changes = false;
  for (const std::string& a : flags.add_columns) {
    auto nt = ParseNameType(a, "--add-column");
    if (!nt.ok()) return Fail(nt.status());
    std::string name = nt->first, parent;
    if (const size_t dot = name.rfind('.'); dot != std::string::npos) {
      parent = name.substr(0, dot);
      name = name.substr(dot + 1);
    }
    update.AddColumn(name, nt->second, "", parent);
    schema_changes = true;
  }
  for (const std::string& r : flags.rename_columns) {
    const size_t eq = r.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == r.size()) {
      return Fail(Status::InvalidArgument("--rename-column '" + r + "': expected OLD=NEW"));
    }
    update.RenameColumn(r.substr(0, eq), r.substr(eq + 1));
    schema_changes = true;
  }
  for (const std::string& w : flags.widen_columns) {
    auto nt = ParseNameType(w, "--widen-column");
    if (!nt.ok()) return Fail(nt.status());
    update.UpdateColumnType(nt->first, nt->second);
    schema_changes = true;
  }
  for (const std::string& o : flags.optional_columns) {
    update.MakeOptional(o);
    schema_changes = true;
  }
  for (const std::string& d : flags.drop_columns) {
    update.DeleteColumn(d);
    schema_changes = true;
  }
  std::map<std::string, std::optional<std::string>> props;
  for (const std::string& kv : flags.properties) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Fail(Status::InvalidArgument("--set-property '" + kv + "': expected KEY=VALUE"));
    }
    props[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const std::string& k : flags.unset_properties) props[k] = std::nullopt;
  if (!schema_changes && props.empty()) return Fail(Status::InvalidArgument("alter: nothing to change"));
  if (schema_changes) {
    auto r = UpdateSchema(*table->ops, update);
    if (!r.ok()) return Fail(r.status());
    fmt::print("altered {}: schema {} at {}\n", flags.table, r->metadata.current_schema_id, r->metadata_location);
  }
  if (!props.empty()) {
    auto r = UpdateProperties(*table->ops, props);
    if (!r.ok()) return Fail(r.status());
    fmt::print("altered {}: properties at {}\n", flags.table, r->metadata_location);
  }
  return 0;
}

int RunCompact(const TableFlags& flags) {
  auto table = OpenTable(flags, true);
  if (!table.ok()) return Fail(table.status());
  CompactOptions options;
  options.target_file_bytes = flags.target_file_size;
  options.small_file_bytes = flags.small_file_size;
  options.min_input_files = flags.min_input_files;
  auto r = CompactTable(*table->ops, options);
  if (!r.ok()) return Fail(r.status());
  if (!r->snapshot_id) {
    fmt::print("nothing to compact in {} (no partition has {} files below the small-file size)\n", flags.table,
               std::max(2, options.min_input_files));
    return 0;
  }
  fmt::print("compacted {} partitions of {}: {} files ({} bytes) -> {} files ({} bytes), {} rows; snapshot {}\n",
             r->partitions, flags.table, r->rewritten_files, r->rewritten_bytes, r->added_files, r->added_bytes,
             r->rows, *r->snapshot_id);
  return 0;
}

int RunExpire(const TableFlags& flags) {
  auto table = OpenTable(flags, true);
  if (!table.ok()) return Fail(table.status());
  ExpireOptions options;
  if (!flags.older_than.empty()) {
    auto at = ParseOlderThan(flags.older_than);
    if (!at.ok()) return Fail(at.status());
    options.older_than_ms = *at;
  }
  options.retain_last = flags.retain_last;
  auto r = ExpireSnapshots(*table->ops, options);
  if (!r.ok()) return Fail(r.status());
  fmt::print("expired {} snapshots of {}; deleted {} data files ({} bytes), {} manifests, {} manifest lists\n",
             r->expired_snapshot_ids.size(), flags.table, r->deleted_data_files, r->deleted_bytes, r->deleted_manifests,
             r->deleted_manifest_lists);
  return 0;
}

int RunOrphans(const TableFlags& flags) {
  auto table = OpenTable(flags, true);
  if (!table.ok()) return Fail(table.status());
  OrphanOptions options;
  if (!flags.older_than.empty()) {
    auto at = ParseOlderThan(flags.older_than);
    if (!at.ok()) return Fail(at.status());
    options.older_than_ms = *at;
  }
  options.dry_run = flags.dry_run;
  auto r = DeleteOrphanFiles(*table->ops, options);
  if (!r.ok()) return Fail(r.status());
  for (const std::string& path : r->orphans) fmt::print("{}{}\n", flags.dry_run ? "would delete " : "deleted ", path);
  fmt::print("{} orphan files ({} bytes) in {}\n", r->orphans.size(), r->bytes, flags.table);
  return 0;
}

void AddAddress(CLI::App* cmd, TableFlags* flags) {
  cmd->add_option("--catalog", flags->catalog, "an Iceberg REST catalog's base URL: http://HOST:19120/iceberg")
      ->type_name("URL");
  cmd->add_option("--catalog-token", flags->catalog_token, "a bearer token for the catalog")->type_name("TOKEN");
  cmd->add_option("--warehouse", flags->warehouse,
                  "warehouse directory or s3://bucket/prefix; the table is WAREHOUSE/NAMESPACE/TABLE")
      ->type_name("DIR");
  cmd->add_option("table", flags->table, "NAMESPACE.TABLE, or the location of a metadata file (read-only)")
      ->required()
      ->type_name("TABLE");
}

}  // namespace

void AddTableCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<TableFlags>();
  CLI::App* table = app.add_subcommand("table", "Create, inspect, scan and maintain Iceberg tables");
  table->require_subcommand(1);

  CLI::App* create = table->add_subcommand("create", "Create an empty Iceberg v2 table");
  AddAddress(create, flags.get());
  create->add_option("--schema", flags->schema, "columns: 'NAME TYPE [required], ...' with Iceberg type names")
      ->required();
  create->add_option("--partition-by", flags->partition_by,
                     "partition fields: 'day(ts), bucket(16, sensor_id), truncate(4, name), column'");
  create->add_option("--property", flags->properties, "a table property KEY=VALUE (repeatable)");
  create->callback([flags, exit_code] { *exit_code = RunCreate(*flags); });

  CLI::App* append = table->add_subcommand("append", "Append the rows of Parquet files (columns matched by name)");
  AddAddress(append, flags.get());
  append->add_option("files", flags->files, "Parquet files")->required()->type_name("FILE");
  append->callback([flags, exit_code] { *exit_code = RunAppend(*flags); });

  CLI::App* describe = table->add_subcommand("describe", "Schema, partitioning, snapshots and file statistics");
  AddAddress(describe, flags.get());
  describe->add_option("--format", flags->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  describe->callback([flags, exit_code] { *exit_code = RunDescribe(*flags); });

  CLI::App* scan = table->add_subcommand("scan", "Print the rows of a table (optionally filtered, or as of a time)");
  AddAddress(scan, flags.get());
  scan->add_option("--limit", flags->limit, "print at most N rows")->check(CLI::NonNegativeNumber);
  scan->add_option("--format", flags->format, "csv (with a header row), json (one object per line) or table")
      ->check(CLI::IsMember({"csv", "json", "table"}));
  scan->add_option("--columns", flags->columns, "comma-separated column names (default: all)");
  scan->add_option("--where", flags->where, "a filter: \"temperature > 30 AND sensor_id IN ('s-1', 's-2')\"");
  auto* sid = scan->add_option("--snapshot-id", flags->snapshot_id, "read this snapshot (time travel)");
  auto* asof = scan->add_option("--as-of", flags->as_of, "read the snapshot current at this time (ISO or epoch ms)");
  auto* ref = scan->add_option("--ref", flags->ref, "read this branch or tag");
  sid->excludes(asof)->excludes(ref);
  asof->excludes(ref);
  scan->callback([flags, exit_code] { *exit_code = RunScan(*flags); });

  CLI::App* alter = table->add_subcommand("alter", "Evolve the schema (never rewriting data) or change properties");
  AddAddress(alter, flags.get());
  alter->add_option("--add-column", flags->add_columns,
                    "add an optional column 'NAME TYPE' ('parent.NAME TYPE' "
                    "inside a struct)");
  alter->add_option("--rename-column", flags->rename_columns, "rename a column: OLD=NEW");
  alter->add_option("--widen-column", flags->widen_columns,
                    "promote a column's type: 'NAME long' (from int), 'NAME double' (from float), 'NAME decimal(P,S)'");
  alter->add_option("--make-optional", flags->optional_columns, "let a required column hold nulls");
  alter->add_option("--drop-column", flags->drop_columns, "remove a column (its data stays in old files)");
  alter->add_option("--set-property", flags->properties, "set a table property KEY=VALUE");
  alter->add_option("--unset-property", flags->unset_properties, "remove a table property");
  alter->callback([flags, exit_code] { *exit_code = RunAlter(*flags); });

  CLI::App* compact = table->add_subcommand("compact", "Merge small data files of each partition");
  AddAddress(compact, flags.get());
  compact
      ->add_option("--target-file-size", flags->target_file_size,
                   "bytes per output file (default: "
                   "write.target-file-size-bytes, else 512 MiB)")
      ->check(CLI::PositiveNumber);
  compact
      ->add_option("--small-file-size", flags->small_file_size,
                   "files below this many bytes are merged (default: 75% of the target)")
      ->check(CLI::PositiveNumber);
  compact
      ->add_option("--min-input-files", flags->min_input_files,
                   "compact a partition with at least this many small files")
      ->capture_default_str()
      ->check(CLI::Range(2, 1 << 20));
  compact->callback([flags, exit_code] { *exit_code = RunCompact(*flags); });

  CLI::App* expire = table->add_subcommand("expire-snapshots", "Drop old snapshots and the files only they used");
  AddAddress(expire, flags.get());
  expire->add_option("--older-than", flags->older_than,
                     "expire snapshots older than this: an age (7d, 12h, 30m, 0s) or a time (default: 5 days)");
  expire->add_option("--retain-last", flags->retain_last, "always keep this many newest snapshots (default 1)")
      ->check(CLI::Range(1, 1 << 30));
  expire->callback([flags, exit_code] { *exit_code = RunExpire(*flags); });

  CLI::App* orphans = table->add_subcommand("remove-orphans", "Delete files under the table that no metadata uses");
  AddAddress(orphans, flags.get());
  orphans->add_option("--older-than", flags->older_than,
                      "only files older than this: an age (3d, 1h) or a time (default: 3 days)");
  orphans->add_flag("--dry-run", flags->dry_run, "list the orphans without deleting them");
  orphans->callback([flags, exit_code] { *exit_code = RunOrphans(*flags); });
}

}  // namespace floe::cli
