#include "floe/sql/binder.h"

#include <algorithm>

#include "floe/sql/expression_binder.h"
#include "floe/sql/name_suggestion.h"
#include "floe/sql/parser.h"

namespace floe::sql {
namespace {

constexpr const char* kWindowStart = "window_start";
constexpr const char* kWindowEnd = "window_end";
constexpr const char* kWindowTime = "window_time";

// A time attribute's type: TIMESTAMP(p) or TIMESTAMP_LTZ(p) with p <= 3, as Flink requires of a rowtime.
bool IsTimeAttributeType(const DataType& t) {
  return t.is_timestamp() && t.precision <= 3;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
  return out;
}

class StatementBinder {
 public:
  explicit StatementBinder(TableCatalog* catalog) : catalog_(catalog) {}

  Result<BoundStatement> Bind(const Statement& s) {
    BoundStatement out;
    out.kind = s.kind();
    out.pos = s.pos;
    switch (s.kind()) {
      case StatementKind::kCreateTable: {
        FLOE_ASSIGN_OR_RETURN(out.table, BindCreateTable(s.As<CreateTableStatement>()));
        if (out.table) FLOE_RETURN_IF_ERROR(catalog_->Add(out.table));
        break;
      }
      case StatementKind::kInsert: {
        FLOE_ASSIGN_OR_RETURN(BoundInsert insert, BindInsert(s.As<InsertStatement>()));
        out.inserts.push_back(std::move(insert));
        break;
      }
      case StatementKind::kStatementSet:
        for (const auto& insert : s.As<StatementSetStatement>().inserts) {
          FLOE_ASSIGN_OR_RETURN(BoundInsert bound, BindInsert(*insert));
          out.inserts.push_back(std::move(bound));
        }
        break;
      case StatementKind::kQuery: {
        FLOE_ASSIGN_OR_RETURN(BoundQuery query, BindQuery(*s.As<QueryStatement>().query));
        out.query = std::make_unique<BoundQuery>(std::move(query));
        break;
      }
      case StatementKind::kSet:
        out.key = s.As<SetStatement>().key;
        out.value = s.As<SetStatement>().value;
        break;
    }
    return out;
  }

 private:
  Result<std::shared_ptr<const TableDefinition>> FindTable(const QualifiedName& name) const {
    std::string joined = name.Joined();
    if (auto table = catalog_->Find(joined)) return table;
    std::string suggestion = DidYouMean(joined, catalog_->TableNames());
    if (suggestion.empty()) suggestion = ": declare it with CREATE TABLE before using it";
    return SqlError(name.pos(), "unknown table '" + joined + "'" + suggestion);
  }

  // ----- CREATE TABLE -----

  Result<int> FindTableColumn(const TableDefinition& table, const Identifier& id) const {
    int index = table.FindColumn(id.name);
    if (index < 0) {
      return SqlError(
          id.pos, "unknown column '" + id.name + "' in table " + table.name + DidYouMean(id.name, table.ColumnNames()));
    }
    return index;
  }

  static Scope TableScope(const TableDefinition& table) {
    Scope scope;
    for (const TableColumn& c : table.columns) scope.columns.push_back({c.name, c.type, c.time_attribute, c.pos});
    scope.hidden.assign(table.columns.size(), "");
    scope.qualifier = table.name;
    scope.description = "table " + table.name;
    return scope;
  }

