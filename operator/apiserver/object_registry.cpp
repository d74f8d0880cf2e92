#include "operator/apiserver/object_registry.h"

#include <algorithm>
#include <initializer_list>
#include <random>

#include "operator/common/base64.h"
#include "operator/common/clock.h"
#include "operator/json/yaml.h"
#include "operator/patch/managed_fields.h"
#include "operator/patch/patch.h"
#include "operator/schema/object_meta.h"
#include "operator/tls/pki.h"

namespace dw::apiserver {

namespace {

constexpr int kMaxRetries = 8;

// Kinds whose strategy allows PUT without a resourceVersion (as in
// Kubernetes: core kinds yes, custom resources no).
bool AllowsUnconditionalUpdate(const schema::ResourceInfo& r) {
  return r.group.empty() || r.group == "coordination.k8s.io";
}
bool IsNamespaceKind(const schema::ResourceInfo& r) {
  return r.group.empty() && r.plural == "namespaces";
}
bool IsSecretKind(const schema::ResourceInfo& r) { return r.group.empty() && r.plural == "secrets"; }

// A Secret's stringData is write-only, as in Kubernetes: its entries are
// folded into data (winning over data for the same key) and never stored.
// A stringData of the wrong type is left for validation to reject.
void FoldSecretStringData(json::Document& obj) {
  const json::Value* sd = json::Find(obj, "stringData");
  if (!sd || !sd->IsObject()) return;
  for (auto it = sd->MemberBegin(); it != sd->MemberEnd(); ++it)
    if (!it->value.IsString()) return;
  auto& a = obj.GetAllocator();
  json::Value& data = json::EnsureObject(obj, "data", a);
  sd = json::Find(obj, "stringData");  // EnsureObject may have moved the members
  for (auto it = sd->MemberBegin(); it != sd->MemberEnd(); ++it) {
    std::string_view key(it->name.GetString(), it->name.GetStringLength());
    json::SetString(data, key, Base64Encode({it->value.GetString(), it->value.GetStringLength()}), a);
  }
  json::Remove(obj, "stringData");
}

Status ParseStored(const store::Object& o, json::Document* doc) {
  Status st = json::Parse(*o.data, doc);
  if (!st.ok()) return Status::Corruption("stored object " + o.key + " is not valid JSON");
  return Status::OK();
}

json::Value& Meta(json::Document& d) { return json::EnsureObject(d, "metadata", d.GetAllocator()); }

std::string RandomSuffix() {
  static const char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";  // Kubernetes' alphabet
  std::string bytes = tls::RandomBytes(5);
  std::string out;
  for (unsigned char c : bytes) out.push_back(kAlphabet[c % (sizeof(kAlphabet) - 1)]);
  return out;
}

Status ConflictError(const schema::ResourceInfo& r, const std::string& name) {
  return Status::Conflict("Operation cannot be fulfilled on " + QualifiedName(r, name) +
                          ": the object has been modified; please apply your changes to the "
                          "latest version and try again");
}

Status NotFoundError(const schema::ResourceInfo& r, const std::string& name) {
  return Status::NotFound(QualifiedName(r, name) + " not found");
}

// Copies member `key` of `from` into `to` (or removes it from `to` if absent).
void CopyMember(const json::Value& from, json::Value& to, const char* key, json::Allocator& a) {
  const json::Value* v = json::Find(from, key);
  if (v) {
    json::Value copy(*v, a);
    json::SetValue(to, key, copy, a);
  } else {
    json::Remove(to, key);
  }
}

// Structural equality of two objects, ignoring the members named in `skip`.
// Compares in place: updates call this on every write, so no copies.
bool EqualExcept(const json::Value& a, const json::Value& b,
                 std::initializer_list<std::string_view> skip) {
  auto skipped = [&](const json::Value& name) {
    std::string_view k(name.GetString(), name.GetStringLength());
    return std::find(skip.begin(), skip.end(), k) != skip.end();
  };
  auto counts = [&](const json::Value& o) {
    int n = 0;
    for (auto it = o.MemberBegin(); it != o.MemberEnd(); ++it) n += skipped(it->name) ? 0 : 1;
    return n;
  };
  if (!a.IsObject() || !b.IsObject()) return json::Equal(a, b);
  if (counts(a) != counts(b)) return false;
  for (auto it = a.MemberBegin(); it != a.MemberEnd(); ++it) {
    if (skipped(it->name)) continue;
    const json::Value* other = json::Find(b, {it->name.GetString(), it->name.GetStringLength()});
    if (!other || !json::Equal(it->value, *other)) return false;
  }
  return true;
}

// True when the two objects differ outside metadata (and outside status when
// status is its own subresource): the rule for bumping metadata.generation.
bool SpecChanged(const json::Value& a, const json::Value& b, bool has_status) {
  return has_status ? !EqualExcept(a, b, {"metadata", "status"}) : !EqualExcept(a, b, {"metadata"});
}

// Equality ignoring the bookkeeping fields a no-op write would touch.
bool SameContent(const json::Value& a, const json::Value& b) {
  if (!EqualExcept(a, b, {"metadata"})) return false;
  const json::Value* ma = json::Find(a, "metadata");
  const json::Value* mb = json::Find(b, "metadata");
  if (!ma || !mb) return ma == mb;
  return EqualExcept(*ma, *mb, {"managedFields", "resourceVersion"});
}

Status CheckTypeMeta(const schema::ResourceInfo& r, const json::Value& obj) {
  if (!obj.IsObject()) return Status::BadRequest("the request body must be a JSON or YAML object");
  std::string av = json::GetString(obj, "apiVersion");
  std::string kind = json::GetString(obj, "kind");
  if (!av.empty() && av != r.GroupVersion())
    return Status::BadRequest("the API version in the data (" + av +
                              ") does not match the expected API version (" + r.GroupVersion() + ")");
  if (!kind.empty() && kind != r.kind)
    return Status::BadRequest("the kind in the data (" + kind + ") does not match the expected kind (" +
                              r.kind + ")");
  return Status::OK();
}

void FillTypeMeta(const schema::ResourceInfo& r, json::Document& obj) {
  auto& a = obj.GetAllocator();
  json::SetString(obj, "apiVersion", r.GroupVersion(), a);
  json::SetString(obj, "kind", r.kind, a);
}

std::vector<std::string> Finalizers(const json::Value& obj) {
  std::vector<std::string> out;
  const json::Value* f = json::FindPath(obj, "metadata.finalizers");
  if (f && f->IsArray())
    for (const auto& v : f->GetArray())
      if (v.IsString()) out.emplace_back(v.GetString());
  return out;
}

void SetFinalizers(json::Document& obj, const std::vector<std::string>& fins) {
  auto& a = obj.GetAllocator();
  json::Value& m = Meta(obj);
  if (fins.empty()) {
    json::Remove(m, "finalizers");
    return;
  }
  json::Value arr(rapidjson::kArrayType);
  for (const auto& f : fins) arr.PushBack(json::Str(f, a), a);
  json::SetValue(m, "finalizers", arr, a);
}

bool NamespaceSpecFinalizersPending(const json::Value& obj) {
  const json::Value* f = json::FindPath(obj, "spec.finalizers");
  return f && f->IsArray() && !f->Empty();
}

patch::ApplyOptions ManagedFieldsOptions(const schema::ResourceInfo& r, const WriteOptions& o) {
  patch::ApplyOptions ao;
  ao.schema = r.schema.get();
  ao.manager = o.field_manager.empty() ? "unknown" : o.field_manager;
  ao.force = o.force;
  ao.subresource = o.status_subresource ? "status" : "";
  ao.now = clock::NowRfc3339();
  ao.api_version = r.GroupVersion();
  return ao;
}

// Kubernetes rejects unknown fields under fieldValidation=Strict while
// decoding, before validation runs: one BadRequest naming every unknown
// field. The schema reports them as causes "unknown field \"path\"".
Status StrictDecodingError(const schema::ResourceInfo& r, const std::vector<FieldCause>& causes) {
  std::string unknown;
  for (const auto& c : causes) {
    if (c.message.rfind("unknown field \"", 0) != 0) continue;
    if (!unknown.empty()) unknown += ", ";
    unknown += c.message;
  }
  if (unknown.empty()) return Status::OK();
  return Status::BadRequest(r.kind + " in version \"" + r.version + "\" cannot be handled as a " + r.kind +
                            ": strict decoding error: " + unknown);
}

}  // namespace

std::string QualifiedName(const schema::ResourceInfo& r, const std::string& name) {
  return r.GroupResource() + " \"" + name + "\"";
}

ObjectRegistry::ObjectRegistry(store::Store* store, const schema::ResourceRegistry* kinds)
    : store_(store), kinds_(kinds), namespaces_(kinds->ByResource("", "namespaces")) {}

std::string ObjectRegistry::Key(const schema::ResourceInfo& r, const std::string& ns,
                                const std::string& name) {
  return store::MakeKey(r.GroupResource(), r.namespaced ? ns : "", name);
}

Status ObjectRegistry::Get(const schema::ResourceInfo& r, const std::string& ns,
                           const std::string& name, store::Object* out) {
  Status st = store_->Get(Key(r, ns, name), out);
  if (st.IsNotFound()) return NotFoundError(r, name);
  return st;
}

Status ObjectRegistry::List(const schema::ResourceInfo& r, const std::string& ns, const ListQuery& q,
                            store::ListResult* out) {
  store::ListOptions lo;
  lo.prefix = store::MakePrefix(r.GroupResource(), r.namespaced ? ns : "");
  lo.selector = q.labels.Empty() ? nullptr : &q.labels;
  if (q.fields.Empty()) {
    lo.limit = q.limit;
    lo.start_after = q.continue_token;
    return store_->List(lo, out);
  }
  // Field selectors need the parsed object, so filter after the scan and
  // paginate over the filtered result.
  store::ListResult all;
  DW_RETURN_IF_ERROR(store_->List(lo, &all));
  out->rv = all.rv;
  out->items.clear();
  out->remaining = 0;
  out->last_key.clear();
  for (auto& item : all.items) {
    if (!q.continue_token.empty() && item.key <= q.continue_token) continue;
    json::Document d;
    if (!ParseStored(item, &d).ok() || !q.fields.Matches(d)) continue;
    if (q.limit > 0 && static_cast<int64_t>(out->items.size()) >= q.limit) {
      ++out->remaining;
      continue;
    }
    out->items.push_back(item);
  }
  if (out->remaining > 0 && !out->items.empty()) out->last_key = out->items.back().key;
  return Status::OK();
}

Status ObjectRegistry::CheckNamespace(const schema::ResourceInfo& r, const std::string& ns) {
  if (!r.namespaced || !namespaces_) return Status::OK();
  store::Object nso;
  Status st = store_->Get(Key(*namespaces_, "", ns), &nso);
  if (st.IsNotFound()) return Status::NotFound("namespaces \"" + ns + "\" not found");
  DW_RETURN_IF_ERROR(st);
  json::Document d;
  DW_RETURN_IF_ERROR(ParseStored(nso, &d));
  if (json::FindPath(d, "metadata.deletionTimestamp"))
    return Status::Forbidden("unable to create new content in namespace " + ns +
                             " because it is being terminated");
  return Status::OK();
}

Status ObjectRegistry::Admit(const schema::ResourceInfo& r, json::Document& obj,
                             const WriteOptions& opts, WriteResult* out) {
  if (IsSecretKind(r)) FoldSecretStringData(obj);
  std::vector<FieldCause> causes;
  if (r.schema) {
    auto res = schema::Admit(*r.schema, obj, opts.validation, obj.GetAllocator());
    causes = std::move(res.errors);
    for (auto& w : res.warnings) out->warnings.push_back(std::move(w));
  }
  if (opts.validation == schema::FieldValidation::kStrict) DW_RETURN_IF_ERROR(StrictDecodingError(r, causes));
  const json::Value* meta = json::Find(obj, "metadata");
  if (meta) {
    auto mc = schema::ValidateObjectMeta(*meta, r.namespaced,
                                         IsNamespaceKind(r) ? schema::NameRule::kDnsLabel
                                                            : schema::NameRule::kDnsSubdomain);
    causes.insert(causes.end(), mc.begin(), mc.end());
  }
  if (causes.empty()) return Status::OK();
  std::string name = json::GetStringPath(obj, "metadata.name");
  std::string msg = r.kind + "." + r.group + " \"" + name + "\" is invalid: ";
  if (r.group.empty()) msg = r.kind + " \"" + name + "\" is invalid: ";
  if (causes.size() > 1) msg += "[";
  for (size_t i = 0; i < causes.size(); ++i) {
    if (i) msg += ", ";
    msg += causes[i].field.empty() ? causes[i].message : causes[i].field + ": " + causes[i].message;
  }
  if (causes.size() > 1) msg += "]";
  return Status::Invalid(msg, std::move(causes));
}

Status ObjectRegistry::PrepareCreate(const schema::ResourceInfo& r, const std::string& ns,
                                     json::Document& obj, const WriteOptions& opts,
                                     bool managed_fields_done, WriteResult* out) {
  DW_RETURN_IF_ERROR(CheckTypeMeta(r, obj));
  FillTypeMeta(r, obj);
  auto& a = obj.GetAllocator();
  json::Value& m = Meta(obj);
  if (r.namespaced) {
    std::string body_ns = json::GetString(m, "namespace");
    if (!body_ns.empty() && body_ns != ns)
      return Status::BadRequest(
          "the namespace of the provided object does not match the namespace sent on the request");
    json::SetString(m, "namespace", ns, a);
  } else {
    json::Remove(m, "namespace");
  }
  if (json::GetString(m, "name").empty()) {
    std::string gen = json::GetString(m, "generateName");
    if (gen.empty())
      return Status::Invalid(r.kind + " \"\" is invalid: metadata.name: Required value: name or generateName is required",
                             {{"FieldValueRequired", "metadata.name", "Required value: name or generateName is required"}});
    json::SetString(m, "name", gen + RandomSuffix(), a);
  }
  for (const char* k : {"resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"})
    json::Remove(m, k);
  json::SetString(m, "uid", tls::RandomUuid(), a);
  json::SetString(m, "creationTimestamp", clock::NowRfc3339(), a);
  if (!IsNamespaceKind(r)) json::SetInt(m, "generation", 1, a);
  if (r.has_status) json::Remove(obj, "status");
  if (IsNamespaceKind(r)) {
    json::Value& spec = json::EnsureObject(obj, "spec", a);
    if (!json::Find(spec, "finalizers")) {
      json::Value fins(rapidjson::kArrayType);
      fins.PushBack(json::Str("kubernetes", a), a);
      json::SetValue(spec, "finalizers", fins, a);
    }
    json::Value& status = json::EnsureObject(obj, "status", a);
    json::SetString(status, "phase", "Active", a);
  }
  if (!managed_fields_done) {
    json::Remove(m, "managedFields");
    patch::RecordUpdate(nullptr, obj, ManagedFieldsOptions(r, opts), a);
  }
  return Admit(r, obj, opts, out);
}

Status ObjectRegistry::CommitCreate(const schema::ResourceInfo& r, const std::string& ns,
                                    json::Document& obj, const WriteOptions& opts,
                                    WriteResult* out) {
  DW_RETURN_IF_ERROR(CheckNamespace(r, ns));
  std::string name = json::GetStringPath(obj, "metadata.name");
  std::string key = Key(r, ns, name);
  out->created = true;
  if (opts.dry_run) {
    store::Object existing;
    if (store_->Get(key, &existing).ok())
      return Status::AlreadyExists(QualifiedName(r, name) + " already exists");
    out->object.key = key;
    out->object.data = std::make_shared<const std::string>(json::Serialize(obj));
    return Status::OK();
  }
  Status st = store_->Create(key, obj, &out->object);
  if (st.IsAlreadyExists()) return Status::AlreadyExists(QualifiedName(r, name) + " already exists");
  return st;
}

Status ObjectRegistry::Create(const schema::ResourceInfo& r, const std::string& ns,
                              json::Document& obj, const WriteOptions& opts, WriteResult* out) {
  DW_RETURN_IF_ERROR(PrepareCreate(r, ns, obj, opts, false, out));
  return CommitCreate(r, ns, obj, opts, out);
}

Status ObjectRegistry::PrepareUpdate(const schema::ResourceInfo& r, const json::Value& live,
                                     json::Document& next, const WriteOptions& opts,
                                     bool managed_fields_done, WriteResult* out) {
  DW_RETURN_IF_ERROR(CheckTypeMeta(r, next));
  if (opts.status_subresource) {
    // Only status moves through /status; everything else stays as it is.
    json::Document result;
    result.CopyFrom(live, result.GetAllocator());
    CopyMember(next, result, "status", result.GetAllocator());
    if (managed_fields_done) CopyMember(*json::Find(next, "metadata"), Meta(result), "managedFields", result.GetAllocator());
    next.Swap(result);
  } else {
    auto& a = next.GetAllocator();
    FillTypeMeta(r, next);
    json::Value& m = Meta(next);
    const json::Value& lm = *json::Find(live, "metadata");
    std::string body_name = json::GetString(m, "name");
    if (!body_name.empty() && body_name != json::GetString(lm, "name"))
      return Status::BadRequest("the name of the object (" + body_name +
                                ") does not match the name on the URL (" + json::GetString(lm, "name") + ")");
    for (const char* k : {"name", "namespace", "uid", "creationTimestamp", "deletionTimestamp",
                          "deletionGracePeriodSeconds", "generation"})
      CopyMember(lm, m, k, a);
    if (!json::Find(m, "managedFields")) CopyMember(lm, m, "managedFields", a);
    if (r.has_status) CopyMember(live, next, "status", a);
    if (json::Find(lm, "deletionTimestamp")) {
      auto before = Finalizers(live);
      for (const auto& f : Finalizers(next))
        if (std::find(before.begin(), before.end(), f) == before.end())
          return Status::Forbidden("no new finalizers can be added if the object is being deleted, found new finalizers [\"" + f + "\"]");
    }
  }
  // Swap() above moved next's allocator: ask for it again, never cache it across.
  if (!managed_fields_done)
    patch::RecordUpdate(&live, next, ManagedFieldsOptions(r, opts), next.GetAllocator());
  DW_RETURN_IF_ERROR(Admit(r, next, opts, out));
  // Judged after defaulting, as Kubernetes defaults a body while decoding
  // it: a sparse body equal to the live spec once defaulted is no change.
  if (!opts.status_subresource && !IsNamespaceKind(r)) {
    int64_t gen = json::GetInt(*json::Find(live, "metadata"), "generation", 1);
    if (SpecChanged(live, next, r.has_status)) ++gen;
    json::SetInt(Meta(next), "generation", gen, next.GetAllocator());
  }
  out->changed = !SameContent(live, next);
  return Status::OK();
}

Status ObjectRegistry::CommitUpdate(const schema::ResourceInfo& r, const store::Object& live,
                                    const json::Value& live_doc, json::Document& next,
                                    const WriteOptions& opts, WriteResult* out) {
  if (!out->changed) {
    out->object = live;
    return Status::OK();
  }
  std::string name = json::GetStringPath(next, "metadata.name");
  bool deleting = json::FindPath(next, "metadata.deletionTimestamp") != nullptr;
  bool pending = !Finalizers(next).empty() || (IsNamespaceKind(r) && NamespaceSpecFinalizersPending(next));
  if (deleting && !pending) {
    // The last finalizer is gone: the object goes away now.
    if (opts.dry_run) {
      out->deleted = true;
      out->object = live;
      return Status::OK();
    }
    Status st = store_->Delete(live.key, live.rv, &out->object);
    if (st.IsConflict()) return ConflictError(r, name);
    if (st.IsNotFound()) return NotFoundError(r, name);
    out->deleted = st.ok();
    return st;
  }
  if (opts.dry_run) {
    json::SetString(Meta(next), "resourceVersion", std::to_string(live.rv), next.GetAllocator());
    out->object.key = live.key;
    out->object.rv = live.rv;
    out->object.data = std::make_shared<const std::string>(json::Serialize(next));
    return Status::OK();
  }
  Status st = store_->Update(live.key, next, live.rv, &out->object);
  if (st.IsConflict()) return ConflictError(r, name);
  if (st.IsNotFound()) return NotFoundError(r, name);
  return st;
}

Status ObjectRegistry::Update(const schema::ResourceInfo& r, const std::string& ns,
                              const std::string& name, json::Document& obj,
                              const WriteOptions& opts, WriteResult* out) {
  DW_RETURN_IF_ERROR(CheckTypeMeta(r, obj));
  if (!obj.HasMember("metadata") || !obj["metadata"].IsObject())
    return Status::BadRequest("metadata is required for an update");
  std::string body_name = json::GetStringPath(obj, "metadata.name");
  if (body_name != name)
    return Status::BadRequest("the name of the object (" + body_name +
                              ") does not match the name on the URL (" + name + ")");
  std::string body_ns = json::GetStringPath(obj, "metadata.namespace");
  if (r.namespaced && !body_ns.empty() && body_ns != ns)
    return Status::BadRequest(
        "the namespace of the provided object does not match the namespace sent on the request");
  std::string body_rv = json::GetStringPath(obj, "metadata.resourceVersion");
  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    store::Object live;
    DW_RETURN_IF_ERROR(Get(r, ns, name, &live));
    if (body_rv.empty() && !AllowsUnconditionalUpdate(r))
      return Status::Invalid(QualifiedName(r, name) + " is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update",
                             {{"FieldValueInvalid", "metadata.resourceVersion", "Invalid value: 0x0: must be specified for an update"}});
    if (!body_rv.empty() && body_rv != std::to_string(live.rv)) return ConflictError(r, name);
    json::Document live_doc, next;
    DW_RETURN_IF_ERROR(ParseStored(live, &live_doc));
    next.CopyFrom(obj, next.GetAllocator());
    WriteResult res;
    DW_RETURN_IF_ERROR(PrepareUpdate(r, live_doc, next, opts, false, &res));
    Status st = CommitUpdate(r, live, live_doc, next, opts, &res);
    if (st.IsConflict() && body_rv.empty()) continue;  // unconditional: retry on a race
    *out = std::move(res);
    return st;
  }
  return ConflictError(r, name);
}

