#include "backtest/replay_bars.h"

#include <malloc.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "core/check.h"

namespace kairos::backtest {
namespace {

// One column of kept rows: 32-bit integers of 10^-k units, or the doubles themselves.
struct Column {
  const int32_t* ints = nullptr;
  const double* doubles = nullptr;
  double scale = 1;  // 10^k
  double At(size_t i) const {
    return ints != nullptr ? static_cast<double>(ints[i]) / scale : doubles[i];
  }
};

constexpr double kPow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};

// The smallest-first k (cents first: most prices have two decimals) for which every value is
// an integer of 10^-k units that fits 32 bits and divides back to the very same double; -1 when
// none does.
int IntegerScale(std::span<const double> values) {
  for (int k : {2, 0, 4, 6}) {
    const double scale = kPow10[k];
    bool exact = true;
    for (double v : values) {
      const double scaled = v * scale;
      if (!(std::fabs(scaled) < 2'147'483'000.0)) {  // NaN fails too
        exact = false;
        break;
      }
      const double r = std::nearbyint(scaled);
      const double back = r / scale;
      if (std::bit_cast<uint64_t>(back) != std::bit_cast<uint64_t>(v)) {
        exact = false;
        break;
      }
    }
    if (exact) return k;
  }
  return -1;
}

}  // namespace

// Large blocks handed out in pieces and freed together. Advised for transparent huge pages, so
// that first touching them costs one fault per 2 MB instead of one per 4 KB.
class ReplayBars::Arena {
 public:
  ~Arena() {
    for (const auto& [p, size] : blocks_) ::munmap(p, size);
  }
  void* Allocate(size_t bytes) {
    bytes = (bytes + 63) & ~size_t{63};
    std::lock_guard lock(mu_);
    if (bytes > left_) {
      constexpr size_t kHuge = size_t{2} << 20;
      const size_t size = std::max(kBlock, (bytes + kHuge - 1) & ~(kHuge - 1)) + kHuge;
      void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      KAIROS_CHECK(p != MAP_FAILED) << "out of memory for " << size << " bytes of bars";
      blocks_.emplace_back(p, size);
      // Huge pages need 2 MB alignment.
      auto at = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
      cur_ = reinterpret_cast<std::byte*>(at);
      left_ = size - (at - reinterpret_cast<uintptr_t>(p));
      ::madvise(cur_, left_ & ~(kHuge - 1), MADV_HUGEPAGE);  // advice only: may be refused
    }
    void* out = cur_;
    cur_ += bytes;
    left_ -= bytes;
    used_ += bytes;
    return out;
  }
  size_t used() const {
    std::lock_guard lock(mu_);
    return used_;
  }

 private:
  static constexpr size_t kBlock = size_t{64} << 20;
  mutable std::mutex mu_;
  std::vector<std::pair<void*, size_t>> blocks_;
  std::byte* cur_ = nullptr;
  size_t left_ = 0;
  size_t used_ = 0;
};

struct ReplayBars::Series {
  bool close_only = false;
  bool rows_before = false;  // the store has rows before the first one kept
  size_t n = 0;
  const int32_t* days = nullptr;  // Date::days() of each kept row
  Column open, high, low, close, volume;

