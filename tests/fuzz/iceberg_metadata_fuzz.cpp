// libFuzzer target: arbitrary bytes as an Iceberg table metadata file (ParseTableMetadata), a manifest list
// (ReadManifestList) and a manifest (ReadManifest with a fixed telemetry schema and day(ts) spec). None may crash,
// hang or allocate past the input. Oracles: metadata that parses is valid (Validate) and writes JSON that parses
// to metadata that writes the same JSON again; errors always have a message.
//
// Built and run by scripts/fuzz.sh; seeds in tests/fuzz/corpus/iceberg_metadata/ (metadata files, manifest lists
// and manifests floe wrote).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "floe/iceberg/manifest.h"
#include "floe/iceberg/table_metadata.h"

namespace {

using namespace floe::iceberg;  // NOLINT(google-build-using-namespace)

[[noreturn]] void Die(const char* what, const std::string& detail) {
  std::fprintf(stderr, "iceberg_metadata_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

NestedField Field(int32_t id, std::string name, bool required, TypePtr type) {
  NestedField f;
  f.id = id;
  f.name = std::move(name);
  f.required = required;
  f.type = std::move(type);
  return f;
}

void CheckMetadata(std::string_view in) {
  auto m = ParseTableMetadata(in, "fuzz.metadata.json");
  if (!m.ok()) {
    if (m.status().message().empty()) Die("metadata", "an error without a message");
    return;
  }
  if (auto st = m->Validate(); !st.ok()) Die("metadata: parsed but invalid", st.ToString());
  const std::string json = TableMetadataToJson(*m);
  auto again = ParseTableMetadata(json, "rewritten.metadata.json");
  if (!again.ok()) Die("metadata: the rewritten JSON does not parse", again.status().ToString());
  if (TableMetadataToJson(*again) != json) Die("metadata", "writing is not stable");
}

void CheckManifests(std::string_view in) {
  auto list = ReadManifestList(in, "fuzz-list.avro");
  if (!list.ok() && list.status().message().empty()) Die("manifest list", "an error without a message");

  static const Schema schema(0, {Field(1, "sensor_id", true, Type::Primitive(TypeId::kString)),
                                 Field(2, "ts", true, Type::Primitive(TypeId::kTimestampTz)),
                                 Field(3, "temperature", false, Type::Primitive(TypeId::kDouble))});
  static const PartitionSpec spec{0, {{2, 1000, "ts_day", Transform::Day()}}};
  ManifestFile manifest;
  manifest.manifest_path = "fuzz-m0.avro";
  manifest.sequence_number = 3;
  manifest.min_sequence_number = 1;
  manifest.added_snapshot_id = 42;
  auto entries = ReadManifest(in, manifest, schema, spec);
  if (!entries.ok()) {
    if (entries.status().message().empty()) Die("manifest", "an error without a message");
    return;
  }
  for (const ManifestEntry& e : *entries) {
    if (!e.snapshot_id || !e.sequence_number) Die("manifest", "an entry without an inherited snapshot or sequence");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  CheckMetadata(in);
  CheckManifests(in);
  return 0;
}
