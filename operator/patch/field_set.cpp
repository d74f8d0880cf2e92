#include "operator/patch/field_set.h"

#include <algorithm>
#include <cstdlib>

namespace dw::patch {
namespace {

int Rank(char c) {
  switch (c) {
    case 'f': return 0;
    case 'k': return 1;
    case 'v': return 2;
    default: return 3;
  }
}

}  // namespace

bool PathElementLess::operator()(const std::string& a, const std::string& b) const {
  int ra = a.empty() ? 4 : Rank(a[0]);
  int rb = b.empty() ? 4 : Rank(b[0]);
  if (ra != rb) return ra < rb;
  if (ra == 3 && a.size() != b.size()) return a.size() < b.size();  // "i:" digits: numeric order
  return a < b;
}

const FieldSet* FieldSet::Find(const std::string& pe) const {
  auto it = children.find(pe);
  return it == children.end() ? nullptr : &it->second;
}

void FieldSet::Insert(const Path& path) {
  FieldSet* cur = this;
  for (const auto& pe : path) cur = &cur->children[pe];
  cur->member = true;
}

bool FieldSet::Has(const Path& path) const {
  const FieldSet* cur = this;
  for (const auto& pe : path) {
    cur = cur->Find(pe);
    if (cur == nullptr) return false;
  }
  return cur->member;
}

void FieldSet::Union(const FieldSet& o) {
  member = member || o.member;
  for (const auto& [pe, child] : o.children) children[pe].Union(child);
}

void FieldSet::Subtract(const FieldSet& o) {
  if (o.member) member = false;
  for (const auto& [pe, child] : o.children) {
    auto it = children.find(pe);
    if (it == children.end()) continue;
    it->second.Subtract(child);
    if (it->second.Empty()) children.erase(it);
  }
}

FieldSet FieldSet::Intersect(const FieldSet& o) const {
  FieldSet out;
  out.member = member && o.member;
  for (const auto& [pe, child] : children) {
    const FieldSet* other = o.Find(pe);
    if (other == nullptr) continue;
    FieldSet sub = child.Intersect(*other);
    if (!sub.Empty()) out.children.emplace(pe, std::move(sub));
  }
  return out;
}

void FieldSet::ForEachMember(const std::function<void(const Path&)>& fn) const {
  Path prefix;
  Walk(prefix, fn);
}

void FieldSet::Walk(Path& prefix, const std::function<void(const Path&)>& fn) const {
  if (member) fn(prefix);
  for (const auto& [pe, child] : children) {
    prefix.push_back(pe);
    child.Walk(prefix, fn);
    prefix.pop_back();
  }
}

void FieldSet::ToFieldsV1(json::Value* out, json::Allocator& a) const {
  out->SetObject();
  if (member && !children.empty()) out->AddMember(".", json::Value(rapidjson::kObjectType), a);
  for (const auto& [pe, child] : children) {
    json::Value v;
    child.ToFieldsV1(&v, a);
    out->AddMember(json::Str(pe, a), v, a);
  }
}

Status FieldSet::FromFieldsV1(const json::Value& v, FieldSet* out) {
  if (!v.IsObject()) return Status::BadRequest("fieldsV1 must be an object");
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    std::string pe(it->name.GetString(), it->name.GetStringLength());
    if (pe == ".") {
      out->member = true;
      continue;
    }
    if (pe.size() < 2 || pe[1] != ':' || std::string("fkvi").find(pe[0]) == std::string::npos)
      return Status::BadRequest("fieldsV1 has an invalid path element \"" + pe + "\"");
    FieldSet& child = out->children[pe];
    if (!it->value.IsObject()) return Status::BadRequest("fieldsV1 entry \"" + pe + "\" must be an object");
    if (it->value.MemberCount() == 0) {
      child.member = true;
    } else {
      DW_RETURN_IF_ERROR(FromFieldsV1(it->value, &child));
    }
  }
  return Status::OK();
}

std::string PathString(const Path& path) {
  std::string s;
  for (const auto& pe : path) {
    std::string_view body = std::string_view(pe).substr(2);
    switch (pe[0]) {
      case 'f': s += "."; s += body; break;
      case 'v': s += "[="; s += body; s += "]"; break;
      case 'i': s += "["; s += body; s += "]"; break;
      case 'k': {
        json::Document d;
        if (d.Parse(body.data(), body.size()).HasParseError() || !d.IsObject()) {
          s += "[" + std::string(body) + "]";
          break;
        }
        s += "[";
        bool first = true;
        for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it) {
          if (!first) s += ",";
          first = false;
          s += std::string(it->name.GetString(), it->name.GetStringLength()) + "=" + json::Serialize(it->value);
        }
        s += "]";
        break;
      }
      default: s += pe;
    }
  }
  return s;
}

std::string FieldElement(std::string_view name) { return "f:" + std::string(name); }

std::string ValueElement(const json::Value& v) { return "v:" + json::Serialize(v); }

std::string KeyElement(const json::Value& item, const std::vector<std::string>& keys) {
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  std::string s = "k:{";
  bool first = true;
  for (const auto& k : sorted) {
    const json::Value* v = json::Find(item, k);
    if (v == nullptr) continue;
    if (!first) s += ",";
    first = false;
    rapidjson::Value name(rapidjson::StringRef(k.data(), k.size()));
    s += json::Serialize(name) + ":" + json::Serialize(*v);
  }
  return s + "}";
}

std::string IndexElement(size_t i) { return "i:" + std::to_string(i); }

}  // namespace dw::patch
