#include "floe/catalog/catalog_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "floe/iceberg/table_operations.h"
#include "floe/io/aws_sigv4.h"

namespace floe::catalog {

namespace {

// The schema. Keys are stored as their elements joined by kKeySeparator (below every character a key element may
// hold), so that the binary order of stored keys is the element-wise order and everything under "a.b" is the range
// ["a\x1Fb\x1F", "a\x1Fb\x20"). `parent` is the key without its last element ("" at the top level).
// `seq` orders commits by creation; Merge uses it to pick the newest of several common ancestors.
constexpr int kSchemaVersion = 1;
constexpr char kKeySeparator = '\x1F';
constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS catalog_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS commits (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  parent TEXT,
  merged_from TEXT,
  author TEXT NOT NULL,
  message TEXT NOT NULL,
  time_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS operations (
  commit_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  op INTEGER NOT NULL,
  key TEXT NOT NULL,
  parent TEXT NOT NULL,
  kind INTEGER,
  metadata_location TEXT,
  table_uuid TEXT,
  properties_json TEXT,
  PRIMARY KEY (commit_id, idx));
CREATE TABLE IF NOT EXISTS refs (
  name TEXT PRIMARY KEY,
  type INTEGER NOT NULL,
  head TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS contents (
  ref TEXT NOT NULL,
  key TEXT NOT NULL,
  parent TEXT NOT NULL,
  kind INTEGER NOT NULL,
  metadata_location TEXT,
  table_uuid TEXT,
  properties_json TEXT,
  PRIMARY KEY (ref, key));
CREATE INDEX IF NOT EXISTS contents_by_parent ON contents (ref, parent, key);
CREATE INDEX IF NOT EXISTS contents_by_table_uuid ON contents (table_uuid) WHERE table_uuid IS NOT NULL;
CREATE INDEX IF NOT EXISTS refs_by_head ON refs (head);
)sql";

Status SqliteStatus(sqlite3* db, int rc, std::string_view what) {
  const std::string message = "catalog database: " + std::string(what) + ": " + sqlite3_errstr(rc) +
                              (db ? std::string(" (") + sqlite3_errmsg(db) + ")" : std::string());
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return Status::Unavailable(message + "; another process holds the database's write lock");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return Status::Corruption(message);
    default: return Status::IoError(message);
  }
}

// One prepared statement. Errors of prepare and bind surface at the first Step.
class Stmt {
 public:
  Stmt(sqlite3* db, std::string_view sql) : db_(db), sql_(sql) {
    rc_ = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Bind(int i, std::string_view text) {
    if (rc_ == SQLITE_OK) {
      rc_ = sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    }
    return *this;
  }
  Stmt& Bind(int i, int64_t value) {
    if (rc_ == SQLITE_OK) rc_ = sqlite3_bind_int64(stmt_, i, value);
    return *this;
  }
  Stmt& BindNull(int i) {
    if (rc_ == SQLITE_OK) rc_ = sqlite3_bind_null(stmt_, i);
    return *this;
  }
  Stmt& BindOptional(int i, const std::string& text) { return text.empty() ? BindNull(i) : Bind(i, text); }

  // true: a row is ready; false: done.
  Result<bool> Step() {
    if (rc_ != SQLITE_OK) return SqliteStatus(db_, rc_, Describe());
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return SqliteStatus(db_, rc, Describe());
  }
  // Runs a statement that returns no rows.
  Status Run() {
    Result<bool> r = Step();
    return r.ok() ? Status::Ok() : r.status();
  }

  std::string Text(int col) const {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, col)) : std::string();
  }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  std::string Describe() const {
    std::string s(sql_.substr(0, sql_.find_first_of("(\n")));
    return "statement '" + s + "'";
  }

