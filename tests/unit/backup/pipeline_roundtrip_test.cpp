#include <catch2/catch.hpp>

#include "reconcilers/backup/artifact_reader.h"
#include "reconcilers/backup/artifact_writer.h"
#include "reconcilers/backup/compressor.h"
#include "reconcilers/backup/decompressor.h"
#include "reconcilers/backup/hasher.h"
#include "tests/unit/backup/pipeline_util.h"

namespace dw::backup {
namespace {

using namespace testing;

std::string Sha256Hex(std::string_view s) {
  Sha256 h;
  h.Update(s);
  return h.HexFinal();
}

TEST_CASE("SHA-256 known answers", "[backup][pipeline]") {
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("Artifacts round trip for every compression x encryption x size", "[backup][pipeline]") {
  const size_t kChunk = 64 * 1024;
  EncryptionKey key = KeyFromSeed(11);
  for (Compression comp : {Compression::kNone, Compression::kZstd, Compression::kGzip}) {
    for (bool encrypt : {false, true}) {
      for (bool compressible : {false, true}) {
        for (size_t n : {size_t{0}, size_t{1}, kChunk - 1, kChunk, kChunk + 1, size_t{3 * 1024 * 1024 + 7}}) {
          CAPTURE(CompressionName(comp), encrypt, compressible, n);
          TempDir dir;
          std::string dump = compressible ? SqlData(n) : RandomData(n, static_cast<uint32_t>(n + 1));
          ArtifactOptions opt;
          opt.compression = comp;
          if (encrypt) opt.key = key;
          ArtifactMetadata md;
          md.engine = "postgres";
          md.databases = {"app"};
          std::unique_ptr<ArtifactWriter> w;
          REQUIRE(ArtifactWriter::Create(dir.path, "db.dump", opt, md, &w).ok());
          // Odd-sized writes, as an exec stream delivers them.
          for (size_t i = 0; i < dump.size(); i += 40000) {
            REQUIRE(w->Write(std::string_view(dump).substr(i, 40000)).ok());
          }
          CHECK(w->dump_bytes() == n);
          REQUIRE(w->Finish().ok());
          CHECK(dir.List() == std::set<std::string>{"db.dump", "db.dump.json"});

          std::string disk = ReadFile(dir.path + "/db.dump");
          const ArtifactMetadata& m = w->metadata();
          CHECK(m.dump_bytes == n);
          CHECK(m.dump_sha256 == Sha256Hex(dump));
          CHECK(m.artifact_bytes == disk.size());
          CHECK(m.artifact_sha256 == Sha256Hex(disk));
          CHECK(m.compression == comp);
          CHECK(m.encryption == (encrypt ? "AES-256-GCM" : "none"));
          if (comp != Compression::kNone && compressible && n > 100000) CHECK(disk.size() < n / 3);
          if (comp == Compression::kNone && !encrypt) CHECK(disk == dump);

          ArtifactMetadata from_disk;
          REQUIRE(ReadMetadataFile(dir.path + "/db.dump.json", &from_disk).ok());
          CHECK(from_disk.artifact_sha256 == m.artifact_sha256);
          CHECK(VerifyArtifact(dir.path + "/db.dump", from_disk).ok());
          const EncryptionKey* k = encrypt ? &key : nullptr;
          CHECK(VerifyArtifactContent(dir.path + "/db.dump", from_disk, k).ok());

          std::unique_ptr<ByteSource> src;
          std::string back;
          REQUIRE(OpenArtifact(dir.path + "/db.dump", k, &src).ok());  // detects the format
          REQUIRE(ReadAll(src.get(), &back, 100000).ok());
          CHECK(back.size() == dump.size());
          CHECK(back == dump);
        }
      }
    }
  }
}

// Writes an artifact of `dump` and returns its directory-relative path.
ArtifactMetadata WriteArtifact(const TempDir& dir, const std::string& dump, const ArtifactOptions& opt) {
  std::unique_ptr<ArtifactWriter> w;
  REQUIRE(ArtifactWriter::Create(dir.path, "a", opt, ArtifactMetadata{}, &w).ok());
  REQUIRE(w->Write(dump).ok());
  REQUIRE(w->Finish().ok());
  return w->metadata();
}

TEST_CASE("Verification catches corrupted and truncated artifacts", "[backup][pipeline]") {
  EncryptionKey key = KeyFromSeed(12);
  std::string dump = SqlData(300000);
  for (Compression comp : {Compression::kNone, Compression::kZstd, Compression::kGzip}) {
    for (bool encrypt : {false, true}) {
      CAPTURE(CompressionName(comp), encrypt);
      TempDir dir;
      ArtifactOptions opt;
      opt.compression = comp;
      if (encrypt) opt.key = key;
      ArtifactMetadata m = WriteArtifact(dir, dump, opt);
      const std::string path = dir.path + "/a";
      const EncryptionKey* k = encrypt ? &key : nullptr;
      std::string good = ReadFile(path);

      SECTION("one flipped byte") {
        std::string bad = good;
        bad[bad.size() / 2] ^= 0x20;
        WriteFile(path, bad);
        Status st = VerifyArtifact(path, m);
        CHECK(st.code() == Code::kCorruption);
        CHECK(st.message() == path + ": sha256 mismatch: metadata records " + m.artifact_sha256 + ", found " +
                                  Sha256Hex(bad));
        if (comp != Compression::kNone || encrypt) CHECK_FALSE(VerifyArtifactContent(path, m, k).ok());
      }
      SECTION("truncated") {
        for (size_t cut : {size_t{0}, size_t{1}, good.size() / 2, good.size() - 1}) {
          CAPTURE(cut);
          WriteFile(path, good.substr(0, cut));
          Status st = VerifyArtifact(path, m);
          CHECK(st.message() == path + ": size mismatch: metadata records " + std::to_string(good.size()) +
                                    " bytes, found " + std::to_string(cut) + " bytes");
          // Even without the sidecar's checksum the stream itself proves truncation.
          std::unique_ptr<ByteSource> src;
          std::string out;
          Status open = OpenArtifact(path, k, &src);
          Status read = open.ok() ? ReadAll(src.get(), &out) : open;
          if (comp == Compression::kNone && !encrypt) {
            CHECK(read.ok());  // raw dumps carry no end marker: only the checksum catches it
          } else {
            CHECK_FALSE(read.ok());
          }
        }
      }
    }
  }
}

TEST_CASE("Truncated compressed streams fail with a clear message", "[backup][pipeline]") {
  std::string dump = SqlData(200000);
  for (Compression comp : {Compression::kZstd, Compression::kGzip}) {
    StringSink sink;
    std::unique_ptr<ByteSink> c;
    REQUIRE(MakeCompressor(comp, DefaultCompressionLevel(comp), &sink, &c).ok());
    REQUIRE(c->Write(dump).ok());
    REQUIRE(c->Finish().ok());
    const std::string& z = sink.data();
    for (size_t cut : {size_t{0}, size_t{5}, z.size() / 2, z.size() - 1}) {
      CAPTURE(CompressionName(comp), cut);
      auto d = MakeDecompressor(comp, std::make_unique<StringSource>(std::string_view(z).substr(0, cut)));
      std::string out;
      Status st = ReadAll(d.get(), &out);
      REQUIRE_FALSE(st.ok());
      CHECK(st.code() == Code::kCorruption);
      if (comp == Compression::kZstd) CHECK(st.message() == "zstd stream truncated (frame not finished)");
      if (comp == Compression::kGzip && cut != 5) CHECK(st.message() == "gzip stream truncated (no trailer)");
    }
    auto d = MakeDecompressor(comp, std::make_unique<StringSource>(z));
    std::string out;
    REQUIRE(ReadAll(d.get(), &out).ok());
    CHECK(out == dump);
  }
}

TEST_CASE("Opening an artifact checks key and format", "[backup][pipeline]") {
  EncryptionKey key = KeyFromSeed(13);
  TempDir dir;
  ArtifactOptions opt;
  opt.key = key;
  ArtifactMetadata m = WriteArtifact(dir, SqlData(1000), opt);
  const std::string path = dir.path + "/a";
  std::unique_ptr<ByteSource> src;

  Status st = OpenArtifact(path, nullptr, &src);
  CHECK(st.code() == Code::kInvalid);
  CHECK(st.message() == path + " is encrypted: a key is required");

  EncryptionKey wrong = KeyFromSeed(14);
  st = OpenArtifact(path, m, &wrong, &src);
  CHECK(st.code() == Code::kUnauthorized);
  CHECK(st.message() == "wrong key: " + path + " was encrypted with key id " + key.IdHex() +
                            ", the given key has id " + wrong.IdHex());
  st = OpenArtifact(path, &wrong, &src);  // without metadata the header says so
  CHECK(st.code() == Code::kUnauthorized);

  ArtifactMetadata claims_plain = m;
  claims_plain.encryption = kEncryptionNone;
  st = OpenArtifact(path, claims_plain, nullptr, &src);
  CHECK(st.message() == path + ": metadata says unencrypted but the file is DWENC1");

  TempDir plain_dir;
  WriteArtifact(plain_dir, "x", ArtifactOptions{});
  st = OpenArtifact(plain_dir.path + "/a", &key, &src);
  CHECK(st.message() == plain_dir.path + "/a is not encrypted but a key was given");

  st = OpenArtifact(dir.path + "/missing", &key, &src);
  CHECK(st.code() == Code::kNotFound);
}

TEST_CASE("Writer validates its options and abandons cleanly", "[backup][pipeline]") {
  TempDir dir;
  ArtifactOptions opt;
  opt.compression = Compression::kGzip;
  opt.compression_level = 12;
  std::unique_ptr<ArtifactWriter> w;
  Status st = ArtifactWriter::Create(dir.path, "a", opt, ArtifactMetadata{}, &w);
  CHECK(st.code() == Code::kInvalid);
  CHECK(st.message() == "gzip level 12 out of range 1..9");
  CHECK(dir.List().empty());

  opt.compression_level.reset();
  REQUIRE(ArtifactWriter::Create(dir.path, "a", opt, ArtifactMetadata{}, &w).ok());
  REQUIRE(w->Write(SqlData(500000)).ok());
  CHECK(dir.List().size() == 1);  // only the temp file
  CHECK(dir.List().begin()->rfind(".a.tmp-", 0) == 0);
  w.reset();  // the dump source died: abandon
  CHECK(dir.List().empty());

  Compression c;
  CHECK(ParseCompression("zstd", &c).ok());
  CHECK(c == Compression::kZstd);
  st = ParseCompression("lz4", &c);
  CHECK(st.message() == "unsupported compression \"lz4\": supported values are zstd, gzip, none");
}

TEST_CASE("Writer refuses to replace an existing artifact", "[backup][pipeline]") {
  TempDir dir;
  WriteFile(dir.path + "/a", "older backup");
  std::unique_ptr<ArtifactWriter> w;
  REQUIRE(ArtifactWriter::Create(dir.path, "a", ArtifactOptions{}, ArtifactMetadata{}, &w).ok());
  REQUIRE(w->Write("new").ok());
  Status st = w->Finish();
  CHECK(st.code() == Code::kAlreadyExists);
  CHECK(st.message() == dir.path + "/a already exists");
  CHECK(ReadFile(dir.path + "/a") == "older backup");
  CHECK(dir.List() == std::set<std::string>{"a"});
}

}  // namespace
}  // namespace dw::backup
