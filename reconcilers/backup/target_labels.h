// Container labels -> BackupTarget, plus the value validators every engine
// reuses. This is the injection defence: a value either matches a strict,
// documented pattern or is rejected with a message naming the label and the
// rule; nothing is escaped or repaired.
//
// Two label sets are read:
//  - dockward's, under a configurable prefix (default "dockward.io/backup."):
//    engine, databases (comma list), all-databases, user, path,
//    credentials-secret, name;
//  - the seed tool's "baktainer.*" labels (db.engine, db.name, db.user,
//    db.all, name), so its users can switch without relabelling.
// Per field, dockward's label wins when both are set. Passwords never come
// from labels: baktainer.db.password only produces a warning.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "operator/common/status.h"
#include "reconcilers/backup/engine.h"

namespace dw::backup {

inline constexpr std::string_view kDefaultLabelPrefix = "dockward.io/backup.";

// ^[A-Za-z0-9_][A-Za-z0-9_$.-]{0,62}$ : database and user names. The first
// character can never be '-', so a value can never become an option; '=' is
// excluded so libpq never reads a database name as a connection string.
Status ValidateIdentifier(std::string_view label, std::string_view value);

// Absolute path ('/' first), at most 4096 bytes, no control characters
// (NUL, newline, ...), no "." or ".." segment.
Status ValidateAbsolutePath(std::string_view label, std::string_view value);

// Kubernetes object name (RFC 1123 subdomain): ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$,
// at most 253 characters.
Status ValidateSecretName(std::string_view label, std::string_view value);

// A value shown in an error message: at most 48 bytes, non-printable bytes
// as \xNN, so a hostile label cannot forge log lines.
std::string QuoteForMessage(std::string_view value);

struct ParsedTarget {
  BackupTarget target;
  std::vector<std::string> warnings;  // e.g. ignored password label
};

// Parses and validates the labels of one container. `prefix` is
// BackupPolicy.spec.labelPrefix (empty: kDefaultLabelPrefix). Fails with
// Invalid when no engine label is present, when any recognised label has a
// bad value, or when the engine rejects the combination.
Status ParseTargetLabels(const std::map<std::string, std::string>& labels,
                         std::string_view prefix, ParsedTarget* out);

}  // namespace dw::backup
