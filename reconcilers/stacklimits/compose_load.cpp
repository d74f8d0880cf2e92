#include "reconcilers/stacklimits/compose_load.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace dw::stacklimits {

namespace {

// "a.b[2]" -> "a.b", "a.b" -> "a", "a" -> "".
std::string_view ParentPath(std::string_view p) {
  size_t cut = p.find_last_of(".[");
  return cut == std::string_view::npos ? std::string_view() : p.substr(0, cut);
}

int LineIn(const ComposeFile& f, std::string_view path, bool walk_up) {
  while (!path.empty()) {
    auto it = f.yaml.lines.find(std::string(path));
    if (it != f.yaml.lines.end()) return it->second;
    if (!walk_up) return 0;
    path = ParentPath(path);
  }
  return 0;
}

std::string Where(const ComposeFile& f, std::string_view path) {
  int line = LineIn(f, path, true);
  return f.path + ":" + std::to_string(line > 0 ? line : f.yaml.first_line) + ": ";
}

bool IsExtension(const json::Value::ConstMemberIterator& m) {
  return m->name.GetStringLength() >= 2 && std::strncmp(m->name.GetString(), "x-", 2) == 0;
}

// Legacy v1 files have their services at the top level: move them under
// "services" and rewrite the recorded paths to match.
void WrapLegacy(ComposeFile* f) {
  json::Document& d = f->yaml.doc;
  json::Value services(std::move(static_cast<json::Value&>(d)));
  d.SetObject();
  d.AddMember("services", services, d.GetAllocator());
  std::map<std::string, int> lines;
  for (auto& [p, l] : f->yaml.lines) lines.emplace("services." + p, l);
  f->yaml.lines = std::move(lines);
}

struct Walker {
  const VarMap& vars;
  ComposeFile* file;
  std::vector<ComposeNote>* notes;
  json::Allocator& a;

  Status Walk(json::Value& v, const std::string& path, const std::string& service) {
    if (v.IsString()) return One(v, path, service);
    if (v.IsArray()) {
      for (rapidjson::SizeType i = 0; i < v.Size(); ++i)
        DW_RETURN_IF_ERROR(Walk(v[i], path + "[" + std::to_string(i) + "]", service));
    } else if (v.IsObject()) {
      bool services_root = path == "services";
      for (auto& m : v.GetObject()) {
        std::string key = m.name.GetString();
        std::string child = path.empty() ? key : path + "." + key;
        DW_RETURN_IF_ERROR(Walk(m.value, child, services_root ? key : service));
      }
    }
    return Status::OK();
  }

  Status One(json::Value& v, const std::string& path, const std::string& service) {
    std::string_view in(v.GetString(), v.GetStringLength());
    if (in.find('$') == std::string_view::npos) return Status::OK();
    std::string out;
    std::vector<std::string> unset;
    Status st = Interpolate(in, vars, &out, &unset);
    if (!st.ok()) return Status::Invalid(Where(*file, path) + st.message() + " (in " + path + ")");
    for (const auto& name : unset) {
      notes->push_back({file->path, LineIn(*file, path, true), service,
                        "variable \"" + name + "\" is not set: substituting an empty string"});
    }
    v.SetString(out.data(), static_cast<rapidjson::SizeType>(out.size()), a);
    return Status::OK();
  }
};

// --- merging ---------------------------------------------------------------

bool In(std::string_view k, std::initializer_list<std::string_view> set) {
  for (auto s : set)
    if (s == k) return true;
  return false;
}

// environment/labels in list form -> map; `bare_null` gives "K" a null value
// (environment: taken from the shell) rather than "" (labels).
json::Value ToMap(const json::Value& v, bool bare_null, json::Allocator& a) {
  if (v.IsObject()) return json::Copy(v, a);
  json::Value out(rapidjson::kObjectType);
  if (!v.IsArray()) return out;
  for (const auto& item : v.GetArray()) {
    if (!item.IsString()) continue;
    std::string_view s(item.GetString(), item.GetStringLength());
    size_t eq = s.find('=');
    json::Value val;
    if (eq != std::string_view::npos) val = json::Str(s.substr(eq + 1), a);
    else if (!bare_null) val = json::Str("", a);
    std::string_view key = s.substr(0, eq);
    json::Remove(out, key);
    out.AddMember(json::Str(key, a), val, a);
  }
  return out;
}

void MergeMap(json::Value& base, const json::Value& over, json::Allocator& a) {
  for (const auto& m : over.GetObject()) {
    json::Value copy = json::Copy(m.value, a);
    json::SetValue(base, std::string_view(m.name.GetString(), m.name.GetStringLength()), copy, a);
  }
}

json::Value AsList(const json::Value& v, json::Allocator& a) {
  if (v.IsArray()) return json::Copy(v, a);
  json::Value out(rapidjson::kArrayType);
  if (!v.IsNull()) out.PushBack(json::Copy(v, a), a);
  return out;
}

void Union(json::Value& base, const json::Value& over, json::Allocator& a) {
  json::Value merged = AsList(base, a);
  json::Value add = AsList(over, a);
  for (auto& item : add.GetArray()) {
    bool seen = false;
    for (const auto& have : merged.GetArray()) seen = seen || json::Equal(have, item);
    if (!seen) merged.PushBack(json::Value(item, a), a);
  }
  base = std::move(merged);
}

// The container path of a volumes entry ("src:dst:ro" -> dst, "dst" -> dst).
std::string VolumeTarget(const json::Value& v) {
  if (v.IsObject()) return json::GetString(v, "target");
  if (!v.IsString()) return "";
  std::string s = v.GetString();
  size_t c1 = s.find(':');
  if (c1 == std::string::npos) return s;
  size_t c2 = s.find(':', c1 + 1);
  return s.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1);
}

