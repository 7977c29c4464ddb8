// The store-wide tail file (tail_file.h) as BarStore::Tails() serves it.

#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "marketdata/bar_store.h"
#include "marketdata/tail_file.h"

namespace kairos::marketdata {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

// n daily OHLCV bars on consecutive days from `first`, values derived from `base` and the row
// with fractions, so that a byte copied from the wrong row or column shows.
BarSeries Ohlcv(std::string symbol, Date first, int n, double base = 100) {
  BarSeries s;
  s.instrument = {std::move(symbol), "NYSE"};
  for (int i = 0; i < n; ++i) {
    double c = base + i * 0.37;
    s.Append({first.AddDays(i), c - 0.5, c + 1.25, c - 1.5, c, 1000.0 + i * 3.1});
  }
  return s;
}

BarSeries CloseOnly(std::string symbol, Date first, int n, double base = 50) {
  BarSeries s;
  s.instrument = {std::move(symbol), "IDX"};
  s.close_only = true;
  for (int i = 0; i < n; ++i) s.Append({.date = first.AddDays(i), .close = base + i * 0.11});
  return s;
}

std::string ReadBytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
void WriteBytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

template <typename T>
bool SameBytes(std::span<const T> a, std::span<const T> b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size_bytes()) == 0);
}

class TailsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = fs::temp_directory_path() /
            fmt::format("kairos_tails_test_{}_{}", ::getpid(),
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(home_);
    store_ = OpenStore();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(home_);
  }
  std::unique_ptr<BarStore> OpenStore() {
    auto store = BarStore::Open(home_, BarStoreOptions{.sync = false});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }
  fs::path TailPath() const { return home_ / "bars" / internal::kTailFileName; }

  // Tail(symbol, all, rows) equals ReadTail(symbol, all, rows), every column bit for bit.
  void ExpectTailEqualsReadTail(const SeriesTails& tails, const std::string& symbol, size_t rows) {
    SCOPED_TRACE(fmt::format("{} last {} rows", symbol, rows));
    auto got = tails.Tail(symbol, ColumnSet::All(), rows);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    auto want = store_->ReadTail(symbol, ColumnSet::All(), rows);
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    const SeriesView& g = **got;
    const SeriesView& w = **want;
    EXPECT_EQ(g.info(), w.info());
    EXPECT_TRUE(SameBytes(g.dates(), w.dates()));
    EXPECT_TRUE(SameBytes(g.open(), w.open()));
    EXPECT_TRUE(SameBytes(g.high(), w.high()));
    EXPECT_TRUE(SameBytes(g.low(), w.low()));
    EXPECT_TRUE(SameBytes(g.close(), w.close()));
    EXPECT_TRUE(SameBytes(g.volume(), w.volume()));
    EXPECT_EQ(g.dates().size(), rows);
  }

  // Offset of the first byte of the close piece of entry `index` in a tail file of `count`
  // entries (the format in tail_file.cc).
  static size_t ClosePieceOffset(size_t count, size_t index) {
    const size_t k = internal::kTailRows;
    size_t at = (128 + count * 192 + 63) / 64 * 64;
    at += count * k * 4;        // dates
    at += 3 * count * k * 8;    // open, high, low
    return at + index * k * 8;  // close of entry `index`
  }

  fs::path home_;
  std::unique_ptr<BarStore> store_;
};

