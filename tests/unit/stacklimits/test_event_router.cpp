#include <catch2/catch.hpp>

#include <algorithm>

#include "reconcilers/stacklimits/event_router.h"

namespace dw::stacklimits {
namespace {

runtime::ObjectPtr Policy(const std::string& ns, const std::string& name, const std::string& rv,
                          const std::string& spec) {
  auto d = std::make_shared<json::Document>();
  std::string text = R"({"apiVersion":"dockward.io/v1alpha1","kind":"StackLimits","metadata":{"namespace":")" +
                     ns + R"(","name":")" + name + R"(","resourceVersion":")" + rv + R"("},"spec":)" + spec + "}";
  REQUIRE(json::Parse(text, d.get()).ok());
  return d;
}

docker::Event Ev(const std::string& action, const std::string& id,
                 std::map<std::string, std::string> attrs) {
  docker::Event e;
  e.type = "container";
  e.action = action;
  e.id = id;
  e.attributes = std::move(attrs);
  return e;
}

// A router over a fixed set of policies, recording what it enqueues.
struct Fixture {
  std::vector<runtime::ObjectPtr> policies;
  std::vector<std::string> enqueued;
  std::vector<std::string> invalidated;  // host_key|id
  std::vector<std::string> resynced;
  int lists = 0;
  EventRouter router{Hooks()};

  EventRouterHooks Hooks() {
    EventRouterHooks h;
    h.list_policies = [this](const std::string& ns) {
      ++lists;
      std::vector<runtime::ObjectPtr> out;
      for (const auto& p : policies) {
        if (runtime::NamespaceOf(*p) == ns) out.push_back(p);
      }
      return out;
    };
    h.enqueue = [this](const runtime::Request& r) { enqueued.push_back(r.Key()); };
    h.on_container_event = [this](const std::string& host, const docker::Event& e) {
      invalidated.push_back(host + "|" + e.id);
    };
    h.on_resync = [this](const std::string& host) { resynced.push_back(host); };
    return h;
  }
  std::vector<std::string> Sorted() {
    auto v = enqueued;
    std::sort(v.begin(), v.end());
    return v;
  }
};

const std::map<std::string, std::string> kLabWeb = {{"com.docker.compose.project", "dwlab"},
                                                    {"com.docker.compose.service", "web"},
                                                    {"dw.test/tier", "good"},
                                                    {"name", "dwlab_web_1"},
                                                    {"image", "busybox"}};

TEST_CASE("EventMatters: state, limit and health actions, not exec noise", "[event_router]") {
  for (const char* a : {"create", "start", "restart", "die", "stop", "kill", "destroy", "update", "rename",
                        "pause", "unpause", "oom", "health_status", "health_status: healthy",
                        "health_status: unhealthy"}) {
    INFO(a);
    CHECK(EventMatters(a));
  }
  for (const char* a : {"exec_create: sh -c true", "exec_start: cat /etc/hostname", "exec_die", "exec_detach",
                        "attach", "detach", "resize", "top", "export", "commit", "archive-path", "copy", "",
                        "starting", "updates"}) {
    INFO(a);
    CHECK_FALSE(EventMatters(a));
  }
}

TEST_CASE("EventRouter: an event enqueues exactly the policies selecting the container", "[event_router]") {
  Fixture f;
  f.policies = {
      Policy("lab", "by-project", "1", R"({"projects":["dwlab"]})"),
      Policy("lab", "other-project", "1", R"({"projects":["shop"]})"),
      Policy("lab", "good-tier", "1", R"({"selector":{"matchLabels":{"dw.test/tier":"good"}}})"),
      Policy("lab", "project-and-bad-tier", "1",
             R"({"projects":["dwlab"],"selector":{"matchLabels":{"dw.test/tier":"bad"}}})"),
      Policy("lab", "other-host", "1", R"({"dockerHost":"remote","projects":["dwlab"]})"),
      Policy("other-ns", "same-project", "1", R"({"projects":["dwlab"]})"),
  };
  f.router.HandleEvent("lab", "local", Ev("update", "c1", kLabWeb));
  CHECK(f.Sorted() == std::vector<std::string>{"lab/by-project", "lab/good-tier"});
  CHECK(f.invalidated == std::vector<std::string>{"lab/local|c1"});
}

TEST_CASE("EventRouter: an explicit dockerHost local matches the default", "[event_router]") {
  Fixture f;
  f.policies = {Policy("lab", "explicit", "1", R"({"dockerHost":"local","projects":["dwlab"]})"),
                Policy("lab", "remote", "1", R"({"dockerHost":"remote","projects":["dwlab"]})")};
  f.router.HandleEvent("lab", "remote", Ev("die", "c1", kLabWeb));
  CHECK(f.enqueued == std::vector<std::string>{"lab/remote"});
  CHECK(f.invalidated == std::vector<std::string>{"lab/remote|c1"});
}

