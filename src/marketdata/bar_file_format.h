#pragma once

// The bar file format (one file per series, <home>/bars/<SymbolFileName>) and what checks it.
// Internal to marketdata.
//
// File format, version 1 (all integers little-endian; the build refuses big-endian hosts):
//
//   [0, 256)   FileHeader (below)
//   columns    dates as int32 days since 1970-01-01, then close, open, high, low, volume as
//              float64, each starting at a multiple of 64 and zero-padded to a multiple of 64.
//              A close-only file holds only dates and close. The file ends after the last pad.
//              Closes come right after the dates so that a scan maps and touches one prefix.
//
// Checksums (Checksum64, "KH64"): one per column over its padded extent, stored in the header,
// and one over the header's first 248 bytes (which include the column checksums), so every byte
// of the file is covered. Why per column: a scan that needs only closes verifies dates + close
// (~a quarter of a 5,000-bar OHLCV file) instead of hashing the whole file on every read; each
// read verifies exactly what it serves, every time (no cache of "already verified" that could go
// stale). KH64 runs at ~17 GB/s on one core of the development VM, about a tenth of the cost of
// getting the bytes (bench/store_bench.cc: store/checksum64, store/read_close/*).
//
// Reads take the header (pread) first, then only the prefix of the file that holds the columns
// asked for, by pread into an owned buffer or mmap (BarStoreOptions::read_mode). A tail read
// (ReadTail) preads only the last rows of each column asked for and verifies the header but not
// the column checksums (they cover whole columns; see bar_store.h).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/date.h"
#include "core/result.h"
#include "marketdata/bar_store.h"

namespace kairos::marketdata::internal {

inline constexpr char kMagic[8] = {'K', 'A', 'I', 'R', 'O', 'S', 'B', '\x1a'};
inline constexpr uint32_t kVersion = 1;
inline constexpr uint32_t kFlagCloseOnly = 1;
inline constexpr size_t kAlign = 64;
inline constexpr size_t kSlots = 6;  // dates, then the five Columns in enum order
inline constexpr size_t kDateSlot = 0;
inline constexpr const char* kSlotNames[kSlots] = {"dates", "open",  "high",
                                                   "low",   "close", "volume"};
inline constexpr const char* kExtension = ".kbar";

struct FileHeader {
  char magic[8];
  uint32_t version;
  uint32_t flags;
  uint64_t bar_count;
  uint64_t file_size;
  int32_t first_date;
  int32_t last_date;
  char exchange[BarStore::kMaxExchangeBytes + 1];  // NUL-terminated
  char symbol[BarStore::kMaxSymbolBytes + 1];      // NUL-terminated
  uint64_t column_offset[kSlots];                  // 0 when the column is absent
  uint64_t column_hash[kSlots];
  uint8_t reserved[24];  // zero
  uint64_t header_hash;  // Checksum64 of the bytes before this field
};
static_assert(sizeof(FileHeader) == 256 && std::is_trivially_copyable_v<FileHeader>);
inline constexpr size_t kHeaderHashedBytes = offsetof(FileHeader, header_hash);

constexpr size_t SlotOf(Column c) { return 1 + static_cast<size_t>(c); }
// The order of the columns in a file (header arrays are indexed by slot).
inline constexpr size_t kDiskOrder[kSlots] = {kDateSlot,
                                              SlotOf(Column::kClose),
                                              SlotOf(Column::kOpen),
                                              SlotOf(Column::kHigh),
                                              SlotOf(Column::kLow),
                                              SlotOf(Column::kVolume)};
inline size_t AlignUp(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }
inline size_t ElementSize(size_t slot) {
  return slot == kDateSlot ? sizeof(int32_t) : sizeof(double);
}
inline bool SlotPresent(size_t slot, bool close_only) {
  return slot == kDateSlot || slot == SlotOf(Column::kClose) || !close_only;
}

// The canonical layout for `bars` rows: offsets per slot (0 if absent) and the file size.
struct Layout {
  uint64_t offset[kSlots] = {};
  uint64_t file_size = 0;
};
Layout LayoutFor(uint64_t bars, bool close_only);

// Corruption naming the file and what is wrong with it.
Status CorruptionIn(const std::filesystem::path& path, std::string_view what);

// Checks what a writer may store; says which row or column is wrong.
Status ValidateSeries(const BarSeries& s);

// The bytes of the bar file holding `s`. REQUIRES: ValidateSeries(s).ok() and !s.empty().
std::vector<std::byte> Encode(const BarSeries& s);

// Validates a header read from a file of `actual_size` bytes: magic, version, checksum, size,
// layout. Says what is wrong, naming the file.
Result<FileHeader> CheckHeader(const std::byte* bytes, uint64_t actual_size,
                               const std::filesystem::path& path);

// Corruption unless `dates` (rows first_row.. of the file) are strictly increasing. After a
// matching column checksum this only catches a writer bug (never serve it either way); in a tail
// read, which has no column checksum to check, it is also a guard against damage.
Status CheckIncreasing(std::span<const Date> dates, size_t first_row,
                       const std::filesystem::path& path);

// What the manifest says about the file with header `h`.
SeriesInfo InfoOf(const FileHeader& h);

}  // namespace kairos::marketdata::internal
