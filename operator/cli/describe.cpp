// `describe TYPE NAME`: header fields, the rest of the object as nested
// key/values, then the object's Events.
#include <algorithm>

#include "operator/cli/describe_format.h"
#include "operator/cli/output.h"
#include "operator/cli/table.h"
#include "operator/cli/verbs.h"
#include "operator/common/clock.h"

namespace dw::cli {

std::vector<FlagSpec> DescribeFlags() { return {{"selector", 'l', true}}; }

namespace {

std::string MapText(const json::Value* m) {
  if (!m || !m->IsObject() || m->MemberCount() == 0) return "<none>";
  std::string s;
  for (const auto& e : m->GetObject())
    s += (s.empty() ? "" : "\n") + std::string(e.name.GetString()) + "=" + CellText(e.value);
  return s;
}

// Labels/annotations print one per line, continuation lines indented.
void AddMapLines(const std::string& label, const json::Value* m, DescribeLines* out) {
  std::string text = MapText(m);
  size_t start = 0;
  bool first = true;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    out->push_back({first ? label : "", line});
    first = false;
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
}

std::string EventAge(const json::Value& ev, clock::TimePoint now) {
  auto age = [&](const std::string& ts) -> std::string {
    clock::TimePoint t;
    if (ts.empty() || !clock::ParseRfc3339(ts, &t)) return "<unknown>";
    return clock::HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(now - t));
  };
  std::string last = json::GetString(ev, "lastTimestamp");
  if (last.empty()) last = json::GetString(ev, "eventTime");
  std::string first = json::GetString(ev, "firstTimestamp");
  int64_t count = json::GetInt(ev, "count", 1);
  if (const json::Value* series = json::Find(ev, "series"))
    count = json::GetInt(*series, "count", count);
  if (count > 1 && !first.empty())
    return age(last) + " (x" + std::to_string(count) + " over " + age(first) + ")";
  return age(last.empty() ? first : last);
}

Status AddEvents(Env& env, const json::Value& obj, const ApiResource& res, DescribeLines* out) {
  std::string uid = json::GetStringPath(obj, "metadata.uid");
  std::string ns = json::GetStringPath(obj, "metadata.namespace");
  std::string path = (res.namespaced && !ns.empty() ? "/api/v1/namespaces/" + ns : "/api/v1") +
                     "/events?fieldSelector=" + http::QueryEscape("involvedObject.uid=" + uid);
  json::Document list;
  Status st = env.api->Get(path, &list);
  const json::Value* items = st.ok() ? json::Find(list, "items") : nullptr;
  if (!items || !items->IsArray() || items->Empty()) {
    out->push_back({"Events:", "<none>"});
    return Status::OK();
  }
  std::vector<const json::Value*> evs;
  for (const auto& e : items->GetArray()) evs.push_back(&e);
  auto when = [](const json::Value* e) {
    std::string t = json::GetString(*e, "lastTimestamp");
    return t.empty() ? json::GetString(*e, "eventTime") : t;
  };
  std::stable_sort(evs.begin(), evs.end(),
                   [&](const json::Value* a, const json::Value* b) { return when(a) < when(b); });
  out->push_back({"Events:"});
  out->push_back({"  Type", "Reason", "Age", "From", "Message"});
  out->push_back({"  ----", "------", "----", "----", "-------"});
  auto now = clock::Now();
  for (const json::Value* e : evs) {
    std::string from = json::GetStringPath(*e, "source.component");
    if (from.empty()) from = json::GetString(*e, "reportingComponent");
    out->push_back({"  " + json::GetString(*e, "type"), json::GetString(*e, "reason"),
                    EventAge(*e, now), from, json::GetString(*e, "message")});
  }
  return Status::OK();
}

}  // namespace

static Status DescribeObject(Env& env, const json::Value& obj, const ApiResource& res, std::string* text) {
  DescribeLines lines;
  const json::Value* md = json::Find(obj, "metadata");
  lines.push_back({"Name:", json::GetStringPath(obj, "metadata.name")});
  if (res.namespaced) lines.push_back({"Namespace:", json::GetStringPath(obj, "metadata.namespace")});
  AddMapLines("Labels:", md ? json::Find(*md, "labels") : nullptr, &lines);
  AddMapLines("Annotations:", md ? json::Find(*md, "annotations") : nullptr, &lines);
  lines.push_back({"API Version:", json::GetString(obj, "apiVersion")});
  lines.push_back({"Kind:", json::GetString(obj, "kind")});
  if (md && md->IsObject()) {
    json::Document meta;
    meta.CopyFrom(*md, meta.GetAllocator());
    for (const char* k : {"name", "namespace", "labels", "annotations", "managedFields"})
      json::Remove(meta, k);
    SortKeys(meta);
    if (meta.MemberCount() > 0) {
      lines.push_back({"Metadata:"});
      DescribeValue(meta, 2, &lines);
    }
  }
  json::Document sorted;
  sorted.CopyFrom(obj, sorted.GetAllocator());
  SortKeys(sorted);
  for (const auto& m : sorted.GetObject()) {
    std::string key = m.name.GetString();
    if (key == "apiVersion" || key == "kind" || key == "metadata") continue;
    json::Document one(rapidjson::kObjectType);
    json::Value copy(m.value, one.GetAllocator());
    json::SetValue(one, key, copy, one.GetAllocator());
    DescribeValue(one, 0, &lines);
  }
  DW_RETURN_IF_ERROR(AddEvents(env, obj, res, &lines));
  *text = AlignLines(lines);
  return Status::OK();
}

Status RunDescribe(Env& env, int*) {
  const auto& pos = env.args.positional;
  if (pos.empty())
    return Status::BadRequest(
        "error: You must specify the type of resource to describe. Use \"dockward api-resources\" "
        "for a complete list of supported resources.");
  const ApiResource* res;
  DW_RETURN_IF_ERROR(env.Resolve(pos[0], &res));
  std::string ns = res->namespaced ? env.ns : "";
  std::vector<json::Document> objs;
  if (pos.size() > 1) {
    for (size_t i = 1; i < pos.size(); ++i) {
      json::Document d;
      DW_RETURN_IF_ERROR(env.api->Get(res->Path(ns, pos[i]), &d));
      objs.push_back(std::move(d));
    }
  } else {
    std::string q = env.args.Has("selector")
                        ? "?labelSelector=" + http::QueryEscape(env.args.Get("selector")) : "";
    json::Document list;
    DW_RETURN_IF_ERROR(env.api->Get(res->Path(ns) + q, &list));
    if (const json::Value* items = json::Find(list, "items"); items && items->IsArray()) {
      for (const auto& it : items->GetArray()) {
        json::Document d;
        d.CopyFrom(it, d.GetAllocator());
        if (!d.HasMember("apiVersion")) json::SetString(d, "apiVersion", res->GroupVersion(), d.GetAllocator());
        if (!d.HasMember("kind")) json::SetString(d, "kind", res->kind, d.GetAllocator());
        objs.push_back(std::move(d));
      }
    }
    if (objs.empty()) {
      *env.err << (res->namespaced ? "No resources found in " + ns + " namespace.\n"
                                   : std::string("No resources found\n"));
      return Status::OK();
    }
  }
  for (size_t i = 0; i < objs.size(); ++i) {
    std::string text;
    DW_RETURN_IF_ERROR(DescribeObject(env, objs[i], *res, &text));
    if (i > 0) *env.out << "\n\n";
    *env.out << text;
  }
  return Status::OK();
}

}  // namespace dw::cli
