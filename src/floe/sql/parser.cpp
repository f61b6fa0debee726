#include "floe/sql/parser.h"

#include <algorithm>
#include <array>
#include <limits>

#include "floe/sql/lexer.h"
#include "floe/sql/name_suggestion.h"

namespace floe::sql {
namespace {

constexpr int kNotPrecedence = 26;
constexpr int kIsPrecedence = 28;
constexpr int kComparisonPrecedence = 30;
constexpr int kRangePrecedence = 32;  // BETWEEN, IN, LIKE
constexpr int kUnaryPrecedence = 80;
// Deeper expressions (or subqueries) are refused rather than risking the stack of every recursive walk over them.
constexpr int kMaxNesting = 500;

const std::vector<std::string>& KnownTypeNames() {
  static const std::vector<std::string> kNames = {"STRING",    "VARCHAR",       "CHAR",    "BOOLEAN", "TINYINT",
                                                  "SMALLINT",  "INT",           "INTEGER", "BIGINT",  "FLOAT",
                                                  "DOUBLE",    "DECIMAL",       "NUMERIC", "DATE",    "TIME",
                                                  "TIMESTAMP", "TIMESTAMP_LTZ", "BYTES",   "BINARY",  "VARBINARY"};
  return kNames;
}

// One argument of a window table function as written: TABLE t, DESCRIPTOR(c), or an expression.
struct WindowArg {
  enum class Kind { kTable, kDescriptor, kExpr } kind = Kind::kExpr;
  std::optional<Identifier> name;  // for named arguments
  SourcePosition pos;
  QualifiedName table;
  Identifier column;
  ExprPtr expr;
};

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Result<std::vector<StatementPtr>> ParseScript() {
    std::vector<StatementPtr> statements;
    while (true) {
      while (Accept(TokenKind::kSemicolon)) {
      }
      if (At(TokenKind::kEnd)) break;
      if (AtKeyword("BEGIN") && Peek(1).IsKeyword("STATEMENT") && Peek(2).IsKeyword("SET")) {
        FLOE_ASSIGN_OR_RETURN(StatementPtr set, ParseClientStatementSet());
        statements.push_back(std::move(set));
      } else {
        FLOE_ASSIGN_OR_RETURN(StatementPtr s, ParseOneStatement());
        statements.push_back(std::move(s));
      }
      if (!At(TokenKind::kEnd) && !At(TokenKind::kSemicolon)) return Expected("';' after the statement");
    }
    return statements;
  }

  Result<StatementPtr> ParseSingleStatement() {
    FLOE_ASSIGN_OR_RETURN(StatementPtr s, ParseOneStatement());
    Accept(TokenKind::kSemicolon);
    FLOE_RETURN_IF_ERROR(ExpectEnd());
    return s;
  }

  Result<ExprPtr> ParseStandaloneExpression() {
    FLOE_ASSIGN_OR_RETURN(ExprPtr e, ParseExpr(0));
    FLOE_RETURN_IF_ERROR(ExpectEnd());
    return e;
  }

  Result<DataType> ParseStandaloneType() {
    FLOE_ASSIGN_OR_RETURN(DataType t, ParseType());
    FLOE_RETURN_IF_ERROR(ExpectEnd());
    return t;
  }

 private:
  // ----- token helpers -----

  const Token& Peek(size_t ahead = 0) const {
    size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[i];
  }
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool At(TokenKind kind) const { return Peek().kind == kind; }
  bool AtKeyword(std::string_view kw) const { return Peek().IsKeyword(kw); }
  bool Accept(TokenKind kind) {
    if (!At(kind)) return false;
    Next();
    return true;
  }
  bool AcceptKeyword(std::string_view kw) {
    if (!AtKeyword(kw)) return false;
    Next();
    return true;
  }

  Status Expected(std::string_view what) const {
    return SqlError(Peek().pos, "expected " + std::string(what) + " but found " + Peek().Describe());
  }
  Status ErrorHere(std::string_view reason) const { return SqlError(Peek().pos, reason); }

  Status Expect(TokenKind kind, std::string_view shown) {
    if (!Accept(kind)) return Expected("'" + std::string(shown) + "'");
    return Status::Ok();
  }
  Status ExpectKeyword(std::string_view kw) {
    if (!AcceptKeyword(kw)) return Expected(std::string(kw));
    return Status::Ok();
  }
  Status ExpectEnd() {
    if (!At(TokenKind::kEnd)) return SqlError(Peek().pos, "unexpected " + Peek().Describe() + " after the end");
    return Status::Ok();
  }

  // An identifier that may name a column, table or alias: quoted, or unquoted and not reserved.
  bool AtName() const {
    const Token& t = Peek();
    return t.kind == TokenKind::kQuotedIdentifier ||
           (t.kind == TokenKind::kIdentifier && !IsReservedWord(ToUpper(t.text)));
  }

  Result<Identifier> ParseIdentifier(std::string_view what) {
    if (!AtName()) return Expected(what);
    const Token& t = Next();
    return Identifier{t.text, t.pos};
  }

  Result<QualifiedName> ParseQualifiedName(std::string_view what) {
    QualifiedName name;
    FLOE_ASSIGN_OR_RETURN(Identifier first, ParseIdentifier(what));
    name.parts.push_back(std::move(first));
    while (At(TokenKind::kDot)) {
      Next();
      FLOE_ASSIGN_OR_RETURN(Identifier part, ParseIdentifier(what));
      name.parts.push_back(std::move(part));
    }
    return name;
  }

  Result<std::vector<Identifier>> ParseIdentifierList(std::string_view what) {
    FLOE_RETURN_IF_ERROR(Expect(TokenKind::kLParen, "("));
    std::vector<Identifier> ids;
    do {
      FLOE_ASSIGN_OR_RETURN(Identifier id, ParseIdentifier(what));
      ids.push_back(std::move(id));
    } while (Accept(TokenKind::kComma));
    FLOE_RETURN_IF_ERROR(Expect(TokenKind::kRParen, ")"));
    return ids;
  }

  Result<std::string> ParseStringLiteral(std::string_view what) {
    if (!At(TokenKind::kString)) return Expected(what);
    return Next().text;
  }

  Result<int64_t> ParseInteger(std::string_view what, int64_t min, int64_t max) {
    if (!At(TokenKind::kInteger)) return Expected(what);
    const Token& t = Peek();
    int64_t v = 0;
    for (char c : t.text) {
      if (v > (std::numeric_limits<int64_t>::max() - (c - '0')) / 10) {
        return SqlError(t.pos, std::string(what) + " " + t.text + " is out of range");
      }
      v = v * 10 + (c - '0');
    }
    if (v < min || v > max) {
      return SqlError(t.pos, std::string(what) + " must be between " + std::to_string(min) + " and " +
                                 std::to_string(max) + ", got " + t.text);
    }
    Next();
    return v;
  }

  // ----- statements -----

