// Server-side apply and Update bookkeeping on top of typed_walk, following
// structured-merge-diff's Updater (Apply / update / Update) and the
// apiserver's managedFields encoding.
#include "operator/patch/managed_fields.h"

#include <algorithm>
#include <string_view>
#include <tuple>
#include <vector>

#include "operator/patch/field_set.h"
#include "operator/patch/typed_walk.h"

namespace dw::patch {
namespace {

constexpr const char kApply[] = "Apply";
constexpr const char kUpdate[] = "Update";

struct Manager {
  std::string manager, operation, api_version, time, subresource;
  FieldSet set;

  // Update entries are per API version as upstream; Apply entries are not.
  bool Is(const std::string& m, const std::string& op, const std::string& sub, const std::string& av) const {
    return manager == m && operation == op && subresource == sub && (op == kApply || api_version == av);
  }
  // How conflicts name the manager: "\"mgr\"", plus the version for Update.
  std::string Describe() const {
    std::string s = "\"" + manager + "\"";
    if (!subresource.empty()) s += " with subresource \"" + subresource + "\"";
    if (operation == kUpdate) s += " using " + api_version;
    return s;
  }
};

using Managers = std::vector<Manager>;

const json::Value* ManagedFieldsOf(const json::Value& obj) {
  const json::Value* meta = json::Find(obj, "metadata");
  return meta == nullptr ? nullptr : json::Find(*meta, "managedFields");
}

// Entries that do not parse are dropped, as upstream resets undecodable
// managedFields rather than failing the write.
Managers Decode(const json::Value* list) {
  Managers out;
  if (list == nullptr || !list->IsArray()) return out;
  for (const auto& e : list->GetArray()) {
    if (!e.IsObject()) continue;
    Manager m;
    m.manager = json::GetString(e, "manager");
    m.operation = json::GetString(e, "operation");
    m.api_version = json::GetString(e, "apiVersion");
    m.time = json::GetString(e, "time");
    m.subresource = json::GetString(e, "subresource");
    const json::Value* f = json::Find(e, "fieldsV1");
    if (f == nullptr || !FieldSet::FromFieldsV1(*f, &m.set).ok()) continue;
    out.push_back(std::move(m));
  }
  return out;
}

// Writes the entries (sorted as upstream: operation, time, manager, ...)
// into obj.metadata.managedFields; drops empty sets.
void Encode(Managers& ms, json::Value& obj, json::Allocator& a) {
  ms.erase(std::remove_if(ms.begin(), ms.end(), [](const Manager& m) { return m.set.Empty(); }), ms.end());
  std::sort(ms.begin(), ms.end(), [](const Manager& p, const Manager& q) {
    return std::tie(p.operation, p.time, p.manager, p.api_version, p.subresource) <
           std::tie(q.operation, q.time, q.manager, q.api_version, q.subresource);
  });
  json::Value& meta = json::EnsureObject(obj, "metadata", a);
  if (ms.empty()) {
    auto it = meta.FindMember("managedFields");
    if (it != meta.MemberEnd()) meta.EraseMember(it);
    return;
  }
  json::Value list(rapidjson::kArrayType);
  for (const auto& m : ms) {
    json::Value e(rapidjson::kObjectType);
    json::SetString(e, "manager", m.manager, a);
    json::SetString(e, "operation", m.operation, a);
    json::SetString(e, "apiVersion", m.api_version, a);
    if (!m.time.empty()) json::SetString(e, "time", m.time, a);
    json::SetString(e, "fieldsType", "FieldsV1", a);
    json::Value f;
    m.set.ToFieldsV1(&f, a);
    e.AddMember("fieldsV1", f, a);
    if (!m.subresource.empty()) json::SetString(e, "subresource", m.subresource, a);
    list.PushBack(e, a);
  }
  json::SetValue(meta, "managedFields", list, a);
}

Manager& Entry(Managers& ms, const std::string& op, const ApplyOptions& o) {
  for (auto& m : ms)
    if (m.Is(o.manager, op, o.subresource, o.api_version)) return m;
  Manager m;
  m.manager = o.manager;
  m.operation = op;
  m.subresource = o.subresource;
  ms.push_back(std::move(m));
  return ms.back();
}

Status ConflictStatus(const std::vector<std::pair<const Manager*, Path>>& conflicts) {
  std::vector<FieldCause> causes;
  for (const auto& [m, p] : conflicts)
    causes.push_back({"FieldManagerConflict", PathString(p), "conflict with " + m->Describe()});
  std::string msg;
  if (conflicts.size() == 1) {
    msg = "Apply failed with 1 conflict: conflict with " + conflicts[0].first->Describe() + ": " +
          PathString(conflicts[0].second);
  } else {
    msg = "Apply failed with " + std::to_string(conflicts.size()) + " conflicts: ";
    const Manager* prev = nullptr;
    for (const auto& [m, p] : conflicts) {
      if (m != prev) msg += (prev == nullptr ? "" : "\n") + std::string("conflicts with ") + m->Describe();
      prev = m;
      msg += "\n- " + PathString(p);
    }
  }
  return Status(Code::kConflict, msg, std::move(causes));
}

}  // namespace

Status ServerSideApply(const json::Value* live, const json::Value& applied, const ApplyOptions& opts,
                       json::Document* out) {
  if (opts.manager.empty()) return Status::BadRequest("fieldManager is required for apply requests");
  if (!applied.IsObject()) return Status::BadRequest("apply configuration must be a JSON object");
  if (json::GetString(applied, "apiVersion").empty() || json::GetString(applied, "kind").empty())
    return Status::BadRequest("apply configuration must set apiVersion and kind");
  const json::Value* meta = json::Find(applied, "metadata");
  if (meta == nullptr || json::GetString(*meta, "name").empty())
    return Status::BadRequest("apply configuration must set metadata.name");
  if (const json::Value* mf = ManagedFieldsOf(applied); mf != nullptr && !mf->IsNull())
    return Status::BadRequest("metadata.managedFields must be nil");

  static const json::Value kEmpty(rapidjson::kObjectType);
  const json::Value& from = live != nullptr ? *live : kEmpty;
  json::Allocator& a = out->GetAllocator();
  json::Value merged;
  typed::Merge(from, applied, opts.schema, &merged, a);

  Managers ms = Decode(ManagedFieldsOf(from));
  Manager& me = Entry(ms, kApply, opts);
  FieldSet last = std::move(me.set);
  me.set = typed::ToFieldSet(applied, opts.schema);
  me.set.Subtract(typed::Untracked());
  me.api_version = opts.api_version;
  me.time = opts.now;
  if (!last.Empty()) {
    FieldSet owned;
    for (const auto& m : ms) owned.Union(m.set);
    typed::Prune(merged, last, owned, opts.schema);
  }

  typed::Comparison cmp = typed::Compare(from, merged, opts.schema);
  FieldSet changed = cmp.modified;
  changed.Union(cmp.added);
  std::vector<std::pair<const Manager*, Path>> conflicts;
  std::vector<FieldSet> lost(ms.size());
  for (size_t i = 0; i < ms.size(); ++i) {
    if (&ms[i] == &me) continue;
    lost[i] = ms[i].set.Intersect(changed);
    lost[i].ForEachMember([&](const Path& p) { conflicts.emplace_back(&ms[i], p); });
  }
  if (!conflicts.empty() && !opts.force) {
    std::stable_sort(conflicts.begin(), conflicts.end(),
                     [](const auto& x, const auto& y) { return x.first->Describe() < y.first->Describe(); });
    return ConflictStatus(conflicts);
  }
  for (size_t i = 0; i < ms.size(); ++i) {
    if (&ms[i] == &me) continue;
    ms[i].set.Subtract(lost[i]);
    ms[i].set.Subtract(cmp.removed);
  }
  Encode(ms, merged, a);
  static_cast<json::Value&>(*out).Swap(merged);
  return Status::OK();
}

void RecordUpdate(const json::Value* old_obj, json::Value& new_obj, const ApplyOptions& opts, json::Allocator& a) {
  static const json::Value kEmpty(rapidjson::kObjectType);
  const json::Value& from = old_obj != nullptr ? *old_obj : kEmpty;
  // A client may send managedFields to overwrite them; [{}] resets them.
  const json::Value* sent = ManagedFieldsOf(new_obj);
  Managers ms;
  bool reset = sent != nullptr && sent->IsArray() && sent->Size() == 1 && (*sent)[0].IsObject() &&
               (*sent)[0].MemberCount() == 0;
  if (!reset) ms = Decode(sent != nullptr && sent->IsArray() && !sent->Empty() ? sent : ManagedFieldsOf(from));

  typed::Comparison cmp = typed::Compare(from, new_obj, opts.schema);
  FieldSet taken = cmp.modified;
  taken.Union(cmp.added);
  taken.Subtract(typed::Untracked());
  for (auto& m : ms) {
    m.set.Subtract(taken);
    m.set.Subtract(cmp.removed);
  }
  if (!taken.Empty()) {
    Manager& me = Entry(ms, kUpdate, opts);
    me.set.Union(taken);
    me.api_version = opts.api_version;
    me.time = opts.now;
  }
  Encode(ms, new_obj, a);
}

}  // namespace dw::patch
