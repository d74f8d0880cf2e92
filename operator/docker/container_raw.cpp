// Calls a recreate needs beyond ContainerSpec: create from a full Engine API
// document, rename, and attach further networks.
#include "operator/docker/client.h"
#include "operator/docker/errors.h"

namespace dw::docker {

Status DockerClient::CreateContainerRaw(const std::string& name, const json::Value& body,
                                        std::string* id) {
  if (!body.IsObject()) return Status::BadRequest("docker container create: body is not an object");
  std::string path = "/containers/create";
  if (!name.empty()) path += "?name=" + http::QueryEscape(name);
  json::Document resp;
  DW_RETURN_IF_ERROR(CallJson("POST", path, json::Serialize(body), &resp));
  *id = json::GetString(resp, "Id");
  if (id->empty()) return Status::Internal("docker container create: response has no Id");
  return Status::OK();
}

Status DockerClient::RenameContainer(const std::string& id, const std::string& new_name) {
  http::Response resp;
  return Call("POST", "/containers/" + http::QueryEscape(id) + "/rename?name=" +
                          http::QueryEscape(new_name), "", &resp);
}

Status DockerClient::ConnectNetwork(const std::string& network, const std::string& id,
                                    const json::Value& endpoint) {
  json::Document body(rapidjson::kObjectType);
  auto& a = body.GetAllocator();
  json::SetString(body, "Container", id, a);
  if (endpoint.IsObject()) {
    json::Value ep = json::Copy(endpoint, a);
    json::SetValue(body, "EndpointConfig", ep, a);
  }
  http::Response resp;
  return Call("POST", "/networks/" + http::QueryEscape(network) + "/connect",
              json::Serialize(body), &resp);
}

}  // namespace dw::docker
