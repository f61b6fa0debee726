#include "floe/broker/broker.h"

#include <fmt/format.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "floe/base/logging.h"

namespace floe::broker {

namespace fs = std::filesystem;

namespace {

kafka::Uuid RandomUuid() {
  std::random_device rd;
  kafka::Uuid id;
  for (size_t i = 0; i < id.size(); i += 4) {
    uint32_t v = rd();
    for (size_t j = 0; j < 4; ++j) id[i + j] = static_cast<uint8_t>(v >> (8 * j));
  }
  id[6] = (id[6] & 0x0f) | 0x40;  // version 4
  id[8] = (id[8] & 0x3f) | 0x80;  // variant
  return id;
}

// Kafka prints UUIDs (cluster ids, topic ids) as unpadded URL-safe base64 of the 16 bytes.
std::string UuidBase64(const kafka::Uuid& id) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (uint8_t b : id) {
    buf = (buf << 8) | b;
    bits += 8;
    while (bits >= 6) {
      out += kAlphabet[(buf >> (bits - 6)) & 0x3f];
      bits -= 6;
    }
  }
  if (bits > 0) out += kAlphabet[(buf << (6 - bits)) & 0x3f];
  return out;
}

std::optional<kafka::Uuid> UuidFromBase64(std::string_view s) {
  if (s.size() != 22) return std::nullopt;
  kafka::Uuid id{};
  uint32_t buf = 0;
  int bits = 0;
  size_t n = 0;
  for (char c : s) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '-')
      v = 62;
    else if (c == '_')
      v = 63;
    else
      return std::nullopt;
    buf = (buf << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8 && n < id.size()) {
      id[n++] = static_cast<uint8_t>(buf >> (bits - 8));
      bits -= 8;
    }
  }
  return n == id.size() ? std::optional(id) : std::nullopt;
}

std::map<std::string, std::string> ReadProperties(const fs::path& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find_first_of("=:");
    if (eq == std::string::npos) continue;
    std::string k = line.substr(0, eq), v = line.substr(eq + 1);
    auto trim = [](std::string& s) {
      s.erase(0, s.find_first_not_of(" \t"));
      s.erase(s.find_last_not_of(" \t\r") + 1);
    };
    trim(k);
    trim(v);
    out[k] = v;
  }
  return out;
}

Status WriteFileAtomically(const fs::path& path, const std::string& content) {
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << content;
    out.flush();
    if (!out) return Status::IoError(fmt::format("cannot write {}", tmp.string()));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Status::IoError(fmt::format("cannot rename {} to {}: {}", tmp.string(), path.string(), ec.message()));
  return Status::Ok();
}

bool ParseInt64(std::string_view s, int64_t* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// Splits "<topic>-<partition>" at the last '-'.
bool ParsePartitionDir(const std::string& name, std::string* topic, int32_t* partition) {
  size_t dash = name.rfind('-');
  if (dash == std::string::npos || dash == 0) return false;
  int64_t p;
  if (!ParseInt64(std::string_view(name).substr(dash + 1), &p) || p < 0 || p > 1000000) return false;
  *topic = name.substr(0, dash);
  *partition = static_cast<int32_t>(p);
  return true;
}

}  // namespace

Status Broker::ValidateTopicName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("topic name is empty");
  if (name.size() > 249)
    return Status::InvalidArgument(fmt::format("topic name '{}' is longer than 249 characters", name));
  if (name == "." || name == "..") return Status::InvalidArgument(fmt::format("topic name '{}' is not allowed", name));
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) {
      return Status::InvalidArgument(fmt::format(
          "topic name '{}' has the character '{}'; allowed are ASCII letters, digits, '.', '_' and '-'", name, c));
    }
  }
  return Status::Ok();
}

Status Broker::ValidateTopicConfigs(const std::map<std::string, std::string>& configs) const {
  static const std::set<std::string> kNumeric = {
      "retention.ms",         "retention.bytes", "segment.bytes",  "segment.ms",          "max.message.bytes",
      "index.interval.bytes", "flush.ms",        "flush.messages", "min.insync.replicas", "segment.index.bytes"};
  for (const auto& [k, v] : configs) {
    if (kNumeric.count(k)) {
      int64_t n;
      if (!ParseInt64(v, &n)) return Status::InvalidArgument(fmt::format("config {}={}: not an integer", k, v));
      if (k == "segment.bytes" && n < 1024)
        return Status::InvalidArgument(fmt::format("config {}={}: below 1024", k, v));
      continue;
    }
    if (k == "message.timestamp.type") {
      if (v != "CreateTime" && v != "LogAppendTime") {
        return Status::InvalidArgument(fmt::format("config {}={}: expected CreateTime or LogAppendTime", k, v));
      }
      continue;
    }
    if (k == "cleanup.policy") {
      if (v != "delete") return Status::InvalidArgument(fmt::format("config {}={}: floe supports only delete", k, v));
      continue;
    }
    if (k == "compression.type") {
      static const std::set<std::string> kCodecs = {"producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"};
      if (!kCodecs.count(v)) return Status::InvalidArgument(fmt::format("config {}={}: unknown codec", k, v));
      continue;
    }
    return Status::InvalidArgument(fmt::format("config {}: unknown topic config", k));
  }
  return Status::Ok();
}

