#include "marketdata/import.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "marketdata/export.h"

namespace kairos::marketdata {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

Date D(std::string_view s) { return *Date::Parse(s); }

const fs::path kTestdata = fs::path(KAIROS_SOURCE_DIR) / "src/marketdata/testdata";
const fs::path kRealData = fs::path(KAIROS_SHARED_DIR) / "data";

// An in-memory BarStore: Upsert merges by date like the real one; Read is not needed here.
class MemoryStore final : public BarStore {
 public:
  Status Upsert(const BarSeries& bars) override {
    if (upserts++ == full_after) return Status::IOError("write: No space left on device");
    auto it = series.find(bars.instrument.symbol);
    if (it == series.end()) {
      series[bars.instrument.symbol] = bars;
      return Status::Ok();
    }
    if (it->second.close_only != bars.close_only) {
      return Status::InvalidArgument("close-only-ness differs from the stored series");
    }
    std::map<Date, Bar> merged;
    for (const BarSeries* s : {static_cast<const BarSeries*>(&it->second), &bars}) {
      for (size_t i = 0; i < s->size(); ++i) {
        merged[s->dates[i]] = s->close_only ? Bar{s->dates[i], 0, 0, 0, s->close[i], 0} : s->bar(i);
      }
    }
    BarSeries out;
    out.instrument = bars.instrument;
    out.close_only = bars.close_only;
    for (auto& [d, b] : merged) {
      if (out.close_only) {
        out.dates.push_back(d);
        out.close.push_back(b.close);
      } else {
        out.Append(b);
      }
    }
    it->second = std::move(out);
    return Status::Ok();
  }
  Status Replace(const BarSeries& bars) override {
    series[bars.instrument.symbol] = bars;
    return Status::Ok();
  }
  Status Remove(std::string_view symbol) override {
    series.erase(std::string(symbol));
    return Status::Ok();
  }
  Result<std::unique_ptr<SeriesView>> Read(std::string_view) const override {
    return Status::Internal("not in the memory store");
  }
  Result<std::unique_ptr<SeriesView>> ReadColumns(std::string_view, ColumnSet) const override {
    return Status::Internal("not in the memory store");
  }
  std::vector<SeriesInfo> List() const override { return {}; }
  void BeginBatch() override { ++batches; }
  Status EndBatch() override { return Status::Ok(); }
  Result<SeriesInfo> Info(std::string_view) const override {
    return Status::Internal("not in the memory store");
  }