  sqlite3* db_;
  std::string_view sql_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_OK;
};

Status Exec(sqlite3* db, std::string_view sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db, std::string(sql).c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string what = "'" + std::string(sql.substr(0, sql.find_first_of("(\n"))) + "'";
  if (error) sqlite3_free(error);
  return SqliteStatus(db, rc, what);
}

// A transaction that rolls back unless committed. Write transactions start IMMEDIATE: they take the write lock at
// BEGIN (waiting for busy_timeout), so a read-then-write never fails halfway on a lock upgrade.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  ~Transaction() {
    if (open_) (void)Exec(db_, "ROLLBACK");
  }
  Status Begin(bool write) {
    FLOE_RETURN_IF_ERROR(Exec(db_, write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED"));
    open_ = true;
    return Status::Ok();
  }
  Status Commit() {
    FLOE_RETURN_IF_ERROR(Exec(db_, "COMMIT"));
    open_ = false;
    return Status::Ok();
  }

 private:
  sqlite3* db_;
  bool open_ = false;
};

std::string EncodeKey(const ContentKey& key, size_t elements) {
  std::string out;
  for (size_t i = 0; i < elements; ++i) {
    if (i > 0) out += kKeySeparator;
    out += key[i];
  }
  return out;
}
std::string EncodeKey(const ContentKey& key) {
  return EncodeKey(key, key.size());
}
std::string EncodeParent(const ContentKey& key) {
  return EncodeKey(key, key.empty() ? 0 : key.size() - 1);
}

ContentKey DecodeKey(std::string_view text) {
  ContentKey key;
  size_t start = 0;
  while (true) {
    const size_t sep = text.find(kKeySeparator, start);
    key.emplace_back(text.substr(start, sep == std::string_view::npos ? std::string_view::npos : sep - start));
    if (sep == std::string_view::npos) break;
    start = sep + 1;
  }
  return key;
}

Status ValidateKey(const ContentKey& key, std::string_view what) {
  if (key.empty()) return Status::InvalidArgument(std::string(what) + ": empty key");
  if (key.size() > static_cast<size_t>(CatalogStore::kMaxKeyElements)) {
    return Status::InvalidArgument(std::string(what) + ": key " + ContentKeyToString(key) + " has " +
                                   std::to_string(key.size()) + " elements; at most " +
                                   std::to_string(CatalogStore::kMaxKeyElements) + " are allowed");
  }
  for (const std::string& e : key) {
    if (e.empty()) {
      return Status::InvalidArgument(std::string(what) + ": key " + ContentKeyToString(key) + " has an empty element");
    }
    if (e.size() > static_cast<size_t>(CatalogStore::kMaxKeyElementBytes)) {
      return Status::InvalidArgument(std::string(what) + ": a key element is " + std::to_string(e.size()) +
                                     " bytes; at most " + std::to_string(CatalogStore::kMaxKeyElementBytes) +
                                     " are allowed");
    }
    for (char c : e) {
      if (static_cast<unsigned char>(c) < 0x20) {
        return Status::InvalidArgument(std::string(what) + ": key " + ContentKeyToString(key) +
                                       " contains a control character");
      }
    }
  }
  return Status::Ok();
}

bool IsHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool LooksLikeCommitId(std::string_view s) {
  return s.size() >= 8 && s.size() <= 64 && IsHex(Lower(s));
}

Status ValidateRefName(std::string_view name) {
  const std::string quoted = "reference name '" + std::string(name) + "'";
  if (name.empty() || name.size() > 255) {
    return Status::InvalidArgument(quoted + ": must be 1 to 255 characters");
  }
  if (name.front() == '.' || name.front() == '-' || name.front() == '/') {
    return Status::InvalidArgument(quoted + ": must not start with '.', '-' or '/'");
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || c == '.' || c == '/';
    if (!ok) return Status::InvalidArgument(quoted + ": only letters, digits and '_', '-', '.', '/' are allowed");
  }
  if (LooksLikeCommitId(name)) {
    return Status::InvalidArgument(quoted + ": 8 or more hex digits read as a commit id; choose another name");
  }
  return Status::Ok();
}

std::string Short(std::string_view commit_id) {
  return std::string(commit_id.substr(0, 12));
}

std::string DescribeContent(const Content& c) {
  if (c.is_table()) return "table at " + c.metadata_location;
  return "namespace with properties " + c.properties_json;
}

// Reads a content from columns [first, first + 4): kind, metadata_location, table_uuid, properties_json.
Content ReadContent(const Stmt& s, int first) {
  Content c;
  c.kind = s.Int(first) == 0 ? Content::Kind::kTable : Content::Kind::kNamespace;
  c.metadata_location = s.Text(first + 1);
  c.table_uuid = s.Text(first + 2);
  c.properties_json = s.Text(first + 3);
  return c;
}

// Binds a content to parameters [first, first + 4).
void BindContent(Stmt& s, int first, const Content& c) {
  s.Bind(first, static_cast<int64_t>(c.is_table() ? 0 : 1));
  if (c.is_table()) {
    s.Bind(first + 1, c.metadata_location).Bind(first + 2, c.table_uuid).BindNull(first + 3);
  } else {
    s.BindNull(first + 1).BindNull(first + 2).Bind(first + 3, c.properties_json);
  }
}

// Where `at` points: a commit, and a reference whose materialized contents are that commit's contents (empty when
// no reference is at that commit; reads then replay history).
struct Resolved {
  std::string commit;
  std::string ref;
};

Result<std::optional<Reference>> FindRef(sqlite3* db, std::string_view name) {
  Stmt s(db, "SELECT type, head FROM refs WHERE name = ?1");
  s.Bind(1, name);
  FLOE_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<Reference>();
  Reference r;
  r.name = std::string(name);
  r.type = s.Int(0) == 0 ? Reference::Type::kBranch : Reference::Type::kTag;
  r.head = s.Text(1);
  return std::optional<Reference>(std::move(r));
}

Result<std::string> FindCommitByPrefix(sqlite3* db, std::string_view text) {
  if (!LooksLikeCommitId(text)) {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' is not a commit id (8 to 64 hex digits, or a reference name)");
  }
  const std::string prefix = Lower(text);
  Stmt s(db, "SELECT id FROM commits WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT 2");
  s.Bind(1, prefix).Bind(2, prefix + "g");  // 'g' sorts after every hex digit
  FLOE_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Status::NotFound("commit " + std::string(text) + " does not exist in the catalog");
  std::string id = s.Text(0);
  FLOE_ASSIGN_OR_RETURN(bool second, s.Step());
  if (second) {
    return Status::InvalidArgument("commit id prefix " + std::string(text) +
                                   " is ambiguous (it matches several commits); give more digits");
  }
  return id;
}

Result<Resolved> Resolve(sqlite3* db, std::string_view at) {
  if (at.empty()) return Status::InvalidArgument("empty reference: give a branch, tag or commit id");
  Resolved r;
  const size_t sign = at.find('@');
  if (sign == std::string_view::npos) {
    FLOE_ASSIGN_OR_RETURN(std::optional<Reference> ref, FindRef(db, at));
    if (ref) {
      r.commit = ref->head;
      r.ref = ref->name;
      return r;
    }
    if (!LooksLikeCommitId(at)) {
      return Status::NotFound("reference '" + std::string(at) + "' does not exist in the catalog");
    }
    FLOE_ASSIGN_OR_RETURN(r.commit, FindCommitByPrefix(db, at));
  } else {
    const std::string_view name = at.substr(0, sign);
    if (!name.empty()) {
      FLOE_ASSIGN_OR_RETURN(std::optional<Reference> ref, FindRef(db, name));
      if (!ref) return Status::NotFound("reference '" + std::string(name) + "' does not exist in the catalog");
    }
    FLOE_ASSIGN_OR_RETURN(r.commit, FindCommitByPrefix(db, at.substr(sign + 1)));
  }
  // A reference at this commit holds its contents materialized.
  Stmt s(db, "SELECT name FROM refs WHERE head = ?1 ORDER BY name LIMIT 1");
  s.Bind(1, r.commit);
  FLOE_ASSIGN_OR_RETURN(bool row, s.Step());
  if (row) r.ref = s.Text(0);
  return r;
}

// Replays the operations on the first-parent chain of `commit`, oldest first, into `out` (encoded key -> content).
// `filter` is an extra SQL condition on the operations (o.key / o.parent, parameters from ?2), bound by `bind`.
template <typename BindFn>
Status Replay(sqlite3* db, const std::string& commit, std::string_view filter, BindFn bind,
              std::map<std::string, Content>* out) {
  std::string sql = R"sql(
WITH RECURSIVE chain(id, depth) AS (
  SELECT ?1, 0
  UNION ALL
  SELECT c.parent, chain.depth + 1 FROM commits c JOIN chain ON c.id = chain.id WHERE c.parent IS NOT NULL)
SELECT o.op, o.key, o.kind, o.metadata_location, o.table_uuid, o.properties_json
FROM operations o JOIN chain ON o.commit_id = chain.id)sql";
  if (!filter.empty()) sql += " WHERE " + std::string(filter);
  sql += " ORDER BY chain.depth DESC, o.idx ASC";
  Stmt s(db, sql);
  s.Bind(1, commit);
  bind(s);
  while (true) {
    FLOE_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    if (s.Int(0) == 0) {
      (*out)[s.Text(1)] = ReadContent(s, 2);
    } else {
      out->erase(s.Text(1));
    }
  }
  return Status::Ok();
}

