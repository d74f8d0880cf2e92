#include "operator/docker/filters.h"

#include "operator/http/client.h"
#include "operator/json/json.h"

namespace dw::docker {

std::string FiltersJson(const Filters& filters) {
  json::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  for (const auto& [name, values] : filters) {
    json::Value arr(rapidjson::kArrayType);
    for (const auto& v : values) arr.PushBack(json::Str(v, a), a);
    doc.AddMember(json::Str(name, a), arr, a);
  }
  return json::Serialize(doc);
}

std::string FiltersQuery(const Filters& filters) {
  if (filters.empty()) return "";
  return "filters=" + http::QueryEscape(FiltersJson(filters));
}

}  // namespace dw::docker
