#include "reconcilers/backup/target_labels.h"

#include <cstdio>
#include <optional>

#include "reconcilers/backup/engine_registry.h"

namespace dw::backup {
namespace {

constexpr size_t kMaxIdentifier = 63;
constexpr size_t kMaxPath = 4096;
constexpr size_t kMaxSecretName = 253;
constexpr size_t kMaxDatabases = 64;

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

Status Reject(std::string_view label, std::string_view value, std::string_view rule) {
  return Status::Invalid("label \"" + std::string(label) + "\": value " +
                         QuoteForMessage(value) + " rejected: " + std::string(rule));
}

// One label value looked up under dockward's prefix first, then baktainer's.
struct Pick {
  std::string label;
  std::string value;
  bool from_dockward = false;
};

std::optional<Pick> Lookup(const std::map<std::string, std::string>& labels,
                           const std::string& dockward_key, const char* baktainer_key) {
  if (auto it = labels.find(dockward_key); it != labels.end()) {
    return Pick{it->first, it->second, true};
  }
  if (baktainer_key == nullptr) return std::nullopt;
  if (auto it = labels.find(baktainer_key); it != labels.end()) {
    return Pick{it->first, it->second, false};
  }
  return std::nullopt;
}

Status ParseBool(const Pick& p, bool* out) {
  if (p.value == "true") { *out = true; return Status::OK(); }
  if (p.value == "false") { *out = false; return Status::OK(); }
  return Reject(p.label, p.value, "must be \"true\" or \"false\"");
}

// Comma list of identifiers; blanks around commas are tolerated, empty items
// and duplicates are not.
Status ParseDatabases(const Pick& p, std::vector<std::string>* out) {
  if (p.value.size() > kMaxDatabases * (kMaxIdentifier + 2)) {
    return Reject(p.label, p.value, "list longer than " +
                  std::to_string(kMaxDatabases * (kMaxIdentifier + 2)) + " bytes");
  }
  std::string_view rest = p.value;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    DW_RETURN_IF_ERROR(ValidateIdentifier(p.label, item));
    for (const auto& seen : *out) {
      if (seen == item) return Reject(p.label, p.value, "database listed twice");
    }
    out->emplace_back(item);
    if (out->size() > kMaxDatabases) {
      return Reject(p.label, p.value, "more than " + std::to_string(kMaxDatabases) + " databases");
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return Status::OK();
}

void NoteSource(bool from_dockward, bool* any_dockward, bool* any_baktainer) {
  (from_dockward ? *any_dockward : *any_baktainer) = true;
}

}  // namespace

std::string QuoteForMessage(std::string_view value) {
  constexpr size_t kShown = 48;
  std::string out = "\"";
  for (size_t i = 0; i < value.size() && i < kShown; ++i) {
    unsigned char c = static_cast<unsigned char>(value[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  if (value.size() > kShown) out += " (" + std::to_string(value.size()) + " bytes, truncated)";
  return out;
}

Status ValidateIdentifier(std::string_view label, std::string_view value) {
  static constexpr std::string_view kRule =
      "must match ^[A-Za-z0-9_][A-Za-z0-9_$.-]{0,62}$ (letters, digits, _ $ . -; "
      "1-63 characters; not starting with '-')";
  if (value.empty() || value.size() > kMaxIdentifier) return Reject(label, value, kRule);
  if (!IsAlnum(value[0]) && value[0] != '_') return Reject(label, value, kRule);
  for (char c : value) {
    if (!IsAlnum(c) && c != '_' && c != '$' && c != '.' && c != '-') {
      return Reject(label, value, kRule);
    }
  }
  return Status::OK();
}

Status ValidateAbsolutePath(std::string_view label, std::string_view value) {
  if (value.empty() || value[0] != '/') return Reject(label, value, "must be an absolute path");
  if (value.size() > kMaxPath) {
    return Reject(label, value, "path longer than " + std::to_string(kMaxPath) + " bytes");
  }
  for (char c : value) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return Reject(label, value, "path must not contain control characters (NUL, newline, ...)");
    }
  }
  size_t start = 1;
  while (start <= value.size()) {
    size_t slash = value.find('/', start);
    std::string_view seg = value.substr(start, slash == std::string_view::npos
                                                    ? std::string_view::npos : slash - start);
    if (seg == "." || seg == "..") return Reject(label, value, "path must not contain . or .. segments");
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (value.back() == '/') return Reject(label, value, "path must name a file, not a directory");
  return Status::OK();
}

Status ValidateSecretName(std::string_view label, std::string_view value) {
  static constexpr std::string_view kRule =
      "must be a Kubernetes object name: ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$, at most 253 characters";
  if (value.empty() || value.size() > kMaxSecretName) return Reject(label, value, kRule);
  auto lower_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_alnum(value.front()) || !lower_alnum(value.back())) return Reject(label, value, kRule);
  for (char c : value) {
    if (!lower_alnum(c) && c != '-' && c != '.') return Reject(label, value, kRule);
  }
  return Status::OK();
}

Status ParseTargetLabels(const std::map<std::string, std::string>& labels,
                         std::string_view prefix_in, ParsedTarget* out) {
  const std::string prefix(prefix_in.empty() ? kDefaultLabelPrefix : prefix_in);
  *out = ParsedTarget{};
  BackupTarget& t = out->target;
  bool any_dockward = false, any_baktainer = false;

  auto engine = Lookup(labels, prefix + "engine", "baktainer.db.engine");
  if (!engine) {
    return Status::Invalid("no engine label: set \"" + prefix + "engine\" (or \"baktainer.db.engine\")");
  }
  const DatabaseEngine* impl = FindEngine(engine->value);
  if (impl == nullptr) {
    return Reject(engine->label, engine->value, "unsupported engine; supported: " + SupportedEngineList());
  }
  t.engine = std::string(impl->name());
  NoteSource(engine->from_dockward, &any_dockward, &any_baktainer);

  auto databases = Lookup(labels, prefix + "databases", "baktainer.db.name");
  if (databases && !databases->from_dockward && t.engine == "sqlite") {
    // baktainer names the SQLite file in db.name; dockward's "path" wins.
    if (labels.count(prefix + "path") == 0) {
      DW_RETURN_IF_ERROR(ValidateAbsolutePath(databases->label, databases->value));
      t.sqlite_path = databases->value;
      any_baktainer = true;
    }
  } else if (databases) {
    DW_RETURN_IF_ERROR(ParseDatabases(*databases, &t.databases));
    NoteSource(databases->from_dockward, &any_dockward, &any_baktainer);
  }
  if (auto p = Lookup(labels, prefix + "all-databases", "baktainer.db.all")) {
    DW_RETURN_IF_ERROR(ParseBool(*p, &t.all_databases));
    NoteSource(p->from_dockward, &any_dockward, &any_baktainer);
  }
  if (auto p = Lookup(labels, prefix + "user", "baktainer.db.user")) {
    DW_RETURN_IF_ERROR(ValidateIdentifier(p->label, p->value));
    t.user = p->value;
    NoteSource(p->from_dockward, &any_dockward, &any_baktainer);
  }
  if (auto p = Lookup(labels, prefix + "path", nullptr)) {
    DW_RETURN_IF_ERROR(ValidateAbsolutePath(p->label, p->value));
    t.sqlite_path = p->value;
    any_dockward = true;
  }
  if (auto p = Lookup(labels, prefix + "credentials-secret", nullptr)) {
    DW_RETURN_IF_ERROR(ValidateSecretName(p->label, p->value));
    t.credentials_secret = p->value;
    any_dockward = true;
  }
  if (auto p = Lookup(labels, prefix + "name", "baktainer.name")) {
    DW_RETURN_IF_ERROR(ValidateIdentifier(p->label, p->value));
    t.name = p->value;
    NoteSource(p->from_dockward, &any_dockward, &any_baktainer);
  }
  if (labels.count("baktainer.db.password") != 0) {
    out->warnings.push_back(
        "label \"baktainer.db.password\" is ignored: passwords are read only from the Secret named by \"" +
        prefix + "credentials-secret\"");
  }
  if (labels.count(prefix + "password") != 0) {
    out->warnings.push_back("label \"" + prefix +
                            "password\" is ignored: passwords are read only from Secrets");
  }
  t.source = any_dockward && any_baktainer ? LabelSource::kMixed
             : any_dockward               ? LabelSource::kDockward
                                          : LabelSource::kBaktainer;
  return impl->Validate(t);
}

}  // namespace dw::backup
