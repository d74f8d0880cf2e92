#include "operator/runtime/secrets.h"

#include "operator/common/base64.h"

namespace dw::runtime {

Status ReadSecretKey(Client* client, const std::string& ns, const std::string& name,
                     const std::string& key, std::string* out, bool* found) {
  if (found) *found = false;
  const std::string what = "secret \"" + KeyOf(ns, name) + "\"";
  const schema::ResourceInfo* secrets = client->Resolve("v1", "Secret");
  if (!secrets) return Status::Internal("the v1 Secret kind is not served");
  json::Document doc;
  Status st = client->Get(*secrets, ns, name, &doc);
  if (st.IsNotFound()) return Status::NotFound(what + " not found");
  if (!st.ok()) return st;
  const json::Value* data = json::Find(doc, "data");
  const json::Value* v = data && data->IsObject() ? json::Find(*data, key) : nullptr;
  if (!v || !v->IsString()) {
    out->clear();
    return found ? Status::OK() : Status::Invalid(what + " has no key \"" + key + "\"");
  }
  if (!Base64Decode(std::string_view(v->GetString(), v->GetStringLength()), out)) {
    out->clear();
    return Status::Invalid(what + " key \"" + key + "\" is not valid base64");
  }
  if (found) *found = true;
  return Status::OK();
}

}  // namespace dw::runtime
