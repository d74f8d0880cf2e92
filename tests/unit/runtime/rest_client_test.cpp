// RestClient against the real ApiHandler over HTTP (rest_fixture.h): paths,
// writes with their preconditions, metav1.Status decoding into codes and
// causes, paged lists, watches (order, types, 410 -> Gone, Stop), an
// Informer fed through it, and transport failures.
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>

#include "operator/runtime/informer.h"
#include "tests/unit/runtime/rest_fixture.h"

using namespace dw;
using namespace dw::runtime;
using namespace dw::runtime::testing;
using namespace std::chrono_literals;

namespace {

json::Document MustCreateRest(RestFixture& fx, const schema::ResourceInfo& r, json::Document obj) {
  json::SetString(obj["metadata"], "namespace", "default", obj.GetAllocator());
  json::Document out;
  Status st = fx.rest().Create(r, obj, WriteOptions{"test"}, &out);
  INFO(st.ToString());
  REQUIRE(st.ok());
  return out;
}

// Drains events until `n` arrived or `limit` passed.
std::vector<WatchEvent> Collect(WatchStream& w, size_t n, std::chrono::milliseconds limit = 5s) {
  std::vector<WatchEvent> out;
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (out.size() < n && std::chrono::steady_clock::now() < deadline)
    if (!w.Next(&out, 100ms)) break;
  return out;
}

}  // namespace

TEST_CASE("rest paths follow the Kubernetes layout") {
  RestFixture fx;
  const auto* ns = fx.rest().Resolve("v1", "Namespace");
  const auto* lease = fx.rest().Resolve("coordination.k8s.io/v1", "Lease");
  REQUIRE(ns);
  REQUIRE(lease);
  CHECK(ResourcePath(fx.bp(), "default", "p", "status") == "/apis/dockward.io/v1alpha1/namespaces/default/backuppolicies/p/status");
  CHECK(ResourcePath(fx.bp(), "") == "/apis/dockward.io/v1alpha1/backuppolicies");
  CHECK(ResourcePath(*ns, "ignored", "default") == "/api/v1/namespaces/default");
  CHECK(ResourcePath(*lease, "kube-system", "x") == "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/x");
  CHECK(fx.rest().Resolve("dockward.io/v1alpha1", "Nope") == nullptr);
}

