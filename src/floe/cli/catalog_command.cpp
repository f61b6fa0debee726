// `floe catalog`: the Iceberg REST catalog alone, and its history.
//
//   floe catalog [--catalog-listen HOST:PORT] [--data-dir DIR] [--config FILE] [--warehouse DIR|s3://BUCKET/PREFIX]
//       serves http://HOST:PORT/iceberg (branch main; /iceberg/<ref>/v1/... for another branch or tag) until
//       SIGINT/SIGTERM
//   floe catalog log [--ref main] [--limit N]       commits, newest first, with the table pointers each one moved
//   floe catalog refs                               branches and tags
//   floe catalog branch NAME [--from REF]           a new branch at REF (a branch, tag or commit id; default main)
//   floe catalog tag NAME [--from REF]              a new tag at REF
//   floe catalog merge FROM [--into main]           applies FROM's changes to a branch; refused when they conflict
//   floe catalog diff A B                           keys whose tables or namespaces differ between two refs
//
// The history subcommands work on the data directory's catalog store directly (SQLite lets them share it with a
// running server), so they take --data-dir (or --config) like the server; or, with --catalog URL (the Iceberg REST
// base http://HOST:PORT/iceberg, the server root, or http://HOST:PORT/api/v2) and --catalog-token TOKEN, on a running
// catalog over HTTP through its Nessie API v2 (catalog/nessie_client.h). Both print the same.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "floe/base/logging.h"
#include "floe/catalog/catalog_store.h"
#include "floe/catalog/nessie_client.h"
#include "floe/cli/commands.h"
#include "floe/cli/server_options.h"
#include "floe/cli/services.h"
#include "floe/io/data_dir.h"
#include "floe/io/event_loop.h"