  std::map<std::string, BarSeries> series;
  int full_after = -1;  // the Upsert of that index (from 0) and later fail as on a full disk
  int upserts = 0;
  int batches = 0;
};

// A fresh directory under the system temp dir, removed at the end of the test.
class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           fmt::format("kairos_import_test_{}_{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& name, std::string_view text) {
    fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  Result<ImportReport> Import(std::vector<fs::path> paths, ImportOptions options = {}) {
    return ImportPaths(store_, paths, options);
  }

  fs::path dir_;
  MemoryStore store_;
};

std::vector<std::string> Messages(const std::vector<ImportIssue>& issues) {
  std::vector<std::string> out;
  for (const ImportIssue& i : issues) out.push_back(i.ToString());
  return out;
}

// --- Each format, from testdata/
// -------------------------------------------------------------------

TEST_F(ImportTest, YahooFileTakesItsSymbolFromTheFileName) {
  fs::path f = kTestdata / "yahoo/aapl.csv";
  Result<ImportReport> r = Import({f});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_THAT(r->errors, IsEmpty());
  EXPECT_THAT(
      Messages(r->warnings),
      ElementsAre(f.string() + ":4: 1 row without data (empty, NA or null prices) skipped",
                  f.string() +
                      ": AAPL: 1 NYSE session without a bar between 2024-01-02 and 2024-01-05 "
                      "(first 2024-01-04)"));
  EXPECT_EQ(r->files, 1);
  EXPECT_EQ(r->rows_read, 4);
  EXPECT_EQ(r->rows_stored, 3);
  EXPECT_EQ(r->rows_no_data, 1);
  ASSERT_EQ(store_.series.count("AAPL"), 1u);
  const BarSeries& b = store_.series["AAPL"];
  EXPECT_EQ(b.instrument, (Instrument{"AAPL", "NYSE"}));
  EXPECT_EQ(b.bar(2),
            (Bar{D("2024-01-05"), 181.990005, 182.759995, 180.169998, 181.179993, 62303300}));
  ASSERT_EQ(r->symbols.count("AAPL"), 1u);
  EXPECT_EQ(r->symbols["AAPL"].bars, 3);
  EXPECT_EQ(r->symbols["AAPL"].first, D("2024-01-02"));
  EXPECT_EQ(r->symbols["AAPL"].last, D("2024-01-05"));
  EXPECT_EQ(r->Summary(),
            "1 file, 4 rows read, 3 stored for 1 symbol, 0 bad, 1 without data, 0 other series, "
            "0 errors, 2 warnings");
}

TEST_F(ImportTest, DirectoryOfStooqFiles) {
  Result<ImportReport> r = Import({kTestdata / "stooq"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_THAT(r->errors, IsEmpty());
  EXPECT_EQ(r->files, 2);
  ASSERT_EQ(store_.series.size(), 2u);
  EXPECT_EQ(store_.series["SPX"].volume, (std::vector<double>{0, 0}));
  EXPECT_EQ(store_.series["VIX"].volume, (std::vector<double>{0, 1200}));
}

TEST_F(ImportTest, LongCloseFile) {
  Result<ImportReport> r = Import({kTestdata / "long_close.csv"});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->errors, IsEmpty());
  EXPECT_EQ(r->rows_no_data, 2);
  EXPECT_TRUE(store_.series["AA"].close_only);
  EXPECT_EQ(store_.series["AA"].close, (std::vector<double>{34.1, 33.5}));
  EXPECT_EQ(store_.series["IBM"].close, (std::vector<double>{163.55, 161.91}));
}

TEST_F(ImportTest, LongOhlcvFile) {
  Result<ImportReport> r = Import({kTestdata / "long_ohlcv.csv"});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->errors, IsEmpty());
  EXPECT_EQ(store_.series["^GSPC"].size(), 2u);
  EXPECT_EQ(store_.series["MSFT"].bar(0),
            (Bar{D("2024-01-02"), 373.859985, 375.899994, 366.769989, 370.869995, 25258600}));
}

TEST_F(ImportTest, DirectoryOfDailyBhavcopiesIsGroupedBySymbol) {
  Result<ImportReport> r = Import({kTestdata / "bhavcopy"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_THAT(Messages(r->errors), IsEmpty());
  EXPECT_EQ(r->files, 3);
  EXPECT_EQ(r->rows_other_series, 3);
  EXPECT_EQ(r->warnings.size(), 2u);  // one "other series" warning per file that had some
  EXPECT_THAT(r->symbols, UnorderedElementsAre(::testing::Key("RELIANCE"), ::testing::Key("TCS"),
                                               ::testing::Key("INFY")));
  const BarSeries& rel = store_.series["RELIANCE"];
  EXPECT_EQ(rel.instrument, (Instrument{"RELIANCE", "NSE"}));
  EXPECT_EQ(rel.dates, (std::vector<Date>{D("2024-07-08"), D("2024-07-09")}));
  EXPECT_EQ(rel.close, (std::vector<double>{3180.55, 3205}));
  EXPECT_EQ(rel.volume, (std::vector<double>{5000000, 4200000}));
  EXPECT_EQ(store_.series["INFY"].dates, std::vector<Date>{D("2024-07-10")});
}

TEST_F(ImportTest, BhavcopiesGivenInAnyOrderAreMergedInDateOrder) {
  Result<ImportReport> r = Import(
      {kTestdata / "bhavcopy/cm09JUL2024bhav.csv", kTestdata / "bhavcopy/cm08JUL2024bhav.csv"});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->errors, IsEmpty());
  EXPECT_EQ(store_.series["TCS"].dates, (std::vector<Date>{D("2024-07-08"), D("2024-07-09")}));
}

TEST_F(ImportTest, UdiffTakesTheExchangeFromSrc) {
  Result<ImportReport> r = Import({kTestdata / "udiff/BhavCopy_NSE_CM_0_0_0_20240711_F_0000.csv"});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->errors, IsEmpty());
  EXPECT_EQ(r->rows_other_series, 2);
  EXPECT_EQ(store_.series["RELIANCE"].instrument, (Instrument{"RELIANCE", "NSE"}));
  EXPECT_EQ(store_.series["TCS"].close, std::vector<double>{4001.25});

  MemoryStore bse;
  r = ImportPaths(
      bse, std::vector<fs::path>{kTestdata / "udiff/BhavCopy_BSE_CM_0_0_0_20240711_F_0000.csv"},
      {});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->errors, IsEmpty());
  EXPECT_EQ(bse.series["RELIANCE"].instrument, (Instrument{"RELIANCE", "BSE"}));
}