TEST_CASE("EventRouter: exec and non-container events are ignored entirely", "[event_router]") {
  Fixture f;
  f.policies = {Policy("lab", "p", "1", R"({"projects":["dwlab"]})")};
  f.router.HandleEvent("lab", "local", Ev("exec_start: cat /etc/hostname", "c1", kLabWeb));
  f.router.HandleEvent("lab", "local", Ev("exec_die", "c1", kLabWeb));
  f.router.HandleEvent("lab", "local", Ev("resize", "c1", kLabWeb));
  docker::Event net = Ev("connect", "n1", kLabWeb);
  net.type = "network";
  f.router.HandleEvent("lab", "local", net);
  CHECK(f.enqueued.empty());
  CHECK(f.invalidated.empty());  // the cached inspect stays valid
  CHECK(f.lists == 0);           // no work at all for noise
}

TEST_CASE("EventRouter: an unselected container still invalidates its cache entry", "[event_router]") {
  Fixture f;
  f.policies = {Policy("lab", "p", "1", R"({"projects":["shop"]})")};
  f.router.HandleEvent("lab", "local", Ev("health_status: unhealthy", "c9", kLabWeb));
  CHECK(f.enqueued.empty());
  CHECK(f.invalidated == std::vector<std::string>{"lab/local|c9"});
}

TEST_CASE("EventRouter: a policy whose spec does not parse is not matched by events", "[event_router]") {
  Fixture f;
  f.policies = {Policy("lab", "bad", "1", R"({"projects":["dwlab"],"mode":"Sometimes"})"),
                Policy("lab", "good", "1", R"({"projects":["dwlab"]})")};
  f.router.HandleEvent("lab", "local", Ev("start", "c1", kLabWeb));
  CHECK(f.enqueued == std::vector<std::string>{"lab/good"});
  // ...but a resync enqueues it, so its status stays truthful.
  f.enqueued.clear();
  f.router.HandleResync("lab", "local");
  CHECK(f.Sorted() == std::vector<std::string>{"lab/bad", "lab/good"});
  CHECK(f.resynced == std::vector<std::string>{"lab/local"});
}

TEST_CASE("EventRouter: a new resourceVersion is parsed again", "[event_router]") {
  Fixture f;
  f.policies = {Policy("lab", "p", "1", R"({"projects":["shop"]})")};
  f.router.HandleEvent("lab", "local", Ev("start", "c1", kLabWeb));
  CHECK(f.enqueued.empty());
  f.policies = {Policy("lab", "p", "2", R"({"projects":["dwlab"]})")};
  f.router.HandleEvent("lab", "local", Ev("start", "c1", kLabWeb));
  CHECK(f.enqueued == std::vector<std::string>{"lab/p"});
  // The same resourceVersion keeps the parsed policy even if the object
  // handed over differs (the cache is by version, as the informer's is).
  f.policies = {Policy("lab", "p", "2", R"({"projects":["shop"]})")};
  f.router.HandleEvent("lab", "local", Ev("stop", "c1", kLabWeb));
  CHECK(f.enqueued == std::vector<std::string>{"lab/p", "lab/p"});
}

TEST_CASE("EventRouter: resync enqueues every policy on the host, no others", "[event_router]") {
  Fixture f;
  f.policies = {Policy("lab", "a", "1", R"({"projects":["x"]})"),
                Policy("lab", "b", "1", R"({"selector":{"matchLabels":{"k":"v"}}})"),
                Policy("lab", "c", "1", R"({"dockerHost":"remote","projects":["x"]})"),
                Policy("ops", "d", "1", R"({"projects":["x"]})")};
  f.router.HandleResync("lab", "local");
  CHECK(f.Sorted() == std::vector<std::string>{"lab/a", "lab/b"});
  CHECK(f.invalidated.empty());
}

TEST_CASE("EventRouter: no watcher after StopAll", "[event_router]") {
  Fixture f;
  f.router.StopAll();
  docker::DockerConfig cfg;
  cfg.endpoint = "unix:///nonexistent/docker.sock";
  f.router.EnsureWatcher("lab", "local", cfg);
  CHECK(f.router.watcher_count() == 0);
}

TEST_CASE("EventRouter: one watcher per host, replaced when its config changes", "[event_router]") {
  Fixture f;
  docker::DockerConfig a;
  a.endpoint = "unix:///nonexistent/a.sock";  // never connects: the watcher just backs off
  f.router.EnsureWatcher("lab", "local", a);
  f.router.EnsureWatcher("lab", "local", a);
  CHECK(f.router.watcher_count() == 1);
  f.router.EnsureWatcher("lab", "remote", a);
  CHECK(f.router.watcher_count() == 2);
  docker::DockerConfig b = a;
  b.endpoint = "unix:///nonexistent/b.sock";
  f.router.DropWatcherUnless("lab", "local", &a);  // same config: kept
  CHECK(f.router.watcher_count() == 2);
  f.router.DropWatcherUnless("lab", "local", &b);  // changed: dropped
  CHECK(f.router.watcher_count() == 1);
  f.router.EnsureWatcher("lab", "remote", b);  // replaced in place
  CHECK(f.router.watcher_count() == 1);
  f.router.StopAll();
  CHECK(f.router.watcher_count() == 0);
}

}  // namespace
}  // namespace dw::stacklimits
