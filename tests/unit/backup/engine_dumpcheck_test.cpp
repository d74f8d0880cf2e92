#include <catch2/catch.hpp>

#include <functional>

#include "reconcilers/backup/dump_check.h"

using dw::backup::Crc64Jones;
using dw::backup::DumpCheck;
using dw::backup::NewMySqlDumpCheck;
using dw::backup::NewPostgresDumpCheck;
using dw::backup::NewRedisRdbCheck;
using dw::backup::NewSqliteDumpCheck;
using Factory = std::function<std::unique_ptr<DumpCheck>()>;

namespace {

std::string Rows(const std::string& prefix, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += prefix + std::to_string(i) + ", 'row " + std::to_string(i) + "');\n";
  return out;
}

std::string PgDump(bool with_unrestrict) {
  std::string d = "--\n-- PostgreSQL database dump\n--\n\n";
  if (with_unrestrict) d += "\\restrict Ab12Cd34\n\n";
  d += "SET statement_timeout = 0;\nCREATE TABLE public.t (id integer, v text);\n";
  d += "COPY public.t (id, v) FROM stdin;\n1\tone\n2\ttwo\n\\.\n\n";
  d += "--\n-- PostgreSQL database dump complete\n--\n\n";
  if (with_unrestrict) d += "\\unrestrict Ab12Cd34\n\n";
  return d;
}

std::string PgClusterDump() {
  return "--\n-- PostgreSQL database cluster dump\n--\n\n\\restrict K1\n\nCREATE ROLE app;\n\n"
         "\\unrestrict K1\n\n--\n-- Databases\n--\n\n\\connect shop\n\n"
         "--\n-- PostgreSQL database dump\n--\n\nCREATE TABLE t (id int);\n\n"
         "--\n-- PostgreSQL database dump complete\n--\n\n"
         "--\n-- PostgreSQL database cluster dump complete\n--\n\n";
}

std::string MySqlDump(const std::string& last_line) {
  return "-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n--\n-- Host: localhost\n\n"
         "CREATE DATABASE IF NOT EXISTS `shop`;\nUSE `shop`;\n" +
         Rows("INSERT INTO `t` VALUES (", 40) + "UNLOCK TABLES;\n\n" + last_line + "\n";
}

std::string SqliteDump() {
  return "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t(id INTEGER, v TEXT);\n" +
         Rows("INSERT INTO t VALUES(", 40) + "COMMIT;\n";
}

// Independent reference: bit-at-a-time CRC-64/Jones, reflected, straight
// from the polynomial, no table.
uint64_t BitwiseCrc64Jones(const std::string& data) {
  const uint64_t poly = 0xad93d23594c935a9ULL;
  uint64_t reflected = 0;
  for (int i = 0; i < 64; ++i) {
    if (poly & (1ULL << i)) reflected |= 1ULL << (63 - i);
  }
  uint64_t crc = 0;
  for (unsigned char byte : data) {
    for (int bit = 0; bit < 8; ++bit) {
      bool mix = ((crc ^ (byte >> bit)) & 1) != 0;
      crc >>= 1;
      if (mix) crc ^= reflected;
    }
  }
  return crc;
}

std::string Le64(uint64_t v) {
  std::string out;
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

// A small RDB v11: aux fields, SELECTDB 0, RESIZEDB, two string keys, EOF.
std::string RdbBody() {
  std::string b = "REDIS0011";
  auto str = [](const std::string& s) { return std::string(1, static_cast<char>(s.size())) + s; };
  b += '\xfa' + str("redis-ver") + str("7.2.4");
  b += '\xfa' + str("redis-bits") + std::string("\xc0\x40", 2);
  b += std::string("\xfe\x00", 2) + std::string("\xfb\x02\x00", 3);
  b += std::string(1, '\x00') + str("greeting") + str("hello world");
  b += std::string(1, '\x00') + str("counter") + str("42");
  b += '\xff';
  return b;
}

std::string Rdb() {
  std::string body = RdbBody();
  return body + Le64(BitwiseCrc64Jones(body));
}

dw::Status FeedChunked(DumpCheck* check, const std::string& data, size_t chunk) {
  for (size_t i = 0; i < data.size(); i += chunk) check->Update(std::string_view(data).substr(i, chunk));
  return check->Finish();
}

void ExpectCompleteAndEveryTruncationFails(const Factory& make, const std::string& dump,
                                           const std::string& engine) {
  for (size_t chunk : {size_t{1}, size_t{3}, size_t{7}, size_t{8}, size_t{9}, size_t{64}, dump.size()}) {
    auto check = make();
    auto st = FeedChunked(check.get(), dump, chunk);
    INFO("chunk " << chunk << ": " << st.ToString());
    CHECK(st.ok());
  }
  size_t passed = 0;
  for (size_t cut = 0; cut < dump.size(); ++cut) {
    auto check = make();
    auto st = FeedChunked(check.get(), dump.substr(0, cut), 5);
    if (st.ok()) {
      ++passed;
      FAIL_CHECK(engine << " dump truncated to " << cut << " of " << dump.size() << " bytes passed");
    } else {
      CHECK(st.message().rfind(engine + " dump is incomplete: ", 0) == 0);
    }
  }
  CHECK(passed == 0);
}

}  // namespace

TEST_CASE("postgres dump: complete passes, every truncation fails", "[dumpcheck]") {
  auto make = [] { return NewPostgresDumpCheck(false); };
  ExpectCompleteAndEveryTruncationFails(make, PgDump(false), "postgres");
  ExpectCompleteAndEveryTruncationFails(make, PgDump(true), "postgres");
}

TEST_CASE("pg_dumpall: inner database trailer is not enough", "[dumpcheck]") {
  auto make = [] { return NewPostgresDumpCheck(true); };
  ExpectCompleteAndEveryTruncationFails(make, PgClusterDump(), "postgres");
  auto check = make();
  check->Update(PgClusterDump());
  CHECK(check->Finish().ok());
  auto single = NewPostgresDumpCheck(false);
  single->Update(PgClusterDump());
  auto st = single->Finish();
  CHECK_FALSE(st.ok());
  CHECK(st.message().find("header") != std::string::npos);
}

TEST_CASE("postgres check rejects a bad unrestrict key and trailing junk", "[dumpcheck]") {
  for (std::string tail : {"\\unrestrict \n\n", "\\unrestrict a-b\n\n", "SELECT 1;\n"}) {
    auto check = NewPostgresDumpCheck(false);
    check->Update(PgDump(false) + tail);
    CHECK_FALSE(check->Finish().ok());
  }
}

TEST_CASE("mysqldump: both trailer forms pass, truncations fail", "[dumpcheck]") {
  ExpectCompleteAndEveryTruncationFails([] { return NewMySqlDumpCheck("mysql"); },
                                        MySqlDump("-- Dump completed on 2024-01-31  9:05:07"), "mysql");
  ExpectCompleteAndEveryTruncationFails([] { return NewMySqlDumpCheck("mariadb"); },
                                        MySqlDump("-- Dump completed on 2024-12-31 23:59:59"), "mariadb");
  ExpectCompleteAndEveryTruncationFails([] { return NewMySqlDumpCheck("mysql"); },
                                        MySqlDump("-- Dump completed"), "mysql");
  for (std::string bad : {"-- Dump completed on yesterday", "-- Dump completed on 2024-01-31 09:05",
                          "-- Dump completedX"}) {
    auto check = NewMySqlDumpCheck("mysql");
    check->Update(MySqlDump(bad));
    CHECK_FALSE(check->Finish().ok());
  }
}

TEST_CASE("sqlite dump: complete passes, truncations and ROLLBACK fail", "[dumpcheck]") {
  ExpectCompleteAndEveryTruncationFails(NewSqliteDumpCheck, SqliteDump(), "sqlite");
  ExpectCompleteAndEveryTruncationFails(
      NewSqliteDumpCheck, "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCOMMIT;\n", "sqlite");
  auto check = NewSqliteDumpCheck();
  check->Update("PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t(x);\nROLLBACK; -- due to errors\n");
  auto st = check->Finish();
  CHECK(st.message().find("ROLLBACK") != std::string::npos);
  auto headless = NewSqliteDumpCheck();
  headless->Update("CREATE TABLE t(x);\nCOMMIT;\n");
  CHECK_FALSE(headless->Finish().ok());
}

TEST_CASE("CRC-64/Jones matches the check value and the bitwise reference", "[dumpcheck][crc]") {
  CHECK(Crc64Jones(0, "123456789") == 0xe9c6d914c4b8d9caULL);
  CHECK(BitwiseCrc64Jones("123456789") == 0xe9c6d914c4b8d9caULL);
  std::string body = RdbBody();
  CHECK(Crc64Jones(0, body) == BitwiseCrc64Jones(body));
  CHECK(Crc64Jones(Crc64Jones(0, body.substr(0, 10)), body.substr(10)) == BitwiseCrc64Jones(body));
}

TEST_CASE("redis RDB: complete passes, every truncation fails", "[dumpcheck][redis]") {
  ExpectCompleteAndEveryTruncationFails(NewRedisRdbCheck, Rdb(), "redis");
}

TEST_CASE("redis RDB: any flipped byte fails the CRC", "[dumpcheck][redis]") {
  const std::string good = Rdb();
  for (size_t i = 9; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    auto check = NewRedisRdbCheck();
    check->Update(bad);
    auto st = check->Finish();
    INFO("flipped byte " << i);
    CHECK_FALSE(st.ok());
  }
  auto check = NewRedisRdbCheck();
  std::string flipped = good;
  flipped[12] ^= 0x01;
  check->Update(flipped);
  CHECK(check->Finish().message().find("CRC-64 does not match") != std::string::npos);
}

TEST_CASE("redis RDB: disabled checksum and pre-v5 files", "[dumpcheck][redis]") {
  auto zero = NewRedisRdbCheck();
  zero->Update(RdbBody() + Le64(0));
  CHECK(zero->Finish().ok());

  std::string v4 = "REDIS0004" + std::string("\xfe\x00\x00\x01k\x01v\xff", 8);
  ExpectCompleteAndEveryTruncationFails(NewRedisRdbCheck, v4, "redis");

  for (std::string bad : {std::string("REDIS"), std::string("RADIS0011\xff") + Le64(0),
                          std::string("REDIS00a1\xff") + Le64(0)}) {
    auto check = NewRedisRdbCheck();
    check->Update(bad);
    auto st = check->Finish();
    CHECK(st.message().find("\"REDIS\"") != std::string::npos);
  }
}

TEST_CASE("large dumps stream with a bounded tail", "[dumpcheck]") {
  std::string big = SqliteDump();
  std::string body = Rows("INSERT INTO t VALUES(", 20000);  // ~600 KB
  big.insert(big.size() - 8, body);
  CHECK(FeedChunked(NewSqliteDumpCheck().get(), big, 4096).ok());
  CHECK(FeedChunked(NewSqliteDumpCheck().get(), big, 10000).ok());
  CHECK_FALSE(FeedChunked(NewSqliteDumpCheck().get(), big.substr(0, big.size() / 2), 4096).ok());
}

TEST_CASE("DumpCheckSink never finishes the next stage of a cut-off dump", "[dumpcheck]") {
  auto check = NewSqliteDumpCheck();
  dw::backup::StringSink out;
  dw::backup::DumpCheckSink sink(check.get(), &out);
  std::string dump = SqliteDump();
  REQUIRE(sink.Write(std::string_view(dump).substr(0, 100)).ok());
  auto st = sink.Finish();
  CHECK_FALSE(st.ok());
  CHECK_FALSE(out.finished());
  CHECK(out.data() == dump.substr(0, 100));

  auto check2 = NewSqliteDumpCheck();
  dw::backup::StringSink out2;
  dw::backup::DumpCheckSink sink2(check2.get(), &out2);
  REQUIRE(sink2.Write(dump).ok());
  REQUIRE(sink2.Finish().ok());
  CHECK(out2.finished());
  CHECK(out2.data() == dump);
}
