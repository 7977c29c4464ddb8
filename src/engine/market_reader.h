#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calendar/calendar.h"
#include "core/date.h"
#include "core/result.h"
#include "engine/scanner.h"
#include "marketdata/bar_store.h"

namespace kairos::engine {

// Where the trading day reads its rule scans and closes. Two wirings of the same engine use it:
// live and paper trading read the bar store as it is at each phase (StoreMarketReader, the
// default), a backtest replays a bar store that does not change and can answer from work done
// once for the whole run (backtest/backtest.cc). Either way the engine asks the same questions
// and acts on the answers with the same code (STYLE.md #9).
class MarketReader {
 public:
  virtual ~MarketReader() = default;
  // The scan of `request` as of one session (request.as_of is set; `rule_key` names the program:
  // the same key, the same rule and extras). What engine::Scan returns in as-of mode: matches on
  // that session with their terms, extras and close; unscannable symbols in `skipped`.
  virtual Result<ScanResult> ScanAsOf(const ScanRequest& request, std::string_view rule_key) = 0;
  // Which of request.symbols the rule holds for on request.as_of: one flag per symbol, in
  // request order (1 = matched). The question the exit checks ask, which needs no values, so a
  // replay can keep one bit per bar for it. The default asks ScanAsOf.
  virtual Result<std::vector<uint8_t>> MatchFlags(const ScanRequest& request,
                                                  std::string_view rule_key);
  // The close of `symbol` on `day`, or with `at_or_before` its last close up to `day`; nullopt
  // when it has none. A Status worth a note when the series cannot be read.
  virtual Result<std::optional<double>> Close(const std::string& symbol, Date day,
                                              bool at_or_before) = 0;
  // Each phase starts here: bars may have been added since the last one (live).
  virtual void NewPhase() = 0;
};

// The default reader: engine::Scan as of the session, close columns read once per phase.
class StoreMarketReader final : public MarketReader {
 public:
  StoreMarketReader(const marketdata::BarStore& bars, const calendar::ExchangeCalendar& cal)
      : bars_(bars), cal_(cal) {}
  Result<ScanResult> ScanAsOf(const ScanRequest& request, std::string_view rule_key) override;
  Result<std::optional<double>> Close(const std::string& symbol, Date day,
                                      bool at_or_before) override;
  void NewPhase() override { closes_.clear(); }

 private:
  const marketdata::BarStore& bars_;
  const calendar::ExchangeCalendar& cal_;
  std::map<std::string, std::unique_ptr<marketdata::SeriesView>, std::less<>> closes_;
};

}  // namespace kairos::engine
