// metav1.Condition helpers for a status object's "conditions" list (a map
// list keyed by type). SetCondition follows apimachinery's meta.SetStatusCondition:
// lastTransitionTime moves only when status changes, so "how long has it been
// Ready" stays truthful across reconciles that repeat the same verdict.
#pragma once

#include <cstdint>
#include <string>

#include "operator/common/clock.h"
#include "operator/json/json.h"

namespace dw::runtime {

struct Condition {
  std::string type;     // "Ready"
  std::string status;   // "True", "False", "Unknown"
  std::string reason;   // CamelCase, required by the metav1.Condition schema
  std::string message;
  int64_t observed_generation = 0;  // 0: not written
};

// Adds or updates the condition in status.conditions (created if needed).
// Returns true when anything changed (the caller then writes status).
bool SetCondition(json::Value& status, json::Allocator& a, const Condition& c,
                  clock::TimePoint now = clock::Now());
// The condition of that type, or nullptr.
const json::Value* FindCondition(const json::Value& status, const std::string& type);
bool IsTrue(const json::Value& status, const std::string& type);
// Removes the condition; true if it was present.
bool RemoveCondition(json::Value& status, const std::string& type);

}  // namespace dw::runtime
