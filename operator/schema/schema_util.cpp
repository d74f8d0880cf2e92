#include "operator/schema/schema_util.h"

#include <cmath>

namespace dw::schema {

PathScope::PathScope(std::string& path, Kind kind, std::string_view part)
    : path_(path), old_size_(path.size()) {
  if (kind == kField) {
    if (!path_.empty()) path_ += '.';
    path_ += part;
  } else {
    path_ += '[';
    path_ += part;
    path_ += ']';
  }
}

PathScope::PathScope(std::string& path, size_t index) : path_(path), old_size_(path.size()) {
  path_ += '[';
  path_ += std::to_string(index);
  path_ += ']';
}

bool Flag(const json::Value& schema, std::string_view key) {
  const json::Value* v = json::Find(schema, key);
  return v != nullptr && v->IsBool() && v->GetBool();
}

std::string Render(const json::Value& v) {
  std::string s = json::Serialize(v);
  constexpr size_t kMax = 80;
  if (s.size() > kMax && (v.IsObject() || v.IsArray() || v.IsString())) {
    s.resize(kMax);
    s += "...";
  }
  return s;
}

const char* TypeName(const json::Value& v) {
  if (v.IsNull()) return "null";
  if (v.IsBool()) return "boolean";
  if (v.IsString()) return "string";
  if (v.IsObject()) return "object";
  if (v.IsArray()) return "array";
  if (v.IsInt64() || v.IsUint64()) return "integer";
  double d = v.GetDouble();
  return std::floor(d) == d && std::isfinite(d) ? "integer" : "number";
}

}  // namespace dw::schema
