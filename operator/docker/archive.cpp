// Archive upload: one file into a container through a streamed tar body.
#include <ctime>

#include "operator/docker/client.h"
#include "operator/docker/api_counter.h"
#include "operator/docker/errors.h"

namespace dw::docker {

Status DockerClient::PutArchive(const std::string& container, const std::string& dir,
                                const std::string& file_name, uint64_t size, uint32_t mode,
                                const DataReader& read_data,
                                std::chrono::milliseconds idle_timeout) {
  if (dir.empty() || dir[0] != '/')
    return Status::BadRequest("archive upload: directory \"" + dir + "\" is not absolute");
  TarHeader header;
  DW_RETURN_IF_ERROR(MakeTarHeader(file_name, size, mode, std::time(nullptr), &header));
  DW_RETURN_IF_ERROR(EnsureNegotiated());
  auto conn = NewStreamClient();  // a long upload must not hold the shared connection
  http::Request req;
  req.method = "PUT";
  req.target = Prefix() + "/containers/" + http::QueryEscape(container) +
               "/archive?path=" + http::QueryEscape(dir);
  req.headers["Content-Type"] = "application/x-tar";
  OneFileTarStream tar(header, size, read_data);
  http::Response resp;
  NoteApiRequest();
  DW_RETURN_IF_ERROR(conn->Upload(
      req, OneFileTarSize(size),
      [&tar](char* buf, size_t cap, size_t* n) { return tar.Read(buf, cap, n); }, &resp,
      idle_timeout));
  return StatusFromResponse(resp.status, resp.body, cfg_.endpoint);
}

}  // namespace dw::docker