TEST_F(ImportTest, OneSymbolFromTwoExchangesInOneImportRejectsTheLaterFile) {
  fs::path nse = kTestdata / "udiff/BhavCopy_NSE_CM_0_0_0_20240711_F_0000.csv";
  fs::path bse = kTestdata / "udiff/BhavCopy_BSE_CM_0_0_0_20240711_F_0000.csv";
  Result<ImportReport> r = Import({nse, bse});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(
      Messages(r->errors),
      ElementsAre(bse.string() + ":2: RELIANCE: exchange BSE here but NSE in " + nse.string()));
  EXPECT_EQ(r->files_rejected, 1);
  EXPECT_EQ(store_.series["RELIANCE"].instrument.exchange, "NSE");
}

TEST_F(ImportTest, BhavcopyExchangeCanBeOverridden) {
  ImportOptions o;
  o.exchange = "bse";
  Result<ImportReport> r = Import({kTestdata / "bhavcopy/cm10JUL2024bhav.csv"}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(store_.series["INFY"].instrument.exchange, "BSE");
}

// --- Options and paths ---------------------------------------------------------------------------

TEST_F(ImportTest, SymbolOption) {
  ImportOptions o;
  o.symbol = "apple";
  Result<ImportReport> r = Import({kTestdata / "yahoo/aapl.csv"}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(store_.series, UnorderedElementsAre(::testing::Key("APPLE")));

  MemoryStore store;
  o.symbol = "ibm";
  r = ImportPaths(store, std::vector<fs::path>{kTestdata / "long_close.csv"}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(store.series, UnorderedElementsAre(::testing::Key("IBM")));
  EXPECT_EQ(r->rows_other_symbols, 4);
}

TEST_F(ImportTest, MissingPathUnknownExchangeAndEmptyDirectoryAreErrors) {
  Result<ImportReport> r = Import({dir_ / "nope.csv"});
  EXPECT_EQ(r.status(), Status::NotFound((dir_ / "nope.csv").string() + ": no such file"));
  ImportOptions o;
  o.exchange = "LSE";
  r = Import({kTestdata / "yahoo/aapl.csv"}, o);
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(), ::testing::HasSubstr("LSE"));
  fs::create_directories(dir_ / "empty");
  Write("empty/readme.txt", "x");
  r = Import({dir_ / "empty"});
  EXPECT_EQ(r.status(), Status::InvalidArgument((dir_ / "empty").string() +
                                                ": no .csv files in the directory"));
  EXPECT_EQ(store_.upserts, 0);
}

TEST_F(ImportTest, DirectoryListingTakesCsvFilesOfAnyCaseSortedByName) {
  Write("d/b.CSV", "date,close\n2024-01-02,1\n");
  Write("d/a.csv", "date,close\n2024-01-02,1\n");
  Write("d/notes.txt", "x");
  fs::create_directories(dir_ / "d/sub.csv");
  std::vector<fs::path> in = {dir_ / "d"};
  Result<std::vector<fs::path>> files = ListImportFiles(in);
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(*files, (std::vector<fs::path>{dir_ / "d/a.csv", dir_ / "d/b.CSV"}));
}

// --- Validation: a bad row stores nothing from its file ------------------------------------------

struct BadFile {
  std::string name;
  std::string text;
  std::string error;  // after "<path>:"
};

class BadFileTest : public ImportTest, public ::testing::WithParamInterface<BadFile> {};

TEST_P(BadFileTest, PreciseErrorAndNothingStored) {
  fs::path p = Write("x.csv", GetParam().text);
  Result<ImportReport> r = Import({p});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_THAT(Messages(r->errors), ElementsAre(p.string() + ":" + GetParam().error));
  EXPECT_FALSE(r->ok());
  EXPECT_EQ(r->files_rejected, 1);
  EXPECT_EQ(r->rows_stored, 0);
  EXPECT_THAT(r->symbols, IsEmpty());
  EXPECT_EQ(store_.upserts, 0);
  EXPECT_THAT(store_.series, IsEmpty());
}

// Each case has good rows too: none of them may be stored.
constexpr std::string_view kHead = "Date,Open,High,Low,Close,Volume\n2024-11-26,10,11,9,10.5,100\n";
std::string Rows(std::string_view rows) { return std::string(kHead) + std::string(rows); }

INSTANTIATE_TEST_SUITE_P(
    Rules, BadFileTest,
    ::testing::Values(
        BadFile{"UnparsableNumber", Rows("2024-11-27,10,11,9,ten,100\n"),
                "3: cannot parse close 'ten' as a number"},
        BadFile{"UnparsableDate", Rows("27/11/2024,10,11,9,10,100\n"),
                "3: cannot parse date '27/11/2024' (expected YYYY-MM-DD)"},
        BadFile{"NonPositivePrice", Rows("2024-11-27,0,11,9,10,100\n"),
                "3: open 0 is not positive"},
        BadFile{"NonFinitePrice", Rows("2024-11-27,10,11,9,nan,100\n"),
                "3: close nan is not finite"},
        BadFile{"NegativeVolume", Rows("2024-11-27,10,11,9,10,-1\n"), "3: volume -1 is negative"},
        BadFile{"HighBelowLow", Rows("2024-11-27,10,9,11,10,100\n"), "3: high 9 is below low 11"},
        BadFile{"OpenOutsideRange", Rows("2024-11-27,8,11,9,10,100\n"),
                "3: open 8 is outside low 9 .. high 11"},
        BadFile{"CloseOutsideRange", Rows("2024-11-27,10,11,9,11.5,100\n"),
                "3: close 11.5 is outside low 9 .. high 11"},
        BadFile{"Holiday", Rows("2024-11-28,10,11,9,10,100\n"),
                "3: 2024-11-28 is not a NYSE session (Thanksgiving Day)"},
        BadFile{"Weekend", Rows("2024-11-30,10,11,9,10,100\n"),
                "3: 2024-11-30 is not a NYSE session (weekend)"},
        BadFile{"DateBeforeTheCalendar", Rows("1899-12-29,10,11,9,10,100\n"),
                "3: 1899-12-29 is outside the years the NYSE calendar covers (1990-2028); to add "
                "years, extend data/calendars/nyse.toml as src/calendar/README.md (\"Adding a "
                "year\") describes and rebuild"},
        BadFile{"DateAfterTheCalendar", Rows("9999-12-31,10,11,9,10,100\n"),
                "3: 9999-12-31 is outside the years the NYSE calendar covers (1990-2028); to add "
                "years, extend data/calendars/nyse.toml as src/calendar/README.md (\"Adding a "
                "year\") describes and rebuild"},
        BadFile{"NseDateBeforeTheCalendar",
                "SYMBOL,SERIES,OPEN,HIGH,LOW,CLOSE,LAST,PREVCLOSE,TOTTRDQTY,TOTTRDVAL,TIMESTAMP\n"
                "INFY,EQ,1650,1660,1640,1655,1655,1648,2000000,3310000000,03-JAN-2005\n"
                "INFY,EQ,1650,1660,1640,1655,1655,1648,2000000,3310000000,31-DEC-2004\n",
                "3: INFY: 2004-12-31 is outside the years the NSE calendar covers (2005-2026); to "
                "add years, extend data/calendars/nse.toml as src/calendar/README.md (\"Adding a "
                "year\") describes and rebuild"},
        BadFile{"DuplicatedDate", Rows("2024-11-26,10,11,9,10,100\n"),
                "3: duplicated date 2024-11-26 (first on line 2)"},
        BadFile{"OutOfOrder", Rows("2024-11-27,10,11,9,10,100\n2024-11-25,10,11,9,10,100\n"),
                "4: date 2024-11-25 is out of order (after 2024-11-27 on line 3)"},
        BadFile{"WrongFieldCount", Rows("2024-11-27,10,11,9,10\n"), "3: expected 6 fields, got 5"},
        BadFile{"UnknownHeader", "when,price\n2024-11-27,10\n",
                "1: unrecognised header 'when,price': expected Date,Open,High,Low,Close[,Adj "
                "Close][,Volume], Date,Close, symbol,date,close[,...] or an NSE bhavcopy (old or "
                "UDiFF)"},
        BadFile{"NseHoliday",
                "SYMBOL,SERIES,OPEN,HIGH,LOW,CLOSE,LAST,PREVCLOSE,TOTTRDQTY,TOTTRDVAL,TIMESTAMP\n"
                "INFY,EQ,1650,1660,1640,1655,1655,1648,2000000,3310000000,16-JUL-2024\n"
                "INFY,EQ,1650,1660,1640,1655,1655,1648,2000000,3310000000,17-JUL-2024\n",
                "3: INFY: 2024-07-17 is not a NSE session (Moharram)"}),
    [](const ::testing::TestParamInfo<BadFile>& info) { return info.param.name; });

TEST_F(ImportTest, WeekdaysCalendarTakesAnyYear) {
  fs::path p = Write("old.csv", "Date,Close\n1899-12-29,10\n9999-12-31,10\n");
  ImportOptions options;
  options.exchange = "WEEKDAYS";
  Result<ImportReport> r = Import({p}, options);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->errors, IsEmpty());
  EXPECT_EQ(store_.series["OLD"].size(), 2u);
}

TEST_F(ImportTest, SkipBadStoresTheGoodRowsAndStillListsTheBadOnes) {
  fs::path p = Write("x.csv", Rows("2024-11-27,10,11,9,ten,100\n2024-11-29,10,11,9,10,100\n"));
  ImportOptions o;
  o.skip_bad = true;
  Result<ImportReport> r = Import({p}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Messages(r->errors),
              ElementsAre(p.string() + ":3: cannot parse close 'ten' as a number"));
  EXPECT_EQ(r->files_rejected, 0);
  EXPECT_EQ(r->rows_bad, 1);
  EXPECT_EQ(r->rows_stored, 2);
  EXPECT_EQ(store_.series["X"].dates, (std::vector<Date>{D("2024-11-26"), D("2024-11-29")}));
}

TEST_F(ImportTest, SkipBadCountsAFileWhoseEveryRowWasBadAsRejected) {
  Write("d/bad.csv", "Date,Open,High,Low,Close,Volume\n2024-11-27,10,11,9,ten,100\n");
  Write("d/good.csv", Rows(""));
  ImportOptions o;
  o.skip_bad = true;
  Result<ImportReport> r = Import({dir_ / "d"}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->files_rejected, 1);
  EXPECT_EQ(r->rows_bad, 1);
  EXPECT_THAT(store_.series, UnorderedElementsAre(::testing::Key("GOOD")));
}

TEST_F(ImportTest, ABadFileDoesNotStopTheGoodOnes) {
  fs::path bad = Write("d/bad.csv", Rows("2024-11-27,10,11,9,ten,100\n"));
  Write("d/good.csv", Rows(""));
  Result<ImportReport> r = Import({dir_ / "d"});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Messages(r->errors),
              ElementsAre(bad.string() + ":3: cannot parse close 'ten' as a number"));
  EXPECT_THAT(store_.series, UnorderedElementsAre(::testing::Key("GOOD")));
}

