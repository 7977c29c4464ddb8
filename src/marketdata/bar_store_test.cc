#include "marketdata/bar_store.h"

#include <sys/stat.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "marketdata/bar_store_test_fixture.h"

// The store: round trips, upserts, removal, writers and batches.
namespace kairos::marketdata {
namespace {

using namespace bar_store_test;  // NOLINT: the shared fixture
using ::testing::HasSubstr;
using ::testing::Not;

TEST_P(BarStoreTest, RoundTripsOhlcv) {
  BarSeries bars = Ohlcv("AAPL", D(2024, 1, 1), 37);
  ASSERT_TRUE(store_->Replace(bars).ok());
  BarSeries back = ReadAll("AAPL");
  EXPECT_EQ(back.instrument, bars.instrument);
  EXPECT_FALSE(back.close_only);
  EXPECT_EQ(back.dates, bars.dates);
  EXPECT_EQ(back.open, bars.open);
  EXPECT_EQ(back.high, bars.high);
  EXPECT_EQ(back.low, bars.low);
  EXPECT_EQ(back.close, bars.close);
  EXPECT_EQ(back.volume, bars.volume);

  Result<SeriesInfo> info = store_->Info("AAPL");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(*info, (SeriesInfo{{"AAPL", "NYSE"}, false, D(2024, 1, 1), D(2024, 2, 6), 37}));
  EXPECT_EQ(fs::file_size(FileOf("AAPL")), kHeader + Pad(37 * 4) + 5 * Pad(37 * 8));
}

TEST_P(BarStoreTest, ViewColumnsAre64ByteAligned) {
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2024, 1, 1), 13)).ok());
  auto view = store_->Read("AAPL");
  ASSERT_TRUE(view.ok());
  const SeriesView& v = **view;
  EXPECT_EQ(reinterpret_cast<uintptr_t>(v.dates().data()) % 64, 0u);
  for (auto col : {v.open(), v.high(), v.low(), v.close(), v.volume()}) {
    EXPECT_EQ(col.size(), 13u);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(col.data()) % 64, 0u);
  }
  EXPECT_EQ(v.info().bars, 13);
}

TEST_P(BarStoreTest, CloseOnlyIsStoredAsSuch) {
  BarSeries bars = CloseOnly("^GSPC", D(2024, 3, 1), 20);
  ASSERT_TRUE(store_->Replace(bars).ok());
  auto view = store_->Read("^GSPC");
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_TRUE((*view)->info().close_only);
  EXPECT_TRUE((*view)->open().empty());
  EXPECT_TRUE((*view)->high().empty());
  EXPECT_TRUE((*view)->low().empty());
  EXPECT_TRUE((*view)->volume().empty());
  BarSeries back = (*view)->Copy();
  EXPECT_TRUE(back.close_only);
  EXPECT_EQ(back.close, bars.close);
  EXPECT_EQ(back.dates, bars.dates);
  EXPECT_TRUE(back.open.empty() && back.high.empty() && back.low.empty() && back.volume.empty());
  // Only dates and closes are on disk: nothing invented.
  EXPECT_EQ(fs::file_size(FileOf("^GSPC")), kHeader + Pad(20 * 4) + Pad(20 * 8));
  EXPECT_TRUE(store_->Info("^GSPC")->close_only);
}

TEST_P(BarStoreTest, UpsertCreatesThenAppends) {
  ASSERT_TRUE(store_->Upsert(Ohlcv("MSFT", D(2024, 1, 1), 5)).ok());
  ASSERT_TRUE(store_->Upsert(Ohlcv("MSFT", D(2024, 1, 6), 5, 105)).ok());
  BarSeries back = ReadAll("MSFT");
  EXPECT_EQ(back.dates, Ohlcv("MSFT", D(2024, 1, 1), 10).dates);
  EXPECT_EQ(back.close, Ohlcv("MSFT", D(2024, 1, 1), 10).close);
  EXPECT_EQ(store_->Info("MSFT")->bars, 10);
  EXPECT_EQ(store_->Info("MSFT")->last, D(2024, 1, 10));
}

TEST_P(BarStoreTest, UpsertReplacesExistingDates) {
  ASSERT_TRUE(store_->Upsert(Ohlcv("MSFT", D(2024, 1, 1), 5)).ok());
  ASSERT_TRUE(store_->Upsert(Ohlcv("MSFT", D(2024, 1, 4), 4, 500)).ok());  // 4th..7th
  BarSeries back = ReadAll("MSFT");
  ASSERT_EQ(back.size(), 7u);
  EXPECT_EQ(back.close, (std::vector<double>{100, 101, 102, 500, 501, 502, 503}));
  EXPECT_EQ(back.volume, (std::vector<double>{1000, 1001, 1002, 1000, 1001, 1002, 1003}));
  EXPECT_EQ(back.high[3], 501.25);
}

