// Reading floe's TOML configuration (`floe.toml`) into typed structs, one struct per layer.
//
// Each layer owns a struct with its defaults and a `Load(ConfigSection)` that reads its keys; a key that is
// absent keeps its default. Every error names the file, the line and the dotted key, and says what was expected:
//   config ./floe.toml:3: broker.partitions: expected an integer, got a string
//   config ./floe.toml:7: unknown key 'broker.no_such_key' (known keys in [broker]: flush, partitions)
// After all layers have read their sections, `ConfigFile::CheckNoUnknownKeys()` rejects anything nobody asked
// for, so a typo never silently falls back to a default.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "floe/base/status.h"

namespace floe {

class ConfigFile;

// A view of one table of a ConfigFile (the root or `[section]`). Cheap to copy; valid while the ConfigFile lives
// at the same address (do not move the file while sections of it are in use).
// A section of an empty ConfigFile (no --config given) reads nothing and keeps every default.
class ConfigSection {
 public:
  // Each Read leaves *out unchanged when the key is absent, and fails when it is present with the wrong type.
  Status Read(std::string_view key, std::string* out) const;
  Status Read(std::string_view key, bool* out) const;
  Status Read(std::string_view key, double* out) const;
  Status ReadInt(std::string_view key, int64_t* out, int64_t min, int64_t max) const;
  template <typename Int>
  Status Read(std::string_view key, Int* out) const requires std::is_integral_v<Int> &&(!std::is_same_v<Int, bool>) {
    int64_t v = static_cast<int64_t>(*out);
    constexpr int64_t lo = static_cast<int64_t>(std::numeric_limits<Int>::min());
    constexpr int64_t hi = std::numeric_limits<Int>::max() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
                               ? std::numeric_limits<int64_t>::max()
                               : static_cast<int64_t>(std::numeric_limits<Int>::max());
    FLOE_RETURN_IF_ERROR(ReadInt(key, &v, lo, hi));
    *out = static_cast<Int>(v);
    return Status::Ok();
  }

  // Every key of this table as a string map (for tables whose keys are data, like user -> password); all keys are
  // known. Fails naming the first value that is not a string.
  Status ReadAllStrings(std::map<std::string, std::string>* out) const;

  // The sub-table `[this.key]`; empty if absent. Fails if `key` holds something other than a table.
  Result<ConfigSection> Section(std::string_view key) const;

  bool Has(std::string_view key) const;
  // "./floe.toml:3: broker.partitions" — where a key's value came from, for errors found after reading
  // (say, a listen address that does not parse). Falls back to the file name when the key is absent.
  std::string Where(std::string_view key) const;
  // The dotted path of this section ("" for the root, "broker", "broker.log").
  const std::string& path() const { return path_; }

 private:
  friend class ConfigFile;
  ConfigSection(const ConfigFile* file, const void* table, std::string path)
      : file_(file), table_(table), path_(std::move(path)) {}
  std::string Dotted(std::string_view key) const;
  Status TypeError(std::string_view key, std::string_view expected) const;
  void MarkKnown(std::string_view key) const;

  const ConfigFile* file_;
  const void* table_;  // const toml::table*, or nullptr for an absent section
  std::string path_;
};

// One parsed TOML file. Move-only.
class ConfigFile {
 public:
  // An empty configuration: every section reads as absent.
  ConfigFile();
  ~ConfigFile();
  ConfigFile(ConfigFile&&) noexcept;
  ConfigFile& operator=(ConfigFile&&) noexcept;

  // Missing file: NotFound naming the path. Syntax error: InvalidArgument with the file, line, column and reason.
  static Result<ConfigFile> Load(const std::string& path);
  static Result<ConfigFile> Parse(std::string_view text, const std::string& name);

  ConfigSection Root() const;
  // Fails naming the first key (in file order) that no section read or declared known.
  Status CheckNoUnknownKeys() const;
  const std::string& name() const { return name_; }

 private:
  friend class ConfigSection;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string name_;
};

}  // namespace floe
