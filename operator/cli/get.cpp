// `get`: tables from the server's Table responses, object formats, -w.
#include <sstream>

#include "operator/cli/output.h"
#include "operator/cli/table.h"
#include "operator/cli/verbs.h"

namespace dw::cli {

std::vector<FlagSpec> GetFlags() {
  return {{"output", 'o', true},        {"selector", 'l', true},     {"all-namespaces", 'A', false},
          {"watch", 'w', false},        {"show-labels", 0, false},   {"no-headers", 0, false},
          {"field-selector", 0, true}};
}

namespace {

struct GetRequest {
  std::vector<const ApiResource*> types;
  std::vector<std::string> names;
  std::string output;
  bool all_namespaces = false, watch = false, show_labels = false, no_headers = false;
};

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string part;
  while (std::getline(ss, part, sep))
    if (!part.empty()) out.push_back(part);
  return out;
}

std::string Query(const Env& env) {
  std::string q;
  auto add = [&](const std::string& k, const std::string& v) {
    q += (q.empty() ? "?" : "&") + k + "=" + http::QueryEscape(v);
  };
  if (env.args.Has("selector")) add("labelSelector", env.args.Get("selector"));
  if (env.args.Has("field-selector")) add("fieldSelector", env.args.Get("field-selector"));
  return q;
}

Status ParseGet(Env& env, GetRequest* r) {
  if (env.args.positional.empty())
    return Status::BadRequest(
        "error: you must specify the type of resource to get. Use \"dockward api-resources\" "
        "for a complete list of supported resources.");
  std::vector<std::string> typed = Split(env.args.positional[0], ',');
  for (const auto& t : typed) {
    const ApiResource* res;
    Status st = env.Resolve(t, &res);
    if (st.IsNotFound()) {
      // Not a resource: maybe a category, as in `kubectl get dockward`.
      const RestMapper* m;
      DW_RETURN_IF_ERROR(env.Mapper(&m));
      auto members = m->ResolveCategory(t);
      if (members.empty()) return st;
      r->types.insert(r->types.end(), members.begin(), members.end());
      continue;
    }
    DW_RETURN_IF_ERROR(st);
    r->types.push_back(res);
  }
  r->names.assign(env.args.positional.begin() + 1, env.args.positional.end());
  if (!r->names.empty() && r->types.size() > 1)
    return Status::BadRequest(
        "error: there is no need to specify a resource type as a separate argument when passing "
        "arguments in resource/name form");
  r->output = env.args.Get("output");
  if (!r->output.empty() && r->output != "wide" && !IsObjectFormat(r->output))
    return Status::BadRequest("error: unable to match a printer suitable for the output format \"" +
                              r->output +
                              "\", allowed formats are: json,jsonpath,name,wide,yaml");
  DW_RETURN_IF_ERROR(env.args.GetBool("all-namespaces", false, &r->all_namespaces));
  DW_RETURN_IF_ERROR(env.args.GetBool("watch", false, &r->watch));
  DW_RETURN_IF_ERROR(env.args.GetBool("show-labels", false, &r->show_labels));
  DW_RETURN_IF_ERROR(env.args.GetBool("no-headers", false, &r->no_headers));
  return Status::OK();
}

std::string NamespaceOf(const Env& env, const ApiResource& res, bool all) {
  if (!res.namespaced || all) return "";
  return env.ns;
}

// Fetches objects (full JSON) of one type: the named ones or the list.
Status FetchObjects(Env& env, const GetRequest& r, const ApiResource& res,
                    std::vector<json::Document>* out, std::string* list_rv) {
  std::string ns = NamespaceOf(env, res, r.all_namespaces);
  if (!r.names.empty()) {
    for (const auto& n : r.names) {
      json::Document d;
      DW_RETURN_IF_ERROR(env.api->Get(res.Path(ns, n), &d));
      out->push_back(std::move(d));
    }
    return Status::OK();
  }
  json::Document list;
  DW_RETURN_IF_ERROR(env.api->Get(res.Path(ns) + Query(env), &list));
  *list_rv = json::GetStringPath(list, "metadata.resourceVersion");
  json::Value* items = json::Find(list, "items");
  if (!items || !items->IsArray()) return Status::OK();
  for (auto& it : items->GetArray()) {
    json::Document d;
    d.CopyFrom(it, d.GetAllocator());
    // Core lists omit apiVersion/kind per item; kubectl fills them in.
    if (!d.HasMember("apiVersion")) json::SetString(d, "apiVersion", res.GroupVersion(), d.GetAllocator());
    if (!d.HasMember("kind")) json::SetString(d, "kind", res.kind, d.GetAllocator());
    out->push_back(std::move(d));
  }
  return Status::OK();
}

Status PrintObjects(Env& env, const GetRequest& r) {
  std::vector<json::Document> objs;
  const ApiResource* only = r.types.size() == 1 ? r.types[0] : nullptr;
  for (const ApiResource* res : r.types) {
    std::string rv;
    DW_RETURN_IF_ERROR(FetchObjects(env, r, *res, &objs, &rv));
  }
  std::string text;
  bool single = r.names.size() == 1 && objs.size() == 1;
  if (single) {
    DW_RETURN_IF_ERROR(FormatObject(r.output, objs[0], only, &text));
  } else {
    json::Document list;
    MakeList(objs, &list);
    DW_RETURN_IF_ERROR(FormatObject(r.output, list, only, &text));
  }
  *env.out << text;
  return Status::OK();
}

std::string EmptyMessage(const Env& env, const GetRequest& r) {
  if (r.all_namespaces || !r.types[0]->namespaced) return "No resources found\n";
  return "No resources found in " + env.ns + " namespace.\n";
}

// Streams watch events of one type as table rows after the initial table.
Status WatchRows(Env& env, const GetRequest& r, const ApiResource& res, TablePrinter* printer,
                 const std::string& rv) {
  std::string ns = NamespaceOf(env, res, r.all_namespaces);
  std::string q = Query(env);
  q += (q.empty() ? "?" : "&") + std::string("watch=1");
  if (!rv.empty()) q += "&resourceVersion=" + http::QueryEscape(rv);
  if (r.names.size() == 1) q += "&fieldSelector=" + http::QueryEscape("metadata.name=" + r.names[0]);
  auto on_event = [&](const std::string& type, const json::Value& obj) {
    if (json::GetString(obj, "kind") == "Table") {
      printer->Add(obj);
    } else {
      // Server sent a plain object: show its name in a one-row table.
      json::Document t(rapidjson::kObjectType);
      auto& a = t.GetAllocator();
      json::Value row(rapidjson::kObjectType), cells(rapidjson::kArrayType), rows(rapidjson::kArrayType);
      cells.PushBack(json::Str(json::GetStringPath(obj, "metadata.name"), a), a);
      json::SetValue(row, "cells", cells, a);
      json::Value o(obj, a);
      json::SetValue(row, "object", o, a);
      rows.PushBack(row, a);
      json::SetValue(t, "rows", rows, a);
      printer->Add(t);
    }
    *env.out << printer->RenderNew() << std::flush;
    return true;
  };
  // A watch has no natural end; the server closes it and we return.
  return env.api->Watch(res.Path(ns) + q, kTableAccept, on_event, std::chrono::hours(24 * 365));
}

Status PrintTables(Env& env, const GetRequest& r) {
  bool any = false;
  std::string last_rv;
  TablePrinter* last = nullptr;
  std::vector<std::unique_ptr<TablePrinter>> printers;
  for (const ApiResource* res : r.types) {
    TableOptions opts;
    opts.wide = r.output == "wide";
    opts.with_namespace = r.all_namespaces && res->namespaced;
    opts.show_labels = r.show_labels;
    opts.no_headers = r.no_headers;
    if (r.types.size() > 1) opts.name_prefix = res->KindGroup() + "/";
    auto printer = std::make_unique<TablePrinter>(opts);
    std::string ns = NamespaceOf(env, *res, r.all_namespaces);
    if (r.names.empty()) {
      json::Document table;
      DW_RETURN_IF_ERROR(env.api->Get(res->Path(ns) + Query(env), &table, kTableAccept));
      last_rv = json::GetStringPath(table, "metadata.resourceVersion");
      printer->Add(table);
    } else {
      for (const auto& n : r.names) {
        json::Document table;
        Status st = env.api->Get(res->Path(ns, n), &table, kTableAccept);
        if (!st.ok()) {
          *env.out << printer->RenderNew();
          return st;
        }
        printer->Add(table);
      }
    }
    if (printer->rows() > 0) {
      if (any) *env.out << "\n";
      *env.out << printer->RenderNew();
      any = true;
    }
    last = printer.get();
    printers.push_back(std::move(printer));
  }
  if (!any && !r.watch) *env.err << EmptyMessage(env, r);
  if (r.watch) {
    if (r.types.size() > 1) return Status::BadRequest("error: you may only specify a single resource type");
    return WatchRows(env, r, *r.types[0], last, last_rv);
  }
  return Status::OK();
}

}  // namespace

Status RunGet(Env& env, int*) {
  GetRequest r;
  DW_RETURN_IF_ERROR(ParseGet(env, &r));
  if (IsObjectFormat(r.output)) {
    if (r.watch) return Status::BadRequest("error: --watch is only supported with table output");
    return PrintObjects(env, r);
  }
  return PrintTables(env, r);
}

}  // namespace dw::cli
