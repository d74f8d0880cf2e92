// `dockward backup verify` and `dockward backup decrypt`: artifact files on
// this machine, no server. Both stream: neither ever holds a whole dump.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "operator/cli/backup.h"
#include "operator/cli/backup_format.h"
#include "operator/common/strings.h"
#include "reconcilers/backup/artifact_reader.h"
#include "reconcilers/backup/atomic_file_sink.h"

namespace dw::cli {

namespace {

// A key file is 32 raw bytes or ~44 bytes of base64; anything much larger is
// the wrong file, and reading it whole would be pointless.
constexpr size_t kMaxKeyFileBytes = 4096;

Status LoadKey(const std::string& path, backup::EncryptionKey* key) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("error: cannot open key file " + path + ": " + std::strerror(errno));
  std::string material(kMaxKeyFileBytes + 1, '\0');
  size_t len = 0;
  Status st;
  while (len < material.size()) {
    ssize_t n = ::read(fd, material.data() + len, material.size() - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) st = Status::IOError("error: cannot read key file " + path + ": " + std::strerror(errno));
    if (n <= 0) break;
    len += static_cast<size_t>(n);
  }
  ::close(fd);
  if (st.ok() && len > kMaxKeyFileBytes)
    st = Status::Invalid("error: key file " + path + " is too large to be a key (want 32 raw bytes or their base64)");
  if (st.ok()) {
    st = backup::EncryptionKey::Parse(std::string_view(material.data(), len), key);
    if (!st.ok()) st = Status::Invalid("error: key file " + path + ": " + st.message());
  }
  // The material is secret: do not leave it in freed memory.
  std::fill(material.begin(), material.end(), '\0');
  return st;
}

// The key from --key-file, or none. *have says which.
Status OptionalKey(const std::string& key_file, backup::EncryptionKey* key, bool* have) {
  *have = !key_file.empty();
  return *have ? LoadKey(key_file, key) : Status::OK();
}

std::string Join(const std::vector<std::string>& v) { return v.empty() ? "(all)" : dw::Join(v, ","); }

void SplitPath(const std::string& path, std::string* dir, std::string* name) {
  auto slash = path.rfind('/');
  *dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  *name = slash == std::string::npos ? path : path.substr(slash + 1);
}

// Adapts an ostream (stdout) to the pipeline's sink interface.
class OstreamSink final : public backup::ByteSink {
 public:
  explicit OstreamSink(std::ostream& out) : out_(out) {}
  Status Write(std::string_view data) override {
    out_.write(data.data(), static_cast<std::streamsize>(data.size()));
    return out_ ? Status::OK() : Status::IOError("error: writing the dump to stdout failed");
  }
  Status Finish() override {
    out_.flush();
    return out_ ? Status::OK() : Status::IOError("error: writing the dump to stdout failed");
  }

 private:
  std::ostream& out_;
};

Status OpenForDecrypt(const BackupDecryptOptions& o, const backup::EncryptionKey* key,
                      std::unique_ptr<backup::ByteSource>* src) {
  backup::ArtifactMetadata md;
  Status st = backup::ReadMetadataFile(backup::MetadataFileName(o.artifact), &md);
  // Without a sidecar the artifact still says how it is stored (magics).
  if (st.IsNotFound()) return backup::OpenArtifact(o.artifact, key, src);
  if (!st.ok()) return st;
  return backup::OpenArtifact(o.artifact, md, key, src);
}

}  // namespace

Status RunBackupVerify(const BackupVerifyOptions& o, std::ostream& out) {
  backup::ArtifactMetadata md;
  Status st = backup::ReadMetadataFile(backup::MetadataFileName(o.artifact), &md);
  if (!st.ok()) return Status(st.code(), "error: " + st.message());
  backup::EncryptionKey key;
  bool have_key;
  DW_RETURN_IF_ERROR(OptionalKey(o.key_file, &key, &have_key));
  st = backup::VerifyArtifact(o.artifact, md);
  if (!st.ok()) return Status(st.code(), "error: verification of " + o.artifact + " failed: " + st.message());
  bool encrypted = md.encryption != backup::kEncryptionNone;
  bool content = have_key || !encrypted;
  if (content) {
    st = backup::VerifyArtifactContent(o.artifact, md, have_key ? &key : nullptr);
    if (!st.ok())
      return Status(st.code(), "error: content verification of " + o.artifact + " failed: " + st.message());
  }
  out << "OK " << o.artifact << "\n"
      << "  engine:     " << md.engine << " (" << Join(md.databases) << ") from " << md.host << "/"
      << md.container << "\n"
      << "  artifact:   " << HumanBytes(md.artifact_bytes) << " (" << md.artifact_bytes
      << " bytes), sha256 " << md.artifact_sha256 << "\n"
      << "  dump:       " << HumanBytes(md.dump_bytes) << " (" << md.dump_bytes << " bytes)"
      << (md.dump_sha256.empty() ? "" : ", sha256 " + md.dump_sha256) << "\n"
      << "  stored as:  " << backup::CompressionName(md.compression) << ", " << md.encryption
      << (md.key_id.empty() ? "" : " (key id " + md.key_id + ")") << "\n"
      << "  content:    "
      << (content ? "verified (decrypted, decompressed, size and checksum match)"
                  : "not checked: the artifact is encrypted and no --key-file was given")
      << "\n";
  return Status::OK();
}

Status RunBackupDecrypt(const BackupDecryptOptions& o, std::ostream& out) {
  backup::EncryptionKey key;
  bool have_key;
  DW_RETURN_IF_ERROR(OptionalKey(o.key_file, &key, &have_key));
  std::unique_ptr<backup::ByteSink> sink;
  backup::AtomicFileSink* file = nullptr;
  if (o.ToStdout()) {
    sink = std::make_unique<OstreamSink>(out);
  } else {
    struct stat sb;
    if (::lstat(o.output.c_str(), &sb) == 0)
      return Status::AlreadyExists("error: " + o.output + " already exists; refusing to overwrite it");
    std::string dir, name;
    SplitPath(o.output, &dir, &name);
    std::unique_ptr<backup::AtomicFileSink> f;
    Status st = backup::AtomicFileSink::Create(dir, name, &f);
    if (!st.ok()) return Status(st.code(), "error: " + st.message());
    file = f.get();
    sink = std::move(f);
  }
  std::unique_ptr<backup::ByteSource> src;
  Status st = OpenForDecrypt(o, have_key ? &key : nullptr, &src);
  if (st.ok()) st = backup::Pump(src.get(), sink.get());
  if (st.ok()) st = sink->Finish();
  if (!st.ok()) {
    // The file sink removes its temp file when destroyed unfinished, so a
    // failed decrypt never leaves a truncated dump under OUT.
    if (file) file->Abort();
    return Status(st.code(), st.message().rfind("error: ", 0) == 0 ? st.message() : "error: " + st.message());
  }
  return Status::OK();
}

}  // namespace dw::cli
