#include <catch2/catch.hpp>

#include "operator/common/base64.h"
#include "reconcilers/backup/artifact_writer.h"
#include "tests/unit/backup/pipeline_util.h"

namespace dw::backup {
namespace {

using namespace testing;

TEST_CASE("Metadata sidecar records the run and never the key", "[backup][metadata]") {
  TempDir dir;
  std::string raw(32, '\0');
  for (int i = 0; i < 32; ++i) raw[i] = static_cast<char>(0xA0 + i);
  EncryptionKey key;
  REQUIRE(EncryptionKey::Parse(raw, &key).ok());
  ArtifactOptions opt;
  opt.key = key;
  opt.compression = Compression::kGzip;
  opt.compression_level = 9;
  ArtifactMetadata md;
  md.engine = "postgres";
  md.databases = {"app", "billing"};
  md.container = "pg-main";
  md.host = "local";
  md.tool_versions = {{"pg_dump", "pg_dump (PostgreSQL) 15.4"}};
  std::unique_ptr<ArtifactWriter> w;
  REQUIRE(ArtifactWriter::Create(dir.path, "pg.sql.gz", opt, md, &w).ok());
  REQUIRE(w->Write(SqlData(10000)).ok());
  REQUIRE(w->Finish().ok());

  std::string text = ReadFile(dir.path + "/pg.sql.gz.json");
  std::string hex_key = HexEncode(reinterpret_cast<const uint8_t*>(raw.data()), 32);
  CHECK(text.find(hex_key) == std::string::npos);
  CHECK(text.find(Base64Encode(raw)) == std::string::npos);
  CHECK(text.find(raw) == std::string::npos);
  CHECK(text.find("\"keyId\": \"" + key.IdHex() + "\"") != std::string::npos);

  ArtifactMetadata back;
  REQUIRE(MetadataFromJson(text, &back).ok());
  CHECK(back.format_version == 1);
  CHECK(back.artifact == "pg.sql.gz");
  CHECK(back.engine == "postgres");
  CHECK(back.databases == std::vector<std::string>{"app", "billing"});
  CHECK(back.container == "pg-main");
  CHECK(back.host == "local");
  CHECK(back.tool_versions.at("pg_dump") == "pg_dump (PostgreSQL) 15.4");
  CHECK(back.compression == Compression::kGzip);
  CHECK(back.compression_level == 9);
  CHECK(back.encryption == "AES-256-GCM");
  CHECK(back.encryption_format == "DWENC1");
  CHECK(back.chunk_size == 65536);
  CHECK(back.dump_bytes == 10000);
  CHECK(back.artifact_bytes == w->metadata().artifact_bytes);
  CHECK(back.artifact_sha256 == w->metadata().artifact_sha256);
  CHECK(back.dump_sha256 == w->metadata().dump_sha256);
  CHECK(back.start_time <= back.end_time);
  auto us = [](clock::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  };
  CHECK(us(back.end_time) == us(w->metadata().end_time));
  CHECK(MetadataToJson(back) == text);  // stable serialization
}

TEST_CASE("Metadata parsing is strict", "[backup][metadata]") {
  ArtifactMetadata good;
  good.artifact = "a";
  good.artifact_sha256 = std::string(64, 'a');
  const std::string text = MetadataToJson(good);
  ArtifactMetadata m;
  REQUIRE(MetadataFromJson(text, &m).ok());
  CHECK(m.encryption == "none");
  CHECK(m.dump_sha256.empty());

  auto replace = [&](const std::string& from, const std::string& to) {
    std::string t = text;
    size_t p = t.find(from);
    REQUIRE(p != std::string::npos);
    return t.replace(p, from.size(), to);
  };
  struct Case {
    std::string text, message;
  };
  std::vector<Case> cases = {
      {"[]", "artifact metadata must be a JSON object"},
      {replace("\"formatVersion\": 1", "\"formatVersion\": 2"),
       "formatVersion 2 is not supported (this dockward reads up to 1)"},
      {replace("\"formatVersion\": 1", "\"formatVersion\": \"1\""), "formatVersion: required integer"},
      {replace("\"algorithm\": \"zstd\"", "\"algorithm\": \"lz4\""),
       "unsupported compression \"lz4\": supported values are zstd, gzip, none"},
      {replace("\"algorithm\": \"none\"", "\"algorithm\": \"rot13\""),
       "encryption.algorithm: unsupported value \"rot13\""},
      {replace(std::string(64, 'a'), std::string(63, 'a')), "checksums.artifactSha256: must be 64 lowercase hex digits"},
      {replace("\"dumpBytes\": 0", "\"dumpBytes\": -1"), "sizes.dumpBytes: must be a non-negative integer"},
      {replace("\"databases\": []", "\"databases\": [1]"), "databases: must be an array of strings"},
      {replace("\"engine\": \"\"", "\"engine\": 5"), "engine: must be a string"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    Status st = MetadataFromJson(c.text, &m);
    CHECK(st.code() == Code::kInvalid);
    CHECK(st.message() == c.message);
  }
  CHECK(MetadataFromJson("{", &m).code() != Code::kOk);

  TempDir dir;
  Status st = ReadMetadataFile(dir.path + "/none.json", &m);
  CHECK(st.code() == Code::kNotFound);
}

}  // namespace
}  // namespace dw::backup
