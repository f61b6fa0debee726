// The SQL lexer: text to tokens, for floe's one SQL dialect (Flink SQL's, for stream jobs and, later, batch).
//
// Tokens, as Flink SQL writes them:
//   identifiers      sensor_id, Temp (case kept: identifiers are case-sensitive, as in Flink; keywords are not, and the
//                    lexer does not tell them apart: the parser asks Token::IsKeyword). Letters, digits, '_' and any
//                    non-ASCII character; not starting with a digit.
//   quoted idents    `window start` as Flink, and "window start" too; a doubled quote inside stands for one.
//   strings          'it''s' (a doubled quote stands for one; may span lines)
//   numbers          42 (kInteger), 4.2 .5 4. (kDecimal), 4.2e-3 1E6 (kApproximate)
//   operators        + - * / % || = <> != < <= > >= ( ) , ; . =>
//   comments         -- to the end of the line, /* ... */ (not nested). A hint /*+ ... */ is an error, not a
//                    comment: silently ignoring Flink's dynamic table options would change what a job reads.
// Positions are 1-based line:column in code points (source_position.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "floe/base/status.h"
#include "floe/sql/source_position.h"

namespace floe::sql {

enum class TokenKind {
  kEnd,               // after the last token; its position is the end of the text
  kIdentifier,        // unquoted: an identifier or a keyword
  kQuotedIdentifier,  // `x` or "x"; text is the name without quotes
  kString,            // text is the value, quotes removed and '' unescaped
  kInteger,           // text as written
  kDecimal,           // text as written
  kApproximate,       // text as written (has an exponent)
  kLParen,
  kRParen,
  kComma,
  kSemicolon,
  kDot,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
  kConcat,  // ||
  kEq,
  kNotEq,  // <> or !=
  kLt,
  kLtEq,
  kGt,
  kGtEq,
  kArrow,  // => (named arguments)
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  SourcePosition pos;

  // True for an unquoted identifier equal to `upper_keyword` ignoring case (`upper_keyword` is upper case).
  bool IsKeyword(std::string_view upper_keyword) const;
  // True for kIdentifier and kQuotedIdentifier.
  bool IsIdentifier() const { return kind == TokenKind::kIdentifier || kind == TokenKind::kQuotedIdentifier; }
  // How an error message names the token: "'FROM'", "string 'abc'", "end of input".
  std::string Describe() const;
};

// Splits `sql` into tokens; the last token is always kEnd. InvalidArgument "line L, column C: ..." for an
// unterminated string, quoted identifier or comment, a hint, a malformed number, or a character that starts no token.
Result<std::vector<Token>> Tokenize(std::string_view sql);

// ASCII upper case of `s`, for keyword and function-name comparisons.
std::string ToUpper(std::string_view s);

}  // namespace floe::sql
