#!/usr/bin/env python3
"""Generates floe's Kafka message codecs from src/floe/kafka/schema/*.schema (format: schema/README.md).

Usage: generate.py OUT_DIR SCHEMA...   writes OUT_DIR/floe/kafka/generated/messages.h and messages.cpp.
Each message becomes a plain struct with Decode(ByteReader&, version) and Encode(ByteWriter&, version); the
generated ApiTable lists every API with its supported version range and first flexible version.
"""
import re
import sys
from pathlib import Path

PRIMITIVES = {
    "bool": "bool", "int8": "int8_t", "int16": "int16_t", "int32": "int32_t", "int64": "int64_t",
    "uint16": "uint16_t", "float64": "double", "string": "std::string", "bytes": "std::string",
    "records": "RecordsRef", "uuid": "Uuid",
}
NEVER = (1, 0)  # an empty version range


class SchemaError(Exception):
    pass


def parse_versions(text, where):
    m = re.fullmatch(r"(\d+)\+", text)
    if m:
        return (int(m.group(1)), 32767)
    m = re.fullmatch(r"(\d+)-(\d+)", text)
    if m:
        return (int(m.group(1)), int(m.group(2)))
    m = re.fullmatch(r"(\d+)", text)
    if m:
        return (int(m.group(1)), int(m.group(1)))
    if text == "none":
        return NEVER
    raise SchemaError(f"{where}: bad versions '{text}' (expected N+, N-M or N)")


def snake(name):
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    return s.lower()


class Field:
    def __init__(self, name, type_, versions, attrs, where):
        self.name, self.type, self.versions, self.where = name, type_, versions, where
        self.nullable = NEVER
        self.tag = None
        self.default = None
        self.fields = []  # for struct types
        for a in attrs:
            if a.startswith("nullable="):
                self.nullable = parse_versions(a[9:], where)
            elif a.startswith("tag="):
                self.tag = int(a[4:])
            elif a.startswith("default="):
                self.default = a[8:]
            elif a == "ignorable":
                pass
            else:
                raise SchemaError(f"{where}: unknown attribute '{a}'")

    @property
    def is_array(self):
        return self.type.startswith("[]")

    @property
    def elem(self):
        return self.type[2:] if self.is_array else self.type

    @property
    def is_struct(self):
        return self.elem not in PRIMITIVES

    @property
    def member(self):
        return snake(self.name)


class Message:
    def __init__(self, name, api):
        self.name, self.api = name, api
        self.fields = []
        self.structs = {}  # name -> fields, in definition order (inner first)


class Api:
    def __init__(self, name, key, versions, flexible, path):
        self.name, self.key, self.versions, self.flexible, self.path = name, key, versions, flexible, path
        self.request = None
        self.response = None


def parse_schema(path):
    api, current = None, None
    stack = []  # (indent, field) for nesting
    for lineno, raw in enumerate(Path(path).read_text().splitlines(), 1):
        where = f"{path}:{lineno}"
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if "\t" in raw:
            raise SchemaError(f"{where}: tabs are not allowed")
        indent = len(line) - len(line.lstrip(" "))
        words = line.split()
        if indent == 0:
            if words[0] == "api":
                kv = dict(w.split("=", 1) for w in words[2:])
                api = Api(words[1], int(kv["key"]), parse_versions(kv["versions"], where),
                          parse_versions(kv.get("flexible", "none"), where)[0] if kv.get("flexible", "none") != "none"
                          else 32767, path)
            elif words[0] in ("request", "response"):
                if api is None:
                    raise SchemaError(f"{where}: '{words[0]}' before 'api'")
                current = Message(api.name + words[0].capitalize(), api)
                setattr(api, words[0], current)
                stack = []
            else:
                raise SchemaError(f"{where}: expected 'api', 'request' or 'response', got '{words[0]}'")
            continue
        if current is None:
            raise SchemaError(f"{where}: field outside 'request'/'response'")
        if indent % 2:
            raise SchemaError(f"{where}: indentation must be a multiple of two spaces")
        if len(words) < 3:
            raise SchemaError(f"{where}: expected 'Name Type Versions [attributes]'")
        field = Field(words[0], words[1], parse_versions(words[2], where), words[3:], where)
        level = indent // 2
        while stack and stack[-1][0] >= level:
            stack.pop()
        if level == 1:
            current.fields.append(field)
        else:
            if not stack or stack[-1][0] != level - 1 or not stack[-1][1].is_struct:
                raise SchemaError(f"{where}: nested field without a struct field above it")
            stack[-1][1].fields.append(field)
        stack.append((level, field))
    if api is None or api.request is None or api.response is None:
        raise SchemaError(f"{path}: needs an 'api' line, a 'request' and a 'response'")
    for msg in (api.request, api.response):
        collect_structs(msg, msg.fields)
    return api


