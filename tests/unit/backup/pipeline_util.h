// Shared helpers for the backup pipeline tests: temp dirs, deterministic
// test data (random and SQL-like compressible), file helpers.
#pragma once

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>

#include "reconcilers/backup/byte_stream.h"
#include "reconcilers/backup/encryption_key.h"

namespace dw::backup::testing {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/dw_pipe_test_XXXXXX";
    if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::set<std::string> List() const {
    std::set<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path)) out.insert(e.path().filename().string());
    return out;
  }
};

inline std::string RandomData(size_t n, uint32_t seed = 1) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(rng());
  return s;
}

// One INSERT-like line of a pg_dump COPY block; compressible like real dumps.
inline void AppendSqlLine(std::string* out, uint64_t i) {
  static const char* kNames[] = {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"};
  *out += std::to_string(i) + "\t" + kNames[i % 8] + "\t" + kNames[(i * 7) % 8] + "@example.com\t" +
          std::to_string((i * 2654435761u) % 100000) + ".00\t2024-0" + std::to_string(1 + i % 9) + "-1" +
          std::to_string(i % 10) + " 12:" + std::to_string(10 + i % 50) + ":00+00\t" +
          (i % 3 ? "active" : "suspended") + "\n";
}

inline std::string SqlData(size_t n) {
  std::string s = "COPY public.users (id, name, email, balance, created_at, state) FROM stdin;\n";
  for (uint64_t i = 0; s.size() < n; ++i) AppendSqlLine(&s, i);
  s.resize(n);
  return s;
}

inline EncryptionKey KeyFromSeed(uint8_t seed) {
  std::string raw(32, '\0');
  for (int i = 0; i < 32; ++i) raw[i] = static_cast<char>(seed + i);
  EncryptionKey k;
  if (!EncryptionKey::Parse(raw, &k).ok()) throw std::runtime_error("key parse failed");
  return k;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << data;
}

// Drains a source; returns its status and the bytes read before any error.
inline Status ReadAll(ByteSource* src, std::string* out, size_t buf_size = 4096) {
  std::string buf(buf_size, '\0');
  for (;;) {
    size_t n = 0;
    Status st = src->Read(buf.data(), buf.size(), &n);
    if (!st.ok()) return st;
    if (n == 0) return Status::OK();
    out->append(buf.data(), n);
  }
}

}  // namespace dw::backup::testing