TEST_CASE("rest client creates, reads, updates and deletes with Kubernetes errors") {
  RestFixture fx;
  json::Document created = MustCreateRest(fx, fx.bp(), Policy("p1"));
  CHECK(json::GetStringPath(created, "metadata.uid") != "");
  std::string rv1 = ResourceVersionOf(created);

  json::Document again = Policy("p1");
  json::SetString(again["metadata"], "namespace", "default", again.GetAllocator());
  CHECK(fx.rest().Create(fx.bp(), again, WriteOptions{}, nullptr).code() == Code::kAlreadyExists);

  // The server's validation comes back as Invalid with its field causes.
  json::Document bad = Doc(R"({"apiVersion":"dockward.io/v1alpha1","kind":"BackupPolicy",
      "metadata":{"name":"bad","namespace":"default"},"spec":{"schedule":"0 2 * * *"}})");
  Status st = fx.rest().Create(fx.bp(), bad, WriteOptions{}, nullptr);
  CHECK(st.code() == Code::kInvalid);
  CHECK(apiserver::testing::HasCause(st, "spec.destination"));
  CHECK(st.message().find("Error from server") == std::string::npos);  // the server's own text

  json::Document got;
  REQUIRE(fx.rest().Get(fx.bp(), "default", "p1", &got).ok());
  CHECK(json::GetString(got, "kind") == "BackupPolicy");
  st = fx.rest().Get(fx.bp(), "default", "missing", &got);
  CHECK(st.IsNotFound());
  CHECK(st.message().find("missing") != std::string::npos);

  // Update with the current resourceVersion wins; a stale one is a Conflict.
  json::Document upd;
  upd.CopyFrom(created, upd.GetAllocator());
  json::SetString(upd["spec"], "schedule", "0 3 * * *", upd.GetAllocator());
  json::Document updated;
  REQUIRE(fx.rest().Update(fx.bp(), upd, WriteOptions{}, &updated).ok());
  CHECK(json::GetStringPath(updated, "spec.schedule") == "0 3 * * *");
  CHECK(json::GetInt(updated["metadata"], "generation") == 2);
  json::SetString(upd["spec"], "schedule", "0 4 * * *", upd.GetAllocator());
  CHECK(fx.rest().Update(fx.bp(), upd, WriteOptions{}, nullptr).IsConflict());
  CHECK(ResourceVersionOf(upd) == rv1);

  // The status subresource writes status only.
  json::Document s;
  s.CopyFrom(updated, s.GetAllocator());
  json::SetString(json::EnsureObject(s, "status", s.GetAllocator()), "lastScheduleTime", "2026-01-01T00:00:00Z",
                  s.GetAllocator());
  json::SetString(s["spec"], "schedule", "5 5 * * *", s.GetAllocator());
  json::Document after_status;
  st = fx.rest().UpdateStatus(fx.bp(), s, WriteOptions{}, &after_status);
  INFO(st.ToString());
  REQUIRE(st.ok());
  CHECK(json::GetStringPath(after_status, "status.lastScheduleTime") == "2026-01-01T00:00:00Z");
  CHECK(json::GetStringPath(after_status, "spec.schedule") == "0 3 * * *");

  // Merge patch and server-side apply (with its field manager).
  json::Document patched;
  REQUIRE(fx.rest().Patch(fx.bp(), "default", "p1", PatchType::kMerge, R"({"metadata":{"labels":{"a":"b"}}})",
                          WriteOptions{}, &patched).ok());
  CHECK(json::GetStringPath(patched, "metadata.labels.a") == "b");
  std::string apply = R"({"apiVersion":"dockward.io/v1alpha1","kind":"BackupPolicy","metadata":{"name":"p1","labels":{"c":"d"}}})";
  WriteOptions ao;
  ao.field_manager = "tester";
  REQUIRE(fx.rest().Patch(fx.bp(), "default", "p1", PatchType::kApply, apply, ao, &patched).ok());
  CHECK(json::GetStringPath(patched, "metadata.labels.c") == "d");
  // Dry run changes nothing.
  WriteOptions dry;
  dry.dry_run = true;
  REQUIRE(fx.rest().Patch(fx.bp(), "default", "p1", PatchType::kMerge, R"({"metadata":{"labels":{"e":"f"}}})", dry,
                          nullptr).ok());
  REQUIRE(fx.rest().Get(fx.bp(), "default", "p1", &got).ok());
  CHECK(json::GetStringPath(got, "metadata.labels.e") == "");

  // Delete with a uid precondition that does not match is refused.
  DeleteOptions wrong;
  wrong.precondition_uid = "00000000-0000-0000-0000-000000000000";
  CHECK(fx.rest().Delete(fx.bp(), "default", "p1", wrong).IsConflict());
  DeleteOptions right;
  right.precondition_uid = UidOf(created);
  REQUIRE(fx.rest().Delete(fx.bp(), "default", "p1", right).ok());
  CHECK(fx.rest().Get(fx.bp(), "default", "p1", &got).IsNotFound());
  CHECK(fx.rest().Delete(fx.bp(), "default", "p1", DeleteOptions{}).IsNotFound());
}

