// CatalogStore: floe's catalog database, with history like Project Nessie. One SQLite file,
// <data-dir>/catalog/catalog.db, in WAL mode; every change is one SQLite transaction, so a crash (even SIGKILL in the
// middle of a commit) leaves the last committed state and nothing of the interrupted change.
//
// Model:
//   - contents: values under keys. A key is a list of elements, outermost first ({"prod", "telemetry", "t"}, shown
//     "prod.telemetry.t"). A value is a table (metadata location + table uuid) or a namespace (its properties). Tables
//     and namespaces share one key space, as in Nessie.
//   - commits: each records its parent, author, message, time and the operations it made (put or delete of a key).
//     A commit id is the SHA-256 (64 hex digits) of the commit's parent, author, message, time and operations, as
//     Nessie's ids are hashes: ids mean the same thing in every copy of a store and across branches, never collide
//     when history is merged, and name the content of a commit rather than its position in one database. The store
//     creates a root commit (no parent, no operations) when it is created; every history starts there.
//     Namespaces hold the tree together, as in Nessie: a commit may put a key under a.b only while namespace a.b
//     exists on the branch, and may not delete a namespace (or replace it by a table) that still holds keys.
//   - references: branches and tags, each pointing at a commit. Branch "main" is created with the store and cannot
//     be deleted. Commits go to branches only; tags move only by AssignRef.
//   - the current contents of every reference are kept materialized, so a read at a branch or tag is one indexed
//     query. A read at a bare commit id replays the operations along that commit's first-parent chain (cost grows
//     with the history, see "Bounds").
//
// Reading at "a ref or commit" (`at` below) accepts a reference name ("main", "v1"), a commit id (all 64 hex digits
// or a unique prefix of at least 8), or "<ref>@<commit id>" (Nessie's form; the commit id is used).
//
// Bounds: a commit holds at most kMaxOperations operations; a key has at most kMaxKeyElements elements of at most
// kMaxKeyElementBytes bytes each; a reference name at most 255 bytes; Log returns at most kMaxLogEntries commits per
// call. Reads at a bare commit id, Diff against a bare commit and Merge replay history: their cost is linear in the
// number of operations since the root along the chains involved (reads at branches and tags do not: they are
// materialized).
//
// Durability: every commit is durable when Commit returns (synchronous=FULL by default, see CatalogStoreOptions).
// Commits that arrive together from several threads are written as one SQLite transaction (group commit: one fsync
// for all), each still checked and applied in order as if alone, and each failing alone.
//
// Thread-safety: a CatalogStore is safe to share between threads (one connection, calls serialized by a mutex).
// Several processes may open one database: SQLite locks it, and a writer waits up to busy_timeout_ms for another's
// transaction to finish before failing with Unavailable.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "floe/base/status.h"
#include "floe/catalog/catalog.h"

struct sqlite3;

namespace floe::catalog {

using ContentKey = std::vector<std::string>;

// "a.b.c" for {"a", "b", "c"}.
std::string ContentKeyToString(const ContentKey& key);
ContentKey TableKey(const TableIdentifier& table);

// The value under a key.
struct Content {
  enum class Kind { kTable, kNamespace };
  Kind kind = Kind::kTable;
  std::string metadata_location;  // kTable
  std::string table_uuid;         // kTable
  std::string properties_json;    // kNamespace: a JSON object of string values ("{}" when empty)

  static Content Table(std::string metadata_location, std::string table_uuid);
  static Content NamespaceWith(const Properties& properties);
  // The properties of a namespace content. Corruption when properties_json is not an object of strings.
  Result<Properties> NamespaceProperties() const;
  bool is_table() const { return kind == Kind::kTable; }
  bool operator==(const Content&) const = default;
};

// One change in a commit. `check` is the content-level optimistic check (Nessie's "expected content"): the commit is
// a Conflict when the key's value on the branch is not what the caller based its change on.
struct Operation {
  enum class Kind { kPut, kDelete };
  enum class Check {
    kNone,    // no condition
    kAbsent,  // the key must not exist
    kEquals,  // the key must hold exactly `expected`
  };
  Kind kind = Kind::kPut;
  ContentKey key;
  Content content;  // kPut: the new value
  Check check = Check::kNone;
  Content expected;  // kEquals

  static Operation Put(ContentKey key, Content content);
  static Operation Create(ContentKey key, Content content);                     // check kAbsent
  static Operation Replace(ContentKey key, Content expected, Content content);  // check kEquals
  static Operation Delete(ContentKey key);
  static Operation DeleteExpecting(ContentKey key, Content expected);  // check kEquals
};

struct Reference {
  enum class Type { kBranch, kTag };
  std::string name;
  Type type = Type::kBranch;
  std::string head;  // commit id

