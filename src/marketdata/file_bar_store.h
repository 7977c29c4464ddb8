#pragma once

// The bar store on files (BarStore::Open): one bar file per series (bar_file_format.h), a
// manifest (bar_manifest.h), a tail file (tail_file.h) and the writer lock. Its members are
// defined by concern: bar_store.cc (open, writes, batches, manifest upkeep), bar_store_read.cc
// (reads of bar files) and bar_store_tails.cc (the tail file). Internal to marketdata.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/check.h"
#include "core/file_lock.h"
#include "core/result.h"
#include "marketdata/bar_file_format.h"
#include "marketdata/bar_file_io.h"
#include "marketdata/bar_manifest.h"
#include "marketdata/bar_store.h"
#include "marketdata/tail_file.h"

namespace kairos::marketdata::internal {

// What StoredSeries and TailSeries share: dates and the columns a read asked for; any other
// column is a programming error naming the call (`asked_in`) that should have requested it.
class ServedSeries : public SeriesView {
 public:
  std::span<const Date> dates() const override { return dates_; }
  std::span<const double> open() const override { return Served(Column::kOpen); }
  std::span<const double> high() const override { return Served(Column::kHigh); }
  std::span<const double> low() const override { return Served(Column::kLow); }
  std::span<const double> close() const override { return Served(Column::kClose); }
  std::span<const double> volume() const override { return Served(Column::kVolume); }
  void set_dates(std::span<const Date> d) { dates_ = d; }
  void Serve(Column c, std::span<const double> values) {
    served_[static_cast<size_t>(c)] = true;
    columns_[static_cast<size_t>(c)] = values;
  }

 protected:
  explicit ServedSeries(const char* asked_in) : asked_in_(asked_in) {}

 private:
  std::span<const double> Served(Column c) const {
    KAIROS_CHECK(served_[static_cast<size_t>(c)])
        << "column '" << kSlotNames[SlotOf(c)] << "' of " << info().instrument.symbol
        << " was not asked for in " << asked_in_;
    return columns_[static_cast<size_t>(c)];
  }

  const char* asked_in_;
  std::span<const Date> dates_;
  std::span<const double> columns_[5];
  bool served_[5] = {};
};

// A series read from its bar file (ReadColumns, ReadTail); owns the bytes it serves.
class StoredSeries final : public ServedSeries {
 public:
  explicit StoredSeries(FileBytes bytes)
      : ServedSeries("ReadColumns()"), bytes_(std::move(bytes)) {}

  const SeriesInfo& info() const override { return info_; }
  const std::byte* base() const { return bytes_.data(); }
  // The header checksum of the file read (identifies its content).
  uint64_t source_hash() const { return source_hash_; }
  void set_source_hash(uint64_t hash) { source_hash_ = hash; }
  void set_info(SeriesInfo info) { info_ = std::move(info); }

 private:
  FileBytes bytes_;
  SeriesInfo info_;
  uint64_t source_hash_ = 0;
};

// The BarStore that BarStore::Open returns.
class FileBarStore final : public BarStore {
 public:
  FileBarStore(std::filesystem::path dir, std::filesystem::path lock_path, BarStoreOptions options)
      : dir_(std::move(dir)), lock_path_(std::move(lock_path)), options_(options) {}
  ~FileBarStore() override;

  // LoadLocked() under the lock, for BarStore::Open.
  Status Load();

  // Loads the manifest and reconciles it with the files in the directory: entries whose file
  // is gone are dropped, files that are new or changed since (inode, size, mtime) are described
  // from their headers; a missing or unreadable manifest is rebuilt whole. Files whose header is
  // corrupt are left out (Read() reports them). Writes nothing: the reconciled manifest is kept
  // in memory (readers never write) and written by the next write. A missing directory is an
  // empty store. Returns whether the manifest on disk differs from the reconciled one.
  Result<bool> LoadLocked();

  Status Upsert(const BarSeries& bars) override;
  Status Replace(const BarSeries& bars) override;
  Status Remove(std::string_view symbol) override;

  // REQUIRES: ValidateSeries(bars).ok(), the writer lock held.
  Status UpsertWriting(const BarSeries& bars);

  // REQUIRES: the writer lock held.
  Status RemoveWriting(std::string_view symbol);

