// Shared helpers for the store tests: scratch directories and documents.
#pragma once

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "operator/store/store.h"

namespace dw::store::testing {

// A fresh directory removed (with its files) at scope exit.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/dwstore-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() { RemoveTree(path_); }
  const std::string& path() const { return path_; }

  static void RemoveTree(const std::string& dir) {
    if (DIR* d = ::opendir(dir.c_str())) {
      while (struct dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") ::unlink((dir + "/" + n).c_str());
      }
      ::closedir(d);
    }
    ::rmdir(dir.c_str());
  }

 private:
  std::string path_;
};

inline std::vector<std::string> FilesIn(const std::string& dir, const std::string& prefix) {
  std::vector<std::string> out;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (struct dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n.rfind(prefix, 0) == 0) out.push_back(n);
    }
    ::closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline json::Document Doc(const std::string& text) {
  json::Document d;
  REQUIRE(json::Parse(text, &d).ok());
  return d;
}

inline json::Document Named(const std::string& name, const std::string& labels = "{}",
                            const std::string& extra = "") {
  return Doc(R"({"metadata":{"name":")" + name + R"(","labels":)" + labels + "}" + extra + "}");
}

inline ListOptions Under(const std::string& prefix, const meta::LabelSelector* sel = nullptr) {
  ListOptions o;
  o.prefix = prefix;
  o.selector = sel;
  return o;
}

inline EmbeddedOptions Opts(const std::string& dir) {
  EmbeddedOptions o;
  o.dir = dir;
  return o;
}

inline std::unique_ptr<Store> OpenOrDie(const EmbeddedOptions& o) {
  std::unique_ptr<Store> s;
  Status st = OpenEmbedded(o, &s);
  INFO(st.ToString());
  REQUIRE(st.ok());
  return s;
}

inline std::string RvOf(const Object& o) {
  json::Document d;
  REQUIRE(json::Parse(*o.data, &d).ok());
  const json::Value* md = json::Find(d, "metadata");
  REQUIRE(md != nullptr);
  return json::GetString(*md, "resourceVersion");
}

}  // namespace dw::store::testing