void MergeVolumes(json::Value& base, const json::Value& over, json::Allocator& a) {
  json::Value add = AsList(over, a);
  json::Value out(rapidjson::kArrayType);
  json::Value old = AsList(base, a);
  for (auto& item : old.GetArray()) {
    std::string t = VolumeTarget(item);
    bool replaced = false;
    for (const auto& o : add.GetArray()) replaced = replaced || (!t.empty() && VolumeTarget(o) == t);
    if (!replaced) out.PushBack(json::Value(item, a), a);
  }
  for (auto& item : add.GetArray()) out.PushBack(json::Value(item, a), a);
  base = std::move(out);
}

void DeepMerge(json::Value& base, const json::Value& over, json::Allocator& a) {
  if (!base.IsObject() || !over.IsObject()) {
    base = json::Copy(over, a);
    return;
  }
  for (const auto& m : over.GetObject()) {
    std::string_view key(m.name.GetString(), m.name.GetStringLength());
    json::Value* have = json::Find(base, key);
    if (have && have->IsObject() && m.value.IsObject()) {
      DeepMerge(*have, m.value, a);
    } else {
      json::Value copy = json::Copy(m.value, a);
      json::SetValue(base, key, copy, a);
    }
  }
}

void MergeField(json::Value& field, std::string_view key, const json::Value& over, json::Allocator& a) {
  if (In(key, {"environment", "labels", "sysctls", "extra_hosts"})) {
    bool bare_null = key == "environment";
    json::Value merged = ToMap(field, bare_null, a);
    MergeMap(merged, ToMap(over, bare_null, a), a);
    field = std::move(merged);
  } else if (In(key, {"cap_add", "cap_drop", "security_opt", "dns", "dns_search", "env_file", "expose",
                      "ports", "external_links", "volumes_from", "devices"})) {
    Union(field, over, a);
  } else if (key == "volumes") {
    MergeVolumes(field, over, a);
  } else if (key == "logging") {
    std::string was = json::GetString(field, "driver"), now = json::GetString(over, "driver");
    if (!now.empty() && !was.empty() && now != was) field = json::Copy(over, a);
    else DeepMerge(field, over, a);
  } else if (key == "healthcheck") {
    if (json::GetBool(over, "disable") || !field.IsObject() || !over.IsObject()) field = json::Copy(over, a);
    else MergeMap(field, over, a);
  } else if (In(key, {"deploy", "build", "ulimits"})) {
    DeepMerge(field, over, a);
  } else {
    field = json::Copy(over, a);
  }
}

}  // namespace