namespace floe::cli {

namespace {

using catalog::CatalogStore;

struct CatalogFlags {
  ServerFlags server;
  std::optional<std::string> warehouse;
};

int RunCatalogServer(const CatalogFlags& flags) {
  if (flags.warehouse && flags.warehouse->empty()) {
    PrintError("--warehouse: must not be empty");
    return 2;
  }
  FloeConfig config;
  std::optional<io::DataDir> data_dir;
  if (int status = PrepareServer(flags.server, "catalog", &config, &data_dir); status != 0) return status;
  if (flags.warehouse) config.catalog.warehouse = *flags.warehouse;

  // This loop only waits for SIGINT/SIGTERM; the catalog serves on its own (RunningCatalog).
  io::EventLoop loop(1);
  auto catalog = StartCatalog(config, data_dir->path());
  if (!catalog.ok()) {
    PrintError(catalog.status().message());
    return 1;
  }
  catalog->Run();
  return ServeUntilShutdown(loop, "catalog", [&] { catalog->Stop(); });
}

// ---- history ----

struct HistoryFlags {
  ServerFlags server;  // --config, --data-dir, --log-level
  std::string ref = std::string(CatalogStore::kDefaultBranch);
  int limit = 20;
  std::string name;
  std::string from = std::string(CatalogStore::kDefaultBranch);
  std::string into = std::string(CatalogStore::kDefaultBranch);
  std::string a;
  std::string b;
  std::optional<std::string> catalog;  // --catalog URL: over HTTP instead of the data directory
  std::string catalog_token;
};

// The data directory's store. Configuration errors are exit status 2, the rest 1.
Result<std::unique_ptr<CatalogStore>> OpenStore(const ServerFlags& flags, int* exit_status) {
  *exit_status = 2;
  FLOE_ASSIGN_OR_RETURN(FloeConfig config, ResolveServerConfig(flags));
  *exit_status = 1;
  std::string db = CatalogStore::DatabasePath(config.data_dir);
  if (!std::filesystem::exists(db)) {
    return Status::NotFound(
        fmt::format("no catalog in data dir {} ({} does not exist): pass the --data-dir the catalog runs with",
                    config.data_dir, db));
  }
  return CatalogStore::Open(db);
}

std::string FormatTime(int64_t ms) {
  auto seconds = static_cast<std::time_t>(ms / 1000);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", fmt::gmtime(seconds), static_cast<int>(ms % 1000));
}

std::string DescribeContent(const catalog::Content& content) {
  if (content.is_table()) return "table " + content.metadata_location;
  return "namespace " + content.properties_json;
}

void PrintLog(const std::vector<catalog::CommitRecord>& log) {
  for (const catalog::CommitRecord& c : log) {
    fmt::print("commit {}\n", c.id);
    if (!c.merged_from.empty()) fmt::print("merge  {}\n", c.merged_from);
    fmt::print("author {}\ndate   {}\n    {}\n", c.author, FormatTime(c.time_ms), c.message);
    for (const catalog::Operation& op : c.operations) {
      if (op.kind == catalog::Operation::Kind::kPut) {
        fmt::print("    put    {}  {}\n", catalog::ContentKeyToString(op.key), DescribeContent(op.content));
      } else {
        fmt::print("    delete {}\n", catalog::ContentKeyToString(op.key));
      }
    }
    fmt::print("\n");
  }
}

// Turns a history command's Status into the exit status.
int ExitStatus(const Status& status) {
  if (status.ok()) return 0;
  PrintError(status.message());
  return status.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

// Runs `body` on the history the flags name and turns its Status into the exit status: with --catalog, a NessieClient
// for that URL; otherwise the data directory's store. `parent` holds the flags given before the subcommand's name
// (`floe catalog --data-dir D log`), `own` those after it, which win. `body` takes either (they share the methods it
// calls).
template <typename Body>
int WithStore(const ServerFlags& parent, const HistoryFlags& history, Body body) {
  const ServerFlags& own = history.server;
  if (history.catalog) {
    if (own.data_dir || parent.data_dir) {
      PrintError("--catalog and --data-dir both name a catalog: give one");
      return 2;
    }
    catalog::NessieClientOptions options;
    options.token = history.catalog_token;
    auto client = catalog::NessieClient::Connect(*history.catalog, options);
    if (!client.ok()) {
      PrintError("--catalog: " + client.status().message());
      return 2;
    }
    return ExitStatus(body(**client));
  }
  ServerFlags flags = parent;
  if (own.config_path) flags.config_path = own.config_path;
  if (own.data_dir) flags.data_dir = own.data_dir;
  if (own.log_level) flags.log_level = own.log_level;
  int exit_status = 0;
  auto store = OpenStore(flags, &exit_status);
  if (!store.ok()) {
    PrintError(store.status().message());
    return exit_status;
  }
  return ExitStatus(body(**store));
}

template <typename History>
Status Log(History& store, const HistoryFlags& flags) {
  FLOE_ASSIGN_OR_RETURN(auto log, store.Log(flags.ref, flags.limit));
  PrintLog(log);
  return Status::Ok();
}

template <typename History>
Status Refs(History& store) {
  FLOE_ASSIGN_OR_RETURN(auto refs, store.ListRefs());
  for (const catalog::Reference& r : refs) {
    fmt::print("{:<6} {} {}\n", r.is_branch() ? "branch" : "tag", r.name, r.head);
  }
  return Status::Ok();
}

template <typename History>
Status CreateRef(History& store, const HistoryFlags& flags, catalog::Reference::Type type) {
  FLOE_ASSIGN_OR_RETURN(catalog::Reference ref, store.CreateRef(flags.name, type, flags.from));
  fmt::print("created {} {} at {}\n", ref.is_branch() ? "branch" : "tag", ref.name, ref.head);
  return Status::Ok();
}

template <typename History>
Status Merge(History& store, const HistoryFlags& flags) {
  FLOE_ASSIGN_OR_RETURN(catalog::Reference before, store.GetRef(flags.into));
  if (!before.is_branch()) {
    return Status::InvalidArgument(fmt::format("--into {}: is a tag; merge into a branch", flags.into));
  }
  catalog::CommitMeta meta{"floe", fmt::format("merge {} into {}", flags.from, flags.into)};
  FLOE_ASSIGN_OR_RETURN(std::string head, store.Merge(flags.from, flags.into, before.head, meta));
  if (head == before.head) {
    fmt::print("nothing to merge: {} has no changes that {} lacks\n", flags.from, flags.into);
  } else {
    fmt::print("merged {} into {}: {}\n", flags.from, flags.into, head);
  }
  return Status::Ok();
}

template <typename History>
Status Diff(History& store, const HistoryFlags& flags) {
  FLOE_ASSIGN_OR_RETURN(auto diffs, store.Diff(flags.a, flags.b));
  for (const catalog::KeyDiff& d : diffs) {
    std::string key = catalog::ContentKeyToString(d.key);
    if (!d.from) {
      fmt::print("+ {}  {}\n", key, DescribeContent(*d.to));
    } else if (!d.to) {
      fmt::print("- {}  {}\n", key, DescribeContent(*d.from));
    } else {
      fmt::print("~ {}  {} -> {}\n", key, DescribeContent(*d.from), DescribeContent(*d.to));
    }
  }
  return Status::Ok();
}

CLI::App* AddHistoryCommand(CLI::App* parent, const std::string& name, const std::string& help, HistoryFlags* flags) {
  CLI::App* cmd = parent->add_subcommand(name, help);
  AddServerFlags(cmd, &flags->server, {});
  cmd->add_option("--catalog", flags->catalog,
                  "a running catalog instead of --data-dir: http://HOST:PORT/iceberg, http://HOST:PORT or "
                  "http://HOST:PORT/api/v2")
      ->type_name("URL");
  cmd->add_option("--catalog-token", flags->catalog_token, "a bearer token for --catalog")->type_name("TOKEN");
  return cmd;
}

}  // namespace

void AddCatalogCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<CatalogFlags>();
  auto history = std::make_shared<HistoryFlags>();
  CLI::App* cmd = app.add_subcommand(
      "catalog", "Run the Iceberg REST catalog alone (http://HOST:PORT/iceberg), or read and change its history");
  cmd->require_subcommand(0, 1);
  AddServerFlags(cmd, &flags->server, {Door::kCatalog});
  cmd->add_option("--warehouse", flags->warehouse,
                  "where new tables go: a directory or s3://BUCKET/PREFIX (default <data-dir>/warehouse)")
      ->type_name("DIR|URI");
  cmd->callback([cmd, flags, exit_code] {
    if (cmd->get_subcommands().empty()) *exit_code = RunCatalogServer(*flags);
  });

