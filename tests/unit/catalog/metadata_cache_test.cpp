#include "floe/catalog/metadata_cache.h"

#include <gtest/gtest.h>

#include <string>

#include "floe/base/uuid.h"
#include "floe/iceberg/table_updates.h"

namespace floe::catalog {
namespace {

iceberg::TableMetadata SomeMetadata() {
  iceberg::CreateTableOptions options;
  options.schema =
      iceberg::Schema(0, {iceberg::NestedField{1, "id", true, iceberg::Type::Primitive(iceberg::TypeId::kLong)}}, {});
  options.location = "/tmp/t";
  return iceberg::NewTableMetadata(options, 1732480000000).value();
}

TEST(MetadataCacheTest, ServesTheFilesTextAsWrittenNotEncodedAgain) {
  MetadataCache& cache = MetadataCache::Shared();
  const std::string location = "/tmp/t/metadata/00001-" + NewUuid() + ".metadata.json";
  // The text as the file holds it (a writer's spacing): what a LoadTable response must carry, byte for byte.
  const std::string text = "{ \"format-version\" : 2 }";
  cache.Add(location, SomeMetadata(), text);
  ASSERT_NE(cache.Find(location), nullptr);
  EXPECT_EQ(cache.Find(location)->location, "/tmp/t");
  iceberg::TableState state;
  state.metadata = SomeMetadata();
  state.metadata_location = location;
  EXPECT_EQ(*cache.Json(state), text);
  // A location keeps its first entry.
  cache.Add(location, SomeMetadata(), "{}");
  EXPECT_EQ(*cache.Json(state), text);
  cache.Erase(location);
  EXPECT_EQ(cache.Find(location), nullptr);
  // Unknown now: encoded from the state, and kept.
  EXPECT_EQ(*cache.Json(state), iceberg::TableMetadataToJson(state.metadata));
  EXPECT_NE(cache.Find(location), nullptr);
  cache.Erase(location);
}

TEST(MetadataCacheTest, StagedStatesWithoutLocationAreEncodedAndNotKept) {
  iceberg::TableState staged;
  staged.metadata = SomeMetadata();
  EXPECT_EQ(*MetadataCache::Shared().Json(staged), iceberg::TableMetadataToJson(staged.metadata));
  EXPECT_EQ(MetadataCache::Shared().Find(""), nullptr);
}

}  // namespace
}  // namespace floe::catalog