  Result<std::shared_ptr<const TableDefinition>> BindCreateTable(const CreateTableStatement& s) {
    auto table = std::make_shared<TableDefinition>();
    table->name = s.name.Joined();
    table->pos = s.pos;
    table->temporary = s.temporary;
    table->comment = s.comment;
    if (auto existing = catalog_->Find(table->name)) {
      if (s.if_not_exists) return std::shared_ptr<const TableDefinition>();
      return SqlError(s.name.pos(),
                      "table '" + table->name + "' already exists (declared at " + existing->pos.ToString() + ")");
    }
    for (const ColumnDefinition& c : s.columns) {
      if (table->FindColumn(c.name.name) >= 0) {
        return SqlError(c.name.pos, "duplicate column '" + c.name.name + "' in table " + table->name);
      }
      TableColumn column;
      column.name = c.name.name;
      column.pos = c.name.pos;
      column.comment = c.comment;
      if (c.computed) {
        column.kind = ColumnKind::kComputed;
      } else {
        column.type = *c.type;
        if (c.metadata) {
          column.kind = ColumnKind::kMetadata;
          column.metadata_key = c.metadata_key.value_or(c.name.name);
          column.is_virtual = c.is_virtual;
        }
      }
      table->columns.push_back(std::move(column));
    }
    // Primary key columns are physical, and NOT NULL.
    for (const Identifier& id : s.primary_key) {
      FLOE_ASSIGN_OR_RETURN(int index, FindTableColumn(*table, id));
      TableColumn& column = table->columns[static_cast<size_t>(index)];
      if (column.kind != ColumnKind::kPhysical) {
        return SqlError(id.pos, "PRIMARY KEY column '" + id.name + "' is a " +
                                    (column.kind == ColumnKind::kComputed ? "computed" : "metadata") +
                                    " column; a primary key uses physical columns only");
      }
      if (std::find(table->primary_key.begin(), table->primary_key.end(), index) != table->primary_key.end()) {
        return SqlError(id.pos, "column '" + id.name + "' is listed twice in the PRIMARY KEY");
      }
      column.type.nullable = false;
      table->primary_key.push_back(index);
    }
    // Computed columns read physical and metadata columns.
    {
      Scope scope = TableScope(*table);
      for (size_t i = 0; i < table->columns.size(); ++i) {
        if (table->columns[i].kind == ColumnKind::kComputed) {
          scope.hidden[i] = "a computed column cannot refer to the computed column '" + table->columns[i].name +
                            "'; use the physical columns it is computed from";
        }
      }
      for (size_t i = 0; i < s.columns.size(); ++i) {
        if (!s.columns[i].computed) continue;
        ExpressionBinder binder(&scope, "a computed column");
        FLOE_ASSIGN_OR_RETURN(BoundExprPtr e, binder.Bind(*s.columns[i].computed));
        if (e->type.is_null()) {
          return SqlError(s.columns[i].computed->pos,
                          "computed column '" + s.columns[i].name.name + "' is an untyped NULL: CAST it to a type");
        }
        table->columns[i].type = e->type;
        table->columns[i].expression = std::move(e);
      }
    }
    if (s.watermark) FLOE_RETURN_IF_ERROR(BindWatermark(*s.watermark, *table));
    for (const Identifier& id : s.partitioned_by) {
      FLOE_ASSIGN_OR_RETURN(int index, FindTableColumn(*table, id));
      if (table->columns[static_cast<size_t>(index)].kind != ColumnKind::kPhysical) {
        return SqlError(id.pos, "PARTITIONED BY column '" + id.name + "' is not a physical column");
      }
      table->partition_keys.push_back(index);
    }
    for (const TableOption& option : s.options) {
      if (table->FindOption(option.key)) {
        return SqlError(option.pos, "option '" + option.key + "' is given twice in table " + table->name);
      }
      table->options.emplace_back(option.key, option.value);
    }
    return std::shared_ptr<const TableDefinition>(std::move(table));
  }