  Result<std::unique_ptr<SeriesView>> Read(std::string_view symbol) const override;
  Result<std::unique_ptr<SeriesView>> ReadColumns(std::string_view symbol,
                                                  ColumnSet columns) const override;
  Result<std::unique_ptr<SeriesView>> ReadTail(std::string_view symbol, ColumnSet columns,
                                               size_t last_rows) const override;
  std::vector<SeriesInfo> List() const override;
  Result<SeriesInfo> Info(std::string_view symbol) const override;

  // The outermost batch holds the writer lock until its EndBatch; when the lock cannot be
  // taken, every write inside the batch and EndBatch fail with that status.
  void BeginBatch() override;

  Status EndBatch() override;

  std::shared_ptr<const SeriesTails> Tails() const override;
  Status RebuildTails() override;

 private:
  // Runs `write` holding the writer lock (EnterWrite), then leaves it.
  template <typename F>
  Status Writing(F&& write) {
    KAIROS_RETURN_IF_ERROR(EnterWrite());
    Status status = write();
    std::lock_guard lock(mu_);
    LeaveWriteLocked();
    return status;
  }

  // Takes the writer lock (one writer process per store, waiting up to options_.writer_wait), or
  // joins the write or batch of this store that holds it. On taking it: the directory is
  // created when missing, leftover temp files of a killed writer are removed, and the manifest
  // is reloaded from disk and the files (another process may have written since Open), to be
  // written back with this write when it was stale.
  Status EnterWrite();

  void LeaveWriteLocked();

  // Temp files (*.tmp) left by a writer killed between creating and renaming them. Only the
  // holder of the writer lock creates them, so under the lock every one is a leftover.
  void RemoveTempFilesLocked();

  // An open bar file whose header is checked and names the symbol asked for.
  struct OpenFile {
    Fd fd;
    std::filesystem::path path;
    FileHeader header;
    std::byte header_bytes[sizeof(FileHeader)];
  };
  Result<OpenFile> OpenChecked(std::string_view symbol) const;

  // The first `size` bytes of the open file, mapped or copied (options_.read_mode). The first 256
  // (already read and checked) are `header`.
  Result<FileBytes> Load(int fd, const std::filesystem::path& path, size_t size,
                         const std::byte* header) const;

  // REQUIRES: both validated, same close_only. New rows win on equal dates.
  static BarSeries Merge(const SeriesView& old, const BarSeries& add);

  // REQUIRES: ValidateSeries(bars).ok(), !bars.empty().
  Status Write(const BarSeries& bars);

  Status ManifestChangedLocked();

  static BarSeries LastRows(const BarSeries& bars, size_t rows);

  // The tail file as it is on disk now (reopened when it changed), or nullptr.
  std::shared_ptr<const internal::TailFile> TailFileLocked() const;

  // Rewrites the tail file for the series in manifest_: rows written since the last rewrite
  // (pending_tails_) when their checksum is the manifest's, else the old tail file's verified
  // rows when its entry is current, else the bar file read whole and verified. A series whose
  // file cannot be read is left out (its scans read the file and report the error).
  Status RebuildTailsLocked();

  Status WriteManifestLocked() const;

  // Picks up a manifest another process wrote since we last read or wrote ours.
  void RefreshLocked() const;

  const std::filesystem::path dir_;
  const std::filesystem::path lock_path_;
  const BarStoreOptions options_;
  mutable std::mutex mu_;
  // The writer lock while this store writes: held for one write, or for the outermost batch.
  std::optional<FileLock> writer_lock_;  // guarded by mu_
  int writer_depth_ = 0;                 // writes and batches inside the lock; guarded by mu_
  Status batch_writer_;                  // why the open batch has no lock; guarded by mu_
  mutable Manifest manifest_;            // guarded by mu_
  mutable std::optional<FileStamp> manifest_stamp_;  // guarded by mu_
  mutable bool dirty_ = false;                       // guarded by mu_
  int batch_depth_ = 0;                              // guarded by mu_
  struct PendingTail {
    uint64_t source_hash = 0;
    BarSeries rows;
  };
  // Rows written since the tail file was last rewritten, by symbol. Guarded by mu_.
  std::map<std::string, PendingTail, std::less<>> pending_tails_;
  // The tail file last opened and the stamp it had. Guarded by mu_.
  mutable std::shared_ptr<const internal::TailFile> tail_file_;
  mutable std::optional<FileStamp> tail_stamp_;
};

}  // namespace kairos::marketdata::internal