  // The index of the last row on or before `day`, -1 when none is kept. A run asks about the
  // same or the next session again and again, so the row found last is tried first.
  ptrdiff_t Upto(Date day) const {
    const int32_t d = day.days();
    const size_t hint = last.load(std::memory_order_relaxed);
    if (hint < n && days[hint] <= d && (hint + 1 == n || d < days[hint + 1])) {
      return static_cast<ptrdiff_t>(hint);
    }
    if (hint + 1 < n && days[hint + 1] <= d && (hint + 2 == n || d < days[hint + 2])) {
      last.store(hint + 1, std::memory_order_relaxed);
      return static_cast<ptrdiff_t>(hint + 1);
    }
    const int32_t* end = days + n;
    const ptrdiff_t i = std::upper_bound(days, end, d) - days - 1;
    if (i >= 0) last.store(static_cast<size_t>(i), std::memory_order_relaxed);
    return i;
  }
  mutable std::atomic<size_t> last{0};
};

ReplayBars::ReplayBars(const marketdata::BarStore& bars, Date from, Date to)
    : bars_(bars), from_(from), to_(to), arena_(std::make_unique<Arena>()) {}

ReplayBars::~ReplayBars() = default;

std::unique_ptr<ReplayBars::Series> ReplayBars::Compact(const marketdata::SeriesView& view) {
  auto s = std::make_unique<Series>();
  s->close_only = view.info().close_only;
  std::span<const Date> dates = view.dates();
  size_t begin =
      static_cast<size_t>(std::lower_bound(dates.begin(), dates.end(), from_) - dates.begin());
  if (begin > 0) --begin;  // the last bar before `from`: closes "at or before" the first session
  const size_t end =
      static_cast<size_t>(std::upper_bound(dates.begin(), dates.end(), to_) - dates.begin());
  s->rows_before = begin > 0;
  s->n = end > begin ? end - begin : 0;
  if (s->n == 0) return s;
  auto* days = static_cast<int32_t*>(arena_->Allocate(s->n * sizeof(int32_t)));
  for (size_t i = 0; i < s->n; ++i) days[i] = dates[begin + i].days();
  s->days = days;
  auto keep = [&](std::span<const double> all) {
    Column c;
    std::span<const double> rows = all.subspan(begin, s->n);
    const int k = IntegerScale(rows);
    if (k >= 0) {
      auto* ints = static_cast<int32_t*>(arena_->Allocate(rows.size() * sizeof(int32_t)));
      c.scale = kPow10[k];
      for (size_t i = 0; i < rows.size(); ++i) {
        ints[i] = static_cast<int32_t>(std::nearbyint(rows[i] * c.scale));
      }
      c.ints = ints;
    } else {
      auto* doubles = static_cast<double*>(arena_->Allocate(rows.size() * sizeof(double)));
      std::memcpy(doubles, rows.data(), rows.size() * sizeof(double));
      c.doubles = doubles;
    }
    return c;
  };
  s->close = keep(view.close());
  if (!s->close_only) {
    s->open = keep(view.open());
    s->high = keep(view.high());
    s->low = keep(view.low());
    s->volume = keep(view.volume());
  }
  return s;
}

void ReplayBars::Keep(std::string_view symbol, const marketdata::SeriesView& view) {
  if (Kept(symbol)) return;
  std::unique_ptr<Series> s = Compact(view);
  std::lock_guard lock(mu_);
  series_.try_emplace(std::string(symbol), std::move(s));
}

bool ReplayBars::Kept(std::string_view symbol) const {
  std::lock_guard lock(mu_);
  return series_.find(symbol) != series_.end();
}

size_t ReplayBars::bytes_kept() const { return arena_->used(); }

Result<const ReplayBars::Series*> ReplayBars::Get(std::string_view symbol) {
  {
    std::lock_guard lock(mu_);
    auto it = series_.find(symbol);
    if (it != series_.end()) return it->second.get();
    if (missing_.find(symbol) != missing_.end()) return static_cast<const Series*>(nullptr);
  }
  const std::string key(symbol);
  Result<marketdata::SeriesInfo> info = bars_.Info(symbol);
  if (!info.ok()) {
    if (info.status().code() != StatusCode::kNotFound) return info.status();
    std::lock_guard lock(mu_);
    missing_.try_emplace(key, info.status());
    return static_cast<const Series*>(nullptr);
  }
  marketdata::ColumnSet columns = info->close_only
                                      ? marketdata::ColumnSet{marketdata::Column::kClose}
                                      : marketdata::ColumnSet::All();
  KAIROS_ASSIGN_OR_RETURN(auto view, bars_.ReadColumns(symbol, columns));
  std::unique_ptr<Series> s = Compact(*view);
  std::lock_guard lock(mu_);
  return series_.try_emplace(key, std::move(s)).first->second.get();
}

Result<std::optional<Bar>> ReplayBars::BarOn(std::string_view symbol, Date session) {
  KAIROS_ASSIGN_OR_RETURN(const Series* s, Get(symbol));
  if (s == nullptr || s->close_only) return std::optional<Bar>();
  const ptrdiff_t i = s->Upto(session);
  if (i < 0 || s->days[i] != session.days()) return std::optional<Bar>();
  const auto r = static_cast<size_t>(i);
  return std::optional<Bar>(
      Bar{session, s->open.At(r), s->high.At(r), s->low.At(r), s->close.At(r), s->volume.At(r)});
}

Result<std::optional<double>> ReplayBars::Close(std::string_view symbol, Date day,
                                                bool at_or_before) {
  KAIROS_ASSIGN_OR_RETURN(const Series* s, Get(symbol));
  if (s == nullptr) {
    std::lock_guard lock(mu_);
    return missing_.find(symbol)->second;
  }
  const ptrdiff_t i = s->Upto(day);
  if (i < 0) {
    if (s->rows_before) {
      return Status::OutOfRange(
          fmt::format("{}: the close on {} is before the bars kept for the run ({}..{})", symbol,
                      day, from_, to_));
    }
    return std::optional<double>();
  }
  if (!at_or_before && s->days[i] != day.days()) return std::optional<double>();
  return std::optional<double>(s->close.At(static_cast<size_t>(i)));
}

void KeepFreedMemoryForReplays() {
  ::mallopt(M_MMAP_THRESHOLD, 32 << 20);  // blocks below 32 MB come from (and return to) the heap
  ::mallopt(M_TRIM_THRESHOLD, 1 << 30);   // and the heap is not trimmed below 1 GB of free space
}

}  // namespace kairos::backtest
