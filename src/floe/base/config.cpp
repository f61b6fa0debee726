#include "floe/base/config.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

namespace floe {

struct ConfigFile::Impl {
  toml::table root;
  // Keys asked for, by section path ("" for the root): every key a layer knows, present or not.
  mutable std::map<std::string, std::set<std::string>> known;
};

namespace {

const toml::table* AsTable(const void* p) {
  return static_cast<const toml::table*>(p);
}

std::string_view TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "nothing";
  }
}

}  // namespace

ConfigFile::ConfigFile() : impl_(std::make_unique<Impl>()) {}
ConfigFile::~ConfigFile() = default;
ConfigFile::ConfigFile(ConfigFile&&) noexcept = default;
ConfigFile& ConfigFile::operator=(ConfigFile&&) noexcept = default;

Result<ConfigFile> ConfigFile::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    if (err == ENOENT) {
      return Status::NotFound(fmt::format("config file {}: does not exist (check --config)", path));
    }
    return Status::FromErrno(err, fmt::format("config file {}: cannot open", path));
  }
  std::stringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return Status::IoError(fmt::format("config file {}: read failed", path));
  return Parse(buf.str(), path);
}

Result<ConfigFile> ConfigFile::Parse(std::string_view text, const std::string& name) {
  ConfigFile file;
  file.name_ = name;
  try {
    file.impl_->root = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return Status::InvalidArgument(
        fmt::format("config {}:{}:{}: not valid TOML: {}", name, where.line, where.column, e.description()));
  }
  return file;
}

ConfigSection ConfigFile::Root() const {
  return ConfigSection(this, &impl_->root, "");
}

Status ConfigFile::CheckNoUnknownKeys() const {
  // Walk in source order so the first error is the first unknown key a reader meets in the file.
  struct Unknown {
    toml::source_position pos;
    std::string section;
    std::string key;
  };
  std::vector<Unknown> unknown;
  auto walk = [&](auto& self, const toml::table& table, const std::string& path) -> void {
    const auto& known = impl_->known[path];
    for (const auto& [k, node] : table) {
      std::string key(k.str());
      std::string dotted = path.empty() ? key : path + "." + key;
      if (!known.count(key)) {
        unknown.push_back({node.source().begin, path, dotted});
      } else if (const toml::table* sub = node.as_table()) {
        self(self, *sub, dotted);
      }
    }
  };
  walk(walk, impl_->root, "");
  if (unknown.empty()) return Status::Ok();
  std::sort(unknown.begin(), unknown.end(), [](const Unknown& a, const Unknown& b) {
    return a.pos.line != b.pos.line ? a.pos.line < b.pos.line : a.pos.column < b.pos.column;
  });
  const Unknown& u = unknown.front();
  const auto& known = impl_->known[u.section];
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
  std::string where = u.section.empty() ? "at the top level" : "in [" + u.section + "]";
  std::string more = unknown.size() > 1 ? fmt::format(" (and {} more unknown keys)", unknown.size() - 1) : "";
  return Status::InvalidArgument(fmt::format("config {}:{}: unknown key '{}'{}; known keys {}: {}", name_, u.pos.line,
                                             u.key, more, where, list.empty() ? "none" : list));
}

std::string ConfigSection::Dotted(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void ConfigSection::MarkKnown(std::string_view key) const {
  file_->impl_->known[path_].insert(std::string(key));
}

bool ConfigSection::Has(std::string_view key) const {
  return table_ != nullptr && AsTable(table_)->contains(key);
}

std::string ConfigSection::Where(std::string_view key) const {
  if (Has(key)) {
    const toml::node* node = AsTable(table_)->get(key);
    return fmt::format("{}:{}: {}", file_->name(), node->source().begin.line, Dotted(key));
  }
  return fmt::format("{}: {}", file_->name().empty() ? "defaults" : file_->name(), Dotted(key));
}

Status ConfigSection::TypeError(std::string_view key, std::string_view expected) const {
  const toml::node* node = AsTable(table_)->get(key);
  return Status::InvalidArgument(fmt::format("config {}: expected {}, got {}", Where(key), expected, TypeName(*node)));
}

Status ConfigSection::Read(std::string_view key, std::string* out) const {
  MarkKnown(key);
  if (!Has(key)) return Status::Ok();
  const toml::node* node = AsTable(table_)->get(key);
  if (auto v = node->value<std::string>(); v && node->is_string()) {
    *out = *v;
    return Status::Ok();
  }
  return TypeError(key, "a string");
}

Status ConfigSection::Read(std::string_view key, bool* out) const {
  MarkKnown(key);
  if (!Has(key)) return Status::Ok();
  const toml::node* node = AsTable(table_)->get(key);
  if (!node->is_boolean()) return TypeError(key, "a boolean (true or false)");
  *out = *node->value<bool>();
  return Status::Ok();
}

Status ConfigSection::Read(std::string_view key, double* out) const {
  MarkKnown(key);
  if (!Has(key)) return Status::Ok();
  const toml::node* node = AsTable(table_)->get(key);
  if (!node->is_number()) return TypeError(key, "a number");
  *out = *node->value<double>();
  return Status::Ok();
}

Status ConfigSection::ReadInt(std::string_view key, int64_t* out, int64_t min, int64_t max) const {
  MarkKnown(key);
  if (!Has(key)) return Status::Ok();
  const toml::node* node = AsTable(table_)->get(key);
  if (!node->is_integer()) return TypeError(key, "an integer");
  int64_t v = *node->value<int64_t>();
  if (v < min || v > max) {
    return Status::InvalidArgument(
        fmt::format("config {}: {} is out of range (expected {} to {})", Where(key), v, min, max));
  }
  *out = v;
  return Status::Ok();
}

Status ConfigSection::ReadAllStrings(std::map<std::string, std::string>* out) const {
  if (table_ == nullptr) return Status::Ok();
  for (const auto& [k, node] : *AsTable(table_)) {
    std::string key(k.str());
    MarkKnown(key);
    if (!node.is_string()) return TypeError(key, "a string");
    (*out)[key] = *node.value<std::string>();
  }
  return Status::Ok();
}

Result<ConfigSection> ConfigSection::Section(std::string_view key) const {
  MarkKnown(key);
  std::string sub_path = Dotted(key);
  if (!Has(key)) return ConfigSection(file_, nullptr, sub_path);
  const toml::node* node = AsTable(table_)->get(key);
  if (!node->is_table()) return TypeError(key, "a table ([" + sub_path + "])");
  return ConfigSection(file_, node->as_table(), sub_path);
}

}  // namespace floe
