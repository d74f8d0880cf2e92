#include "operator/store/objects.h"

namespace dw::store {

std::shared_ptr<const meta::Labels> NoLabels() {
  static const auto empty = std::make_shared<const meta::Labels>();
  return empty;
}

std::shared_ptr<const meta::Labels> LabelsPtr(const json::Value& obj) {
  meta::Labels labels = meta::LabelsOf(obj);
  if (labels.empty()) return NoLabels();
  return std::make_shared<const meta::Labels>(std::move(labels));
}

Status ObjectFromBytes(std::string key, int64_t rev, std::string data, Object* out) {
  json::Document doc;
  Status st = json::Parse(data, &doc);
  if (!st.ok()) return Status::Corruption("stored object " + key + ": " + st.message());
  out->labels = LabelsPtr(doc);
  out->key = std::move(key);
  out->rv = rev;
  out->data = std::make_shared<const std::string>(std::move(data));
  return Status::OK();
}

}  // namespace dw::store