  Result<StatementPtr> ParseOneStatement() {
    if (AtKeyword("CREATE")) return ParseCreateTable();
    if (AtKeyword("INSERT")) {
      FLOE_ASSIGN_OR_RETURN(auto insert, ParseInsert());
      return StatementPtr(std::move(insert));
    }
    if (AtKeyword("SELECT")) {
      auto s = std::make_unique<QueryStatement>();
      s->pos = Peek().pos;
      FLOE_ASSIGN_OR_RETURN(s->query, ParseSelect());
      return StatementPtr(std::move(s));
    }
    if (AtKeyword("SET")) return ParseSet();
    if (AtKeyword("EXECUTE")) return ParseExecuteStatementSet();
    if (AtKeyword("WITH")) return ErrorHere("unsupported: WITH (common table expressions); use a subquery in FROM");
    if (AtKeyword("VALUES")) return ErrorHere("unsupported: VALUES");
    for (const char* kw : {"DROP", "ALTER", "SHOW", "DESCRIBE", "EXPLAIN", "USE", "RESET", "LOAD", "ADD"}) {
      if (AtKeyword(kw)) return ErrorHere("unsupported: " + ToUpper(Peek().text) + " statements");
    }
    return Expected("a statement (CREATE TABLE, INSERT INTO, SELECT, SET or EXECUTE STATEMENT SET)");
  }

  Result<StatementPtr> ParseCreateTable() {
    auto s = std::make_unique<CreateTableStatement>();
    s->pos = Next().pos;  // CREATE
    s->temporary = AcceptKeyword("TEMPORARY");
    if (!AtKeyword("TABLE")) {
      for (const char* kw : {"VIEW", "FUNCTION", "CATALOG", "DATABASE", "SYSTEM"}) {
        if (AtKeyword(kw)) {
          return ErrorHere("unsupported: CREATE " + ToUpper(Peek().text) + "; a floe job declares tables only");
        }
      }
      return Expected("TABLE");
    }
    Next();
    if (AcceptKeyword("IF")) {
      FLOE_RETURN_IF_ERROR(ExpectKeyword("NOT"));
      FLOE_RETURN_IF_ERROR(ExpectKeyword("EXISTS"));
      s->if_not_exists = true;
    }
    FLOE_ASSIGN_OR_RETURN(s->name, ParseQualifiedName("a table name"));
    FLOE_RETURN_IF_ERROR(Expect(TokenKind::kLParen, "("));
    while (true) {
      FLOE_RETURN_IF_ERROR(ParseTableElement(*s));
      if (Accept(TokenKind::kComma)) continue;
      if (Accept(TokenKind::kRParen)) break;
      return Expected("',' or ')'");
    }
    if (AcceptKeyword("COMMENT")) {
      FLOE_ASSIGN_OR_RETURN(s->comment, ParseStringLiteral("a quoted comment"));
    }
    if (AtKeyword("PARTITIONED")) {
      Next();
      FLOE_RETURN_IF_ERROR(ExpectKeyword("BY"));
      FLOE_ASSIGN_OR_RETURN(s->partitioned_by, ParseIdentifierList("a column name"));
    }
    if (AcceptKeyword("WITH")) {
      FLOE_RETURN_IF_ERROR(Expect(TokenKind::kLParen, "("));
      do {
        TableOption option;
        option.pos = Peek().pos;
        FLOE_ASSIGN_OR_RETURN(option.key, ParseStringLiteral("a quoted option key such as 'connector'"));
        FLOE_RETURN_IF_ERROR(Expect(TokenKind::kEq, "="));
        FLOE_ASSIGN_OR_RETURN(option.value, ParseStringLiteral("a quoted option value"));
        s->options.push_back(std::move(option));
      } while (Accept(TokenKind::kComma));
      FLOE_RETURN_IF_ERROR(Expect(TokenKind::kRParen, ")"));
    }
    if (AtKeyword("LIKE")) return ErrorHere("unsupported: CREATE TABLE ... LIKE");
    return StatementPtr(std::move(s));
  }

  Status ParseNotEnforced() {
    if (AtKeyword("ENFORCED")) {
      return ErrorHere(
          "unsupported: ENFORCED primary key; floe, like Flink, does not own the data: write PRIMARY KEY (...) NOT "
          "ENFORCED");
    }
    if (!AtKeyword("NOT") || !Peek(1).IsKeyword("ENFORCED")) return Expected("NOT ENFORCED after the PRIMARY KEY");
    Next();
    Next();
    return Status::Ok();
  }

  Status SetPrimaryKey(CreateTableStatement& s, SourcePosition pos, std::vector<Identifier> columns) {
    if (!s.primary_key.empty()) {
      return SqlError(pos,
                      "a table has at most one PRIMARY KEY (the first is at " + s.primary_key_pos.ToString() + ")");
    }
    s.primary_key = std::move(columns);
    s.primary_key_pos = pos;
    return Status::Ok();
  }

  Status ParseTableElement(CreateTableStatement& s) {
    if (AtKeyword("WATERMARK") && Peek(1).IsKeyword("FOR")) {
      WatermarkDefinition w;
      w.pos = Next().pos;
      Next();  // FOR
      FLOE_ASSIGN_OR_RETURN(w.column, ParseIdentifier("a column name"));
      FLOE_RETURN_IF_ERROR(ExpectKeyword("AS"));
      FLOE_ASSIGN_OR_RETURN(w.expr, ParseExpr(0));
      if (s.watermark) {
        return SqlError(w.pos,
                        "a table has at most one WATERMARK (the first is at " + s.watermark->pos.ToString() + ")");
      }
      s.watermark = std::move(w);
      return Status::Ok();
    }
    std::optional<Identifier> constraint_name;
    SourcePosition pk_pos = Peek().pos;
    if (AtKeyword("CONSTRAINT") && Peek(2).IsKeyword("PRIMARY")) {
      Next();
      FLOE_ASSIGN_OR_RETURN(constraint_name, ParseIdentifier("a constraint name"));
    }
    if (AtKeyword("PRIMARY") && Peek(1).IsKeyword("KEY")) {
      Next();
      Next();
      FLOE_ASSIGN_OR_RETURN(auto columns, ParseIdentifierList("a column name"));
      FLOE_RETURN_IF_ERROR(ParseNotEnforced());
      FLOE_RETURN_IF_ERROR(SetPrimaryKey(s, pk_pos, std::move(columns)));
      s.constraint_name = std::move(constraint_name);
      return Status::Ok();
    }
    ColumnDefinition c;
    FLOE_ASSIGN_OR_RETURN(c.name, ParseIdentifier("a column name, WATERMARK or PRIMARY KEY"));
    if (AcceptKeyword("AS")) {
      FLOE_ASSIGN_OR_RETURN(c.computed, ParseExpr(0));
    } else {
      FLOE_ASSIGN_OR_RETURN(DataType type, ParseType());
      c.type = type;
      if (AcceptKeyword("METADATA")) {
        c.metadata = true;
        if (AcceptKeyword("FROM")) {
          FLOE_ASSIGN_OR_RETURN(c.metadata_key, ParseStringLiteral("a quoted metadata key such as 'timestamp'"));
        }
        c.is_virtual = AcceptKeyword("VIRTUAL");
      }
      if (AtKeyword("PRIMARY")) {
        SourcePosition inline_pos = Next().pos;
        FLOE_RETURN_IF_ERROR(ExpectKeyword("KEY"));
        FLOE_RETURN_IF_ERROR(ParseNotEnforced());
        FLOE_RETURN_IF_ERROR(SetPrimaryKey(s, inline_pos, {c.name}));
      }
    }
    if (AcceptKeyword("COMMENT")) {
      FLOE_ASSIGN_OR_RETURN(c.comment, ParseStringLiteral("a quoted comment"));
    }
    s.columns.push_back(std::move(c));
    return Status::Ok();
  }

