// Filters for scan planning, after Iceberg's expressions API (Apache Iceberg table spec v2, "Scan Planning"): an
// immutable expression tree, binding to a schema, inclusive projection onto partition tuples, and the evaluators that
// decide which manifests, partitions and data files may hold matching rows.
//
// The life of a filter:
//   ParseFilter("temperature > 30.5 AND host LIKE 'web%'") or Expr::And(Expr::Gt("temperature", 30.5), ...)
//     -> an unbound expression: predicates name columns (dotted names) and hold UnboundValues;
//   Bind(schema, e) -> a bound expression: predicates hold a BoundRef (field id, type) and Literals of the field's
//   type; MetricsMightMatch(bound, schema, data_file)        data file column stats (lower/upper bounds, counts)
//   ProjectInclusive(bound, schema, spec) -> projected  the same filter over the partition tuple
//   ManifestMightMatch(projected, ...)                 manifest-list partition summaries
//   PartitionMightMatch(projected, data_file.partition) one file's partition tuple
//   EvaluateBatch(bound, ...) (row_filter.h)            the residual filter on the rows read.
//
// Semantics, as Iceberg's: a null value fails every comparison (lt, lt_eq, gt, gt_eq, eq, in, starts_with) and
// satisfies their negations (not_eq, not_in, not_starts_with); a NaN value fails every comparison and satisfies the
// negations; other floating-point values compare in the spec's order (-0.0 < 0.0). NOT is not evaluated as such: Bind
// first pushes every NOT down into the predicates (RewriteNot: not(a < 5) is a >= 5, not(a AND b) is not a OR not b),
// so the evaluators of a bound expression never see one and the data-file, partition and row evaluators agree.
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "floe/base/status.h"
#include "floe/iceberg/iceberg_types.h"
#include "floe/iceberg/manifest.h"
#include "floe/iceberg/partition_spec.h"

namespace floe::iceberg {

enum class ExprOp : uint8_t {
  kTrue,
  kFalse,
  kAnd,
  kOr,
  kNot,
  kIsNull,
  kNotNull,
  kIsNan,
  kNotNan,
  kLt,
  kLtEq,
  kGt,
  kGtEq,
  kEq,
  kNotEq,
  kIn,
  kNotIn,
  kStartsWith,
  kNotStartsWith,
};

// "true", "and", "is_null", "lt_eq", "not_starts_with"...: Iceberg's operation names.
std::string_view ExprOpName(ExprOp op);

// Integer types other than bool (a bool stays a boolean).
template <typename T>
concept FilterInteger = std::integral<T> && !std::same_as<T, bool>;

// A literal as a user writes it, before its column's type is known: a boolean, an integer, a double or a string
// (dates, timestamps, decimals and uuids are written as strings: "2026-11-25T10:00:00", "12.34").
struct UnboundValue {
  std::variant<bool, int64_t, double, std::string> value;

  UnboundValue(bool v) : value(v) {}  // NOLINT(google-explicit-constructor)
  template <FilterInteger I>
  UnboundValue(I v) : value(static_cast<int64_t>(v)) {}        // NOLINT(google-explicit-constructor)
  UnboundValue(double v) : value(v) {}                         // NOLINT(google-explicit-constructor)
  UnboundValue(const char* v) : value(std::string(v)) {}       // NOLINT(google-explicit-constructor)
  UnboundValue(std::string v) : value(std::move(v)) {}         // NOLINT(google-explicit-constructor)
  UnboundValue(std::string_view v) : value(std::string(v)) {}  // NOLINT(google-explicit-constructor)

  // As the filter syntax writes it: 42, 30.5 (always with '.' or an exponent), true, 'it''s'.
  std::string ToString() const;
  bool operator==(const UnboundValue&) const = default;
};

// The column a bound predicate tests.
//
// Bound to a table schema (Bind): field_id is the column's field id, position -1, name its full dotted name, type its
// type. Bound to a partition tuple (ProjectInclusive): field_id is the partition field's id (1000 and above),
// position its index in the spec's fields (= in PartitionValues and in ManifestFile::partitions), name the partition
// field's name, type the transform's result type (PartitionSpec::PartitionType).
struct BoundRef {
  int32_t field_id = 0;
  int32_t position = -1;
  std::string name;
  TypePtr type;
  bool required = false;
};

struct Expression;
using ExpressionPtr = std::shared_ptr<const Expression>;

// One node. Build them with Expr:: (which also simplifies constants), never mutate them once shared.
struct Expression {
  ExprOp op = ExprOp::kTrue;
  // kAnd, kOr: both; kNot: left.
  ExpressionPtr left;
  ExpressionPtr right;
  // Unbound predicates: the column as written and the values (none for is_null..not_nan, one for comparisons and
  // starts_with, any number for in/not_in).
  std::string column;
  std::vector<UnboundValue> values;
  // Bound predicates: the column and the values, each of ref->type (in/not_in: sorted, distinct).
  std::optional<BoundRef> ref;
  std::vector<Literal> literals;

