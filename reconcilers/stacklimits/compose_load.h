// Compose files -> one merged, interpolated services map, the way
// docker-compose builds its model from `-f a.yml -f b.yml`.
//
// Promises: each file is one YAML mapping (anchors and `<<` merge keys are
// resolved by the YAML layer); top-level `x-*` keys are dropped; string
// values (never keys) are interpolated per file before merging, as compose
// does; services merge field by field with compose's rules (see MergeService).
// A file without `services` and without `version` is the legacy v1 format:
// its top-level keys are the services. Errors name "file:line".
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "operator/common/status.h"
#include "operator/json/json.h"
#include "operator/json/yaml.h"
#include "reconcilers/stacklimits/compose_facts.h"
#include "reconcilers/stacklimits/compose_interpolate.h"

namespace dw::stacklimits {

struct ComposeFile {
  std::string path;
  std::string dir;  // directory of `path` ("." when it has none)
  yaml::YamlDocument yaml;
};

struct ComposeModel {
  std::vector<ComposeFile> files;  // in -f order
  json::Document services;         // object: service name -> merged definition

  // Where `path` ("services.web.privileged") is written: the last file that
  // has it or, failing that, its closest written parent. {nullptr, 0} if none.
  std::pair<const std::string*, int> Locate(std::string_view path) const;
};

// Parses one compose file's text. `path` names it in errors and notes.
Status ParseComposeFile(std::string_view text, const std::string& path, ComposeFile* out);

// Interpolates every string value of `file` in place; unset variables become
// notes with their line.
Status InterpolateComposeFile(const VarMap& vars, ComposeFile* file, std::vector<ComposeNote>* notes);

// Merges `over` into `base` with docker-compose 1.x's rules:
//  - environment, labels, sysctls, extra_hosts: maps (list forms converted),
//    merged key by key;
//  - cap_add, cap_drop, security_opt, dns, dns_search, env_file, expose,
//    ports, external_links, volumes_from, devices: union, order kept;
//  - volumes: merged by container path (an override replaces the entry for
//    the same target);
//  - logging: options merged when the driver is unchanged, else replaced;
//    healthcheck: merged unless the override sets disable; deploy, build,
//    ulimits: deep-merged;
//  - anything else: replaced.
void MergeService(json::Value& base, const json::Value& over, json::Allocator& a);

// Reads, interpolates and merges `paths` in order.
Status LoadComposeModel(const std::vector<std::string>& paths, const VarMap& vars, ComposeModel* out,
                        std::vector<ComposeNote>* notes);

// Reads a whole file. NotFound / IOError name the path.
Status ReadTextFile(const std::string& path, std::string* out);

}  // namespace dw::stacklimits