TEST_CASE("rest list pages through everything and honours selectors") {
  RestFixture fx;
  for (int i = 0; i < 7; ++i)
    MustCreateRest(fx, fx.bp(), Policy("p" + std::to_string(i), "", i % 2 ? R"(,"labels":{"odd":"yes"})" : ""));
  RestClientOptions o;
  o.list_page_size = 2;  // four pages
  auto paged = fx.MakeClient(kTestToken, o);
  ObjectList all;
  REQUIRE(paged->List(fx.bp(), "default", ListOptions{}, &all).ok());
  REQUIRE(all.items.size() == 7);
  CHECK(all.resource_version != "");
  for (const auto& item : all.items) {
    CHECK(json::GetString(item, "kind") == "BackupPolicy");
    CHECK(json::GetString(item, "apiVersion") == "dockward.io/v1alpha1");
  }
  ListOptions odd;
  REQUIRE(meta::LabelSelector::Parse("odd=yes", &odd.labels).ok());
  ObjectList some;
  REQUIRE(paged->List(fx.bp(), "", odd, &some).ok());  // every namespace
  CHECK(some.items.size() == 3);
  ListOptions byname;
  REQUIRE(meta::FieldSelector::Parse("metadata.name=p4", &byname.fields).ok());
  REQUIRE(fx.rest().List(fx.bp(), "default", byname, &some).ok());
  REQUIRE(some.items.size() == 1);
  CHECK(NameOf(some.items[0]) == "p4");
}

TEST_CASE("rest watch delivers changes in order from a list's resourceVersion") {
  RestFixture fx;
  MustCreateRest(fx, fx.bp(), Policy("before"));
  ObjectList list;
  REQUIRE(fx.rest().List(fx.bp(), "default", ListOptions{}, &list).ok());
  std::unique_ptr<WatchStream> w;
  REQUIRE(fx.rest().Watch(fx.bp(), "default", list.resource_version, &w).ok());
  json::Document a = MustCreateRest(fx, fx.bp(), Policy("a"));
  REQUIRE(fx.rest().Patch(fx.bp(), "default", "a", PatchType::kMerge, R"({"metadata":{"labels":{"x":"y"}}})",
                          WriteOptions{}, nullptr).ok());
  REQUIRE(fx.rest().Delete(fx.bp(), "default", "a", DeleteOptions{}).ok());
  auto events = Collect(*w, 3);
  REQUIRE(events.size() == 3);  // "before" is not replayed
  CHECK(events[0].type == WatchEvent::Type::kAdded);
  CHECK(events[1].type == WatchEvent::Type::kModified);
  CHECK(events[2].type == WatchEvent::Type::kDeleted);
  for (const auto& e : events) {
    CHECK(NameOf(*e.object) == "a");
    CHECK(e.resource_version == ResourceVersionOf(*e.object));
  }
  CHECK(std::stoll(events[0].resource_version) < std::stoll(events[1].resource_version));
  CHECK(json::GetStringPath(*events[1].object, "metadata.labels.x") == "y");

  // Stop wakes a blocked Next at once and closes with OK.
  std::atomic<bool> returned{false};
  std::thread t([&] {
    std::vector<WatchEvent> more;
    while (w->Next(&more, 10s)) {
    }
    returned = true;
  });
  std::this_thread::sleep_for(100ms);
  auto t0 = std::chrono::steady_clock::now();
  w->Stop();
  t.join();
  CHECK(returned.load());
  CHECK(std::chrono::steady_clock::now() - t0 < 2s);
  CHECK(w->closed_status().ok());
}

TEST_CASE("rest watch from a compacted resourceVersion closes with Gone") {
  RestFixture fx(5);  // the store keeps only 5 events of history
  for (int i = 0; i < 12; ++i) MustCreateRest(fx, fx.bp(), Policy("p" + std::to_string(i)));
  std::unique_ptr<WatchStream> w;
  REQUIRE(fx.rest().Watch(fx.bp(), "default", "2", &w).ok());
  std::vector<WatchEvent> out;
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (w->Next(&out, 100ms) && std::chrono::steady_clock::now() < deadline) {
  }
  CHECK(out.empty());
  CHECK(w->closed_status().code() == Code::kGone);
}