  Result<std::unique_ptr<InsertStatement>> ParseInsert() {
    auto s = std::make_unique<InsertStatement>();
    s->pos = Next().pos;  // INSERT
    if (AtKeyword("OVERWRITE")) return ErrorHere("unsupported: INSERT OVERWRITE; stream jobs append");
    FLOE_RETURN_IF_ERROR(ExpectKeyword("INTO"));
    FLOE_ASSIGN_OR_RETURN(s->table, ParseQualifiedName("a table name"));
    if (AtKeyword("PARTITION")) return ErrorHere("unsupported: INSERT INTO ... PARTITION (static partitions)");
    if (At(TokenKind::kLParen) && !Peek(1).IsKeyword("SELECT")) {
      FLOE_ASSIGN_OR_RETURN(s->columns, ParseIdentifierList("a column name"));
    }
    if (AtKeyword("VALUES")) return ErrorHere("unsupported: INSERT ... VALUES; insert a query's rows");
    if (At(TokenKind::kLParen) && Peek(1).IsKeyword("SELECT")) {
      Next();
      FLOE_ASSIGN_OR_RETURN(s->query, ParseSelect());
      FLOE_RETURN_IF_ERROR(Expect(TokenKind::kRParen, ")"));
      return s;
    }
    if (!AtKeyword("SELECT")) return Expected("a query (SELECT ...)");
    FLOE_ASSIGN_OR_RETURN(s->query, ParseSelect());
    return s;
  }

  Result<StatementPtr> ParseSet() {
    auto s = std::make_unique<SetStatement>();
    s->pos = Next().pos;  // SET
    if (At(TokenKind::kEnd) || At(TokenKind::kSemicolon)) {
      return ErrorHere("unsupported: SET without a key (listing settings); write SET 'key' = 'value'");
    }
    FLOE_ASSIGN_OR_RETURN(s->key, ParseStringLiteral("a quoted key such as SET 'table.local-time-zone' = 'UTC'"));
    FLOE_RETURN_IF_ERROR(Expect(TokenKind::kEq, "="));
    FLOE_ASSIGN_OR_RETURN(s->value, ParseStringLiteral("a quoted value"));
    return StatementPtr(std::move(s));
  }

  // Inserts up to END; each followed by ';'.
  Status ParseStatementSetBody(StatementSetStatement& set) {
    while (true) {
      while (Accept(TokenKind::kSemicolon)) {
      }
      if (AtKeyword("END")) break;
      if (!AtKeyword("INSERT")) {
        if (At(TokenKind::kEnd)) return Expected("END of the statement set");
        return Expected("INSERT INTO (a statement set holds INSERT statements only)");
      }
      FLOE_ASSIGN_OR_RETURN(auto insert, ParseInsert());
      set.inserts.push_back(std::move(insert));
      if (!At(TokenKind::kSemicolon)) return Expected("';' after the INSERT");
    }
    if (set.inserts.empty()) return ErrorHere("empty statement set: add INSERT INTO statements before END");
    Next();  // END
    return Status::Ok();
  }

  Result<StatementPtr> ParseExecuteStatementSet() {
    auto s = std::make_unique<StatementSetStatement>();
    s->pos = Next().pos;  // EXECUTE
    FLOE_RETURN_IF_ERROR(ExpectKeyword("STATEMENT"));
    FLOE_RETURN_IF_ERROR(ExpectKeyword("SET"));
    FLOE_RETURN_IF_ERROR(ExpectKeyword("BEGIN"));
    FLOE_RETURN_IF_ERROR(ParseStatementSetBody(*s));
    return StatementPtr(std::move(s));
  }

  Result<StatementPtr> ParseClientStatementSet() {
    auto s = std::make_unique<StatementSetStatement>();
    s->pos = Next().pos;  // BEGIN
    Next();               // STATEMENT
    Next();               // SET
    FLOE_RETURN_IF_ERROR(Expect(TokenKind::kSemicolon, ";"));
    FLOE_RETURN_IF_ERROR(ParseStatementSetBody(*s));
    return StatementPtr(std::move(s));
  }

  // ----- queries -----

  Result<std::unique_ptr<SelectQuery>> ParseSelect() {
    NestingGuard guard(&depth_);
    FLOE_RETURN_IF_ERROR(Nest());
    auto q = std::make_unique<SelectQuery>();
    q->pos = Peek().pos;
    FLOE_RETURN_IF_ERROR(ExpectKeyword("SELECT"));
    if (AcceptKeyword("DISTINCT")) {
      q->distinct = true;
    } else {
      AcceptKeyword("ALL");
    }
    do {
      SelectItem item;
      FLOE_ASSIGN_OR_RETURN(item.expr, ParseExpr(0));
      if (AcceptKeyword("AS")) {
        FLOE_ASSIGN_OR_RETURN(item.alias, ParseIdentifier("an alias"));
      } else if (AtName()) {
        item.alias = Identifier{Peek().text, Peek().pos};
        Next();
      }
      q->items.push_back(std::move(item));
    } while (Accept(TokenKind::kComma));
    if (AcceptKeyword("FROM")) {
      FLOE_ASSIGN_OR_RETURN(q->from, ParseTableRef());
      if (At(TokenKind::kComma)) {
        return ErrorHere(
            "unsupported: several tables in FROM (a join); a query reads one table in this version of floe");
      }
      for (const char* kw : {"JOIN", "LEFT", "RIGHT", "INNER", "FULL", "CROSS", "NATURAL"}) {
        if (AtKeyword(kw)) return ErrorHere("unsupported: JOIN; a query reads one table in this version of floe");
      }
    }
    if (AcceptKeyword("WHERE")) {
      FLOE_ASSIGN_OR_RETURN(q->where, ParseExpr(0));
    }
    if (AtKeyword("GROUP")) {
      Next();
      FLOE_RETURN_IF_ERROR(ExpectKeyword("BY"));
      do {
        if ((AtKeyword("ROLLUP") || AtKeyword("CUBE")) && Peek(1).kind == TokenKind::kLParen) {
          return ErrorHere("unsupported: GROUP BY " + ToUpper(Peek().text));
        }
        if (AtKeyword("GROUPING") && Peek(1).IsKeyword("SETS")) return ErrorHere("unsupported: GROUPING SETS");
        FLOE_ASSIGN_OR_RETURN(ExprPtr e, ParseExpr(0));
        q->group_by.push_back(std::move(e));
      } while (Accept(TokenKind::kComma));
    }
    if (AcceptKeyword("HAVING")) {
      FLOE_ASSIGN_OR_RETURN(q->having, ParseExpr(0));
    }
    if (AtKeyword("WINDOW")) return ErrorHere("unsupported: WINDOW clause (named OVER windows)");
    if (AtKeyword("ORDER")) {
      Next();
      FLOE_RETURN_IF_ERROR(ExpectKeyword("BY"));
      do {
        OrderItem item;
        FLOE_ASSIGN_OR_RETURN(item.expr, ParseExpr(0));
        if (AcceptKeyword("DESC")) {
          item.descending = true;
        } else {
          AcceptKeyword("ASC");
        }
        if (AcceptKeyword("NULLS")) {
          if (AcceptKeyword("FIRST")) {
            item.nulls_first = true;
          } else if (AcceptKeyword("LAST")) {
            item.nulls_first = false;
          } else {
            return Expected("FIRST or LAST");
          }
        }
        q->order_by.push_back(std::move(item));
      } while (Accept(TokenKind::kComma));
    }
    if (AcceptKeyword("LIMIT")) {
      FLOE_ASSIGN_OR_RETURN(q->limit, ParseInteger("LIMIT", 0, std::numeric_limits<int64_t>::max()));
    }
    if (AtKeyword("OFFSET") || AtKeyword("FETCH")) return ErrorHere("unsupported: " + ToUpper(Peek().text));
    for (const char* kw : {"UNION", "INTERSECT", "EXCEPT", "MINUS"}) {
      if (AtKeyword(kw)) return ErrorHere("unsupported: " + ToUpper(Peek().text) + " of queries");
    }
    return q;
  }

