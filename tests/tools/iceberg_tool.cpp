// Drives floe's Iceberg manifest writer and reader (src/floe/iceberg/manifest.h) from the interop tests
// (tests/interop/test_iceberg_manifest_fastavro.py):
//
//   floe_iceberg_tool write-manifest DESCRIPTION.json
//       Writes one manifest and a manifest list holding it (plus "other_manifests") as the description says, and
//       prints the manifest's ManifestFile (as written into the list) as JSON.
//   floe_iceberg_tool read LIST.avro
//       Reads a manifest list and every manifest it names (manifest_path is a local path), each with the table schema
//       and partition spec from its own metadata ("schema", "partition-spec", "partition-spec-id"), and prints them as
//       JSON: {"manifests": [{<manifest file fields>, "entries": [<entries, inherited values filled in>]}]}.
//
// The description and the output use one JSON form: a manifest entry is {"status": "added" | "existing" | "deleted",
// "snapshot_id", "sequence_number", "file_sequence_number", "data_file": {...}}; a data file has the spec's field
// names, with "partition" an object of partition field name -> JSON single value (Appendix D: dates as
// "2024-05-01", decimals as strings, binary as hex) or null, metric maps as {"<field id>": value}, bounds and
// key_metadata as hex. A description has "schema" and "spec" (table metadata JSON), "snapshot_id",
// "parent_snapshot_id" (optional), "sequence_number", "content" ("data" or "deletes"), "manifest_path",
// "manifest_list_path", "entries", and optionally "other_manifests" (manifest files, same form as the output's).
// Errors go to stderr with exit status 1.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "floe/formats/avro/avro_container.h"
#include "floe/iceberg/literal_codec.h"
#include "floe/iceberg/manifest.h"
#include "floe/iceberg/table_metadata.h"

using namespace floe::iceberg;
using Json = nlohmann::ordered_json;

namespace {

[[noreturn]] void Die(const std::string& m) {
  std::fprintf(stderr, "floe_iceberg_tool: %s\n", m.c_str());
  std::exit(1);
}

[[noreturn]] void Usage() {
  Die("usage: floe_iceberg_tool write-manifest DESCRIPTION.json | floe_iceberg_tool read LIST.avro");
}

template <typename T>
T Must(floe::Result<T> r, const std::string& what) {
  if (!r.ok()) Die(what + ": " + r.status().message());
  return std::move(r).value();
}

void Must(const floe::Status& s, const std::string& what) {
  if (!s.ok()) Die(what + ": " + s.message());
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Die(path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!out.flush()) Die(path + ": write failed");
}

std::string Hex(const std::string& b) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (unsigned char c : b) {
    s += digits[c >> 4];
    s += digits[c & 15];
  }
  return s;
}

std::string Unhex(const std::string& h) {
  if (h.size() % 2) Die("odd-length hex: " + h);
  std::string out;
  for (size_t i = 0; i < h.size(); i += 2) out.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return out;
}

const char* StatusName(ManifestEntryStatus s) {
  return s == ManifestEntryStatus::kAdded ? "added" : s == ManifestEntryStatus::kExisting ? "existing" : "deleted";
}

ManifestEntryStatus ParseStatus(const std::string& s) {
  if (s == "added") return ManifestEntryStatus::kAdded;
  if (s == "existing") return ManifestEntryStatus::kExisting;
  if (s == "deleted") return ManifestEntryStatus::kDeleted;
  Die("unknown status " + s);
}

