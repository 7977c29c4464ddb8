#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/result.h"
#include "domain/bar.h"

namespace kairos::marketdata {

// What the manifest knows about one stored series.
struct SeriesInfo {
  Instrument instrument;
  bool close_only = false;
  Date first;
  Date last;
  int64_t bars = 0;

  friend bool operator==(const SeriesInfo&, const SeriesInfo&) = default;
};

// The price/volume columns of a stored series. Dates are always read.
enum class Column : uint8_t { kOpen = 0, kHigh = 1, kLow = 2, kClose = 3, kVolume = 4 };

// A set of Columns (a bit mask).
class ColumnSet {
 public:
  constexpr ColumnSet() = default;
  constexpr ColumnSet(std::initializer_list<Column> columns) {
    for (Column c : columns) bits_ |= Bit(c);
  }
  static constexpr ColumnSet All() {
    return {Column::kOpen, Column::kHigh, Column::kLow, Column::kClose, Column::kVolume};
  }
  constexpr bool contains(Column c) const { return (bits_ & Bit(c)) != 0; }
  constexpr ColumnSet& Add(Column c) {
    bits_ |= Bit(c);
    return *this;
  }
  friend constexpr bool operator==(ColumnSet, ColumnSet) = default;

 private:
  static constexpr uint8_t Bit(Column c) { return static_cast<uint8_t>(1u << static_cast<int>(c)); }
  uint8_t bits_ = 0;
};

// A read-only view of one stored series, memory-mapped or read into an owned buffer (see
// BarStoreOptions::read_mode). The spans stay valid while the view lives (the view owns the mapping
// or buffer). Close-only series have empty open/high/low/volume. Columns are 64-byte aligned. A
// view made by ReadColumns() only serves the columns it verified: asking for another one is a bug
// (KAIROS_CHECK).
class SeriesView {
 public:
  virtual ~SeriesView() = default;
  virtual const SeriesInfo& info() const = 0;
  virtual std::span<const Date> dates() const = 0;
  virtual std::span<const double> open() const = 0;
  virtual std::span<const double> high() const = 0;
  virtual std::span<const double> low() const = 0;
  virtual std::span<const double> close() const = 0;
  virtual std::span<const double> volume() const = 0;
  // Copies the rows with from <= date <= to (either bound optional) into a BarSeries.
  // REQUIRES: the view serves every column of the series (made by Read()).
  BarSeries Copy(std::optional<Date> from = std::nullopt,
                 std::optional<Date> to = std::nullopt) const;
};

// The last rows of every stored series, from the store-wide tail file (<home>/bars/tails.bin,
// see BarStore::Tails): one mapped file instead of one open file per symbol, for the daily scan
// as of the last session. A snapshot: it serves the series as the store's manifest described
// them when it was made. Thread-safe; views it returns keep the mapping alive.
class SeriesTails {
 public:
  virtual ~SeriesTails() = default;
  // The most rows Tail() serves for a series.
  virtual size_t capacity() const = 0;
  // The same rows and columns as ReadTail(symbol, columns, last_rows) (info() of the whole
  // series, dates and columns of the last `last_rows` rows), every piece served checked
  // against its checksum each time. Fails when the tail file cannot serve it: NotFound (no
  // entry), FailedPrecondition (the entry is stale: the manifest describes another version of
  // the bar file), OutOfRange (fewer rows kept), Corruption (a checksum mismatch),
  // InvalidArgument (last_rows == 0). Callers then read the bar file (ReadTail).
  virtual Result<std::unique_ptr<SeriesView>> Tail(std::string_view symbol, ColumnSet columns,
                                                   size_t last_rows) const = 0;
};

// Options for BarStore::Open.
struct BarStoreOptions {
  // fsync each written file and the directory (durable writes). Turn off only for scratch stores
  // such as benchmarks; the writes stay atomic (rename) but may be lost on a power cut.
  bool sync = true;
  // How Read() gets the bytes: pread into a 64-byte aligned buffer owned by the view, or a
  // private read-only mmap (munmap when the view dies). Both serve the same verified spans.
  // kPread is the default because it is measured faster for scans: on the development VM an
  // mmap + munmap of a 60 KB prefix costs ~350 us of CPU (page-table updates are trapped by
  // the hypervisor) against ~17 us for pread (bench/store_bench.cc). kMmap shares the page
  // cache instead of copying, which matters when many large views are held at once.
  enum class ReadMode : uint8_t { kPread, kMmap };
  ReadMode read_mode = ReadMode::kPread;
  // How long a write waits for the writer lock another process holds before it fails with
  // FailedPrecondition naming that process.
  std::chrono::milliseconds writer_wait{10'000};
};

// The columnar daily bar store under <home>/bars/ (one file per symbol plus a manifest).
// Writes are atomic (temp file, fsync, rename); a corrupt or truncated file is reported as
// Corruption and never served. Thread safety: concurrent readers are fine; writers must be
// serialised by the caller within a process.
//
// Processes: one writer at a time. Every write (Upsert, Replace, Remove, RebuildTails) takes the
// writer lock <home>/locks/bars.lock (a FileLock: released by the kernel if the writer dies) for
// its duration, or for the whole batch around it; a write that cannot get it within
// BarStoreOptions::writer_wait fails with FailedPrecondition naming the holder. Taking it
// removes temp files a killed writer left and reloads the manifest. Readers never write: Open(),
// reads, List(), Info() and Tails() change no file (and create no directory), so they work on a
// read-only store and never race a writer.
//
// Files: <home>/bars/<escaped symbol>.kbar (bar_file_format.h), <home>/bars/manifest.tsv and
// <home>/bars/tails.bin (a cache of the last rows of every series, see Tails(); tail_file.cc).
// Reads never depend on the manifest; List() and Info() do. Open() checks the manifest against
// the files (name, inode, size, mtime) and rebuilds stale or missing entries from file headers,
// in memory; the next write writes the rebuilt manifest.
class BarStore {
 public:
  // Opens the store under `home`. A missing store is an empty one; its first write creates it.
  static Result<std::unique_ptr<BarStore>> Open(const std::filesystem::path& home);
  static Result<std::unique_ptr<BarStore>> Open(const std::filesystem::path& home,
                                                const BarStoreOptions& options);
  virtual ~BarStore() = default;

