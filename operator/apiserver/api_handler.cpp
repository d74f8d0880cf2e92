#include "operator/apiserver/api_handler.h"

#include <chrono>
#include <map>
#include <unordered_set>

#include "operator/apiserver/protobuf_body.h"
#include "operator/apiserver/request_info.h"
#include "operator/apiserver/request_options.h"
#include "operator/apiserver/status_response.h"
#include "operator/apiserver/table.h"
#include "operator/common/log.h"
#include "operator/json/yaml.h"
#include "operator/tls/pki.h"

namespace dw::apiserver {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kJson = "application/json";
constexpr const char* kTableContentType = "application/json;as=Table;v=v1;g=meta.k8s.io";
constexpr std::chrono::seconds kBookmarkInterval{60};
constexpr std::chrono::seconds kDefaultWatchTimeout{1800};
// How often an idle watch looks for a departed client.
constexpr std::chrono::milliseconds kIdleCheck{5000};

bool WantsTable(const HttpRequest& req) {
  return req.Header("accept").find("as=Table") != std::string::npos;
}

bool WantsYaml(const HttpRequest& req) {
  std::string accept = req.Header("accept");
  return accept.rfind("application/yaml", 0) == 0;
}

// Builds the JSON text of a list without re-parsing stored objects.
std::string ListJson(const schema::ResourceInfo& r, const store::ListResult& l) {
  size_t total = 256;
  for (const auto& it : l.items) total += it.data->size() + 1;
  std::string out;
  out.reserve(total);
  out += "{\"kind\":\"";
  out += r.list_kind.empty() ? r.kind + "List" : r.list_kind;
  out += "\",\"apiVersion\":\"";
  out += r.GroupVersion();
  out += "\",\"metadata\":{\"resourceVersion\":\"";
  out += std::to_string(l.rv);
  out += "\"";
  if (!l.last_key.empty()) {
    out += ",\"continue\":\"";
    out += EncodeContinue(l.last_key, l.rv);
    out += "\",\"remainingItemCount\":";
    out += std::to_string(l.remaining);
  }
  out += "},\"items\":[";
  for (size_t i = 0; i < l.items.size(); ++i) {
    if (i) out += ',';
    out += *l.items[i].data;
  }
  out += "]}";
  return out;
}

schema::FieldValidation ParseFieldValidation(const std::string& v, Status* st) {
  if (v.empty() || v == "Warn") return schema::FieldValidation::kWarn;
  if (v == "Strict") return schema::FieldValidation::kStrict;
  if (v == "Ignore") return schema::FieldValidation::kIgnore;
  *st = Status::BadRequest("fieldValidation must be one of Ignore, Warn, Strict; got " + v);
  return schema::FieldValidation::kWarn;
}

// The manager name Kubernetes derives when a client sends no fieldManager:
// the user agent up to the first '/'.
std::string DefaultFieldManager(const HttpRequest& req) {
  std::string ua = req.Header("user-agent");
  size_t slash = ua.find('/');
  if (slash != std::string::npos) ua = ua.substr(0, slash);
  if (ua.size() > 128) ua.resize(128);
  return ua.empty() ? "unknown" : ua;
}

Status ParseWriteOptions(const HttpRequest& req, bool status_sub, bool is_apply, WriteOptions* o) {
  Status st;
  for (auto [it, end] = req.query.equal_range("dryRun"); it != end; ++it) {
    if (it->second == "All") o->dry_run = true;
    else return Status::BadRequest("dryRun must be All; got " + it->second);
  }
  o->validation = ParseFieldValidation(req.Query("fieldValidation"), &st);
  DW_RETURN_IF_ERROR(st);
  o->field_manager = req.Query("fieldManager");
  if (o->field_manager.size() > 128)
    return Status::Invalid("fieldManager: Too long: may not be longer than 128",
                           {{"FieldValueTooLong", "fieldManager", "Too long: may not be longer than 128"}});
  if (o->field_manager.empty() && !is_apply) o->field_manager = DefaultFieldManager(req);
  std::string force = req.Query("force");
  if (!force.empty() && !is_apply) return Status::BadRequest("force is only allowed for apply patches");
  o->force = force == "true" || force == "1";
  o->status_subresource = status_sub;
  return Status::OK();
}

Status ParseBody(const HttpRequest& req, json::Document* doc) {
  std::string ct = req.Header("content-type");
  if (req.body.empty()) return Status::BadRequest("the request body is empty");
  if (ct.rfind("application/yaml", 0) == 0) {
    yaml::ParseOptions po;
    po.source_name = "request body";
    po.track_lines = false;
    return yaml::ParseOne(req.body, po, doc);
  }
  if (ct.rfind(kProtobufContentType, 0) == 0) return DecodeProtobufObject(req.body, doc);
  if (!ct.empty() && ct.rfind("application/json", 0) != 0 && ct.rfind("*/*", 0) != 0)
    return Status(Code::kUnsupportedMediaType, "the body of the request was in an unknown format - "
                  "accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf");
  Status st = json::Parse(req.body, doc);
  if (!st.ok()) return Status::BadRequest("the object provided is unrecognized: " + st.message());
  return Status::OK();
}

HeaderList WarningHeaders(const std::vector<std::string>& warnings) {
  HeaderList h;
  for (const auto& w : warnings) {
    std::string escaped;
    for (char c : w) {
      if (c == '"' || c == '\\') escaped.push_back('\\');
      if (c == '\n' || c == '\r') c = ' ';
      escaped.push_back(c);
    }
    h.emplace_back("Warning", "299 - \"" + escaped + "\"");
  }
  return h;
}

}  // namespace

