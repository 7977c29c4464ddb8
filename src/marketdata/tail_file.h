#pragma once

// The store-wide tail file (<home>/bars/tails.bin): the last kTailRows rows of every stored
// series in one columnar file, so that the daily "as of the last session" scan maps one file
// instead of opening 5,000. It is a cache: BarStore rewrites it after every change (see
// bar_store.h, BarStore::Tails) and a reader that finds it missing, stale or damaged reads the
// bar files instead. Internal to marketdata; the format is in tail_file.cc.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/date.h"
#include "core/result.h"
#include "marketdata/bar_store.h"

namespace kairos::marketdata::internal {

// Rows kept per series. The scan benchmark's rule (sma 200, rsi 14) has a window() of 450; a weekly
// rule reads 7 more. Rules that need more fall back to the bar files. A multiple of 16 so that
// every stored piece starts on a 64-byte boundary.
inline constexpr size_t kTailRows = 512;
inline constexpr const char* kTailFileName = "tails.bin";

// What the writer stores for one series.
struct TailSource {
  SeriesInfo info;                     // of the whole stored series
  uint64_t source_hash = 0;            // the bar file's header checksum (identifies its content)
  std::span<const Date> dates;         // its last min(bars, capacity) rows
  std::span<const double> columns[5];  // Column order; empty open/high/low/volume if close-only
};

// The bytes of a tail file holding `sources` (sorted by symbol, unique, each with 1..capacity
// rows). REQUIRES: capacity a positive multiple of 16.
std::vector<std::byte> EncodeTails(std::span<const TailSource> sources, size_t capacity);

// A mapped tail file whose header and entry table are verified. The pieces (one series' rows of
// one column) are verified when asked for, every time (Dates, Values). Immutable; thread-safe.
class TailFile {
 public:
  struct Entry {
    SeriesInfo info;
    uint64_t source_hash = 0;
    size_t rows = 0;  // stored rows, the last ones of the series
  };

  // NotFound when the file does not exist; Corruption (naming the file and what is wrong) when
  // its header or entry table fail their checks.
  static Result<std::shared_ptr<const TailFile>> Open(const std::filesystem::path& path);
  ~TailFile();
  TailFile(const TailFile&) = delete;
  TailFile& operator=(const TailFile&) = delete;

  size_t capacity() const { return capacity_; }
  size_t size() const { return entries_.size(); }
  const Entry& entry(size_t i) const { return entries_[i]; }
  // The index of `symbol`'s entry (entries are sorted by symbol).
  std::optional<size_t> Find(std::string_view symbol) const;
  // The stored rows of entry i, their checksum verified (Corruption otherwise). Dates are also
  // checked strictly increasing and ending on the entry's last date.
  Result<std::span<const Date>> Dates(size_t i) const;
  // REQUIRES: the entry is not close-only unless c == kClose.
  Result<std::span<const double>> Values(size_t i, Column c) const;

 private:
  TailFile() = default;
  Status Verify(size_t i, size_t slot, std::span<const std::byte> piece) const;

  std::filesystem::path path_;
  void* map_ = nullptr;
  size_t map_size_ = 0;
  size_t capacity_ = 0;
  const std::byte* block_[6] = {};  // dates, then the five Columns in enum order
  std::vector<Entry> entries_;
  // symbol -> entry; views into entries_ (never resized after Open). A scan looks up every
  // symbol: hashing beats a binary search over 5,000 entries.
  std::unordered_map<std::string_view, size_t> index_;
  std::vector<uint64_t> piece_hash_;  // [entry * 6 + slot]
};

}  // namespace kairos::marketdata::internal
