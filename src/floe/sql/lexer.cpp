#include "floe/sql/lexer.h"

namespace floe::sql {
namespace {

bool IsIdentStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool IsIdentPart(unsigned char c) {
  return IsIdentStart(c) || (c >= '0' && c <= '9');
}
bool IsDigit(unsigned char c) {
  return c >= '0' && c <= '9';
}

// Walks the text keeping line and column (in code points) of the current byte.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool done() const { return pos_.offset >= text_.size(); }
  unsigned char peek(size_t ahead = 0) const {
    size_t i = pos_.offset + ahead;
    return i < text_.size() ? static_cast<unsigned char>(text_[i]) : 0;
  }
  const SourcePosition& position() const { return pos_; }
  std::string_view text() const { return text_; }

  void Advance() {
    unsigned char c = peek();
    ++pos_.offset;
    if (c == '\n') {
      ++pos_.line;
      pos_.column = 1;
    } else if ((c & 0xC0) != 0x80) {  // a UTF-8 continuation byte does not start a new character
      ++pos_.column;
    }
  }
  void Advance(size_t n) {
    for (size_t i = 0; i < n; ++i) Advance();
  }

 private:
  std::string_view text_;
  SourcePosition pos_;
};

// Reads a quoted run starting at the opening `quote`; a doubled quote stands for one. `what` names it in errors.
Result<std::string> ReadQuoted(Cursor& cur, char quote, std::string_view what) {
  SourcePosition start = cur.position();
  cur.Advance();  // the opening quote
  std::string value;
  while (true) {
    if (cur.done()) return SqlError(start, "unterminated " + std::string(what) + ": missing closing " + quote);
    char c = static_cast<char>(cur.peek());
    if (c == quote) {
      if (cur.peek(1) == static_cast<unsigned char>(quote)) {
        value += quote;
        cur.Advance(2);
        continue;
      }
      cur.Advance();
      return value;
    }
    value += c;
    cur.Advance();
  }
}

Result<Token> ReadNumber(Cursor& cur) {
  Token token;
  token.pos = cur.position();
  size_t begin = cur.position().offset;
  token.kind = TokenKind::kInteger;
  while (IsDigit(cur.peek())) cur.Advance();
  if (cur.peek() == '.') {
    token.kind = TokenKind::kDecimal;
    cur.Advance();
    while (IsDigit(cur.peek())) cur.Advance();
  }
  if (cur.peek() == 'e' || cur.peek() == 'E') {
    size_t digits_at = 1;
    if (cur.peek(1) == '+' || cur.peek(1) == '-') digits_at = 2;
    if (IsDigit(cur.peek(digits_at))) {
      token.kind = TokenKind::kApproximate;
      cur.Advance(digits_at);
      while (IsDigit(cur.peek())) cur.Advance();
    }
  }
  if (IsIdentPart(cur.peek()) || cur.peek() == '.') {
    while (IsIdentPart(cur.peek()) || cur.peek() == '.') cur.Advance();
    std::string text(cur.text().substr(begin, cur.position().offset - begin));
    return SqlError(token.pos, "malformed number '" + text + "'");
  }
  token.text = std::string(cur.text().substr(begin, cur.position().offset - begin));
  return token;
}

}  // namespace

std::string ToUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool Token::IsKeyword(std::string_view upper_keyword) const {
  if (kind != TokenKind::kIdentifier || text.size() != upper_keyword.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != upper_keyword[i]) return false;
  }
  return true;
}

std::string Token::Describe() const {
  switch (kind) {
    case TokenKind::kEnd: return "end of input";
    case TokenKind::kString: return "string '" + text + "'";
    case TokenKind::kQuotedIdentifier: return "`" + text + "`";
    default: return "'" + text + "'";
  }
}