TEST_F(ImportTest, TheSameDateInTwoFilesRejectsTheLaterFile) {
  fs::path a = Write("a.csv", "symbol,date,close\nX,2024-11-26,1\nY,2024-11-26,5\n");
  fs::path b = Write("b.csv", "symbol,date,close\nX,2024-11-26,3\nX,2024-11-27,2\n");
  Result<ImportReport> r = Import({a, b});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(
      Messages(r->errors),
      ElementsAre(b.string() + ":2: X: duplicated date 2024-11-26 (also in " + a.string() + ":2)"));
  EXPECT_EQ(store_.series["X"].close, std::vector<double>{1});
  EXPECT_EQ(store_.series["Y"].close, std::vector<double>{5});

  MemoryStore store;
  ImportOptions o;
  o.skip_bad = true;
  r = ImportPaths(store, std::vector<fs::path>{a, b}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(store.series["X"].close, (std::vector<double>{1, 2}));  // the first file wins
}

TEST_F(ImportTest, AFullDiskStopsTheImportAndTheReportSaysWhatWasStored) {
  fs::path p =
      Write("long.csv", "symbol,date,close\nA,2024-11-26,1\nB,2024-11-26,2\nC,2024-11-26,3\n");
  store_.full_after = 1;
  Result<ImportReport> r = Import({p});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->ok());
  EXPECT_EQ(r->stopped.code(), StatusCode::kIOError);
  EXPECT_EQ(r->stopped.message(),
            "storing B (2 of 3 symbols not stored): write: No space left on device");
  EXPECT_THAT(r->symbols, UnorderedElementsAre(::testing::Key("A")));
  EXPECT_EQ(r->rows_stored, 1);
  EXPECT_EQ(r->Summary(),
            "1 file, 3 rows read, 1 stored for 1 symbol, 0 bad, 0 without data, 0 other series, 0 "
            "errors, 0 warnings");
}

