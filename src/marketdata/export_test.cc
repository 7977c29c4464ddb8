#include "marketdata/export.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "marketdata/bar_store.h"
#include "marketdata/csv_import.h"
#include "marketdata/import.h"

namespace kairos::marketdata {
namespace {

namespace fs = std::filesystem;

Date D(std::string_view s) { return *Date::Parse(s); }

const fs::path kTestdata = fs::path(KAIROS_SOURCE_DIR) / "src/marketdata/testdata";
const fs::path kRealData = fs::path(KAIROS_SHARED_DIR) / "data";

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

BarSeries Sample() {
  BarSeries b;
  b.instrument = {"MSFT", "NYSE"};
  b.Append({D("2000-09-27"), 63.4375, 63.5625, 59.8125, 60.625, 53077800});
  b.Append({D("2000-09-28"), 0.1, 1e-05, 0.30000000000000004, 1455.219971, 5179990000});
  return b;
}

TEST(FormatCsvTest, OhlcvInShortestRoundTripForm) {
  EXPECT_EQ(FormatCsv(Sample()),
            "date,open,high,low,close,volume\n"
            "2000-09-27,63.4375,63.5625,59.8125,60.625,53077800\n"
            "2000-09-28,0.1,1e-05,0.30000000000000004,1455.219971,5179990000\n");
}

TEST(FormatCsvTest, CloseOnlyIsDateClose) {
  BarSeries b;
  b.instrument = {"AA", "NYSE"};
  b.close_only = true;
  b.Append({D("1990-12-31"), 0, 0, 0, 5.92, 0});
  EXPECT_EQ(FormatCsv(b), "date,close\n1990-12-31,5.92\n");
}

TEST(FormatCsvTest, EmptySeriesIsTheHeaderAlone) {
  EXPECT_EQ(FormatCsv(BarSeries{}), "date,open,high,low,close,volume\n");
}

TEST(ExportCsvTest, WritesToStreamsAndFiles) {
  std::ostringstream os;
  ASSERT_TRUE(ExportCsv(Sample(), os).ok());
  EXPECT_EQ(os.str(), FormatCsv(Sample()));

  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(ExportCsv(Sample(), f).ok());
  std::rewind(f);
  std::string text(4096, '\0');
  text.resize(std::fread(text.data(), 1, text.size(), f));
  std::fclose(f);
  EXPECT_EQ(text, FormatCsv(Sample()));
}

TEST(ExportCsvTest, LongSeriesIsWrittenInChunksWithoutLoss) {
  BarSeries b;
  b.instrument = {"X", "NYSE"};
  Date d = D("2000-01-03");
  for (int i = 0; i < 5000; ++i, d = d.AddDays(1)) b.Append({d, 1.5, 2.25, 1, 2, 1000.0 + i});
  std::ostringstream os;
  ASSERT_TRUE(ExportCsv(b, os).ok());
  std::string text = os.str();
  EXPECT_EQ(text, FormatCsv(b));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 5001);
}

TEST(ExportCsvTest, FailedWritesAreIOErrors) {
  std::ostringstream os;
  os.setstate(std::ios::badbit);
  EXPECT_EQ(ExportCsv(Sample(), os), Status::IOError("writing the CSV of MSFT failed"));

  std::FILE* full = std::fopen("/dev/full", "w");
  if (full != nullptr) {
    Status s = ExportCsv(Sample(), full);
    std::fclose(full);
    EXPECT_EQ(s.code(), StatusCode::kIOError);
  }
}

// Import -> export through the real bar store.
class RoundTripTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = fs::temp_directory_path() /
            fmt::format("kairos_export_test_{}_{}", ::getpid(),
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(home_);
    Result<std::unique_ptr<BarStore>> store = BarStore::Open(home_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  void TearDown() override { fs::remove_all(home_); }

  BarSeries Stored(std::string_view symbol) {
    Result<std::unique_ptr<SeriesView>> view = store_->Read(symbol);
    EXPECT_TRUE(view.ok()) << view.status().ToString();
    if (!view.ok()) return {};
    return (*view)->Copy();
  }

  fs::path home_;
  std::unique_ptr<BarStore> store_;
};

TEST_F(RoundTripTest, SampleExportsByteIdenticalToItsNormalisedForm) {
  std::vector<fs::path> in = {kTestdata / "roundtrip/input.csv"};
  ImportOptions o;
  o.symbol = "MSFT";
  Result<ImportReport> r = ImportPaths(*store_, in, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->ok()) << r->errors.front().ToString();
  std::ostringstream os;
  ASSERT_TRUE(ExportCsv(Stored("MSFT"), os).ok());
  EXPECT_EQ(os.str(), Slurp(kTestdata / "roundtrip/expected.csv"));
}

TEST_F(RoundTripTest, CloseOnlySampleRoundTrips) {
  std::vector<fs::path> in = {kTestdata / "long_close.csv"};
  Result<ImportReport> r = ImportPaths(*store_, in, {});
  ASSERT_TRUE(r.ok() && r->ok());
  EXPECT_EQ(FormatCsv(Stored("AA")), "date,close\n2024-01-02,34.1\n2024-01-05,33.5\n");
}

// The real MSFT file (prices in sixteenths) survives import -> store -> export -> import exactly.
TEST_F(RoundTripTest, RealMsftFileRoundTripsExactly) {
  fs::path f = kRealData / "msft_ohlcv_2000_2001.csv";
  std::vector<fs::path> in = {f};
  Result<ImportReport> r = ImportPaths(*store_, in, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_THAT(r->errors, ::testing::IsEmpty());
  EXPECT_EQ(r->rows_stored, 249);

  ParseOptions po;
  po.file = f.string();
  ParsedFile original = ParseCsv(Slurp(f), po);
  ASSERT_EQ(original.series.size(), 1u);
  const BarSeries& want = original.series[0].bars;
  EXPECT_EQ(want.bar(0), (Bar{D("2000-09-27"), 63.4375, 63.5625, 59.8125, 60.625, 53077800}));

  std::string exported = FormatCsv(Stored("MSFT"));
  EXPECT_THAT(exported, ::testing::StartsWith("date,open,high,low,close,volume\n"
                                              "2000-09-27,63.4375,63.5625,59.8125,60.625,"
                                              "53077800\n"));
  po.file_symbol = "MSFT";
  ParsedFile back = ParseCsv(exported, po);
  ASSERT_EQ(back.series.size(), 1u);
  const BarSeries& got = back.series[0].bars;
  EXPECT_EQ(got.dates, want.dates);
  EXPECT_EQ(got.open, want.open);
  EXPECT_EQ(got.high, want.high);
  EXPECT_EQ(got.low, want.low);
  EXPECT_EQ(got.close, want.close);
  EXPECT_EQ(got.volume, want.volume);
}

}  // namespace
}  // namespace kairos::marketdata