TEST_CASE("a server that ends a watch closes the stream with OK; a dead one with Unavailable") {
  RestFixture fx;
  ObjectList list;
  REQUIRE(fx.rest().List(fx.bp(), "default", ListOptions{}, &list).ok());
  std::unique_ptr<WatchStream> w;
  REQUIRE(fx.rest().Watch(fx.bp(), "default", list.resource_version, &w).ok());
  std::this_thread::sleep_for(200ms);  // the stream is open
  fx.StopServer();                     // ends watches the way `serve` shutdown does
  std::vector<WatchEvent> out;
  auto deadline = std::chrono::steady_clock::now() + 5s;
  bool open = true;
  while (open && std::chrono::steady_clock::now() < deadline) open = w->Next(&out, 100ms);
  CHECK_FALSE(open);
  CHECK((w->closed_status().ok() || w->closed_status().code() == Code::kUnavailable));

  std::unique_ptr<WatchStream> w2;
  REQUIRE(fx.rest().Watch(fx.bp(), "default", list.resource_version, &w2).ok());
  deadline = std::chrono::steady_clock::now() + 5s;
  open = true;
  while (open && std::chrono::steady_clock::now() < deadline) open = w2->Next(&out, 100ms);
  CHECK_FALSE(open);
  CHECK(w2->closed_status().code() == Code::kUnavailable);

  json::Document got;
  Status st = fx.rest().Get(fx.bp(), "default", "x", &got);
  CHECK(st.code() == Code::kUnavailable);
  CHECK(st.message().find("refused") != std::string::npos);
}

TEST_CASE("rest client without a valid token gets Unauthorized") {
  RestFixture fx;
  auto bad = fx.MakeClient("wrong-token");
  json::Document got;
  CHECK(bad->Get(fx.bp(), "default", "x", &got).code() == Code::kUnauthorized);
}

TEST_CASE("an informer over the rest client syncs, follows changes and re-lists after the server returns") {
  RestFixture fx;
  MustCreateRest(fx, fx.bp(), Policy("one"));
  InformerOptions io;
  io.relist_backoff = 50ms;
  io.relist_backoff_max = 200ms;
  Informer inf(&fx.rest(), fx.bp(), io);
  std::atomic<int> adds{0}, deletes{0};
  inf.AddEventHandler({[&](const ObjectPtr&) { adds++; }, nullptr, [&](const ObjectPtr&) { deletes++; }});
  inf.Start();
  REQUIRE(inf.WaitForSync(5s));
  CHECK(inf.Size() == 1);
  MustCreateRest(fx, fx.bp(), Policy("two"));
  CHECK(Eventually([&] { return inf.Get("default", "two") != nullptr; }));
  CHECK(json::GetString(*inf.Get("default", "two"), "kind") == "BackupPolicy");

  // While the server is away, "one" is deleted and "three" created directly
  // in the store; the informer's re-list after the restart shows both.
  fx.StopServer();
  // Past the stream's re-open interval (1 s), so its re-open finds the server
  // gone and the informer re-lists (a quicker return resumes the watch).
  std::this_thread::sleep_for(1200ms);
  fx.DeletePolicy("one");
  fx.MustCreate(fx.bp(), Policy("three"));
  fx.StartServer();
  CHECK(Eventually([&] { return inf.Get("default", "three") != nullptr && !inf.Get("default", "one"); }, 10s));
  CHECK(deletes.load() == 1);
  CHECK(adds.load() == 3);
  CHECK(inf.Relists() >= 1);
  inf.Stop();
}

TEST_CASE("StatusFromResponse decodes metav1.Status and plain bodies") {
  Status st = StatusFromResponse(
      409, R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"the object has been modified","reason":"Conflict","code":409})");
  CHECK(st.IsConflict());
  CHECK(st.message() == "the object has been modified");
  st = StatusFromResponse(410, R"j({"kind":"Status","status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410})j");
  CHECK(st.code() == Code::kGone);
  st = StatusFromResponse(422, R"({"kind":"Status","reason":"Invalid","code":422,"message":"bad",
      "details":{"causes":[{"reason":"FieldValueRequired","field":"spec.x","message":"Required value"}]}})");
  CHECK(st.code() == Code::kInvalid);
  REQUIRE(st.causes().size() == 1);
  CHECK(st.causes()[0].field == "spec.x");
  st = StatusFromResponse(503, "upstream down\n");
  CHECK(st.code() == Code::kUnavailable);
  CHECK(st.message() == "upstream down");
  st = StatusFromResponse(418, "");
  CHECK(st.code() == Code::kInternal);
}

