#include "engine/analytics.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <numeric>

#include <fmt/core.h>

#include "core/check.h"

namespace kairos::engine {
namespace {

// What is left of one entry fill.
struct OpenLot {
  Date date;
  Side side;
  Price price;
  int64_t qty;   // > 0
  int64_t fees;  // entry fees not yet given to a closed piece
};

// part * num / den, half-even; the share of `total` that `num` of `den` units carry.
int64_t Share(int64_t total, int64_t num, int64_t den) {
  if (num == den) return total;
  return static_cast<int64_t>(
      DivideRounded(static_cast<Int128>(total) * num, den, Rounding::kHalfEven));
}

double Ratio(int64_t a, int64_t b) { return static_cast<double>(a) / static_cast<double>(b); }

}  // namespace

std::vector<Trade> RoundTrips(std::span<const StrategyFill> fills,
                              const std::function<std::string(const Fill&)>& exit_reason,
                              Currency currency) {
  std::vector<size_t> order(fills.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const Fill& x = fills[a].second;
    const Fill& y = fills[b].second;
    return std::pair(x.session, x.time_ns) < std::pair(y.session, y.time_ns);
  });

  std::map<std::pair<std::string, std::string>, std::deque<OpenLot>> books;
  std::vector<Trade> trades;
  for (size_t idx : order) {
    const auto& [strategy, f] = fills[idx];
    std::deque<OpenLot>& lots = books[{strategy, f.symbol}];
    int64_t qty = f.qty.units();
    int64_t fees = f.fees;
    std::string reason;
    bool reason_known = false;
    while (qty > 0 && !lots.empty() && lots.front().side != f.side) {
      OpenLot& lot = lots.front();
      int64_t m = std::min(lot.qty, qty);
      int64_t entry_fee = Share(lot.fees, m, lot.qty);
      int64_t exit_fee = Share(fees, m, qty);
      Price diff = lot.side == Side::kBuy ? f.price - lot.price : lot.price - f.price;
      int64_t gross = Notional(diff, Quantity::FromUnits(m), currency).minor();
      if (!reason_known && exit_reason) {
        reason = exit_reason(f);
        reason_known = true;
      }
      Trade t;
      t.strategy = strategy;
      t.symbol = f.symbol;
      t.side = lot.side;
      t.entry_date = lot.date;
      t.entry_price = lot.price;
      t.exit_date = f.session;
      t.exit_price = f.price;
      t.qty = Quantity::FromUnits(m);
      t.fees = entry_fee + exit_fee;
      t.pnl = gross - t.fees;
      t.exit_reason = reason;
      trades.push_back(std::move(t));
      lot.qty -= m;
      lot.fees -= entry_fee;
      qty -= m;
      fees -= exit_fee;
      if (lot.qty == 0) lots.pop_front();
    }
    if (qty > 0) lots.push_back({f.session, f.side, f.price, qty, fees});
  }

  std::vector<Trade> open;
  for (const auto& [key, lots] : books) {
    for (const OpenLot& lot : lots) {
      Trade t;
      t.strategy = key.first;
      t.symbol = key.second;
      t.side = lot.side;
      t.entry_date = lot.date;
      t.entry_price = lot.price;
      t.qty = Quantity::FromUnits(lot.qty);
      t.fees = lot.fees;
      open.push_back(std::move(t));
    }
  }
  std::stable_sort(open.begin(), open.end(), [](const Trade& a, const Trade& b) {
    return std::tie(a.entry_date, a.symbol) < std::tie(b.entry_date, b.symbol);
  });
  trades.insert(trades.end(), std::make_move_iterator(open.begin()),
                std::make_move_iterator(open.end()));
  return trades;
}

int64_t StartingEquity(std::span<const DailyPnl> rows) {
  KAIROS_CHECK(!rows.empty()) << "StartingEquity of no rows";
  const DailyPnl& r = rows.front();
  return r.equity - r.realized - r.unrealized + r.fees;
}

std::string MonthlyPnl::Label() const { return fmt::format("{:04}-{:02}", year, month); }

std::vector<MonthlyPnl> Monthly(std::span<const DailyPnl> rows) {
  std::vector<MonthlyPnl> out;
  if (rows.empty()) return out;
  int64_t previous_end = StartingEquity(rows);
  for (const DailyPnl& r : rows) {
    int y = r.session.year();
    unsigned m = r.session.month();
    if (out.empty() || out.back().year != y || out.back().month != m) {
      if (!out.empty()) previous_end = out.back().end_equity;
      out.push_back({});
      out.back().year = y;
      out.back().month = m;
      out.back().return_percent = static_cast<double>(previous_end);  // the base, for now
    }
    MonthlyPnl& cur = out.back();
    cur.realized += r.realized;
    cur.fees += r.fees;
    cur.end_equity = r.equity;
  }
  // return_percent held each month's base equity; turn it into the return.
  for (MonthlyPnl& m : out) {
    double base = m.return_percent;
    m.return_percent = base > 0 ? 100.0 * (static_cast<double>(m.end_equity) / base - 1.0) : 0.0;
  }
  return out;
}