struct ApiHandler::Tables {
  std::mutex mu;
  std::map<const schema::ResourceInfo*, std::unique_ptr<TableConvertor>> by_kind;
  const TableConvertor& For(const schema::ResourceInfo& r) {
    std::lock_guard<std::mutex> l(mu);
    auto& slot = by_kind[&r];
    if (!slot) slot = std::make_unique<TableConvertor>(r);
    return *slot;
  }
};

ApiHandler::ApiHandler(ObjectRegistry* registry, const Discovery* discovery, OpenApiProvider openapi,
                       std::string admin_token, metrics::Registry* m)
    : registry_(registry), discovery_(discovery), openapi_(std::move(openapi)),
      token_(std::move(admin_token)), tables_(std::make_unique<Tables>()) {
  requests_ = &m->AddCounter("apiserver_request_total",
                             "Requests served, by verb, resource and HTTP code.",
                             {"verb", "resource", "code"});
  latency_ = &m->AddHistogram("apiserver_request_duration_seconds",
                              "Request latency in seconds, by verb and resource (watches excluded).",
                              {"verb", "resource"}, metrics::Registry::LatencyBuckets());
  watch_gauge_ = &m->AddGauge("apiserver_registered_watchers", "Open watch streams, by resource.",
                              {"resource"});
}

ApiHandler::~ApiHandler() = default;

bool ApiHandler::Authenticate(const HttpRequest& req) const {
  std::string auth = req.Header("authorization");
  static const std::string kBearer = "Bearer ";
  if (auth.size() <= kBearer.size() || auth.compare(0, kBearer.size(), kBearer) != 0) return false;
  return tls::ConstantTimeEquals(auth.substr(kBearer.size()), token_);
}

void ApiHandler::CloseWatches() {
  closing_.store(true);
  std::lock_guard<std::mutex> l(watches_mu_);
  for (auto* w : watches_) w->Stop();
}

int64_t ApiHandler::OpenWatches() const {
  std::lock_guard<std::mutex> l(watches_mu_);
  return static_cast<int64_t>(watches_.size());
}

