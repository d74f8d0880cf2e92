#include "operator/cli/backup_follow.h"

namespace dw::cli {

namespace {

// Without a deadline a watch is still renewed now and then: a server or
// proxy may drop a connection that stays silent for long.
constexpr std::chrono::seconds kMaxWatch{300};
// Grace over the server-side timeoutSeconds before the client gives up.
constexpr std::chrono::seconds kWatchGrace{5};

std::chrono::seconds WatchLength(std::optional<SteadyTime> deadline) {
  if (!deadline) return kMaxWatch;
  auto left = std::chrono::ceil<std::chrono::seconds>(*deadline - std::chrono::steady_clock::now());
  return std::clamp(left, std::chrono::seconds(1), kMaxWatch);
}

bool Expired(std::optional<SteadyTime> deadline) {
  return deadline && std::chrono::steady_clock::now() >= *deadline;
}

}  // namespace

Status FollowObjects(ApiClient& api, const std::string& collection, const std::string& selector,
                     const ObjectCallback& on_object, std::optional<SteadyTime> deadline) {
  std::string sep = selector.empty() ? "?" : "?" + selector + "&";
  for (;;) {
    json::Document list;
    DW_RETURN_IF_ERROR(api.Get(collection + (selector.empty() ? "" : "?" + selector), &list));
    if (const json::Value* items = json::Find(list, "items"); items && items->IsArray())
      for (const auto& item : items->GetArray())
        if (on_object("ADDED", item)) return Status::OK();
    if (Expired(deadline)) return Status::Timeout("");
    std::chrono::seconds length = WatchLength(deadline);
    std::string query = sep + "watch=1&allowWatchBookmarks=false&timeoutSeconds=" +
                        std::to_string(length.count()) + "&resourceVersion=" +
                        http::QueryEscape(json::GetStringPath(list, "metadata.resourceVersion"));
    bool done = false;
    Status st = api.Watch(
        collection + query, "",
        [&](const std::string& type, const json::Value& obj) {
          done = on_object(type, obj);
          return !done;
        },
        length + kWatchGrace);
    if (done) return Status::OK();
    // Gone: our resourceVersion was compacted away; the next list catches up.
    if (!st.ok() && st.code() != Code::kGone) return st;
    if (Expired(deadline)) return Status::Timeout("");
  }
}

}  // namespace dw::cli
