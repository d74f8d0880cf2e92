#include <catch2/catch.hpp>

#include <string>

#include "operator/docker/demux.h"

using dw::docker::StreamDemuxer;

namespace {

std::string Frame(int stream, const std::string& payload) {
  std::string f(8, '\0');
  f[0] = static_cast<char>(stream);
  uint32_t n = static_cast<uint32_t>(payload.size());
  f[4] = static_cast<char>(n >> 24);
  f[5] = static_cast<char>(n >> 16);
  f[6] = static_cast<char>(n >> 8);
  f[7] = static_cast<char>(n);
  return f + payload;
}

struct Collected {
  std::string out, err;
  int out_calls = 0;
  StreamDemuxer Make() {
    return StreamDemuxer(
        [this](std::string_view d) { out.append(d); ++out_calls; return true; },
        [this](std::string_view d) { err.append(d); return true; });
  }
};

}  // namespace

TEST_CASE("demux separates stdout and stderr frames") {
  std::string wire = Frame(1, "hello ") + Frame(2, "oops\n") + Frame(1, "world\n") + Frame(0, "in");
  Collected c;
  auto d = c.Make();
  REQUIRE(d.Feed(wire).ok());
  CHECK(c.out == "hello world\nin");
  CHECK(c.err == "oops\n");
  CHECK(d.AtFrameBoundary());
}

TEST_CASE("demux gives the same result for input split at every byte boundary") {
  std::string wire = Frame(1, "abc") + Frame(2, "") + Frame(2, "DEF") + Frame(1, "g");
  for (size_t i = 0; i <= wire.size(); ++i) {
    for (size_t j = i; j <= wire.size(); ++j) {
      Collected c;
      auto d = c.Make();
      REQUIRE(d.Feed(std::string_view(wire).substr(0, i)).ok());
      REQUIRE(d.Feed(std::string_view(wire).substr(i, j - i)).ok());
      REQUIRE(d.Feed(std::string_view(wire).substr(j)).ok());
      INFO("split at " << i << " and " << j);
      CHECK(c.out == "abcg");
      CHECK(c.err == "DEF");
      CHECK(d.AtFrameBoundary());
    }
  }
}

TEST_CASE("demux byte-at-a-time input") {
  std::string wire = Frame(2, "e1") + Frame(1, "o1o2");
  Collected c;
  auto d = c.Make();
  for (char ch : wire) REQUIRE(d.Feed(std::string_view(&ch, 1)).ok());
  CHECK(c.out == "o1o2");
  CHECK(c.err == "e1");
}

TEST_CASE("demux streams a large frame in pieces without waiting for its end") {
  std::string payload(5 << 20, 'x');
  payload[0] = 'a';
  payload.back() = 'z';
  std::string wire = Frame(1, payload);
  Collected c;
  auto d = c.Make();
  REQUIRE(d.Feed(std::string_view(wire).substr(0, 8 + 1000)).ok());
  CHECK(c.out.size() == 1000);  // delivered before the frame is complete
  CHECK_FALSE(d.AtFrameBoundary());
  const size_t piece = 65536;
  for (size_t off = 8 + 1000; off < wire.size(); off += piece)
    REQUIRE(d.Feed(std::string_view(wire).substr(off, piece)).ok());
  CHECK(c.out == payload);
  CHECK(c.out_calls > 10);
  CHECK(d.AtFrameBoundary());
}

TEST_CASE("demux size header is big-endian and uses all four bytes") {
  std::string payload(0x010203, 'q');  // 66051 bytes: needs three size bytes
  Collected c;
  auto d = c.Make();
  REQUIRE(d.Feed(Frame(2, payload) + Frame(1, "after")).ok());
  CHECK(c.err.size() == 0x010203);
  CHECK(c.out == "after");
}

TEST_CASE("demux rejects unknown stream types and stays failed") {
  Collected c;
  auto d = c.Make();
  std::string wire = Frame(1, "ok") + Frame(3, "bad") + Frame(1, "never");
  auto st = d.Feed(wire);
  CHECK(st.code() == dw::Code::kInternal);
  CHECK(st.message().find("unknown stream type 3") != std::string::npos);
  CHECK(c.out == "ok");
  CHECK_FALSE(d.Feed(Frame(1, "x")).ok());
  CHECK(c.out == "ok");
}

TEST_CASE("demux header cut off is detected, stop from a sink is honoured") {
  Collected c;
  auto d = c.Make();
  REQUIRE(d.Feed(Frame(1, "abc").substr(0, 5)).ok());
  CHECK_FALSE(d.AtFrameBoundary());

  std::string seen;
  StreamDemuxer stop([&](std::string_view s) { seen.append(s); return false; }, nullptr);
  REQUIRE(stop.Feed(Frame(1, "first") + Frame(1, "second")).ok());
  CHECK(seen == "first");
  CHECK(stop.stopped());
}