def collect_structs(msg, fields):
    for f in fields:
        if not f.is_struct:
            continue
        if f.fields:
            collect_structs(msg, f.fields)
            if f.elem in msg.structs and [x.name for x in msg.structs[f.elem]] != [x.name for x in f.fields]:
                raise SchemaError(f"{f.where}: struct {f.elem} defined twice with different fields")
            msg.structs.setdefault(f.elem, f.fields)
        elif f.elem not in msg.structs:
            raise SchemaError(f"{f.where}: struct {f.elem} used before its fields are defined")
        else:
            f.fields = msg.structs[f.elem]


# ---------- C++ emission ----------

def cpp_type(f):
    base = f.elem if f.is_struct else PRIMITIVES[f.elem]
    if f.is_array:
        t = f"std::vector<{base}>"
        return f"std::optional<{t}>" if f.nullable != NEVER else t
    if f.elem in ("string", "bytes") and f.nullable != NEVER:
        return "std::optional<std::string>"
    if f.is_struct and f.nullable != NEVER:
        return f"std::optional<{base}>"
    return base


def cpp_default(f):
    d = f.default
    if f.elem == "uuid" and not f.is_array:
        return "{}"
    if d is None or d == "null":
        if f.elem in ("int8", "int16", "int32", "int64", "uint16") and not f.is_array:
            return " = 0"
        if f.elem == "float64" and not f.is_array:
            return " = 0"
        if f.elem == "bool" and not f.is_array:
            return " = false"
        return ""
    if f.is_array:
        return ""
    if f.elem in ("int8", "int16", "int32", "int64", "uint16", "float64"):
        return f" = {d}"
    if f.elem == "bool":
        return f" = {d}"
    if f.elem == "string":
        return f' = "{d}"' if f.nullable == NEVER else f' = std::string("{d}")'
    return ""


def vcond(rng, var="version"):
    lo, hi = rng
    if rng == NEVER:
        return "false"
    parts = []
    if lo > 0:
        parts.append(f"{var} >= {lo}")
    if hi < 32767:
        parts.append(f"{var} <= {hi}")
    return " && ".join(parts) if parts else "true"


