// The set of database engines, looked up by the name used in labels and in
// BackupPolicy targets. Engines are stateless singletons: lookups never
// allocate and the pointers stay valid for the life of the process.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reconcilers/backup/engine.h"

namespace dw::backup {

// nullptr for an unknown name. Names are case-sensitive; "postgresql" is an
// alias of "postgres" (baktainer accepted both).
const DatabaseEngine* FindEngine(std::string_view name);

// Like FindEngine, with an Invalid status naming the supported engines.
Status LookupEngine(std::string_view name, const DatabaseEngine** out);

// Canonical names, in documentation order.
const std::vector<std::string_view>& SupportedEngines();
// "postgres, mysql, mariadb, sqlite, redis" for messages.
std::string SupportedEngineList();

}  // namespace dw::backup
