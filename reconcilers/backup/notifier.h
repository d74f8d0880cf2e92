// Webhook notifications of finished Backup and Restore runs. The URL lives in
// a Secret (URLs often embed tokens) and is read at send time, so a rotated
// Secret applies to the next notification. The URL never appears in a
// returned message or log line: errors name the Secret instead.
//
// Delivery: POST application/json, a bounded timeout per attempt, a few
// attempts for transport errors and 408/429/5xx; any other status is final.
// A failed notification is the caller's Event, never a run failure.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "operator/common/status.h"
#include "operator/runtime/client.h"
#include "reconcilers/backup/policy_spec.h"

namespace dw::backup {

struct WebhookPayload {
  std::string policy, backup, ns, phase, reason, message;
  std::string host, container, path, sha256;
  uint64_t size_bytes = 0;
  std::string start_time, completion_time;  // RFC 3339; empty: null
};

// {"policy","backup","namespace","phase","reason","message","host",
//  "container","path","sizeBytes","sha256","startTime","completionTime"}.
std::string WebhookPayloadJson(const WebhookPayload& p);

struct NotifierOptions {
  std::chrono::milliseconds timeout{5000};  // per attempt, connect included
  int attempts = 3;
  std::chrono::milliseconds retry_delay{1000};  // doubles per retry
};

struct NotifyResult {
  int attempts = 0;
  int http_status = 0;           // last response's status; 0: none
  std::string response_excerpt;  // first bytes of the last response body
};

// Posts `body` to `url` ("http://..." or "https://..."). OK only for a 2xx
// answer. `what` names the URL's origin in messages ("secret ns/name key k").
Status PostWebhook(const std::string& url, const std::string& body, const std::string& what,
                   const NotifierOptions& opts, NotifyResult* result);

// Reads the URL from the Secret `ref` in `ns`, then PostWebhook.
Status NotifyWebhook(runtime::Client* client, const std::string& ns, const SecretKeyRef& ref,
                     const WebhookPayload& payload, const NotifierOptions& opts,
                     NotifyResult* result);

}  // namespace dw::backup