class Emitter:
    def __init__(self):
        self.h, self.c = [], []
        self.tmp = 0

    def fresh(self, base):
        self.tmp += 1
        return f"{base}{self.tmp}"

    # --- declarations ---
    def declare_struct(self, name, fields, indent):
        pad = " " * indent
        self.h.append(f"{pad}struct {name} {{")
        for f in fields:
            self.h.append(f"{pad}  {cpp_type(f)} {f.member}{cpp_default(f)};")
        self.h.append(f"{pad}  void Decode(ByteReader& r, int16_t version, bool flexible);")
        self.h.append(f"{pad}  void Encode(ByteWriter& w, int16_t version, bool flexible) const;")
        self.h.append(f"{pad}  bool operator==(const {name}&) const = default;")
        self.h.append(f"{pad}}};")

    def declare_message(self, msg):
        api = msg.api
        self.h.append(f"struct {msg.name} {{")
        self.h.append(f"  static constexpr int16_t kApiKey = {api.key};")
        self.h.append(f"  static constexpr int16_t kMinVersion = {api.versions[0]};")
        self.h.append(f"  static constexpr int16_t kMaxVersion = {api.versions[1]};")
        self.h.append(f"  static constexpr int16_t kFirstFlexibleVersion = {api.flexible};")
        self.h.append(f'  static constexpr std::string_view kName = "{msg.name}";')
        self.h.append("")
        for sname, sfields in msg.structs.items():
            self.declare_struct(sname, sfields, 2)
            self.h.append("")
        for f in msg.fields:
            self.h.append(f"  {cpp_type(f)} {f.member}{cpp_default(f)};")
        self.h.append("")
        self.h.append("  // Fails with InvalidArgument naming the field and byte when `data` is not a valid message of `version`.")
        self.h.append("  Status Decode(std::span<const uint8_t> data, int16_t version);")
        self.h.append("  void Decode(ByteReader& r, int16_t version);")
        self.h.append("  void Encode(ByteWriter& w, int16_t version) const;")
        self.h.append(f"  bool operator==(const {msg.name}&) const = default;")
        self.h.append("};")
        self.h.append("")

    # --- decode ---
    def decode_value(self, f, target, out, ind, path):
        """Lines that decode one value of field f's element type into `target`."""
        p = " " * ind
        e = f.elem
        what = f'"{path}"'
        nullable = f"({vcond(f.nullable)})"
        if e == "bool":
            out.append(f"{p}{target} = r.ReadBool({what});")
        elif e == "int8":
            out.append(f"{p}{target} = r.ReadInt8({what});")
        elif e == "int16":
            out.append(f"{p}{target} = r.ReadInt16({what});")
        elif e == "uint16":
            out.append(f"{p}{target} = r.ReadUint16({what});")
        elif e == "int32":
            out.append(f"{p}{target} = r.ReadInt32({what});")
        elif e == "int64":
            out.append(f"{p}{target} = r.ReadInt64({what});")
        elif e == "float64":
            out.append(f"{p}{target} = r.ReadFloat64({what});")
        elif e == "uuid":
            out.append(f"{p}ReadUuid(r, {what}, &{target});")
        elif e in ("string", "bytes"):
            fn = "ReadString" if e == "string" else "ReadBytesField"
            if f.nullable != NEVER and not f.is_array:
                out.append(f"{p}{fn}(r, flexible, {nullable}, {what}, &{target});")
            else:
                out.append(f"{p}{fn}(r, flexible, false, {what}, &{target});")
        elif e == "records":
            out.append(f"{p}ReadRecords(r, flexible, {what}, &{target});")
        else:
            if f.nullable != NEVER and not f.is_array:
                out.append(f"{p}if (ReadStructPresence(r, {what})) {{ {target}.emplace(); {target}->Decode(r, version, flexible); }}")
            else:
                out.append(f"{p}{target}.Decode(r, version, flexible);")

    def decode_field(self, f, out, ind, path):
        p = " " * ind
        tgt = f.member
        if f.is_array:
            n = self.fresh("n")
            nullable = f"({vcond(f.nullable)})" if f.nullable != NEVER else "false"
            out.append(f"{p}{{")
            out.append(f"{p}  int64_t {n} = ReadArrayLength(r, flexible, {nullable}, \"{path}\");")
            if f.nullable != NEVER:
                out.append(f"{p}  if ({n} < 0) {{ {tgt}.reset(); }} else {{")
                out.append(f"{p}    {tgt}.emplace();")
                vec = f"(*{tgt})"
            else:
                out.append(f"{p}  {{")
                vec = tgt
            i = self.fresh("i")
            out.append(f"{p}    {vec}.clear();")
            out.append(f"{p}    {vec}.resize(static_cast<size_t>({n} < 0 ? 0 : {n}));")
            out.append(f"{p}    for (auto& {i} : {vec}) {{")
            out.append(f"{p}      if (!r.ok()) break;")
            self.decode_value(f, i, out, ind + 6, path + "[]")
            out.append(f"{p}    }}")
            out.append(f"{p}  }}")
            out.append(f"{p}}}")
        else:
            self.decode_value(f, tgt, out, ind, path)

    def decode_body(self, fields, out, owner):
        tagged = [f for f in fields if f.tag is not None]
        for f in fields:
            if f.tag is not None:
                continue
            out.append(f"  if ({vcond(f.versions)}) {{")
            self.decode_field(f, out, 4, f"{owner}.{f.name}")
            out.append("  }")
        out.append("  if (flexible) {")
        out.append('    uint32_t tag_count = r.ReadUnsignedVarint("tagged fields");')
        out.append("    for (uint32_t t = 0; t < tag_count && r.ok(); ++t) {")
        out.append('      uint32_t tag = r.ReadUnsignedVarint("tag");')
        out.append('      uint32_t size = r.ReadUnsignedVarint("tag size");')
        out.append("      size_t end = r.position() + size;")
        out.append("      switch (tag) {")
        for f in tagged:
            out.append(f"        case {f.tag}:")
            out.append(f"          if ({vcond(f.versions)}) {{")
            self.decode_field(f, out, 12, f"{owner}.{f.name}")
            out.append("            break;")
            out.append("          }")
            out.append("          [[fallthrough]];")
        out.append("        default:")
        out.append('          r.Skip(size, "unknown tagged field");')
        out.append("      }")
        out.append('      if (r.ok() && r.position() != end) r.Fail("tagged field", "size does not match its content");')
        out.append("    }")
        out.append("  }")

    # --- encode ---
    def encode_value(self, f, src, out, ind):
        p = " " * ind
        e = f.elem
        if e == "bool":
            out.append(f"{p}w.WriteBool({src});")
        elif e in ("int8", "int16", "uint16", "int32", "int64", "float64"):
            fn = {"int8": "Int8", "int16": "Int16", "uint16": "Uint16", "int32": "Int32", "int64": "Int64",
                  "float64": "Float64"}[e]
            out.append(f"{p}w.Write{fn}({src});")
        elif e == "uuid":
            out.append(f"{p}w.WriteBytes(std::span<const uint8_t>({src}));")
        elif e in ("string", "bytes"):
            if f.nullable != NEVER and not f.is_array:
                out.append(f"{p}WriteNullableString(w, flexible, {str(e == 'bytes').lower()}, {src});")
            else:
                out.append(f"{p}WriteString(w, flexible, {str(e == 'bytes').lower()}, {src});")
        elif e == "records":
            out.append(f"{p}WriteRecords(w, flexible, {src});")
        else:
            if f.nullable != NEVER and not f.is_array:
                out.append(f"{p}if ({src}) {{ w.WriteInt8(1); {src}->Encode(w, version, flexible); }} else {{ w.WriteInt8(-1); }}")
            else:
                out.append(f"{p}{src}.Encode(w, version, flexible);")

    def encode_field(self, f, out, ind):
        p = " " * ind
        src = f.member
        if f.is_array:
            i = self.fresh("e")
            if f.nullable != NEVER:
                out.append(f"{p}if (!{src}) {{ WriteArrayLength(w, flexible, -1); }} else {{")
                vec = f"(*{src})"
            else:
                out.append(f"{p}{{")
                vec = src
            out.append(f"{p}  WriteArrayLength(w, flexible, static_cast<int64_t>({vec}.size()));")
            out.append(f"{p}  for (const auto& {i} : {vec}) {{")
            self.encode_value(f, i, out, ind + 4)
            out.append(f"{p}  }}")
            out.append(f"{p}}}")
        else:
            self.encode_value(f, src, out, ind)

    def is_default_expr(self, f):
        m = f.member
        if f.is_array:
            return f"{m}.empty()" if f.nullable == NEVER else f"(!{m} || {m}->empty())"
        if f.elem in ("int8", "int16", "int32", "int64", "uint16", "float64"):
            return f"{m} == {f.default if f.default not in (None, 'null') else 0}"
        if f.elem == "bool":
            return f"{m} == {f.default or 'false'}"
        if f.elem in ("string", "bytes"):
            if f.nullable != NEVER:
                return f"!{m}" if f.default in (None, "null") else "false"
            return f"{m}.empty()"
        if f.is_struct and f.nullable == NEVER:
            return f"{m} == decltype({m}){{}}"
        return "false"

    def encode_body(self, fields, out):
        tagged = sorted([f for f in fields if f.tag is not None], key=lambda f: f.tag)
        for f in fields:
            if f.tag is not None:
                continue
            out.append(f"  if ({vcond(f.versions)}) {{")
            self.encode_field(f, out, 4)
            out.append("  }")
        out.append("  if (flexible) {")
        if not tagged:
            out.append("    w.WriteUnsignedVarint(0);")
        else:
            out.append("    uint32_t tag_count = 0;")
            for f in tagged:
                out.append(f"    if (({vcond(f.versions)}) && !({self.is_default_expr(f)})) ++tag_count;")
            out.append("    w.WriteUnsignedVarint(tag_count);")
            for f in tagged:
                out.append(f"    if (({vcond(f.versions)}) && !({self.is_default_expr(f)})) {{")
                out.append(f"      w.WriteUnsignedVarint({f.tag});")
                out.append("      std::vector<uint8_t> tag_buf;")
                out.append("      {")
                out.append("        ByteWriter outer_w(&tag_buf);")
                out.append("        ByteWriter& w = outer_w;")
                self.encode_field(f, out, 8)
                out.append("      }")
                out.append("      w.WriteUnsignedVarint(tag_buf.size());")
                out.append("      w.WriteBytes(std::span<const uint8_t>(tag_buf));")
                out.append("    }")
        out.append("  }")

    def define_message(self, msg):
        c = self.c
        for sname, sfields in msg.structs.items():
            c.append(f"void {msg.name}::{sname}::Decode(ByteReader& r, int16_t version, bool flexible) {{")
            self.decode_body(sfields, c, sname)
            c.append("}")
            c.append("")
            c.append(f"void {msg.name}::{sname}::Encode(ByteWriter& w, int16_t version, bool flexible) const {{")
            self.encode_body(sfields, c)
            c.append("}")
            c.append("")
        c.append(f"void {msg.name}::Decode(ByteReader& r, int16_t version) {{")
        c.append(f"  const bool flexible = version >= kFirstFlexibleVersion;")
        self.decode_body(msg.fields, c, msg.name)
        c.append("}")
        c.append("")
        c.append(f"Status {msg.name}::Decode(std::span<const uint8_t> data, int16_t version) {{")
        c.append("  if (version < kMinVersion || version > kMaxVersion) {")
        c.append(f'    return Status::Unsupported(fmt::format("{msg.name} version {{}} is not supported (floe supports {{}}-{{}})", version, kMinVersion, kMaxVersion));')
        c.append("  }")
        c.append("  ByteReader r(data);")
        c.append("  Decode(r, version);")
        c.append(f'  if (r.ok() && r.remaining() != 0) r.Fail("{msg.name}", fmt::format("{{}} unexpected bytes after the message", r.remaining()));')
        c.append(f'  return r.status().WithContext(fmt::format("{msg.name} v{{}}", version));')
        c.append("}")
        c.append("")
        c.append(f"void {msg.name}::Encode(ByteWriter& w, int16_t version) const {{")
        c.append(f"  const bool flexible = version >= kFirstFlexibleVersion;")
        self.encode_body(msg.fields, c)
        c.append("}")
        c.append("")