TEST_F(ImportTest, AFileNamedTwiceIsImportedOnce) {
  fs::path a = Write("d/a.csv", "date,close\n2024-11-26,1\n");
  Result<ImportReport> r = Import({a, dir_ / "d", dir_ / "d/../d/a.csv"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->files, 1);
  EXPECT_THAT(r->errors, IsEmpty());
  EXPECT_EQ(store_.series["A"].size(), 1u);
}

TEST_F(ImportTest, CrossFileDuplicatesAreListedUpToTheLimit) {
  fs::path a =
      Write("a.csv", "symbol,date,close\nX,2024-11-25,1\nX,2024-11-26,1\nX,2024-11-27,1\n");
  fs::path b =
      Write("b.csv", "symbol,date,close\nX,2024-11-25,1\nX,2024-11-26,1\nX,2024-11-27,1\n");
  ImportOptions o;
  o.max_errors_per_file = 1;
  Result<ImportReport> r = Import({a, b}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(
      Messages(r->errors),
      ElementsAre(
          b.string() + ":2: X: duplicated date 2024-11-25 (also in " + a.string() + ":2)",
          b.string() + ": 2 more rows of dates already imported from other files not listed"));
  EXPECT_EQ(r->rows_bad, 3);
  EXPECT_EQ(store_.series["X"].size(), 3u);
}

TEST_F(ImportTest, CloseOnlyAndOhlcvOfOneSymbolInOneImportConflict) {
  fs::path a = Write("a.csv", "symbol,date,close\nX,2024-11-26,1\n");
  fs::path b = Write("b.csv", "symbol,date,open,high,low,close\nX,2024-11-27,1,1,1,1\n");
  Result<ImportReport> r = Import({a, b});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(
      Messages(r->errors),
      ElementsAre(b.string() + ":2: X: open/high/low/close here but close-only in " + a.string()));
  EXPECT_TRUE(store_.series["X"].close_only);
}

TEST_F(ImportTest, StoreRefusalIsReportedPerSymbol) {
  fs::path a = Write("X.csv", "date,close\n2024-11-26,1\n");
  fs::path b = Write("Y.csv", "date,close\n2024-11-26,1\n");
  BarSeries stored;
  stored.instrument = {"X", "NYSE"};
  stored.Append({D("2024-11-25"), 1, 1, 1, 1, 1});
  store_.series["X"] = stored;  // OHLCV: a close-only upsert is refused
  Result<ImportReport> r = Import({a, b});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(
      Messages(r->errors),
      ElementsAre(a.string() + ": X: not stored: close-only-ness differs from the stored series"));
  EXPECT_THAT(r->symbols, UnorderedElementsAre(::testing::Key("Y")));
  EXPECT_EQ(store_.series["X"].size(), 1u);
}

TEST_F(ImportTest, SuspectedSplitIsAWarningNotAnError) {
  fs::path p = Write("x.csv", "date,close\n2024-11-25,100\n2024-11-26,50.2\n2024-11-27,40\n");
  Result<ImportReport> r = Import({p});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->errors, IsEmpty());
  EXPECT_THAT(Messages(r->warnings),
              ElementsAre(p.string() +
                          ":3: X: close 100 on 2024-11-25 then 50.2 on 2024-11-26 (x0.502): an "
                          "unadjusted 2:1 split?"));
  EXPECT_EQ(store_.series["X"].size(), 3u);
}

TEST_F(ImportTest, SessionsWithoutABarAreAWarning) {
  // 2024-11-26 is missing; 2024-11-28 (Thanksgiving) is no session, so not missing.
  fs::path p = Write("x.csv", "date,close\n2024-11-25,10\n2024-11-27,10\n2024-11-29,10\n");
  Result<ImportReport> r = Import({p});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->errors, IsEmpty());
  EXPECT_THAT(Messages(r->warnings),
              ElementsAre(p.string() +
                          ": X: 1 NYSE session without a bar between 2024-11-25 and 2024-11-29 "
                          "(first 2024-11-26)"));
  EXPECT_EQ(store_.series["X"].size(), 3u);
}

