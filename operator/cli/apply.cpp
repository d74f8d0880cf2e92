// `apply`: server-side apply (the default) or client-side three-way merge
// with the last-applied annotation, like kubectl.
#include "operator/cli/object_ref.h"
#include "operator/cli/output.h"
#include "operator/cli/verbs.h"
#include "operator/patch/patch.h"

namespace dw::cli {

namespace {

constexpr char kLastApplied[] = "kubectl.kubernetes.io/last-applied-configuration";

struct ApplyOptions {
  bool server_side = true, force = false, dry_run = false;
  std::string output, field_manager = "dockward";
};

Status ParseApply(const Env& env, ApplyOptions* o) {
  DW_RETURN_IF_ERROR(env.args.GetBool("server-side", true, &o->server_side));
  DW_RETURN_IF_ERROR(env.args.GetBool("force-conflicts", false, &o->force));
  std::string dr = env.args.Get("dry-run", "none");
  if (dr == "server") o->dry_run = true;
  else if (dr != "none" && dr != "false")
    return Status::BadRequest("error: Invalid dry-run value (" + dr +
                              "). Must be \"none\" or \"server\".");
  o->output = env.args.Get("output");
  if (!o->output.empty() && o->output != "name" && o->output != "yaml" && o->output != "json")
    return Status::BadRequest("error: unable to match a printer suitable for the output format \"" +
                              o->output + "\", allowed formats are: json,name,yaml");
  if (env.args.Has("field-manager")) o->field_manager = env.args.Get("field-manager");
  if (env.args.All("filename").empty())
    return Status::BadRequest("error: must specify one of -f and -k");
  return Status::OK();
}

std::string Query(const ApplyOptions& o, bool apply_patch) {
  std::string q = "?fieldManager=" + http::QueryEscape(o.field_manager);
  if (apply_patch && o.force) q += "&force=true";
  if (o.dry_run) q += "&dryRun=All";
  return q;
}

// Drops what a write changes even when the content does not.
json::Document& WithoutVolatile(json::Document& d) {
  if (json::Value* md = json::Find(d, "metadata"))
    for (const char* k : {"managedFields", "resourceVersion", "generation"}) json::Remove(*md, k);
  return d;
}

// Returns the live object, or an empty (null) document when absent.
Status GetLive(Env& env, const ObjectRef& ref, json::Document* live) {
  Status st = env.api->Get(ref.Path(), live);
  if (st.IsNotFound()) {
    live->SetNull();
    return Status::OK();
  }
  return st;
}

Status ServerSideApply(Env& env, const ObjectRef& ref, const ApplyOptions& o,
                       json::Document* result, std::string* verb) {
  json::Document live;
  DW_RETURN_IF_ERROR(GetLive(env, ref, &live));
  Status st = env.api->Send("PATCH", ref.Path() + Query(o, true), json::Serialize(*ref.manifest->obj),
                            "application/apply-patch+yaml", result);
  if (!st.ok()) return st;
  bool unchanged;
  if (o.dry_run) {
    // A dry run never moves resourceVersion; compare content instead.
    json::Document after;
    after.CopyFrom(*result, after.GetAllocator());
    unchanged = !live.IsNull() && json::Equal(WithoutVolatile(live), WithoutVolatile(after));
  } else {
    std::string before = live.IsNull() ? "" : json::GetStringPath(live, "metadata.resourceVersion");
    unchanged = !before.empty() && before == json::GetStringPath(*result, "metadata.resourceVersion");
  }
  *verb = unchanged ? "unchanged" : "serverside-applied";
  return Status::OK();
}

Status ClientSideApply(Env& env, const ObjectRef& ref, const ApplyOptions& o,
                       json::Document* result, std::string* verb) {
  json::Value& obj = *ref.manifest->obj;
  auto& a = ref.manifest->doc->GetAllocator();
  // The annotation records the manifest as given (without itself).
  std::string last = json::Serialize(obj);
  json::Value& md = json::EnsureObject(obj, "metadata", a);
  json::Value& ann = json::EnsureObject(md, "annotations", a);
  json::SetString(ann, kLastApplied, last + "\n", a);

  json::Document live;
  DW_RETURN_IF_ERROR(GetLive(env, ref, &live));
  if (live.IsNull()) {
    DW_RETURN_IF_ERROR(env.api->Send("POST", ref.res->Path(ref.ns) + Query(o, false),
                                     json::Serialize(obj), "application/json", result));
    *verb = "created";
    return Status::OK();
  }
  json::Document previous;
  const json::Value* live_ann = json::FindPath(live, "metadata.annotations");
  std::string prev_text = live_ann ? json::GetString(*live_ann, kLastApplied) : "";
  if (prev_text.empty() || !json::Parse(prev_text, &previous).ok()) previous.SetObject();
  json::Document patch;
  patch::CreateThreeWayMergePatch(previous, obj, live, &patch, patch.GetAllocator());
  if (patch.IsObject() && patch.MemberCount() == 0) {
    result->CopyFrom(live, result->GetAllocator());
    *verb = "unchanged";
    return Status::OK();
  }
  DW_RETURN_IF_ERROR(env.api->Send("PATCH", ref.Path() + Query(o, false), json::Serialize(patch),
                                   "application/merge-patch+json", result));
  *verb = "configured";
  return Status::OK();
}

}  // namespace

std::vector<FlagSpec> ApplyFlags() {
  return {{"filename", 'f', true},     {"recursive", 'R', false},     {"server-side", 0, false},
          {"force-conflicts", 0, false}, {"dry-run", 0, true},        {"output", 'o', true},
          {"field-manager", 0, true}};
}

Status RunApply(Env& env, int*) {
  ApplyOptions o;
  DW_RETURN_IF_ERROR(ParseApply(env, &o));
  bool recursive;
  DW_RETURN_IF_ERROR(env.args.GetBool("recursive", false, &recursive));
  std::vector<Manifest> manifests;
  DW_RETURN_IF_ERROR(ReadManifests(env.args.All("filename"), recursive, &manifests));
  std::vector<ObjectRef> refs;
  DW_RETURN_IF_ERROR(ResolveManifests(env, manifests, &refs));

  std::vector<json::Document> results;
  Status first_error;
  for (const auto& ref : refs) {
    json::Document result;
    std::string verb;
    Status st = o.server_side ? ServerSideApply(env, ref, o, &result, &verb)
                              : ClientSideApply(env, ref, o, &result, &verb);
    if (!st.ok()) {
      // kubectl keeps going and reports every failure.
      *env.err << st.message() << "\n";
      if (first_error.ok()) first_error = Status(st.code(), "");
      continue;
    }
    if (o.output.empty()) {
      *env.out << ref.Display() << " " << verb << (o.dry_run ? " (server dry run)" : "") << "\n";
    } else if (o.output == "name") {
      *env.out << ref.Display() << "\n";
    } else {
      results.push_back(std::move(result));
    }
  }
  if (!results.empty()) {
    std::string text;
    if (results.size() == 1) {
      DW_RETURN_IF_ERROR(FormatObject(o.output, results[0], nullptr, &text));
    } else {
      json::Document list;
      MakeList(results, &list);
      DW_RETURN_IF_ERROR(FormatObject(o.output, list, nullptr, &text));
    }
    *env.out << text;
  }
  return first_error;
}

}  // namespace dw::cli
