// Validation half of validator.h. One recursive walk; every failure is
// recorded with its Kubernetes-style path and message, none stops the walk
// except a type mismatch at a node (its keyword checks would be noise).
#include "operator/schema/validator.h"

#include <cmath>
#include <limits>
#include <unordered_set>

#include "operator/schema/formats.h"
#include "operator/schema/pattern_cache.h"
#include "operator/schema/schema_util.h"

namespace dw::schema {

namespace {

std::string_view Sv(const json::Value& v) { return {v.GetString(), v.GetStringLength()}; }

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool IsInteger(const json::Value& v) {
  if (!v.IsNumber()) return false;
  if (v.IsInt64() || v.IsUint64()) return true;
  double d = v.GetDouble();
  return std::isfinite(d) && std::floor(d) == d;
}

// libstdc++'s std::regex matcher recurses once per input character and
// overflows the stack somewhere below 100 KB of input; patterns guard short
// fields (names, digests, URLs), so longer values are refused up front.
constexpr size_t kMaxPatternInput = 4096;

bool Matches(const std::regex& re, std::string_view str) {
  try {
    return std::regex_search(str.begin(), str.end(), re);
  } catch (const std::regex_error&) {  // error_complexity / error_stack
    return false;
  }
}

class Walker {
 public:
  explicit Walker(std::vector<FieldCause>* errs) : errs_(errs) {}

  void Node(const json::Value& s, const json::Value& v, std::string& path) {
    if (!s.IsObject()) return;
    if (!TypeOk(s, v, path)) return;
    if (v.IsNull()) return;  // nullable null: nothing else applies
    Enum(s, v, path);
    if (v.IsString()) Strings(s, Sv(v), v, path);
    if (v.IsNumber()) Numbers(s, v, path);
    if (v.IsArray()) Arrays(s, v, path);
    if (v.IsObject()) Objects(s, v, path);
    Junctors(s, v, path);
  }

 private:
  void Add(const char* type, const std::string& path, std::string msg) {
    errs_->push_back({type, path, std::move(msg)});
  }
  // "Invalid value: 5: spec.x in body <what>"
  void Invalid(const std::string& path, const json::Value& v, const std::string& what) {
    Add("FieldValueInvalid", path, "Invalid value: " + Render(v) + ": " + Subject(path) + " " + what);
  }
  static std::string Subject(const std::string& path) {
    return path.empty() ? "body" : path + " in body";
  }

  bool TypeOk(const json::Value& s, const json::Value& v, const std::string& path) {
    std::string type = json::GetString(s, "type");
    bool int_or_string = Flag(s, "x-kubernetes-int-or-string");
    if (v.IsNull()) {
      if (Flag(s, "nullable") || (type.empty() && !int_or_string)) return true;
    }
    bool ok = true;
    if (int_or_string) {
      ok = v.IsString() || IsInteger(v);
      if (!ok) type = "integer,string";
    } else if (type == "integer") {
      ok = IsInteger(v);
    } else if (type == "number") {
      ok = v.IsNumber();
    } else if (type == "string") {
      ok = v.IsString();
    } else if (type == "boolean") {
      ok = v.IsBool();
    } else if (type == "object") {
      ok = v.IsObject();
    } else if (type == "array") {
      ok = v.IsArray();
    }
    if (!ok) {
      Add("FieldValueTypeInvalid", path,
          // Kubernetes reports the offending type, not the value, here.
          std::string("Invalid value: \"") + TypeName(v) + "\": " + Subject(path) + " must be of type " + type +
              ": \"" + TypeName(v) + "\"");
    }
    return ok;
  }

  void Enum(const json::Value& s, const json::Value& v, const std::string& path) {
    const json::Value* e = json::Find(s, "enum");
    if (e == nullptr || !e->IsArray()) return;
    for (const auto& allowed : e->GetArray()) {
      if (json::Equal(allowed, v)) return;
    }
    std::string msg = "Unsupported value: " + Render(v) + ": supported values: ";
    bool first = true;
    for (const auto& allowed : e->GetArray()) {
      if (!first) msg += ", ";
      msg += Render(allowed);
      first = false;
    }
    Add("FieldValueNotSupported", path, std::move(msg));
  }