TEST_F(ImportTest, MissingSessionsAreOnlyCountedWhereTheCalendarCoversThem) {
  fs::path p = Write("x.csv", "date,close\n1985-12-23,10\n1985-12-27,10\n");
  Result<ImportReport> r = Import({p});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->warnings, IsEmpty());
}

TEST_F(ImportTest, CrLfBomQuotesAndBlankLinesTogether) {
  fs::path p =
      Write("q.csv", "\xEF\xBB\xBF\"Date\",\"Close\"\r\n\r\n\"2024-11-26\",\"10.5\"\r\n  \r\n");
  Result<ImportReport> r = Import({p});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->errors, IsEmpty());
  EXPECT_EQ(r->rows_read, 1);
  EXPECT_EQ(store_.series["Q"].close, std::vector<double>{10.5});
}

TEST_F(ImportTest, ManyFilesOnTwoThreadsGiveTheSameResultAsOne) {
  for (int i = 0; i < 40; ++i) {
    Write(fmt::format("m/s{:02}.csv", i),
          fmt::format("date,close\n2024-11-26,{}\n2024-11-27,{}\n", i + 1, i + 2));
  }
  Write("m/s07.csv", "date,close\n2024-11-26,x\n");
  ImportOptions one;
  one.threads = 1;
  MemoryStore a;
  Result<ImportReport> ra = ImportPaths(a, std::vector<fs::path>{dir_ / "m"}, one);
  Result<ImportReport> rb = Import({dir_ / "m"});
  ASSERT_TRUE(ra.ok() && rb.ok());
  EXPECT_EQ(Messages(ra->errors), Messages(rb->errors));
  EXPECT_EQ(ra->rows_stored, 78);
  EXPECT_EQ(rb->rows_stored, 78);
  ASSERT_EQ(a.series.size(), store_.series.size());
  for (auto& [symbol, s] : a.series) EXPECT_EQ(s.close, store_.series[symbol].close) << symbol;
}

