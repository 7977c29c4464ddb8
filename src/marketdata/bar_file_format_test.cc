#include "marketdata/bar_store.h"

#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "marketdata/bar_store_test_fixture.h"

// The bar file format: every kind of damage is Corruption naming the file; the checksum.
namespace kairos::marketdata {
namespace {

using namespace bar_store_test;  // NOLINT: the shared fixture
using ::testing::HasSubstr;
using ::testing::Not;

TEST(SymbolFileNameTest, EscapesUnsafeBytes) {
  EXPECT_EQ(SymbolFileName("AAPL"), "AAPL.kbar");
  EXPECT_EQ(SymbolFileName("M&M"), "M%26M.kbar");
  EXPECT_EQ(SymbolFileName("BRK.B"), "BRK.B.kbar");
  EXPECT_EQ(SymbolFileName("^GSPC"), "%5EGSPC.kbar");
  EXPECT_EQ(SymbolFileName("BAJAJ-AUTO"), "BAJAJ-AUTO.kbar");
  EXPECT_EQ(SymbolFileName("A/B"), "A%2FB.kbar");
  EXPECT_EQ(SymbolFileName(".."), "%2E..kbar");
  EXPECT_EQ(SymbolFileName("%5E"), "%255E.kbar");          // distinct from "^"'s "%5E.kbar"
  EXPECT_EQ(SymbolFileName("aapl"), "%61%61%70%6C.kbar");  // distinct on case-folding file systems
}

TEST_P(BarStoreTest, TruncatedFileIsCorruption) {
  Status s = ReadAfterDamage([](std::string& b) { b.resize(b.size() - 64); });
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.message(), FileOf("AAPL").string() + ": truncated: 896 bytes, the header says 960");

  s = ReadAfterDamage([](std::string& b) { b.resize(100); });
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.message(),
            FileOf("AAPL").string() + ": truncated: 100 bytes, shorter than the 256-byte header");

  s = ReadAfterDamage([](std::string& b) { b.clear(); });
  EXPECT_THAT(s.message(), HasSubstr("truncated: 0 bytes"));
}

TEST_P(BarStoreTest, TrailingBytesAreCorruption) {
  Status s = ReadAfterDamage([](std::string& b) { b += "junk"; });
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr("964 bytes, the header says 960 (trailing garbage)"));
}

TEST_P(BarStoreTest, FlippedByteAnywhereIsCorruption) {
  // 10 OHLCV bars: header [0,256), dates [256,320), close [320,448), open [448,576),
  // high [576,704), low [704,832), volume [832,960).
  struct Case {
    size_t offset;
    const char* expected;
  };
  const Case cases[] = {
      {20, "header checksum mismatch"},   // bar count
      {100, "header checksum mismatch"},  // symbol
      {200, "header checksum mismatch"},  // a column checksum
      {256, "checksum mismatch in column 'dates'"},
      {300, "checksum mismatch in column 'dates'"},  // padding after the dates
      {330, "checksum mismatch in column 'close'"},
      {447, "checksum mismatch in column 'close'"},  // padding after the closes
      {460, "checksum mismatch in column 'open'"},
      {600, "checksum mismatch in column 'high'"},
      {720, "checksum mismatch in column 'low'"},
      {959, "checksum mismatch in column 'volume'"},  // the last pad byte
  };
  for (const Case& c : cases) {
    Status s = ReadAfterDamage([&](std::string& b) { b[c.offset] ^= 0x10; });
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << c.offset;
    EXPECT_EQ(s.message(), FileOf("AAPL").string() + ": " + c.expected) << c.offset;
  }
}

TEST_P(BarStoreTest, BadMagicIsCorruption) {
  Status s = ReadAfterDamage([](std::string& b) { b[0] = 'X'; });
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.message(), FileOf("AAPL").string() + ": bad magic: not a kairos bar file");
  s = ReadAfterDamage([](std::string& b) { b = std::string(4096, 'a'); });
  EXPECT_THAT(s.message(), HasSubstr("bad magic"));
}

TEST_P(BarStoreTest, OtherFormatVersionIsCorruption) {
  Status s = ReadAfterDamage([](std::string& b) {
    b[8] = 2;  // version
    uint64_t hash = Checksum64(std::as_bytes(std::span(b.data(), 248)));
    std::memcpy(b.data() + 248, &hash, 8);
  });
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.message(),
            FileOf("AAPL").string() + ": unsupported format version 2 (this build reads 1)");
}

TEST_P(BarStoreTest, DatesOutOfOrderUnderValidChecksumsAreCorruption) {
  Status s = ReadAfterDamage([](std::string& b) {
    std::swap_ranges(b.begin() + 256 + 4 * 3, b.begin() + 256 + 4 * 4, b.begin() + 256 + 4 * 4);
    Rehash(b);
  });
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.message(), FileOf("AAPL").string() + ": dates not strictly increasing at row 4");
}

TEST_P(BarStoreTest, HeaderDatesDisagreeingWithColumnAreCorruption) {
  Status s = ReadAfterDamage([](std::string& b) {
    b[32] ^= 1;  // first_date
    Rehash(b);
  });
  EXPECT_EQ(s.message(), FileOf("AAPL").string() +
                             ": first/last date in the header disagree with the dates column");
}

TEST_P(BarStoreTest, ImpossibleHeaderIsCorruption) {
  Status s = ReadAfterDamage([](std::string& b) {
    b[12] |= 2;  // an unknown flag
    Rehash(b);
  });
  EXPECT_EQ(s.message(),
            FileOf("AAPL").string() + ": inconsistent header (flags, count or layout)");
  s = ReadAfterDamage([](std::string& b) {
    b[12] |= 1;  // says close-only, but the layout is OHLCV
    Rehash(b);
  });
  EXPECT_EQ(s.message(),
            FileOf("AAPL").string() + ": inconsistent header (flags, count or layout)");
}

TEST_P(BarStoreTest, FileUnderAnotherSymbolsNameIsCorruption) {
  ASSERT_TRUE(store_->Replace(Ohlcv("AAPL", D(2024, 1, 1), 3)).ok());
  fs::copy_file(FileOf("AAPL"), FileOf("MSFT"));
  Status s = store_->Read("MSFT").status();
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.message(), FileOf("MSFT").string() + ": holds symbol 'AAPL', expected 'MSFT'");
  // Nor does a manifest rebuild list it as MSFT or as a second AAPL.
  std::vector<SeriesInfo> list = OpenStore()->List();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].instrument.symbol, "AAPL");
}

TEST(Checksum64Test, IsPinnedAndSeesEverySingleBitFlip) {
  // Pinned: stored files carry these checksums, so the function must never change.
  EXPECT_EQ(Checksum64({}), 0x575aa0e19c798233u);
  std::vector<std::byte> data(100);
  for (size_t i = 0; i < data.size(); ++i) data[i] = std::byte(i * 7);
  const uint64_t base = Checksum64(data);
  EXPECT_EQ(base, 0x3f4e7fe6ae759eb3u);
  for (size_t i = 0; i < data.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      data[i] ^= std::byte(1 << bit);
      EXPECT_NE(Checksum64(data), base) << i << " " << bit;
      data[i] ^= std::byte(1 << bit);
    }
  }
  EXPECT_NE(Checksum64(std::span(data).first(99)), base);
  std::vector<std::byte> zeros64(64), zeros72(72);
  EXPECT_NE(Checksum64(zeros64), Checksum64(zeros72));  // the length counts
}

}  // namespace
}  // namespace kairos::marketdata
