// Drift: whether applying a manifest would change the live object, and
// whether that change is a hand edit being put back (drift) or a new commit
// being rolled out. The would-be object comes from a dryRun=All apply, so
// the server's own defaulting and merge rules decide, not a client-side guess.
#pragma once

#include <string>

#include "operator/json/json.h"

namespace dw::gitops {

// True when `would_be` differs from `live` outside the bookkeeping the
// server touches on every write (metadata.managedFields, resourceVersion,
// generation) and outside status.
bool ContentDiffers(const json::Value& live, const json::Value& would_be);

// Whether metadata.managedFields has an entry for `manager`.
bool ManagedBy(const json::Value& obj, const std::string& manager);

enum class Change {
  kNone,     // the live object already matches the manifest
  kCreate,   // not there yet
  kUpdate,   // the manifest changed since it was last applied
  kRevert,   // the manifest did not change, the live object did: drift
};

// `old_digest`: the manifest digest recorded at the last apply ("" = never
// applied by this GitRepository); `new_digest`: the manifest's digest now.
Change Classify(bool exists, bool differs, const std::string& old_digest, const std::string& new_digest);

const char* ChangeVerb(Change c);  // "unchanged", "created", "configured", "reverted"

}  // namespace dw::gitops
