// DockerClient: the Docker Engine API over a unix socket, or over TCP with
// TLS client certificates (plain TCP only when explicitly allowed). The API
// version is negotiated once, lazily, on the first call (GET /_ping) and every
// path is /v<version>/.... Results are dw::Status (see errors.h for the
// mapping and IsTransient); no exception leaves this class.
// One DockerClient is used by one thread at a time. Exec and event streams
// open their own connection, so a long exec never blocks the short calls of
// another DockerClient on the same daemon.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "operator/common/status.h"
#include "operator/docker/filters.h"
#include "operator/docker/tar.h"
#include "operator/docker/types.h"
#include "operator/docker/version.h"
#include "operator/http/client.h"
#include "operator/json/json.h"

namespace dw::docker {

struct DockerConfig {
  std::string endpoint = "unix:///var/run/docker.sock";  // or "tcp://host:2376"
  std::string ca_pem, cert_pem, key_pem;  // TLS for tcp:// endpoints
  bool allow_plain_tcp = false;           // tcp:// without TLS must be asked for
  bool insecure_skip_verify = false;      // TLS without checking the engine's certificate
  std::string tls_server_name;            // verification name override
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{60000};
};

// The http::ClientConfig for `cfg` (validates the endpoint and TLS choice).
Status MakeHttpConfig(const DockerConfig& cfg, http::ClientConfig* out);

class DockerClient {
 public:
  explicit DockerClient(DockerConfig cfg);

  // Negotiates now (normally done by the first call); returns the version used.
  Status Negotiate(ApiVersion* used = nullptr);
  Status Ping();
  Status Version(VersionInfo* out);
  Status Info(SystemInfo* out);

  Status ListContainers(bool all, const Filters& filters, std::vector<ContainerSummary>* out);
  // The whole inspect document (State, Config, HostConfig...).
  Status InspectContainer(const std::string& id_or_name, json::Document* out);
  Status CreateContainer(const ContainerSpec& spec, std::string* id);
  Status StartContainer(const std::string& id);  // already running: OK
  Status StopContainer(const std::string& id, int timeout_seconds);  // already stopped: OK
  Status RemoveContainer(const std::string& id, bool force);
  Status UpdateContainer(const std::string& id, const ContainerUpdate& update);
  // One stats sample. `memory_only`: skip the daemon's second sampling cycle
  // (one-shot, API 1.41+); CPU rates are then not computed (cpu_percent 0).
  // The answer still waits for the daemon's collector, which sleeps 1 s
  // after each sample: milliseconds when no stats request came in the last
  // second, up to a second otherwise (reconcilers/stacklimits/memory_usage.h).
  Status ContainerStatsOnce(const std::string& id, ContainerStats* out, bool memory_only = false);

  // Exec in three steps, or all at once with Exec().
  Status CreateExec(const std::string& container, const ExecSpec& spec, std::string* exec_id);
  // Attaches to the exec and streams stdin/stdout/stderr until it ends.
  Status StartExec(const std::string& exec_id, const ExecIO& io, ExecResult* result);
  // Exit code of a finished exec; waits briefly for the daemon to record it.
  Status InspectExecExitCode(const std::string& exec_id, int* exit_code);
  Status Exec(const std::string& container, const ExecSpec& spec, const ExecIO& io,
              ExecResult* result);

  // PUT /containers/{id}/archive?path=DIR: places the regular file
  // DIR/FILE_NAME (owner 0:0, permission bits `mode`) holding exactly `size`
  // bytes pulled from `read_data`, streamed as a one-file tar (tar.h) on its
  // own connection, never buffered. DIR must exist in the container; the
  // container may be stopped. A source shorter or longer than `size` fails
  // the upload before the archive completes (the daemon then rejects it).
  Status PutArchive(const std::string& container, const std::string& dir,
                    const std::string& file_name, uint64_t size, uint32_t mode,
                    const DataReader& read_data,
                    std::chrono::milliseconds idle_timeout = std::chrono::minutes(5));

  // GET /events (filters, since) streamed to on_event until on_event returns
  // false, `client` is cancelled, or the daemon ends the stream (OK either
  // way; transport errors as Status). `client` must be made with
  // NewStreamClient() and is what another thread may Cancel().
  Status StreamEvents(http::Client* client, const Filters& filters, const std::string& since,
                      const std::function<bool(const Event&)>& on_event,
                      std::chrono::milliseconds idle_timeout);
  std::unique_ptr<http::Client> NewStreamClient() const;

  // GET /containers/{id}/stats?stream=true on `stream_client` (from
  // NewStreamClient(), so another thread may Cancel() it): one document per
  // line, each parsed with ParseStats and given to on_stats (about one a
  // second while the container runs). Ends OK when on_stats returns false or
  // the daemon ends the stream; a cancelled client returns its transport
  // status. A container that stops sends nothing: after a minute of silence
  // the call returns OK, as if the daemon had ended the stream.
  Status StreamStats(http::Client* stream_client, const std::string& id,
                     const std::function<bool(const ContainerStats&)>& on_stats);

  // POST /containers/create?name=NAME with `body` exactly as given (the Engine
  // API create document: Config fields, HostConfig, NetworkingConfig). For a
  // recreate that keeps everything ContainerSpec cannot express.
  Status CreateContainerRaw(const std::string& name, const json::Value& body, std::string* id);
  // POST /containers/{id}/rename?name=NEW_NAME.
  Status RenameContainer(const std::string& id, const std::string& new_name);
  // POST /networks/{network}/connect: attaches `id` with `endpoint` (an
  // EndpointSettings document: Aliases, IPAMConfig...; null for none). API
  // versions before 1.44 accept one network at create; the rest go here.
  Status ConnectNetwork(const std::string& network, const std::string& id,
                        const json::Value& endpoint);

  const DockerConfig& config() const { return cfg_; }
  const std::string& endpoint() const { return cfg_.endpoint; }
  // "/v1.41" once negotiated.
  std::string Prefix() const { return "/v" + version_.ToString(); }

 private:
  Status EnsureNegotiated();
  // A versioned call; `body` JSON or empty. Non-2xx is mapped to Status.
  Status Call(const std::string& method, const std::string& path, const std::string& body,
              http::Response* resp);
  Status CallJson(const std::string& method, const std::string& path, const std::string& body,
                  json::Document* out);

  DockerConfig cfg_;
  Status config_status_;
  std::unique_ptr<http::Client> http_;
  bool negotiated_ = false;
  ApiVersion version_;
};

// Parsers of the engine's JSON, exposed for unit tests.
Status ParseContainerList(const json::Value& arr, std::vector<ContainerSummary>* out);
Status ParseEvent(std::string_view line, Event* out);
Status ParseStats(const json::Value& doc, ContainerStats* out);
std::string UpdateBody(const ContainerUpdate& update);

}  // namespace dw::docker