void ApiHandler::Handle(HttpRequest& req, ResponseWriter& w) {
  auto start = Clock::now();
  const std::string& p = req.path;
  if (p == "/healthz" || p == "/livez") {
    w.Send(200, "text/plain; charset=utf-8", "ok");
    return;
  }
  if (p == "/readyz") {
    if (ready_.load()) w.Send(200, "text/plain; charset=utf-8", "ok");
    else w.Send(503, "text/plain; charset=utf-8", "not ready");
    return;
  }
  std::string verb = "get", resource = "";
  int code = 200;
  if (!Authenticate(req)) {
    code = WriteStatus(w, Status::Unauthorized("Unauthorized"));
    verb = "unauthenticated";
  } else if (p == "/metrics") {
    w.Send(200, "text/plain; version=0.0.4; charset=utf-8", metrics::Default().Render());
  } else if (p == "/version" || p == "/version/") {
    w.Send(200, kJson, discovery_->Version());
  } else if (p == "/api" || p == "/api/" || p == "/apis" || p == "/apis/") {
    bool legacy = p.rfind("/api/", 0) == 0 || p == "/api";
    if (req.Header("accept").find("as=APIGroupDiscoveryList") != std::string::npos &&
        req.Header("accept").find("v=v2;") != std::string::npos) {
      w.Send(200, "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
             legacy ? discovery_->AggregatedLegacy() : discovery_->AggregatedApis());
    } else {
      w.Send(200, kJson, legacy ? discovery_->ApiVersions() : discovery_->ApiGroupList());
    }
  } else if (p.rfind("/openapi/", 0) == 0) {
    std::string body, ct;
    if (openapi_ && openapi_(p, &body, &ct)) w.Send(200, ct, std::move(body));
    else code = WriteStatus(w, Status::NotFound("the server could not find the requested resource"));
  } else {
    RequestInfo info = ParseRequestInfo(req);
    if (info.is_resource_request) {
      verb = info.verb;
      resource = info.resource;
      HandleResource(req, w, &code);
    } else {
      // Discovery for one group or group-version.
      std::string rest = p;
      while (rest.size() > 1 && rest.back() == '/') rest.pop_back();
      const std::string* doc = nullptr;
      if (rest == "/api/v1") doc = discovery_->ResourceList("v1");
      else if (rest.rfind("/apis/", 0) == 0) {
        std::string gv = rest.substr(6);
        doc = gv.find('/') == std::string::npos ? discovery_->ApiGroup(gv) : discovery_->ResourceList(gv);
      }
      if (doc) w.Send(200, kJson, *doc);
      else code = WriteStatus(w, Status::NotFound("the server could not find the requested resource"));
    }
  }
  requests_->With({verb, resource, std::to_string(code)}).Inc();
  if (verb != "watch") {
    double secs = std::chrono::duration<double>(Clock::now() - start).count();
    latency_->With({verb, resource}).Observe(secs);
  }
  if (log::Enabled(log::Level::kDebug))
    log::Debug("request", {{"method", req.method}, {"path", p}, {"code", std::to_string(code)}});
}

