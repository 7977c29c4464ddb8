#include "marketdata/bar_store.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <mutex>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "marketdata/file_bar_store.h"

namespace kairos::marketdata {

BarSeries SeriesView::Copy(std::optional<Date> from, std::optional<Date> to) const {
  std::span<const Date> d = dates();
  size_t begin = from ? std::lower_bound(d.begin(), d.end(), *from) - d.begin() : 0;
  size_t end = to ? std::upper_bound(d.begin(), d.end(), *to) - d.begin() : d.size();
  end = std::max(begin, end);
  BarSeries out;
  out.instrument = info().instrument;
  out.close_only = info().close_only;
  auto copy = [&](std::span<const double> col, std::vector<double>* dst) {
    dst->assign(col.begin() + static_cast<ptrdiff_t>(begin),
                col.begin() + static_cast<ptrdiff_t>(end));
  };
  out.dates.assign(d.begin() + static_cast<ptrdiff_t>(begin),
                   d.begin() + static_cast<ptrdiff_t>(end));
  copy(close(), &out.close);
  if (!out.close_only) {
    copy(open(), &out.open);
    copy(high(), &out.high);
    copy(low(), &out.low);
    copy(volume(), &out.volume);
  }
  return out;
}

namespace {

// The last rows of another view (BarStore::ReadTail's default implementation).
class TailView final : public SeriesView {
 public:
  TailView(std::unique_ptr<SeriesView> whole, size_t start)
      : whole_(std::move(whole)), start_(start) {}
  const SeriesInfo& info() const override { return whole_->info(); }
  std::span<const Date> dates() const override { return whole_->dates().subspan(start_); }
  std::span<const double> open() const override { return Tail(whole_->open()); }
  std::span<const double> high() const override { return Tail(whole_->high()); }
  std::span<const double> low() const override { return Tail(whole_->low()); }
  std::span<const double> close() const override { return Tail(whole_->close()); }
  std::span<const double> volume() const override { return Tail(whole_->volume()); }

