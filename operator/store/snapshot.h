// Snapshots: the whole committed map at one revision, as a sequence of put
// records closed by a kSnapshotEnd record (revision + object count). Written
// to "<name>.tmp", fsynced, renamed, directory fsynced: a snapshot file that
// exists under its final name is complete unless the disk damaged it, which
// the per-record CRCs and the end record detect.
#pragma once

#include <cstdint>
#include <string>

#include "operator/common/status.h"
#include "operator/store/objects.h"

namespace dw::store {

// Writes snap-<rev>.db in `dir`. `bytes` receives the file size.
Status WriteSnapshot(const std::string& dir, int64_t rev, const ObjectMap& objects, int64_t* bytes);

// Loads a snapshot file; Corruption if any record is bad or the end record is
// missing or disagrees with its contents.
Status LoadSnapshot(const std::string& path, ObjectMap* objects, int64_t* rev, int64_t* bytes);

}  // namespace dw::store