TEST_P(BarStoreTest, UpsertInsertsInTheMiddle) {
  BarSeries gappy = Ohlcv("MSFT", D(2024, 1, 1), 2);
  gappy.Append({D(2024, 1, 10), 1, 2, 0.5, 1.5, 7});
  ASSERT_TRUE(store_->Upsert(gappy).ok());
  BarSeries middle;
  middle.instrument = {"MSFT", "NYSE"};
  middle.Append({D(2024, 1, 5), 3, 4, 2, 3.5, 9});
  middle.Append({D(2024, 1, 6), 3, 4, 2, 3.25, 9});
  ASSERT_TRUE(store_->Upsert(middle).ok());
  BarSeries back = ReadAll("MSFT");
  EXPECT_EQ(back.dates, (std::vector<Date>{D(2024, 1, 1), D(2024, 1, 2), D(2024, 1, 5),
                                           D(2024, 1, 6), D(2024, 1, 10)}));
  EXPECT_EQ(back.close, (std::vector<double>{100, 101, 3.5, 3.25, 1.5}));
}

TEST_P(BarStoreTest, UpsertCloseOnlyMismatchChangesNothing) {
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2024, 1, 1), 5)).ok());
  ASSERT_TRUE(store_->Replace(CloseOnly("IDX", D(2024, 1, 1), 5)).ok());
  const std::string aapl = ReadBytes(FileOf("AAPL"));
  const std::string idx = ReadBytes(FileOf("IDX"));
  const std::string manifest = ReadBytes(ManifestPath());

  Status s = store_->Upsert(CloseOnly("AAPL", D(2024, 1, 6), 3));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "AAPL is stored with open/high/low/volume, the new bars are close-only; use Replace "
            "to change it");
  s = store_->Upsert(Ohlcv("IDX", D(2024, 1, 6), 3));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("IDX is stored close-only"));

  EXPECT_EQ(ReadBytes(FileOf("AAPL")), aapl);
  EXPECT_EQ(ReadBytes(FileOf("IDX")), idx);
  EXPECT_EQ(ReadBytes(ManifestPath()), manifest);
  // Replace may change it.
  ASSERT_TRUE(store_->Replace(CloseOnly("AAPL", D(2024, 1, 6), 3)).ok());
  EXPECT_TRUE(store_->Info("AAPL")->close_only);
}

TEST_P(BarStoreTest, UpsertOtherExchangeIsInvalid) {
  ASSERT_TRUE(store_->Replace(Ohlcv("INFY", D(2024, 1, 1), 5)).ok());
  BarSeries nse = Ohlcv("INFY", D(2024, 1, 6), 2);
  nse.instrument.exchange = "NSE";
  Status s = store_->Upsert(nse);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "INFY is stored with exchange NYSE, the new bars say NSE; use Replace to change it");
  EXPECT_EQ(store_->Info("INFY")->bars, 5);
}

TEST_P(BarStoreTest, BadSeriesIsRejectedAndNothingStored) {
  BarSeries unsorted = Ohlcv("BAD", D(2024, 1, 1), 3);
  std::swap(unsorted.dates[1], unsorted.dates[2]);
  Status s = store_->Upsert(unsorted);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "BAD: dates not strictly increasing at row 2: 2024-01-02 after 2024-01-03");

  BarSeries dup = Ohlcv("BAD", D(2024, 1, 1), 3);
  dup.dates[2] = dup.dates[1];
  EXPECT_THAT(store_->Replace(dup).message(), HasSubstr("not strictly increasing at row 2"));

  BarSeries short_column = Ohlcv("BAD", D(2024, 1, 1), 3);
  short_column.volume.pop_back();
  s = store_->Replace(short_column);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "BAD: column 'volume' has 2 values, expected 3");

  BarSeries close_only_with_open = CloseOnly("BAD", D(2024, 1, 1), 3);
  close_only_with_open.open = {1, 2, 3};
  EXPECT_EQ(store_->Replace(close_only_with_open).message(),
            "BAD: column 'open' has 3 values, expected 0 (close-only series)");

  EXPECT_EQ(store_->Replace(Ohlcv("", D(2024, 1, 1), 3)).message(), "symbol is empty");
  EXPECT_EQ(store_->Replace(Ohlcv("A\tB", D(2024, 1, 1), 3)).message(),
            "symbol 'A\tB' holds a control character (0x09)");
  EXPECT_THAT(store_->Replace(Ohlcv(std::string(64, 'X'), D(2024, 1, 1), 3)).message(),
              HasSubstr("is longer than 63 bytes"));
  BarSeries no_exchange = Ohlcv("BAD", D(2024, 1, 1), 3);
  no_exchange.instrument.exchange.clear();
  EXPECT_EQ(store_->Replace(no_exchange).message(), "exchange is empty");
  BarSeries empty;
  empty.instrument = {"BAD", "NYSE"};
  EXPECT_EQ(store_->Replace(empty).message(), "BAD: cannot store an empty series (use Remove)");

  EXPECT_EQ(store_->Read("BAD").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->List().empty());
}

