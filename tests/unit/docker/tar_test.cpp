#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "operator/docker/tar.h"

using dw::Code;
using dw::Status;
using dw::docker::DataReader;
using dw::docker::MakeTarHeader;
using dw::docker::OneFileTarSize;
using dw::docker::OneFileTarStream;
using dw::docker::TarHeader;
using dw::docker::TarPadding;

namespace {

std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

// Python 3 tarfile, USTAR_FORMAT: TarInfo("dump.rdb"), size 1234, mode 0644,
// mtime 1700000000, uid/gid 0, empty uname/gname: the non-zero prefix of the
// header (bytes 157.. are checked separately: magic, version, zeros).
const char* kGoldenHex =
    "64756d702e726462"  // "dump.rdb"
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000"  // name padding
    "3030303036343400"  // mode "0000644\0"
    "3030303030303000"  // uid
    "3030303030303000"  // gid
    "303030303030303233323200"  // size "00000002322\0" (1234)
    "313435323437373034303000"  // mtime "14524770400\0"
    "3030373434340020"  // checksum "007444\0 "
    "30";  // typeflag '0'

std::string Drain(OneFileTarStream& s, size_t cap, Status* st) {
  std::string out;
  std::string buf(cap, '\0');
  while (true) {
    size_t n = 0;
    *st = s.Read(buf.data(), buf.size(), &n);
    if (!st->ok() || n == 0) return out;
    out.append(buf.data(), n);
  }
}

DataReader FromString(const std::string& data, size_t max_chunk = 7) {
  auto pos = std::make_shared<size_t>(0);
  return [&data, pos, max_chunk](char* buf, size_t cap, size_t* n) {
    *n = std::min({cap, max_chunk, data.size() - *pos});
    std::memcpy(buf, data.data() + *pos, *n);
    *pos += *n;
    return Status::OK();
  };
}

}  // namespace

TEST_CASE("tar header matches Python's tarfile byte for byte", "[tar]") {
  TarHeader h;
  REQUIRE(MakeTarHeader("dump.rdb", 1234, 0644, 1700000000, &h).ok());
  std::string golden = FromHex(kGoldenHex);
  REQUIRE(golden.size() == 157);
  CHECK(std::string(h.data(), 157) == golden);
  CHECK(std::string(&h[257], 8) == std::string("ustar\0" "00", 8));
  CHECK(std::string(&h[157], 100) == std::string(100, '\0'));  // linkname
  CHECK(std::string(&h[265], 512 - 265) == std::string(512 - 265, '\0'));
}

TEST_CASE("tar header checksum is the byte sum with the field as spaces", "[tar]") {
  TarHeader h;
  REQUIRE(MakeTarHeader("a", 0, 0600, 0, &h).ok());
  TarHeader copy = h;
  std::memset(&copy[148], ' ', 8);
  unsigned sum = 0;
  for (char c : copy) sum += static_cast<unsigned char>(c);
  CHECK(std::stoul(std::string(&h[148], 6), nullptr, 8) == sum);
  CHECK(h[154] == '\0');
  CHECK(h[155] == ' ');
}

TEST_CASE("tar sizes of 8 GiB and more use base-256", "[tar]") {
  TarHeader h;
  REQUIRE(MakeTarHeader("big", 8ull << 30, 0600, 0, &h).ok());  // 8 GiB: 12 octal digits
  CHECK(std::string(&h[124], 12) == FromHex("800000000000000200000000"));
  REQUIRE(MakeTarHeader("big", (8ull << 30) - 1, 0600, 0, &h).ok());
  CHECK(std::string(&h[124], 12) == std::string("77777777777\0", 12));
}

TEST_CASE("tar header rejects names that are not plain file names", "[tar]") {
  TarHeader h;
  const std::vector<std::string> bads = {"", ".", "..", "a/b", "/abs", std::string(101, 'x'),
                                         std::string("nul\0x", 5)};
  for (const std::string& bad : bads) {
    CAPTURE(bad);
    CHECK(MakeTarHeader(bad, 1, 0644, 0, &h).code() == Code::kBadRequest);
  }
  CHECK(MakeTarHeader(std::string(100, 'x'), 1, 0644, 0, &h).ok());
  CHECK(MakeTarHeader("f", 1, 010000, 0, &h).code() == Code::kBadRequest);
  CHECK(MakeTarHeader("f", 1, 0644, -1, &h).code() == Code::kBadRequest);
}

TEST_CASE("tar padding and total size", "[tar]") {
  CHECK(TarPadding(0) == 0);
  CHECK(TarPadding(1) == 511);
  CHECK(TarPadding(512) == 0);
  CHECK(TarPadding(513) == 511);
  CHECK(OneFileTarSize(0) == 1536);
  CHECK(OneFileTarSize(1234) == 512 + 1234 + 302 + 1024);
}

TEST_CASE("tar stream yields header, data, padding and end blocks", "[tar]") {
  const std::string data = "REDIS0011 some payload bytes";
  TarHeader h;
  REQUIRE(MakeTarHeader("dump.rdb", data.size(), 0644, 1, &h).ok());
  for (size_t cap : {1, 5, 512, 4096}) {
    CAPTURE(cap);
    OneFileTarStream s(h, data.size(), FromString(data));
    Status st;
    std::string out = Drain(s, cap, &st);
    REQUIRE(st.ok());
    REQUIRE(out.size() == OneFileTarSize(data.size()));
    CHECK(out.compare(0, 512, h.data(), 512) == 0);
    CHECK(out.substr(512, data.size()) == data);
    CHECK(out.substr(512 + data.size()) == std::string(out.size() - 512 - data.size(), '\0'));
  }
}

TEST_CASE("tar stream of an empty file", "[tar]") {
  const std::string data;
  TarHeader h;
  REQUIRE(MakeTarHeader("empty", 0, 0644, 1, &h).ok());
  OneFileTarStream s(h, 0, FromString(data));
  Status st;
  std::string out = Drain(s, 100, &st);
  REQUIRE(st.ok());
  CHECK(out.size() == 1536);
}

TEST_CASE("tar stream fails when the data is shorter or longer than declared", "[tar]") {
  const std::string data(1000, 'd');
  TarHeader h;
  REQUIRE(MakeTarHeader("f", 1001, 0644, 1, &h).ok());
  OneFileTarStream shorter(h, 1001, FromString(data));
  Status st;
  std::string out = Drain(shorter, 4096, &st);
  CHECK(st.code() == Code::kCorruption);
  CHECK(st.message().find("1000 of 1001") != std::string::npos);
  CHECK(out.size() < OneFileTarSize(1001));

  REQUIRE(MakeTarHeader("f", 999, 0644, 1, &h).ok());
  OneFileTarStream longer(h, 999, FromString(data));
  out = Drain(longer, 4096, &st);
  CHECK(st.code() == Code::kCorruption);
  CHECK(st.message().find("longer than the declared 999") != std::string::npos);
  CHECK(out.size() < OneFileTarSize(999));
}

TEST_CASE("tar stream passes the data source's error through", "[tar]") {
  TarHeader h;
  REQUIRE(MakeTarHeader("f", 10, 0644, 1, &h).ok());
  OneFileTarStream s(h, 10, [](char*, size_t, size_t* n) {
    *n = 0;
    return Status::IOError("disk on fire");
  });
  Status st;
  Drain(s, 4096, &st);
  CHECK(st.code() == Code::kIOError);
  CHECK(st.message() == "disk on fire");
}