TEST_F(TailsTest, TailEqualsReadTailForEverySymbolAndColumn) {
  const std::vector<BarSeries> series = {
      Ohlcv("AAPL", D(2020, 1, 1), 1500),  Ohlcv("M&M", D(2021, 3, 1), 3),
      Ohlcv("BRK.B", D(2019, 1, 1), 511),  Ohlcv("MSFT", D(2019, 1, 1), 512),
      Ohlcv("^GSPC", D(2019, 1, 1), 513),  CloseOnly("NIFTY 50", D(2018, 5, 5), 700),
      CloseOnly("SPX", D(2018, 5, 5), 20),
  };
  for (const BarSeries& s : series) ASSERT_TRUE(store_->Replace(s).ok());
  std::shared_ptr<const SeriesTails> tails = store_->Tails();
  ASSERT_NE(tails, nullptr);
  EXPECT_EQ(tails->capacity(), internal::kTailRows);
  for (const BarSeries& s : series) {
    const size_t kept = std::min(s.size(), tails->capacity());
    for (size_t rows : {size_t{1}, size_t{2}, kept / 2 + 1, kept}) {
      ExpectTailEqualsReadTail(*tails, s.instrument.symbol, rows);
    }
  }
  // Only the columns asked for are served.
  auto some = tails->Tail("AAPL", {Column::kClose}, 5);
  ASSERT_TRUE(some.ok());
  EXPECT_EQ((*some)->close()[4], series[0].close.back());
  EXPECT_DEATH((void)(*some)->volume(), "column 'volume' of AAPL was not asked for in Tail");

  auto more = tails->Tail("AAPL", {Column::kClose}, internal::kTailRows + 1);
  EXPECT_EQ(more.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(more.status().message(), "AAPL: the tail file keeps 512 rows, 513 asked for");
  EXPECT_EQ(tails->Tail("M&M", {Column::kClose}, 4).status().message(),
            "M&M: the tail file keeps 3 rows, 4 asked for");
  EXPECT_EQ(tails->Tail("NOPE", {Column::kClose}, 1).status().message(),
            "NOPE: not in the tail file");
  EXPECT_EQ(tails->Tail("AAPL", {Column::kClose}, 0).status().message(),
            "a tail read needs at least one row");
}

TEST_F(TailsTest, UnbatchedWritesAreReflected) {
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2020, 1, 1), 600)).ok());
  ASSERT_TRUE(store_->Replace(Ohlcv("MSFT", D(2020, 1, 1), 600, 300)).ok());
  ExpectTailEqualsReadTail(*store_->Tails(), "AAPL", 512);

  // Upsert: new bars after the last one, and a replaced bar inside the tail.
  BarSeries more = Ohlcv("AAPL", D(2020, 1, 1).AddDays(598), 10, 7);
  ASSERT_TRUE(store_->Upsert(more).ok());
  auto tails = store_->Tails();
  ExpectTailEqualsReadTail(*tails, "AAPL", 512);
  auto t = tails->Tail("AAPL", {Column::kClose}, 10);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)->close()[9], more.close.back());
  EXPECT_EQ((*t)->info().bars, 608);

  // Replace by a shorter, close-only series.
  ASSERT_TRUE(store_->Replace(CloseOnly("AAPL", D(2022, 1, 1), 40)).ok());
  ExpectTailEqualsReadTail(*store_->Tails(), "AAPL", 40);
  ExpectTailEqualsReadTail(*store_->Tails(), "MSFT", 512);

  ASSERT_TRUE(store_->Remove("AAPL").ok());
  EXPECT_EQ(store_->Tails()->Tail("AAPL", {Column::kClose}, 1).status().code(),
            StatusCode::kNotFound);
  ExpectTailEqualsReadTail(*store_->Tails(), "MSFT", 512);
}

TEST_F(TailsTest, BatchedWritesAreReflectedAtEndBatch) {
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2020, 1, 1), 600)).ok());
  store_->BeginBatch();
  ASSERT_TRUE(store_->Upsert(Ohlcv("AAPL", D(2020, 1, 1).AddDays(600), 5, 900)).ok());
  ASSERT_TRUE(store_->Replace(Ohlcv("MSFT", D(2020, 1, 1), 700, 300)).ok());
  // Inside the batch the tail file is the old one: its AAPL entry is stale, MSFT is absent,
  // and neither is served.
  auto inside = store_->Tails();
  ASSERT_NE(inside, nullptr);
  auto stale = inside->Tail("AAPL", {Column::kClose}, 10);
  EXPECT_EQ(stale.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(stale.status().message(), "AAPL: the tail file is stale for it");
  EXPECT_EQ(inside->Tail("MSFT", {Column::kClose}, 10).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->EndBatch().ok());

  auto after = store_->Tails();
  ExpectTailEqualsReadTail(*after, "AAPL", 512);
  ExpectTailEqualsReadTail(*after, "MSFT", 512);
  auto t = after->Tail("AAPL", {Column::kClose}, 1);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)->close()[0], 900 + 4 * 0.37);
  // A snapshot taken before keeps serving what it was made from: the stale answer.
  EXPECT_EQ(inside->Tail("AAPL", {Column::kClose}, 10).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(TailsTest, RestoredOlderTailFileIsStaleUntilRebuilt) {
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2020, 1, 1), 600)).ok());
  ASSERT_TRUE(store_->Replace(Ohlcv("MSFT", D(2020, 1, 1), 600, 300)).ok());
  const std::string old = ReadBytes(TailPath());
  ASSERT_TRUE(store_->Upsert(Ohlcv("AAPL", D(2020, 1, 1).AddDays(600), 3, 5)).ok());
  WriteBytes(TailPath(), old);

  for (int reopen = 0; reopen < 2; ++reopen) {
    SCOPED_TRACE(reopen ? "reopened store" : "same store");
    if (reopen) store_ = OpenStore();
    auto tails = store_->Tails();
    ASSERT_NE(tails, nullptr);
    EXPECT_EQ(tails->Tail("AAPL", {Column::kClose}, 5).status().message(),
              "AAPL: the tail file is stale for it");
    ExpectTailEqualsReadTail(*tails, "MSFT", 512);  // unchanged: still served
  }
  ASSERT_TRUE(store_->RebuildTails().ok());
  ExpectTailEqualsReadTail(*store_->Tails(), "AAPL", 512);
}

