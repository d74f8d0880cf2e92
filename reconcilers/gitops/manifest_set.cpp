#include "reconcilers/gitops/manifest_set.h"

#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include "operator/json/yaml.h"

namespace dw::gitops {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxErrors = 20;

bool IsManifestFile(const fs::path& p) {
  auto ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

bool Hidden(const fs::path& p) {
  std::string n = p.filename().string();
  return !n.empty() && n[0] == '.';
}

struct Collector {
  std::vector<std::string> errors;
  void Add(std::string e) {
    if (errors.size() < kMaxErrors) errors.push_back(std::move(e));
    else if (errors.size() == kMaxErrors) errors.push_back("... (more errors not shown)");
  }
  Status Result() const {
    if (errors.empty()) return Status::OK();
    std::string msg;
    for (const auto& e : errors) msg += (msg.empty() ? "" : "\n") + e;
    return Status::Invalid(msg);
  }
};

// Files under dir (relative to root), sorted, without following links.
Status Walk(const fs::path& root, const std::string& rel_dir, const ManifestLimits& limits,
            std::vector<std::string>* files) {
  fs::path dir = rel_dir.empty() ? root : root / rel_dir;
  std::error_code ec;
  auto st = fs::symlink_status(dir, ec);
  if (ec || !fs::exists(st)) return Status::NotFound("path \"" + (rel_dir.empty() ? "./" : rel_dir) + "\" does not exist in the repository");
  if (fs::is_symlink(st)) return Status::Invalid("path \"" + rel_dir + "\" is a symbolic link");
  if (!fs::is_directory(st)) return Status::Invalid("path \"" + rel_dir + "\" is not a directory");
  fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const fs::directory_entry& e = *it;
    if (Hidden(e.path())) {
      if (e.is_directory() && !e.is_symlink()) it.disable_recursion_pending();
      continue;
    }
    if (e.is_symlink() || !e.is_regular_file() || !IsManifestFile(e.path())) continue;
    files->push_back(fs::relative(e.path(), root).generic_string());
    if (files->size() > limits.max_files)
      return Status::Invalid("more than " + std::to_string(limits.max_files) + " manifest files under the path");
  }
  if (ec) return Status::IOError("reading the checkout: " + ec.message());
  std::sort(files->begin(), files->end());
  return Status::OK();
}

}  // namespace

std::string ObjectId::Display() const { return kind + " " + (ns.empty() ? name : ns + "/" + name); }

bool ObjectId::operator<(const ObjectId& o) const {
  return std::tie(api_version, kind, ns, name) < std::tie(o.api_version, o.kind, o.ns, o.name);
}
bool ObjectId::operator==(const ObjectId& o) const {
  return api_version == o.api_version && kind == o.kind && ns == o.ns && name == o.name;
}

std::string ManifestObject::Where(const std::string& field) const {
  std::string f = field;
  while (!f.empty()) {
    auto it = lines.find(f);
    if (it != lines.end()) return file + ":" + std::to_string(it->second);
    size_t cut = f.find_last_of(".[");
    f = cut == std::string::npos ? "" : f.substr(0, cut);
  }
  return file + ":" + std::to_string(line);
}

bool ManagedKind(const std::string& api_version, const std::string& kind) {
  if (api_version.rfind("dockward.io/", 0) == 0) return true;
  return IsNamespace({api_version, kind, "", ""});
}

std::string Sha256Hex(const std::string& text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), md, &len, EVP_sha256(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

Status LoadManifestSet(const std::string& root, const std::string& path, const std::string& default_ns,
                       const KindResolver& resolve, const ManifestLimits& limits,
                       std::vector<ManifestObject>* out) {
  out->clear();
  std::vector<std::string> files;
  DW_RETURN_IF_ERROR(Walk(root, path, limits, &files));
  Collector errs;
  std::map<ObjectId, std::string> seen;  // id -> where
  size_t total = 0;
  for (const auto& file : files) {
    std::error_code ec;
    uintmax_t size = fs::file_size(fs::path(root) / file, ec);
    if (ec) {
      errs.Add(file + ":1: cannot read: " + ec.message());
      continue;
    }
    if (size > limits.max_file_bytes) {
      errs.Add(file + ":1: file is larger than " + std::to_string(limits.max_file_bytes) + " bytes");
      continue;
    }
    total += size;
    if (total > limits.max_total_bytes)
      return Status::Invalid("the manifests under the path exceed " + std::to_string(limits.max_total_bytes) + " bytes");
    std::ifstream in(fs::path(root) / file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::vector<yaml::YamlDocument> docs;
    yaml::ParseOptions po;
    po.source_name = file;
    po.track_lines = true;
    Status st = yaml::ParseAll(ss.str(), po, &docs);
    if (!st.ok()) {
      errs.Add(st.message());  // already "FILE:LINE:COL: ..."
      continue;
    }
    for (auto& d : docs) {
      if (d.doc.IsNull()) continue;
      ManifestObject m;
      m.file = file;
      m.line = d.first_line;
      m.lines = std::move(d.lines);
      std::string here = file + ":" + std::to_string(d.first_line);
      if (!d.doc.IsObject()) {
        errs.Add(here + ": a manifest must be an object");
        continue;
      }
      m.id.api_version = json::GetString(d.doc, "apiVersion");
      m.id.kind = json::GetString(d.doc, "kind");
      m.id.name = json::GetStringPath(d.doc, "metadata.name");
      if (m.id.api_version.empty() || m.id.kind.empty()) {
        errs.Add(m.Where(m.id.api_version.empty() ? "apiVersion" : "kind") + ": apiVersion and kind are required");
        continue;
      }
      if (m.id.kind.size() > 4 && m.id.kind.compare(m.id.kind.size() - 4, 4, "List") == 0) {
        errs.Add(here + ": " + m.id.kind + " is not supported: write one object per document");
        continue;
      }
      if (!ManagedKind(m.id.api_version, m.id.kind)) {
        errs.Add(m.Where("kind") + ": kind " + m.id.kind + " (" + m.id.api_version +
                 ") is not managed by GitRepository: only dockward.io kinds and v1 Namespace are");
        continue;
      }
      m.info = resolve(m.id.api_version, m.id.kind);
      if (!m.info) {
        errs.Add(m.Where("kind") + ": no kind " + m.id.kind + " is served in " + m.id.api_version);
        continue;
      }
      if (m.id.name.empty()) {
        errs.Add(m.Where("metadata") + ": metadata.name is required");
        continue;
      }
      auto& a = d.doc.GetAllocator();
      json::Value& meta = json::EnsureObject(d.doc, "metadata", a);
      if (m.info->namespaced) {
        m.id.ns = json::GetString(meta, "namespace");
        if (m.id.ns.empty()) {
          m.id.ns = default_ns;
          json::SetString(meta, "namespace", default_ns, a);
        }
      } else {
        json::Remove(meta, "namespace");
      }
      // Status is the controllers' to write; a manifest's would be ignored.
      json::Remove(d.doc, "status");
      auto [it, fresh] = seen.emplace(m.id, here);
      if (!fresh) {
        errs.Add(here + ": " + m.id.Display() + " is also defined at " + it->second);
        continue;
      }
      m.digest = Sha256Hex(json::Serialize(d.doc));
      m.doc = std::make_shared<json::Document>(std::move(d.doc));
      out->push_back(std::move(m));
    }
  }
  return errs.Result();
}

}  // namespace dw::gitops