  Status ParseAlias(TableRef& ref) {
    if (AcceptKeyword("AS")) {
      FLOE_ASSIGN_OR_RETURN(ref.alias, ParseIdentifier("an alias"));
    } else if (AtName()) {
      ref.alias = Identifier{Peek().text, Peek().pos};
      Next();
    }
    if (ref.alias && At(TokenKind::kLParen)) return ErrorHere("unsupported: column aliases after a table alias");
    return Status::Ok();
  }

  Result<std::unique_ptr<TableRef>> ParseTableRef() {
    auto ref = std::make_unique<TableRef>();
    ref->pos = Peek().pos;
    if (AtKeyword("TABLE") && Peek(1).kind == TokenKind::kLParen) {
      Next();
      Next();
      FLOE_RETURN_IF_ERROR(ParseWindowCall(*ref));
      FLOE_RETURN_IF_ERROR(Expect(TokenKind::kRParen, ")"));
    } else if (At(TokenKind::kLParen)) {
      Next();
      if (!AtKeyword("SELECT")) return Expected("a subquery (SELECT ...)");
      ref->kind = TableRefKind::kSubquery;
      FLOE_ASSIGN_OR_RETURN(ref->subquery, ParseSelect());
      FLOE_RETURN_IF_ERROR(Expect(TokenKind::kRParen, ")"));
    } else if (AtKeyword("LATERAL") || AtKeyword("UNNEST")) {
      return ErrorHere("unsupported: " + ToUpper(Peek().text) + " in FROM");
    } else {
      FLOE_ASSIGN_OR_RETURN(ref->table, ParseQualifiedName("a table name"));
      if (At(TokenKind::kLParen)) {
        return SqlError(ref->pos,
                        "a table function in FROM is written TABLE(" + ToUpper(ref->table.Joined()) +
                            "(...)), as in FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND))");
      }
      if (AtKeyword("FOR")) return ErrorHere("unsupported: FOR SYSTEM_TIME AS OF (temporal joins)");
    }
    FLOE_RETURN_IF_ERROR(ParseAlias(*ref));
    return ref;
  }

  Result<WindowArg> ParseWindowArg() {
    WindowArg arg;
    if (Peek().IsIdentifier() && Peek(1).kind == TokenKind::kArrow) {
      arg.name = Identifier{ToUpper(Peek().text), Peek().pos};
      Next();
      Next();
    }
    arg.pos = Peek().pos;
    if (AtKeyword("TABLE")) {
      Next();
      if (At(TokenKind::kLParen)) return ErrorHere("unsupported: a subquery as the window's data; name a table");
      arg.kind = WindowArg::Kind::kTable;
      FLOE_ASSIGN_OR_RETURN(arg.table, ParseQualifiedName("a table name"));
    } else if (AtKeyword("DESCRIPTOR") && Peek(1).kind == TokenKind::kLParen) {
      Next();
      Next();
      arg.kind = WindowArg::Kind::kDescriptor;
      FLOE_ASSIGN_OR_RETURN(arg.column, ParseIdentifier("a column name"));
      if (At(TokenKind::kComma)) return ErrorHere("a window's DESCRIPTOR names exactly one time column");
      FLOE_RETURN_IF_ERROR(Expect(TokenKind::kRParen, ")"));
    } else {
      FLOE_ASSIGN_OR_RETURN(arg.expr, ParseExpr(0));
    }
    return arg;
  }

  Status ParseWindowCall(TableRef& ref) {
    const Token& fn = Peek();
    std::string fn_name = ToUpper(fn.text);
    if (fn.IsKeyword("TUMBLE")) {
      ref.window = WindowKind::kTumble;
    } else if (fn.IsKeyword("HOP")) {
      ref.window = WindowKind::kHop;
    } else if (fn.IsKeyword("CUMULATE")) {
      ref.window = WindowKind::kCumulate;
    } else if (fn.IsKeyword("SESSION")) {
      return ErrorHere("unsupported: SESSION windows; use TUMBLE, HOP or CUMULATE");
    } else if (fn.IsIdentifier()) {
      return ErrorHere("unsupported: table function " + fn_name +
                       "; floe has the window functions TUMBLE, HOP and CUMULATE");
    } else {
      return Expected("a window function (TUMBLE, HOP or CUMULATE)");
    }
    ref.kind = TableRefKind::kWindow;
    Next();
    FLOE_RETURN_IF_ERROR(Expect(TokenKind::kLParen, "("));
    std::vector<WindowArg> args;
    if (!At(TokenKind::kRParen)) {
      do {
        FLOE_ASSIGN_OR_RETURN(WindowArg arg, ParseWindowArg());
        args.push_back(std::move(arg));
      } while (Accept(TokenKind::kComma));
    }
    SourcePosition close_pos = Peek().pos;
    FLOE_RETURN_IF_ERROR(Expect(TokenKind::kRParen, ")"));

    // Parameter names in positional order, as Flink declares them.
    const char* step_name = ref.window == WindowKind::kHop ? "SLIDE" : "STEP";
    std::vector<std::string> params = {"DATA", "TIMECOL"};
    if (ref.window != WindowKind::kTumble) params.push_back(step_name);
    params.push_back("SIZE");
    params.push_back("OFFSET");
    std::string usage = fn_name + "(TABLE t, DESCRIPTOR(ts), ";
    if (ref.window == WindowKind::kHop) usage += "INTERVAL '5' SECOND, ";
    if (ref.window == WindowKind::kCumulate) usage += "INTERVAL '1' SECOND, ";
    usage += "INTERVAL '10' SECOND)";
    std::vector<WindowArg*> by_param(params.size(), nullptr);
    bool named = !args.empty() && args[0].name.has_value();
    for (size_t i = 0; i < args.size(); ++i) {
      WindowArg& arg = args[i];
      if (arg.name.has_value() != named) {
        return SqlError(arg.pos,
                        std::string("mix of named and positional arguments in ") + fn_name + "; name all or none");
      }
      size_t slot = i;
      if (named) {
        auto it = std::find(params.begin(), params.end(), arg.name->name);
        if (it == params.end()) {
          std::string list;
          for (size_t p = 0; p < params.size(); ++p)
            list += (p == 0 ? "" : p + 1 == params.size() ? " and " : ", ") + params[p];
          return SqlError(arg.name->pos,
                          "unknown parameter " + arg.name->name + " of " + fn_name + "; it takes " + list);
        }
        slot = static_cast<size_t>(it - params.begin());
        if (by_param[slot]) return SqlError(arg.name->pos, "parameter " + arg.name->name + " is given twice");
      } else if (slot >= params.size()) {
        return SqlError(arg.pos, fn_name + " takes at most " + std::to_string(params.size()) + " arguments: " + usage);
      }
      by_param[slot] = &arg;
    }
    for (size_t p = 0; p + 1 < params.size(); ++p) {  // all but OFFSET are required
      if (!by_param[p]) {
        return SqlError(close_pos, fn_name + " is missing its " + params[p] + " argument: write " + usage);
      }
    }
    WindowArg& data = *by_param[0];
    if (data.kind != WindowArg::Kind::kTable) {
      return SqlError(data.pos, "expected TABLE <name> as " + fn_name + "'s DATA argument");
    }
    ref.table = std::move(data.table);
    WindowArg& timecol = *by_param[1];
    if (timecol.kind != WindowArg::Kind::kDescriptor) {
      return SqlError(timecol.pos, "expected DESCRIPTOR(<time column>) as " + fn_name + "'s TIMECOL argument");
    }
    ref.time_column = std::move(timecol.column);
    for (size_t p = 2; p < params.size(); ++p) {
      WindowArg* arg = by_param[p];
      if (!arg) continue;
      if (arg->kind != WindowArg::Kind::kExpr) {
        return SqlError(arg->pos, "expected an interval such as INTERVAL '10' SECOND as " + fn_name + "'s " +
                                      params[p] + " argument");
      }
      if (params[p] == "SIZE") {
        ref.size = std::move(arg->expr);
      } else if (params[p] == "OFFSET") {
        ref.offset = std::move(arg->expr);
      } else {
        ref.step = std::move(arg->expr);
      }
    }
    return Status::Ok();
  }