  bool is_predicate() const { return op >= ExprOp::kIsNull; }
  bool is_bound_predicate() const { return is_predicate() && ref.has_value(); }
};

// Factories. And/Or/Not fold constants (And(False, x) is False, Not(Not(x)) is x) as Iceberg's Expressions do.
struct Expr {
  static ExpressionPtr True();
  static ExpressionPtr False();
  static ExpressionPtr And(ExpressionPtr left, ExpressionPtr right);
  static ExpressionPtr Or(ExpressionPtr left, ExpressionPtr right);
  static ExpressionPtr Not(ExpressionPtr child);

  static ExpressionPtr IsNull(std::string column);
  static ExpressionPtr NotNull(std::string column);
  static ExpressionPtr IsNan(std::string column);
  static ExpressionPtr NotNan(std::string column);
  static ExpressionPtr Lt(std::string column, UnboundValue value);
  static ExpressionPtr LtEq(std::string column, UnboundValue value);
  static ExpressionPtr Gt(std::string column, UnboundValue value);
  static ExpressionPtr GtEq(std::string column, UnboundValue value);
  static ExpressionPtr Eq(std::string column, UnboundValue value);
  static ExpressionPtr NotEq(std::string column, UnboundValue value);
  static ExpressionPtr In(std::string column, std::vector<UnboundValue> values);
  static ExpressionPtr NotIn(std::string column, std::vector<UnboundValue> values);
  static ExpressionPtr StartsWith(std::string column, std::string prefix);
  static ExpressionPtr NotStartsWith(std::string column, std::string prefix);