Result<std::unique_ptr<Broker>> Broker::Open(const std::string& data_dir, const BrokerConfig& config) {
  std::unique_ptr<Broker> broker(new Broker((fs::path(data_dir) / "kafka").string(), config));
  broker->sasl_ = std::make_unique<SaslAuthenticator>(config.sasl);
  std::error_code ec;
  fs::create_directories(fs::path(broker->dir_) / "topic-configs", ec);
  if (ec) return Status::IoError(fmt::format("broker: cannot create {}: {}", broker->dir_, ec.message()));

  fs::path meta = fs::path(broker->dir_) / "meta.properties";
  auto props = ReadProperties(meta);
  if (props.count("cluster.id")) {
    broker->cluster_id_ = props["cluster.id"];
  } else {
    broker->cluster_id_ = UuidBase64(RandomUuid());
    FLOE_RETURN_IF_ERROR(WriteFileAtomically(
        meta, fmt::format("version=1\ncluster.id={}\nnode.id={}\n", broker->cluster_id_, config.node_id)));
  }
  auto ids = ReadProperties(fs::path(broker->dir_) / "producer-ids");
  if (ids.count("next")) ParseInt64(ids["next"], &broker->next_producer_id_);
  FLOE_RETURN_IF_ERROR(broker->LoadTopics());
  GroupCoordinatorOptions group_options = config.groups;
  group_options.flush = config.log.flush;
  group_options.flush_interval_ms = config.log.flush_interval_ms;
  FLOE_ASSIGN_OR_RETURN(
      broker->groups_, GroupCoordinator::Open((fs::path(broker->dir_) / "__consumer_offsets").string(), group_options));
  return broker;
}

Broker::~Broker() {
  (void)Close();
}

Result<std::unique_ptr<Topic>> Broker::MakeTopic(const std::string& name,
                                                 const std::map<std::string, std::string>& configs) {
  auto topic = std::make_unique<Topic>();
  topic->name = name;
  topic->configs = configs;
  topic->log_options = config_.log;
  for (const auto& [k, v] : configs) {
    int64_t n = 0;
    ParseInt64(v, &n);
    if (k == "retention.ms") topic->log_options.retention_ms = n;
    if (k == "retention.bytes") topic->log_options.retention_bytes = n;
    if (k == "segment.bytes") topic->log_options.segment_bytes = n;
    if (k == "segment.ms") topic->log_options.segment_ms = n;
    if (k == "index.interval.bytes") topic->log_options.index_interval_bytes = static_cast<int32_t>(n);
    if (k == "message.timestamp.type") topic->log_append_time = v == "LogAppendTime";
  }
  return topic;
}

Status Broker::LoadTopics() {
  std::map<std::string, std::map<int32_t, fs::path>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    if (!entry.is_directory()) continue;
    std::string topic;
    int32_t partition;
    std::string name = entry.path().filename().string();
    if (name == "topic-configs" || name == "__consumer_offsets") continue;
    if (!ParsePartitionDir(name, &topic, &partition) || !ValidateTopicName(topic).ok()) {
      FLOE_LOG_WARN("ignoring a directory that is not a partition", {{"dir", entry.path().string()}});
      continue;
    }
    found[topic][partition] = entry.path();
  }
  if (ec) return Status::IoError(fmt::format("broker: cannot list {}: {}", dir_, ec.message()));
  for (auto& [name, parts] : found) {
    auto configs = ReadProperties(fs::path(dir_) / "topic-configs" / (name + ".properties"));
    FLOE_ASSIGN_OR_RETURN(std::unique_ptr<Topic> topic, MakeTopic(name, configs));
    int32_t expected = 0;
    for (auto& [p, path] : parts) {
      if (p != expected) {
        return Status::Corruption(fmt::format("broker: topic {} has partition directories with a gap: {} is missing",
                                              name, (fs::path(dir_) / fmt::format("{}-{}", name, expected)).string()));
      }
      ++expected;
      FLOE_ASSIGN_OR_RETURN(auto log, PartitionLog::Open(path.string(), topic->log_options));
      topic->partitions.push_back(std::move(log));
    }
    auto meta = ReadProperties(fs::path(dir_) / fmt::format("{}-0", name) / "partition.metadata");
    auto id = meta.count("topic_id") ? UuidFromBase64(meta["topic_id"]) : std::nullopt;
    topic->id = id ? *id : RandomUuid();
    FLOE_LOG_INFO("topic loaded", {{"topic", name}, {"partitions", topic->partitions.size()}});
    topics_[name] = std::move(topic);
  }
  return Status::Ok();
}

