#include "marketdata/bar_store.h"

#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "marketdata/bar_store_test_fixture.h"

// Reads: only the columns asked for are verified and served; tail reads.
namespace kairos::marketdata {
namespace {

using namespace bar_store_test;  // NOLINT: the shared fixture
using ::testing::HasSubstr;
using ::testing::Not;

TEST_P(BarStoreTest, ReadColumnsVerifiesOnlyWhatItServes) {
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2024, 1, 1), 10)).ok());
  std::string bytes = ReadBytes(FileOf("AAPL"));
  bytes[460] ^= 1;  // inside the open column
  WriteBytes(FileOf("AAPL"), bytes);

  auto closes = store_->ReadColumns("AAPL", {Column::kClose});
  ASSERT_TRUE(closes.ok()) << closes.status().ToString();
  EXPECT_EQ((*closes)->close().size(), 10u);
  EXPECT_EQ((*closes)->close()[9], 109);
  EXPECT_EQ((*closes)->dates().size(), 10u);
  EXPECT_DEATH((void)(*closes)->open(), "column 'open' of AAPL was not asked for");

  EXPECT_EQ(store_->ReadColumns("AAPL", {Column::kOpen}).status().message(),
            FileOf("AAPL").string() + ": checksum mismatch in column 'open'");
  EXPECT_EQ(store_->Read("AAPL").status().code(), StatusCode::kCorruption);
}

TEST_P(BarStoreTest, ReadTailServesTheLastRows) {
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2024, 1, 1), 10)).ok());
  auto tail = store_->ReadTail("AAPL", {Column::kClose, Column::kVolume}, 3);
  ASSERT_TRUE(tail.ok()) << tail.status().ToString();
  const SeriesView& v = **tail;
  EXPECT_EQ(v.info().bars, 10);  // info describes the whole stored series
  EXPECT_EQ(v.info().first, D(2024, 1, 1));
  ASSERT_EQ(v.dates().size(), 3u);
  EXPECT_EQ(v.dates()[0], D(2024, 1, 8));
  EXPECT_EQ(v.dates()[2], D(2024, 1, 10));
  EXPECT_EQ(std::vector<double>(v.close().begin(), v.close().end()),
            (std::vector<double>{107, 108, 109}));
  EXPECT_EQ(std::vector<double>(v.volume().begin(), v.volume().end()),
            (std::vector<double>{1007, 1008, 1009}));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(v.close().data()) % 64, 0u);
  EXPECT_DEATH((void)v.open(), "column 'open' of AAPL was not asked for");

  // More rows than stored: the whole series.
  auto all = store_->ReadTail("AAPL", {Column::kClose}, 50);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)->dates().size(), 10u);
  EXPECT_EQ((*all)->close()[0], 100);

  EXPECT_EQ(store_->ReadTail("AAPL", {Column::kClose}, 0).status().message(),
            "a tail read needs at least one row");
  EXPECT_EQ(store_->ReadTail("MSFT", {Column::kClose}, 3).status().code(), StatusCode::kNotFound);
}

TEST_P(BarStoreTest, ReadTailOfCloseOnlyServesEmptyColumns) {
  ASSERT_TRUE(store_->Replace(CloseOnly("SPX", D(2024, 1, 1), 8)).ok());
  auto tail = store_->ReadTail("SPX", {Column::kClose, Column::kVolume}, 2);
  ASSERT_TRUE(tail.ok()) << tail.status().ToString();
  EXPECT_EQ((*tail)->close().size(), 2u);
  EXPECT_EQ((*tail)->close()[1], 57);
  EXPECT_TRUE((*tail)->volume().empty());
}