// Every key and value at `at`.
Result<std::map<std::string, Content>> AllContents(sqlite3* db, const Resolved& at) {
  std::map<std::string, Content> out;
  if (!at.ref.empty()) {
    Stmt s(db,
           "SELECT key, kind, metadata_location, table_uuid, properties_json FROM contents WHERE ref = ?1 "
           "ORDER BY key");
    s.Bind(1, at.ref);
    while (true) {
      FLOE_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      out.emplace(s.Text(0), ReadContent(s, 1));
    }
    return out;
  }
  FLOE_RETURN_IF_ERROR(Replay(
      db, at.commit, "", [](Stmt&) {}, &out));
  return out;
}

Result<std::optional<Content>> GetAt(sqlite3* db, const Resolved& at, const std::string& key) {
  if (!at.ref.empty()) {
    Stmt s(db, "SELECT kind, metadata_location, table_uuid, properties_json FROM contents WHERE ref = ?1 AND key = ?2");
    s.Bind(1, at.ref).Bind(2, key);
    FLOE_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return std::optional<Content>();
    return std::optional<Content>(ReadContent(s, 0));
  }
  std::map<std::string, Content> out;
  FLOE_RETURN_IF_ERROR(Replay(
      db, at.commit, "o.key = ?2", [&](Stmt& s) { s.Bind(2, key); }, &out));
  auto it = out.find(key);
  if (it == out.end()) return std::optional<Content>();
  return std::optional<Content>(it->second);
}