  bool is_branch() const { return type == Type::kBranch; }
};

// A commit as the log shows it. Its operations are the values it wrote (checks are not recorded).
struct CommitRecord {
  std::string id;
  std::string parent;       // empty for the root commit
  std::string merged_from;  // a merge commit: the source commit it merged; else empty
  std::string author;
  std::string message;
  int64_t time_ms = 0;
  std::vector<Operation> operations;
};

// A key whose value differs between two refs: nullopt where it is absent.
struct KeyDiff {
  ContentKey key;
  std::optional<Content> from;
  std::optional<Content> to;
};

struct CatalogStoreOptions {
  // How long a write waits for another process's transaction before failing with Unavailable.
  int busy_timeout_ms = 5000;
  // true: PRAGMA synchronous=FULL, every commit fsyncs the WAL before it returns, so an acknowledged catalog commit
  // survives a power loss, not only a process crash. A catalog commit is the one durable point of an Iceberg commit:
  // a writer that was told "committed" (pyiceberg, Spark, floe's sink) forgets its retry state, and a commit rolled
  // back after a power loss would lose its data without anyone noticing. So this is the default; its cost (one WAL
  // fsync per commit, ~2 ms on a plain disk) is shared by concurrent commits through group commit. false:
  // synchronous=NORMAL, durable against process crashes only (the last commits may roll back after a power loss; the
  // database is still consistent), for tests and throwaway stores.
  bool synchronous_full = true;
};

class CatalogStore {
 public:
  static constexpr std::string_view kDefaultBranch = "main";
  static constexpr int kMaxOperations = 10'000;
  static constexpr int kMaxKeyElements = 64;
  static constexpr int kMaxKeyElementBytes = 1024;
  static constexpr int kMaxLogEntries = 10'000;

  // "<data_dir>/catalog/catalog.db".
  static std::string DatabasePath(std::string_view data_dir);
  // Opens the database at `db_path`, creating it (and its directory) with branch main at a root commit when it does
  // not exist. Corruption when the file is not a catalog database; IoError when it cannot be opened.
  static Result<std::unique_ptr<CatalogStore>> Open(std::string_view db_path, const CatalogStoreOptions& options = {});
  ~CatalogStore();
  CatalogStore(const CatalogStore&) = delete;
  CatalogStore& operator=(const CatalogStore&) = delete;

  // References, sorted by name.
  Result<std::vector<Reference>> ListRefs();
  // NotFound for an unknown name.
  Result<Reference> GetRef(std::string_view name);
  // Creates a branch or tag at `from` (a ref or commit, see above). AlreadyExists; InvalidArgument for a bad name
  // (names are letters, digits and "_-./", not starting with '.', '-' or '/', and not 8+ hex digits, which read as a
  // commit id); NotFound when `from` does not resolve.
  Result<Reference> CreateRef(std::string_view name, Reference::Type type, std::string_view from);
  // Deletes a ref. With `expected_head`, Conflict when the ref has moved. InvalidArgument for the default branch.
  Status DeleteRef(std::string_view name, const std::optional<std::string>& expected_head = std::nullopt);
  // Points a branch or tag at `to` (a ref or commit). With `expected_head`, Conflict when the ref has moved.
  Result<Reference> AssignRef(std::string_view name, std::string_view to,
                              const std::optional<std::string>& expected_head = std::nullopt);

  // Commits `operations` to `branch` and returns the new commit id (which the branch now points at). Conflict when
  // `expected_head` is given and the branch points elsewhere ("branch main moved: expected X, it is at Y"), when an
  // operation's check fails ("a.b changed: expected table at ..., it is now table at ..."), when a delete finds no
  // key, or when a namespace that still holds keys would go; NotFound when a put's namespace does not exist.
  // InvalidArgument for a tag, an empty or oversized list, a key twice in one commit, or a malformed key. On any
  // error nothing is written.
  Result<std::string> Commit(std::string_view branch, const std::optional<std::string>& expected_head,
                             const std::vector<Operation>& operations, const CommitMeta& meta);

  // The commit id `at` resolves to. NotFound when it does not; InvalidArgument for an ambiguous id prefix.
  Result<std::string> ResolveCommit(std::string_view at);
  // The value of `key` at `at`; nullopt when absent.
  Result<std::optional<Content>> Get(std::string_view at, const ContentKey& key);
  // The keys directly under `parent` (every key below it at any depth with `recursive`), sorted.
  Result<std::vector<std::pair<ContentKey, Content>>> List(std::string_view at, const ContentKey& parent,
                                                           bool recursive = false);
  // Commits reachable from `at` by first parents, newest first, at most min(limit, kMaxLogEntries).
  Result<std::vector<CommitRecord>> Log(std::string_view at, int limit);
  // Keys whose values differ between `from` and `to`, sorted by key.
  Result<std::vector<KeyDiff>> Diff(std::string_view from, std::string_view to);
  // Merges `source` (a ref or commit) into branch `target`: finds their newest common ancestor and applies the
  // source's changes since then (one merge commit, which records `source`'s commit as merged_from, so merging again
  // later applies only what is new). Conflict, naming the keys, when any of those keys also changed on the target
  // since the ancestor, or when the changes do not fit the target's namespaces; nothing changes then. Returns the new
  // head of `target` (unchanged when the source has nothing new). With `expected_target_head`, Conflict when the target
  // has moved.
  Result<std::string> Merge(std::string_view source, std::string_view target,
                            const std::optional<std::string>& expected_target_head, const CommitMeta& meta);

  // The references whose current contents hold a table with this uuid, sorted (for a purge: files still in use).
  Result<std::vector<std::string>> RefsHoldingTable(std::string_view table_uuid);

 private:
  struct PendingCommit;
  static constexpr int kMaxGroupCommit = 64;

  explicit CatalogStore(sqlite3* db);
  void RunGroup(const std::vector<PendingCommit*>& group);

  sqlite3* db_;
  std::mutex mu_;  // guards db_
  // Commits waiting for a group (see Commit); one thread at a time leads a group into the database.
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<PendingCommit*> queue_;
  bool leader_active_ = false;
};

}  // namespace floe::catalog