TEST_CASE("a watch the server times out re-opens from its last resourceVersion") {
  RestFixture fx;
  RestClientOptions o;
  o.watch_timeout_min = o.watch_timeout_max = std::chrono::seconds(1);  // timeoutSeconds=1
  auto c = fx.MakeClient(kTestToken, o);
  ObjectList list;
  REQUIRE(c->List(fx.bp(), "default", ListOptions{}, &list).ok());
  std::unique_ptr<WatchStream> w;
  REQUIRE(c->Watch(fx.bp(), "default", list.resource_version, &w).ok());
  // Changes land before, between and after the server's 1 s timeouts.
  std::vector<WatchEvent> out;
  for (int i = 0; i < 5; ++i) {
    MustCreateRest(fx, fx.bp(), Policy("p" + std::to_string(i)));
    auto until = std::chrono::steady_clock::now() + 700ms;
    while (std::chrono::steady_clock::now() < until) REQUIRE(w->Next(&out, 100ms));
  }
  auto more = Collect(*w, 5 - out.size(), 3s);
  out.insert(out.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  // Each change exactly once, in order: no gap and no replay across re-opens.
  REQUIRE(out.size() == 5);
  for (int i = 0; i < 5; ++i) {
    CHECK(out[i].type == WatchEvent::Type::kAdded);
    CHECK(NameOf(*out[i].object) == "p" + std::to_string(i));
  }
  CHECK(w->closed_status().ok());
  std::vector<WatchEvent> none;
  CHECK(w->Next(&none, 10ms));  // still open after 3+ server timeouts
}

TEST_CASE("watch lines: BOOKMARK is no event, unknown types are skipped, ERROR 410 is Gone") {
  // A server speaking the watch wire format line by line, as a cluster
  // would (ours sends bookmarks only after a quiet minute).
  std::atomic<int> requests{0};
  std::mutex mu;
  std::string query;
  apiserver::HttpServerOptions ho;
  ho.listen = "127.0.0.1:0";
  ho.tls = false;
  apiserver::HttpServer srv(ho, [&](apiserver::HttpRequest& req, apiserver::ResponseWriter& w) {
    requests++;
    {
      std::lock_guard<std::mutex> g(mu);
      query = req.raw_query;
    }
    w.BeginStream(200, "application/json");
    w.WriteChunk(R"({"type":"ADDED","object":{"metadata":{"name":"a","namespace":"default","resourceVersion":"11"}}})" "\n");
    w.WriteChunk(R"({"type":"BOOKMARK","object":{"kind":"BackupPolicy","apiVersion":"dockward.io/v1alpha1","metadata":{"resourceVersion":"15"}}})" "\n");
    // One event split across two chunks.
    w.WriteChunk(R"({"type":"MODIFIED","object":{"metadata":{"name":"a","names)");
    w.WriteChunk(R"(pace":"default","resourceVersion":"16"}}})" "\n\n");
    w.WriteChunk(R"({"type":"FUTURE","object":{"metadata":{"name":"x"}}})" "\n");
    w.WriteChunk(R"j({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 16 (20)","reason":"Expired","code":410}})j" "\n");
    // Never reached by the client: it stops at the ERROR.
    w.WriteChunk(R"({"type":"DELETED","object":{"metadata":{"name":"a","namespace":"default","resourceVersion":"21"}}})" "\n");
    w.EndStream();
  });
  REQUIRE(srv.Start().ok());
  std::unique_ptr<schema::ResourceRegistry> kinds;
  REQUIRE(schema::ResourceRegistry::LoadBuiltin(&kinds).ok());
  const schema::ResourceInfo* bp = kinds->ByKind("dockward.io/v1alpha1", "BackupPolicy");
  REQUIRE(bp);
  RestClientOptions o;
  o.http.server = "http://127.0.0.1:" + std::to_string(srv.Port());
  RestClient c(kinds.get(), o);
  std::unique_ptr<WatchStream> w;
  REQUIRE(c.Watch(*bp, "default", "10", &w).ok());
  std::vector<WatchEvent> out;
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (w->Next(&out, 100ms) && std::chrono::steady_clock::now() < deadline) {
  }
  REQUIRE(out.size() == 2);
  CHECK(out[0].type == WatchEvent::Type::kAdded);
  CHECK(out[0].resource_version == "11");
  CHECK(json::GetString(*out[0].object, "kind") == "BackupPolicy");  // filled in
  CHECK(json::GetString(*out[0].object, "apiVersion") == "dockward.io/v1alpha1");
  CHECK(out[1].type == WatchEvent::Type::kModified);
  CHECK(out[1].resource_version == "16");
  CHECK(w->closed_status().code() == Code::kGone);
  CHECK(w->closed_status().message().find("too old resource version") != std::string::npos);
  CHECK(requests.load() == 1);
  std::lock_guard<std::mutex> g(mu);
  CHECK(query.find("watch=1") != std::string::npos);
  CHECK(query.find("resourceVersion=10") != std::string::npos);
  CHECK(query.find("allowWatchBookmarks=true") != std::string::npos);
  CHECK(query.find("timeoutSeconds=") != std::string::npos);
  w.reset();
  srv.Stop();
}

