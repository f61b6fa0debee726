#include "floe/catalog/metadata_cache.h"

#include <utility>

namespace floe::catalog {

MetadataCache& MetadataCache::Shared() {
  static MetadataCache* cache = new MetadataCache();  // never destroyed: used until the process exits
  return *cache;
}

std::shared_ptr<const iceberg::TableMetadata> MetadataCache::Find(const std::string& location) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(location);
  if (it == entries_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.metadata;
}

void MetadataCache::Add(const std::string& location, iceberg::TableMetadata metadata, std::string json) {
  if (location.empty() || 2 * json.size() > kMaxBytes / 4) return;
  auto parsed = std::make_shared<const iceberg::TableMetadata>(std::move(metadata));
  auto text = std::make_shared<const std::string>(std::move(json));
  std::lock_guard<std::mutex> lock(mu_);
  AddLocked(location, std::move(parsed), std::move(text));
}

std::shared_ptr<const std::string> MetadataCache::Json(const iceberg::TableState& state) {
  const std::string& location = state.metadata_location;
  if (!location.empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = entries_.find(location); it != entries_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      return it->second.json;
    }
  }
  auto encoded = std::make_shared<const std::string>(iceberg::TableMetadataToJson(state.metadata));
  if (location.empty() || 2 * encoded->size() > kMaxBytes / 4) return encoded;
  auto parsed = std::make_shared<const iceberg::TableMetadata>(state.metadata);
  std::lock_guard<std::mutex> lock(mu_);
  AddLocked(location, std::move(parsed), encoded);
  return encoded;
}

void MetadataCache::Erase(const std::string& location) {
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.count(location)) EraseLocked(location);
}

void MetadataCache::AddLocked(const std::string& location, std::shared_ptr<const iceberg::TableMetadata> metadata,
                              std::shared_ptr<const std::string> json) {
  if (entries_.count(location)) return;
  lru_.push_front(location);
  bytes_ += 2 * json->size();
  entries_.emplace(location, Entry{std::move(metadata), std::move(json), lru_.begin()});
  while (bytes_ > kMaxBytes) EraseLocked(lru_.back());
}

void MetadataCache::EraseLocked(std::string location) {
  auto it = entries_.find(location);
  bytes_ -= 2 * it->second.json->size();
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

}  // namespace floe::catalog