std::vector<EquityPoint> EquityCurve(std::span<const DailyPnl> rows) {
  std::vector<EquityPoint> out;
  if (rows.empty()) return out;
  int64_t peak = StartingEquity(rows);
  for (const DailyPnl& r : rows) {
    peak = std::max(peak, r.equity);
    out.push_back({r.session, r.equity, peak - r.equity});
  }
  return out;
}

namespace {

// Closed trades: their count, wins and losses, win rate, profit factor and average win and loss.
void SetTradeStatistics(std::span<const Trade> trades, Metrics& m) {
  for (const Trade& t : trades) {
    if (!t.closed()) continue;
    ++m.trades;
    if (t.pnl > 0) ++m.wins;
    if (t.pnl < 0) ++m.losses;
  }
  if (m.trades == 0) return;
  int64_t won = 0, lost = 0;
  for (const Trade& t : trades) {
    if (!t.closed()) continue;
    if (t.pnl > 0) won += t.pnl;
    if (t.pnl < 0) lost += t.pnl;
  }
  m.win_rate_percent = 100.0 * m.wins / m.trades;
  if (m.losses > 0) m.profit_factor = Ratio(won, -lost);
  auto average = [](int64_t sum, int n) {
    return static_cast<int64_t>(DivideRounded(sum, n, Rounding::kHalfEven));
  };
  if (m.wins > 0) m.average_win = average(won, m.wins);
  if (m.losses > 0) m.average_loss = average(lost, m.losses);
}

// REQUIRES: rows not empty. The start counts as a peak on the first session.
Drawdown MaxDrawdown(std::span<const DailyPnl> rows, int64_t starting_equity) {
  Drawdown max;
  int64_t peak = starting_equity;
  Date peak_date = rows.front().session;
  int64_t worst_peak = 0;
  for (const DailyPnl& r : rows) {
    if (r.equity >= peak) {
      peak = r.equity;
      peak_date = r.session;
    }
    int64_t dd = peak - r.equity;
    if (dd > max.value) {
      max.value = dd;
      max.percent = peak > 0 ? 100.0 * Ratio(dd, peak) : 0.0;
      max.peak_date = peak_date;
      max.trough_date = r.session;
      worst_peak = peak;
    }
  }
  if (max.value == 0) {
    max.peak_date = max.trough_date = peak_date;
    return max;
  }
  for (const DailyPnl& r : rows) {
    if (r.session > max.trough_date && r.equity >= worst_peak) {
      max.recovery_date = r.session;
      break;
    }
  }
  return max;
}

// Sharpe and Sortino ratios of the daily returns, annualised over 252 sessions.
void SetSharpeAndSortino(std::span<const DailyPnl> rows, Metrics& m) {
  std::vector<double> returns;
  int64_t previous = m.starting_equity;
  for (const DailyPnl& r : rows) {
    if (previous > 0) returns.push_back(Ratio(r.equity, previous) - 1.0);
    previous = r.equity;
  }
  const double n = static_cast<double>(returns.size());
  if (returns.size() < 2) return;
  double mean = std::accumulate(returns.begin(), returns.end(), 0.0) / n;
  double ss = 0, down = 0;
  for (double r : returns) {
    ss += (r - mean) * (r - mean);
    if (r < 0) down += r * r;
  }
  double stdev = std::sqrt(ss / (n - 1));
  if (stdev > 0) m.sharpe = mean / stdev * std::sqrt(252.0);
  if (down > 0) m.sortino = mean / std::sqrt(down / n) * std::sqrt(252.0);
}

// The sessions at whose close some trade was open.
int SessionsExposed(std::span<const DailyPnl> rows, std::span<const Trade> trades) {
  int exposed = 0;
  for (const DailyPnl& r : rows) {
    for (const Trade& t : trades) {
      if (t.entry_date <= r.session && (!t.exit_date || r.session < *t.exit_date)) {
        ++exposed;
        break;
      }
    }
  }
  return exposed;
}

}  // namespace

Metrics ComputeMetrics(std::span<const DailyPnl> rows, std::span<const Trade> trades) {
  Metrics m;
  SetTradeStatistics(trades, m);
  if (rows.empty()) return m;

  m.sessions = static_cast<int>(rows.size());
  m.starting_equity = StartingEquity(rows);
  m.ending_equity = rows.back().equity;
  m.net_pnl = m.ending_equity - m.starting_equity;
  for (const DailyPnl& r : rows) m.total_fees += r.fees;
  if (m.starting_equity > 0) {
    m.total_return_percent = 100.0 * Ratio(m.net_pnl, m.starting_equity);
    if (m.ending_equity > 0) {
      double years = (rows.back().session - rows.front().session + 1) / 365.25;
      m.cagr_percent =
          100.0 * (std::pow(Ratio(m.ending_equity, m.starting_equity), 1.0 / years) - 1.0);
    }
  }
  m.max_drawdown = MaxDrawdown(rows, m.starting_equity);
  SetSharpeAndSortino(rows, m);
  m.exposure_percent = 100.0 * SessionsExposed(rows, trades) / m.sessions;
  return m;
}

}  // namespace kairos::engine