void ApiHandler::HandleResource(HttpRequest& req, ResponseWriter& w, int* code) {
  RequestInfo info = ParseRequestInfo(req);
  const schema::ResourceInfo* r = registry_->kinds().ByResource(info.group, info.resource);
  std::string object_name = info.name;  // a create learns it from the body
  auto fail = [&](const Status& st) {
    // Field errors name their object, so that kubectl can print
    // "The BackupPolicy "x" is invalid:" followed by each cause.
    StatusDetails details;
    if (r && st.code() == Code::kInvalid && !st.causes().empty()) details = {object_name, r->group, r->kind};
    *code = WriteStatus(w, st, details);
  };
  if (!r || r->version != info.version || (!r->namespaced && !info.namespace_.empty()) ||
      (!info.subresource.empty() && !(info.subresource == "status" && (r->has_status || (r->group.empty() && r->plural == "namespaces"))))) {
    return fail(Status::NotFound("the server could not find the requested resource"));
  }
  const std::string& ns = info.namespace_;
  bool needs_ns = r->namespaced && info.verb != "list" && info.verb != "watch";
  if (needs_ns && ns.empty())
    return fail(Status::NotFound("the server could not find the requested resource"));
  bool status_sub = info.subresource == "status";
  bool table = WantsTable(req);

  auto send_object = [&](int http, const store::Object& o, const std::vector<std::string>& warnings) {
    HeaderList h = WarningHeaders(warnings);
    if (table) {
      json::Document d, t;
      if (!json::Parse(*o.data, &d).ok()) return fail(Status::Internal("stored object unreadable"));
      const auto& conv = tables_->For(*r);
      conv.InitTable(t, o.rv, true);
      t["rows"].PushBack(conv.Row(d, ParseIncludeObject(req.Query("includeObject")), t.GetAllocator()),
                         t.GetAllocator());
      *code = http;
      return w.Send(http, kTableContentType, json::Serialize(t), h);
    }
    *code = http;
    if (WantsYaml(req)) {
      json::Document d;
      if (json::Parse(*o.data, &d).ok()) return w.Send(http, "application/yaml", yaml::Emit(d), h);
    }
    w.Send(http, kJson, *o.data, h);
  };

  if (info.verb == "get") {
    store::Object o;
    Status st = registry_->Get(*r, ns, info.name, &o);
    if (!st.ok()) return fail(st);
    return send_object(200, o, {});
  }
  if (info.verb == "list" || info.verb == "watch") {
    if (info.verb == "watch") return HandleWatch(*r, ns, info.name, req, w);
    ListQuery q;
    Status st = ParseListQuery(*r, req, &q);
    if (!st.ok()) return fail(st);
    store::ListResult lr;
    st = registry_->List(*r, ns, q, &lr);
    if (!st.ok()) return fail(st);
    if (!table) {
      *code = 200;
      return w.Send(200, kJson, ListJson(*r, lr));
    }
    json::Document t;
    const auto& conv = tables_->For(*r);
    conv.InitTable(t, lr.rv, true);
    auto& a = t.GetAllocator();
    if (!lr.last_key.empty()) {
      t["metadata"].AddMember("continue", json::Str(EncodeContinue(lr.last_key, lr.rv), a), a);
      t["metadata"].AddMember("remainingItemCount", lr.remaining, a);
    }
    IncludeObject inc = ParseIncludeObject(req.Query("includeObject"));
    for (const auto& item : lr.items) {
      json::Document d;
      if (!json::Parse(*item.data, &d).ok()) continue;
      t["rows"].PushBack(conv.Row(d, inc, a), a);
    }
    *code = 200;
    return w.Send(200, kTableContentType, json::Serialize(t));
  }
  if (info.verb == "create") {
    if (!info.name.empty() || status_sub) return fail(Status(Code::kMethodNotAllowed, "create is not allowed on this path"));
    WriteOptions o;
    Status st = ParseWriteOptions(req, false, false, &o);
    json::Document d;
    if (st.ok()) st = ParseBody(req, &d);
    if (st.ok()) object_name = json::GetStringPath(d, "metadata.name");
    WriteResult res;
    if (st.ok()) st = registry_->Create(*r, ns, d, o, &res);
    if (!st.ok()) return fail(st);
    return send_object(201, res.object, res.warnings);
  }
  if (info.verb == "update") {
    WriteOptions o;
    Status st = ParseWriteOptions(req, status_sub, false, &o);
    json::Document d;
    if (st.ok()) st = ParseBody(req, &d);
    WriteResult res;
    if (st.ok()) st = registry_->Update(*r, ns, info.name, d, o, &res);
    if (!st.ok()) return fail(st);
    return send_object(200, res.object, res.warnings);
  }
  if (info.verb == "patch") {
    std::string ct = req.Header("content-type");
    ct = ct.substr(0, ct.find(';'));
    PatchType type;
    if (ct == "application/merge-patch+json") type = PatchType::kMerge;
    else if (ct == "application/json-patch+json") type = PatchType::kJson;
    else if (ct == "application/strategic-merge-patch+json") type = PatchType::kStrategic;
    else if (ct == "application/apply-patch+yaml") type = PatchType::kApply;
    else
      return fail(Status(Code::kUnsupportedMediaType,
                         "the body of the request was in an unknown format - accepted media types include: "
                         "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"));
    WriteOptions o;
    Status st = ParseWriteOptions(req, status_sub, type == PatchType::kApply, &o);
    WriteResult res;
    if (st.ok()) st = registry_->Patch(*r, ns, info.name, type, req.body, o, &res);
    if (!st.ok()) return fail(st);
    return send_object(res.created ? 201 : 200, res.object, res.warnings);
  }
  if (info.verb == "delete" || info.verb == "deletecollection") {
    if (status_sub) return fail(Status(Code::kMethodNotAllowed, "delete is not allowed on the status subresource"));
    DeleteOptions o;
    Status st = ParseDeleteOptions(req, &o);
    if (!st.ok()) return fail(st);
    if (info.verb == "delete") {
      WriteResult res;
      st = registry_->Delete(*r, ns, info.name, o, &res);
      if (!st.ok()) return fail(st);
      return send_object(res.deleted ? 200 : 202, res.object, {});
    }
    ListQuery q;
    st = ParseListQuery(*r, req, &q);
    q.limit = 0;
    q.continue_token.clear();
    store::ListResult lr;
    if (st.ok()) st = registry_->List(*r, ns, q, &lr);
    if (!st.ok()) return fail(st);
    store::ListResult deleted;
    deleted.rv = lr.rv;
    for (const auto& item : lr.items) {
      json::Document d;
      if (!json::Parse(*item.data, &d).ok()) continue;
      WriteResult res;
      Status dst = registry_->Delete(*r, json::GetStringPath(d, "metadata.namespace"),
                                     json::GetStringPath(d, "metadata.name"), o, &res);
      if (dst.ok()) deleted.items.push_back(res.object);
      else if (!dst.IsNotFound()) return fail(dst);
    }
    *code = 200;
    return w.Send(200, kJson, ListJson(*r, deleted));
  }
  fail(Status(Code::kMethodNotAllowed, "the server does not allow this method on the requested resource"));
}