  // Merges `bars` into the stored series of bars.instrument: new dates are added, dates already
  // stored are replaced. REQUIRES: bars.dates strictly increasing (importers validate).
  // Fails with InvalidArgument if close-only-ness differs from what is stored (say so; no change).
  // Also InvalidArgument (no change): another exchange than the stored one, columns of unequal
  // length, dates not strictly increasing, a symbol that is empty, longer than kMaxSymbolBytes
  // or holds control characters. Corruption if the stored file is corrupt (use Replace).
  virtual Status Upsert(const BarSeries& bars) = 0;
  // Replaces the whole stored series. InvalidArgument for an empty series (use Remove).
  virtual Status Replace(const BarSeries& bars) = 0;
  // NotFound if nothing is stored for `symbol`.
  virtual Status Remove(std::string_view symbol) = 0;

  // Symbols are unique in one store (the exchange is an attribute of the symbol).
  // Verifies the header and every column (checksums, size, dates strictly increasing).
  virtual Result<std::unique_ptr<SeriesView>> Read(std::string_view symbol) const = 0;
  // Verifies and serves only dates and `columns`: a scan that needs closes reads and hashes
  // about a quarter of a 5,000-bar OHLCV file.
  virtual Result<std::unique_ptr<SeriesView>> ReadColumns(std::string_view symbol,
                                                          ColumnSet columns) const = 0;
  // The last `last_rows` rows of dates and `columns` (the daily "as of" scan reads only the
  // bars its rule's lookback needs: ~300 of 5,000). info() still describes the whole stored
  // series; dates() and the columns hold only the tail.
  // What is verified: the header checksum (which covers the bar count, size, first/last date,
  // layout and the column checksums), the file size, the symbol, the tail's dates strictly
  // increasing and its last date equal to the header's. Not verified: the column checksums,
  // unless last_rows covers the whole series (then this is ReadColumns, which verifies them).
  // Why: each column checksum covers the whole column, so checking it means reading and
  // hashing all of it, which is what a tail read exists to avoid (5,000 symbols as of one
  // session must take <= 20 ms); a bit flip inside the tail's values is therefore not detected
  // here, but every full read (range scans, backtests, Upsert, `kairos data show`) still
  // refuses the file. Per-block checksums would close the gap at the cost of a new file format.
  // The default implementation reads the columns whole and serves their tail.
  virtual Result<std::unique_ptr<SeriesView>> ReadTail(std::string_view symbol, ColumnSet columns,
                                                       size_t last_rows) const;
  // The tail file, or nullptr when there is none or it is unreadable (then read the bar files).
  // Each entry carries the header checksum of the bar file it was cut from; an entry is served
  // only while it equals the manifest's (and so List()/Info()), which the store updates on every
  // write and Open() repairs from the files. The tail file is rewritten (atomically, like every
  // store file) after each unbatched write or Remove and at the outermost EndBatch, reusing the
  // verified rows of unchanged series; a crash between a bar file and the tail file leaves
  // entries that no longer match and are not served. Open() does not rewrite it: a store from
  // before the tail file, or repaired after a crash, is served from the bar files (for the stale
  // series only) until the next write or RebuildTails(). What is not caught: a bar file changed
  // behind the store's back (by hand, or by another process inside its batch) while this
  // process' manifest still describes the old one. The default implementation has no tail file.
  virtual std::shared_ptr<const SeriesTails> Tails() const;
  // Rewrites the tail file from the manifest's series (and drops what is damaged or stale in
  // it). Writes nothing when it is already current and intact.
  virtual Status RebuildTails();
  virtual std::vector<SeriesInfo> List() const = 0;  // sorted by symbol
  virtual Result<SeriesInfo> Info(std::string_view symbol) const = 0;

  // Bulk writes: between BeginBatch() and EndBatch() the manifest is rewritten, and the
  // directory fsynced, once (at EndBatch) instead of after every write; data files are still
  // written, fsynced and renamed into place one by one, so each is atomic. A crash inside a batch
  // may undo some of its renames (old complete files come back) and leaves a stale manifest,
  // which the next Open() repairs. Batches nest; EndBatch() without BeginBatch() is a bug.
  virtual void BeginBatch() = 0;
  virtual Status EndBatch() = 0;

  static constexpr size_t kMaxSymbolBytes = 63;
  static constexpr size_t kMaxExchangeBytes = 23;
};

// The file name (without directory) a symbol is stored under: bytes other than A-Z, 0-9, '-',
// '_' and a non-leading '.' become %XX (upper-case hex), so any symbol is a safe, distinct name
// even on case-insensitive file systems: "M&M" -> "M%26M.kbar", "^GSPC" -> "%5EGSPC.kbar".
std::string SymbolFileName(std::string_view symbol);

// The 64-bit checksum of the store files ("KH64", this project's own): four lanes of
// multiply-rotate over little-endian 64-bit words, a bijective finaliser, the length mixed in.
// Any change of a single 8-byte word is always detected. Several GB/s on one core.
uint64_t Checksum64(std::span<const std::byte> data);

}  // namespace kairos::marketdata
