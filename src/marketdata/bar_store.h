#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
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
};

// A read-only, memory-mapped view of one stored series. The spans stay valid while the view
// lives (the mapping is owned by the view). Close-only series have empty open/high/low/volume.
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
  BarSeries Copy(std::optional<Date> from = std::nullopt, std::optional<Date> to = std::nullopt) const;
};

// The columnar daily bar store under <home>/bars/ (one file per symbol plus a manifest).
// Writes are atomic (temp file, fsync, rename); a corrupt or truncated file is reported as
// Corruption and never served. Thread safety: concurrent readers are fine; writers must be
// serialised by the caller (one writer process at a time).
class BarStore {
 public:
  // Opens (creating if needed) the store under `home`.
  static Result<std::unique_ptr<BarStore>> Open(const std::filesystem::path& home);
  virtual ~BarStore() = default;

  // Merges `bars` into the stored series of bars.instrument: new dates are added, dates already
  // stored are replaced. REQUIRES: bars.dates strictly increasing (importers validate).
  // Fails with InvalidArgument if close-only-ness differs from what is stored (say so; no change).
  virtual Status Upsert(const BarSeries& bars) = 0;
  // Replaces the whole stored series.
  virtual Status Replace(const BarSeries& bars) = 0;
  virtual Status Remove(std::string_view symbol) = 0;

  // Symbols are unique in one store (the exchange is an attribute of the symbol).
  virtual Result<std::unique_ptr<SeriesView>> Read(std::string_view symbol) const = 0;
  virtual std::vector<SeriesInfo> List() const = 0;  // sorted by symbol
  virtual Result<SeriesInfo> Info(std::string_view symbol) const = 0;
};

}  // namespace kairos::marketdata