template <typename T>
Json Opt(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

template <typename T>
std::optional<T> OptFrom(const Json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return j[key].get<T>();
}

Json LongMapJson(const std::map<int32_t, int64_t>& m) {
  Json j = Json::object();
  for (const auto& [k, v] : m) j[std::to_string(k)] = v;
  return j;
}

Json BytesMapJson(const std::map<int32_t, std::string>& m) {
  Json j = Json::object();
  for (const auto& [k, v] : m) j[std::to_string(k)] = Hex(v);
  return j;
}

Json DataFileJson(const DataFile& f, const Type& partition_type) {
  Json partition = Json::object();
  for (size_t i = 0; i < partition_type.fields.size(); ++i) {
    const auto& v = f.partition[i];
    partition[partition_type.fields[i].name] = v ? Json::parse(ValueToJson(*v)) : Json(nullptr);
  }
  return Json{{"content", static_cast<int>(f.content)},
              {"file_path", f.file_path},
              {"file_format", f.file_format},
              {"spec_id", f.spec_id},
              {"partition", partition},
              {"record_count", f.record_count},
              {"file_size_in_bytes", f.file_size_in_bytes},
              {"column_sizes", LongMapJson(f.column_sizes)},
              {"value_counts", LongMapJson(f.value_counts)},
              {"null_value_counts", LongMapJson(f.null_value_counts)},
              {"nan_value_counts", LongMapJson(f.nan_value_counts)},
              {"lower_bounds", BytesMapJson(f.lower_bounds)},
              {"upper_bounds", BytesMapJson(f.upper_bounds)},
              {"key_metadata", f.key_metadata ? Json(Hex(*f.key_metadata)) : Json(nullptr)},
              {"split_offsets", f.split_offsets},
              {"equality_ids", f.equality_ids},
              {"sort_order_id", Opt(f.sort_order_id)}};
}

DataFile DataFileFrom(const Json& j, const Type& partition_type, int32_t spec_id) {
  DataFile f;
  f.content = static_cast<FileContent>(j.value("content", 0));
  f.file_path = j.at("file_path").get<std::string>();
  f.file_format = j.value("file_format", std::string("PARQUET"));
  f.spec_id = spec_id;
  const Json& partition = j.at("partition");
  for (const NestedField& pf : partition_type.fields) {
    if (!partition.contains(pf.name) || partition[pf.name].is_null()) {
      f.partition.push_back(std::nullopt);
      continue;
    }
    f.partition.push_back(Must(ValueFromJson(pf.type, partition[pf.name].dump()), "partition field " + pf.name));
  }
  f.record_count = j.at("record_count").get<int64_t>();
  f.file_size_in_bytes = j.at("file_size_in_bytes").get<int64_t>();
  auto long_map = [&](const char* key, std::map<int32_t, int64_t>* out) {
    if (!j.contains(key)) return;
    for (const auto& [k, v] : j[key].items()) (*out)[std::stoi(k)] = v.get<int64_t>();
  };
  auto bytes_map = [&](const char* key, std::map<int32_t, std::string>* out) {
    if (!j.contains(key)) return;
    for (const auto& [k, v] : j[key].items()) (*out)[std::stoi(k)] = Unhex(v.get<std::string>());
  };
  long_map("column_sizes", &f.column_sizes);
  long_map("value_counts", &f.value_counts);
  long_map("null_value_counts", &f.null_value_counts);
  long_map("nan_value_counts", &f.nan_value_counts);
  bytes_map("lower_bounds", &f.lower_bounds);
  bytes_map("upper_bounds", &f.upper_bounds);
  if (auto k = OptFrom<std::string>(j, "key_metadata")) f.key_metadata = Unhex(*k);
  if (j.contains("split_offsets")) f.split_offsets = j["split_offsets"].get<std::vector<int64_t>>();
  if (j.contains("equality_ids")) f.equality_ids = j["equality_ids"].get<std::vector<int32_t>>();
  f.sort_order_id = OptFrom<int32_t>(j, "sort_order_id");
  return f;
}

Json ManifestFileJson(const ManifestFile& m) {
  Json partitions = Json::array();
  for (const PartitionFieldSummary& p : m.partitions) {
    partitions.push_back(Json{{"contains_null", p.contains_null},
                              {"contains_nan", Opt(p.contains_nan)},
                              {"lower_bound", p.lower_bound ? Json(Hex(*p.lower_bound)) : Json(nullptr)},
                              {"upper_bound", p.upper_bound ? Json(Hex(*p.upper_bound)) : Json(nullptr)}});
  }
  return Json{{"manifest_path", m.manifest_path},
              {"manifest_length", m.manifest_length},
              {"partition_spec_id", m.partition_spec_id},
              {"content", static_cast<int>(m.content)},
              {"sequence_number", m.sequence_number},
              {"min_sequence_number", m.min_sequence_number},
              {"added_snapshot_id", m.added_snapshot_id},
              {"added_files_count", m.added_files_count},
              {"existing_files_count", m.existing_files_count},
              {"deleted_files_count", m.deleted_files_count},
              {"added_rows_count", m.added_rows_count},
              {"existing_rows_count", m.existing_rows_count},
              {"deleted_rows_count", m.deleted_rows_count},
              {"partitions", partitions},
              {"key_metadata", m.key_metadata ? Json(Hex(*m.key_metadata)) : Json(nullptr)}};
}

ManifestFile ManifestFileFrom(const Json& j) {
  ManifestFile m;
  m.manifest_path = j.at("manifest_path").get<std::string>();
  m.manifest_length = j.at("manifest_length").get<int64_t>();
  m.partition_spec_id = j.value("partition_spec_id", 0);
  m.content = static_cast<ManifestContent>(j.value("content", 0));
  m.sequence_number = j.at("sequence_number").get<int64_t>();
  m.min_sequence_number = j.at("min_sequence_number").get<int64_t>();
  m.added_snapshot_id = j.at("added_snapshot_id").get<int64_t>();
  m.added_files_count = j.value("added_files_count", 0);
  m.existing_files_count = j.value("existing_files_count", 0);
  m.deleted_files_count = j.value("deleted_files_count", 0);
  m.added_rows_count = j.value("added_rows_count", int64_t{0});
  m.existing_rows_count = j.value("existing_rows_count", int64_t{0});
  m.deleted_rows_count = j.value("deleted_rows_count", int64_t{0});
  if (j.contains("partitions")) {
    for (const Json& p : j["partitions"]) {
      PartitionFieldSummary s;
      s.contains_null = p.at("contains_null").get<bool>();
      s.contains_nan = OptFrom<bool>(p, "contains_nan");
      if (auto b = OptFrom<std::string>(p, "lower_bound")) s.lower_bound = Unhex(*b);
      if (auto b = OptFrom<std::string>(p, "upper_bound")) s.upper_bound = Unhex(*b);
      m.partitions.push_back(std::move(s));
    }
  }
  if (auto k = OptFrom<std::string>(j, "key_metadata")) m.key_metadata = Unhex(*k);
  return m;
}

int WriteManifest(const std::string& description_path) {
  Json d;
  try {
    d = Json::parse(ReadFile(description_path));
  } catch (const std::exception& e) {
    Die(description_path + ": " + e.what());
  }
  try {
    Schema schema = Must(SchemaFromJson(d.at("schema").dump(), "schema"), description_path);
    PartitionSpec spec = Must(PartitionSpecFromJson(d.at("spec").dump(), "spec"), description_path);
    TypePtr partition_type = Must(spec.PartitionType(schema), description_path);
    int64_t snapshot_id = d.at("snapshot_id").get<int64_t>();
    ManifestContent content =
        d.value("content", std::string("data")) == "deletes" ? ManifestContent::kDeletes : ManifestContent::kData;
    ManifestWriter writer = Must(ManifestWriter::Make(schema, spec, snapshot_id, content), "manifest writer");
    for (size_t i = 0; i < d.at("entries").size(); ++i) {
      const Json& e = d["entries"][i];
      std::string what = "entry " + std::to_string(i);
      ManifestEntry entry;
      entry.status = ParseStatus(e.value("status", std::string("added")));
      entry.snapshot_id = OptFrom<int64_t>(e, "snapshot_id");
      entry.sequence_number = OptFrom<int64_t>(e, "sequence_number");
      entry.file_sequence_number = OptFrom<int64_t>(e, "file_sequence_number");
      entry.data_file = DataFileFrom(e.at("data_file"), *partition_type, spec.spec_id);
      switch (entry.status) {
        case ManifestEntryStatus::kAdded: Must(writer.Add(entry.data_file), what); break;
        case ManifestEntryStatus::kExisting: Must(writer.Existing(entry), what); break;
        case ManifestEntryStatus::kDeleted: Must(writer.Delete(entry), what); break;
      }
    }
    ManifestFile summary;
    summary.manifest_path = d.at("manifest_path").get<std::string>();
    std::string manifest = Must(writer.Finish(&summary), summary.manifest_path);
    WriteFile(summary.manifest_path, manifest);

    std::vector<ManifestFile> list;
    if (d.contains("other_manifests"))
      for (const Json& m : d["other_manifests"]) list.push_back(ManifestFileFrom(m));
    list.push_back(summary);
    std::optional<int64_t> parent = OptFrom<int64_t>(d, "parent_snapshot_id");
    int64_t sequence_number = d.at("sequence_number").get<int64_t>();
    std::string list_bytes = Must(WriteManifestList(list, snapshot_id, parent, sequence_number), "manifest list");
    WriteFile(d.at("manifest_list_path").get<std::string>(), list_bytes);
    std::printf("%s\n", ManifestFileJson(summary).dump().c_str());
  } catch (const Json::exception& e) {
    Die(description_path + ": " + e.what());
  }
  return 0;
}

int Read(const std::string& list_path) {
  std::string list_bytes = ReadFile(list_path);
  std::vector<ManifestFile> manifests = Must(ReadManifestList(list_bytes, list_path), "read");
  Json out_manifests = Json::array();
  for (const ManifestFile& m : manifests) {
    std::string data = ReadFile(m.manifest_path);
    // The table schema and the spec from the manifest's own metadata.
    auto reader = Must(floe::avro::AvroReader::Open(data, m.manifest_path), "read");
    auto meta = [&](const char* key) -> std::string {
      const std::string* v = reader.FindMetadata(key);
      if (!v) Die(m.manifest_path + ": no \"" + key + "\" in the metadata");
      return *v;
    };
    Schema schema = Must(SchemaFromJson(meta("schema"), m.manifest_path + ": schema"), "read");
    PartitionSpec spec =
        Must(PartitionSpecFromJson(meta("partition-spec"), m.manifest_path + ": partition-spec"), "read");
    if (reader.FindMetadata("partition-spec-id")) spec.spec_id = std::stoi(meta("partition-spec-id"));
    TypePtr partition_type = Must(spec.PartitionType(schema), m.manifest_path);
    std::vector<ManifestEntry> entries = Must(ReadManifest(data, m, schema, spec), "read");
    Json j = ManifestFileJson(m);
    Json js = Json::array();
    for (const ManifestEntry& e : entries) {
      js.push_back(Json{{"status", StatusName(e.status)},
                        {"snapshot_id", Opt(e.snapshot_id)},
                        {"sequence_number", Opt(e.sequence_number)},
                        {"file_sequence_number", Opt(e.file_sequence_number)},
                        {"data_file", DataFileJson(e.data_file, *partition_type)}});
    }
    j["entries"] = std::move(js);
    out_manifests.push_back(std::move(j));
  }
  std::printf("%s\n", Json{{"manifests", out_manifests}}.dump(-1, ' ', false, Json::error_handler_t::replace).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) Usage();
  std::string cmd = argv[1];
  if (cmd == "write-manifest") return WriteManifest(argv[2]);
  if (cmd == "read") return Read(argv[2]);
  Usage();
}
