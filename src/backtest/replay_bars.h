#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/result.h"
#include "core/status.h"
#include "core/string_hash.h"
#include "domain/bar.h"
#include "marketdata/bar_store.h"
#include "ports/bar_source.h"

namespace kairos::backtest {

// The bars a backtest replays, kept for the whole run in a compact form: what the paper broker
// fills against (ports::BarSource) and the closes the engine marks and checks exits with.
//
// Why not keep the series as read: a run over 5,000 symbols x 5,000 sessions would hold 1.2 GB
// of doubles, and on small virtual machines first touching memory costs seconds per GB (page
// faults trapped by the hypervisor: 3.3 s/GB measured on the development VM, bench/README.md).
// So each series keeps only its rows from the last bar before `from` through `to`, and each
// column is stored as 32-bit integers of 10^-k units when that is exact for every value of the
// column (a price in cents, a whole volume), else as doubles. The double given back is the one
// stored, bit for bit: an integer divided by 10^k is correctly rounded, i.e. it is the double the
// decimal parses to, and a column is only stored so when that reproduces every value. Memory
// comes from a few large huge-page-advised blocks, freed with this object.
//
// Series are read on first use (or handed over by a scan that read them already, Keep), with
// every column verified by the bar store. Thread-safe.
class ReplayBars final : public ports::BarSource {
 public:
  ReplayBars(const marketdata::BarStore& bars, Date from, Date to);
  ~ReplayBars() override;
  ReplayBars(const ReplayBars&) = delete;
  ReplayBars& operator=(const ReplayBars&) = delete;

  // The bar of `session` (from <= session <= to); nullopt when the symbol has none then, is
  // not in the store, or holds closes only (nothing to fill at). A corrupt file is its Status.
  Result<std::optional<Bar>> BarOn(std::string_view symbol, Date session) override;

  // The close of `symbol` on `day`, or with `at_or_before` its last close up to `day`; nullopt
  // when it has none. `day` must not be before the last bar before `from` (OutOfRange: the
  // rows before it are not kept). NotFound for a symbol the store does not hold.
  Result<std::optional<double>> Close(std::string_view symbol, Date day, bool at_or_before);

  // Keeps what the run needs of `view`, a whole series as the bar store read it (every column
  // it holds), unless the symbol is kept already: a range scan that read the series for a rule
  // hands it over instead of it being read twice.
  void Keep(std::string_view symbol, const marketdata::SeriesView& view);

  // Whether `symbol` has been read or handed over.
  bool Kept(std::string_view symbol) const;

  // Bytes of bar data kept (the blocks' used part).
  size_t bytes_kept() const;

 private:
  struct Series;
  class Arena;

  // The kept series of `symbol`, read if needed; nullptr when the store does not hold it.
  Result<const Series*> Get(std::string_view symbol);
  std::unique_ptr<Series> Compact(const marketdata::SeriesView& view);

  const marketdata::BarStore& bars_;
  const Date from_, to_;
  mutable std::mutex mu_;
  std::unique_ptr<Arena> arena_;
  // Looked up by string_view, without building a key string per call.
  StringMap<std::unique_ptr<Series>> series_;
  // Symbols the store does not hold, with its NotFound status.
  StringMap<Status> missing_;
};

// Makes glibc's malloc keep freed memory for reuse instead of returning it to the system: a
// replay allocates and frees vectors of 0.1-1 MB (a strategy's positions, a universe, a scan's
// rows) thousands of times per run, and with the default thresholds each one is a fresh mapping
// whose pages fault in again; on the development VM that was a fifth of a 5,000 x 5,000 run
// (bench/README.md, "Backtest"). Process-wide; the backtest command and its benchmark call it.
void KeepFreedMemoryForReplays();

}  // namespace kairos::backtest