// Fills the materialized contents of `ref` (which must have none) with the contents at `at`.
Status MaterializeInto(sqlite3* db, const std::string& ref, const Resolved& at) {
  if (!at.ref.empty()) {
    if (at.ref == ref) return Status::Internal("materializing reference " + ref + " from itself");
    Stmt s(db,
           "INSERT INTO contents (ref, key, parent, kind, metadata_location, table_uuid, properties_json) "
           "SELECT ?1, key, parent, kind, metadata_location, table_uuid, properties_json FROM contents "
           "WHERE ref = ?2");
    s.Bind(1, ref).Bind(2, at.ref);
    return s.Run();
  }
  std::map<std::string, Content> all;
  FLOE_RETURN_IF_ERROR(Replay(
      db, at.commit, "", [](Stmt&) {}, &all));
  for (const auto& [key, content] : all) {
    Stmt s(db,
           "INSERT INTO contents (ref, key, parent, kind, metadata_location, table_uuid, properties_json) "
           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    s.Bind(1, ref).Bind(2, key).Bind(3, EncodeParent(DecodeKey(key)));
    BindContent(s, 4, content);
    FLOE_RETURN_IF_ERROR(s.Run());
  }
  return Status::Ok();
}

void AppendField(std::string* out, std::string_view field) {
  *out += std::to_string(field.size());
  *out += ':';
  *out += field;
}

// The commit id: SHA-256 over every recorded field, each length-prefixed so that no two commits serialize alike.
std::string CommitId(const std::string& parent, const std::string& merged_from, const CommitMeta& meta, int64_t time_ms,
                     const std::vector<Operation>& operations) {
  std::string text = "floe-catalog-commit-v1";
  AppendField(&text, parent);
  AppendField(&text, merged_from);
  AppendField(&text, meta.author);
  AppendField(&text, meta.message);
  AppendField(&text, std::to_string(time_ms));
  for (const Operation& op : operations) {
    AppendField(&text, op.kind == Operation::Kind::kPut ? "put" : "delete");
    AppendField(&text, EncodeKey(op.key));
    if (op.kind == Operation::Kind::kPut) {
      AppendField(&text, op.content.is_table() ? "table" : "namespace");
      AppendField(&text, op.content.metadata_location);
      AppendField(&text, op.content.table_uuid);
      AppendField(&text, op.content.properties_json);
    }
  }
  return io::Sha256Hex(text);
}

Status ValidateContent(const Content& c, const ContentKey& key) {
  if (c.is_table()) {
    if (c.metadata_location.empty()) {
      return Status::InvalidArgument("put " + ContentKeyToString(key) + ": a table needs a metadata location");
    }
    return Status::Ok();
  }
  Result<Properties> props = c.NamespaceProperties();
  if (!props.ok()) {
    return Status::InvalidArgument("put " + ContentKeyToString(key) + ": " + props.status().message());
  }
  return Status::Ok();
}

Status ValidateOperations(const std::vector<Operation>& operations) {
  if (operations.empty()) return Status::InvalidArgument("a commit needs at least one operation");
  if (operations.size() > static_cast<size_t>(CatalogStore::kMaxOperations)) {
    return Status::InvalidArgument("a commit holds at most " + std::to_string(CatalogStore::kMaxOperations) +
                                   " operations; this one has " + std::to_string(operations.size()));
  }
  std::set<ContentKey> seen;
  for (size_t i = 0; i < operations.size(); ++i) {
    const Operation& op = operations[i];
    FLOE_RETURN_IF_ERROR(ValidateKey(op.key, "operations[" + std::to_string(i) + "]"));
    if (!seen.insert(op.key).second) {
      return Status::InvalidArgument("operations[" + std::to_string(i) + "]: key " + ContentKeyToString(op.key) +
                                     " appears twice in one commit");
    }
    if (op.kind == Operation::Kind::kPut) FLOE_RETURN_IF_ERROR(ValidateContent(op.content, op.key));
  }
  return Status::Ok();
}

// Writes a commit on top of branch `branch` at `parent` (its current head) and applies it to the branch's contents.
// The caller holds a write transaction and has validated everything.
Result<std::string> WriteCommit(sqlite3* db, const std::string& branch, const std::string& parent,
                                const std::string& merged_from, const std::vector<Operation>& operations,
                                const CommitMeta& meta) {
  const int64_t time_ms = iceberg::NowMs();
  const std::string id = CommitId(parent, merged_from, meta, time_ms, operations);
  // Content addressing: the same commit made twice (same parent, time, metadata and operations, e.g. on two
  // branches at one millisecond) is one commit, which both branches point at.
  Stmt insert(db,
              "INSERT OR IGNORE INTO commits (id, parent, merged_from, author, message, time_ms) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  insert.Bind(1, id).BindOptional(2, parent).BindOptional(3, merged_from).Bind(4, meta.author);
  insert.Bind(5, meta.message).Bind(6, time_ms);
  FLOE_RETURN_IF_ERROR(insert.Run());
  const bool is_new = sqlite3_changes(db) > 0;
  for (size_t i = 0; i < operations.size(); ++i) {
    const Operation& op = operations[i];
    const std::string key = EncodeKey(op.key);
    const std::string key_parent = EncodeParent(op.key);
    if (is_new) {
      Stmt s(db,
             "INSERT INTO operations (commit_id, idx, op, key, parent, kind, metadata_location, table_uuid, "
             "properties_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
      s.Bind(1, id)
          .Bind(2, static_cast<int64_t>(i))
          .Bind(3, static_cast<int64_t>(op.kind == Operation::Kind::kPut ? 0 : 1));
      s.Bind(4, key).Bind(5, key_parent);
      if (op.kind == Operation::Kind::kPut) {
        BindContent(s, 6, op.content);
      } else {
        s.BindNull(6).BindNull(7).BindNull(8).BindNull(9);
      }
      FLOE_RETURN_IF_ERROR(s.Run());
    }
    if (op.kind == Operation::Kind::kPut) {
      Stmt s(db,
             "INSERT OR REPLACE INTO contents (ref, key, parent, kind, metadata_location, table_uuid, "
             "properties_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
      s.Bind(1, branch).Bind(2, key).Bind(3, key_parent);
      BindContent(s, 4, op.content);
      FLOE_RETURN_IF_ERROR(s.Run());
    } else {
      Stmt s(db, "DELETE FROM contents WHERE ref = ?1 AND key = ?2");
      s.Bind(1, branch).Bind(2, key);
      FLOE_RETURN_IF_ERROR(s.Run());
    }
  }
  // Namespaces hold the tree together, as in Nessie: what is put under a.b needs namespace a.b on the branch, and a
  // key that stops being a namespace (deleted, or replaced by a table) must have nothing left under it.
  for (const Operation& op : operations) {
    const std::string key = EncodeKey(op.key);
    if (op.kind == Operation::Kind::kPut && op.key.size() > 1) {
      Stmt s(db, "SELECT kind FROM contents WHERE ref = ?1 AND key = ?2");
      s.Bind(1, branch).Bind(2, EncodeParent(op.key));
      FLOE_ASSIGN_OR_RETURN(bool row, s.Step());
      const ContentKey parent_key(op.key.begin(), op.key.end() - 1);
      if (!row) {
        return Status::NotFound("namespace " + ContentKeyToString(parent_key) + " does not exist on branch " + branch +
                                " (" + ContentKeyToString(op.key) + " needs it)");
      }
      if (s.Int(0) == 0) {
        return Status::InvalidArgument(ContentKeyToString(parent_key) + " is a table, not a namespace (" +
                                       ContentKeyToString(op.key) + " cannot go under it)");
      }
    }
    if (op.kind == Operation::Kind::kDelete || op.content.is_table()) {
      Stmt s(db, "SELECT key FROM contents WHERE ref = ?1 AND key >= ?2 AND key < ?3 ORDER BY key LIMIT 1");
      s.Bind(1, branch).Bind(2, key + kKeySeparator).Bind(3, key + static_cast<char>(kKeySeparator + 1));
      FLOE_ASSIGN_OR_RETURN(bool row, s.Step());
      if (row) {
        return Status::Conflict("namespace " + ContentKeyToString(op.key) + " is not empty on branch " + branch +
                                ": it holds " + ContentKeyToString(DecodeKey(s.Text(0))));
      }
    }
  }
  Stmt move(db, "UPDATE refs SET head = ?1 WHERE name = ?2");
  move.Bind(1, id).Bind(2, branch);
  FLOE_RETURN_IF_ERROR(move.Run());
  return id;
}

Result<Reference> RequireBranch(sqlite3* db, std::string_view name, std::string_view doing) {
  FLOE_ASSIGN_OR_RETURN(std::optional<Reference> ref, FindRef(db, name));
  if (!ref) return Status::NotFound(std::string(doing) + ": branch '" + std::string(name) + "' does not exist");
  if (!ref->is_branch()) {
    return Status::InvalidArgument(std::string(doing) + ": '" + std::string(name) +
                                   "' is a tag, which is read-only; commit to a branch (a tag moves only by "
                                   "assigning it)");
  }
  return *ref;
}

Status CheckExpectedHead(const Reference& ref, const std::optional<std::string>& expected, std::string_view doing) {
  if (!expected) return Status::Ok();
  const std::string want = Lower(*expected);
  // A unique prefix of the head counts: the CLI shows 12 digits.
  if (want.size() >= 8 && ref.head.compare(0, want.size(), want) == 0) return Status::Ok();
  return Status::Conflict(std::string(doing) + ": " + (ref.is_branch() ? "branch " : "tag ") + ref.name +
                          " moved: expected it at " + Short(*expected) + ", it is at " + Short(ref.head));
}

}  // namespace

std::string ContentKeyToString(const ContentKey& key) {
  std::string out;
  for (size_t i = 0; i < key.size(); ++i) {
    if (i > 0) out += '.';
    out += key[i];
  }
  return out;
}

ContentKey TableKey(const TableIdentifier& table) {
  ContentKey key = table.ns;
  key.push_back(table.name);
  return key;
}

Content Content::Table(std::string metadata_location, std::string table_uuid) {
  Content c;
  c.kind = Kind::kTable;
  c.metadata_location = std::move(metadata_location);
  c.table_uuid = std::move(table_uuid);
  return c;
}

Content Content::NamespaceWith(const Properties& properties) {
  Content c;
  c.kind = Kind::kNamespace;
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : properties) j[k] = v;
  c.properties_json = j.dump();
  return c;
}

Result<Properties> Content::NamespaceProperties() const {
  nlohmann::json j = nlohmann::json::parse(properties_json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    return Status::Corruption("namespace properties are not a JSON object: " + properties_json.substr(0, 200));
  }
  Properties out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it.value().is_string()) {
      return Status::Corruption("namespace property '" + it.key() + "' is not a string");
    }
    out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

Operation Operation::Put(ContentKey key, Content content) {
  Operation op;
  op.kind = Kind::kPut;
  op.key = std::move(key);
  op.content = std::move(content);
  return op;
}

Operation Operation::Create(ContentKey key, Content content) {
  Operation op = Put(std::move(key), std::move(content));
  op.check = Check::kAbsent;
  return op;
}

Operation Operation::Replace(ContentKey key, Content expected, Content content) {
  Operation op = Put(std::move(key), std::move(content));
  op.check = Check::kEquals;
  op.expected = std::move(expected);
  return op;
}

Operation Operation::Delete(ContentKey key) {
  Operation op;
  op.kind = Kind::kDelete;
  op.key = std::move(key);
  return op;
}

Operation Operation::DeleteExpecting(ContentKey key, Content expected) {
  Operation op = Delete(std::move(key));
  op.check = Check::kEquals;
  op.expected = std::move(expected);
  return op;
}

std::string CatalogStore::DatabasePath(std::string_view data_dir) {
  return (std::filesystem::path(data_dir) / "catalog" / "catalog.db").string();
}

Result<std::unique_ptr<CatalogStore>> CatalogStore::Open(std::string_view db_path, const CatalogStoreOptions& options) {
  const std::string path(db_path);
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec)
      return Status::IoError("catalog database " + path + ": create directory " + parent.string() + ": " +
                             ec.message());
  }
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    Status s = SqliteStatus(db, rc, "open " + path);
    sqlite3_close(db);
    return s;
  }
  std::unique_ptr<CatalogStore> store(new CatalogStore(db));
  auto fail = [&](const Status& s) { return s.WithContext(path); };
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  // WAL: readers never block the writer nor the other way round, and a commit appends to the log instead of
  // rewriting pages in place, so a crash at any point leaves the last committed transaction.
  {
    Stmt s(db, "PRAGMA journal_mode=WAL");
    Result<bool> row = s.Step();
    if (!row.ok()) return fail(row.status());
    if (!*row || s.Text(0) != "wal") {
      return Status::IoError(path + ": cannot switch the catalog database to WAL mode (journal mode '" +
                             (*row ? s.Text(0) : std::string()) + "'); is it on a file system without shared memory?");
    }
  }
  FLOE_RETURN_IF_ERROR(
      Exec(db, options.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL").WithContext(path));
  Transaction txn(db);
  if (Status s = txn.Begin(true); !s.ok()) return fail(s);
  // A file that holds other tables but not ours is someone else's database: never write into it.
  {
    Stmt s(db,
           "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'catalog_meta'), "
           "(SELECT count(*) FROM sqlite_master WHERE type = 'table')");
    Result<bool> row = s.Step();
    if (!row.ok()) return fail(row.status());
    if (s.Int(0) == 0 && s.Int(1) > 0) {
      return Status::Corruption(path + ": this SQLite database is not a floe catalog (it has no catalog_meta table)");
    }
  }
  if (Status s = Exec(db, kSchema); !s.ok()) return fail(s);
  {
    Stmt s(db, "SELECT value FROM catalog_meta WHERE key = 'schema_version'");
    Result<bool> row = s.Step();
    if (!row.ok()) return fail(row.status());
    if (*row && s.Text(0) != std::to_string(kSchemaVersion)) {
      return Status::Unsupported(path + ": catalog schema version " + s.Text(0) + "; this floe reads version " +
                                 std::to_string(kSchemaVersion));
    }
  }
  Result<std::optional<Reference>> main = FindRef(db, kDefaultBranch);
  if (!main.ok()) return fail(main.status());
  if (!*main) {
    Stmt meta(db, "INSERT OR REPLACE INTO catalog_meta (key, value) VALUES ('schema_version', ?1)");
    meta.Bind(1, std::to_string(kSchemaVersion));
    if (Status s = meta.Run(); !s.ok()) return fail(s);
    // The root commit: no parent, no operations; every history starts here, so any two refs have an ancestor.
    CommitMeta root_meta;
    root_meta.author = "floe";
    root_meta.message = "create the catalog";
    const int64_t now = iceberg::NowMs();
    const std::string root = CommitId("", "", root_meta, now, {});
    Stmt insert(
        db,
        "INSERT INTO commits (id, parent, merged_from, author, message, time_ms) VALUES (?1, NULL, NULL, ?2, ?3, ?4)");
    insert.Bind(1, root).Bind(2, root_meta.author).Bind(3, root_meta.message).Bind(4, now);
    if (Status s = insert.Run(); !s.ok()) return fail(s);
    Stmt ref(db, "INSERT INTO refs (name, type, head) VALUES (?1, 0, ?2)");
    ref.Bind(1, kDefaultBranch).Bind(2, root);
    if (Status s = ref.Run(); !s.ok()) return fail(s);
  }
  if (Status s = txn.Commit(); !s.ok()) return fail(s);
  return store;
}

CatalogStore::CatalogStore(sqlite3* db) : db_(db) {}

CatalogStore::~CatalogStore() {
  sqlite3_close(db_);
}

Result<std::vector<Reference>> CatalogStore::ListRefs() {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT name, type, head FROM refs ORDER BY name");
  std::vector<Reference> out;
  while (true) {
    FLOE_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    Reference r;
    r.name = s.Text(0);
    r.type = s.Int(1) == 0 ? Reference::Type::kBranch : Reference::Type::kTag;
    r.head = s.Text(2);
    out.push_back(std::move(r));
  }
  return out;
}

Result<Reference> CatalogStore::GetRef(std::string_view name) {
  std::lock_guard lock(mu_);
  FLOE_ASSIGN_OR_RETURN(std::optional<Reference> ref, FindRef(db_, name));
  if (!ref) return Status::NotFound("reference '" + std::string(name) + "' does not exist in the catalog");
  return *ref;
}

Result<Reference> CatalogStore::CreateRef(std::string_view name, Reference::Type type, std::string_view from) {
  const std::string doing =
      std::string("create ") + (type == Reference::Type::kBranch ? "branch " : "tag ") + std::string(name);
  FLOE_RETURN_IF_ERROR(ValidateRefName(name).WithContext(doing));
  std::lock_guard lock(mu_);
  Transaction txn(db_);
  FLOE_RETURN_IF_ERROR(txn.Begin(true));
  FLOE_ASSIGN_OR_RETURN(std::optional<Reference> existing, FindRef(db_, name));
  if (existing) {
    return Status::AlreadyExists(doing + ": a " + (existing->is_branch() ? "branch" : "tag") + " named '" +
                                 std::string(name) + "' already exists");
  }
  Result<Resolved> at = Resolve(db_, from);
  if (!at.ok()) return at.status().WithContext(doing);
  Reference ref;
  ref.name = std::string(name);
  ref.type = type;
  ref.head = at->commit;
  Stmt s(db_, "INSERT INTO refs (name, type, head) VALUES (?1, ?2, ?3)");
  s.Bind(1, ref.name).Bind(2, static_cast<int64_t>(type == Reference::Type::kBranch ? 0 : 1)).Bind(3, ref.head);
  FLOE_RETURN_IF_ERROR(s.Run());
  FLOE_RETURN_IF_ERROR(MaterializeInto(db_, ref.name, *at));
  FLOE_RETURN_IF_ERROR(txn.Commit());
  return ref;
}

Status CatalogStore::DeleteRef(std::string_view name, const std::optional<std::string>& expected_head) {
  const std::string doing = "delete reference " + std::string(name);
  if (name == kDefaultBranch) {
    return Status::InvalidArgument(doing + ": the default branch cannot be deleted");
  }
  std::lock_guard lock(mu_);
  Transaction txn(db_);
  FLOE_RETURN_IF_ERROR(txn.Begin(true));
  FLOE_ASSIGN_OR_RETURN(std::optional<Reference> ref, FindRef(db_, name));
  if (!ref) return Status::NotFound(doing + ": it does not exist");
  FLOE_RETURN_IF_ERROR(CheckExpectedHead(*ref, expected_head, doing));
  Stmt contents(db_, "DELETE FROM contents WHERE ref = ?1");
  contents.Bind(1, name);
  FLOE_RETURN_IF_ERROR(contents.Run());
  Stmt refs(db_, "DELETE FROM refs WHERE name = ?1");
  refs.Bind(1, name);
  FLOE_RETURN_IF_ERROR(refs.Run());
  return txn.Commit();
}

Result<Reference> CatalogStore::AssignRef(std::string_view name, std::string_view to,
                                          const std::optional<std::string>& expected_head) {
  const std::string doing = "assign reference " + std::string(name);
  std::lock_guard lock(mu_);
  Transaction txn(db_);
  FLOE_RETURN_IF_ERROR(txn.Begin(true));
  FLOE_ASSIGN_OR_RETURN(std::optional<Reference> ref, FindRef(db_, name));
  if (!ref) return Status::NotFound(doing + ": it does not exist");
  FLOE_RETURN_IF_ERROR(CheckExpectedHead(*ref, expected_head, doing));
  Result<Resolved> at = Resolve(db_, to);
  if (!at.ok()) return at.status().WithContext(doing);
  if (at->commit == ref->head) return *ref;
  // Resolve prefers the ref itself when `to` names a commit it is at; it is not, so at->ref is another ref or none.
  Stmt clear(db_, "DELETE FROM contents WHERE ref = ?1");
  clear.Bind(1, name);
  FLOE_RETURN_IF_ERROR(clear.Run());
  Stmt move(db_, "UPDATE refs SET head = ?1 WHERE name = ?2");
  move.Bind(1, at->commit).Bind(2, name);
  FLOE_RETURN_IF_ERROR(move.Run());
  FLOE_RETURN_IF_ERROR(MaterializeInto(db_, ref->name, *at));
  FLOE_RETURN_IF_ERROR(txn.Commit());
  ref->head = at->commit;
  return *ref;
}

namespace {

// One commit's checks and writes, inside the caller's write transaction.
Result<std::string> CommitLocked(sqlite3* db, std::string_view branch, const std::optional<std::string>& expected_head,
                                 const std::vector<Operation>& operations, const CommitMeta& meta) {
  const std::string doing = "commit to " + std::string(branch);
  FLOE_ASSIGN_OR_RETURN(Reference ref, RequireBranch(db, branch, doing));
  FLOE_RETURN_IF_ERROR(CheckExpectedHead(ref, expected_head, doing));
  Resolved here{ref.head, ref.name};
  for (const Operation& op : operations) {
    FLOE_ASSIGN_OR_RETURN(std::optional<Content> current, GetAt(db, here, EncodeKey(op.key)));
    const std::string key = ContentKeyToString(op.key);
    if (op.check == Operation::Check::kAbsent && current) {
      return Status::Conflict(doing + ": " + key + " already exists (" + DescribeContent(*current) + ")");
    }
    if (op.check == Operation::Check::kEquals && current != op.expected) {
      return Status::Conflict(doing + ": " + key + " changed: expected " + DescribeContent(op.expected) + ", " +
                              (current ? "it is now " + DescribeContent(*current) : "it no longer exists"));
    }
    if (op.kind == Operation::Kind::kDelete && !current) {
      return Status::Conflict(doing + ": cannot delete " + key + ": it does not exist");
    }
  }
  return WriteCommit(db, ref.name, ref.head, "", operations, meta);
}

}  // namespace

struct CatalogStore::PendingCommit {
  std::string_view branch;
  const std::optional<std::string>* expected_head;
  const std::vector<Operation>* operations;
  const CommitMeta* meta;
  Result<std::string> result = Status::Internal("catalog commit not run");
  bool done = false;
};

Result<std::string> CatalogStore::Commit(std::string_view branch, const std::optional<std::string>& expected_head,
                                         const std::vector<Operation>& operations, const CommitMeta& meta) {
  FLOE_RETURN_IF_ERROR(ValidateOperations(operations).WithContext("commit to " + std::string(branch)));
  PendingCommit me{branch, &expected_head, &operations, &meta};
  std::unique_lock queue_lock(queue_mu_);
  queue_.push_back(&me);
  while (!me.done && leader_active_) queue_cv_.wait(queue_lock);
  if (me.done) return std::move(me.result);
  // This thread leads the next group: every commit queued now, in order, in one transaction.
  leader_active_ = true;
  std::vector<PendingCommit*> group;
  while (!queue_.empty() && group.size() < static_cast<size_t>(kMaxGroupCommit)) {
    group.push_back(queue_.front());
    queue_.pop_front();
  }
  queue_lock.unlock();
  {
    std::lock_guard lock(mu_);
    RunGroup(group);
  }
  queue_lock.lock();
  leader_active_ = false;
  for (PendingCommit* p : group) p->done = true;
  queue_cv_.notify_all();
  return std::move(me.result);
}

// Group commit: with synchronous=FULL each SQLite transaction costs an fsync of the WAL, so commits that arrive
// together share one. Each runs inside its own savepoint, so one that fails (a conflict) is rolled back alone and the
// others see exactly the state they would have seen one after another.
void CatalogStore::RunGroup(const std::vector<PendingCommit*>& group) {
  auto fail_all = [&](const Status& s) {
    for (PendingCommit* p : group) p->result = s;
  };
  Transaction txn(db_);
  if (Status s = txn.Begin(true); !s.ok()) return fail_all(s);
  for (PendingCommit* p : group) {
    if (Status s = Exec(db_, "SAVEPOINT catalog_commit"); !s.ok()) return fail_all(s);
    p->result = CommitLocked(db_, p->branch, *p->expected_head, *p->operations, *p->meta);
    if (!p->result.ok()) {
      if (Status s = Exec(db_, "ROLLBACK TO catalog_commit"); !s.ok()) return fail_all(s);
    }
    if (Status s = Exec(db_, "RELEASE catalog_commit"); !s.ok()) return fail_all(s);
  }
  if (Status s = txn.Commit(); !s.ok()) {
    for (PendingCommit* p : group) {
      if (p->result.ok()) p->result = s.WithContext("commit to " + std::string(p->branch));
    }
  }
}

Result<std::string> CatalogStore::ResolveCommit(std::string_view at) {
  std::lock_guard lock(mu_);
  FLOE_ASSIGN_OR_RETURN(Resolved r, Resolve(db_, at));
  return r.commit;
}

Result<std::optional<Content>> CatalogStore::Get(std::string_view at, const ContentKey& key) {
  FLOE_RETURN_IF_ERROR(ValidateKey(key, "get"));
  std::lock_guard lock(mu_);
  Transaction txn(db_);  // one snapshot for resolving and reading
  FLOE_RETURN_IF_ERROR(txn.Begin(false));
  FLOE_ASSIGN_OR_RETURN(Resolved r, Resolve(db_, at));
  return GetAt(db_, r, EncodeKey(key));
}

Result<std::vector<std::pair<ContentKey, Content>>> CatalogStore::List(std::string_view at, const ContentKey& parent,
                                                                       bool recursive) {
  if (!parent.empty()) FLOE_RETURN_IF_ERROR(ValidateKey(parent, "list"));
  const std::string encoded = EncodeKey(parent);
  // Everything strictly under `parent`: the keys in [parent + sep, parent + (sep + 1)).
  const std::string low = encoded.empty() ? std::string() : encoded + kKeySeparator;
  // Above every UTF-8 key when listing from the top.
  const std::string high = encoded.empty() ? std::string(4, '\xff') : encoded + static_cast<char>(kKeySeparator + 1);
  std::lock_guard lock(mu_);
  Transaction txn(db_);
  FLOE_RETURN_IF_ERROR(txn.Begin(false));
  FLOE_ASSIGN_OR_RETURN(Resolved r, Resolve(db_, at));
  std::vector<std::pair<ContentKey, Content>> out;
  if (!r.ref.empty()) {
    const char* sql = recursive ? "SELECT key, kind, metadata_location, table_uuid, properties_json FROM contents "
                                  "WHERE ref = ?1 AND key >= ?2 AND key < ?3 ORDER BY key"
                                : "SELECT key, kind, metadata_location, table_uuid, properties_json FROM contents "
                                  "WHERE ref = ?1 AND parent = ?2 ORDER BY key";
    Stmt s(db_, sql);
    s.Bind(1, r.ref);
    if (recursive) {
      s.Bind(2, low).Bind(3, high);
    } else {
      s.Bind(2, encoded);
    }
    while (true) {
      FLOE_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      out.emplace_back(DecodeKey(s.Text(0)), ReadContent(s, 1));
    }
    return out;
  }
  std::map<std::string, Content> all;
  if (recursive) {
    FLOE_RETURN_IF_ERROR(Replay(
        db_, r.commit, "o.key >= ?2 AND o.key < ?3", [&](Stmt& s) { s.Bind(2, low).Bind(3, high); }, &all));
  } else {
    FLOE_RETURN_IF_ERROR(Replay(
        db_, r.commit, "o.parent = ?2", [&](Stmt& s) { s.Bind(2, encoded); }, &all));
  }
  for (auto& [key, content] : all) out.emplace_back(DecodeKey(key), std::move(content));
  return out;
}

Result<std::vector<CommitRecord>> CatalogStore::Log(std::string_view at, int limit) {
  limit = std::clamp(limit, 0, kMaxLogEntries);
  std::lock_guard lock(mu_);
  Transaction txn(db_);
  FLOE_RETURN_IF_ERROR(txn.Begin(false));
  FLOE_ASSIGN_OR_RETURN(Resolved r, Resolve(db_, at));
  std::vector<CommitRecord> out;
  if (limit == 0) return out;
  Stmt s(db_, R"sql(
WITH RECURSIVE chain(id, depth) AS (
  SELECT ?1, 0
  UNION ALL
  SELECT c.parent, chain.depth + 1 FROM commits c JOIN chain ON c.id = chain.id
  WHERE c.parent IS NOT NULL AND chain.depth + 1 < ?2)
SELECT c.id, c.parent, c.merged_from, c.author, c.message, c.time_ms
FROM chain JOIN commits c ON c.id = chain.id ORDER BY chain.depth)sql");
  s.Bind(1, r.commit).Bind(2, static_cast<int64_t>(limit));
  while (true) {
    FLOE_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    CommitRecord c;
    c.id = s.Text(0);
    c.parent = s.Text(1);
    c.merged_from = s.Text(2);
    c.author = s.Text(3);
    c.message = s.Text(4);
    c.time_ms = s.Int(5);
    out.push_back(std::move(c));
  }
  for (CommitRecord& c : out) {
    Stmt ops(db_,
             "SELECT op, key, kind, metadata_location, table_uuid, properties_json FROM operations "
             "WHERE commit_id = ?1 ORDER BY idx");
    ops.Bind(1, c.id);
    while (true) {
      FLOE_ASSIGN_OR_RETURN(bool row, ops.Step());
      if (!row) break;
      if (ops.Int(0) == 0) {
        c.operations.push_back(Operation::Put(DecodeKey(ops.Text(1)), ReadContent(ops, 2)));
      } else {
        c.operations.push_back(Operation::Delete(DecodeKey(ops.Text(1))));
      }
    }
  }
  return out;
}

namespace {

std::vector<KeyDiff> DiffMaps(const std::map<std::string, Content>& from, const std::map<std::string, Content>& to) {
  std::vector<KeyDiff> out;
  auto a = from.begin();
  auto b = to.begin();
  while (a != from.end() || b != to.end()) {
    if (b == to.end() || (a != from.end() && a->first < b->first)) {
      out.push_back({DecodeKey(a->first), a->second, std::nullopt});
      ++a;
    } else if (a == from.end() || b->first < a->first) {
      out.push_back({DecodeKey(b->first), std::nullopt, b->second});
      ++b;
    } else {
      if (!(a->second == b->second)) out.push_back({DecodeKey(a->first), a->second, b->second});
      ++a;
      ++b;
    }
  }
  return out;
}

// The newest common ancestor of two commits, following both parents and merge sources.
Result<std::string> CommonAncestor(sqlite3* db, const std::string& a, const std::string& b) {
  Stmt s(db, R"sql(
WITH RECURSIVE
  up_a(id) AS (
    SELECT ?1
    UNION SELECT c.parent FROM commits c JOIN up_a ON c.id = up_a.id WHERE c.parent IS NOT NULL
    UNION SELECT c.merged_from FROM commits c JOIN up_a ON c.id = up_a.id WHERE c.merged_from IS NOT NULL),
  up_b(id) AS (
    SELECT ?2
    UNION SELECT c.parent FROM commits c JOIN up_b ON c.id = up_b.id WHERE c.parent IS NOT NULL
    UNION SELECT c.merged_from FROM commits c JOIN up_b ON c.id = up_b.id WHERE c.merged_from IS NOT NULL)
SELECT c.id FROM commits c WHERE c.id IN (SELECT id FROM up_a) AND c.id IN (SELECT id FROM up_b)
ORDER BY c.seq DESC LIMIT 1)sql");
  s.Bind(1, a).Bind(2, b);
  FLOE_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) {
    return Status::Corruption("commits " + Short(a) + " and " + Short(b) +
                              " have no common ancestor; every history should start at the root commit");
  }
  return s.Text(0);
}

Result<Resolved> ResolveCommitId(sqlite3* db, const std::string& commit) {
  Resolved r;
  r.commit = commit;
  Stmt s(db, "SELECT name FROM refs WHERE head = ?1 ORDER BY name LIMIT 1");
  s.Bind(1, commit);
  FLOE_ASSIGN_OR_RETURN(bool row, s.Step());
  if (row) r.ref = s.Text(0);
  return r;
}

}  // namespace