 private:
  // Close-only series serve empty columns.
  std::span<const double> Tail(std::span<const double> column) const {
    return column.empty() ? column : column.subspan(start_);
  }
  std::unique_ptr<SeriesView> whole_;
  size_t start_;
};

}  // namespace

Result<std::unique_ptr<SeriesView>> BarStore::ReadTail(std::string_view symbol, ColumnSet columns,
                                                       size_t last_rows) const {
  if (last_rows == 0) return Status::InvalidArgument("a tail read needs at least one row");
  KAIROS_ASSIGN_OR_RETURN(std::unique_ptr<SeriesView> whole, ReadColumns(symbol, columns));
  const size_t n = whole->dates().size();
  if (last_rows >= n) return whole;
  return std::unique_ptr<SeriesView>(std::make_unique<TailView>(std::move(whole), n - last_rows));
}

std::shared_ptr<const SeriesTails> BarStore::Tails() const { return nullptr; }

Status BarStore::RebuildTails() { return Status::Ok(); }

Result<std::unique_ptr<BarStore>> BarStore::Open(const std::filesystem::path& home) {
  return Open(home, BarStoreOptions{});
}

Result<std::unique_ptr<BarStore>> BarStore::Open(const std::filesystem::path& home,
                                                 const BarStoreOptions& options) {
  auto store = std::make_unique<internal::FileBarStore>(home / "bars", home / "locks" / "bars.lock",
                                                        options);
  KAIROS_RETURN_IF_ERROR(store->Load());
  return std::unique_ptr<BarStore>(std::move(store));
}

namespace internal {

FileBarStore::~FileBarStore() {
  // Best effort, and only by the writer (a batch left open): a manifest left stale here is
  // rebuilt in memory by the next Open() and written by the next write.
  std::lock_guard lock(mu_);
  if (dirty_ && writer_lock_) (void)WriteManifestLocked();
}

Status FileBarStore::Load() {
  std::lock_guard lock(mu_);
  return LoadLocked().status();
}

Result<bool> FileBarStore::LoadLocked() {
  std::filesystem::path manifest_path = dir_ / kManifestName;
  manifest_stamp_ = StatFile(manifest_path);
  Result<std::string> text = ReadWholeFile(manifest_path);
  std::optional<Manifest> loaded;
  if (text.ok()) loaded = ParseManifest(*text);
  bool changed = !loaded.has_value();
  Manifest old = loaded.value_or(Manifest{});
  std::map<std::string, const ManifestEntry*> old_by_file;
  for (const auto& [symbol, e] : old) old_by_file[SymbolFileName(symbol)] = &e;

  std::error_code ec;
  std::filesystem::directory_iterator it(dir_, ec);
  if (ec == std::errc::no_such_file_or_directory) {
    manifest_.clear();
    return !old.empty();
  }
  if (ec) return Status::IOError(fmt::format("cannot list {}: {}", dir_.string(), ec.message()));
  Manifest fresh;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (!name.ends_with(kExtension)) continue;  // temp files, the manifest
    std::optional<FileStamp> stamp = StatFile(it->path());
    if (!stamp) continue;
    auto known = old_by_file.find(name);
    if (known != old_by_file.end() && known->second->stamp == *stamp) {
      fresh.emplace(known->second->info.instrument.symbol, *known->second);
      continue;
    }
    changed = true;
    Result<ManifestEntry> entry = ReadEntry(it->path());
    if (!entry.ok() || SymbolFileName(entry->info.instrument.symbol) != name) continue;
    fresh.emplace(entry->info.instrument.symbol, *entry);
  }
  if (ec) return Status::IOError(fmt::format("cannot list {}: {}", dir_.string(), ec.message()));
  changed = changed || fresh.size() != old.size();
  manifest_ = std::move(fresh);
  return changed;
}

Status FileBarStore::Upsert(const BarSeries& bars) {
  KAIROS_RETURN_IF_ERROR(ValidateSeries(bars));
  return Writing([&] { return UpsertWriting(bars); });
}

Status FileBarStore::Replace(const BarSeries& bars) {
  KAIROS_RETURN_IF_ERROR(ValidateSeries(bars));
  if (bars.empty()) {
    return Status::InvalidArgument(
        fmt::format("{}: cannot store an empty series (use Remove)", bars.instrument.symbol));
  }
  return Writing([&] { return Write(bars); });
}

Status FileBarStore::Remove(std::string_view symbol) {
  return Writing([&] { return RemoveWriting(symbol); });
}

Status FileBarStore::UpsertWriting(const BarSeries& bars) {
  Result<std::unique_ptr<SeriesView>> stored = Read(bars.instrument.symbol);
  if (!stored.ok() && stored.status().code() != StatusCode::kNotFound) {
    return stored.status().WithContext(
        fmt::format("cannot merge into the stored bars of {}", bars.instrument.symbol));
  }
  if (!stored.ok()) return bars.empty() ? Status::Ok() : Write(bars);
  const SeriesInfo& info = (*stored)->info();
  if (info.close_only != bars.close_only) {
    return Status::InvalidArgument(fmt::format(
        "{} is stored {}, the new bars are {}; use Replace to change it", bars.instrument.symbol,
        info.close_only ? "close-only" : "with open/high/low/volume",
        bars.close_only ? "close-only" : "with open/high/low/volume"));
  }
  if (info.instrument.exchange != bars.instrument.exchange) {
    return Status::InvalidArgument(
        fmt::format("{} is stored with exchange {}, the new bars say {}; use Replace to change it",
                    bars.instrument.symbol, info.instrument.exchange, bars.instrument.exchange));
  }
  if (bars.empty()) return Status::Ok();
  return Write(Merge(**stored, bars));
}

Status FileBarStore::RemoveWriting(std::string_view symbol) {
  std::filesystem::path path = dir_ / SymbolFileName(symbol);
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return Status::NotFound(fmt::format("no bars stored for '{}'", symbol));
    return Errno("cannot remove", path);
  }
  std::lock_guard lock(mu_);
  if (options_.sync && batch_depth_ == 0) KAIROS_RETURN_IF_ERROR(SyncDir(dir_));
  auto it = manifest_.find(symbol);
  if (it != manifest_.end()) manifest_.erase(it);
  return ManifestChangedLocked();
}

std::vector<SeriesInfo> FileBarStore::List() const {
  std::lock_guard lock(mu_);
  RefreshLocked();
  std::vector<SeriesInfo> out;
  out.reserve(manifest_.size());
  for (const auto& [symbol, e] : manifest_) out.push_back(e.info);
  return out;
}

Result<SeriesInfo> FileBarStore::Info(std::string_view symbol) const {
  std::lock_guard lock(mu_);
  RefreshLocked();
  auto it = manifest_.find(symbol);
  if (it == manifest_.end()) {
    return Status::NotFound(fmt::format("no bars stored for '{}'", symbol));
  }
  return it->second.info;
}

void FileBarStore::BeginBatch() {
  bool outermost;
  {
    std::lock_guard lock(mu_);
    outermost = batch_depth_ == 0;
  }
  Status writer = outermost ? EnterWrite() : Status::Ok();
  std::lock_guard lock(mu_);
  if (outermost) batch_writer_ = writer;
  ++batch_depth_;
}

Status FileBarStore::EndBatch() {
  std::lock_guard lock(mu_);
  KAIROS_CHECK(batch_depth_ > 0) << "EndBatch() without BeginBatch()";
  --batch_depth_;
  if (batch_depth_ > 0) return Status::Ok();
  if (Status writer = std::exchange(batch_writer_, Status::Ok()); !writer.ok()) return writer;
  // The manifest write ends with an fsync of the directory, which makes every rename and
  // unlink of the batch durable too.
  const bool changed = dirty_;
  Status written = changed ? WriteManifestLocked() : Status::Ok();
  // Best effort: the tail file is a cache whose stale entries are never served.
  if (changed && written.ok()) (void)RebuildTailsLocked();
  LeaveWriteLocked();
  return written;
}