TEST_F(TailsTest, DamagedTailFileIsNeverServed) {
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2020, 1, 1), 600)).ok());
  ASSERT_TRUE(store_->Replace(Ohlcv("MSFT", D(2020, 1, 1), 600, 300)).ok());
  const std::string good = ReadBytes(TailPath());

  // A byte of AAPL's closes: that piece is refused with the reason, the rest is served.
  std::string bad = good;
  bad[ClosePieceOffset(2, 0) + 8 * 511 + 3] ^= 0x10;
  WriteBytes(TailPath(), bad);
  auto tails = store_->Tails();
  ASSERT_NE(tails, nullptr);
  auto hit = tails->Tail("AAPL", {Column::kClose}, 3);
  EXPECT_EQ(hit.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(hit.status().message(), HasSubstr("checksum mismatch in the close of AAPL"));
  EXPECT_TRUE(tails->Tail("AAPL", {Column::kVolume}, 3).ok());  // another column: intact
  ExpectTailEqualsReadTail(*tails, "MSFT", 512);
  // RebuildTails repairs it from the bar file.
  ASSERT_TRUE(store_->RebuildTails().ok());
  ExpectTailEqualsReadTail(*store_->Tails(), "AAPL", 512);

  // Header, entry table, truncation, trailing bytes: no tail file at all.
  const std::vector<std::pair<std::string, std::function<void(std::string&)>>> damages = {
      {"header", [](std::string& b) { b[20] ^= 1; }},
      {"entry table", [](std::string& b) { b[128 + 192 + 70] ^= 1; }},
      {"truncated", [](std::string& b) { b.resize(b.size() - 64); }},
      {"too short", [](std::string& b) { b.resize(100); }},
      {"trailing", [](std::string& b) { b += "x"; }},
  };
  for (const auto& [what, damage] : damages) {
    SCOPED_TRACE(what);
    std::string copy = good;
    damage(copy);
    WriteBytes(TailPath(), copy);
    EXPECT_EQ(store_->Tails(), nullptr);
    EXPECT_EQ(OpenStore()->Tails(), nullptr);
  }
  ASSERT_TRUE(store_->RebuildTails().ok());
  EXPECT_TRUE(ReadBytes(TailPath()) == good);  // the same file again
}

TEST_F(TailsTest, CrashBetweenBarFileAndTailFileLeavesAStaleEntry) {
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2020, 1, 1), 600)).ok());
  ASSERT_TRUE(store_->Replace(Ohlcv("MSFT", D(2020, 1, 1), 600, 300)).ok());
  store_.reset();
  // What a crash right after the rename of a new AAPL file leaves: the new bar file, the old
  // manifest and the old tail file. (Made in another store, then copied over.)
  const fs::path other = home_ / "other";
  {
    auto writer = BarStore::Open(other, BarStoreOptions{.sync = false});
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Replace(Ohlcv("AAPL", D(2020, 1, 1), 620, 40)).ok());
  }
  fs::copy_file(other / "bars" / SymbolFileName("AAPL"), home_ / "bars" / SymbolFileName("AAPL"),
                fs::copy_options::overwrite_existing);
  store_ = OpenStore();  // repairs the manifest from the file
  ASSERT_EQ(store_->Info("AAPL")->bars, 620);
  auto tails = store_->Tails();
  ASSERT_NE(tails, nullptr);
  EXPECT_EQ(tails->Tail("AAPL", {Column::kClose}, 5).status().code(),
            StatusCode::kFailedPrecondition);
  ExpectTailEqualsReadTail(*tails, "MSFT", 512);
  // The next write (here: of another symbol) brings it up to date.
  ASSERT_TRUE(store_->Replace(Ohlcv("IBM", D(2020, 1, 1), 30)).ok());
  ExpectTailEqualsReadTail(*store_->Tails(), "AAPL", 512);
}

TEST_F(TailsTest, StoreWithoutTailFileHasNoneUntilRebuilt) {
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2020, 1, 1), 600)).ok());
  fs::remove(TailPath());
  store_ = OpenStore();
  EXPECT_EQ(store_->Tails(), nullptr);
  EXPECT_FALSE(fs::exists(TailPath()));  // Open() does not write it
  ASSERT_TRUE(store_->RebuildTails().ok());
  ExpectTailEqualsReadTail(*store_->Tails(), "AAPL", 512);
  // Already current: not rewritten.
  const auto before = fs::last_write_time(TailPath());
  struct stat st_before;
  ASSERT_EQ(::stat(TailPath().c_str(), &st_before), 0);
  ASSERT_TRUE(store_->RebuildTails().ok());
  struct stat st_after;
  ASSERT_EQ(::stat(TailPath().c_str(), &st_after), 0);
  EXPECT_EQ(st_before.st_ino, st_after.st_ino);
  EXPECT_EQ(fs::last_write_time(TailPath()), before);
}

}  // namespace
}  // namespace kairos::marketdata