class FillEmitter:
    """Emits test-only Fill() functions that give every field present in a version a pseudo-random value, so one
    generic test can round-trip every message at every version."""

    def __init__(self):
        self.out = []
        self.n = 0

    def value(self, f, target, ind):
        p = " " * ind
        e = f.elem
        if e == "bool":
            self.out.append(f"{p}{target} = rng.Bool();")
        elif e in ("int8", "int16", "uint16", "int32", "int64"):
            t = PRIMITIVES[e]
            self.out.append(f"{p}{target} = static_cast<{t}>(rng.Next());")
        elif e == "float64":
            self.out.append(f"{p}{target} = static_cast<double>(rng.Next() % 100000) / 7.0;")
        elif e == "uuid":
            self.out.append(f"{p}for (auto& b : {target}) b = static_cast<uint8_t>(rng.Next());")
        elif e in ("string", "bytes"):
            if f.nullable != NEVER and not f.is_array:
                self.out.append(f"{p}if (({vcond(f.nullable)}) && rng.Bool()) {target}.reset(); else {target} = rng.String();")
            else:
                self.out.append(f"{p}{target} = rng.String();")
        elif e == "records":
            self.out.append(f"{p}{target} = rng.Records();")
        else:
            if f.nullable != NEVER and not f.is_array:
                self.out.append(f"{p}if (({vcond(f.nullable)}) && rng.Bool()) {{ {target}.reset(); }} else {{ {target}.emplace(); Fill(*{target}, version, rng, depth + 1); }}")
            else:
                self.out.append(f"{p}Fill({target}, version, rng, depth + 1);")

    def field(self, f, ind):
        p = " " * ind
        m = f"x.{f.member}"
        if f.is_array:
            self.n += 1
            n = f"n{self.n}"
            if f.nullable != NEVER:
                self.out.append(f"{p}if (({vcond(f.nullable)}) && rng.Bool()) {{ {m}.reset(); }} else {{")
                vec = f"(*{m})"
                self.out.append(f"{p}  {m}.emplace();")
            else:
                self.out.append(f"{p}{{")
                vec = m
            self.out.append(f"{p}  size_t {n} = depth > 3 ? 0 : rng.Next() % 3;")
            self.out.append(f"{p}  {vec}.resize({n});")
            self.out.append(f"{p}  for (auto& item : {vec}) {{")
            self.value(f, "item", ind + 4)
            self.out.append(f"{p}  }}")
            self.out.append(f"{p}}}")
        else:
            self.value(f, m, ind)

    def fill(self, qualified, fields):
        self.out.append(f"inline void Fill({qualified}& x, int16_t version, TestRng& rng, int depth) {{")
        for f in fields:
            self.out.append(f"  if ({vcond(f.versions)}) {{")
            self.field(f, 4)
            self.out.append("  }")
        self.out.append("}")
        self.out.append("")