namespace {

// A watch server of our own on a free port, for wire behaviour the real
// handler does not show; `handle` serves each request.
struct WireServer {
  explicit WireServer(apiserver::Handler handle) {
    apiserver::HttpServerOptions ho;
    ho.listen = "127.0.0.1:0";
    ho.tls = false;
    srv = std::make_unique<apiserver::HttpServer>(ho, std::move(handle));
    REQUIRE(srv->Start().ok());
    REQUIRE(schema::ResourceRegistry::LoadBuiltin(&kinds).ok());
    bp = kinds->ByKind("dockward.io/v1alpha1", "BackupPolicy");
    REQUIRE(bp);
  }
  ~WireServer() { srv->Stop(); }
  std::unique_ptr<RestClient> Client(RestClientOptions o = {}) {
    o.http.server = "http://127.0.0.1:" + std::to_string(srv->Port());
    return std::make_unique<RestClient>(kinds.get(), o);
  }
  // Reads the stream until it closes or `limit` passes.
  static std::vector<WatchEvent> Drain(WatchStream& w, std::chrono::milliseconds limit) {
    std::vector<WatchEvent> out;
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline && w.Next(&out, 50ms)) {
    }
    return out;
  }
  std::unique_ptr<apiserver::HttpServer> srv;
  std::unique_ptr<schema::ResourceRegistry> kinds;
  const schema::ResourceInfo* bp = nullptr;
};

}  // namespace

TEST_CASE("a server that ends every watch after one line is re-opened at most once a second") {
  std::atomic<int> requests{0};
  WireServer ws([&](apiserver::HttpRequest&, apiserver::ResponseWriter& w) {
    int n = ++requests;
    w.BeginStream(200, "application/json");
    w.WriteChunk(R"({"type":"ADDED","object":{"metadata":{"name":"a","namespace":"default","resourceVersion":")" +
                 std::to_string(100 + n) + "\"}}}\n");
    w.EndStream();
  });
  auto c = ws.Client();
  std::unique_ptr<WatchStream> w;
  REQUIRE(c->Watch(*ws.bp, "default", "100", &w).ok());
  auto out = WireServer::Drain(*w, 2500ms);
  // Opened at about 0, 1 and 2 s: no hot loop, yet it keeps following.
  CHECK(requests.load() >= 2);
  CHECK(requests.load() <= 4);
  std::vector<WatchEvent> none;
  CHECK(w->Next(&none, 10ms));
  REQUIRE(out.size() >= 2);
  for (size_t i = 0; i < out.size(); ++i) CHECK(out[i].resource_version == std::to_string(101 + i));
  w.reset();
}

