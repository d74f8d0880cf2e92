#include <catch2/catch.hpp>

#include "operator/cli/table.h"
#include "operator/common/clock.h"

using dw::cli::TableOptions;
using dw::cli::TablePrinter;

namespace {

dw::json::Document Table() {
  dw::json::Document d;
  REQUIRE(dw::json::Parse(R"({
    "kind":"Table","apiVersion":"meta.k8s.io/v1",
    "columnDefinitions":[
      {"name":"Name","type":"string","priority":0},
      {"name":"Schedule","type":"string","priority":0},
      {"name":"Last Backup","type":"string","priority":1},
      {"name":"Age","type":"date","priority":0}],
    "rows":[
      {"cells":["nightly","0 3 * * *","2026-11-23T03:00:00Z","5m"],
       "object":{"metadata":{"name":"nightly","namespace":"prod","labels":{"tier":"db","app":"pg"}}}},
      {"cells":["a",null,null,"45s"],
       "object":{"metadata":{"name":"a","namespace":"default"}}}]})",
                          &d).ok());
  return d;
}

}  // namespace

TEST_CASE("table: default columns, padding of three, no trailing spaces", "[cli][table]") {
  TablePrinter p(TableOptions{});
  auto t = Table();
  p.Add(t);
  CHECK(p.Render() ==
        "NAME      SCHEDULE    AGE\n"
        "nightly   0 3 * * *   5m\n"
        "a                     45s\n");
}

TEST_CASE("table: wide shows priority columns", "[cli][table]") {
  TableOptions o;
  o.wide = true;
  TablePrinter p(o);
  auto t = Table();
  p.Add(t);
  CHECK(p.Render() ==
        "NAME      SCHEDULE    LAST BACKUP            AGE\n"
        "nightly   0 3 * * *   2026-11-23T03:00:00Z   5m\n"
        "a                                            45s\n");
}

TEST_CASE("table: namespace column first, labels last, no headers", "[cli][table]") {
  TableOptions o;
  o.with_namespace = true;
  o.show_labels = true;
  TablePrinter p(o);
  auto t = Table();
  p.Add(t);
  CHECK(p.Render() ==
        "NAMESPACE   NAME      SCHEDULE    AGE   LABELS\n"
        "prod        nightly   0 3 * * *   5m    app=pg,tier=db\n"
        "default     a                     45s   <none>\n");
  TableOptions n;
  n.no_headers = true;
  TablePrinter q(n);
  q.Add(t);
  CHECK(q.Render() == "nightly   0 3 * * *   5m\na                     45s\n");
}

TEST_CASE("table: name prefix for several kinds and incremental rendering", "[cli][table]") {
  TableOptions o;
  o.name_prefix = "backuppolicy.dockward.io/";
  TablePrinter p(o);
  auto t = Table();
  p.Add(t);
  std::string first = p.RenderNew();
  CHECK(first.rfind("NAME                               SCHEDULE    AGE\n", 0) == 0);
  CHECK(p.RenderNew().empty());  // nothing new
  p.Add(t);                      // watch rows arrive later, header not repeated
  std::string more = p.RenderNew();
  CHECK(more.find("NAME") == std::string::npos);
  CHECK(more.rfind("backuppolicy.dockward.io/nightly   0 3 * * *   5m\n", 0) == 0);
}

TEST_CASE("table: empty table prints only the header, empty watch prints nothing", "[cli][table]") {
  dw::json::Document d;
  REQUIRE(dw::json::Parse(R"({"columnDefinitions":[{"name":"Name"},{"name":"Age"}],"rows":[]})", &d).ok());
  TablePrinter p(TableOptions{});
  p.Add(d);
  CHECK(p.rows() == 0);
  CHECK(p.Render() == "NAME   AGE\n");
  CHECK(p.RenderNew().empty());
}

TEST_CASE("cell text", "[cli][table]") {
  dw::json::Document d;
  REQUIRE(dw::json::Parse(R"([1,-2,true,null,"s",1.5,{"a":1}])", &d).ok());
  CHECK(dw::cli::CellText(d[0]) == "1");
  CHECK(dw::cli::CellText(d[1]) == "-2");
  CHECK(dw::cli::CellText(d[2]) == "true");
  CHECK(dw::cli::CellText(d[3]) == "");
  CHECK(dw::cli::CellText(d[4]) == "s");
  CHECK(dw::cli::CellText(d[5]) == "1.5");
  CHECK(dw::cli::CellText(d[6]) == "{\"a\":1}");
}

TEST_CASE("age formatting matches kubectl's HumanDuration", "[cli][age]") {
  using dw::clock::HumanDuration;
  using std::chrono::seconds;
  CHECK(HumanDuration(seconds(0)) == "0s");
  CHECK(HumanDuration(seconds(45)) == "45s");
  CHECK(HumanDuration(seconds(90)) == "90s");
  CHECK(HumanDuration(seconds(119)) == "119s");
  CHECK(HumanDuration(seconds(120)) == "2m");
  CHECK(HumanDuration(seconds(330)) == "5m30s");
  CHECK(HumanDuration(seconds(600)) == "10m");
  CHECK(HumanDuration(seconds(65 * 60 + 59)) == "65m");
  CHECK(HumanDuration(seconds(3 * 3600 + 5 * 60)) == "3h5m");
  CHECK(HumanDuration(seconds(30 * 3600)) == "30h");
  CHECK(HumanDuration(seconds(3 * 86400 + 4 * 3600)) == "3d4h");
  CHECK(HumanDuration(seconds(45 * 86400)) == "45d");
  CHECK(HumanDuration(seconds((2 * 365 + 3) * 86400)) == "2y3d");
  CHECK(HumanDuration(seconds(9 * 365 * 86400)) == "9y");
}