TEST_P(BarStoreTest, EmptyUpsertIsANoOp) {
  BarSeries empty;
  empty.instrument = {"NONE", "NYSE"};
  EXPECT_TRUE(store_->Upsert(empty).ok());
  EXPECT_EQ(store_->Read("NONE").status().code(), StatusCode::kNotFound);
}

TEST_P(BarStoreTest, AwkwardSymbolsRoundTrip) {
  const std::vector<std::string> symbols = {"M&M", "BRK.B", "^GSPC", "A/B",      "..",  "%5E",
                                            "^",   "aapl",  "AAPL",  "NIFTY 50", "L&T*"};
  for (const std::string& symbol : symbols) {
    ASSERT_TRUE(store_->Replace(CloseOnly(symbol, D(2024, 1, 1), 3, symbol.size())).ok()) << symbol;
  }
  for (const std::string& symbol : symbols) {
    BarSeries back = ReadAll(symbol);
    EXPECT_EQ(back.instrument.symbol, symbol);
    EXPECT_EQ(back.close.front(), static_cast<double>(symbol.size())) << symbol;
  }
  std::vector<SeriesInfo> list = OpenStore()->List();
  ASSERT_EQ(list.size(), symbols.size());
  EXPECT_EQ(list.front().instrument.symbol, "%5E");  // sorted by symbol bytes
  EXPECT_EQ(list.back().instrument.symbol, "aapl");
  EXPECT_EQ(std::distance(fs::directory_iterator(home_ / "bars"), fs::directory_iterator()),
            static_cast<ptrdiff_t>(symbols.size() + 2));  // + manifest and tails, nothing outside
}

TEST_P(BarStoreTest, ReadOfUnknownSymbolIsNotFound) {
  Status s = store_->Read("NOPE").status();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "no bars stored for 'NOPE'");
  EXPECT_EQ(store_->Info("NOPE").status().code(), StatusCode::kNotFound);
}

TEST_P(BarStoreTest, RemoveDeletesFileAndManifestEntry) {
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2024, 1, 1), 3)).ok());
  ASSERT_TRUE(store_->Replace(Ohlcv("MSFT", D(2024, 1, 1), 3)).ok());
  ASSERT_TRUE(store_->Remove("AAPL").ok());
  EXPECT_FALSE(fs::exists(FileOf("AAPL")));
  EXPECT_EQ(store_->Read("AAPL").status().code(), StatusCode::kNotFound);
  ASSERT_EQ(store_->List().size(), 1u);
  EXPECT_THAT(ReadBytes(ManifestPath()), Not(HasSubstr("AAPL")));
  EXPECT_EQ(store_->Remove("AAPL").code(), StatusCode::kNotFound);
}

TEST_P(BarStoreTest, ViewOutlivesReplaceAndRemove) {
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2024, 1, 1), 10)).ok());
  auto view = store_->Read("AAPL");
  ASSERT_TRUE(view.ok());
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2025, 1, 1), 3, 7)).ok());
  ASSERT_TRUE(store_->Remove("AAPL").ok());
  EXPECT_EQ((*view)->close()[9], 109);
  EXPECT_EQ((*view)->dates()[0], D(2024, 1, 1));
}