Result<std::vector<Token>> Tokenize(std::string_view sql) {
  std::vector<Token> tokens;
  Cursor cur(sql);
  auto add = [&](TokenKind kind, size_t length) {
    Token t;
    t.kind = kind;
    t.pos = cur.position();
    t.text = std::string(sql.substr(cur.position().offset, length));
    cur.Advance(length);
    tokens.push_back(std::move(t));
  };
  while (!cur.done()) {
    unsigned char c = cur.peek();
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      cur.Advance();
      continue;
    }
    if (c == '-' && cur.peek(1) == '-') {
      while (!cur.done() && cur.peek() != '\n') cur.Advance();
      continue;
    }
    if (c == '/' && cur.peek(1) == '*') {
      SourcePosition start = cur.position();
      if (cur.peek(2) == '+') {
        return SqlError(start,
                        "unsupported: SQL hint /*+ ... */ (dynamic table options); put the options in the table's "
                        "WITH clause");
      }
      cur.Advance(2);
      while (!cur.done() && !(cur.peek() == '*' && cur.peek(1) == '/')) cur.Advance();
      if (cur.done()) return SqlError(start, "unterminated comment: missing closing */");
      cur.Advance(2);
      continue;
    }
    if (IsIdentStart(c)) {
      Token t;
      t.kind = TokenKind::kIdentifier;
      t.pos = cur.position();
      size_t begin = t.pos.offset;
      while (IsIdentPart(cur.peek())) cur.Advance();
      t.text = std::string(sql.substr(begin, cur.position().offset - begin));
      tokens.push_back(std::move(t));
      continue;
    }
    // ".5" is a number, but in "t.col" or "f(x).y" the dot is a separator.
    bool after_name = !tokens.empty() && (tokens.back().IsIdentifier() || tokens.back().kind == TokenKind::kRParen);
    if (IsDigit(c) || (c == '.' && IsDigit(cur.peek(1)) && !after_name)) {
      FLOE_ASSIGN_OR_RETURN(Token t, ReadNumber(cur));
      tokens.push_back(std::move(t));
      continue;
    }
    if (c == '\'' || c == '`' || c == '"') {
      Token t;
      t.pos = cur.position();
      t.kind = c == '\'' ? TokenKind::kString : TokenKind::kQuotedIdentifier;
      std::string_view what = c == '\'' ? "string literal" : "quoted identifier";
      FLOE_ASSIGN_OR_RETURN(t.text, ReadQuoted(cur, static_cast<char>(c), what));
      if (t.kind == TokenKind::kQuotedIdentifier && t.text.empty()) {
        return SqlError(t.pos, "empty quoted identifier");
      }
      tokens.push_back(std::move(t));
      continue;
    }
    unsigned char n = cur.peek(1);
    switch (c) {
      case '(': add(TokenKind::kLParen, 1); continue;
      case ')': add(TokenKind::kRParen, 1); continue;
      case ',': add(TokenKind::kComma, 1); continue;
      case ';': add(TokenKind::kSemicolon, 1); continue;
      case '.': add(TokenKind::kDot, 1); continue;
      case '+': add(TokenKind::kPlus, 1); continue;
      case '-': add(TokenKind::kMinus, 1); continue;
      case '*': add(TokenKind::kStar, 1); continue;
      case '/': add(TokenKind::kSlash, 1); continue;
      case '%': add(TokenKind::kPercent, 1); continue;
      case '|':
        if (n == '|') {
          add(TokenKind::kConcat, 2);
          continue;
        }
        break;
      case '=':
        if (n == '>') {
          add(TokenKind::kArrow, 2);
        } else {
          add(TokenKind::kEq, 1);
        }
        continue;
      case '!':
        if (n == '=') {
          add(TokenKind::kNotEq, 2);
          continue;
        }
        break;
      case '<':
        if (n == '>') {
          add(TokenKind::kNotEq, 2);
        } else if (n == '=') {
          add(TokenKind::kLtEq, 2);
        } else {
          add(TokenKind::kLt, 1);
        }
        continue;
      case '>':
        if (n == '=') {
          add(TokenKind::kGtEq, 2);
        } else {
          add(TokenKind::kGt, 1);
        }
        continue;
      default: break;
    }
    if (c < 0x20 || c == 0x7F) {
      static const char kHex[] = "0123456789abcdef";
      return SqlError(cur.position(), std::string("unexpected control character 0x") + kHex[c >> 4] + kHex[c & 15]);
    }
    return SqlError(cur.position(), "unexpected character '" + std::string(1, static_cast<char>(c)) + "'");
  }
  Token end;
  end.kind = TokenKind::kEnd;
  end.pos = cur.position();
  tokens.push_back(std::move(end));
  return tokens;
}

}  // namespace floe::sql
