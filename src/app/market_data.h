#pragma once

#include <optional>
#include <string_view>

#include "app/cli.h"
#include "core/date.h"
#include "core/result.h"
#include "domain/bar.h"
#include "marketdata/bar_store.h"

namespace kairos::app {

// The bar store as `kairos data list|export` and the HTTP API's market data show it.

// Every stored symbol (symbol, exchange, first, last, bars, kind), by symbol.
Table SymbolsTable(const marketdata::BarStore& bars);

enum class Timeframe { kDaily, kWeekly };

// The bars of `symbol` with from <= date <= to (either bound optional). Weekly bars are built
// from the whole history and then cut, so a week is made of all its days even when `from` falls
// inside it (marketdata/resample.h dates them). NotFound for a symbol the store lacks.
Result<BarSeries> ReadBars(const marketdata::BarStore& bars, std::string_view symbol,
                           std::optional<Date> from, std::optional<Date> to, Timeframe timeframe);

}  // namespace kairos::app
