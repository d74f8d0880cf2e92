// Shared by the runtime tests that need a real API: the apiserver tests'
// RegistryFixture (ObjectRegistry over an EmbeddedStore in a scratch dir) plus
// an InProcessClient over it.
#pragma once

#include "operator/runtime/inprocess_client.h"
#include "tests/unit/apiserver/registry_fixture.h"

namespace dw::runtime::testing {

using apiserver::testing::Doc;
using apiserver::testing::Eventually;
using apiserver::testing::Policy;
using apiserver::testing::BackupOwnedBy;

class RuntimeFixture : public apiserver::testing::RegistryFixture {
 public:
  explicit RuntimeFixture(int64_t history_events = 10000)
      : RegistryFixture(history_events), client_(&reg()) {}
  InProcessClient& client() { return client_; }

  void DeletePolicy(const std::string& name) {
    apiserver::WriteResult res;
    Status st = reg().Delete(bp(), "default", name, apiserver::DeleteOptions{}, &res);
    INFO(st.ToString());
    REQUIRE(st.ok());
    REQUIRE(res.deleted);
  }

  // Edits spec.schedule, which moves metadata.generation.
  void SetSchedule(const std::string& name, const std::string& schedule) {
    apiserver::WriteResult res;
    Status st = reg().Mutate(
        bp(), "default", name,
        [&](json::Document& d) {
          json::SetString(d["spec"], "schedule", schedule, d.GetAllocator());
          return Status::OK();
        },
        apiserver::WriteOptions{}, &res);
    INFO(st.ToString());
    REQUIRE(st.ok());
  }

 private:
  InProcessClient client_;
};

}  // namespace dw::runtime::testing
