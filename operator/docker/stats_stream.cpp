// GET /containers/{id}/stats?stream=true: the daemon pushes one JSON document
// per line (about one a second); each is parsed as it arrives, nothing is
// buffered beyond the current line.
#include "operator/docker/client.h"
#include "operator/docker/json_lines.h"

namespace dw::docker {

namespace {
// The daemon samples every second; a minute without one means the container
// stopped (its stream goes silent) or the connection is dead.
constexpr std::chrono::seconds kStatsIdle{60};
}  // namespace

Status DockerClient::StreamStats(http::Client* client, const std::string& id,
                                 const std::function<bool(const ContainerStats&)>& on_stats) {
  if (!client) return Status::BadRequest("docker stats: no stream client");
  DW_RETURN_IF_ERROR(EnsureNegotiated());
  http::Request req;
  req.target = Prefix() + "/containers/" + http::QueryEscape(id) + "/stats?stream=true";
  return StreamJsonLines(client, req, kStatsIdle, "docker stats of " + id, cfg_.endpoint,
                         [&](std::string_view line, Status* err) {
                           json::Document doc;
                           ContainerStats stats;
                           *err = json::Parse(line, &doc);
                           if (err->ok()) *err = ParseStats(doc, &stats);
                           return err->ok() && on_stats(stats);
                         });
}

}  // namespace dw::docker