std::pair<const std::string*, int> ComposeModel::Locate(std::string_view path) const {
  for (std::string_view p = path; !p.empty(); p = ParentPath(p)) {
    for (auto f = files.rbegin(); f != files.rend(); ++f) {
      int line = LineIn(*f, p, false);
      if (line > 0) return {&f->path, line};
    }
  }
  return {nullptr, 0};
}

Status ParseComposeFile(std::string_view text, const std::string& path, ComposeFile* out) {
  out->path = path;
  size_t slash = path.find_last_of('/');
  out->dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  std::vector<yaml::YamlDocument> docs;
  yaml::ParseOptions po;
  po.source_name = path;
  DW_RETURN_IF_ERROR(yaml::ParseAll(text, po, &docs));
  if (docs.empty()) return Status::Invalid(path + ": empty compose file");
  if (docs.size() > 1) {
    return Status::Invalid(path + ":" + std::to_string(docs[1].first_line) +
                           ": a compose file holds one YAML document");
  }
  out->yaml = std::move(docs[0]);
  json::Document& d = out->yaml.doc;
  if (!d.IsObject()) return Status::Invalid(Where(*out, "") + "top level must be a mapping");
  for (auto m = d.MemberBegin(); m != d.MemberEnd();) {
    if (IsExtension(m)) m = d.EraseMember(m);
    else ++m;
  }
  if (!json::Find(d, "services") && !json::Find(d, "version")) WrapLegacy(out);
  json::Value* services = json::Find(d, "services");
  if (!services || services->IsNull()) {
    json::Value empty(rapidjson::kObjectType);
    json::SetValue(d, "services", empty, d.GetAllocator());
    return Status::OK();
  }
  if (!services->IsObject()) return Status::Invalid(Where(*out, "services") + "services must be a mapping");
  for (const auto& s : services->GetObject()) {
    std::string name = s.name.GetString();
    if (!s.value.IsObject()) {
      return Status::Invalid(Where(*out, "services." + name) + "service \"" + name + "\" must be a mapping");
    }
  }
  return Status::OK();
}

Status InterpolateComposeFile(const VarMap& vars, ComposeFile* file, std::vector<ComposeNote>* notes) {
  Walker w{vars, file, notes, file->yaml.doc.GetAllocator()};
  return w.Walk(file->yaml.doc, "", "");
}

void MergeService(json::Value& base, const json::Value& over, json::Allocator& a) {
  for (const auto& m : over.GetObject()) {
    std::string_view key(m.name.GetString(), m.name.GetStringLength());
    json::Value* have = json::Find(base, key);
    if (!have || have->IsNull()) {
      json::Value copy = json::Copy(m.value, a);
      json::SetValue(base, key, copy, a);
      continue;
    }
    MergeField(*have, key, m.value, a);
  }
}

Status LoadComposeModel(const std::vector<std::string>& paths, const VarMap& vars, ComposeModel* out,
                        std::vector<ComposeNote>* notes) {
  if (paths.empty()) return Status::Invalid("no compose file given");
  out->services.SetObject();
  auto& a = out->services.GetAllocator();
  for (const auto& p : paths) {
    std::string text;
    DW_RETURN_IF_ERROR(ReadTextFile(p, &text));
    ComposeFile f;
    DW_RETURN_IF_ERROR(ParseComposeFile(text, p, &f));
    DW_RETURN_IF_ERROR(InterpolateComposeFile(vars, &f, notes));
    for (const auto& s : json::Find(f.yaml.doc, "services")->GetObject()) {
      std::string_view name(s.name.GetString(), s.name.GetStringLength());
      if (json::Value* have = json::Find(out->services, name)) {
        MergeService(*have, s.value, a);
      } else {
        out->services.AddMember(json::Str(name, a), json::Copy(s.value, a), a);
      }
    }
    out->files.push_back(std::move(f));
  }
  return Status::OK();
}

Status ReadTextFile(const std::string& path, std::string* out) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    int e = errno;
    std::string msg = path + ": " + std::strerror(e);
    return e == ENOENT ? Status::NotFound(msg) : Status::IOError(msg);
  }
  out->clear();
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out->append(buf, n);
  bool err = std::ferror(f);
  std::fclose(f);
  if (err) return Status::IOError(path + ": read error");
  return Status::OK();
}

}  // namespace dw::stacklimits
