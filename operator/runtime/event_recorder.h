// EventRecorder: v1 Events about objects, as client-go's recorder writes them
// (what `kubectl describe` shows). Record() never blocks a reconciler: it
// copies what it needs into a bounded queue that one sender thread drains;
// when the queue is full the event is dropped with a log line and a metric.
//
// Repeats of the same (object uid, type, reason, message) within the
// aggregation window (10 minutes, like client-go's correlator) patch the
// existing Event's count and lastTimestamp instead of creating a new one.
// Event names are "<object-name>.<16 hex digits>".
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "operator/common/clock.h"
#include "operator/runtime/client.h"

namespace dw::runtime {

struct EventRecorderOptions {
  std::string component;           // source.component and reportingComponent
  std::string reporting_instance;  // e.g. the host name; optional
  size_t queue_limit = 1000;
  std::chrono::seconds aggregate_window{600};
};

class EventRecorder {
 public:
  // `events` is the v1 Event kind (client->Resolve("v1", "Event")).
  EventRecorder(Client* client, const schema::ResourceInfo& events, EventRecorderOptions opts);
  ~EventRecorder();  // sends what is queued, then stops
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // type: "Normal" or "Warning". `obj` is read now (not kept).
  void Record(const json::Value& obj, const std::string& type, const std::string& reason,
              const std::string& message);
  // Waits until everything recorded so far was sent (or dropped). For tests
  // and orderly shutdown; false on timeout.
  bool Flush(std::chrono::milliseconds timeout);

 private:
  struct Pending {
    std::string api_version, kind, name, ns, uid, resource_version;
    std::string type, reason, message;
    dw::clock::TimePoint when;
  };
  struct Seen {
    std::string ns, event_name;
    int64_t count = 0;
    dw::clock::TimePoint last;
  };

  void Loop();
  void Send(const Pending& p);
  Status CreateEvent(const Pending& p, const std::string& ns, Seen* seen);
  Status BumpEvent(const Pending& p, Seen* seen);
  void ForgetOld(dw::clock::TimePoint now);

  Client* client_;
  const schema::ResourceInfo& events_;
  const EventRecorderOptions opts_;

  std::mutex mu_;
  std::condition_variable cv_;       // work arrived or stopping
  std::condition_variable idle_cv_;  // queue drained
  std::deque<Pending> queue_;
  bool busy_ = false;
  bool stop_ = false;
  uint64_t dropped_ = 0;  // under mu_
  std::map<std::string, Seen> seen_;  // correlation key -> last Event written (sender thread only)
  std::thread sender_;
};

}  // namespace dw::runtime
