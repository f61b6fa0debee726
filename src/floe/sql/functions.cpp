#include "floe/sql/functions.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>

#include "floe/sql/name_suggestion.h"

namespace floe::sql {
namespace {

using Args = std::vector<BoundExprPtr>;
using Typer = std::function<Result<CallTyping>(std::string_view name, const Args& args)>;

Status Bad(std::string reason) {
  return Status::InvalidArgument(std::move(reason));
}

// "first", "second", ... for argument index i.
std::string Ordinal(size_t i) {
  static const char* kNames[] = {"first", "second", "third", "fourth", "fifth"};
  return i < 5 ? kNames[i] : std::to_string(i + 1) + "th";
}

bool AnyNullable(const Args& args) {
  return std::any_of(args.begin(), args.end(), [](const BoundExprPtr& a) { return a->type.nullable; });
}

std::vector<DataType> TypesOf(const Args& args) {
  std::vector<DataType> types;
  for (const BoundExprPtr& a : args) types.push_back(a->type);
  return types;
}

Status CheckArity(std::string_view name, const Args& args, size_t min, size_t max) {
  if (args.size() >= min && args.size() <= max) return Status::Ok();
  std::string expected;
  if (max == 0) {
    expected = "no arguments";
  } else if (min == max) {
    expected = std::to_string(min) + (min == 1 ? " argument" : " arguments");
  } else if (max == SIZE_MAX) {
    expected = "at least " + std::to_string(min) + (min == 1 ? " argument" : " arguments");
  } else {
    expected = std::to_string(min) + (min + 1 == max ? " or " : " to ") + std::to_string(max) + " arguments";
  }
  return Bad(std::string(name) + " takes " + expected + ", got " + std::to_string(args.size()));
}

Status CheckArg(std::string_view name, const Args& args, size_t i, bool ok, std::string_view wanted) {
  if (ok || args[i]->type.is_null()) return Status::Ok();
  return Bad(std::string(name) + " needs " + std::string(wanted) + " as its " + Ordinal(i) + " argument, got " +
             args[i]->type.Name());
}

// The value of an integer literal argument (possibly negated by the binder's folding), if it is one.
std::optional<int64_t> IntegerLiteral(const BoundExprPtr& e) {
  if (e->kind != BoundExprKind::kLiteral || !e->type.is_exact_integer() || e->value->is_null()) return std::nullopt;
  return e->value->int64();
}

CallTyping Same(const Args& args, DataType result) {
  return {result, TypesOf(args)};
}

// ----- numeric -----

Result<CallTyping> NumericSameType(std::string_view name, const Args& args) {
  FLOE_RETURN_IF_ERROR(CheckArity(name, args, 1, 1));
  FLOE_RETURN_IF_ERROR(CheckArg(name, args, 0, args[0]->type.is_numeric(), "a number"));
  return Same(args, args[0]->type);
}

Result<CallTyping> FloorCeil(std::string_view name, const Args& args) {
  FLOE_RETURN_IF_ERROR(CheckArity(name, args, 1, 1));
  FLOE_RETURN_IF_ERROR(CheckArg(name, args, 0, args[0]->type.is_numeric(), "a number"));
  DataType t = args[0]->type;
  if (t.is_decimal()) {
    t = DataType::Decimal(std::clamp(t.precision - t.scale + 1, 1, DataType::kMaxDecimalPrecision), 0)
            .WithNullable(t.nullable);
  }
  return Same(args, t);
}

Result<CallTyping> Round(std::string_view name, const Args& args) {
  FLOE_RETURN_IF_ERROR(CheckArity(name, args, 1, 2));
  FLOE_RETURN_IF_ERROR(CheckArg(name, args, 0, args[0]->type.is_numeric(), "a number"));
  int64_t digits = 0;
  if (args.size() == 2) {
    FLOE_RETURN_IF_ERROR(CheckArg(name, args, 1, args[1]->type.is_exact_integer(), "an integer"));
    std::optional<int64_t> literal = IntegerLiteral(args[1]);
    if (!literal && args[0]->type.is_decimal()) {
      return Bad("ROUND of a DECIMAL needs an integer literal as its digits, so that its result type is known");
    }
    digits = literal.value_or(0);
  }
  DataType t = args[0]->type;
  if (t.is_decimal()) {
    t = DecimalRoundType(t, static_cast<int32_t>(std::clamp<int64_t>(digits, -38, 38))).WithNullable(t.nullable);
  }
  CallTyping typing = Same(args, t.WithNullable(AnyNullable(args)));
  if (args.size() == 2) typing.arg_types[1] = DataType::Int().WithNullable(args[1]->type.nullable);
  return typing;
}

Result<CallTyping> DoubleOfNumbers(std::string_view name, const Args& args, size_t min, size_t max) {
  FLOE_RETURN_IF_ERROR(CheckArity(name, args, min, max));
  CallTyping typing{DataType::Double().WithNullable(AnyNullable(args)), {}};
  for (size_t i = 0; i < args.size(); ++i) {
    FLOE_RETURN_IF_ERROR(CheckArg(name, args, i, args[i]->type.is_numeric(), "a number"));
    typing.arg_types.push_back(DataType::Double().WithNullable(args[i]->type.nullable));
  }
  return typing;
}

// ----- strings -----

Result<CallTyping> StringSameType(std::string_view name, const Args& args) {
  FLOE_RETURN_IF_ERROR(CheckArity(name, args, 1, 1));
  FLOE_RETURN_IF_ERROR(CheckArg(name, args, 0, args[0]->type.is_character_string(), "a string"));
  return Same(args, args[0]->type.is_null() ? DataType::String() : args[0]->type);
}

Result<CallTyping> CharLength(std::string_view name, const Args& args) {
  FLOE_RETURN_IF_ERROR(CheckArity(name, args, 1, 1));
  FLOE_RETURN_IF_ERROR(CheckArg(name, args, 0, args[0]->type.is_character_string(), "a string"));
  return Same(args, DataType::Int().WithNullable(args[0]->type.nullable));
}

// A function of string arguments (positions in `string_args`) and integer arguments (the others).
Result<CallTyping> StringFunction(std::string_view name, const Args& args, size_t min, size_t max,
                                  std::vector<size_t> integer_args, bool always_nullable = false) {
  FLOE_RETURN_IF_ERROR(CheckArity(name, args, min, max));
  CallTyping typing = Same(args, DataType::String().WithNullable(always_nullable || AnyNullable(args)));
  for (size_t i = 0; i < args.size(); ++i) {
    bool integer = std::find(integer_args.begin(), integer_args.end(), i) != integer_args.end();
    if (integer) {
      FLOE_RETURN_IF_ERROR(CheckArg(name, args, i, args[i]->type.is_exact_integer(), "an integer"));
      typing.arg_types[i] = DataType::Int().WithNullable(args[i]->type.nullable);
    } else {
      FLOE_RETURN_IF_ERROR(CheckArg(name, args, i, args[i]->type.is_character_string(), "a string"));
    }
  }
  return typing;
}

Result<CallTyping> Concat(std::string_view name, const Args& args) {
  FLOE_RETURN_IF_ERROR(CheckArity(name, args, name == "CONCAT_WS" ? 2 : 1, SIZE_MAX));
  for (size_t i = 0; i < args.size(); ++i) {
    if (!args[i]->type.is_character_string() && !args[i]->type.is_null()) {
      return Bad(std::string(name) + " needs string arguments, got " + args[i]->type.Name() + " as argument " +
                 std::to_string(i + 1) + "; CAST it to STRING");
    }
  }
  // CONCAT_WS skips NULL strings; only a NULL separator makes it NULL.
  bool nullable = name == "CONCAT_WS" ? args[0]->type.nullable : AnyNullable(args);
  return Same(args, DataType::String().WithNullable(nullable));
}

// ----- time -----

Result<CallTyping> ToTimestampLtz(std::string_view name, const Args& args) {
  FLOE_RETURN_IF_ERROR(CheckArity(name, args, 1, 2));
  const DataType& epoch = args[0]->type;
  if (epoch.is_character_string()) {  // TO_TIMESTAMP_LTZ(string, format): parsed, NULL when it does not parse
    FLOE_RETURN_IF_ERROR(CheckArg(name, args, 1, args.size() < 2 || args[1]->type.is_character_string(), "a string"));
    return Same(args, DataType::TimestampLtz(3));
  }
  FLOE_RETURN_IF_ERROR(CheckArg(name, args, 0, epoch.is_numeric(), "a number (epoch seconds or milliseconds)"));
  if (args.size() == 2) {
    std::optional<int64_t> precision = IntegerLiteral(args[1]);
    if (!precision || (*precision != 0 && *precision != 3)) {
      return Bad("TO_TIMESTAMP_LTZ's precision must be the literal 0 (epoch seconds) or 3 (epoch milliseconds), got " +
                 args[1]->ToString());
    }
  }
  return Same(args, DataType::TimestampLtz(3).WithNullable(epoch.nullable));
}

Result<CallTyping> ParsedTime(std::string_view name, const Args& args, DataType result) {
  FLOE_RETURN_IF_ERROR(CheckArity(name, args, 1, 2));
  for (size_t i = 0; i < args.size(); ++i) {
    FLOE_RETURN_IF_ERROR(CheckArg(name, args, i, args[i]->type.is_character_string(), "a string"));
  }
  return Same(args, result.WithNullable(true));  // NULL when the text does not parse
}

Result<CallTyping> DateFormat(std::string_view name, const Args& args) {
  FLOE_RETURN_IF_ERROR(CheckArity(name, args, 2, 2));
  FLOE_RETURN_IF_ERROR(
      CheckArg(name, args, 0, args[0]->type.is_timestamp() || args[0]->type.is_character_string(), "a timestamp"));
  FLOE_RETURN_IF_ERROR(CheckArg(name, args, 1, args[1]->type.is_character_string(), "a format string"));
  return Same(args, DataType::String().WithNullable(AnyNullable(args)));
}

Result<CallTyping> UnixTimestamp(std::string_view name, const Args& args) {
  FLOE_RETURN_IF_ERROR(CheckArity(name, args, 0, 2));
  if (args.empty()) return Same(args, DataType::BigInt().NotNull());
  for (size_t i = 0; i < args.size(); ++i) {
    FLOE_RETURN_IF_ERROR(CheckArg(name, args, i, args[i]->type.is_character_string(), "a string"));
  }
  return Same(args, DataType::BigInt().WithNullable(true));
}

Result<CallTyping> FromUnixtime(std::string_view name, const Args& args) {
  FLOE_RETURN_IF_ERROR(CheckArity(name, args, 1, 2));
  FLOE_RETURN_IF_ERROR(CheckArg(name, args, 0, args[0]->type.is_exact_integer(), "an integer (epoch seconds)"));
  if (args.size() == 2) FLOE_RETURN_IF_ERROR(CheckArg(name, args, 1, args[1]->type.is_character_string(), "a string"));
  return Same(args, DataType::String().WithNullable(AnyNullable(args)));
}

Result<CallTyping> DatetimeField(std::string_view name, const Args& args) {
  FLOE_RETURN_IF_ERROR(CheckArity(name, args, 1, 1));
  bool time_field = name == "HOUR" || name == "MINUTE" || name == "SECOND";
  const DataType& t = args[0]->type;
  bool ok = time_field ? (t.is_timestamp() || t.id == TypeId::kTime) : (t.is_timestamp() || t.id == TypeId::kDate);
  FLOE_RETURN_IF_ERROR(CheckArg(name, args, 0, ok, time_field ? "a time or timestamp" : "a date or timestamp"));
  return Same(args, DataType::BigInt().WithNullable(t.nullable));
}

Result<CallTyping> Niladic(std::string_view name, const Args& args, DataType result) {
  FLOE_RETURN_IF_ERROR(CheckArity(name, args, 0, 0));
  return Same(args, result.NotNull());
}

// ----- null handling -----

Result<DataType> CommonOf(std::string_view name, const Args& args, size_t from) {
  DataType common = args[from]->type;
  for (size_t i = from + 1; i < args.size(); ++i) {
    std::optional<DataType> next = CommonType(common, args[i]->type);
    if (!next) {
      return Bad(std::string(name) + "'s arguments have no common type: " + common.Name() + " and " +
                 args[i]->type.Name());
    }
    common = *next;
  }
  return common;
}

CallTyping CastAllTo(const Args& args, size_t from, const DataType& common, DataType result) {
  CallTyping typing = Same(args, result);
  for (size_t i = from; i < args.size(); ++i) typing.arg_types[i] = common.WithNullable(args[i]->type.nullable);
  return typing;
}

Result<CallTyping> Coalesce(std::string_view name, const Args& args) {
  FLOE_RETURN_IF_ERROR(CheckArity(name, args, name == "IFNULL" ? 2 : 1, name == "IFNULL" ? 2 : SIZE_MAX));
  FLOE_ASSIGN_OR_RETURN(DataType common, CommonOf(name, args, 0));
  bool all_nullable = std::all_of(args.begin(), args.end(), [](const BoundExprPtr& a) { return a->type.nullable; });
  return CastAllTo(args, 0, common, common.WithNullable(all_nullable));
}

Result<CallTyping> NullIf(std::string_view name, const Args& args) {
  FLOE_RETURN_IF_ERROR(CheckArity(name, args, 2, 2));
  FLOE_ASSIGN_OR_RETURN(DataType common, CommonOf(name, args, 0));
  return CastAllTo(args, 0, common, common.WithNullable(true));
}

Result<CallTyping> If(std::string_view name, const Args& args) {
  FLOE_RETURN_IF_ERROR(CheckArity(name, args, 3, 3));
  FLOE_RETURN_IF_ERROR(CheckArg(name, args, 0, args[0]->type.is_boolean(), "a BOOLEAN condition"));
  FLOE_ASSIGN_OR_RETURN(DataType common, CommonOf(name, args, 1));
  CallTyping typing = CastAllTo(args, 1, common, common);
  typing.arg_types[0] = DataType::Boolean().WithNullable(args[0]->type.nullable);
  return typing;
}

Result<CallTyping> GreatestLeast(std::string_view name, const Args& args) {
  FLOE_RETURN_IF_ERROR(CheckArity(name, args, 2, SIZE_MAX));
  FLOE_ASSIGN_OR_RETURN(DataType common, CommonOf(name, args, 0));
  return CastAllTo(args, 0, common, common);
}

const std::map<std::string, Typer, std::less<>>& ScalarFunctions() {
  static const auto* kFunctions = new std::map<std::string, Typer, std::less<>>{
      {"ABS", NumericSameType},
      {"SIGN", NumericSameType},
      {"FLOOR", FloorCeil},
      {"CEIL", FloorCeil},
      {"CEILING", FloorCeil},
      {"ROUND", Round},
      {"POWER", [](auto n, const Args& a) { return DoubleOfNumbers(n, a, 2, 2); }},
      {"SQRT", [](auto n, const Args& a) { return DoubleOfNumbers(n, a, 1, 1); }},
      {"EXP", [](auto n, const Args& a) { return DoubleOfNumbers(n, a, 1, 1); }},
      {"LN", [](auto n, const Args& a) { return DoubleOfNumbers(n, a, 1, 1); }},
      {"LOG10", [](auto n, const Args& a) { return DoubleOfNumbers(n, a, 1, 1); }},
      {"LOG2", [](auto n, const Args& a) { return DoubleOfNumbers(n, a, 1, 1); }},
      {"LOG", [](auto n, const Args& a) { return DoubleOfNumbers(n, a, 1, 2); }},
      {"MOD",
       [](auto n, const Args& a) -> Result<CallTyping> {
         FLOE_RETURN_IF_ERROR(CheckArity(n, a, 2, 2));
         return TypeBinaryArithmetic(BinaryOp::kModulo, a[0]->type, a[1]->type);
       }},
      {"UPPER", StringSameType},
      {"LOWER", StringSameType},
      {"INITCAP", StringSameType},
      {"TRIM", StringSameType},
      {"LTRIM", StringSameType},
      {"RTRIM", StringSameType},
      {"CHAR_LENGTH", CharLength},
      {"CHARACTER_LENGTH", CharLength},
      {"CONCAT", Concat},
      {"CONCAT_WS", Concat},
      {"SUBSTRING",
       [](auto n, const Args& a) {
         return StringFunction(n, a, 2, 3, {1, 2});
       }},
      {"SUBSTR",
       [](auto n, const Args& a) {
         return StringFunction(n, a, 2, 3, {1, 2});
       }},
      {"REPLACE", [](auto n, const Args& a) { return StringFunction(n, a, 3, 3, {}); }},
      {"LPAD", [](auto n, const Args& a) { return StringFunction(n, a, 3, 3, {1}); }},
      {"RPAD", [](auto n, const Args& a) { return StringFunction(n, a, 3, 3, {1}); }},
      {"REGEXP_EXTRACT", [](auto n, const Args& a) { return StringFunction(n, a, 2, 3, {2}, true); }},
      {"REGEXP_REPLACE", [](auto n, const Args& a) { return StringFunction(n, a, 3, 3, {}); }},
      {"TO_TIMESTAMP_LTZ", ToTimestampLtz},
      {"TO_TIMESTAMP", [](auto n, const Args& a) { return ParsedTime(n, a, DataType::Timestamp(3)); }},
      {"TO_DATE", [](auto n, const Args& a) { return ParsedTime(n, a, DataType::Date()); }},
      {"DATE_FORMAT", DateFormat},
      {"UNIX_TIMESTAMP", UnixTimestamp},
      {"FROM_UNIXTIME", FromUnixtime},
      {"YEAR", DatetimeField},
      {"MONTH", DatetimeField},
      {"DAYOFMONTH", DatetimeField},
      {"HOUR", DatetimeField},
      {"MINUTE", DatetimeField},
      {"SECOND", DatetimeField},
      {"CURRENT_TIMESTAMP", [](auto n, const Args& a) { return Niladic(n, a, DataType::TimestampLtz(3)); }},
      {"NOW", [](auto n, const Args& a) { return Niladic(n, a, DataType::TimestampLtz(3)); }},
      {"LOCALTIMESTAMP", [](auto n, const Args& a) { return Niladic(n, a, DataType::Timestamp(3)); }},
      {"CURRENT_DATE", [](auto n, const Args& a) { return Niladic(n, a, DataType::Date()); }},
      {"CURRENT_TIME", [](auto n, const Args& a) { return Niladic(n, a, DataType::Time(0)); }},
      {"LOCALTIME", [](auto n, const Args& a) { return Niladic(n, a, DataType::Time(0)); }},
      {"COALESCE", Coalesce},
      {"IFNULL", Coalesce},
      {"NULLIF", NullIf},
      {"IF", If},
      {"GREATEST", GreatestLeast},
      {"LEAST", GreatestLeast},
  };
  return *kFunctions;
}

constexpr const char* kAggregates[] = {"COUNT", "SUM", "AVG", "MIN", "MAX"};

bool IsLegacyGroupWindowFunction(std::string_view name) {
  for (std::string_view window : {"TUMBLE", "HOP", "CUMULATE", "SESSION"}) {
    if (name == window) return true;
    for (std::string_view suffix : {"_START", "_END", "_ROWTIME", "_PROCTIME"}) {
      if (name.size() == window.size() + suffix.size() && name.substr(0, window.size()) == window &&
          name.substr(window.size()) == suffix) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

bool IsAggregateFunction(std::string_view name) {
  return std::find(std::begin(kAggregates), std::end(kAggregates), name) != std::end(kAggregates);
}

const std::vector<std::string>& KnownFunctionNames() {
  static const auto* kNames = [] {
    auto* names = new std::vector<std::string>(std::begin(kAggregates), std::end(kAggregates));
    for (const auto& [name, typer] : ScalarFunctions()) names->push_back(name);
    return names;
  }();
  return *kNames;
}

Result<CallTyping> TypeScalarCall(std::string_view name, const std::vector<BoundExprPtr>& args) {
  const auto& functions = ScalarFunctions();
  auto it = functions.find(name);
  if (it != functions.end()) return it->second(name, args);
  if (name == "PROCTIME") {
    return Bad(
        "unsupported: PROCTIME() (processing-time attributes); floe's windows run on event time: declare WATERMARK FOR "
        "a TIMESTAMP(3) or TIMESTAMP_LTZ(3) column");
  }
  if (IsLegacyGroupWindowFunction(name)) {
    return Bad("unsupported: " + std::string(name) +
               "(...) (Flink's legacy group windows); use a window table function: FROM TABLE(TUMBLE(TABLE t, "
               "DESCRIPTOR(ts), INTERVAL '10' SECOND)) with window_start and window_end");
  }
  for (std::string_view aggregate : {"STDDEV_POP",
                                     "STDDEV_SAMP",
                                     "STDDEV",
                                     "VAR_POP",
                                     "VAR_SAMP",
                                     "VARIANCE",
                                     "COLLECT",
                                     "LISTAGG",
                                     "FIRST_VALUE",
                                     "LAST_VALUE",
                                     "APPROX_COUNT_DISTINCT",
                                     "ARRAY_AGG",
                                     "SUM0",
                                     "JSON_ARRAYAGG",
                                     "JSON_OBJECTAGG",
                                     "ROW_NUMBER",
                                     "RANK",
                                     "DENSE_RANK",
                                     "LAG",
                                     "LEAD"}) {
    if (name == aggregate) {
      return Bad("unsupported: aggregate function " + std::string(name) + "; floe has COUNT, SUM, AVG, MIN and MAX");
    }
  }
  return Bad("unknown function '" + std::string(name) + "'" + DidYouMean(name, KnownFunctionNames()));
}

Result<DataType> TypeAggregateCall(std::string_view name, bool star, const std::vector<DataType>& args, bool grouped) {
  if (star) {
    if (name != "COUNT") return Bad(std::string(name) + "(*) is not allowed; only COUNT takes *");
    return DataType::BigInt().NotNull();
  }
  if (args.size() != 1) {
    return Bad(std::string(name) + " takes one argument" + (name == "COUNT" ? " or *" : "") + ", got " +
               std::to_string(args.size()));
  }
  const DataType& arg = args[0];
  if (name == "COUNT") return DataType::BigInt().NotNull();
  bool nullable = arg.nullable || !grouped;
  if (arg.is_null()) return Bad(std::string(name) + " of an untyped NULL: CAST it to a type");
  if (name == "SUM" || name == "AVG") {
    if (!arg.is_numeric()) return Bad(std::string(name) + " needs a numeric argument, got " + arg.Name());
    DataType result = arg;
    if (name == "SUM") {
      if (arg.is_exact_integer()) result = DataType::BigInt();
      if (arg.is_decimal()) result = DataType::Decimal(DataType::kMaxDecimalPrecision, arg.scale);
    } else if (arg.is_decimal()) {
      result =
          DecimalDivisionType(DataType::Decimal(DataType::kMaxDecimalPrecision, arg.scale), DataType::Decimal(20, 0));
    }
    return result.WithNullable(nullable);
  }
  // MIN, MAX: anything ordered.
  if (arg.is_binary_string()) return Bad(std::string(name) + " of " + arg.Name() + " is not supported");
  return arg.WithNullable(nullable);
}

Result<CallTyping> TypeBinaryArithmetic(BinaryOp op, const DataType& a_in, const DataType& b_in) {
  std::string symbol = BinaryOpSymbol(op);
  if (a_in.is_null() && b_in.is_null()) {
    return Bad("cannot apply '" + symbol + "' to NULL and NULL: CAST one of them to a type");
  }
  DataType a = a_in.is_null() ? b_in.WithNullable(true) : a_in;
  DataType b = b_in.is_null() ? a_in.WithNullable(true) : b_in;
  bool nullable = a.nullable || b.nullable;
  auto mismatch = [&]() {
    return Bad("type mismatch: cannot apply '" + symbol + "' to " + a.Name() + " and " + b.Name());
  };
  if (op == BinaryOp::kConcat) {
    if (!(a.is_character_string() && b.is_character_string()) && !(a.is_binary_string() && b.is_binary_string())) {
      return Bad("type mismatch: cannot apply '||' to " + a.Name() + " and " + b.Name() +
                 "; CAST the other operand to STRING");
    }
    int64_t length = std::min<int64_t>(static_cast<int64_t>(a.length) + b.length, DataType::kMaxLength);
    DataType result;
    if (a.is_character_string()) {
      result = a.id == TypeId::kChar && b.id == TypeId::kChar ? DataType::Char(static_cast<int32_t>(length))
                                                              : DataType::VarChar(static_cast<int32_t>(length));
    } else {
      result = a.id == TypeId::kBinary && b.id == TypeId::kBinary ? DataType::Binary(static_cast<int32_t>(length))
                                                                  : DataType::VarBinary(static_cast<int32_t>(length));
    }
    return CallTyping{result.WithNullable(nullable), {a, b}};
  }
  if (a.is_numeric() && b.is_numeric()) {
    if (op == BinaryOp::kModulo && (a.is_approximate() || b.is_approximate())) {
      return Bad("'%' needs exact numeric operands (integers or DECIMAL), got " + a.Name() + " and " + b.Name());
    }
    if (a.is_exact_numeric() && b.is_exact_numeric() && (a.is_decimal() || b.is_decimal())) {
      DataType da = AsDecimal(a);
      DataType db = AsDecimal(b);
      DataType result;
      switch (op) {
        case BinaryOp::kAdd:
        case BinaryOp::kSubtract: result = DecimalAdditionType(da, db); break;
        case BinaryOp::kMultiply: result = DecimalMultiplicationType(da, db); break;
        case BinaryOp::kDivide: result = DecimalDivisionType(da, db); break;
        default: result = DecimalModuloType(da, db); break;
      }
      return CallTyping{result.WithNullable(nullable), {da, db}};
    }
    DataType result = *CommonType(a, b);
    return CallTyping{result.WithNullable(nullable),
                      {result.WithNullable(a.nullable), result.WithNullable(b.nullable)}};
  }
  bool additive = op == BinaryOp::kAdd || op == BinaryOp::kSubtract;
  // datetime +/- interval, interval + datetime
  auto fits = [](const DataType& datetime, const DataType& interval) {
    if (!interval.is_interval() || !datetime.is_datetime()) return false;
    return datetime.id != TypeId::kTime || interval.id == TypeId::kIntervalDayTime;
  };
  if (additive && fits(a, b)) return CallTyping{a.WithNullable(nullable), {a, b}};
  if (op == BinaryOp::kAdd && fits(b, a)) return CallTyping{b.WithNullable(nullable), {a, b}};
  if (additive && a.is_interval() && a.id == b.id) return CallTyping{a.WithNullable(nullable), {a, b}};
  // interval * number, number * interval, interval / number
  if ((op == BinaryOp::kMultiply || op == BinaryOp::kDivide) && a.is_interval() && b.is_numeric()) {
    return CallTyping{a.WithNullable(nullable), {a, b}};
  }
  if (op == BinaryOp::kMultiply && a.is_numeric() && b.is_interval())
    return CallTyping{b.WithNullable(nullable), {a, b}};
  return mismatch();
}

}  // namespace floe::sql
