#include "operator/cli/output.h"

#include <algorithm>

#include "operator/json/yaml.h"
#include "operator/jsonpath/jsonpath.h"

namespace dw::cli {

void SortKeys(json::Value& v) {
  if (v.IsArray()) {
    for (auto& e : v.GetArray()) SortKeys(e);
    return;
  }
  if (!v.IsObject()) return;
  for (auto& m : v.GetObject()) SortKeys(m.value);
  std::sort(v.MemberBegin(), v.MemberEnd(), [](const auto& a, const auto& b) {
    return std::string_view(a.name.GetString(), a.name.GetStringLength()) <
           std::string_view(b.name.GetString(), b.name.GetStringLength());
  });
}

void MakeList(std::vector<json::Document>& items, json::Document* out) {
  out->SetObject();
  auto& a = out->GetAllocator();
  json::SetString(*out, "apiVersion", "v1", a);
  json::Value arr(rapidjson::kArrayType);
  for (auto& d : items) {
    json::Value copy(d, a);
    SortKeys(copy);
    arr.PushBack(copy, a);
  }
  json::SetValue(*out, "items", arr, a);
  json::SetString(*out, "kind", "List", a);
  json::Value md(rapidjson::kObjectType);
  json::SetString(md, "resourceVersion", "", a);
  json::SetValue(*out, "metadata", md, a);
}

bool IsObjectFormat(const std::string& f) {
  return f == "yaml" || f == "json" || f == "name" || f.rfind("jsonpath=", 0) == 0 ||
         f.rfind("jsonpath-as-json=", 0) == 0;
}

namespace {

std::string NameOf(const json::Value& obj, const ApiResource* res) {
  std::string name = json::GetStringPath(obj, "metadata.name");
  if (res) return res->KindGroup() + "/" + name;
  std::string kind = json::GetString(obj, "kind");
  std::transform(kind.begin(), kind.end(), kind.begin(), ::tolower);
  std::string av = json::GetString(obj, "apiVersion");
  auto slash = av.find('/');
  if (slash != std::string::npos) kind += "." + av.substr(0, slash);
  return kind + "/" + name;
}

}  // namespace

Status FormatObject(const std::string& format, json::Value& obj, const ApiResource* res,
                    std::string* out) {
  if (format == "yaml") {
    SortKeys(obj);
    *out += yaml::Emit(obj);
    if (out->empty() || out->back() != '\n') *out += '\n';
    return Status::OK();
  }
  if (format == "json") {
    SortKeys(obj);
    *out += json::SerializePretty(obj) + "\n";
    return Status::OK();
  }
  if (format == "name") {
    const json::Value* items = json::Find(obj, "items");
    if (json::GetString(obj, "kind") == "List" && items && items->IsArray()) {
      for (const auto& it : items->GetArray()) *out += NameOf(it, res) + "\n";
    } else {
      *out += NameOf(obj, res) + "\n";
    }
    return Status::OK();
  }
  std::string tmpl = format.substr(format.find('=') + 1);
  jsonpath::JsonPath jp;
  Status st = jsonpath::JsonPath::Parse(tmpl, &jp);
  if (!st.ok()) return Status::BadRequest("error: error parsing jsonpath " + tmpl + ", " + st.message());
  std::string text;
  st = jp.Execute(obj, false, &text);
  if (!st.ok()) return Status::BadRequest("error: error executing jsonpath \"" + tmpl + "\": " + st.message());
  *out += text;
  return Status::OK();
}

}  // namespace dw::cli