Status ObjectRegistry::Mutate(const schema::ResourceInfo& r, const std::string& ns,
                              const std::string& name, const Mutator& fn, const WriteOptions& opts,
                              WriteResult* out) {
  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    store::Object live;
    DW_RETURN_IF_ERROR(Get(r, ns, name, &live));
    json::Document live_doc, next;
    DW_RETURN_IF_ERROR(ParseStored(live, &live_doc));
    next.CopyFrom(live_doc, next.GetAllocator());
    DW_RETURN_IF_ERROR(fn(next));
    WriteResult res;
    DW_RETURN_IF_ERROR(PrepareUpdate(r, live_doc, next, opts, false, &res));
    Status st = CommitUpdate(r, live, live_doc, next, opts, &res);
    if (st.IsConflict()) continue;
    *out = std::move(res);
    return st;
  }
  return ConflictError(r, name);
}

Status ObjectRegistry::Patch(const schema::ResourceInfo& r, const std::string& ns,
                             const std::string& name, PatchType type, const std::string& body,
                             const WriteOptions& opts, WriteResult* out) {
  json::Document patch_doc;
  if (type == PatchType::kApply) {
    if (opts.field_manager.empty())
      return Status::Invalid("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
                             {{"FieldValueRequired", "fieldManager", "Required value: is required for apply patch"}});
    yaml::ParseOptions po;
    po.source_name = "request body";
    po.track_lines = false;
    DW_RETURN_IF_ERROR(yaml::ParseOne(body, po, &patch_doc));
    DW_RETURN_IF_ERROR(CheckTypeMeta(r, patch_doc));
    if (json::GetString(patch_doc, "apiVersion").empty() || json::GetString(patch_doc, "kind").empty())
      return Status::BadRequest("apiVersion and kind must be set in an apply patch");
    std::string applied_name = json::GetStringPath(patch_doc, "metadata.name");
    if (applied_name != name)
      return Status::BadRequest("the name of the object (" + applied_name +
                                ") does not match the name on the URL (" + name + ")");
  } else {
    Status st = json::Parse(body, &patch_doc);
    if (!st.ok()) return Status::BadRequest("error decoding patch: " + st.message());
    if (type == PatchType::kStrategic && !AllowsUnconditionalUpdate(r))
      return Status(Code::kUnsupportedMediaType,
                    "the body of the request was in an unknown format - accepted media types "
                    "include: application/json-patch+json, application/merge-patch+json, "
                    "application/apply-patch+yaml");
  }
  std::string precondition_rv;
  if (type == PatchType::kMerge || type == PatchType::kStrategic)
    precondition_rv = json::GetStringPath(patch_doc, "metadata.resourceVersion");

  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    store::Object live;
    Status gst = Get(r, ns, name, &live);
    if (gst.IsNotFound() && type == PatchType::kApply && !opts.status_subresource) {
      json::Document created;
      auto ao = ManagedFieldsOptions(r, opts);
      DW_RETURN_IF_ERROR(patch::ServerSideApply(nullptr, patch_doc, ao, &created));
      WriteResult res;
      DW_RETURN_IF_ERROR(PrepareCreate(r, ns, created, opts, true, &res));
      Status st = CommitCreate(r, ns, created, opts, &res);
      if (st.IsAlreadyExists()) continue;
      *out = std::move(res);
      return st;
    }
    DW_RETURN_IF_ERROR(gst);
    if (!precondition_rv.empty() && precondition_rv != std::to_string(live.rv))
      return ConflictError(r, name);
    json::Document live_doc, next;
    DW_RETURN_IF_ERROR(ParseStored(live, &live_doc));
    next.CopyFrom(live_doc, next.GetAllocator());
    auto& a = next.GetAllocator();
    switch (type) {
      case PatchType::kMerge: DW_RETURN_IF_ERROR(patch::ApplyMergePatch(next, patch_doc, a)); break;
      case PatchType::kJson: DW_RETURN_IF_ERROR(patch::ApplyJsonPatch(next, patch_doc, a)); break;
      case PatchType::kStrategic:
        DW_RETURN_IF_ERROR(patch::ApplyStrategicMergePatch(next, patch_doc, r.schema.get(), a));
        break;
      case PatchType::kApply: {
        json::Document applied;
        DW_RETURN_IF_ERROR(patch::ServerSideApply(&live_doc, patch_doc, ManagedFieldsOptions(r, opts), &applied));
        next.Swap(applied);
        break;
      }
    }
    WriteResult res;
    DW_RETURN_IF_ERROR(PrepareUpdate(r, live_doc, next, opts, type == PatchType::kApply, &res));
    Status st = CommitUpdate(r, live, live_doc, next, opts, &res);
    if (st.IsConflict() && precondition_rv.empty()) continue;
    *out = std::move(res);
    return st;
  }
  return ConflictError(r, name);
}

