#include "operator/schema/openapi.h"

#include <cctype>
#include <cstdio>

#include "operator/schema/openapi_meta.h"
#include "operator/schema/schema_util.h"

namespace dw::schema {

namespace {

enum class Flavor { kV3, kV2 };

struct ParamSpec {
  const char* name;
  const char* type;
  const char* description;
};

// Query parameters, with the apiserver's descriptions shortened.
constexpr ParamSpec kPretty{"pretty", "string", "If 'true', then the output is pretty printed."};
constexpr ParamSpec kListParams[] = {
    {"allowWatchBookmarks", "boolean", "allowWatchBookmarks requests watch events with type \"BOOKMARK\"."},
    {"continue", "string", "The continue option should be set when retrieving more results from the server."},
    {"fieldSelector", "string", "A selector to restrict the list of returned objects by their fields. Defaults to everything."},
    {"labelSelector", "string", "A selector to restrict the list of returned objects by their labels. Defaults to everything."},
    {"limit", "integer", "limit is a maximum number of responses to return for a list call."},
    {"resourceVersion", "string", "resourceVersion sets a constraint on what resource versions a request may be served from."},
    {"resourceVersionMatch", "string", "resourceVersionMatch determines how resourceVersion is applied to list calls."},
    {"sendInitialEvents", "boolean", "`sendInitialEvents=true` may be set together with `watch=true`."},
    {"timeoutSeconds", "integer", "Timeout for the list/watch call."},
    {"watch", "boolean", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications."},
};
constexpr ParamSpec kDryRun{"dryRun", "string",
                            "When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed"};
constexpr ParamSpec kFieldManager{"fieldManager", "string",
                                  "fieldManager is a name associated with the actor or entity that is making these changes."};
constexpr ParamSpec kFieldValidation{
    "fieldValidation", "string",
    "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown "
    "or duplicate fields. Valid values are: - Ignore - Warn - Strict"};
constexpr ParamSpec kForce{"force", "boolean",
                           "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people."};
constexpr ParamSpec kDeleteParams[] = {
    {"gracePeriodSeconds", "integer", "The duration in seconds before the object should be deleted."},
    {"orphanDependents", "boolean", "Deprecated: please use the PropagationPolicy."},
    {"propagationPolicy", "string", "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'."},
};

class Builder {
 public:
  Builder(Flavor f, json::Allocator& a)
      : f_(f), a_(a), prefix_(f == Flavor::kV3 ? "#/components/schemas/" : "#/definitions/") {}

  // components.schemas (v3) or definitions (v2) entries for one kind.
  void AddSchemas(const ResourceInfo& info, json::Value& schemas) {
    schemas.AddMember(json::Str(DefinitionName(info.group, info.version, info.kind), a_), KindSchema(info), a_);
    schemas.AddMember(json::Str(DefinitionName(info.group, info.version, info.list_kind), a_), ListSchema(info), a_);
  }

  void AddPaths(const ResourceInfo& info, json::Value& paths) {
    std::string base = info.group.empty() ? "/api/" + info.version : "/apis/" + info.group + "/" + info.version;
    std::string coll = base + (info.namespaced ? "/namespaces/{namespace}/" : "/") + info.plural;
    Ops ops{info, *this};
    json::Value c = PathItem(info.namespaced, false);
    c.AddMember("get", ops.List(false), a_);
    c.AddMember("post", ops.Create(), a_);
    c.AddMember("delete", ops.DeleteCollection(), a_);
    paths.AddMember(json::Str(coll, a_), c, a_);

    json::Value item = PathItem(info.namespaced, true);
    item.AddMember("get", ops.Read(""), a_);
    item.AddMember("put", ops.Replace(""), a_);
    item.AddMember("patch", ops.Patch(""), a_);
    item.AddMember("delete", ops.Delete(), a_);
    paths.AddMember(json::Str(coll + "/{name}", a_), item, a_);

    if (info.has_status) {
      json::Value st = PathItem(info.namespaced, true);
      st.AddMember("get", ops.Read("Status"), a_);
      st.AddMember("put", ops.Replace("Status"), a_);
      st.AddMember("patch", ops.Patch("Status"), a_);
      paths.AddMember(json::Str(coll + "/{name}/status", a_), st, a_);
    }
    if (info.namespaced) {
      json::Value all = PathItem(false, false);
      all.AddMember("get", ops.List(true), a_);
      paths.AddMember(json::Str(base + "/" + info.plural, a_), all, a_);
    }
  }

 private:
  // Operation objects of one kind.
  struct Ops {
    const ResourceInfo& info;
    Builder& b;

    std::string Id(const std::string& verb, bool namespaced, const std::string& suffix) const {
      return verb + GroupCamel(info.group) + Capital(info.version) + (namespaced ? "Namespaced" : "") + info.kind +
             suffix;
    }
    std::string Kind() const { return DefinitionName(info.group, info.version, info.kind); }
    std::string ListKind() const { return DefinitionName(info.group, info.version, info.list_kind); }

    json::Value List(bool all_namespaces) {
      json::Value op = b.Operation(info, "list", "list or watch objects of kind " + info.kind,
                                   Id("list", info.namespaced && !all_namespaces, all_namespaces ? "ForAllNamespaces" : ""));
      for (const auto& p : kListParams) b.AddParam(op, p);
      b.Respond(op, ListKind(), {"200"});
      return op;
    }
    json::Value Create() {
      json::Value op = b.Operation(info, "post", "create " + Article() + info.kind, Id("create", info.namespaced, ""));
      b.AddWriteParams(op, false);
      b.Body(op, Kind(), {"*/*"});
      b.Respond(op, Kind(), {"200", "201", "202"});
      return op;
    }
    json::Value DeleteCollection() {
      json::Value op = b.Operation(info, "deletecollection", "delete collection of " + info.kind,
                                   Id("deleteCollection", info.namespaced, ""));
      for (const auto& p : kListParams) b.AddParam(op, p);
      b.AddParam(op, kDryRun);
      for (const auto& p : kDeleteParams) b.AddParam(op, p);
      b.Body(op, kDeleteOptionsDef, {"*/*"});
      b.Respond(op, kStatusDef, {"200"});
      return op;
    }
    json::Value Read(const std::string& sub) {
      std::string what = sub.empty() ? "read the specified " : "read status of the specified ";
      json::Value op = b.Operation(info, "get", what + info.kind, Id("read", info.namespaced, sub));
      b.Respond(op, Kind(), {"200"});
      return op;
    }
    json::Value Replace(const std::string& sub) {
      std::string what = sub.empty() ? "replace the specified " : "replace status of the specified ";
      json::Value op = b.Operation(info, "put", what + info.kind, Id("replace", info.namespaced, sub));
      b.AddWriteParams(op, false);
      b.Body(op, Kind(), {"*/*"});
      b.Respond(op, Kind(), {"200", "201"});
      return op;
    }
    json::Value Patch(const std::string& sub) {
      std::string what = sub.empty() ? "partially update the specified " : "partially update status of the specified ";
      json::Value op = b.Operation(info, "patch", what + info.kind, Id("patch", info.namespaced, sub));
      b.AddWriteParams(op, true);
      std::vector<const char*> types = {"application/json-patch+json", "application/merge-patch+json",
                                        "application/apply-patch+yaml"};
      // Strategic merge patch needs Go struct tags: core kinds only.
      if (info.group.empty()) types.push_back("application/strategic-merge-patch+json");
      b.Body(op, kPatchDef, types);
      b.Respond(op, Kind(), {"200", "201"});
      return op;
    }
    json::Value Delete() {
      json::Value op = b.Operation(info, "delete", "delete " + Article() + info.kind, Id("delete", info.namespaced, ""));
      b.AddParam(op, kDryRun);
      for (const auto& p : kDeleteParams) b.AddParam(op, p);
      b.Body(op, kDeleteOptionsDef, {"*/*"});
      b.Respond(op, kStatusDef, {"200", "202"});
      return op;
    }
    std::string Article() const {
      char c = static_cast<char>(std::tolower(static_cast<unsigned char>(info.kind[0])));
      return (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u') ? "an " : "a ";
    }
  };

  static std::string Capital(std::string s) {
    if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    return s;
  }
  // "dockward.io" -> "DockwardIo", "coordination.k8s.io" -> "Coordination", "" -> "Core".
  static std::string GroupCamel(const std::string& group) {
    if (group.empty()) return "Core";
    std::string g = group;
    const std::string k8s = ".k8s.io";
    if (g.size() > k8s.size() && g.compare(g.size() - k8s.size(), k8s.size(), k8s) == 0) g.resize(g.size() - k8s.size());
    std::string out;
    bool up = true;
    for (char c : g) {
      if (c == '.' || c == '-') {
        up = true;
        continue;
      }
      out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      up = false;
    }
    return out;
  }
  static std::string Tag(const ResourceInfo& info) {
    std::string g = GroupCamel(info.group);
    g[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(g[0])));
    return g + "_" + info.version;
  }

  json::Value Ref(const std::string& def) {
    json::Value r(rapidjson::kObjectType);
    r.AddMember("$ref", json::Str(prefix_ + def, a_), a_);
    return r;
  }
  // A described reference: v3 wraps in allOf (siblings of $ref are ignored
  // in 3.0), v2 puts the description next to $ref like the apiserver does.
  json::Value DescribedRef(const std::string& def, const char* description) {
    json::Value r(rapidjson::kObjectType);
    r.AddMember("description", json::Str(description, a_), a_);
    if (f_ == Flavor::kV3) {
      json::Value all(rapidjson::kArrayType);
      all.PushBack(Ref(def), a_);
      r.AddMember("default", json::Value(rapidjson::kObjectType), a_);
      r.AddMember("allOf", all, a_);
    } else {
      r.AddMember("$ref", json::Str(prefix_ + def, a_), a_);
    }
    return r;
  }

  json::Value Gvk(const ResourceInfo& info, const std::string& kind) {
    json::Value g(rapidjson::kObjectType);
    g.AddMember("group", json::Str(info.group, a_), a_);
    g.AddMember("kind", json::Str(kind, a_), a_);
    g.AddMember("version", json::Str(info.version, a_), a_);
    return g;
  }
  json::Value GvkList(const ResourceInfo& info, const std::string& kind) {
    json::Value l(rapidjson::kArrayType);
    l.PushBack(Gvk(info, kind), a_);
    return l;
  }

  // The published form of a CRD schema, as the apiextensions apiserver
  // publishes it: int-or-string nodes lose their anyOf (clients recognise
  // the extension and show IntOrString), and OpenAPI 2.0, which has no
  // oneOf/anyOf/not/nullable, loses those keywords everywhere.
  void Publish(json::Value& v) {
    if (v.IsObject()) {
      if (f_ == Flavor::kV2) {
        for (const char* k : {"oneOf", "anyOf", "not", "nullable"}) v.RemoveMember(k);
      } else if (Flag(v, "x-kubernetes-int-or-string")) {
        v.RemoveMember("anyOf");
      }
      for (auto& m : v.GetObject()) Publish(m.value);
    } else if (v.IsArray()) {
      for (auto& e : v.GetArray()) Publish(e);
    }
  }

  json::Value KindSchema(const ResourceInfo& info) {
    json::Value s(*info.schema, a_);
    Publish(s);
    json::Value& props = json::EnsureObject(s, "properties", a_);
    json::Value meta = DescribedRef(kObjectMetaDef,
                                    "Standard object's metadata. More info: "
                                    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata");
    json::SetValue(props, "metadata", meta, a_);
    json::Value gvk = GvkList(info, info.kind);
    json::SetValue(s, "x-kubernetes-group-version-kind", gvk, a_);
    return s;
  }

  json::Value StringProp(const char* description) {
    json::Value p(rapidjson::kObjectType);
    p.AddMember("description", json::Str(description, a_), a_);
    p.AddMember("type", "string", a_);
    return p;
  }

  json::Value ListSchema(const ResourceInfo& info) {
    json::Value s(rapidjson::kObjectType);
    s.AddMember("description", json::Str(info.list_kind + " is a list of " + info.kind, a_), a_);
    s.AddMember("type", "object", a_);
    json::Value req(rapidjson::kArrayType);
    req.PushBack("items", a_);
    s.AddMember("required", req, a_);
    json::Value props(rapidjson::kObjectType);
    props.AddMember("apiVersion", StringProp("APIVersion defines the versioned schema of this representation of an object."), a_);
    json::Value items(rapidjson::kObjectType);
    items.AddMember("description", json::Str("List of " + info.plural + ".", a_), a_);
    items.AddMember("type", "array", a_);
    items.AddMember("items", Ref(DefinitionName(info.group, info.version, info.kind)), a_);
    props.AddMember("items", items, a_);
    props.AddMember("kind", StringProp("Kind is a string value representing the REST resource this object represents."), a_);
    props.AddMember("metadata", DescribedRef(kListMetaDef, "Standard list metadata."), a_);
    s.AddMember("properties", props, a_);
    s.AddMember("x-kubernetes-group-version-kind", GvkList(info, info.list_kind), a_);
    return s;
  }

  json::Value Param(const ParamSpec& p, const char* in, bool required) {
    json::Value v(rapidjson::kObjectType);
    v.AddMember("name", json::Str(p.name, a_), a_);
    v.AddMember("in", json::Str(in, a_), a_);
    v.AddMember("description", json::Str(p.description, a_), a_);
    if (required) v.AddMember("required", true, a_);
    if (f_ == Flavor::kV3) {
      json::Value schema(rapidjson::kObjectType);
      schema.AddMember("type", json::Str(p.type, a_), a_);
      schema.AddMember("uniqueItems", true, a_);
      v.AddMember("schema", schema, a_);
    } else {
      v.AddMember("type", json::Str(p.type, a_), a_);
      v.AddMember("uniqueItems", true, a_);
    }
    return v;
  }
  void AddParam(json::Value& op, const ParamSpec& p) { op["parameters"].PushBack(Param(p, "query", false), a_); }

  void AddWriteParams(json::Value& op, bool patch) {
    AddParam(op, kDryRun);
    AddParam(op, kFieldManager);
    AddParam(op, kFieldValidation);
    if (patch) AddParam(op, kForce);
  }

  json::Value PathItem(bool namespaced, bool named) {
    json::Value item(rapidjson::kObjectType);
    json::Value params(rapidjson::kArrayType);
    if (named) params.PushBack(Param({"name", "string", "name of the object"}, "path", true), a_);
    if (namespaced) {
      params.PushBack(
          Param({"namespace", "string", "object name and auth scope, such as for teams and projects"}, "path", true), a_);
    }
    params.PushBack(Param(kPretty, "query", false), a_);
    item.AddMember("parameters", params, a_);
    return item;
  }

  json::Value StringList(const std::vector<const char*>& items) {
    json::Value l(rapidjson::kArrayType);
    for (const char* t : items) l.PushBack(json::Str(t, a_), a_);
    return l;
  }

  // Operation skeleton; the parameters array is filled by the caller.
  json::Value Operation(const ResourceInfo& info, const char* action, const std::string& description,
                        const std::string& id) {
    json::Value op(rapidjson::kObjectType);
    op.AddMember("description", json::Str(description, a_), a_);
    op.AddMember("operationId", json::Str(id, a_), a_);
    op.AddMember("tags", StringList({}), a_);
    op["tags"].PushBack(json::Str(Tag(info), a_), a_);
    op.AddMember("parameters", json::Value(rapidjson::kArrayType), a_);
    op.AddMember("x-kubernetes-action", json::Str(action, a_), a_);
    op.AddMember("x-kubernetes-group-version-kind", Gvk(info, info.kind), a_);
    if (f_ == Flavor::kV2) {
      op.AddMember("consumes", StringList({"*/*"}), a_);
      op.AddMember("produces", StringList({"application/json", "application/yaml"}), a_);
      op.AddMember("schemes", StringList({"https"}), a_);
    }
    return op;
  }

  // Request body: v3 requestBody per media type, v2 an "in: body" parameter.
  void Body(json::Value& op, const std::string& def, const std::vector<const char*>& types) {
    if (f_ == Flavor::kV2) {
      json::Value p(rapidjson::kObjectType);
      p.AddMember("name", "body", a_);
      p.AddMember("in", "body", a_);
      p.AddMember("required", true, a_);
      p.AddMember("schema", Ref(def), a_);
      op["parameters"].PushBack(p, a_);
      op["consumes"] = StringList(types);
      return;
    }
    json::Value content(rapidjson::kObjectType);
    for (const char* t : types) {
      json::Value media(rapidjson::kObjectType);
      media.AddMember("schema", Ref(def), a_);
      content.AddMember(json::Str(t, a_), media, a_);
    }
    json::Value body(rapidjson::kObjectType);
    body.AddMember("content", content, a_);
    body.AddMember("required", true, a_);
    op.AddMember("requestBody", body, a_);
  }

  void Respond(json::Value& op, const std::string& def, const std::vector<const char*>& codes) {
    json::Value responses(rapidjson::kObjectType);
    for (const char* code : codes) {
      json::Value r(rapidjson::kObjectType);
      std::string c = code;
      r.AddMember("description", json::Str(c == "201" ? "Created" : c == "202" ? "Accepted" : "OK", a_), a_);
      if (f_ == Flavor::kV2) {
        r.AddMember("schema", Ref(def), a_);
      } else {
        json::Value content(rapidjson::kObjectType);
        for (const char* t : {"application/json", "application/yaml"}) {
          json::Value media(rapidjson::kObjectType);
          media.AddMember("schema", Ref(def), a_);
          content.AddMember(json::Str(t, a_), media, a_);
        }
        r.AddMember("content", content, a_);
      }
      responses.AddMember(json::Str(code, a_), r, a_);
    }
    json::Value unauthorized(rapidjson::kObjectType);
    unauthorized.AddMember("description", "Unauthorized", a_);
    responses.AddMember("401", unauthorized, a_);
    op.AddMember("responses", responses, a_);
  }

  Flavor f_;
  json::Allocator& a_;
  std::string prefix_;
};

// FNV-1a 64: a content fingerprint for caching, not a security boundary.
std::string Fingerprint(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llX", static_cast<unsigned long long>(h));
  return buf;
}

OpenApiDocument Finish(const json::Value& doc) {
  OpenApiDocument out;
  out.json = json::Serialize(doc);
  out.hash = Fingerprint(out.json);
  return out;
}

json::Value Info(json::Allocator& a) {
  json::Value info(rapidjson::kObjectType);
  info.AddMember("title", "Kubernetes", a);
  info.AddMember("version", "v1.32.0-dockward", a);
  return info;
}

std::string GvPath(const ResourceInfo& info) {
  return info.group.empty() ? "api/" + info.version : "apis/" + info.group + "/" + info.version;
}

OpenApiDocument BuildV3(const std::vector<const ResourceInfo*>& kinds) {
  json::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  Builder b(Flavor::kV3, a);
  doc.AddMember("openapi", "3.0.0", a);
  doc.AddMember("info", Info(a), a);
  json::Value paths(rapidjson::kObjectType);
  json::Value schemas(rapidjson::kObjectType);
  AddMetaSchemas(schemas, "#/components/schemas/", a);
  for (const ResourceInfo* k : kinds) {
    b.AddPaths(*k, paths);
    b.AddSchemas(*k, schemas);
  }
  doc.AddMember("paths", paths, a);
  json::Value components(rapidjson::kObjectType);
  components.AddMember("schemas", schemas, a);
  json::Value bearer(rapidjson::kObjectType);
  bearer.AddMember("type", "apiKey", a);
  bearer.AddMember("name", "authorization", a);
  bearer.AddMember("in", "header", a);
  json::Value security(rapidjson::kObjectType);
  security.AddMember("BearerToken", bearer, a);
  components.AddMember("securitySchemes", security, a);
  doc.AddMember("components", components, a);
  return Finish(doc);
}

OpenApiDocument BuildV2(const ResourceRegistry& reg) {
  json::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  Builder b(Flavor::kV2, a);
  doc.AddMember("swagger", "2.0", a);
  doc.AddMember("info", Info(a), a);
  json::Value paths(rapidjson::kObjectType);
  json::Value defs(rapidjson::kObjectType);
  AddMetaSchemas(defs, "#/definitions/", a);
  for (const auto& k : reg.All()) {
    b.AddPaths(*k, paths);
    b.AddSchemas(*k, defs);
  }
  doc.AddMember("paths", paths, a);
  doc.AddMember("definitions", defs, a);
  return Finish(doc);
}

}  // namespace

std::string DefinitionName(const std::string& group, const std::string& version, const std::string& kind) {
  if (group.empty()) return "io.k8s.api.core." + version + "." + kind;
  const std::string k8s = ".k8s.io";
  if (group.size() > k8s.size() && group.compare(group.size() - k8s.size(), k8s.size(), k8s) == 0) {
    return "io.k8s.api." + group.substr(0, group.size() - k8s.size()) + "." + version + "." + kind;
  }
  // Reverse the DNS labels: "dockward.io" -> "io.dockward".
  std::string reversed;
  size_t end = group.size();
  while (true) {
    size_t dot = group.rfind('.', end - 1);
    size_t start = dot == std::string::npos ? 0 : dot + 1;
    if (!reversed.empty()) reversed += '.';
    reversed += group.substr(start, end - start);
    if (dot == std::string::npos || dot == 0) break;
    end = dot;
  }
  return reversed + "." + version + "." + kind;
}

std::unique_ptr<OpenApiDocs> OpenApiDocs::Build(const ResourceRegistry& registry) {
  auto docs = std::make_unique<OpenApiDocs>();
  std::map<std::string, std::vector<const ResourceInfo*>> by_gv;
  for (const auto& k : registry.All()) by_gv[GvPath(*k)].push_back(k.get());
  json::Document root(rapidjson::kObjectType);
  auto& a = root.GetAllocator();
  json::Value index(rapidjson::kObjectType);
  for (const auto& [gv, kinds] : by_gv) {
    OpenApiDocument d = BuildV3(kinds);
    json::Value entry(rapidjson::kObjectType);
    entry.AddMember("serverRelativeURL", json::Str("/openapi/v3/" + gv + "?hash=" + d.hash, a), a);
    index.AddMember(json::Str(gv, a), entry, a);
    docs->v3_.emplace(gv, std::move(d));
  }
  root.AddMember("paths", index, a);
  docs->v3_root_ = Finish(root);
  docs->v2_ = BuildV2(registry);
  return docs;
}

const OpenApiDocument* OpenApiDocs::V3(const std::string& gv_path) const {
  auto it = v3_.find(gv_path);
  return it == v3_.end() ? nullptr : &it->second;
}

}  // namespace dw::schema