  // ----- expressions -----

  // Infix or postfix operator at the current token: its precedence, or 0 if the token continues no expression.
  int InfixPrecedence() const {
    const Token& t = Peek();
    switch (t.kind) {
      case TokenKind::kPlus:
      case TokenKind::kMinus: return 40;
      case TokenKind::kStar:
      case TokenKind::kSlash:
      case TokenKind::kPercent:
      case TokenKind::kConcat: return 60;
      case TokenKind::kEq:
      case TokenKind::kNotEq:
      case TokenKind::kLt:
      case TokenKind::kLtEq:
      case TokenKind::kGt:
      case TokenKind::kGtEq: return kComparisonPrecedence;
      case TokenKind::kIdentifier:
        if (t.IsKeyword("OR")) return 22;
        if (t.IsKeyword("AND")) return 24;
        if (t.IsKeyword("IS")) {
          size_t ahead = Peek(1).IsKeyword("NOT") ? 2 : 1;
          return Peek(ahead).IsKeyword("DISTINCT") ? kComparisonPrecedence : kIsPrecedence;
        }
        if (t.IsKeyword("BETWEEN") || t.IsKeyword("IN") || t.IsKeyword("LIKE") || t.IsKeyword("SIMILAR")) {
          return kRangePrecedence;
        }
        if (t.IsKeyword("NOT")) {
          const Token& n = Peek(1);
          if (n.IsKeyword("BETWEEN") || n.IsKeyword("IN") || n.IsKeyword("LIKE") || n.IsKeyword("SIMILAR")) {
            return kRangePrecedence;
          }
        }
        return 0;
      default: return 0;
    }
  }

  static BinaryOp OperatorOf(const Token& t) {
    switch (t.kind) {
      case TokenKind::kPlus: return BinaryOp::kAdd;
      case TokenKind::kMinus: return BinaryOp::kSubtract;
      case TokenKind::kStar: return BinaryOp::kMultiply;
      case TokenKind::kSlash: return BinaryOp::kDivide;
      case TokenKind::kPercent: return BinaryOp::kModulo;
      case TokenKind::kConcat: return BinaryOp::kConcat;
      case TokenKind::kEq: return BinaryOp::kEq;
      case TokenKind::kNotEq: return BinaryOp::kNotEq;
      case TokenKind::kLt: return BinaryOp::kLt;
      case TokenKind::kLtEq: return BinaryOp::kLtEq;
      case TokenKind::kGt: return BinaryOp::kGt;
      case TokenKind::kGtEq: return BinaryOp::kGtEq;
      default: return t.IsKeyword("OR") ? BinaryOp::kOr : BinaryOp::kAnd;
    }
  }

  // Counts the depth of the tree being built; restores it when the construct ends.
  class NestingGuard {
   public:
    explicit NestingGuard(int* depth) : depth_(depth), saved_(*depth) {}
    ~NestingGuard() { *depth_ = saved_; }
    NestingGuard(const NestingGuard&) = delete;
    NestingGuard& operator=(const NestingGuard&) = delete;

   private:
    int* depth_;
    int saved_;
  };

  Status Nest() {
    if (++depth_ > kMaxNesting) {
      return ErrorHere("expression or query nested too deeply (more than " + std::to_string(kMaxNesting) + " levels)");
    }
    return Status::Ok();
  }

