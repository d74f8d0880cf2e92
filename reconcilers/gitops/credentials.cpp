#include "reconcilers/gitops/credentials.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "operator/common/base64.h"

namespace dw::gitops {

namespace {

// true and the decoded value when `key` is in data; false when absent.
Status Key(const json::Value* data, const std::string& what, const char* key, bool* found, std::string* out) {
  *found = false;
  out->clear();
  const json::Value* v = data && data->IsObject() ? json::Find(*data, key) : nullptr;
  if (!v || !v->IsString()) return Status::OK();
  if (!Base64Decode(std::string_view(v->GetString(), v->GetStringLength()), out)) {
    out->clear();
    return Status::Invalid(what + " key \"" + key + "\" is not valid base64");
  }
  *found = true;
  return Status::OK();
}

// At least one certificate parses, so a pasted key or a DER file fails here
// with a clear message instead of as a TLS error at every fetch.
bool HasPemCertificate(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (!bio) return false;
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  bool ok = cert != nullptr;
  X509_free(cert);
  BIO_free(bio);
  return ok;
}

}  // namespace

Status CredentialsFromSecret(const json::Value& secret, const std::string& what, GitCredentials* out) {
  *out = GitCredentials{};
  const json::Value* data = json::Find(secret, "data");
  bool has_user = false, has_password = false, has_ca = false;
  DW_RETURN_IF_ERROR(Key(data, what, "username", &has_user, &out->username));
  DW_RETURN_IF_ERROR(Key(data, what, "password", &has_password, &out->password));
  DW_RETURN_IF_ERROR(Key(data, what, "ca.crt", &has_ca, &out->ca_pem));
  if (has_ca && !HasPemCertificate(out->ca_pem)) {
    *out = GitCredentials{};
    return Status::Invalid(what + " key \"ca.crt\" holds no PEM certificate");
  }
  if (!has_password && (has_user || !has_ca)) {
    *out = GitCredentials{};
    return Status::Invalid(what + " has no key \"password\"" + (has_user ? "" : " (nor \"ca.crt\")"));
  }
  // Token-only hosts accept any user name.
  if (has_password && !has_user) out->username = "git";
  return Status::OK();
}

Status ReadGitCredentials(runtime::Client* client, const std::string& ns, const std::string& name,
                          GitCredentials* out) {
  const std::string what = "secret \"" + runtime::KeyOf(ns, name) + "\"";
  const schema::ResourceInfo* secrets = client->Resolve("v1", "Secret");
  if (!secrets) return Status::Internal("the v1 Secret kind is not served");
  json::Document doc;
  Status st = client->Get(*secrets, ns, name, &doc);
  if (st.IsNotFound()) return Status::NotFound(what + " not found");
  DW_RETURN_IF_ERROR(st);
  return CredentialsFromSecret(doc, what, out);
}

}  // namespace dw::gitops
