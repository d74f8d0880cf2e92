#include "reconcilers/gitops/apply_set.h"

#include <algorithm>

namespace dw::gitops {

namespace {


}  // namespace

std::string DescribeFailure(const ManifestObject& m, const Status& st) {
  std::string field = st.causes().empty() ? "" : st.causes().front().field;
  return m.Where(field) + ": " + m.id.Display() + ": " + st.message();
}

runtime::WriteOptions ApplySet::Options(bool dry_run) const {
  runtime::WriteOptions o;
  o.field_manager = manager_;
  o.force = true;
  o.dry_run = dry_run;
  return o;
}

Status ApplySet::DryRun(const ManifestObject& m, const std::vector<std::string>& new_namespaces, Planned* p) {
  p->m = &m;
  json::Document live;
  Status st = client_->Get(*m.info, m.id.ns, m.id.name, &live);
  if (!st.ok() && !st.IsNotFound()) return st;
  p->exists = st.ok();
  json::Document would_be;
  const std::string body = json::Serialize(*m.doc);
  st = client_->Patch(*m.info, m.id.ns, m.id.name, runtime::PatchType::kApply, body, Options(true), &would_be);
  bool ns_pending = st.IsNotFound() && !p->exists && m.info->namespaced &&
                    std::find(new_namespaces.begin(), new_namespaces.end(), m.id.ns) != new_namespaces.end();
  if (ns_pending && m.id.ns != fallback_ns_) {
    json::Document moved;
    moved.CopyFrom(*m.doc, moved.GetAllocator());
    json::SetString(json::EnsureObject(moved, "metadata", moved.GetAllocator()), "namespace", fallback_ns_,
                    moved.GetAllocator());
    // An object of the same name in the fallback namespace makes this an
    // update there; the schema verdict is the same.
    st = client_->Patch(*m.info, fallback_ns_, m.id.name, runtime::PatchType::kApply, json::Serialize(moved),
                        Options(true), &would_be);
  }
  if (!st.ok()) return st;
  p->differs = !p->exists || ContentDiffers(live, would_be);
  return Status::OK();
}

Status ApplySet::Validate(const std::vector<ManifestObject>& set, const std::vector<InventoryEntry>& old_inv,
                          std::vector<Planned>* plan) {
  plan->clear();
  std::vector<std::string> new_namespaces;
  for (const auto& m : set)
    if (IsNamespace(m.id)) new_namespaces.push_back(m.id.name);
  std::vector<std::string> errors;
  for (const auto& m : set) {
    Planned p;
    Status st = DryRun(m, new_namespaces, &p);
    if (!st.ok()) {
      errors.push_back(DescribeFailure(m, st));
      continue;
    }
    p.change = Classify(p.exists, p.differs, DigestIn(old_inv, m.id), m.digest);
    plan->push_back(p);
  }
  if (errors.empty()) {
    // Namespaces before what goes in them; otherwise the files' order.
    std::stable_partition(plan->begin(), plan->end(), [](const Planned& p) { return IsNamespace(p.m->id); });
    return Status::OK();
  }
  std::string msg;
  for (size_t i = 0; i < errors.size() && i < 20; ++i) msg += (msg.empty() ? "" : "\n") + errors[i];
  if (errors.size() > 20) msg += "\n... (" + std::to_string(errors.size() - 20) + " more)";
  return Status::Invalid(msg);
}

Status ApplySet::Apply(const std::vector<Planned>& plan, std::vector<const Planned*>* applied) {
  for (const auto& p : plan) {
    if (p.change == Change::kNone) continue;
    const ManifestObject& m = *p.m;
    Status st = client_->Patch(*m.info, m.id.ns, m.id.name, runtime::PatchType::kApply, json::Serialize(*m.doc),
                               Options(false), nullptr);
    if (!st.ok()) return Status(st.code(), DescribeFailure(m, st), st.causes());
    applied->push_back(&p);
  }
  return Status::OK();
}

Status ApplySet::Prune(const InventoryEntry& e, bool* deleted) {
  *deleted = false;
  const schema::ResourceInfo* info = client_->Resolve(e.id.api_version, e.id.kind);
  if (!info) return Status::OK();  // the kind is gone, and with it the object
  json::Document live;
  Status st = client_->Get(*info, e.id.ns, e.id.name, &live);
  if (st.IsNotFound()) return Status::OK();
  DW_RETURN_IF_ERROR(st);
  if (json::FindPath(live, "metadata.deletionTimestamp") || !ManagedBy(live, manager_)) return Status::OK();
  runtime::DeleteOptions d;
  d.propagation = "Background";
  d.precondition_uid = runtime::UidOf(live);
  st = client_->Delete(*info, e.id.ns, e.id.name, d);
  if (st.IsNotFound()) return Status::OK();
  if (!st.ok()) return Status(st.code(), "deleting " + e.id.Display() + ": " + st.message());
  *deleted = true;
  return Status::OK();
}

}  // namespace dw::gitops
