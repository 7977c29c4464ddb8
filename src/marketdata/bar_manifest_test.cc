#include "marketdata/bar_store.h"

#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "marketdata/bar_store_test_fixture.h"

// The manifest: rebuilt from the headers when missing, garbled or stale.
namespace kairos::marketdata {
namespace {

using namespace bar_store_test;  // NOLINT: the shared fixture
using ::testing::HasSubstr;
using ::testing::Not;

TEST_P(BarStoreTest, MissingManifestIsRebuiltFromHeaders) {
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2024, 1, 1), 3)).ok());
  ASSERT_TRUE(store_->Replace(CloseOnly("^GSPC", D(2024, 1, 1), 4)).ok());
  std::vector<SeriesInfo> before = store_->List();
  store_.reset();
  fs::remove(ManifestPath());
  store_ = OpenStore();
  EXPECT_EQ(store_->List(), before);
  EXPECT_FALSE(fs::exists(ManifestPath()));  // readers write nothing
  ASSERT_TRUE(store_->Upsert(Ohlcv("AAPL", D(2024, 1, 4), 1)).ok());
  EXPECT_TRUE(fs::exists(ManifestPath()));  // the next write stores the rebuilt manifest
}

TEST_P(BarStoreTest, GarbledManifestIsRebuilt) {
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2024, 1, 1), 3)).ok());
  std::vector<SeriesInfo> before = store_->List();
  store_.reset();
  std::string manifest = ReadBytes(ManifestPath());
  manifest[manifest.find("AAPL\tNYSE\t0") + 14] ^= 1;  // a digit of a date; trailer hash fails
  WriteBytes(ManifestPath(), manifest);
  store_ = OpenStore();
  EXPECT_EQ(store_->List(), before);
  WriteBytes(ManifestPath(), "");
  EXPECT_EQ(OpenStore()->List(), before);
}

TEST_P(BarStoreTest, StaleManifestIsRepairedOnOpen) {
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2024, 1, 1), 3)).ok());
  ASSERT_TRUE(store_->Replace(Ohlcv("GONE", D(2024, 1, 1), 3)).ok());
  const std::string old_manifest = ReadBytes(ManifestPath());
  // Writes whose manifest update a "crash" lost: the files changed, the manifest did not.
  ASSERT_TRUE(store_->Upsert(Ohlcv("AAPL", D(2024, 1, 4), 4)).ok());
  ASSERT_TRUE(store_->Replace(CloseOnly("NEW", D(2024, 5, 1), 2)).ok());
  store_.reset();
  fs::remove(FileOf("GONE"));
  WriteBytes(ManifestPath(), old_manifest);

  store_ = OpenStore();
  std::vector<SeriesInfo> list = store_->List();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0], (SeriesInfo{{"AAPL", "NYSE"}, false, D(2024, 1, 1), D(2024, 1, 7), 7}));
  EXPECT_EQ(list[1], (SeriesInfo{{"NEW", "NYSE"}, true, D(2024, 5, 1), D(2024, 5, 2), 2}));
  EXPECT_EQ(ReadBytes(ManifestPath()), old_manifest);  // repaired in memory: readers never write
  ASSERT_TRUE(store_->Upsert(CloseOnly("NEW", D(2024, 5, 3), 1)).ok());
  std::unique_ptr<BarStore> reopened = OpenStore();
  ASSERT_EQ(reopened->List().size(), 2u);
  EXPECT_EQ(reopened->List()[0], list[0]);  // the write stored the repaired entries too
  EXPECT_NE(ReadBytes(ManifestPath()), old_manifest);
}

TEST_P(BarStoreTest, CorruptFileIsLeftOutOfARebuiltManifest) {
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2024, 1, 1), 3)).ok());
  store_.reset();
  fs::remove(ManifestPath());
  WriteBytes(FileOf("JUNK"), std::string(1000, 'j'));
  store_ = OpenStore();
  ASSERT_EQ(store_->List().size(), 1u);
  EXPECT_EQ(store_->Read("JUNK").status().code(), StatusCode::kCorruption);
}

TEST_P(BarStoreTest, ManifestLinesDescribeTheFiles) {
  ASSERT_TRUE(store_->Replace(CloseOnly("M&M", D(2024, 1, 1), 3)).ok());
  std::string manifest = ReadBytes(ManifestPath());
  EXPECT_TRUE(manifest.starts_with("# kairos bar manifest v1\n")) << manifest;
  EXPECT_THAT(manifest, HasSubstr("\nM&M\tNYSE\t1\t2024-01-01\t2024-01-03\t3\t"));
  EXPECT_THAT(manifest, HasSubstr("\n# end 1 "));
}

TEST_P(BarStoreTest, AnotherStoreSeesWritesThroughTheManifest) {
  std::unique_ptr<BarStore> reader = OpenStore();
  EXPECT_TRUE(reader->List().empty());
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2024, 1, 1), 3)).ok());
  ASSERT_EQ(reader->List().size(), 1u);
  EXPECT_EQ(reader->Info("AAPL")->bars, 3);
}

}  // namespace
}  // namespace kairos::marketdata
