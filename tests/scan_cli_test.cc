// End-to-end tests of `kairos scan` and `kairos universe`: the real binary against a fresh home
// filled by `kairos data synth`.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli_testing.h"

namespace {

using kairos::testing::Lines;
using kairos::testing::Outcome;
using kairos::testing::Quote;
using kairos::testing::ReadFile;
using kairos::testing::RunCaptured;
using kairos::testing::WriteFile;

namespace fs = std::filesystem;

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream s(line);
  for (std::string cell; std::getline(s, cell, ',');) cells.push_back(cell);
  return cells;
}

class ScanCliTest : public kairos::testing::KairosCliTest {
 protected:
  void SetUp() override {
    KairosCliTest::SetUp();
    Outcome synth = Kairos({"data", "synth", "--symbols", "20", "--sessions", "300"});
    ASSERT_EQ(synth.code, 0) << synth.err;
  }
};

TEST_F(ScanCliTest, DefaultIsEveryStoredSymbolAsOfTheLastSession) {
  Outcome r = Kairos({"scan", "close > 0", "--format", "csv"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 21u);
  EXPECT_EQ(lines[0], "date,symbol,close");
  EXPECT_EQ(lines[1].substr(0, 19), "2026-11-27,SYN0001,");
  EXPECT_EQ(lines[20].substr(0, 19), "2026-11-27,SYN0020,");
  EXPECT_NE(r.err.find("20 matches as of 2026-11-27"), std::string::npos) << r.err;
}

TEST_F(ScanCliTest, TermsAreColumnsWithSixDecimalsAtMost) {
  Outcome r = Kairos({"scan", "rsi(close, 14) < 101 and close > sma(close, 20) * 0", "--symbols",
                      "syn0003", "--format", "csv"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "date,symbol,rsi,close,sma_20");
  std::vector<std::string> cells = Split(lines[1]);
  ASSERT_EQ(cells.size(), 5u);
  EXPECT_EQ(cells[1], "SYN0003");
  for (size_t i = 2; i < cells.size(); ++i) {
    size_t dot = cells[i].find('.');
    EXPECT_TRUE(dot == std::string::npos || cells[i].size() - dot - 1 <= 6) << cells[i];
  }
  // JSON carries exact numbers: the close equals `data show`'s.
  Outcome json = Kairos({"scan", "close > 0", "--symbols", "SYN0003", "--format", "json"});
  ASSERT_EQ(json.code, 0) << json.err;
  Outcome show = Kairos({"data", "show", "SYN0003", "--last", "1", "--format", "csv"});
  std::vector<std::string> bar = Split(Lines(show.out).back());
  EXPECT_NE(json.out.find("\"close\": " + bar[4]), std::string::npos) << json.out << bar[4];
  EXPECT_NE(json.out.find("\"date\": \"2026-11-27\""), std::string::npos);
}

TEST_F(ScanCliTest, BadRuleIsTheDiagnosticOnlyAndExitsOne) {
  Outcome r = Kairos({"scan", "close > emaa(close, 20)"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "kairos: error: 1:9: unknown indicator 'emaa' — did you mean 'ema'?\n"
            "close > emaa(close, 20)\n"
            "        ^\n");
  Outcome rank = Kairos({"scan", "close > 0", "--rank", "close and 1"});
  EXPECT_EQ(rank.code, 1);
  EXPECT_EQ(rank.out, "");
}

TEST_F(ScanCliTest, RangeWithRankAndLimit) {
  Outcome r = Kairos({"scan", "close > 0", "--from", "2026-11-23", "--to", "2026-11-25", "--rank",
                      "volume", "--limit", "3", "--format", "csv"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 1u + 3 * 3);
  EXPECT_EQ(lines[0], "date,symbol,close,rank");
  std::map<std::string, std::vector<double>> ranks;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> cells = Split(lines[i]);
    ranks[cells[0]].push_back(std::stod(cells[3]));
  }
  ASSERT_EQ(ranks.size(), 3u);
  EXPECT_EQ(ranks.begin()->first, "2026-11-23");
  for (const auto& [date, values] : ranks) {
    ASSERT_EQ(values.size(), 3u);
    EXPECT_GE(values[0], values[1]) << date;  // highest rank first
    EXPECT_GE(values[1], values[2]) << date;
  }
  // The top volume of a date is the largest of all 20 symbols that day.
  Outcome all =
      Kairos({"scan", "close > 0", "--date", "2026-11-24", "--rank", "volume", "--format", "csv"});
  ASSERT_EQ(all.code, 0) << all.err;
  double top = 0;
  for (size_t i = 1; i < Lines(all.out).size(); ++i) {
    top = std::max(top, std::stod(Split(Lines(all.out)[i])[3]));
  }
  EXPECT_EQ(std::stod(Split(Lines(all.out)[1])[3]), top);
  EXPECT_EQ(ranks["2026-11-24"][0], top);
}

TEST_F(ScanCliTest, BadFlagsAreRefused) {
  Outcome both = Kairos({"scan", "close > 0", "--date", "2026-11-27", "--from", "2026-11-01"});
  EXPECT_NE(both.code, 0);
  Outcome date = Kairos({"scan", "close > 0", "--date", "2026-13-01"});
  EXPECT_EQ(date.code, 1);
  EXPECT_NE(date.err.find("--date"), std::string::npos) << date.err;
  Outcome order = Kairos({"scan", "close > 0", "--from", "2026-11-20", "--to", "2026-11-01"});
  EXPECT_EQ(order.code, 1);
  EXPECT_NE(order.err.find("before --from"), std::string::npos) << order.err;
  Outcome unknown = Kairos({"scan", "close > 0", "--symbols", "NOPE"});
  EXPECT_EQ(unknown.code, 0);
  EXPECT_NE(unknown.err.find("skipped NOPE: not in the store"), std::string::npos) << unknown.err;
  Outcome universe = Kairos({"scan", "close > 0", "--universe", "ghost"});
  EXPECT_EQ(universe.code, 1);
  EXPECT_NE(universe.err.find("no universe named 'ghost'"), std::string::npos) << universe.err;
}

TEST_F(ScanCliTest, ADateOutsideTheCalendarIsAnError) {
  const std::string how =
      " is outside the years the NYSE calendar covers (1990-2028); to add years, extend "
      "data/calendars/nyse.toml as src/calendar/README.md (\"Adding a year\") describes and "
      "rebuild\n";
  Outcome date = Kairos({"scan", "close > 0", "--date", "1900-01-02"});
  EXPECT_EQ(date.code, 1);
  EXPECT_EQ(date.out, "");
  EXPECT_EQ(date.err, "kairos: error: scan: 1900-01-02" + how);
  Outcome range = Kairos({"scan", "close > 0", "--from", "2026-11-02", "--to", "2100-01-01"});
  EXPECT_EQ(range.code, 1);
  EXPECT_EQ(range.err, "kairos: error: scan: 2100-01-01" + how);
}

TEST_F(ScanCliTest, UniverseDefineListShowRefreshAndScan) {
  Outcome liquid = Kairos({"universe", "define", "liquid", "--rule", "median(turnover, 20) > 0",
                           "--rank", "median(turnover, 20)", "--top", "5"});
  ASSERT_EQ(liquid.code, 0) << liquid.err;
  EXPECT_EQ(liquid.out, "universe liquid: 5 symbols as of 2026-11-27\n");

  fs::path list = dir_ / "watch.txt";
  std::ofstream(list) << "# watch list\nsyn0002\nSYN0007  # a comment\n";
  Outcome watch =
      Kairos({"universe", "define", "watch", "--file", list.string(), "--date", "2026-11-20"});
  ASSERT_EQ(watch.code, 0) << watch.err;
  EXPECT_EQ(watch.out, "universe watch: 2 symbols as of 2026-11-20\n");
  Outcome nyse = Kairos({"universe", "define", "us", "--exchange", "NYSE"});
  EXPECT_EQ(nyse.out, "universe us: 20 symbols as of 2026-11-27\n");

  Outcome ls = Kairos({"universe", "list", "--format", "csv"});
  ASSERT_EQ(ls.code, 0) << ls.err;
  std::vector<std::string> rows = Lines(ls.out);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0], "name,kind,definition,symbols,as_of,computed");
  EXPECT_EQ(rows[1].substr(0, 12), "liquid,rule,");
  EXPECT_EQ(rows[2].substr(0, 9), "us,exchan");
  EXPECT_EQ(rows[3].substr(0, 43), "watch,static,\"SYN0002,SYN0007\",2,2026-11-20");

  Outcome show = Kairos({"universe", "show", "watch", "--format", "csv"});
  EXPECT_EQ(show.out, "symbol\nSYN0002\nSYN0007\n");

  Outcome refresh = Kairos({"universe", "refresh", "--all"});
  ASSERT_EQ(refresh.code, 0) << refresh.err;
  EXPECT_EQ(refresh.out,
            "universe liquid: 5 symbols as of 2026-11-27\n"
            "universe us: 20 symbols as of 2026-11-27\n"
            "universe watch: 2 symbols as of 2026-11-27\n");

  Outcome scan = Kairos({"scan", "close > 0", "--universe", "watch", "--format", "csv"});
  ASSERT_EQ(scan.code, 0) << scan.err;
  EXPECT_EQ(Lines(scan.out).size(), 3u);
  EXPECT_EQ(Lines(scan.out)[1].substr(0, 18), "2026-11-27,SYN0002");
  EXPECT_EQ(Lines(scan.out)[2].substr(0, 18), "2026-11-27,SYN0007");
}

TEST_F(ScanCliTest, UniverseErrorsChangeNothing) {
  Outcome bad_name = Kairos({"universe", "define", "Liquid", "--symbols", "A"});
  EXPECT_EQ(bad_name.code, 1);
  EXPECT_EQ(bad_name.err,
            "kairos: error: universe name 'Liquid' must be 1 to 64 characters of a-z, 0-9 and "
            "_\n");
  Outcome bad_rule = Kairos({"universe", "define", "x", "--rule", "rsi(close) and 5"});
  EXPECT_EQ(bad_rule.code, 1);
  EXPECT_NE(bad_rule.err.find("'and' needs booleans"), std::string::npos) << bad_rule.err;
  EXPECT_NE(bad_rule.err.find("\n^\n"), std::string::npos) << bad_rule.err;
  Outcome base = Kairos({"universe", "define", "x", "--rule", "close > 1", "--base", "ghost"});
  EXPECT_EQ(base.err, "kairos: error: universe x: unknown base universe 'ghost'\n");
  Outcome top =
      Kairos({"universe", "define", "x", "--rule", "close > 1", "--rank", "close", "--top", "-3"});
  EXPECT_EQ(top.err, "kairos: error: universe x: top must be >= 0, got -3\n");
  Outcome two = Kairos({"universe", "define", "x", "--symbols", "A", "--exchange", "NYSE"});
  EXPECT_EQ(two.code, 1);
  EXPECT_EQ(two.err,
            "kairos: error: universe define needs exactly one of --symbols, --file, --exchange "
            "or --rule\n");
  Outcome show = Kairos({"universe", "show", "x"});
  EXPECT_EQ(show.err, "kairos: error: no universe named 'x'\n");
  Outcome ls = Kairos({"universe", "list", "--format", "csv"});
  EXPECT_EQ(ls.out, "name,kind,definition,symbols,as_of,computed\n");
  Outcome refresh = Kairos({"universe", "refresh"});
  EXPECT_EQ(refresh.err, "kairos: error: universe refresh needs a NAME or --all\n");
}

}  // namespace