TEST_P(BarStoreTest, CopyHonoursDateBounds) {
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2024, 1, 1), 10)).ok());
  auto view = store_->Read("AAPL");
  ASSERT_TRUE(view.ok());
  BarSeries part = (*view)->Copy(D(2024, 1, 3), D(2024, 1, 5));
  EXPECT_EQ(part.dates, (std::vector<Date>{D(2024, 1, 3), D(2024, 1, 4), D(2024, 1, 5)}));
  EXPECT_EQ(part.open, (std::vector<double>{101.5, 102.5, 103.5}));
  EXPECT_EQ((*view)->Copy(D(2024, 1, 9)).size(), 2u);
  EXPECT_EQ((*view)->Copy(std::nullopt, D(2023, 12, 31)).size(), 0u);
  EXPECT_EQ((*view)->Copy(D(2024, 1, 5), D(2024, 1, 3)).size(), 0u);
}

TEST_P(BarStoreTest, CorruptStoredFileBlocksUpsertButNotReplace) {
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2024, 1, 1), 10)).ok());
  std::string bytes = ReadBytes(FileOf("AAPL"));
  bytes[641] ^= 1;
  WriteBytes(FileOf("AAPL"), bytes);
  Status s = store_->Upsert(Ohlcv("AAPL", D(2024, 2, 1), 1));
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr("cannot merge into the stored bars of AAPL: "));
  EXPECT_EQ(ReadBytes(FileOf("AAPL")), bytes);
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2024, 2, 1), 1)).ok());
  EXPECT_EQ(ReadAll("AAPL").size(), 1u);
}

TEST_P(BarStoreTest, LeftoverTempFilesAreHarmless) {
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2024, 1, 1), 3)).ok());
  store_.reset();
  // What a crash in the middle of a write leaves behind.
  WriteBytes(home_ / "bars" / "AAPL.kbar.tmp", "half a fi");
  WriteBytes(home_ / "bars" / "MSFT.kbar.tmp", std::string(300, '\0'));
  WriteBytes(home_ / "bars" / "manifest.tsv.tmp", "# kairos bar manif");
  store_ = OpenStore();
  ASSERT_NE(store_, nullptr);
  ASSERT_EQ(store_->List().size(), 1u);
  EXPECT_EQ(store_->Read("MSFT").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ReadAll("AAPL").size(), 3u);
  ASSERT_TRUE(store_->Upsert(Ohlcv("AAPL", D(2024, 1, 4), 2)).ok());
  ASSERT_TRUE(store_->Replace(Ohlcv("MSFT", D(2024, 1, 1), 2)).ok());
  EXPECT_EQ(ReadAll("AAPL").size(), 5u);
  EXPECT_EQ(ReadAll("MSFT").size(), 2u);
  EXPECT_FALSE(fs::exists(home_ / "bars" / "AAPL.kbar.tmp"));
}

TEST_P(BarStoreTest, KilledWritersTempFilesAreRemovedByTheNextWriteNotByReaders) {
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2024, 1, 1), 3)).ok());
  store_.reset();
  WriteBytes(home_ / "bars" / "MSFT.kbar.tmp", "half a fi");
  WriteBytes(home_ / "bars" / "manifest.tsv.tmp", "# kairos bar manif");
  store_ = OpenStore();
  EXPECT_EQ(store_->List().size(), 1u);
  EXPECT_TRUE(fs::exists(home_ / "bars" / "MSFT.kbar.tmp"));  // readers write nothing
  ASSERT_TRUE(store_->Upsert(Ohlcv("AAPL", D(2024, 1, 4), 1)).ok());
  EXPECT_FALSE(fs::exists(home_ / "bars" / "MSFT.kbar.tmp"));
  EXPECT_FALSE(fs::exists(home_ / "bars" / "manifest.tsv.tmp"));
}

TEST_P(BarStoreTest, OpenOfAMissingStoreCreatesNothing) {
  store_.reset();
  fs::create_directories(home_);
  store_ = OpenStore();
  ASSERT_NE(store_, nullptr);
  EXPECT_TRUE(store_->List().empty());
  EXPECT_EQ(store_->Read("AAPL").status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(fs::exists(home_ / "bars"));
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2024, 1, 1), 3)).ok());
  EXPECT_EQ(ReadAll("AAPL").size(), 3u);
}

