// `delete`: by name, by manifest (-f) or by selector (-l); then waits for
// each object to disappear (finalizers) with a watch, like kubectl --wait.
#include <chrono>

#include "operator/cli/object_ref.h"
#include "operator/cli/verbs.h"

namespace dw::cli {

std::vector<FlagSpec> DeleteFlags() {
  return {{"filename", 'f', true}, {"recursive", 'R', false}, {"selector", 'l', true},
          {"wait", 0, false},      {"timeout", 0, true},      {"ignore-not-found", 0, false},
          {"all", 0, false},       {"dry-run", 0, true}};
}

namespace {

using Clock = std::chrono::steady_clock;

struct Target {
  const ApiResource* res;
  std::string ns, name;
};

// Blocks until the object is gone or `deadline`. Uses a watch from the
// resourceVersion read by GET, so no polling.
Status WaitGone(Env& env, const Target& t, Clock::time_point deadline) {
  for (;;) {
    json::Document live;
    Status st = env.api->Get(t.res->Path(t.ns, t.name), &live);
    if (st.IsNotFound()) return Status::OK();
    if (!st.ok()) return st;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0)
      return Status::Timeout("error: timed out waiting for the condition on " +
                             t.res->plural + "/" + t.name);
    std::string q = "?watch=1&fieldSelector=" + http::QueryEscape("metadata.name=" + t.name) +
                    "&resourceVersion=" +
                    http::QueryEscape(json::GetStringPath(live, "metadata.resourceVersion"));
    bool gone = false;
    st = env.api->Watch(t.res->Path(t.ns) + q, "",
                        [&](const std::string& type, const json::Value&) {
                          if (type == "DELETED") gone = true;
                          return !gone;
                        },
                        left);
    if (gone) return Status::OK();
    if (!st.ok() && st.code() != Code::kGone) return st;
    // Stream ended or idle timeout: re-check with a GET.
  }
}

Status CollectTargets(Env& env, std::vector<Manifest>* manifests, std::vector<Target>* out) {
  const auto& a = env.args;
  if (!a.All("filename").empty()) {
    bool recursive;
    DW_RETURN_IF_ERROR(a.GetBool("recursive", false, &recursive));
    DW_RETURN_IF_ERROR(ReadManifests(a.All("filename"), recursive, manifests));
    std::vector<ObjectRef> refs;
    DW_RETURN_IF_ERROR(ResolveManifests(env, *manifests, &refs));
    for (const auto& r : refs) out->push_back({r.res, r.ns, r.name});
    return Status::OK();
  }
  if (a.positional.empty())
    return Status::BadRequest(
        "error: You must provide one or more resources by argument or filename.");
  const ApiResource* res;
  DW_RETURN_IF_ERROR(env.Resolve(a.positional[0], &res));
  std::string ns = res->namespaced ? env.ns : "";
  bool all;
  DW_RETURN_IF_ERROR(a.GetBool("all", false, &all));
  if (a.Has("selector") || all) {
    std::string q = a.Has("selector")
                        ? "?labelSelector=" + http::QueryEscape(a.Get("selector")) : "";
    json::Document list;
    DW_RETURN_IF_ERROR(env.api->Get(res->Path(ns) + q, &list));
    if (const json::Value* items = json::Find(list, "items"); items && items->IsArray())
      for (const auto& it : items->GetArray())
        out->push_back({res, ns, json::GetStringPath(it, "metadata.name")});
    if (out->empty())
      *env.out << (res->namespaced ? "No resources found in " + ns + " namespace.\n"
                                   : std::string("No resources found\n"));
    return Status::OK();
  }
  if (a.positional.size() < 2)
    return Status::BadRequest(
        "error: resource(s) were provided, but no name was specified");
  for (size_t i = 1; i < a.positional.size(); ++i) out->push_back({res, ns, a.positional[i]});
  return Status::OK();
}

}  // namespace

Status RunDelete(Env& env, int*) {
  bool wait, ignore_missing;
  DW_RETURN_IF_ERROR(env.args.GetBool("wait", true, &wait));
  DW_RETURN_IF_ERROR(env.args.GetBool("ignore-not-found", false, &ignore_missing));
  std::string dr = env.args.Get("dry-run", "none");
  bool dry_run = dr == "server";
  if (dr != "none" && dr != "server" && dr != "false")
    return Status::BadRequest("error: Invalid dry-run value (" + dr + "). Must be \"none\" or \"server\".");
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  if (env.args.Has("timeout") && !ParseDuration(env.args.Get("timeout"), &timeout))
    return Status::BadRequest("error: invalid argument \"" + env.args.Get("timeout") +
                              "\" for \"--timeout\" flag");
  if (timeout.count() == 0) timeout = std::chrono::hours(24 * 7);  // kubectl: 0 = a week

  std::vector<Manifest> manifests;
  std::vector<Target> targets;
  DW_RETURN_IF_ERROR(CollectTargets(env, &manifests, &targets));
  Status result;
  std::vector<const Target*> deleted;
  for (const auto& t : targets) {
    std::string q = dry_run ? "?dryRun=All" : "";
    Status st = env.api->Send("DELETE", t.res->Path(t.ns, t.name) + q, "", "", nullptr);
    if (st.IsNotFound() && ignore_missing) continue;
    if (!st.ok()) {
      *env.err << st.message() << "\n";
      result = Status(st.code(), "");
      continue;
    }
    *env.out << t.res->KindGroup() << " \"" << t.name << "\" deleted"
             << (dry_run ? " (server dry run)" : "") << "\n";
    deleted.push_back(&t);
  }
  if (wait && !dry_run) {
    auto deadline = Clock::now() + timeout;
    for (const Target* t : deleted) {
      Status st = WaitGone(env, *t, deadline);
      if (!st.ok()) return st;
    }
  }
  return result;
}

}  // namespace dw::cli
