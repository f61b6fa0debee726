// Runs the .test files of tests/unit/sql/: SQL behaviour as data, after DuckDB's sqllogictest, for a front end that
// parses and binds (the stream and batch engines will add records that run queries).
//
// A file is a sequence of records separated by blank lines; lines starting with '#' between records are comments.
//   statement ok          the SQL lines that follow must parse and bind
//   statement error       they must fail; after a line "----", the exact error message (without the status code)
//   bind                  they must bind; after "----", the bound form: BoundStatement::ToString of each statement
//   parse                 they must parse; after "----", their canonical SQL, one statement per line; that SQL must
//                         parse back to an equal tree
// The SQL ends at "----" or at a blank line; the expected block ends at a blank line. One Binder per file: tables
// created by earlier records stay declared. Error positions count from the record's first SQL line.
//
// FLOE_SQL_TEST_REWRITE=1 writes the actual results into the files' expected blocks, for new cases; read the diff
// before committing it: the expected block is the specification.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "floe/sql/binder.h"
#include "floe/sql/parser.h"

namespace floe::sql {
namespace {

namespace fs = std::filesystem;

struct Record {
  std::string kind;  // "statement ok", "statement error", "bind", "parse"
  int line = 0;      // of the header, 1-based
  std::string sql;
  bool has_expected = false;
  std::string expected;
  size_t expected_begin = 0;  // line indexes (0-based) of the expected block, [begin, end)
  size_t expected_end = 0;
  size_t sql_end = 0;  // line index after the SQL
};

std::vector<std::string> ReadLines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

bool IsBlank(const std::string& s) {
  return s.find_first_not_of(" \t\r") == std::string::npos;
}

std::string Join(const std::vector<std::string>& lines, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end; ++i) out += (i > begin ? "\n" : "") + lines[i];
  return out;
}

// Splits a file into records; a malformed file is a test failure at its line.
std::vector<Record> ReadRecords(const fs::path& path, const std::vector<std::string>& lines) {
  std::vector<Record> records;
  size_t i = 0;
  while (i < lines.size()) {
    if (IsBlank(lines[i]) || lines[i][0] == '#') {
      ++i;
      continue;
    }
    Record r;
    r.kind = lines[i];
    r.line = static_cast<int>(i + 1);
    if (r.kind != "statement ok" && r.kind != "statement error" && r.kind != "bind" && r.kind != "parse") {
      ADD_FAILURE() << path.string() << ":" << r.line << ": unknown record '" << r.kind << "'";
      return records;
    }
    size_t sql_begin = ++i;
    while (i < lines.size() && !IsBlank(lines[i]) && lines[i] != "----") ++i;
    r.sql = Join(lines, sql_begin, i);
    r.sql_end = i;
    if (i < lines.size() && lines[i] == "----") {
      r.has_expected = true;
      r.expected_begin = ++i;
      while (i < lines.size() && !IsBlank(lines[i])) ++i;
      r.expected_end = i;
      r.expected = Join(lines, r.expected_begin, i);
    }
    if (r.sql.empty()) ADD_FAILURE() << path.string() << ":" << r.line << ": record without SQL";
    if (r.has_expected == (r.kind == "statement ok")) {
      ADD_FAILURE() << path.string() << ":" << r.line << ": '" << r.kind << "' "
                    << (r.has_expected ? "takes no expected block" : "needs an expected block after ----");
    }
    records.push_back(std::move(r));
  }
  return records;
}

// Parses and binds the record's SQL; the result text or the error message.
Status RunRecord(Binder& binder, const Record& r, std::string* actual) {
  FLOE_ASSIGN_OR_RETURN(std::vector<StatementPtr> statements, ParseScript(r.sql));
  std::vector<std::string> outputs;
  if (r.kind == "parse") {
    std::string printed;
    for (const StatementPtr& s : statements) printed += s->ToString() + "\n";
    FLOE_ASSIGN_OR_RETURN(std::vector<StatementPtr> reparsed, ParseScript(ScriptToString(statements)));
    bool same = reparsed.size() == statements.size();
    for (size_t i = 0; same && i < statements.size(); ++i) same = statements[i]->Equals(*reparsed[i]);
    if (!same) return Status::Internal("the canonical SQL does not parse back to the same tree:\n" + printed);
    if (!printed.empty()) printed.pop_back();
    *actual = printed;
    return Status::Ok();
  }
  for (const StatementPtr& s : statements) {
    FLOE_ASSIGN_OR_RETURN(BoundStatement bound, binder.Bind(*s));
    outputs.push_back(bound.ToString());
  }
  std::string out;
  for (size_t i = 0; i < outputs.size(); ++i) out += (i ? "\n" : "") + outputs[i];
  *actual = out;
  return Status::Ok();
}

class SqlLogicTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SqlLogicTest, Records) {
  fs::path path = GetParam();
  std::vector<std::string> lines = ReadLines(path);
  std::vector<Record> records = ReadRecords(path, lines);
  bool rewrite = std::getenv("FLOE_SQL_TEST_REWRITE") != nullptr;
  std::vector<std::pair<const Record*, std::string>> rewrites;
  Binder binder;
  for (const Record& r : records) {
    std::string actual;
    Status status = RunRecord(binder, r, &actual);
    std::string where = path.filename().string() + ":" + std::to_string(r.line);
    if (r.kind == "statement error") {
      if (status.ok()) {
        ADD_FAILURE() << where << ": expected an error, but it bound:\n" << r.sql;
        continue;
      }
      EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << where;
      if (status.message() != r.expected) {
        if (rewrite) rewrites.emplace_back(&r, status.message());
        ADD_FAILURE() << where << ": wrong error for\n"
                      << r.sql << "\nexpected: " << r.expected << "\nactual:   " << status.message();
      }
      continue;
    }
    if (!status.ok()) {
      ADD_FAILURE() << where << ": " << status.ToString() << "\n" << r.sql;
      continue;
    }
    if (r.kind != "statement ok" && actual != r.expected) {
      if (rewrite) rewrites.emplace_back(&r, actual);
      ADD_FAILURE() << where << ": wrong result for\n"
                    << r.sql << "\n---- expected\n"
                    << r.expected << "\n---- actual\n"
                    << actual;
    }
  }
  if (rewrite && !rewrites.empty()) {
    std::vector<std::string> out;
    size_t next = 0;
    for (const auto& [r, text] : rewrites) {
      while (next < r->expected_begin) out.push_back(lines[next++]);
      std::stringstream s(text);
      std::string line;
      while (std::getline(s, line)) out.push_back(line);
      next = r->expected_end;
    }
    while (next < lines.size()) out.push_back(lines[next++]);
    std::ofstream file(path);
    for (const std::string& line : out) file << line << "\n";
  }
}

std::vector<std::string> TestFiles() {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(FLOE_SQL_TEST_DIR)) {
    if (entry.path().extension() == ".test") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

INSTANTIATE_TEST_SUITE_P(Files, SqlLogicTest, ::testing::ValuesIn(TestFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = fs::path(info.param).stem().string();
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(SqlLogicTestFiles, Exist) {
  EXPECT_GE(TestFiles().size(), 1u) << FLOE_SQL_TEST_DIR;
}

}  // namespace
}  // namespace floe::sql
