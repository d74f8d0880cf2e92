// Reads the documents of `-f FILE|DIR|-` (YAML or JSON, multi-document,
// v1 List objects expanded). Everything is parsed before anything is
// returned, so a malformed file means nothing is applied.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "operator/common/status.h"
#include "operator/json/json.h"

namespace dw::cli {

struct Manifest {
  std::string source;  // file name ("-" for stdin)
  int line = 0;        // first line of the document
  std::shared_ptr<json::Document> doc;
  json::Value* obj = nullptr;  // the object (the document or one List item)
};

// Directories contribute *.yaml, *.yml and *.json (sorted; subdirectories
// only with `recursive`). Errors are ready to print ("error: f.yaml:3:1: ...").
Status ReadManifests(const std::vector<std::string>& paths, bool recursive,
                     std::vector<Manifest>* out);

}  // namespace dw::cli
