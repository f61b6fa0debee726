#include "floe/formats/avro/avro_schema.h"

#include <fmt/format.h>

#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "floe/formats/avro/avro_json.h"

namespace floe::avro {

using Json = nlohmann::ordered_json;

std::string_view AvroTypeName(AvroType type) {
  switch (type) {
    case AvroType::kNull: return "null";
    case AvroType::kBoolean: return "boolean";
    case AvroType::kInt: return "int";
    case AvroType::kLong: return "long";
    case AvroType::kFloat: return "float";
    case AvroType::kDouble: return "double";
    case AvroType::kBytes: return "bytes";
    case AvroType::kString: return "string";
    case AvroType::kRecord: return "record";
    case AvroType::kEnum: return "enum";
    case AvroType::kArray: return "array";
    case AvroType::kMap: return "map";
    case AvroType::kUnion: return "union";
    case AvroType::kFixed: return "fixed";
  }
  return "?";
}

// ---- AvroAttributes ----

const std::string* AvroAttributes::Find(std::string_view name) const {
  for (const auto& [k, v] : entries_)
    if (k == name) return &v;
  return nullptr;
}

std::optional<int64_t> AvroAttributes::GetInt(std::string_view name) const {
  const std::string* text = Find(name);
  if (!text) return std::nullopt;
  Json j = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_number_integer() && (!j.is_number_unsigned() || j.get<uint64_t>() <= INT64_MAX)) return j.get<int64_t>();
  return std::nullopt;
}

std::optional<std::string> AvroAttributes::GetString(std::string_view name) const {
  const std::string* text = Find(name);
  if (!text) return std::nullopt;
  Json j = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_string()) return j.get<std::string>();
  return std::nullopt;
}

void AvroAttributes::Set(std::string name, std::string json) {
  for (auto& [k, v] : entries_) {
    if (k == name) {
      v = std::move(json);
      return;
    }
  }
  entries_.emplace_back(std::move(name), std::move(json));
}

void AvroAttributes::SetInt(std::string name, int64_t value) {
  Set(std::move(name), std::to_string(value));
}

void AvroAttributes::SetString(std::string name, std::string_view value) {
  Set(std::move(name), Json(std::string(value)).dump(-1, ' ', false, Json::error_handler_t::replace));
}

// ---- AvroNode ----

int AvroNode::FieldIndex(std::string_view field_name) const {
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i].name == field_name) return static_cast<int>(i);
  return -1;
}

const AvroField* AvroNode::FindField(std::string_view field_name) const {
  int i = FieldIndex(field_name);
  return i < 0 ? nullptr : &fields[i];
}

std::string AvroNode::LogicalType() const {
  return attributes.GetString("logicalType").value_or("");
}

int AvroNode::NullBranch() const {
  for (size_t i = 0; i < branches.size(); ++i)
    if (branches[i]->type == AvroType::kNull) return static_cast<int>(i);
  return -1;
}

// ---- parsing ----

