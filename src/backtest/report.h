#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
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

// A calendar month's return (engine::Monthly's return_percent).
struct MonthlyReturn {
  int year = 0;
  unsigned month = 0;  // 1..12
  double percent = 0;  // 1.23 for +1.23 %
};

// One session of the equity curve (engine::EquityCurve): equity at the close and the drawdown
// from the peak so far, both in minor units.
struct EquityRow {
  Date date;
  int64_t equity = 0;
  int64_t drawdown = 0;
};

// The headline figures (summary.json), as engine::ComputeMetrics defines them. Returns and the
// drawdown are percent (12.5 = 12.5 %); nullopt where a figure is undefined (no trades, no loss,
// a flat curve), written as null.
struct Summary {
  std::string strategy;
  Date from, to;
  Currency currency = Currency::Usd();
  int64_t starting_equity = 0;  // minor units
  int sessions = 0;
  int trades = 0;  // closed round trips
  int open_trades = 0;
  std::optional<double> win_rate;
  double total_return = 0;
  std::optional<double> cagr;
  double max_drawdown = 0;         // percent of the peak
  int64_t max_drawdown_value = 0;  // minor units
  std::optional<Date> max_drawdown_peak, max_drawdown_trough;
  std::optional<double> sharpe, sortino, profit_factor;
  double exposure = 0;       // percent of sessions with a position open at the close
  int64_t realized_pnl = 0;  // minor units, before fees
  int64_t unrealized_pnl = 0;
  int64_t fees = 0;
  int64_t final_equity = 0;
};

struct Report {
  Summary summary;
  std::vector<EquityRow> equity;       // one row per session, by date
  std::vector<TradeRow> trades;        // closed by exit, then open ones
  std::vector<MonthlyReturn> monthly;  // by year, month
};

std::string SummaryJson(const Report& report);
std::string TradesCsv(const Report& report);
std::string EquityCsv(const Report& report);
// One page that opens offline: inline CSS and SVG, no script, no external font.
std::string ReportHtml(const Report& report);

// Writes the four files into `dir` (created when missing). IOError names the file.
Status WriteReport(const Report& report, const std::filesystem::path& dir);

// Writes `text` to `path` (created or truncated) as it is; IOError "<path>: cannot write".
Status WriteReportFile(const std::filesystem::path& path, std::string_view text);

}  // namespace kairos::backtest
