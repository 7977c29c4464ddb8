#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/date.h"
#include "core/fixed_point.h"
#include "core/status.h"
#include "domain/trading.h"

namespace kairos::backtest {

// The files a backtest leaves behind (docs/BACKTESTING.md): summary.json, trades.csv, equity.csv
// and report.html. The writers only format: every figure is computed before (engine/analytics.h
// for the metrics, the ledger for the daily rows), so a report can never disagree with the
// engine. Output is a pure function of the input: fixed decimals, no time stamps, no locale, so
// the same run gives byte-identical files.

// One round trip as the report shows it. Prices are fixed-point, money in minor units.
struct TradeRow {
  std::string symbol;
  Date entry_date;
  Price entry_price;
  std::optional<Date> exit_date;    // nullopt: still open at the end of the run
  std::optional<Price> exit_price;  // set with exit_date
  Quantity qty;                     // signed: negative for a short
  int64_t pnl = 0;                  // net of fees; an open trade is marked at the last close
  int64_t fees = 0;                 // entry and exit fees
  std::string exit_reason;          // "" while open
};

// A calendar month's return: equity at the month's last session over the previous month's (the
// allocation for the first month), minus one.
struct MonthlyReturn {
  int year = 0;
  unsigned month = 0;  // 1..12
  double ret = 0;      // 0.0123 for +1.23 %
};

// The headline figures (summary.json). Ratios are fractions (0.12 = 12 %); NaN when undefined
// (no trades, a flat equity curve) and written as null.
struct Summary {
  std::string strategy;
  Date from, to;
  std::string currency = "USD";
  int64_t allocation = 0;  // minor units
  int64_t trades = 0;      // closed round trips
  int64_t open_trades = 0;
  double win_rate = 0;
  double total_return = 0;
  double cagr = 0;
  double max_drawdown = 0;  // positive fraction of the peak: 0.25 for a 25 % fall
  std::optional<Date> max_drawdown_peak, max_drawdown_trough;
  double sharpe = 0;  // annualised, daily returns, zero risk-free rate
  double sortino = 0;
  double profit_factor = 0;  // gross wins / gross losses; +inf written as null
  int64_t realized_pnl = 0;  // minor units, before fees
  int64_t unrealized_pnl = 0;
  int64_t fees = 0;
  int64_t final_equity = 0;
};

struct Report {
  Summary summary;
  std::vector<DailyPnl> daily;         // one row per session, by date
  std::vector<TradeRow> trades;        // by entry date, then symbol
  std::vector<MonthlyReturn> monthly;  // by year, month
};

// The running drawdown of each daily row: (peak equity so far - equity) / peak, a positive
// fraction (0 at a new high). The peak starts at the allocation.
std::vector<double> DrawdownSeries(const std::vector<DailyPnl>& daily, int64_t allocation);

std::string SummaryJson(const Report& report);
std::string TradesCsv(const Report& report);
std::string EquityCsv(const Report& report);
// One page that opens offline: inline CSS and SVG, no script, no external font.
std::string ReportHtml(const Report& report);

// Writes the four files into `dir` (created when missing). IOError names the file.
Status WriteReport(const Report& report, const std::filesystem::path& dir);

}  // namespace kairos::backtest