TEST_CASE("an endless watch line closes the stream with TooLarge") {
  WireServer ws([&](apiserver::HttpRequest&, apiserver::ResponseWriter& w) {
    w.BeginStream(200, "application/json");
    std::string part(512, 'x');
    for (int i = 0; i < 8 && w.WriteChunk(part); ++i) {
    }
    w.EndStream();
  });
  RestClientOptions o;
  o.max_watch_line_bytes = 1024;
  auto c = ws.Client(o);
  std::unique_ptr<WatchStream> w;
  REQUIRE(c->Watch(*ws.bp, "default", "1", &w).ok());
  auto out = WireServer::Drain(*w, 5s);
  CHECK(out.empty());
  CHECK(w->closed_status().code() == Code::kTooLarge);
  CHECK(w->closed_status().message().find("exceeds 1024 bytes") != std::string::npos);
  w.reset();
}

TEST_CASE("a huge non-Status watch error is read and quoted only in part") {
  WireServer ws([&](apiserver::HttpRequest&, apiserver::ResponseWriter& w) {
    w.BeginStream(503, "text/html");
    std::string part(16 << 10, 'e');
    for (int i = 0; i < 64 && w.WriteChunk(part); ++i) {  // 1 MiB
    }
    w.EndStream();
  });
  auto c = ws.Client();
  std::unique_ptr<WatchStream> w;
  REQUIRE(c->Watch(*ws.bp, "default", "1", &w).ok());
  WireServer::Drain(*w, 5s);
  Status st = w->closed_status();
  CHECK(st.code() == Code::kUnavailable);  // 503 keeps its HTTP meaning
  CHECK(st.message().size() < 1100);
  CHECK(st.message().find("(65536 bytes)") != std::string::npos);  // no more than 64 KiB was read
  w.reset();

  st = StatusFromResponse(500, std::string(5000, 'z') + "\n");
  CHECK(st.message().size() < 1100);
  CHECK(st.message().rfind("... (5001 bytes)") != std::string::npos);
  CHECK(StatusFromResponse(500, "short\n").message() == "short");
}

TEST_CASE("rest client re-reads a rotated token file") {
  RestFixture fx;
  apiserver::testing::ScratchDir dir;
  std::string path = dir.path() + "/token";
  auto write = [&](const std::string& text) {
    std::string tmp = path + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "w");
    REQUIRE(f);
    std::fputs(text.c_str(), f);
    std::fclose(f);
    REQUIRE(std::rename(tmp.c_str(), path.c_str()) == 0);  // as the kubelet swaps it
  };
  write("expired-token\n");
  RestClientOptions o;
  o.http.bearer_token_file = path;
  o.http.bearer_token_file_period = 300ms;
  auto c = fx.MakeClient("", o);
  json::Document got;
  CHECK(c->Get(fx.bp(), "default", "x", &got).code() == Code::kUnauthorized);
  write(std::string(kTestToken) + "\n");
  CHECK(c->Get(fx.bp(), "default", "x", &got).code() == Code::kUnauthorized);  // read at most once a period
  std::this_thread::sleep_for(400ms);
  CHECK(c->Get(fx.bp(), "default", "x", &got).IsNotFound());  // the rotated token is used
  // Watches (each on a client of its own) send the current token too.
  std::unique_ptr<WatchStream> w;
  REQUIRE(c->Watch(fx.bp(), "default", "", &w).ok());
  std::vector<WatchEvent> out;
  CHECK(w->Next(&out, 300ms));
  w.reset();
  // Mid-rotation the file may be missing: the last token stays in use.
  std::remove(path.c_str());
  std::this_thread::sleep_for(400ms);
  CHECK(c->Get(fx.bp(), "default", "x", &got).IsNotFound());
}