namespace {

constexpr int kMaxSchemaDepth = 128;

std::optional<AvroType> PrimitiveType(std::string_view name) {
  static constexpr std::pair<std::string_view, AvroType> kPrimitives[] = {
      {"null", AvroType::kNull},   {"boolean", AvroType::kBoolean}, {"int", AvroType::kInt},
      {"long", AvroType::kLong},   {"float", AvroType::kFloat},     {"double", AvroType::kDouble},
      {"bytes", AvroType::kBytes}, {"string", AvroType::kString},
  };
  for (const auto& [n, t] : kPrimitives)
    if (n == name) return t;
  return std::nullopt;
}

// [A-Za-z_][A-Za-z0-9_]*
bool ValidName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// "" or names separated by dots.
bool ValidNamespace(std::string_view s) {
  if (s.empty()) return true;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    if (!ValidName(s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::string NamespaceOf(std::string_view full_name) {
  size_t dot = full_name.rfind('.');
  return dot == std::string_view::npos ? std::string() : std::string(full_name.substr(0, dot));
}

std::string Compact(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string Quote(std::string_view s) {
  return Compact(Json(std::string(s)));
}

}  // namespace

class AvroSchemaParser {
 public:
  explicit AvroSchemaParser(AvroSchema* schema) : schema_(schema) {}

  Status Parse(const Json& j) {
    FLOE_RETURN_IF_ERROR(ParseNode(j, "$", "", 0, &schema_->root_));
    // Defaults are checked once every type is complete: a field may default to a value of a record being defined.
    for (const auto& d : defaults_) {
      const AvroField& f = d.record->fields[d.field];
      FLOE_RETURN_IF_ERROR(CheckJsonDefault(*f.type, d.value, d.path));
    }
    return Status::Ok();
  }

 private:
  struct PendingDefault {
    const AvroNode* record;
    size_t field;
    Json value;
    std::string path;
  };

  static Status Error(const std::string& path, std::string_view why) {
    return Status::InvalidArgument(fmt::format("avro schema: {}: {}", path, why));
  }

  AvroNode* New(AvroType type) {
    schema_->nodes_.push_back(std::make_unique<AvroNode>());
    AvroNode* n = schema_->nodes_.back().get();
    n->type = type;
    return n;
  }

  Status ParseNode(const Json& j, const std::string& path, const std::string& ns, int depth, const AvroNode** out) {
    if (depth > kMaxSchemaDepth) return Error(path, fmt::format("nested deeper than {} levels", kMaxSchemaDepth));
    if (j.is_string()) return ParseName(j.get_ref<const std::string&>(), path, ns, out);
    if (j.is_array()) return ParseUnion(j, path, ns, depth, out);
    if (!j.is_object())
      return Error(path, fmt::format("a schema is a type name, an object or a union array, not {}", Compact(j)));
    auto type_it = j.find("type");
    if (type_it == j.end()) return Error(path, "no \"type\"");
    const Json& type = *type_it;
    if (type.is_object() || type.is_array()) return ParseNode(type, path + ".type", ns, depth + 1, out);
    if (!type.is_string()) return Error(path + ".type", fmt::format("expected a type name, got {}", Compact(type)));
    const std::string& t = type.get_ref<const std::string&>();
    if (auto primitive = PrimitiveType(t)) {
      AvroNode* n = New(*primitive);
      for (const auto& [k, v] : j.items())
        if (k != "type") n->attributes.Set(k, Compact(v));
      *out = n;
      return Status::Ok();
    }
    if (t == "record" || t == "error") return ParseRecord(j, path, ns, depth, out);
    if (t == "enum") return ParseEnum(j, path, ns, out);
    if (t == "fixed") return ParseFixed(j, path, ns, out);
    if (t == "array" || t == "map") {
      bool array = t == "array";
      const char* key = array ? "items" : "values";
      auto it = j.find(key);
      if (it == j.end()) return Error(path, fmt::format("{} without \"{}\"", t, key));
      AvroNode* n = New(array ? AvroType::kArray : AvroType::kMap);
      const AvroNode* child = nullptr;
      FLOE_RETURN_IF_ERROR(ParseNode(*it, path + "." + key, ns, depth + 1, &child));
      (array ? n->items : n->values) = child;
      for (const auto& [k, v] : j.items())
        if (k != "type" && k != key) n->attributes.Set(k, Compact(v));
      *out = n;
      return Status::Ok();
    }
    // {"type": "SomeRecord"}: a reference to a named type.
    return ParseName(t, path + ".type", ns, out);
  }

  Status ParseName(const std::string& name, const std::string& path, const std::string& ns, const AvroNode** out) {
    if (auto primitive = PrimitiveType(name)) {
      *out = New(*primitive);
      return Status::Ok();
    }
    std::string full = name.find('.') != std::string::npos || ns.empty() ? name : ns + "." + name;
    auto it = named_.find(full);
    if (it == named_.end()) it = named_.find(name);  // a name in the null namespace, as Avro Java also resolves
    if (it == named_.end())
      return Error(
          path, fmt::format("unknown type {} (not a primitive type, nor a named type defined before it)", Quote(name)));
    *out = it->second;
    return Status::Ok();
  }

  Status ParseUnion(const Json& j, const std::string& path, const std::string& ns, int depth, const AvroNode** out) {
    AvroNode* n = New(AvroType::kUnion);
    std::set<std::string> seen;
    for (size_t i = 0; i < j.size(); ++i) {
      std::string p = fmt::format("{}[{}]", path, i);
      const AvroNode* branch = nullptr;
      FLOE_RETURN_IF_ERROR(ParseNode(j[i], p, ns, depth + 1, &branch));
      if (branch->type == AvroType::kUnion) return Error(p, "a union may not immediately contain another union");
      std::string key(branch->JsonName());
      if (!seen.insert(key).second) return Error(p, fmt::format("the union already has a {} branch", Quote(key)));
      n->branches.push_back(branch);
    }
    *out = n;
    return Status::Ok();
  }

  // Validates and registers the name of a record, enum or fixed; sets *child_ns to the namespace for its children.
  Status DefineName(const Json& j, const std::string& path, const std::string& ns, AvroNode* n, std::string* child_ns) {
    auto name_it = j.find("name");
    if (name_it == j.end() || !name_it->is_string())
      return Error(path, fmt::format("{} without a string \"name\"", AvroTypeName(n->type)));
    n->name = name_it->get<std::string>();
    auto ns_it = j.find("namespace");
    if (ns_it != j.end() && !ns_it->is_null()) {
      if (!ns_it->is_string()) return Error(path + ".namespace", "must be a string");
      n->namespace_attribute = ns_it->get<std::string>();
    }
    if (n->name.find('.') != std::string::npos) {
      n->full_name = n->name;
    } else {
      std::string space = n->namespace_attribute ? *n->namespace_attribute : ns;
      if (!ValidNamespace(space)) return Error(path + ".namespace", fmt::format("invalid namespace {}", Quote(space)));
      n->full_name = space.empty() ? n->name : space + "." + n->name;
    }
    std::string space = NamespaceOf(n->full_name);
    std::string_view simple = std::string_view(n->full_name).substr(space.empty() ? 0 : space.size() + 1);
    if (!ValidName(simple) || !ValidNamespace(space))
      return Error(path + ".name", fmt::format("invalid name {} (names match [A-Za-z_][A-Za-z0-9_]*)", Quote(n->name)));
    if (PrimitiveType(simple)) return Error(path + ".name", fmt::format("{} is a primitive type name", Quote(n->name)));
    if (!named_.emplace(n->full_name, n).second)
      return Error(path + ".name", fmt::format("{} is already defined", Quote(n->full_name)));
    *child_ns = space;
    return Status::Ok();
  }

  Status ParseRecord(const Json& j, const std::string& path, const std::string& ns, int depth, const AvroNode** out) {
    AvroNode* n = New(AvroType::kRecord);
    std::string child_ns;
    FLOE_RETURN_IF_ERROR(DefineName(j, path, ns, n, &child_ns));
    auto fields_it = j.find("fields");
    if (fields_it == j.end() || !fields_it->is_array()) return Error(path, "record without a \"fields\" array");
    for (const auto& [k, v] : j.items())
      if (k != "type" && k != "name" && k != "namespace" && k != "fields") n->attributes.Set(k, Compact(v));
    const Json& fields = *fields_it;
    n->fields.reserve(fields.size());
    for (size_t i = 0; i < fields.size(); ++i) {
      std::string p = fmt::format("{}.fields[{}]", path, i);
      const Json& f = fields[i];
      if (!f.is_object()) return Error(p, "a field is an object");
      auto fname = f.find("name");
      if (fname == f.end() || !fname->is_string()) return Error(p, "field without a string \"name\"");
      AvroField field;
      field.name = fname->get<std::string>();
      if (!ValidName(field.name))
        return Error(p + ".name",
                     fmt::format("invalid field name {} (names match [A-Za-z_][A-Za-z0-9_]*)", Quote(field.name)));
      if (n->FieldIndex(field.name) >= 0)
        return Error(p + ".name", fmt::format("duplicate field {}", Quote(field.name)));
      auto ftype = f.find("type");
      if (ftype == f.end()) return Error(p, fmt::format("field {} without \"type\"", Quote(field.name)));
      FLOE_RETURN_IF_ERROR(ParseNode(*ftype, p + ".type", child_ns, depth + 1, &field.type));
      auto fdefault = f.find("default");
      if (fdefault != f.end()) {
        field.default_json = Compact(*fdefault);
        defaults_.push_back({n, i, *fdefault, p + ".default"});
      }
      for (const auto& [k, v] : f.items())
        if (k != "name" && k != "type" && k != "default") field.attributes.Set(k, Compact(v));
      n->fields.push_back(std::move(field));
    }
    *out = n;
    return Status::Ok();
  }

  Status ParseEnum(const Json& j, const std::string& path, const std::string& ns, const AvroNode** out) {
    AvroNode* n = New(AvroType::kEnum);
    std::string child_ns;
    FLOE_RETURN_IF_ERROR(DefineName(j, path, ns, n, &child_ns));
    auto symbols = j.find("symbols");
    if (symbols == j.end() || !symbols->is_array()) return Error(path, "enum without a \"symbols\" array");
    std::set<std::string> seen;
    for (size_t i = 0; i < symbols->size(); ++i) {
      const Json& s = (*symbols)[i];
      std::string p = fmt::format("{}.symbols[{}]", path, i);
      if (!s.is_string() || !ValidName(s.get_ref<const std::string&>()))
        return Error(p, fmt::format("invalid symbol {} (symbols match [A-Za-z_][A-Za-z0-9_]*)", Compact(s)));
      if (!seen.insert(s.get<std::string>()).second) return Error(p, fmt::format("duplicate symbol {}", Compact(s)));
      n->symbols.push_back(s.get<std::string>());
    }
    auto def = j.find("default");
    if (def != j.end() && !(def->is_string() && seen.count(def->get<std::string>())))
      return Error(path + ".default", fmt::format("{} is not one of the symbols", Compact(*def)));
    for (const auto& [k, v] : j.items())
      if (k != "type" && k != "name" && k != "namespace" && k != "symbols") n->attributes.Set(k, Compact(v));
    *out = n;
    return Status::Ok();
  }

  Status ParseFixed(const Json& j, const std::string& path, const std::string& ns, const AvroNode** out) {
    AvroNode* n = New(AvroType::kFixed);
    std::string child_ns;
    FLOE_RETURN_IF_ERROR(DefineName(j, path, ns, n, &child_ns));
    auto size = j.find("size");
    if (size == j.end() || !size->is_number_integer() || (!size->is_number_unsigned() && size->get<int64_t>() < 0) ||
        size->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int32_t>::max()))
      return Error(path, "fixed without a \"size\" from 0 to 2^31-1");
    n->size = size->get<int64_t>();
    for (const auto& [k, v] : j.items())
      if (k != "type" && k != "name" && k != "namespace" && k != "size") n->attributes.Set(k, Compact(v));
    *out = n;
    return Status::Ok();
  }

  AvroSchema* schema_;
  std::map<std::string, AvroNode*, std::less<>> named_;
  std::vector<PendingDefault> defaults_;
};

// ---- AvroSchema ----

AvroSchema::AvroSchema() {
  nodes_.push_back(std::make_unique<AvroNode>());
  root_ = nodes_.back().get();
}

AvroSchema::AvroSchema(const AvroSchema& other) {
  CopyFrom(other);
}

AvroSchema& AvroSchema::operator=(const AvroSchema& other) {
  if (this != &other) CopyFrom(other);
  return *this;
}

void AvroSchema::CopyFrom(const AvroSchema& other) {
  std::vector<std::unique_ptr<AvroNode>> nodes;
  std::unordered_map<const AvroNode*, const AvroNode*> map;
  nodes.reserve(other.nodes_.size());
  for (const auto& n : other.nodes_) {
    nodes.push_back(std::make_unique<AvroNode>(*n));
    map[n.get()] = nodes.back().get();
  }
  for (auto& n : nodes) {
    for (auto& f : n->fields) f.type = map.at(f.type);
    if (n->items) n->items = map.at(n->items);
    if (n->values) n->values = map.at(n->values);
    for (auto& b : n->branches) b = map.at(b);
  }
  root_ = map.at(other.root_);
  nodes_ = std::move(nodes);
}

Result<AvroSchema> AvroSchema::Parse(std::string_view json) {
  Json j;
  try {
    j = Json::parse(json);
  } catch (const Json::exception& e) {
    return Status::InvalidArgument(fmt::format("avro schema: not valid JSON: {}", Printable(e.what(), 200)));
  }
  AvroSchema schema;
  schema.nodes_.clear();
  schema.root_ = nullptr;
  AvroSchemaParser parser(&schema);
  FLOE_RETURN_IF_ERROR(parser.Parse(j));
  return schema;
}

const AvroNode* AvroSchema::FindNamed(std::string_view full_name) const {
  for (const auto& n : nodes_)
    if (n->is_named() && n->full_name == full_name) return n.get();
  return nullptr;
}

namespace {

class SchemaWriter {
 public:
  Json Write(const AvroNode& n) {
    if (n.is_named() && !defined_.insert(n.full_name).second) return n.full_name;
    switch (n.type) {
      case AvroType::kUnion: {
        Json a = Json::array();
        for (const AvroNode* b : n.branches) a.push_back(Write(*b));
        return a;
      }
      case AvroType::kNull:
      case AvroType::kBoolean:
      case AvroType::kInt:
      case AvroType::kLong:
      case AvroType::kFloat:
      case AvroType::kDouble:
      case AvroType::kBytes:
      case AvroType::kString:
        if (n.attributes.empty()) return std::string(AvroTypeName(n.type));
        break;
      default: break;
    }
    Json o = Json::object();
    o["type"] = std::string(AvroTypeName(n.type));
    if (n.is_named()) {
      o["name"] = n.name;
      if (n.namespace_attribute) o["namespace"] = *n.namespace_attribute;
    }
    switch (n.type) {
      case AvroType::kRecord: {
        Json fields = Json::array();
        for (const AvroField& f : n.fields) {
          Json fo = Json::object();
          fo["name"] = f.name;
          fo["type"] = Write(*f.type);
          if (f.default_json) fo["default"] = Json::parse(*f.default_json);
          AddAttributes(f.attributes, &fo);
          fields.push_back(std::move(fo));
        }
        o["fields"] = std::move(fields);
        break;
      }
      case AvroType::kEnum: o["symbols"] = n.symbols; break;
      case AvroType::kArray: o["items"] = Write(*n.items); break;
      case AvroType::kMap: o["values"] = Write(*n.values); break;
      case AvroType::kFixed: o["size"] = n.size; break;
      default: break;
    }
    AddAttributes(n.attributes, &o);
    return o;
  }

 private:
  static void AddAttributes(const AvroAttributes& attributes, Json* o) {
    for (const auto& [k, v] : attributes.entries()) (*o)[k] = Json::parse(v, nullptr, false);
  }

  std::set<std::string> defined_;
};

}  // namespace

std::string AvroSchema::ToJson() const {
  SchemaWriter w;
  return Compact(w.Write(*root_));
}

}  // namespace floe::avro
