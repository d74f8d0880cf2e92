// Draft-07 subset -> OpenAPI-flavoured schema (what schema::Validate speaks),
// then one validation with the settings nested under "settings" so every
// path and message already carries the prefix users see.
//
// Differences bridged here:
//  - type arrays: "null" becomes nullable, several types become anyOf;
//  - numeric exclusiveMinimum/Maximum become minimum/maximum + boolean flag;
//  - const becomes an enum of one value (inside allOf, so a sibling enum
//    still applies);
//  - boolean schemas: true is {}, false is {"not": {}}.
// Known gap: a null value against a type array WITHOUT "null" (e.g.
// ["string","integer"]) passes locally, because schema::Validate accepts null
// wherever no single type is named; the server still refuses it.
#include "reconcilers/pluginpolicy/settings_schema.h"

#include <algorithm>
#include <set>

#include "operator/schema/validator.h"

namespace dw::pluginpolicy {

namespace {

using json::Allocator;
using json::Value;

bool IsAnnotation(std::string_view k) {
  static const std::set<std::string_view> kAnn = {"title",    "description", "default",  "examples", "$comment",
                                                  "$schema", "$id",         "readOnly", "writeOnly"};
  return kAnn.count(k) > 0;
}

bool IsCopiedAsIs(std::string_view k, const Value& v) {
  if (k == "minLength" || k == "maxLength" || k == "minItems" || k == "maxItems") return v.IsNumber();
  if (k == "uniqueItems") return v.IsBool();
  if (k == "pattern") return v.IsString();
  if (k == "enum") return v.IsArray();
  if (k == "required") {
    if (!v.IsArray()) return false;
    return std::all_of(v.Begin(), v.End(), [](const Value& e) { return e.IsString(); });
  }
  return false;
}

class Converter {
 public:
  explicit Converter(Allocator& a) : a_(a) {}
  const std::string& unsupported() const { return unsupported_; }

  // False when the schema leaves the subset; unsupported() says where.
  bool Convert(const Value& in, Value* out, std::string& path) {
    out->SetObject();
    if (in.IsBool()) {
      if (!in.GetBool()) AddMember(*out, "not", Value(rapidjson::kObjectType));
      return true;
    }
    if (!in.IsObject()) return Fail("schema", path, "is not an object or boolean");
    Value all_of(rapidjson::kArrayType);
    Bounds lo, hi;
    for (const auto& m : in.GetObject()) {
      std::string_view k(m.name.GetString(), m.name.GetStringLength());
      const Value& v = m.value;
      if (IsAnnotation(k)) continue;
      if (IsCopiedAsIs(k, v)) {
        AddMember(*out, k, Value(v, a_));
      } else if (k == "type") {
        if (!Type(v, out, &all_of, path)) return false;
      } else if (k == "properties" && v.IsObject()) {
        if (!Properties(v, out, path)) return false;
      } else if (k == "additionalProperties" && (v.IsBool() || v.IsObject())) {
        if (v.IsBool()) {
          AddMember(*out, k, Value(v.GetBool()));
        } else if (!Sub(v, out, k, path, "{}")) {
          return false;
        }
      } else if (k == "items" && (v.IsBool() || v.IsObject())) {
        if (!Sub(v, out, k, path, "[]")) return false;
      } else if (k == "const") {
        Value one(rapidjson::kObjectType), list(rapidjson::kArrayType);
        list.PushBack(Value(v, a_), a_);
        AddMember(one, "enum", std::move(list));
        all_of.PushBack(one, a_);
      } else if ((k == "minimum" || k == "exclusiveMinimum") && v.IsNumber()) {
        (k == "minimum" ? lo.inclusive : lo.exclusive) = &v;
      } else if ((k == "maximum" || k == "exclusiveMaximum") && v.IsNumber()) {
        (k == "maximum" ? hi.inclusive : hi.exclusive) = &v;
      } else {
        return Fail(std::string("keyword \"") + std::string(k) + "\"", path, "is not supported locally");
      }
    }
    lo.Emit(*out, "minimum", "exclusiveMinimum", /*upper=*/false, a_);
    hi.Emit(*out, "maximum", "exclusiveMaximum", /*upper=*/true, a_);
    if (!all_of.Empty()) AddMember(*out, "allOf", std::move(all_of));
    return true;
  }

 private:
  // A draft-07 bound pair folded into the OpenAPI form: the stricter wins.
  // Keeps the schema's own number values so messages print them as written.
  struct Bounds {
    const Value* inclusive = nullptr;
    const Value* exclusive = nullptr;
    void Emit(Value& out, const char* key, const char* flag, bool upper, Allocator& a) const {
      if (!inclusive && !exclusive) return;
      bool use_excl = exclusive && (!inclusive || (upper ? exclusive->GetDouble() <= inclusive->GetDouble()
                                                         : exclusive->GetDouble() >= inclusive->GetDouble()));
      out.AddMember(Value(key, a), Value(use_excl ? *exclusive : *inclusive, a), a);
      if (use_excl) out.AddMember(Value(flag, a), Value(true), a);
    }
  };

