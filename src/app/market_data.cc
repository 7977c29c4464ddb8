#include "app/market_data.h"

#include <string>

#include "calendar/calendar.h"
#include "marketdata/resample.h"

namespace kairos::app {

Table SymbolsTable(const marketdata::BarStore& bars) {
  Table t{{"symbol", "exchange", "first", "last", "bars", "kind"}, {}};
  for (const auto& info : bars.List()) {
    t.rows.push_back({info.instrument.symbol, info.instrument.exchange, info.first.ToString(),
                      info.last.ToString(), std::to_string(info.bars),
                      info.close_only ? "close-only" : "ohlcv"});
  }
  return t;
}

Result<BarSeries> ReadBars(const marketdata::BarStore& bars, std::string_view symbol,
                           std::optional<Date> from, std::optional<Date> to, Timeframe timeframe) {
  KAIROS_ASSIGN_OR_RETURN(auto view, bars.Read(symbol));
  if (timeframe == Timeframe::kDaily) return view->Copy(from, to);
  KAIROS_ASSIGN_OR_RETURN(
      auto cal, calendar::ExchangeCalendar::ForExchange(view->info().instrument.exchange));
  KAIROS_ASSIGN_OR_RETURN(BarSeries weekly, marketdata::ToWeekly(view->Copy(), *cal));
  return weekly.Slice(from, to);
}

}  // namespace kairos::app