  Status BindWatermark(const WatermarkDefinition& w, TableDefinition& table) {
    FLOE_ASSIGN_OR_RETURN(int index, FindTableColumn(table, w.column));
    TableColumn& column = table.columns[static_cast<size_t>(index)];
    if (!IsTimeAttributeType(column.type)) {
      std::string reason = "WATERMARK FOR " + column.name + ": a time attribute must be TIMESTAMP(3) or " +
                           "TIMESTAMP_LTZ(3), but " + column.name + " is " + column.type.Name();
      if (column.type.is_timestamp()) {
        reason += "; declare a computed column such as " + column.name + "_3 AS CAST(" + column.name + " AS " +
                  (column.type.id == TypeId::kTimestamp ? "TIMESTAMP(3)" : "TIMESTAMP_LTZ(3)") + ")";
      } else if (column.type.is_numeric()) {
        reason +=
            "; declare a computed column such as ts AS TO_TIMESTAMP_LTZ(" + column.name + ", 3) and WATERMARK FOR ts";
      }
      return SqlError(w.column.pos, reason);
    }
    Scope scope = TableScope(table);
    ExpressionBinder binder(&scope, "a WATERMARK");
    FLOE_ASSIGN_OR_RETURN(BoundExprPtr e, binder.Bind(*w.expr));
    if (e->type.id != column.type.id || e->type.precision > 3) {
      return SqlError(w.expr->pos, "the WATERMARK expression must return " + column.type.Name() + " like " +
                                       column.name + ", got " + e->type.Name());
    }
    WatermarkSpec spec;
    spec.column = index;
    spec.expression = e;
    // `ts - INTERVAL '5' SECOND` (or just `ts`) is a bounded-out-of-orderness strategy with a fixed delay.
    auto is_time_column = [index](const BoundExprPtr& x) {
      return x->kind == BoundExprKind::kColumnRef && x->index == index;
    };
    if (is_time_column(e)) {
      spec.delay_ms = 0;
    } else if (e->kind == BoundExprKind::kCall && e->name == "-" && is_time_column(e->args[0]) &&
               e->args[1]->kind == BoundExprKind::kLiteral && e->args[1]->type.id == TypeId::kIntervalDayTime) {
      spec.delay_ms = e->args[1]->value->int64();
    }
    table.watermark = std::move(spec);
    column.time_attribute = true;
    return Status::Ok();
  }

  // ----- INSERT -----

  Result<BoundInsert> BindInsert(const InsertStatement& s) {
    BoundInsert insert;
    insert.pos = s.pos;
    FLOE_ASSIGN_OR_RETURN(insert.sink, FindTable(s.table));
    const TableDefinition& sink = *insert.sink;
    if (s.columns.empty()) {
      for (size_t i = 0; i < sink.columns.size(); ++i) {
        if (sink.columns[i].writable()) insert.target_columns.push_back(static_cast<int>(i));
      }
    } else {
      for (const Identifier& id : s.columns) {
        int index = sink.FindColumn(id.name);
        if (index < 0) {
          return SqlError(id.pos, "unknown column '" + id.name + "' in table " + sink.name +
                                      DidYouMean(id.name, sink.ColumnNames()));
        }
        const TableColumn& column = sink.columns[static_cast<size_t>(index)];
        if (!column.writable()) {
          return SqlError(
              id.pos, "column '" + id.name + "' of table " + sink.name + " is " +
                          (column.kind == ColumnKind::kComputed ? "a computed column" : "a VIRTUAL metadata column") +
                          " and cannot be written");
        }
        if (std::find(insert.target_columns.begin(), insert.target_columns.end(), index) !=
            insert.target_columns.end()) {
          return SqlError(id.pos, "column '" + id.name + "' is listed twice");
        }
        insert.target_columns.push_back(index);
      }
      for (size_t i = 0; i < sink.columns.size(); ++i) {
        const TableColumn& column = sink.columns[i];
        bool listed = std::find(insert.target_columns.begin(), insert.target_columns.end(), static_cast<int>(i)) !=
                      insert.target_columns.end();
        if (column.writable() && !listed && !column.type.nullable) {
          return SqlError(s.table.pos(), "column '" + column.name + "' of table " + sink.name +
                                             " is NOT NULL, so the INSERT must list it");
        }
      }
    }
    FLOE_ASSIGN_OR_RETURN(insert.query, BindQuery(*s.query));
    BoundQuery& query = insert.query;
    if (query.output.size() != insert.target_columns.size()) {
      std::vector<std::string> names;
      for (int i : insert.target_columns) names.push_back(sink.columns[static_cast<size_t>(i)].name);
      return SqlError(s.query->pos, "column count mismatch: INSERT INTO " + sink.name + " expects " +
                                        std::to_string(names.size()) + " columns (" + JoinNames(names) +
                                        ") but the query produces " + std::to_string(query.output.size()));
    }
    for (size_t i = 0; i < query.output.size(); ++i) {
      const TableColumn& column = sink.columns[static_cast<size_t>(insert.target_columns[i])];
      const DataType& from = query.output[i].type;
      if (!CanWiden(from, column.type)) {
        std::string reason = "type mismatch: cannot insert " + from.Name() + " into column '" + column.name + "' " +
                             column.type.Name() + " of table " + sink.name;
        if (CanWiden(column.type, from)) {
          reason += " (a narrowing conversion); CAST it explicitly if that is intended";
        } else if (CanCast(from, column.type)) {
          reason += "; CAST it explicitly";
        }
        return SqlError(query.output[i].pos, reason);
      }
      BoundExprPtr converted = BoundExpression::CastIfNeeded(query.projections[i], column.type);
      if (converted != query.projections[i]) query.output[i].time_attribute = false;  // a cast is a plain value
      query.projections[i] = std::move(converted);
      query.output[i].type = query.projections[i]->type;
    }
    return insert;
  }