Result<Topic*> Broker::CreateTopic(const std::string& name, int32_t partitions,
                                   const std::map<std::string, std::string>& configs, bool validate_only) {
  FLOE_RETURN_IF_ERROR(ValidateTopicName(name));
  if (partitions < 1 || partitions > 10000) {
    return Status::InvalidArgument(fmt::format("topic {}: {} partitions is out of range 1-10000", name, partitions));
  }
  FLOE_RETURN_IF_ERROR(ValidateTopicConfigs(configs));
  std::lock_guard lock(mu_);
  if (topics_.count(name)) return Status::AlreadyExists(fmt::format("topic {} already exists", name));
  if (validate_only) return nullptr;
  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<Topic> topic, MakeTopic(name, configs));
  topic->id = RandomUuid();
  if (!configs.empty()) FLOE_RETURN_IF_ERROR(WriteTopicConfigs(*topic));
  for (int32_t p = 0; p < partitions; ++p) {
    fs::path dir = fs::path(dir_) / fmt::format("{}-{}", name, p);
    FLOE_ASSIGN_OR_RETURN(auto log, PartitionLog::Open(dir.string(), topic->log_options));
    FLOE_RETURN_IF_ERROR(WriteFileAtomically(dir / "partition.metadata",
                                             fmt::format("version: 0\ntopic_id: {}\n", UuidBase64(topic->id))));
    topic->partitions.push_back(std::move(log));
  }
  FLOE_LOG_INFO("topic created", {{"topic", name}, {"partitions", partitions}});
  Topic* raw = topic.get();
  topics_[name] = std::move(topic);
  return raw;
}

Status Broker::WriteTopicConfigs(const Topic& topic) {
  std::string content;
  for (const auto& [k, v] : topic.configs) content += fmt::format("{}={}\n", k, v);
  return WriteFileAtomically(fs::path(dir_) / "topic-configs" / (topic.name + ".properties"), content);
}

Topic* Broker::FindTopic(std::string_view name) {
  std::lock_guard lock(mu_);
  auto it = topics_.find(name);
  return it == topics_.end() ? nullptr : it->second.get();
}

PartitionLog* Broker::FindPartition(std::string_view topic, int32_t partition) {
  Topic* t = FindTopic(topic);
  if (!t || partition < 0 || partition >= static_cast<int32_t>(t->partitions.size())) return nullptr;
  return t->partitions[static_cast<size_t>(partition)].get();
}

Status Broker::DeleteTopic(const std::string& name) {
  std::unique_ptr<Topic> topic;
  {
    std::lock_guard lock(mu_);
    auto it = topics_.find(name);
    if (it == topics_.end()) return Status::NotFound(fmt::format("topic {} does not exist", name));
    topic = std::move(it->second);
    topics_.erase(it);
  }
  for (auto& log : topic->partitions) FLOE_RETURN_IF_ERROR(log->DeleteAll());
  std::error_code ec;
  fs::remove(fs::path(dir_) / "topic-configs" / (name + ".properties"), ec);
  if (groups_) groups_->DeleteTopicOffsets(name);
  FLOE_LOG_INFO("topic deleted", {{"topic", name}});
  return Status::Ok();
}

std::vector<Topic*> Broker::Topics() {
  std::lock_guard lock(mu_);
  std::vector<Topic*> out;
  for (auto& [_, t] : topics_) out.push_back(t.get());
  return out;
}

Result<int64_t> Broker::AllocateProducerId() {
  std::lock_guard lock(producer_id_mu_);
  int64_t id = next_producer_id_++;
  // Persist before handing out, so a restart never reuses an id.
  FLOE_RETURN_IF_ERROR(
      WriteFileAtomically(fs::path(dir_) / "producer-ids", fmt::format("next={}\n", next_producer_id_)));
  return id;
}

void Broker::RunMaintenance(int64_t now_ms) {
  if (groups_) groups_->Tick(now_ms);
  const int64_t log_interval = std::min<int64_t>(config_.log.flush_interval_ms, 30000);
  if (last_log_maintenance_ms_ >= 0 && now_ms >= last_log_maintenance_ms_ &&
      now_ms < last_log_maintenance_ms_ + log_interval) {
    return;
  }
  last_log_maintenance_ms_ = now_ms;
  for (Topic* t : Topics()) {
    for (auto& log : t->partitions) {
      Status st = log->ApplyRetention(now_ms);
      if (!st.ok()) FLOE_LOG_WARN("retention failed", {{"dir", log->dir()}, {"error", st.message()}});
      if (t->log_options.flush == FlushPolicy::kInterval) {
        st = log->Flush();
        if (!st.ok()) FLOE_LOG_ERROR("flush failed", {{"dir", log->dir()}, {"error", st.message()}});
      }
    }
  }
}

Status Broker::Close() {
  std::lock_guard lock(mu_);
  Status first;
  if (groups_) first = groups_->Close();
  for (auto& [_, t] : topics_) {
    for (auto& log : t->partitions) {
      Status st = log->Close();
      if (!st.ok() && first.ok()) first = st;
    }
  }
  topics_.clear();
  return first;
}

}  // namespace floe::broker