  void AddMember(Value& obj, std::string_view k, Value v) {
    obj.AddMember(json::Str(k, a_), v, a_);
  }

  bool Fail(const std::string& what, const std::string& path, const char* why) {
    unsupported_ = what + " at " + (path.empty() ? std::string("settings") : "settings" + path) + " " + why;
    return false;
  }

  bool Sub(const Value& v, Value* out, std::string_view key, std::string& path, const char* suffix) {
    size_t old = path.size();
    path += suffix;
    Value sub;
    bool ok = Convert(v, &sub, path);
    path.resize(old);
    if (ok) AddMember(*out, key, std::move(sub));
    return ok;
  }

  bool Properties(const Value& props, Value* out, std::string& path) {
    Value conv(rapidjson::kObjectType);
    for (const auto& p : props.GetObject()) {
      size_t old = path.size();
      path += '.';
      path.append(p.name.GetString(), p.name.GetStringLength());
      Value sub;
      bool ok = Convert(p.value, &sub, path);
      path.resize(old);
      if (!ok) return false;
      conv.AddMember(Value(p.name, a_), sub, a_);
    }
    AddMember(*out, "properties", std::move(conv));
    return true;
  }

  static bool KnownType(std::string_view t) {
    return t == "string" || t == "integer" || t == "number" || t == "boolean" || t == "object" ||
           t == "array" || t == "null";
  }

  bool Type(const Value& v, Value* out, Value* all_of, std::string& path) {
    std::set<std::string> types;
    if (v.IsString()) {
      types.insert(v.GetString());
    } else if (v.IsArray() && !v.Empty()) {
      for (const auto& t : v.GetArray()) {
        if (!t.IsString()) return Fail("keyword \"type\"", path, "has a non-string entry");
        types.insert(t.GetString());
      }
    } else {
      return Fail("keyword \"type\"", path, "is neither a string nor a non-empty array");
    }
    for (const auto& t : types) {
      if (!KnownType(t)) return Fail("type \"" + t + "\"", path, "is not a JSON Schema type");
    }
    bool null_ok = types.erase("null") > 0;
    if (types.count("number")) types.erase("integer");  // integers are numbers
    if (types.empty()) {  // only null
      Value one(rapidjson::kObjectType), list(rapidjson::kArrayType);
      list.PushBack(Value(rapidjson::kNullType), a_);
      AddMember(one, "enum", std::move(list));
      all_of->PushBack(one, a_);
      return true;
    }
    if (null_ok) AddMember(*out, "nullable", Value(true));
    if (types.size() == 1) {
      AddMember(*out, "type", json::Str(*types.begin(), a_));
      return true;
    }
    Value any(rapidjson::kArrayType);
    for (const auto& t : types) {
      Value alt(rapidjson::kObjectType);
      AddMember(alt, "type", json::Str(t, a_));
      any.PushBack(alt, a_);
    }
    Value wrap(rapidjson::kObjectType);
    AddMember(wrap, "anyOf", std::move(any));
    all_of->PushBack(wrap, a_);
    return true;
  }

  Allocator& a_;
  std::string unsupported_;
};

// Validator messages name the subject as "<path> in body"; the path is
// already the line's prefix, so say "value" instead.
std::string Tidy(const std::string& msg, const std::string& field) {
  std::string needle = field + " in body";
  std::string out = msg;
  for (size_t pos = out.find(needle); pos != std::string::npos; pos = out.find(needle, pos + 5)) {
    out.replace(pos, needle.size(), "value");
  }
  return out;
}

}  // namespace

SettingsCheck CheckSettings(const json::Value& schema, const json::Value& settings) {
  SettingsCheck result;
  if (schema.IsNull()) {
    result.checked = true;
    return result;
  }
  json::Document work;  // owns the converted schema and the wrapped value
  Allocator& a = work.GetAllocator();
  Converter conv(a);
  Value converted;
  std::string path;
  if (!conv.Convert(schema, &converted, path)) {
    result.skipped_reason = conv.unsupported();
    return result;
  }
  Value props(rapidjson::kObjectType);
  props.AddMember("settings", converted, a);
  Value wrapper(rapidjson::kObjectType);
  wrapper.AddMember("type", "object", a);
  wrapper.AddMember("properties", props, a);
  Value value(rapidjson::kObjectType);
  value.AddMember("settings", Value(settings, a), a);

  schema::AdmissionResult ar;
  schema::Validate(wrapper, value, &ar);
  result.checked = true;
  result.errors = std::move(ar.errors);
  for (auto& e : result.errors) e.message = Tidy(e.message, e.field);
  return result;
}

std::string FormatSettingsErrors(const std::vector<FieldCause>& errors) {
  // Capped: the lines end up in a condition message, which has a size limit.
  constexpr size_t kMaxLines = 20;
  std::string out;
  for (size_t i = 0; i < errors.size() && i < kMaxLines; ++i) {
    if (!out.empty()) out += '\n';
    out += errors[i].field + ": " + errors[i].message;
  }
  if (errors.size() > kMaxLines) out += "\nand " + std::to_string(errors.size() - kMaxLines) + " more";
  return out;
}

}  // namespace dw::pluginpolicy