TEST_P(BarStoreTest, ReadTailRefusesADamagedHeaderOrFile) {
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2024, 1, 1), 10)).ok());
  const std::string good = ReadBytes(FileOf("AAPL"));
  auto tail_after = [&](const std::function<void(std::string&)>& damage) {
    std::string bytes = good;
    damage(bytes);
    WriteBytes(FileOf("AAPL"), bytes);
    return store_->ReadTail("AAPL", {Column::kClose}, 3).status();
  };
  const std::string file = FileOf("AAPL").string() + ": ";
  EXPECT_EQ(tail_after([](std::string& b) { b[20] ^= 1; }).message(),
            file + "header checksum mismatch");
  EXPECT_EQ(tail_after([](std::string& b) { b.resize(b.size() - 64); }).message(),
            file + "truncated: 896 bytes, the header says 960");
  EXPECT_EQ(tail_after([](std::string& b) { b += "junk"; }).message(),
            file + "964 bytes, the header says 960 (trailing garbage)");
  // Dates [256, 296): rows 7..9 are the tail. Out of order inside it, checksums rehashed.
  EXPECT_EQ(tail_after([](std::string& b) {
              std::swap_ranges(b.begin() + 256 + 4 * 8, b.begin() + 256 + 4 * 9,
                               b.begin() + 256 + 4 * 9);
              Rehash(b);
            }).message(),
            file + "dates not strictly increasing at row 9");
  // The last date changed without the header knowing (no rehash: only the column hash is off,
  // which a tail read does not check, but the header's last date catches it).
  EXPECT_EQ(tail_after([](std::string& b) { b[256 + 4 * 9] ^= 0x40; }).message(),
            file + "last date in the header disagrees with the dates column");
  // A tail covering the whole series is a full read: column checksums are verified.
  std::string bytes = good;
  bytes[330] ^= 1;  // close, row 1 (not in a 3-row tail)
  WriteBytes(FileOf("AAPL"), bytes);
  EXPECT_EQ(store_->ReadTail("AAPL", {Column::kClose}, 10).status().message(),
            file + "checksum mismatch in column 'close'");
  // Documented gap: a 3-row tail does not hash the close column, so damage outside (or inside)
  // the tail's values is not seen here; the full read still refuses the file.
  EXPECT_TRUE(store_->ReadTail("AAPL", {Column::kClose}, 3).ok());
  EXPECT_EQ(store_->ReadColumns("AAPL", {Column::kClose}).status().code(), StatusCode::kCorruption);
}

// A store that only implements the required methods gets ReadTail from the base class.
class DelegatingStore final : public BarStore {
 public:
  explicit DelegatingStore(BarStore* inner) : inner_(inner) {}
  Status Upsert(const BarSeries& bars) override { return inner_->Upsert(bars); }
  Status Replace(const BarSeries& bars) override { return inner_->Replace(bars); }
  Status Remove(std::string_view symbol) override { return inner_->Remove(symbol); }
  Result<std::unique_ptr<SeriesView>> Read(std::string_view symbol) const override {
    return inner_->Read(symbol);
  }
  Result<std::unique_ptr<SeriesView>> ReadColumns(std::string_view symbol,
                                                  ColumnSet columns) const override {
    return inner_->ReadColumns(symbol, columns);
  }
  std::vector<SeriesInfo> List() const override { return inner_->List(); }
  Result<SeriesInfo> Info(std::string_view symbol) const override { return inner_->Info(symbol); }
  void BeginBatch() override { inner_->BeginBatch(); }
  Status EndBatch() override { return inner_->EndBatch(); }

 private:
  BarStore* inner_;
};

TEST_P(BarStoreTest, DefaultReadTailServesTheLastRowsOfAFullRead) {
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2024, 1, 1), 10)).ok());
  ASSERT_TRUE(store_->Replace(CloseOnly("SPX", D(2024, 1, 1), 8)).ok());
  DelegatingStore store(store_.get());
  auto tail = store.ReadTail("AAPL", {Column::kClose, Column::kHigh}, 4);
  ASSERT_TRUE(tail.ok()) << tail.status().ToString();
  EXPECT_EQ((*tail)->info().bars, 10);
  ASSERT_EQ((*tail)->dates().size(), 4u);
  EXPECT_EQ((*tail)->dates()[0], D(2024, 1, 7));
  EXPECT_EQ((*tail)->close()[0], 106);
  EXPECT_EQ((*tail)->high()[3], 110.25);
  EXPECT_DEATH((void)(*tail)->open(), "column 'open' of AAPL was not asked for");
  auto spx = store.ReadTail("SPX", {Column::kClose, Column::kVolume}, 2);
  ASSERT_TRUE(spx.ok());
  EXPECT_EQ((*spx)->close()[0], 56);
  EXPECT_TRUE((*spx)->volume().empty());
  EXPECT_EQ(store.ReadTail("AAPL", {Column::kClose}, 0).status().message(),
            "a tail read needs at least one row");
}

}  // namespace
}  // namespace kairos::marketdata
