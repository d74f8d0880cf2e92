// Shared fixture for the apiserver tests: an ObjectRegistry over a real
// EmbeddedStore in a fresh scratch directory (removed at scope exit), with the
// compiled-in kinds and a "default" namespace, plus small document helpers.
// No server process: these tests drive the lifecycle rules directly.
#pragma once

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "operator/apiserver/object_registry.h"
#include "operator/schema/resource_info.h"
#include "operator/store/store.h"

namespace dw::apiserver::testing {

class ScratchDir {
 public:
  ScratchDir() {
    char tmpl[] = "/tmp/dwapi-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline json::Document Doc(const std::string& text) {
  json::Document d;
  Status st = json::Parse(text, &d);
  INFO(text << " -> " << st.ToString());
  REQUIRE(st.ok());
  return d;
}

inline json::Document Parsed(const store::Object& o) {
  REQUIRE(o.data != nullptr);
  return Doc(*o.data);
}

// A valid BackupPolicy; `spec_extra` is spliced into spec (",\"k\":v" form).
inline json::Document Policy(const std::string& name, const std::string& spec_extra = "",
                             const std::string& meta_extra = "") {
  return Doc(R"({"apiVersion":"dockward.io/v1alpha1","kind":"BackupPolicy","metadata":{"name":")" +
             name + "\"" + meta_extra +
             R"(},"spec":{"schedule":"0 2 * * *","destination":{"path":"/var/backups"})" +
             spec_extra + "}}");
}

// A valid Backup, optionally owned by `owner` (a stored BackupPolicy document).
inline json::Document BackupOwnedBy(const std::string& name, const json::Value* owner) {
  std::string refs;
  if (owner) {
    refs = R"(,"ownerReferences":[{"apiVersion":"dockward.io/v1alpha1","kind":"BackupPolicy","name":")" +
           json::GetStringPath(*owner, "metadata.name") + R"(","uid":")" +
           json::GetStringPath(*owner, "metadata.uid") + R"(","controller":true}])";
  }
  return Doc(R"({"apiVersion":"dockward.io/v1alpha1","kind":"Backup","metadata":{"name":")" + name +
             "\"" + refs + R"(},"spec":{"host":"local","container":"db","engine":"postgres"}})");
}

inline bool HasCause(const Status& st, const std::string& field) {
  for (const auto& c : st.causes())
    if (c.field == field) return true;
  return false;
}

// Polls `cond` every 20 ms for up to `limit`; true once it holds.
inline bool Eventually(const std::function<bool()>& cond,
                       std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

class RegistryFixture {
 public:
  explicit RegistryFixture(int64_t history_events = 10000) {
    store::EmbeddedOptions o;
    o.dir = dir_.path() + "/store";
    o.fsync = false;  // scratch data; durability is the store tests' subject
    o.history_events = history_events;
    Status st = store::OpenEmbedded(o, &store_);
    INFO(st.ToString());
    REQUIRE(st.ok());
    st = schema::ResourceRegistry::LoadBuiltin(&kinds_);
    INFO(st.ToString());
    REQUIRE(st.ok());
    reg_ = std::make_unique<ObjectRegistry>(store_.get(), kinds_.get());
    bp_ = kinds_->ByResource("dockward.io", "backuppolicies");
    backups_ = kinds_->ByResource("dockward.io", "backups");
    ns_ = kinds_->ByResource("", "namespaces");
    secrets_ = kinds_->ByResource("", "secrets");
    REQUIRE(bp_ != nullptr);
    REQUIRE(backups_ != nullptr);
    REQUIRE(ns_ != nullptr);
    REQUIRE(secrets_ != nullptr);
    CreateNamespace("default");
  }
  ~RegistryFixture() {
    if (store_) store_->Close();
  }

  void CreateNamespace(const std::string& name) {
    auto d = Doc(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":")" + name + "\"}}");
    WriteResult res;
    Status st = reg_->Create(*ns_, "", d, WriteOptions{}, &res);
    INFO(st.ToString());
    REQUIRE(st.ok());
  }

  // Creates and returns the stored document (REQUIREs success).
  json::Document MustCreate(const schema::ResourceInfo& r, json::Document obj,
                            const std::string& ns = "default") {
    WriteResult res;
    Status st = reg_->Create(r, ns, obj, WriteOptions{}, &res);
    INFO(st.ToString());
    REQUIRE(st.ok());
    return Parsed(res.object);
  }

  bool Exists(const schema::ResourceInfo& r, const std::string& name, const std::string& ns = "default") {
    store::Object o;
    return reg_->Get(r, ns, name, &o).ok();
  }

  json::Document MustGet(const schema::ResourceInfo& r, const std::string& name,
                         const std::string& ns = "default") {
    store::Object o;
    Status st = reg_->Get(r, ns, name, &o);
    INFO(st.ToString());
    REQUIRE(st.ok());
    return Parsed(o);
  }

  ObjectRegistry& reg() { return *reg_; }
  store::Store& store() { return *store_; }
  const schema::ResourceInfo& bp() const { return *bp_; }
  const schema::ResourceInfo& backups() const { return *backups_; }
  const schema::ResourceInfo& ns() const { return *ns_; }
  const schema::ResourceInfo& secrets() const { return *secrets_; }

 private:
  ScratchDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<schema::ResourceRegistry> kinds_;
  std::unique_ptr<ObjectRegistry> reg_;
  const schema::ResourceInfo* bp_ = nullptr;
  const schema::ResourceInfo* backups_ = nullptr;
  const schema::ResourceInfo* ns_ = nullptr;
  const schema::ResourceInfo* secrets_ = nullptr;
};

}  // namespace dw::apiserver::testing