// --- The real files in shared/data ---------------------------------------------------------------

TEST_F(ImportTest, RealSp500ConstituentsFlagTheNvdaAndHrbSplits) {
  fs::path f = kRealData / "sp500_constituents_close_2001H2.csv";
  Result<ImportReport> r = Import({f});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_THAT(Messages(r->errors), IsEmpty());
  EXPECT_EQ(r->rows_read, 50855);
  EXPECT_EQ(r->rows_stored, 50855);
  EXPECT_EQ(r->rows_no_data, 0);  // this copy of SP2001 has no NA rows: the symbols just have fewer
  std::vector<std::string> warnings = Messages(r->warnings);
  auto flagged = [&](std::string_view text) {
    return std::any_of(warnings.begin(), warnings.end(),
                       [&](const std::string& w) { return w.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(
      flagged("HRB: close 72.48 on 2001-08-01 then 35.96 on 2001-08-02 (x0.496): an "
              "unadjusted 2:1 split?"));
  EXPECT_TRUE(
      flagged("NVDA: close 75.76 on 2001-09-10 then 33.99 on 2001-09-17 (x0.449): an "
              "unadjusted 2:1 split?"));
  // The real gaps: symbols with fewer than the 103 sessions of the window, e.g. A lacks three.
  EXPECT_TRUE(
      flagged(": A: 3 NYSE sessions without a bar between 2001-07-31 and 2001-12-31 "
              "(first 2001-08-16)"));
  EXPECT_TRUE(store_.series["NVDA"].close_only);
  EXPECT_EQ(store_.series["NVDA"].size(), 103u);
  // The 2001-09-11..14 closure is in the calendar and in the data: no bar on those days.
  EXPECT_EQ(r->symbols["NVDA"].first, D("2001-07-31"));
  EXPECT_EQ(r->symbols["NVDA"].last, D("2001-12-31"));
}

TEST_F(ImportTest, RealDowJonesAndSp500IndexImportCleanly) {
  Result<ImportReport> r = Import({kRealData / "dowjones30_close_1990_2001.csv"});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Messages(r->errors), IsEmpty());
  EXPECT_EQ(r->rows_stored, 75870);
  EXPECT_EQ(r->symbols.size(), 30u);
  // Every session of the NYSE calendar has a bar; only PG's -30 % of 2000-03-07 looks like 3:2.
  EXPECT_THAT(Messages(r->warnings),
              ElementsAre(::testing::EndsWith("PG: close 85.55 on 2000-03-06 then 59.68 on "
                                              "2000-03-07 (x0.698): an unadjusted 3:2 split?")));

  r = Import({kRealData / "sp500_index_ohlcv_2000_2020.csv"});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Messages(r->errors), IsEmpty());
  EXPECT_EQ(r->rows_stored, 5105);
  EXPECT_THAT(r->warnings, IsEmpty());
  EXPECT_FALSE(store_.series["^GSPC"].close_only);
  EXPECT_EQ(store_.series["^GSPC"].bar(0),
            (Bar{D("2000-01-03"), 1469.25, 1478, 1438.359985, 1455.219971, 931800000}));
}

}  // namespace
}  // namespace kairos::marketdata
