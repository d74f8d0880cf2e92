#include "reconcilers/backup/artifact_metadata.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "operator/json/json.h"
#include "reconcilers/backup/atomic_file_sink.h"

namespace dw::backup {

namespace {

using json::Allocator;
using json::Value;

constexpr size_t kMaxMetadataBytes = 1 << 20;

Value ObjectOf(Allocator&) { return Value(rapidjson::kObjectType); }

bool IsHexDigest(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Reads an optional member of the expected JSON type; wrong types are errors.
Status GetStr(const Value& obj, const char* key, const char* field, std::string* out) {
  const Value* v = json::Find(obj, key);
  if (v == nullptr) return Status::OK();
  if (!v->IsString()) return Status::Invalid(std::string(field) + ": must be a string");
  *out = std::string(v->GetString(), v->GetStringLength());
  return Status::OK();
}

Status GetU64(const Value& obj, const char* key, const char* field, uint64_t* out) {
  const Value* v = json::Find(obj, key);
  if (v == nullptr) return Status::OK();
  if (!v->IsUint64()) return Status::Invalid(std::string(field) + ": must be a non-negative integer");
  *out = v->GetUint64();
  return Status::OK();
}

const Value* SubObject(const Value& root, const char* key, Status* st) {
  const Value* v = json::Find(root, key);
  if (v != nullptr && !v->IsObject() && st->ok()) *st = Status::Invalid(std::string(key) + ": must be an object");
  return (v != nullptr && v->IsObject()) ? v : nullptr;
}

Status ParseTime(const Value& obj, const char* key, const char* field, clock::TimePoint* out) {
  std::string s;
  DW_RETURN_IF_ERROR(GetStr(obj, key, field, &s));
  if (!s.empty() && !clock::ParseRfc3339(s, out)) return Status::Invalid(std::string(field) + ": not RFC 3339");
  return Status::OK();
}

Status ParseStorage(const Value& root, ArtifactMetadata* m) {
  Status st;
  if (const Value* c = SubObject(root, "compression", &st)) {
    std::string alg = CompressionName(m->compression);
    DW_RETURN_IF_ERROR(GetStr(*c, "algorithm", "compression.algorithm", &alg));
    DW_RETURN_IF_ERROR(ParseCompression(alg, &m->compression));
    m->compression_level = static_cast<int>(json::GetInt(*c, "level", 0));
  }
  if (const Value* e = SubObject(root, "encryption", &st)) {
    DW_RETURN_IF_ERROR(GetStr(*e, "algorithm", "encryption.algorithm", &m->encryption));
    if (m->encryption != kEncryptionNone && m->encryption != kEncryptionAesGcm) {
      return Status::Invalid("encryption.algorithm: unsupported value \"" + m->encryption + "\"");
    }
    DW_RETURN_IF_ERROR(GetStr(*e, "format", "encryption.format", &m->encryption_format));
    DW_RETURN_IF_ERROR(GetStr(*e, "keyId", "encryption.keyId", &m->key_id));
    uint64_t chunk = 0;
    DW_RETURN_IF_ERROR(GetU64(*e, "chunkSize", "encryption.chunkSize", &chunk));
    m->chunk_size = static_cast<uint32_t>(chunk);
  }
  return st;
}

Status ParseContent(const Value& root, ArtifactMetadata* m) {
  Status st;
  if (const Value* s = SubObject(root, "sizes", &st)) {
    DW_RETURN_IF_ERROR(GetU64(*s, "dumpBytes", "sizes.dumpBytes", &m->dump_bytes));
    DW_RETURN_IF_ERROR(GetU64(*s, "artifactBytes", "sizes.artifactBytes", &m->artifact_bytes));
  }
  if (const Value* c = SubObject(root, "checksums", &st)) {
    DW_RETURN_IF_ERROR(GetStr(*c, "artifactSha256", "checksums.artifactSha256", &m->artifact_sha256));
    DW_RETURN_IF_ERROR(GetStr(*c, "dumpSha256", "checksums.dumpSha256", &m->dump_sha256));
  }
  if (!IsHexDigest(m->artifact_sha256)) return Status::Invalid("checksums.artifactSha256: must be 64 lowercase hex digits");
  if (!m->dump_sha256.empty() && !IsHexDigest(m->dump_sha256)) {
    return Status::Invalid("checksums.dumpSha256: must be 64 lowercase hex digits");
  }
  if (const Value* t = SubObject(root, "timings", &st)) {
    DW_RETURN_IF_ERROR(ParseTime(*t, "startTime", "timings.startTime", &m->start_time));
    DW_RETURN_IF_ERROR(ParseTime(*t, "endTime", "timings.endTime", &m->end_time));
  }
  return st;
}

Status ParseSource(const Value& root, ArtifactMetadata* m) {
  DW_RETURN_IF_ERROR(GetStr(root, "artifact", "artifact", &m->artifact));
  DW_RETURN_IF_ERROR(GetStr(root, "engine", "engine", &m->engine));
  DW_RETURN_IF_ERROR(GetStr(root, "container", "container", &m->container));
  DW_RETURN_IF_ERROR(GetStr(root, "host", "host", &m->host));
  if (const Value* d = json::Find(root, "databases")) {
    if (!d->IsArray()) return Status::Invalid("databases: must be an array of strings");
    for (const Value& v : d->GetArray()) {
      if (!v.IsString()) return Status::Invalid("databases: must be an array of strings");
      m->databases.emplace_back(v.GetString(), v.GetStringLength());
    }
  }
  if (const Value* t = json::Find(root, "toolVersions")) {
    if (!t->IsObject()) return Status::Invalid("toolVersions: must be an object of strings");
    for (const auto& kv : t->GetObject()) {
      if (!kv.value.IsString()) return Status::Invalid("toolVersions: must be an object of strings");
      m->tool_versions[kv.name.GetString()] = kv.value.GetString();
    }
  }
  return Status::OK();
}

}  // namespace

std::string MetadataToJson(const ArtifactMetadata& m) {
  json::Document doc(rapidjson::kObjectType);
  Allocator& a = doc.GetAllocator();
  json::SetInt(doc, "formatVersion", m.format_version, a);
  json::SetString(doc, "artifact", m.artifact, a);
  json::SetString(doc, "engine", m.engine, a);
  Value dbs(rapidjson::kArrayType);
  for (const auto& d : m.databases) dbs.PushBack(json::Str(d, a), a);
  json::SetValue(doc, "databases", dbs, a);
  json::SetString(doc, "container", m.container, a);
  json::SetString(doc, "host", m.host, a);
  Value tools = ObjectOf(a);
  for (const auto& [k, v] : m.tool_versions) json::SetString(tools, k, v, a);
  json::SetValue(doc, "toolVersions", tools, a);

  Value comp = ObjectOf(a);
  json::SetString(comp, "algorithm", CompressionName(m.compression), a);
  json::SetInt(comp, "level", m.compression_level, a);
  json::SetValue(doc, "compression", comp, a);
  Value enc = ObjectOf(a);
  json::SetString(enc, "algorithm", m.encryption, a);
  if (m.encryption != kEncryptionNone) {
    json::SetString(enc, "format", m.encryption_format, a);
    json::SetString(enc, "keyId", m.key_id, a);
    json::SetInt(enc, "chunkSize", m.chunk_size, a);
  }
  json::SetValue(doc, "encryption", enc, a);

  Value sizes = ObjectOf(a);
  sizes.AddMember("dumpBytes", Value(static_cast<uint64_t>(m.dump_bytes)), a);
  sizes.AddMember("artifactBytes", Value(static_cast<uint64_t>(m.artifact_bytes)), a);
  json::SetValue(doc, "sizes", sizes, a);
  Value sums = ObjectOf(a);
  json::SetString(sums, "artifactSha256", m.artifact_sha256, a);
  if (!m.dump_sha256.empty()) json::SetString(sums, "dumpSha256", m.dump_sha256, a);
  json::SetValue(doc, "checksums", sums, a);

  Value times = ObjectOf(a);
  json::SetString(times, "startTime", clock::Rfc3339Micro(m.start_time), a);
  json::SetString(times, "endTime", clock::Rfc3339Micro(m.end_time), a);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(m.end_time - m.start_time).count();
  json::SetInt(times, "durationMillis", ms, a);
  json::SetValue(doc, "timings", times, a);
  return json::SerializePretty(doc) + "\n";
}

Status MetadataFromJson(std::string_view text, ArtifactMetadata* out) {
  json::Document doc;
  DW_RETURN_IF_ERROR(json::Parse(text, &doc));
  if (!doc.IsObject()) return Status::Invalid("artifact metadata must be a JSON object");
  ArtifactMetadata m;
  const Value* fv = json::Find(doc, "formatVersion");
  if (fv == nullptr || !fv->IsInt()) return Status::Invalid("formatVersion: required integer");
  m.format_version = fv->GetInt();
  if (m.format_version < 1 || m.format_version > kArtifactFormatVersion) {
    return Status::Invalid("formatVersion " + std::to_string(m.format_version) +
                           " is not supported (this dockward reads up to " +
                           std::to_string(kArtifactFormatVersion) + ")");
  }
  DW_RETURN_IF_ERROR(ParseSource(doc, &m));
  DW_RETURN_IF_ERROR(ParseStorage(doc, &m));
  DW_RETURN_IF_ERROR(ParseContent(doc, &m));
  *out = std::move(m);
  return Status::OK();
}

std::string MetadataFileName(const std::string& artifact_name) { return artifact_name + ".json"; }

Status WriteMetadataFile(const std::string& dir, const ArtifactMetadata& m) {
  std::unique_ptr<AtomicFileSink> sink;
  DW_RETURN_IF_ERROR(AtomicFileSink::Create(dir, MetadataFileName(m.artifact), &sink));
  DW_RETURN_IF_ERROR(sink->Write(MetadataToJson(m)));
  return sink->Finish();
}

Status ReadMetadataFile(const std::string& path, ArtifactMetadata* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound("metadata " + path + " not found");
    return Status::IOError("open " + path + ": " + std::strerror(err));
  }
  std::string text;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return Status::IOError("read " + path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxMetadataBytes) {
      ::close(fd);
      return Status::TooLarge("metadata " + path + " is larger than 1 MiB");
    }
  }
  ::close(fd);
  Status st = MetadataFromJson(text, out);
  if (!st.ok()) return Status(st.code(), path + ": " + st.message());
  return Status::OK();
}

}  // namespace dw::backup