  // ----- queries -----

  Result<int64_t> BindWindowDuration(const ParsedExpression& e, WindowKind kind, const std::string& param,
                                     bool positive) {
    Scope empty;
    empty.no_from = true;
    ExpressionBinder binder(&empty, std::string(WindowKindName(kind)) + "'s " + param);
    FLOE_ASSIGN_OR_RETURN(BoundExprPtr bound, binder.Bind(e));
    std::string name = std::string(WindowKindName(kind)) + "'s " + param;
    if (bound->kind != BoundExprKind::kLiteral || bound->type.id != TypeId::kIntervalDayTime) {
      if (bound->type.id == TypeId::kIntervalYearMonth) {
        return SqlError(e.pos,
                        name + " must be a day-time interval (SECOND, MINUTE, HOUR or DAY), got " + bound->type.Name());
      }
      return SqlError(e.pos,
                      name + " must be an interval literal such as INTERVAL '10' SECOND, got " + bound->type.Name());
    }
    int64_t ms = bound->value->int64();
    if (positive && ms <= 0) return SqlError(e.pos, name + " must be positive, got " + bound->value->ToSql());
    return ms;
  }

  Result<BoundSource> BindSource(const TableRef& ref) {
    BoundSource source;
    if (ref.alias) source.alias = ref.alias->name;
    switch (ref.kind) {
      case TableRefKind::kTable: {
        source.kind = BoundSourceKind::kTable;
        FLOE_ASSIGN_OR_RETURN(source.table, FindTable(ref.table));
        for (const TableColumn& c : source.table->columns) {
          source.columns.push_back({c.name, c.type, c.time_attribute, c.pos});
        }
        return source;
      }
      case TableRefKind::kSubquery: {
        source.kind = BoundSourceKind::kSubquery;
        FLOE_ASSIGN_OR_RETURN(BoundQuery sub, BindQuery(*ref.subquery));
        source.columns = sub.output;
        source.subquery = std::make_unique<BoundQuery>(std::move(sub));
        return source;
      }
      case TableRefKind::kWindow: break;
    }
    source.kind = BoundSourceKind::kWindow;
    FLOE_ASSIGN_OR_RETURN(source.table, FindTable(ref.table));
    const TableDefinition& table = *source.table;
    std::string fn = WindowKindName(ref.window);
    FLOE_ASSIGN_OR_RETURN(int time_index, FindTableColumn(table, ref.time_column));
    const TableColumn& time_column = table.columns[static_cast<size_t>(time_index)];
    if (!time_column.time_attribute) {
      std::string reason = fn + "'s DESCRIPTOR column '" + time_column.name + "' is not a time attribute: ";
      if (IsTimeAttributeType(time_column.type)) {
        reason += "declare WATERMARK FOR " + time_column.name;
      } else {
        reason += "it is " + time_column.type.Name() +
                  "; a time attribute is a TIMESTAMP(3) or TIMESTAMP_LTZ(3) column with a WATERMARK";
        if (time_column.type.is_numeric()) {
          reason += ", e.g. ts AS TO_TIMESTAMP_LTZ(" + time_column.name +
                    ", 3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND";
        }
      }
      return SqlError(ref.time_column.pos, reason);
    }
    BoundWindow window;
    window.kind = ref.window;
    window.time_column = time_index;
    FLOE_ASSIGN_OR_RETURN(window.size_ms, BindWindowDuration(*ref.size, ref.window, "SIZE", true));
    if (ref.step) {
      std::string step_name = ref.window == WindowKind::kHop ? "SLIDE" : "STEP";
      FLOE_ASSIGN_OR_RETURN(window.step_ms, BindWindowDuration(*ref.step, ref.window, step_name, true));
      if (window.size_ms % window.step_ms != 0) {
        return SqlError(ref.size->pos, fn + "'s SIZE (" +
                                           Value::Int64(DataType::IntervalDayTime(), window.size_ms).ToSql() +
                                           ") must be a whole multiple of its " + step_name + " (" +
                                           Value::Int64(DataType::IntervalDayTime(), window.step_ms).ToSql() + ")");
      }
    }
    if (ref.offset) {
      FLOE_ASSIGN_OR_RETURN(window.offset_ms, BindWindowDuration(*ref.offset, ref.window, "OFFSET", false));
    }
    for (const char* added : {kWindowStart, kWindowEnd, kWindowTime}) {
      if (table.FindColumn(added) >= 0) {
        return SqlError(ref.pos, fn + " adds the column " + added + ", which table " + table.name +
                                     " already has; rename that column");
      }
    }
    for (const TableColumn& c : table.columns) {
      // The table's time attribute becomes a plain timestamp: window_time is the window's time attribute.
      source.columns.push_back({c.name, c.type, false, c.pos});
    }
    source.columns.push_back({kWindowStart, DataType::Timestamp(3).NotNull(), false, ref.pos});
    source.columns.push_back({kWindowEnd, DataType::Timestamp(3).NotNull(), false, ref.pos});
    source.columns.push_back({kWindowTime, time_column.type.NotNull(), true, ref.pos});
    source.window = window;
    return source;
  }

