#pragma once

// What the bar store's tests share: series to store, raw file access and a store per test,
// run once per read mode (the suite is instantiated in bar_store_test.cc).

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "marketdata/bar_store.h"

namespace kairos::marketdata::bar_store_test {

namespace fs = std::filesystem;

inline Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

// n daily OHLCV bars on consecutive days from `first`; prices derive from `base` and the row.
inline BarSeries Ohlcv(std::string symbol, Date first, int n, double base = 100) {
  BarSeries s;
  s.instrument = {std::move(symbol), "NYSE"};
  for (int i = 0; i < n; ++i) {
    double c = base + i;
    s.Append({first.AddDays(i), c - 0.5, c + 1.25, c - 1.5, c, 1000.0 + i});
  }
  return s;
}

inline BarSeries CloseOnly(std::string symbol, Date first, int n, double base = 50) {
  BarSeries s;
  s.instrument = {std::move(symbol), "NYSE"};
  s.close_only = true;
  for (int i = 0; i < n; ++i) s.Append({.date = first.AddDays(i), .close = base + i});
  return s;
}

inline std::string ReadBytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
inline void WriteBytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

class BarStoreTest : public ::testing::TestWithParam<BarStoreOptions::ReadMode> {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_');
    home_ =
        fs::temp_directory_path() / fmt::format("kairos_bar_store_test_{}_{}", ::getpid(), name);
    fs::remove_all(home_);
    store_ = OpenStore();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(home_);
  }

  std::unique_ptr<BarStore> OpenStore() {
    Result<std::unique_ptr<BarStore>> store =
        BarStore::Open(home_, BarStoreOptions{.read_mode = GetParam()});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }
  fs::path FileOf(std::string_view symbol) const { return home_ / "bars" / SymbolFileName(symbol); }
  fs::path ManifestPath() const { return home_ / "bars" / "manifest.tsv"; }

  BarSeries ReadAll(std::string_view symbol) {
    Result<std::unique_ptr<SeriesView>> view = store_->Read(symbol);
    EXPECT_TRUE(view.ok()) << view.status().ToString();
    return view.ok() ? (*view)->Copy() : BarSeries{};
  }

  // Stores AAPL (OHLCV, 10 bars), applies `damage` to its file and returns Read's status.
  Status ReadAfterDamage(const std::function<void(std::string&)>& damage) {
    EXPECT_TRUE(store_->Replace(Ohlcv("AAPL", D(2024, 1, 1), 10)).ok());
    std::string bytes = ReadBytes(FileOf("AAPL"));
    damage(bytes);
    WriteBytes(FileOf("AAPL"), bytes);
    return store_->Read("AAPL").status();
  }

  fs::path home_;
  std::unique_ptr<BarStore> store_;
};

// File layout of version 1 (see bar_file_format.h): 256-byte header, 64-byte aligned columns.
inline constexpr size_t kHeader = 256;
inline size_t Pad(size_t n) { return (n + 63) / 64 * 64; }

// Recomputes every column checksum and the header checksum of a version-1 file: what a writer
// with a bug (rather than a damaged disk) would have produced.
inline void Rehash(std::string& b) {
  uint64_t n;
  std::memcpy(&n, b.data() + 16, 8);
  for (size_t slot = 0; slot < 6; ++slot) {
    uint64_t offset;
    std::memcpy(&offset, b.data() + 128 + 8 * slot, 8);
    if (offset == 0) continue;
    size_t length = Pad(n * (slot == 0 ? 4 : 8));
    uint64_t hash = Checksum64(std::as_bytes(std::span(b.data() + offset, length)));
    std::memcpy(b.data() + 176 + 8 * slot, &hash, 8);
  }
  uint64_t hash = Checksum64(std::as_bytes(std::span(b.data(), 248)));
  std::memcpy(b.data() + 248, &hash, 8);
}

}  // namespace kairos::marketdata::bar_store_test
