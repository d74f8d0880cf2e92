#include "operator/cli/manifest.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "operator/json/yaml.h"

namespace dw::cli {

namespace fs = std::filesystem;

namespace {

bool IsManifestFile(const fs::path& p) {
  auto ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

Status ExpandPath(const std::string& path, bool recursive, std::vector<std::string>* files) {
  if (path == "-") {
    files->push_back(path);
    return Status::OK();
  }
  std::error_code ec;
  auto st = fs::status(path, ec);
  if (ec || !fs::exists(st))
    return Status::NotFound("error: the path \"" + path + "\" does not exist");
  if (!fs::is_directory(st)) {
    files->push_back(path);
    return Status::OK();
  }
  std::vector<std::string> found;
  auto collect = [&](const fs::directory_entry& e) {
    if (e.is_regular_file() && IsManifestFile(e.path())) found.push_back(e.path().string());
  };
  if (recursive) {
    for (const auto& e : fs::recursive_directory_iterator(path, ec)) collect(e);
  } else {
    for (const auto& e : fs::directory_iterator(path, ec)) collect(e);
  }
  if (ec) return Status::IOError("error: reading " + path + ": " + ec.message());
  std::sort(found.begin(), found.end());
  files->insert(files->end(), found.begin(), found.end());
  return Status::OK();
}

Status ReadSource(const std::string& file, std::string* text) {
  std::ostringstream ss;
  if (file == "-") {
    ss << std::cin.rdbuf();
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Status::IOError("error: open " + file + ": cannot read file");
    ss << in.rdbuf();
  }
  *text = ss.str();
  return Status::OK();
}

bool IsList(const json::Value& v) {
  std::string kind = json::GetString(v, "kind");
  const json::Value* items = json::Find(v, "items");
  return kind.size() > 4 && kind.compare(kind.size() - 4, 4, "List") == 0 && items &&
         items->IsArray();
}

}  // namespace

Status ReadManifests(const std::vector<std::string>& paths, bool recursive,
                     std::vector<Manifest>* out) {
  std::vector<std::string> files;
  for (const auto& p : paths) DW_RETURN_IF_ERROR(ExpandPath(p, recursive, &files));
  for (const auto& file : files) {
    std::string text;
    DW_RETURN_IF_ERROR(ReadSource(file, &text));
    std::vector<yaml::YamlDocument> docs;
    yaml::ParseOptions po;
    po.source_name = file;
    po.track_lines = false;
    Status st = yaml::ParseAll(text, po, &docs);
    if (!st.ok()) return Status(st.code(), "error: " + st.message());
    for (auto& d : docs) {
      if (d.doc.IsNull()) continue;
      auto shared = std::make_shared<json::Document>();
      shared->Swap(d.doc);
      if (!shared->IsObject())
        return Status::BadRequest("error: " + file + ":" + std::to_string(d.first_line) +
                                  ": document is not an object");
      if (IsList(*shared)) {
        for (auto& item : (*shared)["items"].GetArray())
          out->push_back({file, d.first_line, shared, &item});
      } else {
        out->push_back({file, d.first_line, shared, shared.get()});
      }
    }
  }
  if (out->empty()) return Status::BadRequest("error: no objects passed to apply");
  return Status::OK();
}

}  // namespace dw::cli
