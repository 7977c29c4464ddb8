#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "marketdata/file_bar_store.h"

// The bar store's tail file: serving it (Tails) against the manifest, and rewriting it after a
// change (RebuildTails).
namespace kairos::marketdata::internal {
namespace {

// Rows of the tail file (SeriesTails::Tail); holds the mapping alive.
class TailSeries final : public ServedSeries {
 public:
  TailSeries(std::shared_ptr<const TailFile> file, const SeriesInfo& info)
      : ServedSeries("Tail()"), file_(std::move(file)), info_(info) {}
  const SeriesInfo& info() const override { return info_; }

 private:
  std::shared_ptr<const TailFile> file_;
  const SeriesInfo& info_;  // in file_'s entry table
};

// A tail file paired with the manifest it was checked against: entry i is served only when
// current[i] (same bar file checksum and description as the manifest's entry).
class StoreTails final : public SeriesTails {
 public:
  StoreTails(std::shared_ptr<const TailFile> file, std::vector<uint8_t> current)
      : file_(std::move(file)), current_(std::move(current)) {}

  size_t capacity() const override { return file_->capacity(); }

  Result<std::unique_ptr<SeriesView>> Tail(std::string_view symbol, ColumnSet columns,
                                           size_t last_rows) const override {
    if (last_rows == 0) return Status::InvalidArgument("a tail read needs at least one row");
    std::optional<size_t> found = file_->Find(symbol);
    if (!found) return Status::NotFound(fmt::format("{}: not in the tail file", symbol));
    const size_t i = *found;
    if (current_[i] == 0) {
      return Status::FailedPrecondition(fmt::format("{}: the tail file is stale for it", symbol));
    }
    const TailFile::Entry& e = file_->entry(i);
    if (last_rows > e.rows) {
      return Status::OutOfRange(
          fmt::format("{}: the tail file keeps {} rows, {} asked for", symbol, e.rows, last_rows));
    }
    const size_t start = e.rows - last_rows;
    KAIROS_ASSIGN_OR_RETURN(std::span<const Date> dates, file_->Dates(i));
    auto view = std::make_unique<TailSeries>(file_, e.info);
    view->set_dates(dates.subspan(start));
    for (Column c : {Column::kOpen, Column::kHigh, Column::kLow, Column::kClose, Column::kVolume}) {
      if (!columns.contains(c)) continue;
      if (e.info.close_only && c != Column::kClose) {
        view->Serve(c, {});
        continue;
      }
      KAIROS_ASSIGN_OR_RETURN(std::span<const double> values, file_->Values(i, c));
      view->Serve(c, values.subspan(start));
    }
    return std::unique_ptr<SeriesView>(std::move(view));
  }