  // Any unbound predicate (`op` is a predicate op; the caller passes the number of values the op takes).
  static ExpressionPtr Predicate(ExprOp op, std::string column, std::vector<UnboundValue> values);
  // A bound predicate (the caller makes sure the literals have ref.type).
  static ExpressionPtr Bound(ExprOp op, BoundRef ref, std::vector<Literal> literals = {});
};

// The opposite of each predicate (lt <-> gt_eq, eq <-> not_eq, in <-> not_in, is_null <-> not_null, ...).
ExprOp NegateOp(ExprOp op);

// Pushes every NOT into the predicates below it (De Morgan for and/or, NegateOp for predicates); the result has no
// kNot node. Works on bound and unbound expressions.
ExpressionPtr RewriteNot(const ExpressionPtr& expr);

// Binds an unbound expression to `schema`, after RewriteNot. Columns are found by dotted name (through structs;
// ASCII case-insensitively when !case_sensitive) and must be primitive. Values are converted to the column's type:
//   integers to int, long, float, double, decimal, date (days), time and timestamps (micros; nanos for _ns);
//   doubles to float (the float whose shortest text the double is: 0.1 is 0.1f), double, decimal, int and long;
//   booleans to boolean;
//   strings to string, date ("2026-11-25"), time ("10:00[:00[.123456]]"), timestamp ("2026-11-25T10:00:00[.f]",
//   'T' or ' ', a date alone is midnight), timestamptz (the same, optionally with "Z" or "+hh:mm"; no offset is UTC),
//   uuid (8-4-4-4-12 hex), decimal and the other numbers ("12.34"), boolean ("true"/"false"), fixed and binary
//   (hex, as Literal::ToString writes them).
// A value that falls between two values of the column's type (1.005 for a decimal(9,2), 30.5 for an int, a fraction
// finer than micros) makes eq false, not_eq true, and lt/lt_eq/gt/gt_eq compare with the nearest value on the right
// side (a < 30.5 is a <= 30, a > 30.5 is a > 30); one beyond the type's range makes the predicate false, true, or,
// where Iceberg says always-true for a comparison, IS NOT NULL (a < 3000000000 on an int: no null is less than
// anything, and the row filter must agree with the stats evaluators); such values are dropped from in/not_in (in with
// no values left is false, with one value eq). is_null on a required column is false, not_null true. NaN literals are
// refused (use is_nan). Errors (InvalidArgument): "cannot find field 'tempx' in schema", "cannot compare column 'x' of
// type int with 'abc'", "is_nan: column 'x' of type int is not float or double", "starts_with: column 'x' of type int
// is not a string", "cannot filter on column 'loc' of type struct<...>: not a primitive type".
Result<ExpressionPtr> Bind(const Schema& schema, const ExpressionPtr& expr, bool case_sensitive = true);

// The field ids a bound expression references, ascending and distinct.
std::vector<int32_t> ReferencedFieldIds(const ExpressionPtr& bound);

// Iceberg's InclusiveMetricsEvaluator: false only when `file`'s stats prove that no row matches `bound` (a bound
// expression over `schema`): record_count 0; a column that is all null (value count == null count) or all NaN for
// a comparison; bounds that exclude the literal; a not_eq/not_in whose column holds a single non-null value equal to
// the literal; starts_with bounds that cannot hold the prefix (bounds may be truncated prefixes; they are compared
// by prefix, as unsigned bytes). Missing counts or bounds, bounds that do not decode for the column's type (apart
// from int->long and float->double promotions), NaN bounds and in-lists longer than 200 all mean "might match".
bool MetricsMightMatch(const ExpressionPtr& bound, const Schema& schema, const DataFile& file);

// Iceberg's inclusive projection (Projections.inclusive): an expression bound to the partition tuple of `spec` that
// is true for every partition that may hold a row matching `bound`. Per predicate, the conjunction over the
// partition fields whose source is its column of: identity the same predicate; bucket[N] eq/in on the bucket of the
// values; truncate[W] and year/month/day/hour comparisons on the transformed bound (a < X is p <= t(X-1), a > X is
// p >= t(X+1), a <= X is p <= t(X), a = X is p = t(X)), in on the transformed values, starts_with on strings
// (shorter than W: the prefix; exactly W: eq; longer: starts_with its truncation), not_starts_with only for prefixes
// up to W; is_null/not_null as they are. Anything else (and a column no partition field is built from) projects to
// true. Unlike Java, no allowance is made for the off-by-one time partitions that Iceberg 0.10 and earlier wrote for
// values before 1970 (ProjectionUtil.fixInclusiveTimeProjection). InvalidArgument when the spec does not fit the
// schema.
Result<ExpressionPtr> ProjectInclusive(const ExpressionPtr& bound, const Schema& schema, const PartitionSpec& spec);

// Evaluates a projected expression exactly on one partition tuple (values by BoundRef::position; a position past
// the end counts as null).
bool PartitionMightMatch(const ExpressionPtr& projected, const PartitionValues& partition);

// Iceberg's ManifestEvaluator: false only when `manifest`'s partition summaries (contains_null, contains_nan,
// lower/upper bounds, by position) prove that none of its files' partitions satisfies `projected`. A manifest whose
// summaries do not match the spec's field count (e.g. written without them) might match. `partition_type` is
// spec.PartitionType(schema), whose field types decode the bounds.
bool ManifestMightMatch(const ExpressionPtr& projected, const PartitionSpec& spec, const TypePtr& partition_type,
                        const ManifestFile& manifest);

// The expression in the filter syntax ParseFilter reads: "temperature > 30.5 AND (host = 'a' OR host IS NULL)".
// Bound predicates print the column's full name and the literals by Literal::ToString, quoted for strings, dates,
// times, timestamps, uuids and binary, so a bound expression printed and parsed binds to the same expression.
std::string ExpressionToString(const ExpressionPtr& expr);

// Parses the CLI's filter syntax into an unbound expression:
//   expr      := or ; or := and (OR and)* ; and := not (AND not)* ; not := NOT not | '(' expr ')' | TRUE | FALSE | pred
//   pred      := column op literal            op: = == != <> < <= > >=
//              | column IS [NOT] NULL | column IS [NOT] NAN
//              | column [NOT] IN '(' literal (',' literal)* ')'
//              | column [NOT] LIKE 'prefix%'  (starts_with; no '%' at all is eq; '\' escapes '%', '_' and '\')
//   column    := name ('.' name)* | "quoted name" ("" for a quote)    name := [A-Za-z_][A-Za-z0-9_]*
//   literal   := 'string' ('' for a quote) | [-]digits (an integer) | [-]digits.digits[e[-]digits] (a double)
//              | TRUE | FALSE
// A number with more than 15 significant digits, or an integer beyond int64, is kept as its text (a string value)
// so that it binds exactly to decimals and longs. Keywords are case-insensitive. Errors are InvalidArgument "filter: at
// N: <reason>", N the 1-based character position of the offending token (the length + 1 at the end of the text):
// "filter: at 15: expected a literal after
// '>'".
Result<ExpressionPtr> ParseFilter(std::string_view text);

}  // namespace floe::iceberg