  void Strings(const json::Value& s, std::string_view str, const json::Value& v, const std::string& path) {
    size_t len = std::string_view::npos;
    if (const json::Value* max = json::Find(s, "maxLength"); max && max->IsNumber()) {
      len = Utf8Length(str);
      if (static_cast<double>(len) > max->GetDouble()) {
        Add("FieldValueTooLong", path, "Too long: may not be longer than " + Render(*max));
      }
    }
    if (const json::Value* min = json::Find(s, "minLength"); min && min->IsNumber()) {
      if (len == std::string_view::npos) len = Utf8Length(str);
      if (static_cast<double>(len) < min->GetDouble()) {
        Invalid(path, v, "should be at least " + Render(*min) + " chars long");
      }
    }
    if (const json::Value* p = json::Find(s, "pattern"); p && p->IsString()) {
      const std::regex* re = CompiledPattern(Sv(*p));
      if (re == nullptr) {
        Add("FieldValueInvalid", path, "Internal error: schema pattern '" + std::string(Sv(*p)) + "' does not compile");
      } else if (str.size() > kMaxPatternInput) {
        Add("FieldValueTooLong", path,
            "Too long: may not be more than " + std::to_string(kMaxPatternInput) + " bytes when a pattern applies");
      } else if (!Matches(*re, str)) {
        Invalid(path, v, "should match '" + std::string(Sv(*p)) + "'");
      }
    }
    if (const json::Value* f = json::Find(s, "format"); f && f->IsString()) {
      if (!CheckStringFormat(Sv(*f), str)) {
        Invalid(path, v, "must be of type " + std::string(Sv(*f)) + ": " + Render(v));
      }
    }
  }

  void Numbers(const json::Value& s, const json::Value& v, const std::string& path) {
    double d = v.GetDouble();
    if (const json::Value* max = json::Find(s, "maximum"); max && max->IsNumber()) {
      bool excl = Flag(s, "exclusiveMaximum");
      if (excl ? d >= max->GetDouble() : d > max->GetDouble()) {
        Invalid(path, v, std::string("should be less than ") + (excl ? "" : "or equal to ") + Render(*max));
      }
    }
    if (const json::Value* min = json::Find(s, "minimum"); min && min->IsNumber()) {
      bool excl = Flag(s, "exclusiveMinimum");
      if (excl ? d <= min->GetDouble() : d < min->GetDouble()) {
        Invalid(path, v, std::string("should be greater than ") + (excl ? "" : "or equal to ") + Render(*min));
      }
    }
    if (const json::Value* m = json::Find(s, "multipleOf"); m && m->IsNumber() && m->GetDouble() > 0) {
      double q = d / m->GetDouble();
      if (std::fabs(q - std::round(q)) > 1e-9) Invalid(path, v, "should be a multiple of " + Render(*m));
    }
    std::string format = json::GetString(s, "format");
    if (format == "int32" || format == "int64") {
      double lo = format == "int32" ? std::numeric_limits<int32_t>::min() : -9223372036854775808.0;
      double hi = format == "int32" ? std::numeric_limits<int32_t>::max() : 9223372036854775807.0;
      bool in_range = format == "int64" ? (v.IsInt64() || (!v.IsUint64() && d >= lo && d < hi))
                                        : (d >= lo && d <= hi);
      if (!IsInteger(v) || !in_range) Invalid(path, v, "must be of type " + format + ": " + Render(v));
    }
  }

  void Arrays(const json::Value& s, const json::Value& v, std::string& path) {
    auto n = v.Size();
    if (const json::Value* max = json::Find(s, "maxItems"); max && max->IsNumber() && n > max->GetDouble()) {
      Add("FieldValueTooMany", path,
          "Too many: " + std::to_string(n) + ": must have at most " + Render(*max) + " items");
    }
    if (const json::Value* min = json::Find(s, "minItems"); min && min->IsNumber() && n < min->GetDouble()) {
      Add("FieldValueInvalid", path,
          "Invalid value: " + std::to_string(n) + ": " + Subject(path) + " should have at least " +
              Render(*min) + " items");
    }
    std::string list_type = json::GetString(s, "x-kubernetes-list-type");
    if (Flag(s, "uniqueItems") || list_type == "set") UniqueItems(v, path);
    if (list_type == "map") UniqueMapKeys(s, v, path);
    if (const json::Value* items = json::Find(s, "items"); items && items->IsObject()) {
      for (rapidjson::SizeType i = 0; i < n; ++i) {
        PathScope ps(path, i);
        Node(*items, v[i], path);
      }
    }
  }

  void Duplicate(std::string& path, size_t i, const std::string& shown) {
    PathScope ps(path, i);
    Add("FieldValueDuplicate", path, "Duplicate value: " + shown);
  }

  // Scalars are compared through their serialization (hash set, linear);
  // objects/arrays need json::Equal (member order insensitive), pairwise.
  void UniqueItems(const json::Value& v, std::string& path) {
    std::unordered_set<std::string> seen;
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      const json::Value& e = v[i];
      bool dup = false;
      if (!e.IsObject() && !e.IsArray()) {
        std::string key = std::string(TypeName(e)) + ":" + json::Serialize(e);
        dup = !seen.insert(std::move(key)).second;
      } else {
        for (rapidjson::SizeType j = 0; j < i && !dup; ++j) dup = json::Equal(v[j], e);
      }
      if (dup) Duplicate(path, i, Render(e));
    }
  }