Status FileBarStore::EnterWrite() {
  std::lock_guard lock(mu_);
  if (writer_depth_ > 0) {
    ++writer_depth_;
    return Status::Ok();
  }
  if (batch_depth_ > 0) return batch_writer_;  // the batch could not take the lock
  Result<FileLock> taken =
      FileLock::Acquire(lock_path_, fmt::format("the bar store writer lock on {}", dir_.string()),
                        options_.writer_wait);
  if (!taken.ok()) return taken.status();
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return Status::IOError(fmt::format("cannot create {}: {}", dir_.string(), ec.message()));
  RemoveTempFilesLocked();
  KAIROS_ASSIGN_OR_RETURN(bool stale, LoadLocked());
  if (stale) dirty_ = true;
  writer_lock_ = std::move(*taken);
  writer_depth_ = 1;
  return Status::Ok();
}

void FileBarStore::LeaveWriteLocked() {
  KAIROS_CHECK(writer_depth_ > 0) << "leaving a bar store write that was not entered";
  if (--writer_depth_ == 0) writer_lock_.reset();
}

void FileBarStore::RemoveTempFilesLocked() {
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".tmp") ::unlink(it->path().c_str());
  }
}

BarSeries FileBarStore::Merge(const SeriesView& old, const BarSeries& add) {
  BarSeries out;
  out.instrument = add.instrument;
  out.close_only = add.close_only;
  std::span<const Date> od = old.dates();
  std::span<const double> oc = old.close();
  std::span<const double> oo, oh, ol, ov;
  if (!out.close_only) {
    oo = old.open();
    oh = old.high();
    ol = old.low();
    ov = old.volume();
  }
  const size_t capacity = od.size() + add.size();
  out.dates.reserve(capacity);
  out.close.reserve(capacity);
  if (!out.close_only) {
    for (auto* col : {&out.open, &out.high, &out.low, &out.volume}) col->reserve(capacity);
  }
  auto take_old = [&](size_t i) {
    out.dates.push_back(od[i]);
    out.close.push_back(oc[i]);
    if (out.close_only) return;
    out.open.push_back(oo[i]);
    out.high.push_back(oh[i]);
    out.low.push_back(ol[i]);
    out.volume.push_back(ov[i]);
  };
  auto take_new = [&](size_t j) {
    out.dates.push_back(add.dates[j]);
    out.close.push_back(add.close[j]);
    if (out.close_only) return;
    out.open.push_back(add.open[j]);
    out.high.push_back(add.high[j]);
    out.low.push_back(add.low[j]);
    out.volume.push_back(add.volume[j]);
  };
  size_t i = 0, j = 0;
  while (i < od.size() || j < add.size()) {
    if (j == add.size() || (i < od.size() && od[i] < add.dates[j])) {
      take_old(i++);
    } else {
      if (i < od.size() && od[i] == add.dates[j]) ++i;
      take_new(j++);
    }
  }
  return out;
}

Status FileBarStore::Write(const BarSeries& bars) {
  std::vector<std::byte> bytes = Encode(bars);
  std::string name = SymbolFileName(bars.instrument.symbol);
  bool in_batch;
  {
    std::lock_guard lock(mu_);
    in_batch = batch_depth_ > 0;
  }
  // Inside a batch the directory is fsynced once, at EndBatch.
  KAIROS_RETURN_IF_ERROR(
      WriteAtomically(dir_, name, bytes, options_.sync, options_.sync && !in_batch));
  FileHeader h;
  std::memcpy(&h, bytes.data(), sizeof h);
  ManifestEntry entry{InfoOf(h), h.header_hash, StatFile(dir_ / name).value_or(FileStamp{})};
  // The rows the tail file will take, so that rewriting it need not read this file back.
  PendingTail pending{h.header_hash, LastRows(bars, internal::kTailRows)};
  std::lock_guard lock(mu_);
  manifest_[bars.instrument.symbol] = std::move(entry);
  pending_tails_[bars.instrument.symbol] = std::move(pending);
  return ManifestChangedLocked();
}

Status FileBarStore::ManifestChangedLocked() {
  dirty_ = true;
  if (batch_depth_ > 0) return Status::Ok();
  KAIROS_RETURN_IF_ERROR(WriteManifestLocked());
  (void)RebuildTailsLocked();  // best effort, as in EndBatch
  return Status::Ok();
}

Status FileBarStore::WriteManifestLocked() const {
  std::string text = FormatManifest(manifest_);
  KAIROS_RETURN_IF_ERROR(WriteAtomically(dir_, kManifestName, std::as_bytes(std::span(text)),
                                         options_.sync, options_.sync));
  dirty_ = false;
  manifest_stamp_ = StatFile(dir_ / kManifestName);
  return Status::Ok();
}

void FileBarStore::RefreshLocked() const {
  if (dirty_ || batch_depth_ > 0) return;
  std::filesystem::path path = dir_ / kManifestName;
  std::optional<FileStamp> stamp = StatFile(path);
  if (!stamp || stamp == manifest_stamp_) return;
  Result<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return;
  std::optional<Manifest> loaded = ParseManifest(*text);
  if (!loaded) return;
  manifest_ = std::move(*loaded);
  manifest_stamp_ = stamp;
}

}  // namespace internal
}  // namespace kairos::marketdata