TEST_P(BarStoreTest, SecondWriterIsRefusedNamingTheFirstAndStoresNothing) {
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2024, 1, 1), 3)).ok());
  store_->BeginBatch();  // holds the writer lock until EndBatch
  ASSERT_TRUE(store_->Replace(Ohlcv("MSFT", D(2024, 1, 1), 3)).ok());
  BarStoreOptions impatient{.read_mode = GetParam(), .writer_wait = std::chrono::milliseconds(0)};
  auto other = BarStore::Open(home_, impatient);
  ASSERT_TRUE(other.ok());
  Status refused = (*other)->Upsert(Ohlcv("AAPL", D(2024, 1, 4), 2));
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(),
              HasSubstr("another kairos command holds the bar store writer lock on " +
                        (home_ / "bars").string() + ": pid " + std::to_string(::getpid())));
  (*other)->BeginBatch();
  EXPECT_EQ((*other)->Replace(Ohlcv("NEW", D(2024, 1, 1), 3)).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ((*other)->EndBatch().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ((*other)->RebuildTails().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store_->EndBatch().ok());
  // Released at the end of the batch: the other store writes, and sees the first one's writes.
  ASSERT_TRUE((*other)->Upsert(Ohlcv("AAPL", D(2024, 1, 4), 2)).ok());
  EXPECT_EQ((*other)->List().size(), 2u);
  EXPECT_EQ(ReadAll("AAPL").size(), 5u);
  EXPECT_EQ(store_->Read("NEW").status().code(), StatusCode::kNotFound);
}

TEST_P(BarStoreTest, BatchWritesTheManifestOnce) {
  store_->BeginBatch();
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2024, 1, 1), 3)).ok());
  ASSERT_TRUE(store_->Replace(Ohlcv("MSFT", D(2024, 1, 1), 3)).ok());
  EXPECT_EQ(store_->List().size(), 2u);  // this store knows
  EXPECT_THAT(ReadBytes(ManifestPath()), Not(HasSubstr("AAPL")));
  ASSERT_TRUE(store_->EndBatch().ok());
  EXPECT_THAT(ReadBytes(ManifestPath()), HasSubstr("\nAAPL\t"));
  EXPECT_THAT(ReadBytes(ManifestPath()), HasSubstr("\nMSFT\t"));
}

TEST_P(BarStoreTest, BatchesNestAndAnEmptyBatchWritesNothing) {
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2024, 1, 1), 3)).ok());
  const auto inode = [&] {
    struct stat st;
    EXPECT_EQ(::stat(ManifestPath().c_str(), &st), 0);
    return st.st_ino;
  };
  const auto before = inode();
  store_->BeginBatch();
  ASSERT_TRUE(store_->EndBatch().ok());
  EXPECT_EQ(inode(), before);  // not rewritten

  store_->BeginBatch();
  store_->BeginBatch();
  ASSERT_TRUE(store_->Replace(Ohlcv("MSFT", D(2024, 1, 1), 3)).ok());
  ASSERT_TRUE(store_->Remove("AAPL").ok());
  ASSERT_TRUE(store_->EndBatch().ok());
  EXPECT_THAT(ReadBytes(ManifestPath()), Not(HasSubstr("MSFT")));
  ASSERT_TRUE(store_->EndBatch().ok());
  EXPECT_THAT(ReadBytes(ManifestPath()), HasSubstr("\nMSFT\t"));
  EXPECT_THAT(ReadBytes(ManifestPath()), Not(HasSubstr("AAPL")));
  EXPECT_EQ(OpenStore()->List(), store_->List());
}

TEST_P(BarStoreTest, ReadersNeverSeeAHalfWrittenFile) {
  const BarSeries a = Ohlcv("AAPL", D(2024, 1, 1), 400, 100);
  const BarSeries b = CloseOnly("AAPL", D(2023, 1, 1), 900, 7);
  ASSERT_TRUE(store_->Replace(a).ok());
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, bad{0};
  auto reader = [&] {
    while (!done) {
      Result<std::unique_ptr<SeriesView>> view = store_->Read("AAPL");
      if (!view.ok()) {
        ++bad;
        continue;
      }
      BarSeries got = (*view)->Copy();
      bool is_a = got.close == a.close && got.dates == a.dates && got.open == a.open;
      bool is_b = got.close == b.close && got.dates == b.dates && got.open.empty();
      if (!is_a && !is_b) ++bad;
      ++reads;
    }
  };
  std::thread r1(reader), r2(reader);
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(store_->Replace(i % 2 == 0 ? b : a).ok());
  while (reads < 20) std::this_thread::yield();
  done = true;
  r1.join();
  r2.join();
  EXPECT_EQ(bad.load(), 0);
}

INSTANTIATE_TEST_SUITE_P(ReadModes, BarStoreTest,
                         ::testing::Values(BarStoreOptions::ReadMode::kPread,
                                           BarStoreOptions::ReadMode::kMmap),
                         [](const auto& info) {
                           return info.param == BarStoreOptions::ReadMode::kPread ? "Pread"
                                                                                  : "Mmap";
                         });

}  // namespace
}  // namespace kairos::marketdata