  static Scope SourceScope(const BoundSource& source) {
    Scope scope;
    scope.columns = source.columns;
    scope.qualifier = source.alias;
    if (source.table) scope.table_name = source.table->name;
    switch (source.kind) {
      case BoundSourceKind::kNone: scope.no_from = true; break;
      case BoundSourceKind::kTable:
        scope.description = "table " + source.table->name;
        if (scope.qualifier.empty()) {
          size_t dot = source.table->name.rfind('.');
          scope.qualifier = dot == std::string::npos ? source.table->name : source.table->name.substr(dot + 1);
        }
        break;
      case BoundSourceKind::kWindow:
        scope.description =
            std::string(WindowKindName(source.window->kind)) + " window over table " + source.table->name;
        break;
      case BoundSourceKind::kSubquery:
        scope.description = source.alias.empty() ? "the subquery" : "subquery " + source.alias;
        break;
    }
    return scope;
  }

  static Status CheckBoolean(const BoundExprPtr& e, const ParsedExpression& parsed, const char* clause) {
    if (e->type.is_boolean() || e->type.is_null()) return Status::Ok();
    return SqlError(parsed.pos, std::string(clause) + " needs a BOOLEAN condition, got " + e->type.Name());
  }

  Result<BoundQuery> BindQuery(const SelectQuery& q) {
    BoundQuery out;
    if (q.from) {
      FLOE_ASSIGN_OR_RETURN(out.from, BindSource(*q.from));
    }
    Scope scope = SourceScope(out.from);
    if (q.where) {
      ExpressionBinder binder(&scope, "WHERE");
      FLOE_ASSIGN_OR_RETURN(out.where, binder.Bind(*q.where));
      FLOE_RETURN_IF_ERROR(CheckBoolean(out.where, *q.where, "WHERE"));
    }
    out.aggregated = !q.group_by.empty() || q.having != nullptr;
    for (const SelectItem& item : q.items) out.aggregated = out.aggregated || ContainsAggregate(*item.expr);
    for (const OrderItem& item : q.order_by) out.aggregated = out.aggregated || ContainsAggregate(*item.expr);

    Aggregation aggregation;
    aggregation.grouped = !q.group_by.empty();
    for (const ExprPtr& key : q.group_by) {
      ExpressionBinder binder(&scope, "GROUP BY");
      FLOE_ASSIGN_OR_RETURN(BoundExprPtr bound, binder.Bind(*key));
      aggregation.group_keys.push_back(std::move(bound));
    }
    if (out.from.kind == BoundSourceKind::kWindow) {
      int start = static_cast<int>(out.from.table->columns.size());
      for (size_t i = 0; i < aggregation.group_keys.size(); ++i) {
        const BoundExprPtr& key = aggregation.group_keys[i];
        if (key->kind != BoundExprKind::kColumnRef) continue;
        if (key->index == start && out.window_start_key < 0) out.window_start_key = static_cast<int>(i);
        if (key->index == start + 1 && out.window_end_key < 0) out.window_end_key = static_cast<int>(i);
      }
      out.window_aggregate = out.window_start_key >= 0 && out.window_end_key >= 0;
      if (!out.window_aggregate) out.window_start_key = out.window_end_key = -1;
    }
    auto is_time_attribute = [&](const BoundExprPtr& e) {
      if (e->kind == BoundExprKind::kColumnRef)
        return !out.aggregated && scope.columns[static_cast<size_t>(e->index)].time_attribute;
      if (e->kind == BoundExprKind::kGroupRef && out.window_aggregate) {
        const BoundExprPtr& key = aggregation.group_keys[static_cast<size_t>(e->index)];
        return key->kind == BoundExprKind::kColumnRef && scope.columns[static_cast<size_t>(key->index)].time_attribute;
      }
      return false;
    };

    for (size_t i = 0; i < q.items.size(); ++i) {
      const SelectItem& item = q.items[i];
      if (item.expr->kind() == ExprKind::kStar) {
        const auto& star = item.expr->As<StarExpr>();
        if (scope.no_from) return SqlError(star.pos, "SELECT * needs a FROM clause");
        if (star.qualifier && star.qualifier->name != scope.qualifier) {
          return SqlError(star.pos,
                          "unknown table or alias '" + star.qualifier->name + "' in " + star.qualifier->name + ".*" +
                              (scope.qualifier.empty() ? "" : DidYouMean(star.qualifier->name, {scope.qualifier})));
        }
        for (size_t c = 0; c < scope.columns.size(); ++c) {
          const BoundColumn& column = scope.columns[c];
          BoundExprPtr e = BoundExpression::ColumnRef(static_cast<int>(c), column.name, column.type);
          if (out.aggregated) {
            BoundExprPtr grouped;
            for (size_t k = 0; k < aggregation.group_keys.size() && !grouped; ++k) {
              if (aggregation.group_keys[k]->Equals(*e))
                grouped = BoundExpression::GroupRef(static_cast<int>(k), e->type);
            }
            if (!grouped) {
              return SqlError(star.pos, "column '" + column.name +
                                            "' must appear in GROUP BY or be used in an aggregate function (SELECT * "
                                            "reads every column)");
            }
            e = grouped;
          }
          out.output.push_back({column.name, e->type, is_time_attribute(e), star.pos});
          out.projections.push_back(std::move(e));
        }
        continue;
      }
      ExpressionBinder binder(&scope, "SELECT");
      if (out.aggregated) binder.SetAggregation(&aggregation);
      FLOE_ASSIGN_OR_RETURN(BoundExprPtr e, binder.Bind(*item.expr));
      std::string name = item.alias                                  ? item.alias->name
                         : item.expr->kind() == ExprKind::kColumnRef ? item.expr->As<ColumnRefExpr>().parts.back().name
                                                                     : "EXPR$" + std::to_string(i);
      out.output.push_back({name, e->type, is_time_attribute(e), item.expr->pos});
      out.projections.push_back(std::move(e));
    }
    if (q.having) {
      ExpressionBinder binder(&scope, "HAVING");
      binder.SetAggregation(&aggregation);
      FLOE_ASSIGN_OR_RETURN(out.having, binder.Bind(*q.having));
      FLOE_RETURN_IF_ERROR(CheckBoolean(out.having, *q.having, "HAVING"));
    }
    out.distinct = q.distinct;
    for (const OrderItem& item : q.order_by) {
      BoundOrderItem bound;
      bound.descending = item.descending;
      bound.nulls_first = item.nulls_first.value_or(!item.descending);
      const ParsedExpression& e = *item.expr;
      if (e.kind() == ExprKind::kLiteral && e.As<LiteralExpr>().literal_kind == LiteralKind::kInteger) {
        // ORDER BY 2: the second select item
        size_t ordinal = 0;
        for (char c : e.As<LiteralExpr>().text)
          ordinal = std::min<size_t>(ordinal * 10 + static_cast<size_t>(c - '0'), 1u << 30);
        if (ordinal < 1 || ordinal > out.projections.size()) {
          return SqlError(e.pos, "ORDER BY position " + e.As<LiteralExpr>().text + " is not in the select list (1 to " +
                                     std::to_string(out.projections.size()) + ")");
        }
        bound.expr = out.projections[ordinal - 1];
      } else {
        if (e.kind() == ExprKind::kColumnRef && e.As<ColumnRefExpr>().parts.size() == 1) {
          const std::string& name = e.As<ColumnRefExpr>().parts[0].name;
          for (size_t i = 0; i < q.items.size() && !bound.expr; ++i) {
            if (q.items[i].alias && q.items[i].alias->name == name && i < out.projections.size() &&
                q.items[i].expr->kind() != ExprKind::kStar) {
              bound.expr = out.projections[i];
            }
          }
        }
        if (!bound.expr) {
          ExpressionBinder binder(&scope, "ORDER BY");
          if (out.aggregated) binder.SetAggregation(&aggregation);
          FLOE_ASSIGN_OR_RETURN(bound.expr, binder.Bind(e));
        }
      }
      out.order_by.push_back(std::move(bound));
    }
    out.limit = q.limit;
    out.group_keys = std::move(aggregation.group_keys);
    out.aggregates = std::move(aggregation.aggregates);
    return out;
  }

  TableCatalog* catalog_;
};

}  // namespace

Result<BoundStatement> Binder::Bind(const Statement& statement) {
  return StatementBinder(&catalog_).Bind(statement);
}

Result<BoundScript> BindScript(std::string_view sql) {
  FLOE_ASSIGN_OR_RETURN(std::vector<StatementPtr> statements, ParseScript(sql));
  Binder binder;
  BoundScript script;
  for (const StatementPtr& s : statements) {
    FLOE_ASSIGN_OR_RETURN(BoundStatement bound, binder.Bind(*s));
    switch (bound.kind) {
      case StatementKind::kSet: script.settings.emplace_back(bound.key, bound.value); break;
      case StatementKind::kInsert:
      case StatementKind::kStatementSet:
        for (BoundInsert& insert : bound.inserts) script.inserts.push_back(std::move(insert));
        break;
      case StatementKind::kQuery: script.queries.push_back(std::move(*bound.query)); break;
      case StatementKind::kCreateTable: break;
    }
  }
  script.catalog = binder.TakeCatalog();
  return script;
}

}  // namespace floe::sql
