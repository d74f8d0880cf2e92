// RestClient: request building, metav1.Status decoding and the watch reader.
#include "operator/runtime/rest_client.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <random>
#include <thread>

#include "operator/common/log.h"

namespace dw::runtime {

namespace {

constexpr char kJson[] = "application/json";

std::string ContentTypeOf(PatchType t) {
  switch (t) {
    case PatchType::kMerge: return "application/merge-patch+json";
    case PatchType::kJson: return "application/json-patch+json";
    case PatchType::kStrategic: return "application/strategic-merge-patch+json";
    case PatchType::kApply: return "application/apply-patch+yaml";
  }
  return "application/merge-patch+json";
}

// "?a=b&c=d" from non-empty pairs ("" when none).
std::string Query(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::string q;
  for (const auto& [k, v] : kv) {
    if (v.empty()) continue;
    q += q.empty() ? "?" : "&";
    q += k + "=" + http::QueryEscape(v);
  }
  return q;
}

std::string FieldSelectorText(const meta::FieldSelector& s) {
  std::string out;
  for (const auto& r : s.requirements()) {
    if (!out.empty()) out += ",";
    out += r.field + (r.negate ? "!=" : "=") + r.value;
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> WriteQuery(const WriteOptions& o) {
  return {{"fieldManager", o.field_manager}, {"dryRun", o.dry_run ? "All" : ""}};
}

// A real cluster leaves apiVersion/kind out of list items and may leave them
// out of watch objects; reconcilers and the event recorder read them.
void FillTypeMeta(const schema::ResourceInfo& r, json::Document& d) {
  if (!d.IsObject()) return;
  if (json::GetString(d, "apiVersion").empty()) json::SetString(d, "apiVersion", r.GroupVersion(), d.GetAllocator());
  if (json::GetString(d, "kind").empty()) json::SetString(d, "kind", r.kind, d.GetAllocator());
}

Status ParseBody(const std::string& body, json::Document* out) {
  Status st = json::Parse(body, out);
  if (!st.ok()) return Status::Internal("invalid JSON from the API server: " + st.message());
  return Status::OK();
}

// A watch that the server ends sooner than this after it opened, without a
// line, is not re-opened: something is wrong and the Informer's backoff
// applies.
constexpr auto kShortestWatch = std::chrono::milliseconds(500);
// Re-opens of one stream are at least this far apart: a server or proxy that
// ends each response after a line would otherwise make a hot loop.
constexpr auto kMinReopenInterval = std::chrono::seconds(1);
// A non-2xx watch response is a Status (small); more than this is not read.
constexpr size_t kMaxErrorBody = 64 << 10;
// A non-Status error body is quoted in messages up to this size.
constexpr size_t kMaxMessageBody = 1 << 10;

thread_local CallDeadline::TimePoint tls_deadline = CallDeadline::TimePoint::max();

// "?watch=1&resourceVersion=RV&allowWatchBookmarks=true&timeoutSeconds=T".
std::string WatchQuery(const std::string& rv, std::chrono::seconds lo, std::chrono::seconds hi) {
  thread_local std::mt19937 rng{std::random_device{}()};
  int64_t t = std::uniform_int_distribution<int64_t>(lo.count(), std::max(hi.count(), lo.count()))(rng);
  return Query({{"watch", "1"}, {"resourceVersion", rv}, {"allowWatchBookmarks", "true"},
                {"timeoutSeconds", std::to_string(t)}});
}

// One live watch: a reader thread turns the response's JSON lines into
// WatchEvents on a queue that Next() drains. When the server ends the
// response normally (its timeoutSeconds passed), the reader re-opens the
// watch from the last resourceVersion it saw, bookmarks included, as
// client-go's reflector does, so a quiet kind is not re-listed every few
// minutes (at most once a second); Gone, errors, transport failures and a
// line over max_watch_line_bytes close the stream instead.
class RestWatchStream : public WatchStream {
 public:
  RestWatchStream(const schema::ResourceInfo& r, http::ClientConfig cfg, std::string path, std::string rv,
                  const RestClientOptions& o)
      : r_(r), http_(std::move(cfg)), max_line_(o.max_watch_line_bytes), rv_(std::move(rv)) {
    // The reader gives up on a connection silent past the longest timeout.
    auto idle = std::chrono::duration_cast<std::chrono::milliseconds>(o.watch_timeout_max + std::chrono::seconds(60));
    thread_ = std::thread([this, path = std::move(path), lo = o.watch_timeout_min, hi = o.watch_timeout_max, idle] {
      Read(path, lo, hi, idle);
    });
  }
  ~RestWatchStream() override {
    Stop();
    thread_.join();
  }

  bool Next(std::vector<WatchEvent>* out, std::chrono::milliseconds timeout) override {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait_for(l, timeout, [&] { return !queue_.empty() || closed_; });
    bool delivered = !queue_.empty();
    while (!queue_.empty()) {
      out->push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    // Events that arrived before the close are delivered first.
    return !(closed_ && !delivered);
  }

  void Stop() override {
    {
      std::lock_guard<std::mutex> g(mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    http_.Cancel();
    cv_.notify_all();
  }

  Status closed_status() const override {
    std::lock_guard<std::mutex> g(mu_);
    return why_;
  }

 private:
  bool Stopped() {
    std::lock_guard<std::mutex> g(mu_);
    return stopped_;
  }

  // Waits until `t`; false when stopped first.
  bool WaitUntil(std::chrono::steady_clock::time_point t) {
    std::unique_lock<std::mutex> l(mu_);
    return !cv_.wait_until(l, t, [&] { return stopped_; });
  }

  void Close(Status why) {
    std::lock_guard<std::mutex> g(mu_);
    if (closed_) return;
    closed_ = true;
    why_ = stopped_ ? Status::OK() : std::move(why);
    cv_.notify_all();
  }

  // Handles one line; false ends the stream (why_ set).
  bool Line(const std::string& line) {
    json::Document ev;
    Status st = json::Parse(line, &ev);
    if (!st.ok()) {
      Close(Status::Internal("watch: invalid event: " + st.message()));
      return false;
    }
    std::string type = json::GetString(ev, "type");
    json::Value* obj = json::Find(ev, "object");
    if (!obj || !obj->IsObject()) {
      Close(Status::Internal("watch: event " + type + " has no object"));
      return false;
    }
    if (type == "ERROR") {
      int code = static_cast<int>(json::GetInt(*obj, "code", 500));
      Close(StatusFromResponse(code, json::Serialize(*obj)));
      return false;
    }
    std::string rv = json::GetStringPath(*obj, "metadata.resourceVersion");
    if (type == "BOOKMARK") {
      std::lock_guard<std::mutex> g(mu_);
      if (!rv.empty()) rv_ = rv;
      return true;
    }
    WatchEvent we;
    if (type == "ADDED") we.type = WatchEvent::Type::kAdded;
    else if (type == "MODIFIED") we.type = WatchEvent::Type::kModified;
    else if (type == "DELETED") we.type = WatchEvent::Type::kDeleted;
    else return true;  // a type from a newer server: not ours to interpret
    auto doc = std::make_shared<json::Document>();
    doc->CopyFrom(*obj, doc->GetAllocator());
    FillTypeMeta(r_, *doc);
    we.object = std::move(doc);
    we.resource_version = rv;
    std::lock_guard<std::mutex> g(mu_);
    if (!rv.empty()) rv_ = rv;
    queue_.push_back(std::move(we));
    cv_.notify_all();
    return true;
  }

  std::string LastRv() {
    std::lock_guard<std::mutex> g(mu_);
    return rv_;
  }

  void Read(const std::string& path, std::chrono::seconds lo, std::chrono::seconds hi,
            std::chrono::milliseconds idle) {
    std::chrono::steady_clock::time_point opened{};
    for (;;) {
      if (Stopped()) return Close(Status::OK());
      if (opened != std::chrono::steady_clock::time_point{} && !WaitUntil(opened + kMinReopenInterval))
        return Close(Status::OK());
      http::Request req;
      req.target = path + WatchQuery(LastRv(), lo, hi);
      req.headers["Accept"] = kJson;
      req.headers["User-Agent"] = "dockward-controller";
      http::Response head;
      std::string pending, error_body;
      bool ended_by_us = false, any_line = false;
      auto on_data = [&](std::string_view data) {
        if (head.status >= 300) {  // a Status body, not an event stream
          error_body.append(data.substr(0, kMaxErrorBody - error_body.size()));
          return error_body.size() < kMaxErrorBody;  // the rest is not worth reading
        }
        if (Stopped()) {
          ended_by_us = true;
          return false;
        }
        pending.append(data);
        size_t start = 0, nl;
        while ((nl = pending.find('\n', start)) != std::string::npos) {
          std::string line = pending.substr(start, nl - start);
          start = nl + 1;
          if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
          any_line = true;
          if (!Line(line)) {
            ended_by_us = true;
            return false;
          }
        }
        pending.erase(0, start);
        if (pending.size() > max_line_) {
          Close(Status(Code::kTooLarge, "watch " + r_.GroupResource() + ": an event line exceeds " +
                                            std::to_string(max_line_) + " bytes"));
          ended_by_us = true;
          return false;
        }
        return true;
      };
      opened = std::chrono::steady_clock::now();
      Status st = http_.Stream(req, on_data, &head, idle);
      if (ended_by_us) return Close(Status::OK());  // why_ already set (Line(), the line cap, Stop())
      if (!st.ok()) return Close(Status::Unavailable("watch " + r_.GroupResource() + ": " + st.message()));
      if (head.status >= 300) return Close(StatusFromResponse(head.status, error_body));
      if (!any_line && std::chrono::steady_clock::now() - opened < kShortestWatch) return Close(Status::OK());
    }
  }

  const schema::ResourceInfo& r_;
  http::Client http_;
  const size_t max_line_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<WatchEvent> queue_;
  std::string rv_;  // the last resourceVersion seen, bookmarks included
  bool closed_ = false;
  bool stopped_ = false;
  Status why_;
  std::thread thread_;
};

}  // namespace

std::string ResourcePath(const schema::ResourceInfo& r, const std::string& ns, const std::string& name,
                         const std::string& subresource) {
  std::string p = r.group.empty() ? "/api/" + r.version : "/apis/" + r.group + "/" + r.version;
  if (r.namespaced && !ns.empty()) p += "/namespaces/" + ns;
  p += "/" + r.plural;
  if (!name.empty()) p += "/" + name;
  if (!name.empty() && !subresource.empty()) p += "/" + subresource;
  return p;
}

Status StatusFromResponse(int http_status, const std::string& body) {
  json::Document doc;
  bool is_status = json::Parse(body, &doc).ok() && doc.IsObject() && json::GetString(doc, "kind") == "Status";
  if (!is_status) {
    std::string text = body.empty() ? "the server returned HTTP " + std::to_string(http_status) : body;
    if (text.size() > kMaxMessageBody) {
      size_t cut = kMaxMessageBody;
      while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // whole UTF-8 characters
      text = text.substr(0, cut) + "... (" + std::to_string(body.size()) + " bytes)";
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    Code code = CodeFromReason("", http_status);
    return Status(code == Code::kOk ? Code::kInternal : code, text);
  }
  std::string reason = json::GetString(doc, "reason");
  Code code = CodeFromReason(reason, static_cast<int>(json::GetInt(doc, "code", http_status)));
  if (code == Code::kOk) code = Code::kInternal;  // a failure Status without a failure code
  std::vector<FieldCause> causes;
  const json::Value* details = json::Find(doc, "details");
  const json::Value* jc = details ? json::Find(*details, "causes") : nullptr;
  if (jc && jc->IsArray())
    for (const auto& c : jc->GetArray())
      causes.push_back({json::GetString(c, "reason"), json::GetString(c, "field"), json::GetString(c, "message")});
  std::string message = json::GetString(doc, "message");
  if (message.empty()) message = "the server returned HTTP " + std::to_string(http_status);
  return Status(code, message, std::move(causes));
}

CallDeadline::CallDeadline(TimePoint deadline) : prev_(tls_deadline) {
  tls_deadline = std::min(prev_, deadline);
}

CallDeadline::~CallDeadline() { tls_deadline = prev_; }

CallDeadline::TimePoint CallDeadline::Current() { return tls_deadline; }

RestClient::RestClient(const schema::ResourceRegistry* kinds, RestClientOptions opts)
    : kinds_(kinds), opts_(std::move(opts)) {}

RestClient::~RestClient() = default;

std::unique_ptr<http::Client> RestClient::Borrow() {
  {
    std::lock_guard<std::mutex> g(pool_mu_);
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
  }
  return std::make_unique<http::Client>(opts_.http);
}

void RestClient::Return(std::unique_ptr<http::Client> c) {
  std::lock_guard<std::mutex> g(pool_mu_);
  if (idle_.size() < opts_.max_idle_connections) idle_.push_back(std::move(c));
}

Status RestClient::Call(const std::string& method, const std::string& target, const std::string& body,
                        const std::string& content_type, json::Document* out) {
  http::Request req;
  req.method = method;
  req.target = target;
  req.body = body;
  req.headers["Accept"] = kJson;
  req.headers["User-Agent"] = "dockward-controller";
  if (!content_type.empty()) req.headers["Content-Type"] = content_type;
  http::Response resp;
  const CallDeadline::TimePoint deadline = CallDeadline::Current();
  if (deadline != CallDeadline::TimePoint::max() && deadline <= std::chrono::steady_clock::now()) {
    return Status::Timeout(method + " " + opts_.http.server + target + ": deadline passed, not sent");
  }
  auto c = Borrow();
  Status st = c->Do(req, &resp, deadline);
  Return(std::move(c));
  if (!st.ok()) return Status::Unavailable(method + " " + opts_.http.server + target + ": " + st.message());
  if (resp.status < 200 || resp.status >= 300) return StatusFromResponse(resp.status, resp.body);
  if (out && !resp.body.empty()) return ParseBody(resp.body, out);
  return Status::OK();
}

const schema::ResourceInfo* RestClient::Resolve(const std::string& api_version, const std::string& kind) const {
  return kinds_->ByKind(api_version, kind);
}

Status RestClient::Get(const schema::ResourceInfo& r, const std::string& ns, const std::string& name,
                       json::Document* out) {
  json::Document local;
  json::Document* d = out ? out : &local;
  DW_RETURN_IF_ERROR(Call("GET", ResourcePath(r, ns, name), "", "", d));
  FillTypeMeta(r, *d);
  return Status::OK();
}

Status RestClient::List(const schema::ResourceInfo& r, const std::string& ns, const ListOptions& opts,
                        ObjectList* out) {
  out->items.clear();
  out->resource_version.clear();
  std::string cont;
  do {
    std::string target = ResourcePath(r, ns) +
                         Query({{"labelSelector", opts.labels.Empty() ? "" : opts.labels.ToString()},
                                {"fieldSelector", FieldSelectorText(opts.fields)},
                                {"limit", opts_.list_page_size > 0 ? std::to_string(opts_.list_page_size) : ""},
                                {"continue", cont}});
    json::Document page;
    DW_RETURN_IF_ERROR(Call("GET", target, "", "", &page));
    if (const json::Value* items = json::Find(page, "items"); items && items->IsArray()) {
      for (const auto& item : items->GetArray()) {
        out->items.emplace_back();
        json::Document& d = out->items.back();
        d.CopyFrom(item, d.GetAllocator());
        FillTypeMeta(r, d);
      }
    }
    // Every page of one list is served from the first page's snapshot.
    out->resource_version = json::GetStringPath(page, "metadata.resourceVersion");
    cont = json::GetStringPath(page, "metadata.continue");
  } while (!cont.empty());
  return Status::OK();
}

Status RestClient::Create(const schema::ResourceInfo& r, json::Document& obj, const WriteOptions& opts,
                          json::Document* out) {
  std::string ns = r.namespaced ? NamespaceOf(obj) : "";
  if (r.namespaced && ns.empty()) return Status::BadRequest("metadata.namespace is required");
  FillTypeMeta(r, obj);
  DW_RETURN_IF_ERROR(Call("POST", ResourcePath(r, ns) + Query(WriteQuery(opts)), json::Serialize(obj), kJson, out));
  if (out) FillTypeMeta(r, *out);
  return Status::OK();
}

Status RestClient::Put(const schema::ResourceInfo& r, json::Document& obj, const WriteOptions& opts, bool status,
                       json::Document* out) {
  std::string ns = r.namespaced ? NamespaceOf(obj) : "";
  std::string name = NameOf(obj);
  if (name.empty()) return Status::BadRequest("metadata.name is required");
  FillTypeMeta(r, obj);
  std::string target = ResourcePath(r, ns, name, status ? "status" : "") + Query(WriteQuery(opts));
  DW_RETURN_IF_ERROR(Call("PUT", target, json::Serialize(obj), kJson, out));
  if (out) FillTypeMeta(r, *out);
  return Status::OK();
}

Status RestClient::Update(const schema::ResourceInfo& r, json::Document& obj, const WriteOptions& opts,
                          json::Document* out) {
  return Put(r, obj, opts, false, out);
}

Status RestClient::UpdateStatus(const schema::ResourceInfo& r, json::Document& obj, const WriteOptions& opts,
                                json::Document* out) {
  return Put(r, obj, opts, true, out);
}

Status RestClient::Patch(const schema::ResourceInfo& r, const std::string& ns, const std::string& name,
                         PatchType type, const std::string& body, const WriteOptions& opts, json::Document* out) {
  auto q = WriteQuery(opts);
  if (type == PatchType::kApply && opts.force) q.emplace_back("force", "true");
  DW_RETURN_IF_ERROR(Call("PATCH", ResourcePath(r, ns, name) + Query(q), body, ContentTypeOf(type), out));
  if (out) FillTypeMeta(r, *out);
  return Status::OK();
}

Status RestClient::Delete(const schema::ResourceInfo& r, const std::string& ns, const std::string& name,
                          const DeleteOptions& opts) {
  json::Document body;
  body.SetObject();
  auto& a = body.GetAllocator();
  json::SetString(body, "apiVersion", "v1", a);
  json::SetString(body, "kind", "DeleteOptions", a);
  if (!opts.propagation.empty()) json::SetString(body, "propagationPolicy", opts.propagation, a);
  if (!opts.precondition_uid.empty())
    json::SetString(json::EnsureObject(body, "preconditions", a), "uid", opts.precondition_uid, a);
  return Call("DELETE", ResourcePath(r, ns, name), json::Serialize(body), kJson, nullptr);
}

Status RestClient::Watch(const schema::ResourceInfo& r, const std::string& ns, const std::string& resource_version,
                         std::unique_ptr<WatchStream>* out) {
  *out = std::make_unique<RestWatchStream>(r, opts_.http, ResourcePath(r, ns), resource_version, opts_);
  return Status::OK();
}

}  // namespace dw::runtime
