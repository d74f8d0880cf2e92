#include "operator/json/json.h"

#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace dw::json {

namespace {
rapidjson::Value::StringRefType Ref(std::string_view s) {
  return rapidjson::Value::StringRefType(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
}  // namespace

Status Parse(std::string_view text, Document* doc) {
  // Default flags reject trailing non-whitespace (DocumentRootNotSingular).
  doc->Parse(text.data(), text.size());
  if (doc->HasParseError()) {
    return Status::BadRequest("invalid JSON at byte " + std::to_string(doc->GetErrorOffset()) +
                              ": " + rapidjson::GetParseError_En(doc->GetParseError()));
  }
  return Status::OK();
}

std::string Serialize(const Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

std::string SerializePretty(const Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  w.SetIndent(' ', 4);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

// Keys are string_views that need not end in NUL, so look them up through a
// length-carrying Value (a bare StringRef would decay to const char* + strlen).
const Value* Find(const Value& obj, std::string_view key) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(Value(Ref(key)));
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

Value* Find(Value& obj, std::string_view key) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(Value(Ref(key)));
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

const Value* FindPath(const Value& root, std::string_view dotted) {
  const Value* cur = &root;
  size_t start = 0;
  while (cur && start <= dotted.size()) {
    size_t dot = dotted.find('.', start);
    std::string_view part = dotted.substr(start, dot == std::string_view::npos ? dotted.npos : dot - start);
    cur = Find(*cur, part);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return cur;
}

std::string GetString(const Value& obj, std::string_view key, std::string def) {
  const Value* v = Find(obj, key);
  return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : def;
}

std::string GetStringPath(const Value& root, std::string_view dotted, std::string def) {
  const Value* v = FindPath(root, dotted);
  return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : def;
}

int64_t GetInt(const Value& obj, std::string_view key, int64_t def) {
  const Value* v = Find(obj, key);
  return v && v->IsInt64() ? v->GetInt64() : def;
}

bool GetBool(const Value& obj, std::string_view key, bool def) {
  const Value* v = Find(obj, key);
  return v && v->IsBool() ? v->GetBool() : def;
}

Value& EnsureObject(Value& obj, std::string_view key, Allocator& a) {
  Value* v = Find(obj, key);
  if (v) {
    if (!v->IsObject()) v->SetObject();
    return *v;
  }
  obj.AddMember(Str(key, a), Value(rapidjson::kObjectType), a);
  return (obj.MemberEnd() - 1)->value;
}

void SetValue(Value& obj, std::string_view key, Value& val, Allocator& a) {
  Value* v = Find(obj, key);
  if (v) {
    *v = val;  // move
    return;
  }
  obj.AddMember(Str(key, a), val, a);
}

void SetString(Value& obj, std::string_view key, std::string_view val, Allocator& a) {
  Value v = Str(val, a);
  SetValue(obj, key, v, a);
}

void SetInt(Value& obj, std::string_view key, int64_t val, Allocator& a) {
  Value v(val);
  SetValue(obj, key, v, a);
}

void SetBool(Value& obj, std::string_view key, bool val, Allocator& a) {
  Value v(val);
  SetValue(obj, key, v, a);
}

bool Remove(Value& obj, std::string_view key) {
  if (!obj.IsObject()) return false;
  auto it = obj.FindMember(Value(Ref(key)));
  if (it == obj.MemberEnd()) return false;
  obj.EraseMember(it);  // keeps member order (RemoveMember would reorder)
  return true;
}

bool Equal(const Value& a, const Value& b) {
  if (a.IsNumber() && b.IsNumber()) {
    if (a.IsInt64() && b.IsInt64()) return a.GetInt64() == b.GetInt64();
    if (a.IsUint64() && b.IsUint64()) return a.GetUint64() == b.GetUint64();
    return a.GetDouble() == b.GetDouble();
  }
  if (a.GetType() != b.GetType()) return false;
  switch (a.GetType()) {
    case rapidjson::kNullType:
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return true;
    case rapidjson::kStringType:
      return a.GetStringLength() == b.GetStringLength() &&
             std::string_view(a.GetString(), a.GetStringLength()) ==
                 std::string_view(b.GetString(), b.GetStringLength());
    case rapidjson::kArrayType:
      if (a.Size() != b.Size()) return false;
      for (rapidjson::SizeType i = 0; i < a.Size(); ++i)
        if (!Equal(a[i], b[i])) return false;
      return true;
    case rapidjson::kObjectType: {
      if (a.MemberCount() != b.MemberCount()) return false;
      for (auto it = a.MemberBegin(); it != a.MemberEnd(); ++it) {
        auto jt = b.FindMember(it->name);
        if (jt == b.MemberEnd() || !Equal(it->value, jt->value)) return false;
      }
      return true;
    }
    default: return false;
  }
}

}  // namespace dw::json