  void UniqueMapKeys(const json::Value& s, const json::Value& v, std::string& path) {
    const json::Value* keys = json::Find(s, "x-kubernetes-list-map-keys");
    if (keys == nullptr || !keys->IsArray() || keys->Empty()) return;
    std::unordered_set<std::string> seen;
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      if (!v[i].IsObject()) continue;
      std::string tuple = "{";
      for (const auto& k : keys->GetArray()) {
        if (!k.IsString()) continue;
        const json::Value* kv = json::Find(v[i], Sv(k));
        if (tuple.size() > 1) tuple += ',';
        tuple += json::Serialize(k) + ":" + (kv ? json::Serialize(*kv) : "null");
      }
      tuple += '}';
      if (!seen.insert(tuple).second) Duplicate(path, i, tuple);
    }
  }

  void Objects(const json::Value& s, const json::Value& v, std::string& path) {
    if (const json::Value* req = json::Find(s, "required"); req && req->IsArray()) {
      for (const auto& r : req->GetArray()) {
        if (!r.IsString() || json::Find(v, Sv(r)) != nullptr) continue;
        PathScope ps(path, PathScope::kField, Sv(r));
        Add("FieldValueRequired", path, "Required value");
      }
    }
    auto n = v.MemberCount();
    if (const json::Value* max = json::Find(s, "maxProperties"); max && max->IsNumber() && n > max->GetDouble()) {
      Add("FieldValueTooMany", path,
          "Too many: " + std::to_string(n) + ": must have at most " + Render(*max) + " items");
    }
    if (const json::Value* min = json::Find(s, "minProperties"); min && min->IsNumber() && n < min->GetDouble()) {
      Add("FieldValueInvalid", path,
          "Invalid value: " + std::to_string(n) + ": " + Subject(path) + " should have at least " +
              Render(*min) + " properties");
    }
    if (Flag(s, "x-kubernetes-embedded-resource")) EmbeddedTypeMeta(v, path);
    Members(s, v, path);
  }

  void EmbeddedTypeMeta(const json::Value& v, std::string& path) {
    for (const char* key : {"apiVersion", "kind"}) {
      const json::Value* f = json::Find(v, key);
      if (f != nullptr && f->IsString() && f->GetStringLength() > 0) continue;
      PathScope ps(path, PathScope::kField, key);
      Add("FieldValueRequired", path, "Required value: must not be empty for embedded resources");
    }
  }

  void Members(const json::Value& s, const json::Value& v, std::string& path) {
    const json::Value* props = json::Find(s, "properties");
    if (props != nullptr && !props->IsObject()) props = nullptr;
    const json::Value* extra = json::Find(s, "additionalProperties");
    for (const auto& m : v.GetObject()) {
      std::string_view name = Sv(m.name);
      const json::Value* ps = props != nullptr ? json::Find(*props, name) : nullptr;
      if (ps != nullptr) {
        PathScope scope(path, PathScope::kField, name);
        Node(*ps, m.value, path);
      } else if (extra != nullptr && extra->IsObject()) {
        PathScope scope(path, PathScope::kKey, name);
        Node(*extra, m.value, path);
      } else if (extra != nullptr && extra->IsBool() && !extra->GetBool()) {
        PathScope scope(path, PathScope::kField, name);
        Add("FieldValueForbidden", path, "Forbidden: " + path + " in body is a forbidden property");
      }
    }
  }

  size_t CountPassing(const json::Value& list, const json::Value& v, std::string& path) {
    size_t passing = 0;
    for (const auto& sub : list.GetArray()) {
      std::vector<FieldCause> scratch;
      Walker w(&scratch);
      w.Node(sub, v, path);
      passing += scratch.empty();
    }
    return passing;
  }

  void Junctors(const json::Value& s, const json::Value& v, std::string& path) {
    if (const json::Value* all = json::Find(s, "allOf"); all && all->IsArray()) {
      for (const auto& sub : all->GetArray()) Node(sub, v, path);
    }
    if (const json::Value* any = json::Find(s, "anyOf"); any && any->IsArray() && !any->Empty()) {
      if (CountPassing(*any, v, path) == 0) Invalid(path, v, "must validate at least one schema (anyOf)");
    }
    if (const json::Value* one = json::Find(s, "oneOf"); one && one->IsArray() && !one->Empty()) {
      size_t n = CountPassing(*one, v, path);
      if (n == 0) {
        Invalid(path, v, "must validate one and only one schema (oneOf). Found none valid");
      } else if (n > 1) {
        Invalid(path, v, "must validate one and only one schema (oneOf). Found " + std::to_string(n) +
                             " valid alternatives");
      }
    }
    if (const json::Value* no = json::Find(s, "not"); no && no->IsObject()) {
      std::vector<FieldCause> scratch;
      Walker w(&scratch);
      w.Node(*no, v, path);
      if (scratch.empty()) Invalid(path, v, "must not validate the schema (not)");
    }
  }

  std::vector<FieldCause>* errs_;
};

}  // namespace

void Validate(const json::Value& schema, const json::Value& obj, AdmissionResult* result) {
  std::string path;
  path.reserve(64);
  Walker(&result->errors).Node(schema, obj, path);
}

}  // namespace dw::schema