Result<std::vector<KeyDiff>> CatalogStore::Diff(std::string_view from, std::string_view to) {
  std::lock_guard lock(mu_);
  Transaction txn(db_);
  FLOE_RETURN_IF_ERROR(txn.Begin(false));
  FLOE_ASSIGN_OR_RETURN(Resolved a, Resolve(db_, from));
  FLOE_ASSIGN_OR_RETURN(Resolved b, Resolve(db_, to));
  FLOE_ASSIGN_OR_RETURN(auto ca, AllContents(db_, a));
  FLOE_ASSIGN_OR_RETURN(auto cb, AllContents(db_, b));
  return DiffMaps(ca, cb);
}

Result<std::string> CatalogStore::Merge(std::string_view source, std::string_view target,
                                        const std::optional<std::string>& expected_target_head,
                                        const CommitMeta& meta) {
  const std::string doing = "merge " + std::string(source) + " into " + std::string(target);
  std::lock_guard lock(mu_);
  Transaction txn(db_);
  FLOE_RETURN_IF_ERROR(txn.Begin(true));
  FLOE_ASSIGN_OR_RETURN(Reference into, RequireBranch(db_, target, doing));
  FLOE_RETURN_IF_ERROR(CheckExpectedHead(into, expected_target_head, doing));
  Result<Resolved> from = Resolve(db_, source);
  if (!from.ok()) return from.status().WithContext(doing);
  FLOE_ASSIGN_OR_RETURN(std::string base, CommonAncestor(db_, from->commit, into.head));
  if (base == from->commit) return into.head;  // the target already has everything of the source
  FLOE_ASSIGN_OR_RETURN(Resolved base_at, ResolveCommitId(db_, base));
  FLOE_ASSIGN_OR_RETURN(auto base_contents, AllContents(db_, base_at));
  FLOE_ASSIGN_OR_RETURN(auto source_contents, AllContents(db_, *from));
  FLOE_ASSIGN_OR_RETURN(auto target_contents, AllContents(db_, Resolved{into.head, into.name}));
  const std::vector<KeyDiff> source_changes = DiffMaps(base_contents, source_contents);
  if (source_changes.empty()) return into.head;
  const std::vector<KeyDiff> target_changes = DiffMaps(base_contents, target_contents);
  std::set<ContentKey> changed_on_target;
  for (const KeyDiff& d : target_changes) changed_on_target.insert(d.key);
  std::string conflicts;
  for (const KeyDiff& d : source_changes) {
    if (changed_on_target.count(d.key)) conflicts += (conflicts.empty() ? "" : ", ") + ContentKeyToString(d.key);
  }
  if (!conflicts.empty()) {
    return Status::Conflict(doing + ": changed on both since their common ancestor " + Short(base) + ": " + conflicts);
  }
  std::vector<Operation> operations;
  for (const KeyDiff& d : source_changes) {
    operations.push_back(d.to ? Operation::Put(d.key, *d.to) : Operation::Delete(d.key));
  }
  if (operations.size() > static_cast<size_t>(kMaxOperations)) {
    return Status::InvalidArgument(doing + ": " + std::to_string(operations.size()) +
                                   " keys changed, more than one commit holds (" + std::to_string(kMaxOperations) +
                                   "); merge in steps");
  }
  CommitMeta merge_meta = meta;
  if (merge_meta.message.empty()) merge_meta.message = "merge " + std::string(source) + " into " + std::string(target);
  Result<std::string> id = WriteCommit(db_, into.name, into.head, from->commit, operations, merge_meta);
  if (!id.ok()) {
    // The changes do not fit together (a table merged into a namespace the target dropped, ...).
    const StatusCode code = id.status().code();
    if (code == StatusCode::kNotFound || code == StatusCode::kInvalidArgument) {
      return Status::Conflict(doing + ": " + id.status().message());
    }
    return id.status().WithContext(doing);
  }
  FLOE_RETURN_IF_ERROR(txn.Commit());
  return id;
}

Result<std::vector<std::string>> CatalogStore::RefsHoldingTable(std::string_view table_uuid) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT DISTINCT ref FROM contents WHERE table_uuid = ?1 ORDER BY ref");
  s.Bind(1, table_uuid);
  std::vector<std::string> out;
  while (true) {
    FLOE_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(s.Text(0));
  }
  return out;
}

}  // namespace floe::catalog