  HistoryFlags* h = history.get();
  CLI::App* log = AddHistoryCommand(cmd, "log", "Print the commit log of a branch or tag, newest first", h);
  log->add_option("--ref", h->ref, "branch, tag or commit id (default main)")->type_name("REF");
  log->add_option("--limit", h->limit, "at most this many commits (default 20)")
      ->check(CLI::Range(1, 10000))
      ->type_name("N");
  log->callback([flags, history, exit_code] {
    *exit_code = WithStore(flags->server, *history, [&](auto& s) { return Log(s, *history); });
  });

  CLI::App* refs = AddHistoryCommand(cmd, "refs", "List branches and tags with the commit each points at", h);
  refs->callback([flags, history, exit_code] {
    *exit_code = WithStore(flags->server, *history, [](auto& s) { return Refs(s); });
  });

  CLI::App* branch = AddHistoryCommand(cmd, "branch", "Create a branch", h);
  branch->add_option("name", h->name, "the new branch")->required()->type_name("NAME");
  branch->add_option("--from", h->from, "branch, tag or commit id to start from (default main)")->type_name("REF");
  branch->callback([flags, history, exit_code] {
    *exit_code = WithStore(flags->server, *history,
                           [&](auto& s) { return CreateRef(s, *history, catalog::Reference::Type::kBranch); });
  });

  CLI::App* tag = AddHistoryCommand(cmd, "tag", "Create a tag", h);
  tag->add_option("name", h->name, "the new tag")->required()->type_name("NAME");
  tag->add_option("--from", h->from, "branch, tag or commit id to tag (default main)")->type_name("REF");
  tag->callback([flags, history, exit_code] {
    *exit_code = WithStore(flags->server, *history,
                           [&](auto& s) { return CreateRef(s, *history, catalog::Reference::Type::kTag); });
  });

  CLI::App* merge = AddHistoryCommand(cmd, "merge", "Merge a branch's changes into another branch", h);
  merge->add_option("from", h->from, "branch, tag or commit id to merge")->required()->type_name("REF");
  merge->add_option("--into", h->into, "the branch to merge into (default main)")->type_name("BRANCH");
  merge->callback([flags, history, exit_code] {
    *exit_code = WithStore(flags->server, *history, [&](auto& s) { return Merge(s, *history); });
  });

  CLI::App* diff = AddHistoryCommand(cmd, "diff", "Show the tables and namespaces that differ between two refs", h);
  diff->add_option("a", h->a, "from: branch, tag or commit id")->required()->type_name("REF");
  diff->add_option("b", h->b, "to: branch, tag or commit id")->required()->type_name("REF");
  diff->callback([flags, history, exit_code] {
    *exit_code = WithStore(flags->server, *history, [&](auto& s) { return Diff(s, *history); });
  });
}

}  // namespace floe::cli
