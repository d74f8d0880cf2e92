#include <catch2/catch.hpp>

#include "reconcilers/backup/byte_stream.h"
#include "reconcilers/backup/runner_redis_mark.h"

using dw::backup::RedisEofMarkFilter;
using dw::backup::StringSink;

namespace {

const std::string kMark = "3d3039887c3b05b022b05a90e2f074aee98351f1";

// An RDB-shaped stream: header, body, 0xFF, 8 CRC bytes.
std::string Rdb(size_t body) {
  return "REDIS0011" + std::string(body, 'k') + std::string("\xff") + std::string("CRC64abc");
}

std::string Filter(const std::string& input, size_t chunk) {
  StringSink out;
  RedisEofMarkFilter f(&out);
  for (size_t i = 0; i < input.size(); i += chunk)
    REQUIRE(f.Write(std::string_view(input).substr(i, chunk)).ok());
  REQUIRE(f.Finish().ok());
  CHECK(out.finished());
  return out.data();
}

}  // namespace

TEST_CASE("redis EOF mark after the RDB trailer is dropped, in any chunking", "[runner][redis]") {
  for (size_t body : {0, 5, 100, 5000}) {
    for (size_t chunk : {1, 3, 9, 40, 41, 4096}) {
      CAPTURE(body, chunk);
      CHECK(Filter(Rdb(body) + kMark, chunk) == Rdb(body));
    }
  }
}

TEST_CASE("redis streams without a mark pass through unchanged", "[runner][redis]") {
  for (size_t chunk : {1, 7, 40, 4096}) {
    CAPTURE(chunk);
    CHECK(Filter(Rdb(100), chunk) == Rdb(100));               // no mark
    CHECK(Filter("short", chunk) == "short");                  // under 40 bytes
    CHECK(Filter("", chunk).empty());
    // 40 hex digits that do not follow an RDB end are data, not a mark.
    std::string not_after_end = "REDIS0011" + std::string(50, 'x') + kMark;
    CHECK(Filter(not_after_end, chunk) == not_after_end);
    // Not hex: kept.
    std::string upper = Rdb(10) + std::string(40, 'Z');
    CHECK(Filter(upper, chunk) == upper);
  }
}