  // Parses an expression whose operators all bind at least as tightly as `min_precedence`.
  Result<ExprPtr> ParseExpr(int min_precedence) {
    NestingGuard guard(&depth_);
    FLOE_RETURN_IF_ERROR(Nest());
    FLOE_ASSIGN_OR_RETURN(ExprPtr left, ParsePrefix());
    while (true) {
      int p = InfixPrecedence();
      if (p == 0 || p < min_precedence) break;
      FLOE_RETURN_IF_ERROR(Nest());  // each operator puts the tree so far one level deeper
      const Token& op = Peek();
      SourcePosition pos = op.pos;
      if (op.IsKeyword("IS")) {
        Next();
        bool negated = AcceptKeyword("NOT");
        if (AcceptKeyword("DISTINCT")) {
          FLOE_RETURN_IF_ERROR(ExpectKeyword("FROM"));
          FLOE_ASSIGN_OR_RETURN(ExprPtr right, ParseExpr(p + 1));
          left = std::make_unique<BinaryExpr>(negated ? BinaryOp::kIsNotDistinctFrom : BinaryOp::kIsDistinctFrom,
                                              std::move(left), std::move(right), pos);
          continue;
        }
        IsTest test;
        if (AcceptKeyword("NULL")) {
          test = IsTest::kNull;
        } else if (AcceptKeyword("TRUE")) {
          test = IsTest::kTrue;
        } else if (AcceptKeyword("FALSE")) {
          test = IsTest::kFalse;
        } else if (AcceptKeyword("UNKNOWN")) {
          test = IsTest::kUnknown;
        } else {
          return Expected("NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS");
        }
        left = std::make_unique<IsExpr>(std::move(left), test, negated, pos);
        continue;
      }
      if (p == kRangePrecedence) {
        bool negated = AcceptKeyword("NOT");
        pos = Peek().pos;
        if (AcceptKeyword("BETWEEN")) {
          if (AtKeyword("SYMMETRIC")) return ErrorHere("unsupported: BETWEEN SYMMETRIC");
          AcceptKeyword("ASYMMETRIC");
          FLOE_ASSIGN_OR_RETURN(ExprPtr low, ParseExpr(kRangePrecedence + 1));
          FLOE_RETURN_IF_ERROR(ExpectKeyword("AND"));
          FLOE_ASSIGN_OR_RETURN(ExprPtr high, ParseExpr(kRangePrecedence + 1));
          left = std::make_unique<BetweenExpr>(std::move(left), std::move(low), std::move(high), negated, pos);
        } else if (AcceptKeyword("IN")) {
          FLOE_RETURN_IF_ERROR(Expect(TokenKind::kLParen, "("));
          if (AtKeyword("SELECT")) return ErrorHere("unsupported: IN (subquery)");
          std::vector<ExprPtr> list;
          do {
            FLOE_ASSIGN_OR_RETURN(ExprPtr e, ParseExpr(0));
            list.push_back(std::move(e));
          } while (Accept(TokenKind::kComma));
          FLOE_RETURN_IF_ERROR(Expect(TokenKind::kRParen, ")"));
          left = std::make_unique<InListExpr>(std::move(left), std::move(list), negated, pos);
        } else if (AcceptKeyword("LIKE")) {
          FLOE_ASSIGN_OR_RETURN(ExprPtr pattern, ParseExpr(kRangePrecedence + 1));
          ExprPtr escape;
          if (AcceptKeyword("ESCAPE")) {
            FLOE_ASSIGN_OR_RETURN(escape, ParseExpr(kRangePrecedence + 1));
          }
          left = std::make_unique<LikeExpr>(std::move(left), std::move(pattern), std::move(escape), negated, pos);
        } else {
          return ErrorHere("unsupported: SIMILAR TO; use LIKE");
        }
        continue;
      }
      BinaryOp binary = OperatorOf(op);
      Next();
      FLOE_ASSIGN_OR_RETURN(ExprPtr right, ParseExpr(p + 1));
      left = std::make_unique<BinaryExpr>(binary, std::move(left), std::move(right), pos);
    }
    return left;
  }

  Result<ExprPtr> ParsePrefix() {
    const Token& t = Peek();
    SourcePosition pos = t.pos;
    switch (t.kind) {
      case TokenKind::kInteger: return ExprPtr(std::make_unique<LiteralExpr>(LiteralKind::kInteger, Next().text, pos));
      case TokenKind::kDecimal: return ExprPtr(std::make_unique<LiteralExpr>(LiteralKind::kDecimal, Next().text, pos));
      case TokenKind::kApproximate:
        return ExprPtr(std::make_unique<LiteralExpr>(LiteralKind::kApproximate, Next().text, pos));
      case TokenKind::kString: return ExprPtr(std::make_unique<LiteralExpr>(LiteralKind::kString, Next().text, pos));
      case TokenKind::kMinus:
      case TokenKind::kPlus: {
        UnaryOp op = t.kind == TokenKind::kMinus ? UnaryOp::kMinus : UnaryOp::kPlus;
        Next();
        FLOE_ASSIGN_OR_RETURN(ExprPtr operand, ParseExpr(kUnaryPrecedence));
        return ExprPtr(std::make_unique<UnaryExpr>(op, std::move(operand), pos));
      }
      case TokenKind::kLParen: {
        Next();
        if (AtKeyword("SELECT")) return ErrorHere("unsupported: subquery in an expression");
        FLOE_ASSIGN_OR_RETURN(ExprPtr inner, ParseExpr(0));
        if (At(TokenKind::kComma)) return SqlError(pos, "unsupported: row constructor (a, b, ...)");
        FLOE_RETURN_IF_ERROR(Expect(TokenKind::kRParen, ")"));
        return inner;
      }
      case TokenKind::kStar: Next(); return ExprPtr(std::make_unique<StarExpr>(std::nullopt, pos));
      case TokenKind::kQuotedIdentifier:
        if (Peek(1).kind == TokenKind::kLParen) return ParseFunctionCall();
        return ParseColumnRef();
      case TokenKind::kIdentifier: return ParseWordPrefix();
      default: return Expected("an expression");
    }
  }