def main():
    out_dir = Path(sys.argv[1])
    apis = sorted((parse_schema(p) for p in sys.argv[2:]), key=lambda a: a.key)
    keys = {}
    for a in apis:
        if a.key in keys:
            raise SchemaError(f"{a.path}: api key {a.key} also used by {keys[a.key]}")
        keys[a.key] = a.path
    em = Emitter()
    for a in apis:
        em.declare_message(a.request)
        em.declare_message(a.response)
        em.define_message(a.request)
        em.define_message(a.response)
    gen = out_dir / "floe" / "kafka" / "generated"
    gen.mkdir(parents=True, exist_ok=True)
    names = ", ".join(a.name for a in apis)
    header = [
        "// Generated by src/floe/kafka/codegen/generate.py from src/floe/kafka/schema/*.schema. Do not edit.",
        f"// APIs: {names}",
        "#pragma once",
        "",
        "#include <cstdint>",
        "#include <optional>",
        "#include <span>",
        "#include <string>",
        "#include <string_view>",
        "#include <vector>",
        "",
        '#include "floe/base/byte_buffer.h"',
        '#include "floe/base/status.h"',
        '#include "floe/kafka/protocol_types.h"',
        "",
        "namespace floe::kafka {",
        "",
        "enum class ApiKey : int16_t {",
    ]
    header += [f"  k{a.name} = {a.key}," for a in apis]
    header += ["};", "", "struct ApiInfo {", "  int16_t key;", "  std::string_view name;", "  int16_t min_version;",
               "  int16_t max_version;", "  int16_t first_flexible_version;", "};", "",
               "// Every API floe implements, by key.", f"inline constexpr ApiInfo kApis[] = {{"]
    header += [f'    {{{a.key}, "{a.name}", {a.versions[0]}, {a.versions[1]}, {a.flexible}}},' for a in apis]
    header += ["};", "", "// The API with `key`, or nullptr.", "const ApiInfo* FindApi(int16_t key);", ""]
    header += em.h
    header += ["}  // namespace floe::kafka", ""]
    source = [
        "// Generated by src/floe/kafka/codegen/generate.py from src/floe/kafka/schema/*.schema. Do not edit.",
        '#include "floe/kafka/generated/messages.h"',
        "",
        "#include <fmt/format.h>",
        "",
        '#include "floe/kafka/protocol_codec.h"',
        "",
        "namespace floe::kafka {",
        "",
        "const ApiInfo* FindApi(int16_t key) {",
        "  for (const ApiInfo& api : kApis) {",
        "    if (api.key == key) return &api;",
        "  }",
        "  return nullptr;",
        "}",
        "",
    ]
    source += em.c
    source += ["}  // namespace floe::kafka", ""]
    fe = FillEmitter()
    decls = []
    for a in apis:
        for msg in (a.request, a.response):
            for sname in msg.structs:
                decls.append(f"inline void Fill({msg.name}::{sname}& x, int16_t version, TestRng& rng, int depth);")
    for a in apis:
        for msg in (a.request, a.response):
            for sname, sfields in msg.structs.items():
                fe.fill(f"{msg.name}::{sname}", sfields)
            fe.fill(msg.name, msg.fields)
    fill = [
        "// Generated by src/floe/kafka/codegen/generate.py. Test support only: Fill() gives every field present in a",
        "// version a pseudo-random value, for the generic round-trip test of every message at every version.",
        "#pragma once",
        "",
        '#include "floe/kafka/generated/messages.h"',
        '#include "floe/kafka/codegen/test_rng.h"',
        "",
        "namespace floe::kafka {",
        "",
    ] + decls + [""] + fe.out + [
        "// Calls fn.template operator()<Request, Response>(api) for every API.",
        "template <typename Fn>",
        "void ForEachMessagePair(Fn&& fn) {",
    ] + [f"  fn.template operator()<{a.request.name}, {a.response.name}>();" for a in apis] + [
        "}",
        "",
        "}  // namespace floe::kafka", ""]
    write_if_changed(gen / "messages_fill.h", "\n".join(fill))
    write_if_changed(gen / "messages.h", "\n".join(header))
    write_if_changed(gen / "messages.cpp", "\n".join(source))


def write_if_changed(path, text):
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


if __name__ == "__main__":
    try:
        main()
    except SchemaError as e:
        print(f"generate.py: {e}", file=sys.stderr)
        sys.exit(1)
