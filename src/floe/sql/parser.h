// The SQL parser: tokens to the parsed tree of ast.h, by recursive descent with a precedence climber for
// expressions. Flink SQL's grammar, the subset floe's stream jobs (and, later, batch queries) use:
//
//   script     := statement (';' statement)* [';']
//   statement  := CREATE [TEMPORARY] TABLE [IF NOT EXISTS] name '(' element, ... ')' [COMMENT 's']
//                   [PARTITIONED BY '(' column, ... ')'] [WITH '(' 'key' = 'value', ... ')']
//               | INSERT INTO name ['(' column, ... ')'] query
//               | query
//               | SET 'key' = 'value'
//               | EXECUTE STATEMENT SET BEGIN (insert ';')+ END      (and the SQL client's form:
//                   BEGIN STATEMENT SET; insert; ... END)
//   element    := column type [NOT NULL] [METADATA [FROM 'key'] [VIRTUAL]] [PRIMARY KEY NOT ENFORCED] [COMMENT 's']
//               | column AS expr [COMMENT 's']                                    (computed column)
//               | WATERMARK FOR column AS expr
//               | [CONSTRAINT name] PRIMARY KEY '(' column, ... ')' NOT ENFORCED
//   query      := SELECT [DISTINCT | ALL] item, ... [FROM from] [WHERE expr] [GROUP BY expr, ...] [HAVING expr]
//                   [ORDER BY expr [ASC | DESC] [NULLS FIRST | LAST], ...] [LIMIT n]
//   item       := expr [[AS] alias] | '*' | alias '.' '*'
//   from       := name [[AS] alias]
//               | TABLE '(' TUMBLE '(' TABLE name, DESCRIPTOR '(' column ')', size [, offset] ')' ')' [[AS] alias]
//               | the same with HOP(data, timecol, slide, size [, offset]), CUMULATE(data, timecol, step, size
//                 [, offset]), or named arguments (DATA => TABLE t, TIMECOL => DESCRIPTOR(ts), SIZE => ..., SLIDE,
//                 STEP, OFFSET)
//               | '(' query ')' [[AS] alias]
//   expr       := literals (42, 4.2, 4.2E1, 'text', TRUE, FALSE, NULL, INTERVAL '10' SECOND [MINUTE, HOUR, DAY,
//                 MONTH, YEAR; plurals too], DATE '2024-11-25', TIME '12:00:00', TIMESTAMP '2024-11-25 12:00:00')
//               | [qualifier '.'] column | function '(' [DISTINCT] args ')' | COUNT '(' '*' ')' | CURRENT_TIMESTAMP ...
//               | CAST '(' expr AS type ')' | TRY_CAST (...) | CASE ... END | '(' expr ')'
//               | NOT expr | - expr | expr op expr (OR AND = <> != < <= > >= + - * / % ||)
//               | expr IS [NOT] NULL|TRUE|FALSE|UNKNOWN | expr IS [NOT] DISTINCT FROM expr
//               | expr [NOT] BETWEEN expr AND expr | expr [NOT] IN '(' expr, ... ')' | expr [NOT] LIKE expr [ESCAPE
//               expr]
//   type       := STRING | VARCHAR[(n)] | CHAR[(n)] | BOOLEAN | TINYINT | SMALLINT | INT | INTEGER | BIGINT | FLOAT
//               | DOUBLE [PRECISION] | DECIMAL[(p[, s])] | DATE | TIME[(p)] | TIMESTAMP[(p)] [WITHOUT TIME ZONE]
//               | TIMESTAMP[(p)] WITH LOCAL TIME ZONE | TIMESTAMP_LTZ[(p)] | BYTES | BINARY[(n)] | VARBINARY[(n)]
//                 each optionally followed by NOT NULL
//
// What Flink has and floe does not yet (joins, UNION, subqueries in expressions, OVER windows, hints, CTEs, VALUES,
// nested types, SESSION windows, CREATE VIEW ...) is an error "unsupported: <what>" at its position, never a
// misleading syntax error. Every error is InvalidArgument "line L, column C: <reason>" (source_position.h).
#pragma once

#include <string_view>
#include <vector>

#include "floe/base/status.h"
#include "floe/sql/ast.h"
#include "floe/sql/types.h"

namespace floe::sql {

// Parses a script of statements separated by ';' (empty statements are skipped; a script may be empty).
Result<std::vector<StatementPtr>> ParseScript(std::string_view sql);
// Parses exactly one statement (a trailing ';' is allowed).
Result<StatementPtr> ParseStatement(std::string_view sql);
// Parses one expression, e.g. "temperature * 1.8 + 32".
Result<ExprPtr> ParseExpression(std::string_view sql);
// Parses one type, e.g. "TIMESTAMP(3) WITH LOCAL TIME ZONE NOT NULL".
Result<DataType> ParseDataType(std::string_view sql);

}  // namespace floe::sql