  Result<ExprPtr> ParseWordPrefix() {
    const Token& t = Peek();
    SourcePosition pos = t.pos;
    std::string upper = ToUpper(t.text);
    bool call = Peek(1).kind == TokenKind::kLParen;
    if (upper == "NOT") {
      Next();
      FLOE_ASSIGN_OR_RETURN(ExprPtr operand, ParseExpr(kNotPrecedence));
      return ExprPtr(std::make_unique<UnaryExpr>(UnaryOp::kNot, std::move(operand), pos));
    }
    if (upper == "NULL" || upper == "UNKNOWN") {
      Next();
      return ExprPtr(std::make_unique<LiteralExpr>(LiteralKind::kNull, "NULL", pos));
    }
    if (upper == "TRUE" || upper == "FALSE") {
      Next();
      return ExprPtr(std::make_unique<LiteralExpr>(LiteralKind::kBoolean, upper, pos));
    }
    if (upper == "CASE") return ParseCase();
    if ((upper == "CAST" || upper == "TRY_CAST") && call) return ParseCast();
    if (upper == "INTERVAL") return ParseInterval();
    if ((upper == "DATE" || upper == "TIME" || upper == "TIMESTAMP") && Peek(1).kind == TokenKind::kString) {
      Next();
      LiteralKind kind = upper == "DATE"   ? LiteralKind::kDate
                         : upper == "TIME" ? LiteralKind::kTime
                                           : LiteralKind::kTimestamp;
      return ExprPtr(std::make_unique<LiteralExpr>(kind, Next().text, pos));
    }
    if (upper == "EXISTS") return ErrorHere("unsupported: EXISTS (subquery)");
    if (upper == "ROW" && call) return ErrorHere("unsupported: ROW constructor");
    for (const char* fn : {"CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "LOCALTIMESTAMP", "LOCALTIME"}) {
      if (upper == fn && !call) {
        Next();
        auto f = std::make_unique<FunctionExpr>(upper, std::vector<ExprPtr>{}, pos);
        f->no_parens = true;
        return ExprPtr(std::move(f));
      }
    }
    if (call && (!IsReservedWord(upper) || upper == "LEFT" || upper == "RIGHT" || upper.rfind("CURRENT_", 0) == 0 ||
                 upper.rfind("LOCAL", 0) == 0)) {
      return ParseFunctionCall();
    }
    if (IsReservedWord(upper)) return Expected("an expression");
    return ParseColumnRef();
  }

  Result<ExprPtr> ParseColumnRef() {
    SourcePosition pos = Peek().pos;
    std::vector<Identifier> parts;
    FLOE_ASSIGN_OR_RETURN(Identifier first, ParseIdentifier("a column name"));
    parts.push_back(std::move(first));
    while (At(TokenKind::kDot)) {
      Next();
      if (At(TokenKind::kStar)) {
        if (parts.size() != 1) return SqlError(pos, "unsupported: " + parts[0].name + ".*: qualify * with one name");
        Next();
        return ExprPtr(std::make_unique<StarExpr>(std::move(parts[0]), pos));
      }
      FLOE_ASSIGN_OR_RETURN(Identifier part, ParseIdentifier("a column name"));
      parts.push_back(std::move(part));
    }
    return ExprPtr(std::make_unique<ColumnRefExpr>(std::move(parts), pos));
  }

  Result<ExprPtr> ParseFunctionCall() {
    const Token& name_token = Next();
    SourcePosition pos = name_token.pos;
    std::string name = ToUpper(name_token.text);
    Next();  // (
    if (name == "EXTRACT" || name == "POSITION" || name == "OVERLAY") {
      return SqlError(pos, "unsupported: " + name + "(...) with its keyword syntax");
    }
    auto f = std::make_unique<FunctionExpr>(name, std::vector<ExprPtr>{}, pos);
    if (At(TokenKind::kStar) && Peek(1).kind == TokenKind::kRParen) {
      Next();
      f->star = true;
    } else if (!At(TokenKind::kRParen)) {
      if (AcceptKeyword("DISTINCT")) {
        f->distinct = true;
      } else {
        AcceptKeyword("ALL");
      }
      do {
        FLOE_ASSIGN_OR_RETURN(ExprPtr arg, ParseExpr(0));
        f->args.push_back(std::move(arg));
        // SUBSTRING(s FROM start [FOR length]), the standard's form of SUBSTRING(s, start [, length]).
        if ((name == "SUBSTRING" || name == "SUBSTR") && f->args.size() == 1 && AcceptKeyword("FROM")) {
          FLOE_ASSIGN_OR_RETURN(ExprPtr start, ParseExpr(0));
          f->args.push_back(std::move(start));
          if (AcceptKeyword("FOR")) {
            FLOE_ASSIGN_OR_RETURN(ExprPtr length, ParseExpr(0));
            f->args.push_back(std::move(length));
          }
          break;
        }
      } while (Accept(TokenKind::kComma));
    }
    FLOE_RETURN_IF_ERROR(Expect(TokenKind::kRParen, ")"));
    if (AtKeyword("OVER")) return ErrorHere("unsupported: window function OVER (...)");
    if (AtKeyword("FILTER") && Peek(1).kind == TokenKind::kLParen) {
      return ErrorHere("unsupported: aggregate FILTER (WHERE ...); use CASE inside the aggregate");
    }
    if (AtKeyword("WITHIN") && Peek(1).IsKeyword("GROUP")) return ErrorHere("unsupported: WITHIN GROUP");
    return ExprPtr(std::move(f));
  }

  Result<ExprPtr> ParseCase() {
    SourcePosition pos = Next().pos;  // CASE
    ExprPtr operand;
    if (!AtKeyword("WHEN")) {
      FLOE_ASSIGN_OR_RETURN(operand, ParseExpr(0));
    }
    std::vector<WhenClause> whens;
    while (AcceptKeyword("WHEN")) {
      WhenClause w;
      FLOE_ASSIGN_OR_RETURN(w.when, ParseExpr(0));
      FLOE_RETURN_IF_ERROR(ExpectKeyword("THEN"));
      FLOE_ASSIGN_OR_RETURN(w.then, ParseExpr(0));
      whens.push_back(std::move(w));
    }
    if (whens.empty()) return Expected("WHEN");
    ExprPtr else_result;
    if (AcceptKeyword("ELSE")) {
      FLOE_ASSIGN_OR_RETURN(else_result, ParseExpr(0));
    }
    FLOE_RETURN_IF_ERROR(ExpectKeyword("END"));
    return ExprPtr(std::make_unique<CaseExpr>(std::move(operand), std::move(whens), std::move(else_result), pos));
  }

  Result<ExprPtr> ParseCast() {
    const Token& name = Next();
    SourcePosition pos = name.pos;
    bool try_cast = name.IsKeyword("TRY_CAST");
    Next();  // (
    FLOE_ASSIGN_OR_RETURN(ExprPtr operand, ParseExpr(0));
    FLOE_RETURN_IF_ERROR(ExpectKeyword("AS"));
    FLOE_ASSIGN_OR_RETURN(DataType type, ParseType());
    FLOE_RETURN_IF_ERROR(Expect(TokenKind::kRParen, ")"));
    return ExprPtr(std::make_unique<CastExpr>(std::move(operand), type, try_cast, pos));
  }

  Result<ExprPtr> ParseInterval() {
    SourcePosition pos = Next().pos;  // INTERVAL
    bool negative = false;
    if (At(TokenKind::kMinus) || At(TokenKind::kPlus)) negative = Next().kind == TokenKind::kMinus;
    if (!At(TokenKind::kString)) return Expected("a quoted interval value such as INTERVAL '10' SECOND");
    std::string text = Next().text;
    if (negative) text = !text.empty() && text[0] == '-' ? text.substr(1) : "-" + text;
    const Token& unit_token = Peek();
    std::string unit = ToUpper(unit_token.text);
    if (unit_token.kind != TokenKind::kIdentifier) {
      return Expected("an interval unit (SECOND, MINUTE, HOUR, DAY, MONTH or YEAR)");
    }
    if (unit.size() > 1 && unit.back() == 'S') unit.pop_back();  // Flink accepts SECONDS, MINUTES, ...
    auto literal = std::make_unique<LiteralExpr>(LiteralKind::kInterval, text, pos);
    if (unit == "SECOND") {
      literal->unit = IntervalUnit::kSecond;
    } else if (unit == "MINUTE") {
      literal->unit = IntervalUnit::kMinute;
    } else if (unit == "HOUR") {
      literal->unit = IntervalUnit::kHour;
    } else if (unit == "DAY") {
      literal->unit = IntervalUnit::kDay;
    } else if (unit == "MONTH") {
      literal->unit = IntervalUnit::kMonth;
    } else if (unit == "YEAR") {
      literal->unit = IntervalUnit::kYear;
    } else {
      return Expected("an interval unit (SECOND, MINUTE, HOUR, DAY, MONTH or YEAR)");
    }
    Next();
    if (At(TokenKind::kLParen)) {  // a leading-field precision, e.g. SECOND(3): it only bounds the digits
      Next();
      FLOE_RETURN_IF_ERROR(ParseInteger("interval precision", 0, 9).status());
      FLOE_RETURN_IF_ERROR(Expect(TokenKind::kRParen, ")"));
    }
    if (AtKeyword("TO")) {
      return ErrorHere("unsupported: interval qualifier " + unit +
                       " TO ...; write the interval in one unit, e.g. "
                       "INTERVAL '90' MINUTE");
    }
    return ExprPtr(std::move(literal));
  }

  // ----- types -----

  Result<int32_t> ParseTypeParameter(std::string_view what, int64_t min, int64_t max) {
    FLOE_ASSIGN_OR_RETURN(int64_t v, ParseInteger(what, min, max));
    return static_cast<int32_t>(v);
  }

  // An optional "(n)" after a type name.
  Result<std::optional<int32_t>> ParseOptionalParameter(std::string_view what, int64_t min, int64_t max) {
    if (!Accept(TokenKind::kLParen)) return std::optional<int32_t>();
    FLOE_ASSIGN_OR_RETURN(int32_t v, ParseTypeParameter(what, min, max));
    FLOE_RETURN_IF_ERROR(Expect(TokenKind::kRParen, ")"));
    return std::optional<int32_t>(v);
  }

  Result<DataType> ParseType() {
    const Token& t = Peek();
    if (t.kind != TokenKind::kIdentifier) return Expected("a type");
    std::string name = ToUpper(t.text);
    SourcePosition pos = t.pos;
    Next();
    DataType type;
    constexpr int64_t kMaxLength = DataType::kMaxLength;
    if (name == "STRING") {
      type = DataType::String();
    } else if (name == "VARCHAR" || name == "CHAR" || name == "CHARACTER") {
      bool varying = name == "VARCHAR";
      if (name == "CHARACTER" && AcceptKeyword("VARYING")) varying = true;
      FLOE_ASSIGN_OR_RETURN(auto n, ParseOptionalParameter(varying ? "VARCHAR length" : "CHAR length", 1, kMaxLength));
      type = varying ? DataType::VarChar(n.value_or(1)) : DataType::Char(n.value_or(1));
    } else if (name == "BOOLEAN") {
      type = DataType::Boolean();
    } else if (name == "TINYINT") {
      type = DataType::TinyInt();
    } else if (name == "SMALLINT") {
      type = DataType::SmallInt();
    } else if (name == "INT" || name == "INTEGER") {
      type = DataType::Int();
    } else if (name == "BIGINT") {
      type = DataType::BigInt();
    } else if (name == "FLOAT" || name == "REAL") {
      type = DataType::Float();
    } else if (name == "DOUBLE") {
      AcceptKeyword("PRECISION");
      type = DataType::Double();
    } else if (name == "DECIMAL" || name == "DEC" || name == "NUMERIC") {
      int32_t precision = 10, scale = 0;
      if (Accept(TokenKind::kLParen)) {
        FLOE_ASSIGN_OR_RETURN(precision, ParseTypeParameter("DECIMAL precision", 1, DataType::kMaxDecimalPrecision));
        if (Accept(TokenKind::kComma)) {
          SourcePosition scale_pos = Peek().pos;
          FLOE_ASSIGN_OR_RETURN(scale, ParseTypeParameter("DECIMAL scale", 0, DataType::kMaxDecimalPrecision));
          if (scale > precision) {
            return SqlError(scale_pos, "DECIMAL scale " + std::to_string(scale) + " is larger than its precision " +
                                           std::to_string(precision));
          }
        }
        FLOE_RETURN_IF_ERROR(Expect(TokenKind::kRParen, ")"));
      }
      type = DataType::Decimal(precision, scale);
    } else if (name == "DATE") {
      type = DataType::Date();
    } else if (name == "TIME") {
      FLOE_ASSIGN_OR_RETURN(auto p, ParseOptionalParameter("TIME precision", 0, DataType::kMaxTimePrecision));
      if (AtKeyword("WITHOUT")) FLOE_RETURN_IF_ERROR(ParseTimeZoneSuffix(/*allow_local=*/false, nullptr));
      type = DataType::Time(p.value_or(0));
    } else if (name == "TIMESTAMP") {
      FLOE_ASSIGN_OR_RETURN(auto p, ParseOptionalParameter("TIMESTAMP precision", 0, DataType::kMaxTimePrecision));
      bool local = false;
      if (AtKeyword("WITH") || AtKeyword("WITHOUT")) FLOE_RETURN_IF_ERROR(ParseTimeZoneSuffix(true, &local));
      type = local ? DataType::TimestampLtz(p.value_or(6)) : DataType::Timestamp(p.value_or(6));
    } else if (name == "TIMESTAMP_LTZ") {
      FLOE_ASSIGN_OR_RETURN(auto p, ParseOptionalParameter("TIMESTAMP_LTZ precision", 0, DataType::kMaxTimePrecision));
      type = DataType::TimestampLtz(p.value_or(6));
    } else if (name == "BYTES") {
      type = DataType::Bytes();
    } else if (name == "BINARY" || name == "VARBINARY") {
      FLOE_ASSIGN_OR_RETURN(auto n, ParseOptionalParameter(name + " length", 1, kMaxLength));
      type = name == "BINARY" ? DataType::Binary(n.value_or(1)) : DataType::VarBinary(n.value_or(1));
    } else if (name == "ARRAY" || name == "MAP" || name == "MULTISET" || name == "ROW" || name == "RAW" ||
               name == "INTERVAL" || name == "STRUCTURED") {
      return SqlError(pos, "unsupported: type " + name);
    } else {
      return SqlError(pos, "unknown type '" + t.text + "'" + DidYouMean(t.text, KnownTypeNames()));
    }
    if (AtKeyword("NOT") && Peek(1).IsKeyword("NULL")) {
      Next();
      Next();
      type.nullable = false;
    } else if (AcceptKeyword("NULL")) {
      type.nullable = true;
    }
    return type;
  }

  // WITH LOCAL TIME ZONE (sets *local), WITHOUT TIME ZONE; WITH TIME ZONE is not a Flink type.
  Status ParseTimeZoneSuffix(bool allow_local, bool* local) {
    SourcePosition pos = Peek().pos;
    bool with = AcceptKeyword("WITH");
    if (!with) FLOE_RETURN_IF_ERROR(ExpectKeyword("WITHOUT"));
    bool is_local = with && AcceptKeyword("LOCAL");
    FLOE_RETURN_IF_ERROR(ExpectKeyword("TIME"));
    FLOE_RETURN_IF_ERROR(ExpectKeyword("ZONE"));
    if (with && !is_local) {
      return SqlError(pos, "unsupported: TIMESTAMP WITH TIME ZONE; use TIMESTAMP_LTZ (WITH LOCAL TIME ZONE)");
    }
    if (is_local && !allow_local) return SqlError(pos, "unsupported: TIME WITH LOCAL TIME ZONE");
    if (local) *local = is_local;
    return Status::Ok();
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

Result<std::vector<StatementPtr>> ParseScript(std::string_view sql) {
  FLOE_ASSIGN_OR_RETURN(auto tokens, Tokenize(sql));
  return Parser(std::move(tokens)).ParseScript();
}

Result<StatementPtr> ParseStatement(std::string_view sql) {
  FLOE_ASSIGN_OR_RETURN(auto tokens, Tokenize(sql));
  return Parser(std::move(tokens)).ParseSingleStatement();
}

Result<ExprPtr> ParseExpression(std::string_view sql) {
  FLOE_ASSIGN_OR_RETURN(auto tokens, Tokenize(sql));
  return Parser(std::move(tokens)).ParseStandaloneExpression();
}

Result<DataType> ParseDataType(std::string_view sql) {
  FLOE_ASSIGN_OR_RETURN(auto tokens, Tokenize(sql));
  return Parser(std::move(tokens)).ParseStandaloneType();
}

}  // namespace floe::sql