 private:
  std::shared_ptr<const TailFile> file_;
  std::vector<uint8_t> current_;
};

}  // namespace

std::shared_ptr<const SeriesTails> FileBarStore::Tails() const {
  std::lock_guard lock(mu_);
  RefreshLocked();
  std::shared_ptr<const internal::TailFile> file = TailFileLocked();
  if (file == nullptr) return nullptr;
  // Entries and manifest are both sorted by symbol: one merge marks the current entries.
  std::vector<uint8_t> current(file->size(), 0);
  auto m = manifest_.begin();
  for (size_t i = 0; i < file->size(); ++i) {
    const internal::TailFile::Entry& e = file->entry(i);
    while (m != manifest_.end() && m->first < e.info.instrument.symbol) ++m;
    current[i] = m != manifest_.end() && m->first == e.info.instrument.symbol &&
                 m->second.checksum == e.source_hash && m->second.info == e.info &&
                 e.rows == std::min<uint64_t>(static_cast<uint64_t>(e.info.bars), file->capacity());
  }
  return std::make_shared<StoreTails>(std::move(file), std::move(current));
}

Status FileBarStore::RebuildTails() {
  return Writing([&] {
    std::lock_guard lock(mu_);
    return RebuildTailsLocked();
  });
}

BarSeries FileBarStore::LastRows(const BarSeries& bars, size_t rows) {
  const auto start = static_cast<ptrdiff_t>(bars.size() - std::min(rows, bars.size()));
  BarSeries out;
  out.instrument = bars.instrument;
  out.close_only = bars.close_only;
  auto cut = [&](const std::vector<double>& from, std::vector<double>* to) {
    if (!from.empty()) to->assign(from.begin() + start, from.end());
  };
  out.dates.assign(bars.dates.begin() + start, bars.dates.end());
  cut(bars.open, &out.open);
  cut(bars.high, &out.high);
  cut(bars.low, &out.low);
  cut(bars.close, &out.close);
  cut(bars.volume, &out.volume);
  return out;
}

std::shared_ptr<const internal::TailFile> FileBarStore::TailFileLocked() const {
  std::filesystem::path path = dir_ / internal::kTailFileName;
  std::optional<FileStamp> stamp = StatFile(path);
  if (!stamp) {
    tail_file_.reset();
    tail_stamp_.reset();
    return nullptr;
  }
  if (stamp != tail_stamp_) {
    Result<std::shared_ptr<const internal::TailFile>> opened = internal::TailFile::Open(path);
    tail_file_ = opened.ok() ? *opened : nullptr;
    tail_stamp_ = stamp;  // a damaged file is not reopened until it changes
  }
  return tail_file_;
}

Status FileBarStore::RebuildTailsLocked() {
  const size_t capacity = internal::kTailRows;
  std::shared_ptr<const internal::TailFile> old = TailFileLocked();
  std::vector<internal::TailSource> sources;
  sources.reserve(manifest_.size());
  std::vector<BarSeries> owned;  // rows read from bar files; spans in `sources` point here
  owned.reserve(manifest_.size());
  bool all_reused =
      old != nullptr && old->capacity() == capacity && old->size() == manifest_.size();
  auto add = [&](const SeriesInfo& info, uint64_t hash, const BarSeries& rows) {
    internal::TailSource src;
    src.info = info;
    src.source_hash = hash;
    src.dates = rows.dates;
    src.columns[static_cast<size_t>(Column::kClose)] = rows.close;
    if (!rows.close_only) {
      src.columns[static_cast<size_t>(Column::kOpen)] = rows.open;
      src.columns[static_cast<size_t>(Column::kHigh)] = rows.high;
      src.columns[static_cast<size_t>(Column::kLow)] = rows.low;
      src.columns[static_cast<size_t>(Column::kVolume)] = rows.volume;
    }
    sources.push_back(std::move(src));
  };
  for (const auto& [symbol, m] : manifest_) {
    const size_t want = std::min<uint64_t>(static_cast<uint64_t>(m.info.bars), capacity);
    auto pending = pending_tails_.find(symbol);
    if (pending != pending_tails_.end() && pending->second.source_hash == m.checksum &&
        pending->second.rows.size() == want) {
      add(m.info, m.checksum, pending->second.rows);
      all_reused = false;
      continue;
    }
    if (old != nullptr && old->capacity() == capacity) {
      std::optional<size_t> j = old->Find(symbol);
      if (j && old->entry(*j).source_hash == m.checksum && old->entry(*j).info == m.info &&
          old->entry(*j).rows == want) {
        internal::TailSource src;
        src.info = m.info;
        src.source_hash = m.checksum;
        bool intact = true;
        if (Result<std::span<const Date>> d = old->Dates(*j); d.ok()) {
          src.dates = *d;
        } else {
          intact = false;
        }
        for (Column c :
             {Column::kOpen, Column::kHigh, Column::kLow, Column::kClose, Column::kVolume}) {
          if (!intact || (m.info.close_only && c != Column::kClose)) continue;
          Result<std::span<const double>> v = old->Values(*j, c);
          intact = v.ok();
          if (intact) src.columns[static_cast<size_t>(c)] = *v;
        }
        if (intact) {
          sources.push_back(std::move(src));
          continue;
        }
      }
    }
    all_reused = false;
    Result<std::unique_ptr<SeriesView>> read = ReadColumns(symbol, ColumnSet::All());
    if (!read.ok()) continue;
    const auto& stored = static_cast<const StoredSeries&>(**read);
    // The manifest may be behind the file (another writer); describe what was read, and the
    // entry is then served only once the manifest agrees.
    owned.push_back(LastRows((*read)->Copy(), capacity));
    add(stored.info(), stored.source_hash(), owned.back());
  }
  if (all_reused) {
    pending_tails_.clear();
    return Status::Ok();
  }
  std::vector<std::byte> bytes = internal::EncodeTails(sources, capacity);
  sources.clear();  // it points into pending_tails_
  pending_tails_.clear();
  KAIROS_RETURN_IF_ERROR(
      WriteAtomically(dir_, internal::kTailFileName, bytes, options_.sync, options_.sync));
  tail_stamp_.reset();  // reopen on the next Tails()
  tail_file_.reset();
  return Status::Ok();
}

}  // namespace kairos::marketdata::internal