void ApiHandler::HandleWatch(const schema::ResourceInfo& r, const std::string& ns,
                             const std::string& name, HttpRequest& req, ResponseWriter& w) {
  ListQuery q;
  Status st = ParseListQuery(r, req, &q);
  if (!st.ok()) return (void)WriteStatus(w, st);
  if (!name.empty()) {
    meta::FieldSelector byname;
    meta::FieldSelector::Parse("metadata.name=" + name, &byname);
    if (q.fields.Empty()) q.fields = byname;
  }
  std::chrono::seconds timeout = kDefaultWatchTimeout;
  std::string ts = req.Query("timeoutSeconds");
  if (!ts.empty()) {
    try {
      timeout = std::chrono::seconds(std::max(0L, std::stol(ts)));
    } catch (...) {
      return (void)WriteStatus(w, Status::BadRequest("timeoutSeconds must be an integer"));
    }
  }
  bool bookmarks = req.Query("allowWatchBookmarks") == "true";
  std::string rv_text = req.Query("resourceVersion");
  bool send_initial = rv_text.empty() || rv_text == "0" || req.Query("sendInitialEvents") == "true";
  bool table = WantsTable(req);
  IncludeObject inc = ParseIncludeObject(req.Query("includeObject"));
  const TableConvertor* conv = table ? &tables_->For(r) : nullptr;
  bool table_headers_sent = false;
  bool filtering = !q.labels.Empty() || !q.fields.Empty();
  std::string prefix = store::MakePrefix(r.GroupResource(), r.namespaced ? ns : "");

  int64_t from_rv = 0;
  std::vector<store::Event> initial;
  // Keys currently visible through the selectors: lets a MODIFIED event that
  // moves an object out of (into) the selection become DELETED (ADDED).
  std::unordered_set<std::string> visible;
  if (send_initial) {
    ListQuery lq = q;
    store::ListResult lr;
    st = registry_->List(r, ns, lq, &lr);
    if (!st.ok()) return (void)WriteStatus(w, st);
    from_rv = lr.rv;
    for (auto& item : lr.items) {
      if (filtering) visible.insert(item.key);
      initial.push_back({store::Event::Type::kAdded, item});
    }
  } else {
    try {
      from_rv = std::stoll(rv_text);
    } catch (...) {
      return (void)WriteStatus(w, Status::BadRequest("invalid resourceVersion: " + rv_text));
    }
    // Resuming a filtered watch: the client's list (at from_rv or later)
    // holds what matches now. Events carry no previous state, so this is
    // what later MODIFIED/DELETED events are judged against.
    if (filtering) {
      store::ListResult lr;
      st = registry_->List(r, ns, q, &lr);
      if (!st.ok()) return (void)WriteStatus(w, st);
      for (const auto& item : lr.items) visible.insert(item.key);
    }
  }
  std::unique_ptr<store::Watcher> watcher;
  st = registry_->store()->Watch(prefix, from_rv, &watcher);
  if (!w.BeginStream(200, table ? kTableContentType : kJson)) return;
  auto write_event = [&](const char* type, const store::Object& o, const json::Value* parsed) -> bool {
    std::string line = "{\"type\":\"";
    line += type;
    line += "\",\"object\":";
    if (conv) {
      json::Document d, t;
      if (!parsed) {
        if (!json::Parse(*o.data, &d).ok()) return true;
        parsed = &d;
      }
      conv->InitTable(t, o.rv, !table_headers_sent);
      table_headers_sent = true;
      t["rows"].PushBack(conv->Row(*parsed, inc, t.GetAllocator()), t.GetAllocator());
      line += json::Serialize(t);
    } else {
      line += *o.data;
    }
    line += "}\n";
    return w.WriteChunk(line);
  };
  if (!st.ok()) {
    if (st.code() == Code::kGone) {
      std::string line = "{\"type\":\"ERROR\",\"object\":" +
                         StatusJson(Status::Gone("too old resource version: " + rv_text + " (" +
                                                 std::to_string(registry_->store()->GetStats().compacted_revision + 1) + ")")) +
                         "}\n";
      w.WriteChunk(line);
    }
    w.EndStream();
    return;
  }
  {
    std::lock_guard<std::mutex> l(watches_mu_);
    watches_.insert(watcher.get());
  }
  auto& gauge = watch_gauge_->With({r.plural});
  gauge.Add(1);
  if (closing_.load()) watcher->Stop();

  bool ok = true;
  for (const auto& e : initial) {
    if (!filtering) {
      ok = write_event("ADDED", e.object, nullptr);
    } else {
      json::Document d;
      if (!json::Parse(*e.object.data, &d).ok()) continue;
      if (!q.fields.Matches(d)) {
        visible.erase(e.object.key);
        continue;
      }
      ok = write_event("ADDED", e.object, &d);
    }
    if (!ok) break;
  }
  auto deadline = Clock::now() + timeout;
  auto last_sent = Clock::now();
  int64_t last_rv = from_rv;
  std::vector<store::Event> batch;
  while (ok) {
    auto now = Clock::now();
    if (now >= deadline) break;
    auto wait = std::min<Clock::duration>(deadline - now, kIdleCheck);
    batch.clear();
    if (!watcher->Next(&batch, std::chrono::duration_cast<std::chrono::milliseconds>(wait))) break;
    for (const auto& e : batch) {
      last_rv = e.object.rv;
      const char* type = e.type == store::Event::Type::kAdded      ? "ADDED"
                         : e.type == store::Event::Type::kModified ? "MODIFIED"
                                                                   : "DELETED";
      if (!filtering) {
        ok = write_event(type, e.object, nullptr);
      } else {
        json::Document d;
        if (!json::Parse(*e.object.data, &d).ok()) continue;
        bool matches = q.fields.Matches(d) && (q.labels.Empty() || (e.object.labels && q.labels.Matches(*e.object.labels)));
        bool was = visible.count(e.object.key) > 0;
        if (e.type == store::Event::Type::kDeleted) {
          // The deleted object's last state decides too: it may have been
          // created and deleted after the list this watch resumes from.
          if (was || matches) ok = write_event("DELETED", e.object, &d);
          visible.erase(e.object.key);
        } else if (matches) {
          visible.insert(e.object.key);
          ok = write_event(was ? "MODIFIED" : "ADDED", e.object, &d);
        } else if (was) {
          visible.erase(e.object.key);
          ok = write_event("DELETED", e.object, &d);
        }
      }
      if (!ok) break;
      last_sent = Clock::now();
    }
    if (!ok || w.PeerClosed()) break;
    if (bookmarks && Clock::now() - last_sent >= kBookmarkInterval) {
      std::string line = "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"" + r.kind + "\",\"apiVersion\":\"" +
                         r.GroupVersion() + "\",\"metadata\":{\"resourceVersion\":\"" +
                         std::to_string(last_rv) + "\"}}}\n";
      ok = w.WriteChunk(line);
      last_sent = Clock::now();
    }
  }
  {
    std::lock_guard<std::mutex> l(watches_mu_);
    watches_.erase(watcher.get());
  }
  gauge.Add(-1);
  watcher->Stop();
  w.EndStream();
}

}  // namespace dw::apiserver