Status ObjectRegistry::Delete(const schema::ResourceInfo& r, const std::string& ns,
                              const std::string& name, const DeleteOptions& opts,
                              WriteResult* out) {
  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    store::Object live;
    DW_RETURN_IF_ERROR(Get(r, ns, name, &live));
    json::Document doc;
    DW_RETURN_IF_ERROR(ParseStored(live, &doc));
    std::string uid = json::GetStringPath(doc, "metadata.uid");
    if (!opts.precondition_uid.empty() && opts.precondition_uid != uid)
      return Status::Conflict("Precondition failed: UID in precondition: " + opts.precondition_uid +
                              ", UID in object meta: " + uid);
    if (!opts.precondition_rv.empty() && opts.precondition_rv != std::to_string(live.rv))
      return Status::Conflict("Precondition failed: ResourceVersion in precondition: " +
                              opts.precondition_rv + ", ResourceVersion in object meta: " +
                              std::to_string(live.rv));
    auto fins = Finalizers(doc);
    auto add = [&](const char* f) {
      if (std::find(fins.begin(), fins.end(), f) == fins.end()) fins.push_back(f);
    };
    auto drop = [&](const char* f) { fins.erase(std::remove(fins.begin(), fins.end(), f), fins.end()); };
    if (opts.propagation == "Orphan") { add("orphan"); drop("foregroundDeletion"); }
    if (opts.propagation == "Foreground") { add("foregroundDeletion"); drop("orphan"); }
    bool pending = !fins.empty() || (IsNamespaceKind(r) && NamespaceSpecFinalizersPending(doc));
    if (!pending) {
      out->deleted = true;
      if (opts.dry_run) {
        out->object = live;
        return Status::OK();
      }
      Status st = store_->Delete(live.key, live.rv, &out->object);
      if (st.IsConflict()) continue;
      if (st.IsNotFound()) return NotFoundError(r, name);
      return st;
    }
    // Finalizers pending: mark for deletion; whoever owns a finalizer
    // removes it, and the last removal deletes the object (CommitUpdate).
    bool already = json::FindPath(doc, "metadata.deletionTimestamp") != nullptr;
    if (already && fins == Finalizers(doc)) {
      out->deleted = false;
      out->changed = false;
      out->object = live;
      return Status::OK();
    }
    auto& a = doc.GetAllocator();
    json::Value& m = Meta(doc);
    if (!already) {
      json::SetString(m, "deletionTimestamp", clock::NowRfc3339(), a);
      json::SetInt(m, "deletionGracePeriodSeconds", 0, a);
      if (!IsNamespaceKind(r)) json::SetInt(m, "generation", json::GetInt(m, "generation", 1) + 1, a);
      if (IsNamespaceKind(r)) json::SetString(json::EnsureObject(doc, "status", a), "phase", "Terminating", a);
    }
    SetFinalizers(doc, fins);
    out->deleted = false;
    if (opts.dry_run) {
      out->object = live;
      out->object.data = std::make_shared<const std::string>(json::Serialize(doc));
      return Status::OK();
    }
    Status st = store_->Update(live.key, doc, live.rv, &out->object);
    if (st.IsConflict()) continue;
    return st;
  }
  return ConflictError(r, name);
}

}  // namespace dw::apiserver
