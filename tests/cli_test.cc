// End-to-end tests of the kairos command line: each runs the real binary against a fresh home.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli_testing.h"
#include "core/date.h"

namespace {

using kairos::testing::Lines;
using kairos::testing::Outcome;
using kairos::testing::Quote;
using kairos::testing::ReadFile;
using kairos::testing::RunCaptured;
using kairos::testing::WriteFile;

namespace fs = std::filesystem;

class CliTest : public kairos::testing::KairosCliTest {
 protected:
  // Runs `kairos --home <home> args...` (no --home when `with_home` is false).
  Outcome Kairos(const std::vector<std::string>& args, bool with_home = true,
                 const std::string& env = "") {
    std::string cmd = env + " " + Quote(KAIROS_BIN);
    if (with_home) cmd += " --home " + Quote(home_.string());
    for (const auto& a : args) cmd += " " + Quote(a);
    return RunCaptured(cmd, dir_);
  }

  static std::string Shared(const std::string& rel) {
    return std::string(KAIROS_SHARED_DIR) + "/" + rel;
  }
};

TEST_F(CliTest, CalendarSessionsPrintsLocalTimesWithEarlyClose) {
  Outcome r = Kairos(
      {"calendar", "sessions", "--exchange", "NYSE", "--from", "2024-11-25", "--to", "2024-12-03"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "2024-11-25,09:30,16:00\n"
            "2024-11-26,09:30,16:00\n"
            "2024-11-27,09:30,16:00\n"
            "2024-11-29,09:30,13:00\n"
            "2024-12-02,09:30,16:00\n"
            "2024-12-03,09:30,16:00\n");
}

TEST_F(CliTest, CalendarSessionsNseAndWeekdays) {
  Outcome nse = Kairos(
      {"calendar", "sessions", "--exchange", "NSE", "--from", "2024-01-25", "--to", "2024-01-29"});
  ASSERT_EQ(nse.code, 0) << nse.err;
  // 2024-01-26 is Republic Day.
  EXPECT_EQ(nse.out, "2024-01-25,09:15,15:30\n2024-01-29,09:15,15:30\n");
  Outcome wd = Kairos({"calendar", "sessions", "--exchange", "weekdays", "--from", "2024-12-24",
                       "--to", "2024-12-26"});
  ASSERT_EQ(wd.code, 0) << wd.err;
  EXPECT_EQ(Lines(wd.out).size(), 3u);
}

TEST_F(CliTest, CalendarRejectsBadInput) {
  Outcome r = Kairos(
      {"calendar", "sessions", "--exchange", "LSE", "--from", "2024-01-01", "--to", "2024-01-31"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("LSE"), std::string::npos) << r.err;
  Outcome d = Kairos({"calendar", "sessions", "--from", "2024-13-01", "--to", "2024-12-31"});
  EXPECT_EQ(d.code, 1);
  EXPECT_NE(d.err.find("--from: '2024-13-01'"), std::string::npos) << d.err;
  Outcome order = Kairos({"calendar", "sessions", "--from", "2024-12-31", "--to", "2024-01-01"});
  EXPECT_EQ(order.code, 1);
  EXPECT_NE(order.err.find("before --from"), std::string::npos) << order.err;
  Outcome usage = Kairos({"calendar", "sessions"});
  EXPECT_EQ(usage.code, 2);  // missing required options is a usage error
}

std::string NotCovered(const std::string& date, const std::string& exchange,
                       const std::string& years, const std::string& file) {
  return date + " is outside the years the " + exchange + " calendar covers (" + years +
         "); to add years, extend data/calendars/" + file +
         " as src/calendar/README.md (\"Adding a year\") describes and rebuild";
}

TEST_F(CliTest, CalendarSessionsOutsideTheCoveredYearsIsAnErrorSayingHowToAddOne) {
  Outcome r = Kairos({"calendar", "sessions", "--from", "1900-01-01", "--to", "1900-12-31"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "kairos: error: " + NotCovered("1900-01-01", "NYSE", "1990-2028", "nyse.toml") + "\n");
  Outcome end = Kairos({"calendar", "sessions", "--from", "2028-12-28", "--to", "2029-01-05"});
  EXPECT_EQ(end.code, 1);
  EXPECT_EQ(end.err,
            "kairos: error: " + NotCovered("2029-01-05", "NYSE", "1990-2028", "nyse.toml") + "\n");
  Outcome nse = Kairos(
      {"calendar", "sessions", "--exchange", "NSE", "--from", "2004-12-30", "--to", "2005-01-04"});
  EXPECT_EQ(nse.code, 1);
  EXPECT_EQ(nse.err,
            "kairos: error: " + NotCovered("2004-12-30", "NSE", "2005-2026", "nse.toml") + "\n");
  Outcome wd = Kairos({"calendar", "sessions", "--exchange", "WEEKDAYS", "--from", "1900-01-01",
                       "--to", "1900-01-02"});
  EXPECT_EQ(wd.code, 0) << wd.err;
  EXPECT_EQ(wd.out, "1900-01-01,00:00,24:00\n1900-01-02,00:00,24:00\n");
}

const char* kGoodCsv =
    "Date,Open,High,Low,Close,Volume\n"
    "2024-11-25,100.5,102.25,99.75,101,1500\n"
    "2024-11-26,101,103,100.5,102.125,1200\n"
    "2024-11-27,102,102.5,98.0625,99.5,3000\n"
    "2024-11-29,99.5,100,99,99.75,800\n"
    "2024-12-02,99.75,101,99.5,100.25,900\n";

TEST_F(CliTest, ImportListExportRoundTrip) {
  WriteFile(dir_ / "in" / "acme.csv", kGoodCsv);
  Outcome imp = Kairos({"data", "import", (dir_ / "in").string()});
  ASSERT_EQ(imp.code, 0) << imp.err;
  Outcome list = Kairos({"data", "list", "--format", "csv"});
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_EQ(list.out,
            "symbol,exchange,first,last,bars,kind\nACME,NYSE,2024-11-25,2024-12-02,5,ohlcv\n");
  Outcome exp = Kairos({"data", "export", "ACME"});
  ASSERT_EQ(exp.code, 0) << exp.err;
  EXPECT_EQ(Lines(exp.out)[0], "date,open,high,low,close,volume");
  EXPECT_EQ(Lines(exp.out)[3], "2024-11-27,102,102.5,98.0625,99.5,3000");
  // Export -> import under another name -> export gives the same text.
  WriteFile(dir_ / "again" / "acme2.csv", exp.out);
  ASSERT_EQ(Kairos({"data", "import", (dir_ / "again" / "acme2.csv").string()}).code, 0);
  Outcome exp2 = Kairos({"data", "export", "ACME2"});
  EXPECT_EQ(exp2.out, exp.out);
  Outcome range = Kairos({"data", "export", "ACME", "--from", "2024-11-26", "--to", "2024-11-27"});
  EXPECT_EQ(Lines(range.out).size(), 3u);
}

TEST_F(CliTest, WeeklyExportUsesTheCalendar) {
  WriteFile(dir_ / "acme.csv", kGoodCsv);
  ASSERT_EQ(Kairos({"data", "import", (dir_ / "acme.csv").string()}).code, 0);
  Outcome w = Kairos({"data", "export", "ACME", "--timeframe", "weekly"});
  ASSERT_EQ(w.code, 0) << w.err;
  // Thanksgiving week: first open, highest high, lowest low, last close, summed volume, dated by
  // the week's last session (the early-close Friday).
  EXPECT_EQ(Lines(w.out)[1], "2024-11-29,100.5,103,98.0625,99.75,6500");
  EXPECT_EQ(Lines(w.out)[2], "2024-12-06,99.75,101,99.5,100.25,900");
}

TEST_F(CliTest, BadRowStoresNothingAndExitsOneWithoutSkipBad) {
  std::string bad = kGoodCsv;
  bad += "2024-12-03,100,99,101,100,10\n";  // high below low
  WriteFile(dir_ / "acme.csv", bad);
  Outcome imp = Kairos({"data", "import", (dir_ / "acme.csv").string()});
  EXPECT_EQ(imp.code, 1);
  EXPECT_NE(imp.err.find("acme.csv:7:"), std::string::npos) << imp.err;
  Outcome list = Kairos({"data", "list", "--format", "csv"});
  EXPECT_EQ(list.out, "symbol,exchange,first,last,bars,kind\n");
}

TEST_F(CliTest, SkipBadStoresTheGoodRowsListsTheBadAndExitsZero) {
  std::string bad = kGoodCsv;
  bad += "2024-12-03,100,99,101,100,10\n";  // high below low
  WriteFile(dir_ / "acme.csv", bad);
  Outcome skip = Kairos({"data", "import", "--skip-bad", (dir_ / "acme.csv").string()});
  EXPECT_EQ(skip.code, 0) << skip.err;
  EXPECT_NE(skip.err.find("acme.csv:7:"), std::string::npos) << skip.err;
  EXPECT_NE(skip.err.find(", 5 stored for 1 symbol, 1 bad, "), std::string::npos) << skip.err;
  Outcome list = Kairos({"data", "list", "--format", "csv"});
  EXPECT_NE(list.out.find("ACME,NYSE,2024-11-25,2024-12-02,5,ohlcv"), std::string::npos)
      << list.out;
}

TEST_F(CliTest, SkipBadExitsOneWhenAFileStoredNothing) {
  WriteFile(dir_ / "acme.csv", kGoodCsv);
  WriteFile(dir_ / "junk.csv",
            "Date,Open,High,Low,Close,Volume\n2024-12-03,100,99,101,100,10\n");  // high < low
  Outcome skip = Kairos(
      {"data", "import", "--skip-bad", (dir_ / "acme.csv").string(), (dir_ / "junk.csv").string()});
  EXPECT_EQ(skip.code, 1) << skip.err;
  EXPECT_NE(skip.err.find("junk.csv:2:"), std::string::npos) << skip.err;
  Outcome list = Kairos({"data", "list", "--format", "csv"});
  EXPECT_NE(list.out.find("ACME,NYSE,2024-11-25,2024-12-02,5,ohlcv"), std::string::npos)
      << list.out;
}

TEST_F(CliTest, ImportOfDatesOutsideTheCalendarStoresNothing) {
  WriteFile(dir_ / "old.csv", std::string(kGoodCsv) + "9999-12-31,100,101,99,100,10\n");
  WriteFile(dir_ / "older.csv",
            "Date,Open,High,Low,Close,Volume\n1899-12-29,1,1,1,1,1\n2024-11-25,1,1,1,1,1\n");
  Outcome imp =
      Kairos({"data", "import", (dir_ / "old.csv").string(), (dir_ / "older.csv").string()});
  EXPECT_EQ(imp.code, 1);
  EXPECT_NE(imp.err.find("error: " + (dir_ / "old.csv").string() + ":7: " +
                         NotCovered("9999-12-31", "NYSE", "1990-2028", "nyse.toml") + "\n"),
            std::string::npos)
      << imp.err;
  EXPECT_NE(imp.err.find("error: " + (dir_ / "older.csv").string() + ":2: " +
                         NotCovered("1899-12-29", "NYSE", "1990-2028", "nyse.toml") + "\n"),
            std::string::npos)
      << imp.err;
  Outcome list = Kairos({"data", "list", "--format", "csv"});
  EXPECT_EQ(list.out, "symbol,exchange,first,last,bars,kind\n");
}

TEST_F(CliTest, ImportWarnsOfEmptyVolumesNamingTheLine) {
  WriteFile(dir_ / "acme.csv", "Date,Open,High,Low,Close,Volume\n2024-11-25,10,11,9,10,\n");
  Outcome imp = Kairos({"data", "import", (dir_ / "acme.csv").string()});
  EXPECT_EQ(imp.code, 0) << imp.err;
  EXPECT_NE(
      imp.err.find("warning: " + (dir_ / "acme.csv").string() +
                   ":2: 1 row with an empty volume (empty, NA or null) stored with volume 0\n"),
      std::string::npos)
      << imp.err;
}

// A file size limit (SIGXFSZ ignored, so a write past it fails with EFBIG) stands for a full
// disk: the import stops at the first symbol it cannot store and still reports what it stored.
TEST_F(CliTest, AnImportStoppedByAWriteErrorPrintsWhatItStored) {
  WriteFile(dir_ / "warm" / "w.csv", "Date,Close\n2024-11-25,1\n");
  ASSERT_EQ(Kairos({"data", "import", (dir_ / "warm").string()}).code, 0);  // the home exists
  std::string aaa = "Date,Open,High,Low,Close,Volume\n";
  for (int i = 0; i < 5; ++i) aaa += fmt::format("2024-11-{},10,11,9,10,100\n", 25 + i);
  WriteFile(dir_ / "in" / "aaa.csv", aaa);
  std::string zzz = "Date,Open,High,Low,Close,Volume\n";
  kairos::Date d = kairos::Date::FromYmd(2000, 1, 3);
  for (int i = 0; i < 3000; d = d.AddDays(1)) {
    if (d.IsWeekend()) continue;
    zzz += d.ToString() + ",10,11,9,10,100\n";
    ++i;
  }
  WriteFile(dir_ / "in" / "zzz.csv", zzz);
  Outcome imp = Kairos({"data", "import", "--exchange", "WEEKDAYS", (dir_ / "in").string()}, true,
                       "ulimit -f 64; trap '' XFSZ;");
  EXPECT_EQ(imp.code, 1);
  EXPECT_NE(imp.err.find("2 files, 3005 rows read, 5 stored for 1 symbol, 0 bad, 0 without data, "
                         "0 other series, 0 errors, 0 warnings\n"
                         "kairos: error: storing ZZZ (1 of 2 symbols not stored): cannot write "),
            std::string::npos)
      << imp.err;
  EXPECT_NE(imp.err.find("File too large\n"), std::string::npos) << imp.err;
  Outcome list = Kairos({"data", "list", "--format", "csv"});
  EXPECT_EQ(list.out,
            "symbol,exchange,first,last,bars,kind\n"
            "AAA,WEEKDAYS,2024-11-25,2024-11-29,5,ohlcv\n"
            "W,NYSE,2024-11-25,2024-11-25,1,close-only\n");
}

TEST_F(CliTest, HomeFromEnvironment) {
  WriteFile(dir_ / "acme.csv", kGoodCsv);
  std::string env = "KAIROS_HOME=" + Quote(home_.string());
  ASSERT_EQ(Kairos({"data", "import", (dir_ / "acme.csv").string()}, false, env).code, 0);
  Outcome list = Kairos({"data", "list", "--format", "csv"});  // --home, same directory
  EXPECT_NE(list.out.find("ACME"), std::string::npos);
}

TEST_F(CliTest, CloseOnlyDataStaysCloseOnly) {
  WriteFile(dir_ / "long.csv",
            "\"symbol\",\"date\",\"close\"\n\"AA\",\"2024-11-25\",5.92\n\"AA\",\"2024-11-26\",NA\n"
            "\"AA\",\"2024-11-27\",6.01\n");
  Outcome imp = Kairos({"data", "import", (dir_ / "long.csv").string()});
  ASSERT_EQ(imp.code, 0) << imp.err;
  Outcome list = Kairos({"data", "list", "--format", "csv"});
  EXPECT_NE(list.out.find("AA,NYSE,2024-11-25,2024-11-27,2,close-only"), std::string::npos)
      << list.out;
  Outcome exp = Kairos({"data", "export", "AA"});
  ASSERT_EQ(exp.code, 0) << exp.err;
  EXPECT_EQ(Lines(exp.out)[0], "date,close");  // nothing invented
}

TEST_F(CliTest, ShowAndUnknownSymbol) {
  WriteFile(dir_ / "acme.csv", kGoodCsv);
  ASSERT_EQ(Kairos({"data", "import", (dir_ / "acme.csv").string()}).code, 0);
  Outcome show = Kairos({"data", "show", "ACME", "--last", "2"});
  ASSERT_EQ(show.code, 0) << show.err;
  EXPECT_NE(show.out.find("bars      5"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("2024-12-02"), std::string::npos);
  EXPECT_EQ(show.out.find("2024-11-26"), std::string::npos);
  Outcome missing = Kairos({"data", "export", "NOPE"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("NOPE"), std::string::npos) << missing.err;
}

TEST_F(CliTest, SynthIsDeterministicAndRoundTripsThroughCsv) {
  Outcome a = Kairos({"data", "synth", "--symbols", "3", "--sessions", "40", "--seed", "7", "--csv",
                      (dir_ / "a").string()});
  ASSERT_EQ(a.code, 0) << a.err;
  Outcome b = Kairos({"data", "synth", "--symbols", "3", "--sessions", "40", "--seed", "7", "--csv",
                      (dir_ / "b").string()});
  ASSERT_EQ(b.code, 0) << b.err;
  std::string first = ReadFile(dir_ / "a" / "SYN0001.csv");
  EXPECT_EQ(first, ReadFile(dir_ / "b" / "SYN0001.csv"));
  EXPECT_EQ(Lines(first).size(), 41u);
  ASSERT_EQ(Kairos({"data", "import", (dir_ / "a").string()}).code, 0);
  Outcome exp = Kairos({"data", "export", "SYN0001"});
  EXPECT_EQ(exp.out, first);
  Outcome store = Kairos({"data", "synth", "--symbols", "2", "--sessions", "10"});
  ASSERT_EQ(store.code, 0) << store.err;
  Outcome list = Kairos({"data", "list", "--format", "csv"});
  EXPECT_NE(list.out.find("SYN0002,NYSE,"), std::string::npos) << list.out;
}

// `kairos ta` on the reference input matches TA-Lib's RSI(14) to 1e-9 (17 significant digits).
TEST_F(CliTest, TaMatchesTaLibReference) {
  Outcome r = Kairos({"ta", "rsi", "14", "--input", Shared("reference/sp500.csv")}, false);
  ASSERT_EQ(r.code, 0) << r.err;
  auto got = Lines(r.out);
  auto ref = Lines(ReadFile(Shared("reference/sp500_talib.csv")));
  ASSERT_EQ(got.size(), ref.size());
  EXPECT_EQ(got[0], "date,rsi");
  // Find the rsi_14 column of the reference.
  std::vector<std::string> header;
  {
    std::stringstream s(ref[0]);
    for (std::string c; std::getline(s, c, ',');) header.push_back(c);
  }
  size_t col = std::find(header.begin(), header.end(), "rsi_14") - header.begin();
  ASSERT_LT(col, header.size());
  int compared = 0;
  for (size_t i = 1; i < ref.size(); ++i) {
    std::vector<std::string> cells;
    std::stringstream s(ref[i]);
    for (std::string c; std::getline(s, c, ',');) cells.push_back(c);
    std::string want = col < cells.size() ? cells[col] : "";
    std::string have = got[i].substr(got[i].find(',') + 1);
    ASSERT_EQ(want.empty(), have.empty()) << "row " << i;
    if (want.empty()) continue;
    double w = std::stod(want), h = std::stod(have);
    EXPECT_LE(std::fabs(w - h), 1e-9 * std::max(1.0, std::fabs(w))) << "row " << i;
    ++compared;
  }
  EXPECT_GT(compared, 5000);
}

TEST_F(CliTest, TaParametersPositionalNamedAndDefaults) {
  std::string input = Shared("reference/sp500.csv");
  Outcome pos = Kairos({"ta", "macd", "12", "26", "9", "--input", input}, false);
  ASSERT_EQ(pos.code, 0) << pos.err;
  EXPECT_EQ(Lines(pos.out)[0], "date,macd,signal,hist");
  Outcome def = Kairos({"ta", "macd", "--input", input}, false);
  EXPECT_EQ(def.out, pos.out);
  Outcome named = Kairos({"ta", "rsi", "period=14", "--input", input}, false);
  Outcome positional = Kairos({"ta", "rsi", "14", "--input", input}, false);
  EXPECT_EQ(named.out, positional.out);
  Outcome bb = Kairos({"ta", "bbands", "20", "2", "2", "--input", input}, false);
  EXPECT_EQ(Lines(bb.out)[0], "date,upper,middle,lower");
  // Warm-up rows have empty cells.
  EXPECT_EQ(Lines(bb.out)[1], "2000-01-03,,,");
}

TEST_F(CliTest, TaErrorsAreOneLineAndNonZero) {
  std::string input = Shared("reference/sp500.csv");
  Outcome unknown = Kairos({"ta", "rsii", "--input", input}, false);
  EXPECT_EQ(unknown.code, 1);
  EXPECT_EQ(unknown.err,
            "kairos: error: ta: unknown indicator 'rsii' (kairos ta --list shows them)\n");
  Outcome zero = Kairos({"ta", "rsi", "0", "--input", input}, false);
  EXPECT_EQ(zero.code, 1);
  EXPECT_NE(zero.err.find("rsi: period must be an integer"), std::string::npos) << zero.err;
  EXPECT_EQ(Lines(zero.err).size(), 1u);
  Outcome name = Kairos({"ta", "rsi", "length=3", "--input", input}, false);
  EXPECT_EQ(name.code, 1);
  EXPECT_NE(name.err.find("unknown parameter 'length'"), std::string::npos) << name.err;
  Outcome file = Kairos({"ta", "rsi", "--input", (dir_ / "missing.csv").string()}, false);
  EXPECT_EQ(file.code, 1);
  EXPECT_NE(file.err.find("missing.csv"), std::string::npos) << file.err;
  Outcome list = Kairos({"ta", "--list"}, false);
  EXPECT_EQ(list.code, 0);
  EXPECT_NE(list.out.find("rsi"), std::string::npos);
}

TEST_F(CliTest, BenchIndicatorsPrintsOneRowPerCase) {
  Outcome r = Kairos({"bench", "indicators", "--bars", "2000", "--runs", "1"}, false);
  ASSERT_EQ(r.code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[0], "indicator,ns_per_bar");
  EXPECT_EQ(lines[1].rfind("sma_20,", 0), 0u) << lines[1];
}

}  // namespace
