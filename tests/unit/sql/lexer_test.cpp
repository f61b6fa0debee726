#include "floe/sql/lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace floe::sql {
namespace {

std::vector<Token> MustTokenize(std::string_view sql) {
  auto tokens = Tokenize(sql);
  EXPECT_TRUE(tokens.ok()) << tokens.status().ToString();
  return tokens.ok() ? *tokens : std::vector<Token>{};
}

std::vector<TokenKind> Kinds(const std::vector<Token>& tokens) {
  std::vector<TokenKind> kinds;
  for (const Token& t : tokens) kinds.push_back(t.kind);
  return kinds;
}

std::string ErrorOf(std::string_view sql) {
  auto tokens = Tokenize(sql);
  EXPECT_FALSE(tokens.ok()) << sql;
  if (tokens.ok()) return "";
  EXPECT_EQ(tokens.status().code(), StatusCode::kInvalidArgument);
  return tokens.status().message();
}

TEST(LexerTest, SplitsIdentifiersOperatorsAndLiterals) {
  auto tokens = MustTokenize("SELECT a, t.b FROM t WHERE x <> 1 AND y != 2.5 || 'it''s'");
  using K = TokenKind;
  EXPECT_EQ(Kinds(tokens),
            (std::vector<K>{K::kIdentifier, K::kIdentifier, K::kComma, K::kIdentifier, K::kDot, K::kIdentifier,
                            K::kIdentifier, K::kIdentifier, K::kIdentifier, K::kIdentifier, K::kNotEq, K::kInteger,
                            K::kIdentifier, K::kIdentifier, K::kNotEq, K::kDecimal, K::kConcat, K::kString, K::kEnd}));
  EXPECT_EQ(tokens[17].text, "it's");
  EXPECT_EQ(tokens[15].text, "2.5");
}

TEST(LexerTest, EveryOperator) {
  auto tokens = MustTokenize("+ - * / % || = <> != < <= > >= ( ) , ; . =>");
  using K = TokenKind;
  EXPECT_EQ(Kinds(tokens),
            (std::vector<K>{K::kPlus,   K::kMinus, K::kStar,      K::kSlash, K::kPercent, K::kConcat, K::kEq,
                            K::kNotEq,  K::kNotEq, K::kLt,        K::kLtEq,  K::kGt,      K::kGtEq,   K::kLParen,
                            K::kRParen, K::kComma, K::kSemicolon, K::kDot,   K::kArrow,   K::kEnd}));
}

TEST(LexerTest, KeywordsIgnoreCaseButIdentifiersKeepIt) {
  auto tokens = MustTokenize("select Temp `SELECT`");
  EXPECT_TRUE(tokens[0].IsKeyword("SELECT"));
  EXPECT_EQ(tokens[1].text, "Temp");
  EXPECT_FALSE(tokens[1].IsKeyword("temp"));
  // A quoted word is a name, never a keyword.
  EXPECT_EQ(tokens[2].kind, TokenKind::kQuotedIdentifier);
  EXPECT_FALSE(tokens[2].IsKeyword("SELECT"));
}

TEST(LexerTest, QuotedIdentifiersInBackquotesAndDoubleQuotes) {
  auto tokens = MustTokenize("`window start` \"a\"\"b\" `x``y`");
  EXPECT_EQ(tokens[0].kind, TokenKind::kQuotedIdentifier);
  EXPECT_EQ(tokens[0].text, "window start");
  EXPECT_EQ(tokens[1].text, "a\"b");
  EXPECT_EQ(tokens[2].text, "x`y");
}

TEST(LexerTest, NumbersIntegerDecimalAndExponent) {
  auto tokens = MustTokenize("42 4.2 .5 4. 1e3 1.5E-3 2E+2");
  using K = TokenKind;
  EXPECT_EQ(Kinds(tokens), (std::vector<K>{K::kInteger, K::kDecimal, K::kDecimal, K::kDecimal, K::kApproximate,
                                           K::kApproximate, K::kApproximate, K::kEnd}));
  EXPECT_EQ(tokens[2].text, ".5");
  EXPECT_EQ(tokens[5].text, "1.5E-3");
}

TEST(LexerTest, DotAfterANameIsASeparatorNotANumber) {
  auto tokens = MustTokenize("t.5");
  EXPECT_EQ(tokens[1].kind, TokenKind::kDot);
  EXPECT_EQ(tokens[2].kind, TokenKind::kInteger);
}

TEST(LexerTest, CommentsAreSkippedAndPositionsAreOneBasedLineColumn) {
  auto tokens = MustTokenize("-- a comment\nSELECT /* inline\n comment */ x\n  FROM t");
  ASSERT_EQ(tokens.size(), 5u);
  EXPECT_EQ(tokens[0].pos.line, 2);
  EXPECT_EQ(tokens[0].pos.column, 1);
  EXPECT_EQ(tokens[1].text, "x");
  EXPECT_EQ(tokens[1].pos.line, 3);
  EXPECT_EQ(tokens[1].pos.column, 13);
  EXPECT_EQ(tokens[2].pos.line, 4);
  EXPECT_EQ(tokens[2].pos.column, 3);
  EXPECT_EQ(tokens[4].kind, TokenKind::kEnd);
}

TEST(LexerTest, ColumnsCountCharactersNotBytes) {
  auto tokens = MustTokenize("'héllo' x");  // é is two bytes
  EXPECT_EQ(tokens[0].text, "héllo");
  EXPECT_EQ(tokens[1].pos.column, 9);
  EXPECT_EQ(tokens[1].pos.offset, 9u);
}

TEST(LexerTest, StringsMaySpanLines) {
  auto tokens = MustTokenize("'a\nb' c");
  EXPECT_EQ(tokens[0].text, "a\nb");
  EXPECT_EQ(tokens[1].pos.line, 2);
  EXPECT_EQ(tokens[1].pos.column, 4);
}

TEST(LexerTest, ErrorsSayWhatAndWhere) {
  EXPECT_EQ(ErrorOf("SELECT 'abc"), "line 1, column 8: unterminated string literal: missing closing '");
  EXPECT_EQ(ErrorOf("SELECT `abc"), "line 1, column 8: unterminated quoted identifier: missing closing `");
  EXPECT_EQ(ErrorOf("SELECT 1\n/* never closed"), "line 2, column 1: unterminated comment: missing closing */");
  EXPECT_EQ(ErrorOf("SELECT 12abc"), "line 1, column 8: malformed number '12abc'");
  EXPECT_EQ(ErrorOf("SELECT 1.2.3"), "line 1, column 8: malformed number '1.2.3'");
  EXPECT_EQ(ErrorOf("SELECT a # b"), "line 1, column 10: unexpected character '#'");
  EXPECT_EQ(ErrorOf("SELECT ``"), "line 1, column 8: empty quoted identifier");
  EXPECT_EQ(ErrorOf("SELECT a\tFROM t\x01"), "line 1, column 16: unexpected control character 0x01");
  EXPECT_EQ(ErrorOf("SELECT * FROM t /*+ OPTIONS('scan.startup.mode'='latest-offset') */"),
            "line 1, column 17: unsupported: SQL hint /*+ ... */ (dynamic table options); put the options in the "
            "table's WITH clause");
}

TEST(LexerTest, DescribeNamesTokensForMessages) {
  auto tokens = MustTokenize("FROM 'x' `y`");
  EXPECT_EQ(tokens[0].Describe(), "'FROM'");
  EXPECT_EQ(tokens[1].Describe(), "string 'x'");
  EXPECT_EQ(tokens[2].Describe(), "`y`");
  EXPECT_EQ(tokens[3].Describe(), "end of input");
}

}  // namespace
}  // namespace floe::sql
