#include "engine/analytics.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kairos::engine {
namespace {

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }
Price P(const char* text) { return *Price::Parse(text); }

StrategyFill MakeFill(std::string strategy, std::string id, Date session, Side side, int64_t qty,
                      const char* price, int64_t fees, std::string symbol = "GOOG") {
  Fill f;
  f.execution_id = id;
  f.client_order_id = "c-" + id;
  f.symbol = std::move(symbol);
  f.side = side;
  f.qty = Quantity::FromUnits(qty);
  f.price = P(price);
  f.fees = fees;
  f.session = session;
  return {std::move(strategy), f};
}

DailyPnl Row(Date d, int64_t realized, int64_t unrealized, int64_t fees, int64_t equity) {
  DailyPnl r;
  r.session = d;
  r.strategy = "s";
  r.realized = realized;
  r.unrealized = unrealized;
  r.fees = fees;
  r.equity = equity;
  return r;
}

const Date d1 = D(2024, 1, 2), d2 = D(2024, 1, 3), d3 = D(2024, 1, 4), d4 = D(2024, 2, 1),
           d5 = D(2024, 2, 5);

// Strategy s trades GOOG (prices in dollars, fees in cents); strategy t's fill must not mix in.
//   d1 buy 100 @ 10.00 fees 100     lot A: 100 @ 10, fees 100
//   d2 buy  50 @ 12.00 fees  60     lot B:  50 @ 12, fees  60
//   d2 (t) buy 5 @ 10.00 fees 0     t's own lot
//   d3 sell 120 @ 13.00 fees 120    closes A (100) and 20 of B
//   d4 sell  40 @ 11.00 fees 40     closes B's last 30, opens a short of 10 @ 11 (fees 10)
//   d5 buy   10 @ 10.50 fees 0      closes the short
std::vector<StrategyFill> Fills() {
  return {
      MakeFill("s", "1", d1, Side::kBuy, 100, "10.00", 100),
      MakeFill("s", "2", d2, Side::kBuy, 50, "12.00", 60),
      MakeFill("t", "3", d2, Side::kBuy, 5, "10.00", 0),
      MakeFill("s", "4", d3, Side::kSell, 120, "13.00", 120),
      MakeFill("s", "5", d4, Side::kSell, 40, "11.00", 40),
      MakeFill("s", "6", d5, Side::kBuy, 10, "10.50", 0),
  };
}

std::vector<Trade> TradesOf(const std::vector<Trade>& all, const std::string& strategy) {
  std::vector<Trade> out;
  for (const Trade& t : all) {
    if (t.strategy == strategy) out.push_back(t);
  }
  return out;
}

TEST(RoundTripsTest, FifoSplitsPartialClosesAndKeepsOpenRemainders) {
  std::vector<StrategyFill> fills = Fills();
  auto trades = RoundTrips(fills, [](const Fill& f) {
    return f.execution_id == "6" ? std::string("stop_loss") : std::string("exit_rule");
  });
  ASSERT_EQ(trades.size(), 5u);
  // 1: all of A at 13. Fees: A's 100 + the exit fill's share 120 * 100/120 = 100.
  //    P&L: (13 - 10) * 100 = 300.00 = 30000 cents, minus 200 = 29800.
  EXPECT_EQ(trades[0].strategy, "s");
  EXPECT_EQ(trades[0].side, Side::kBuy);
  EXPECT_EQ(trades[0].entry_date, d1);
  EXPECT_EQ(trades[0].entry_price, P("10"));
  EXPECT_EQ(trades[0].exit_date, d3);
  EXPECT_EQ(trades[0].exit_price, P("13"));
  EXPECT_EQ(trades[0].qty.units(), 100);
  EXPECT_EQ(trades[0].fees, 200);
  EXPECT_EQ(trades[0].pnl, 29800);
  EXPECT_EQ(trades[0].exit_reason, "exit_rule");
  // 2: 20 of B at 13. Fees: 60 * 20/50 = 24 + what is left of the exit fill's, 20 = 44.
  //    P&L: (13 - 12) * 20 = 2000 cents - 44 = 1956.
  EXPECT_EQ(trades[1].entry_date, d2);
  EXPECT_EQ(trades[1].qty.units(), 20);
  EXPECT_EQ(trades[1].fees, 44);
  EXPECT_EQ(trades[1].pnl, 1956);
  // 3: B's last 30 at 11. Fees: B's remaining 36 + 40 * 30/40 = 30 = 66.
  //    P&L: (11 - 12) * 30 = -3000 - 66 = -3066.
  EXPECT_EQ(trades[2].exit_date, d4);
  EXPECT_EQ(trades[2].qty.units(), 30);
  EXPECT_EQ(trades[2].fees, 66);
  EXPECT_EQ(trades[2].pnl, -3066);
  // 4: the short of 10 opened at 11 by the rest of fill 5 (fees 10), bought back at 10.50:
  //    (11 - 10.50) * 10 = 500 - 10 = 490.
  EXPECT_EQ(trades[3].side, Side::kSell);
  EXPECT_EQ(trades[3].entry_date, d4);
  EXPECT_EQ(trades[3].entry_price, P("11"));
  EXPECT_EQ(trades[3].exit_date, d5);
  EXPECT_EQ(trades[3].fees, 10);
  EXPECT_EQ(trades[3].pnl, 490);
  EXPECT_EQ(trades[3].exit_reason, "stop_loss");
  // 5: strategy t's lot is still open: no exit, no P&L.
  EXPECT_EQ(trades[4].strategy, "t");
  EXPECT_FALSE(trades[4].closed());
  EXPECT_EQ(trades[4].qty.units(), 5);
  EXPECT_EQ(trades[4].pnl, 0);
  EXPECT_EQ(trades[4].exit_reason, "");
}

TEST(RoundTripsTest, OpenRemainderOfAPartlyClosedLot) {
  std::vector<StrategyFill> fills = {
      MakeFill("s", "1", d1, Side::kBuy, 100, "10.00", 100),
      MakeFill("s", "2", d2, Side::kSell, 40, "11.00", 0),
  };
  auto trades = RoundTrips(fills);
  ASSERT_EQ(trades.size(), 2u);
  EXPECT_EQ(trades[0].qty.units(), 40);
  EXPECT_EQ(trades[0].fees, 40);        // 100 * 40/100
  EXPECT_EQ(trades[0].pnl, 4000 - 40);  // (11 - 10) * 40 dollars = 4000 cents
  EXPECT_EQ(trades[1].qty.units(), 60);
  EXPECT_FALSE(trades[1].closed());
  EXPECT_EQ(trades[1].fees, 60);  // the rest of the entry fees
  EXPECT_EQ(trades[1].entry_price, P("10"));
}

TEST(RoundTripsTest, FeePiecesSumExactlyToTheFill) {
  // 1 cent of entry fees over three exits of 1 share: 1/3 -> 0, then 1/2 -> 0 (half to even),
  // then the last piece takes the remaining 1.
  std::vector<StrategyFill> fills = {
      MakeFill("s", "1", d1, Side::kBuy, 3, "10.00", 1),
      MakeFill("s", "2", d2, Side::kSell, 1, "10.00", 0),
      MakeFill("s", "3", d3, Side::kSell, 1, "10.00", 0),
      MakeFill("s", "4", d4, Side::kSell, 1, "10.00", 0),
  };
  auto trades = RoundTrips(fills);
  ASSERT_EQ(trades.size(), 3u);
  EXPECT_EQ(trades[0].fees + trades[1].fees + trades[2].fees, 1);
  EXPECT_EQ(trades[2].fees, 1);
}

TEST(RoundTripsTest, NoFillsNoTrades) { EXPECT_TRUE(RoundTrips({}).empty()); }

// Allocation 100,000.00 (10,000,000 cents); equity = allocation + cumulative realised +
// unrealised - cumulative fees:
//   d1 2024-01-02  realised 0       unrealised  50000  fees 1000  equity 10,049,000
//   d2 2024-01-03  realised 0       unrealised -20000  fees 0     equity  9,979,000
//   d3 2024-01-04  realised 30000   unrealised 0       fees 1000  equity 10,028,000
//   d4 2024-02-01  realised 0       unrealised 0       fees 0     equity 10,028,000
//   d5 2024-02-05  realised -50000  unrealised 0       fees 1000  equity  9,977,000
std::vector<DailyPnl> Rows() {
  return {Row(d1, 0, 50000, 1000, 10'049'000), Row(d2, 0, -20000, 0, 9'979'000),
          Row(d3, 30000, 0, 1000, 10'028'000), Row(d4, 0, 0, 0, 10'028'000),
          Row(d5, -50000, 0, 1000, 9'977'000)};
}

TEST(AnalyticsTest, StartingEquityFromTheFirstRow) {
  // 10,049,000 - 0 - 50,000 + 1,000.
  EXPECT_EQ(StartingEquity(Rows()), 10'000'000);
}

TEST(AnalyticsTest, MonthlyAggregation) {
  auto months = Monthly(Rows());
  ASSERT_EQ(months.size(), 2u);
  EXPECT_EQ(months[0].Label(), "2024-01");
  EXPECT_EQ(months[0].realized, 30000);
  EXPECT_EQ(months[0].fees, 2000);
  EXPECT_EQ(months[0].end_equity, 10'028'000);
  EXPECT_NEAR(months[0].return_percent, 0.28, 1e-9);  // 10,028,000 / 10,000,000 - 1
  EXPECT_EQ(months[1].Label(), "2024-02");
  EXPECT_EQ(months[1].realized, -50000);
  EXPECT_EQ(months[1].fees, 1000);
  EXPECT_EQ(months[1].end_equity, 9'977'000);
  // 9,977,000 / 10,028,000 - 1 = -0.50857598...%
  EXPECT_NEAR(months[1].return_percent, -0.5085759872, 1e-9);
  EXPECT_TRUE(Monthly({}).empty());
}

TEST(AnalyticsTest, EquityCurveWithDrawdownFromThePeak) {
  auto curve = EquityCurve(Rows());
  ASSERT_EQ(curve.size(), 5u);
  EXPECT_EQ(curve[0].equity, 10'049'000);
  EXPECT_EQ(curve[0].drawdown, 0);
  EXPECT_EQ(curve[1].drawdown, 70'000);  // 10,049,000 - 9,979,000
  EXPECT_EQ(curve[2].drawdown, 21'000);
  EXPECT_EQ(curve[4].drawdown, 72'000);
}

TEST(AnalyticsTest, MetricsOfTheHandComputedExample) {
  auto trades = TradesOf(RoundTrips(Fills()), "s");
  Metrics m = ComputeMetrics(Rows(), trades);
  EXPECT_EQ(m.starting_equity, 10'000'000);
  EXPECT_EQ(m.ending_equity, 9'977'000);
  EXPECT_EQ(m.net_pnl, -23'000);
  EXPECT_EQ(m.total_fees, 3000);
  EXPECT_EQ(m.sessions, 5);
  EXPECT_NEAR(m.total_return_percent, -0.23, 1e-12);  // -23,000 / 10,000,000
  // 35 calendar days (2024-01-02 .. 2024-02-05 inclusive): 0.9977^(365.25 / 35) - 1.
  ASSERT_TRUE(m.cagr_percent.has_value());
  EXPECT_NEAR(*m.cagr_percent, -2.3743371133, 1e-8);
  // Peak 10,049,000 on d1, trough 9,977,000 on d5: 72,000 = 0.71648920...% of the peak; the d2
  // dip (70,000) is smaller. Not recovered.
  EXPECT_EQ(m.max_drawdown.value, 72'000);
  EXPECT_NEAR(m.max_drawdown.percent, 0.7164892029, 1e-9);
  EXPECT_EQ(m.max_drawdown.peak_date, d1);
  EXPECT_EQ(m.max_drawdown.trough_date, d5);
  EXPECT_FALSE(m.max_drawdown.recovery_date.has_value());
  // Daily returns: 0.0049, -0.00696586725, 0.00491031165, 0, -0.00508575987.
  // mean -0.00044826309, sample stdev 0.00551145901 -> Sharpe -0.0813335 * 15.8745 = -1.29112.
  ASSERT_TRUE(m.sharpe.has_value());
  EXPECT_NEAR(*m.sharpe, -1.2911201910, 1e-8);
  // Downside deviation sqrt((0.00696586725^2 + 0.00508575987^2) / 5) = 0.00385715595
  // -> Sortino -0.11621622 * 15.8745 = -1.84487.
  ASSERT_TRUE(m.sortino.has_value());
  EXPECT_NEAR(*m.sortino, -1.8448712219, 1e-8);
  // Trades (from RoundTrips above): 29800, 1956, -3066, 490.
  EXPECT_EQ(m.trades, 4);
  EXPECT_EQ(m.wins, 3);
  EXPECT_EQ(m.losses, 1);
  EXPECT_NEAR(*m.win_rate_percent, 75.0, 1e-12);
  EXPECT_NEAR(*m.profit_factor, 32246.0 / 3066.0, 1e-12);  // 10.5173
  EXPECT_EQ(*m.average_win, 10749);                        // 32246 / 3 = 10748.67
  EXPECT_EQ(*m.average_loss, -3066);
  // Open at the close of d1 (A), d2 (A, B), d3 (B's last 30), d4 (the short); flat after d5.
  EXPECT_NEAR(m.exposure_percent, 80.0, 1e-12);
}

TEST(AnalyticsTest, DrawdownRecovery) {
  // Equity 1000 (start), 1100, 990, 1050, 1100, 1200: peak 1100 on day 1, trough 990 on day 2
  // (110 = 10%), back at 1100 on day 4.
  std::vector<DailyPnl> rows = {Row(d1, 100, 0, 0, 1100), Row(d2, -110, 0, 0, 990),
                                Row(d3, 60, 0, 0, 1050), Row(d4, 50, 0, 0, 1100),
                                Row(d5, 100, 0, 0, 1200)};
  Metrics m = ComputeMetrics(rows, {});
  EXPECT_EQ(m.starting_equity, 1000);
  EXPECT_EQ(m.max_drawdown.value, 110);
  EXPECT_NEAR(m.max_drawdown.percent, 10.0, 1e-12);
  EXPECT_EQ(m.max_drawdown.peak_date, d1);
  EXPECT_EQ(m.max_drawdown.trough_date, d2);
  EXPECT_EQ(m.max_drawdown.recovery_date, d4);
  EXPECT_NEAR(m.total_return_percent, 20.0, 1e-12);
  EXPECT_EQ(m.exposure_percent, 0.0);  // no trades
}

TEST(AnalyticsTest, NoRowsNoTrades) {
  Metrics m = ComputeMetrics({}, {});
  EXPECT_EQ(m.sessions, 0);
  EXPECT_EQ(m.trades, 0);
  EXPECT_FALSE(m.cagr_percent.has_value());
  EXPECT_FALSE(m.sharpe.has_value());
  EXPECT_FALSE(m.sortino.has_value());
  EXPECT_FALSE(m.win_rate_percent.has_value());
  EXPECT_FALSE(m.profit_factor.has_value());
  EXPECT_FALSE(m.average_win.has_value());
  EXPECT_FALSE(m.average_loss.has_value());
  EXPECT_EQ(m.max_drawdown.value, 0);
}

TEST(AnalyticsTest, AllWinsHaveNoProfitFactor) {
  std::vector<StrategyFill> fills = {
      MakeFill("s", "1", d1, Side::kBuy, 10, "10.00", 0),
      MakeFill("s", "2", d2, Side::kSell, 10, "12.00", 0),
  };
  auto trades = RoundTrips(fills);
  Metrics m = ComputeMetrics({}, trades);
  EXPECT_EQ(m.wins, 1);
  EXPECT_NEAR(*m.win_rate_percent, 100.0, 1e-12);
  EXPECT_FALSE(m.profit_factor.has_value());  // no loss: none, not infinity
  EXPECT_EQ(*m.average_win, 2000);
  EXPECT_FALSE(m.average_loss.has_value());
}

TEST(AnalyticsTest, FlatEquityHasNoSharpeOrSortino) {
  std::vector<DailyPnl> rows = {Row(d1, 0, 0, 0, 5000), Row(d2, 0, 0, 0, 5000),
                                Row(d3, 0, 0, 0, 5000)};
  Metrics m = ComputeMetrics(rows, {});
  EXPECT_FALSE(m.sharpe.has_value());
  EXPECT_FALSE(m.sortino.has_value());
  EXPECT_EQ(m.max_drawdown.value, 0);
  EXPECT_EQ(m.total_return_percent, 0.0);
  ASSERT_TRUE(m.cagr_percent.has_value());
  EXPECT_EQ(*m.cagr_percent, 0.0);
}

TEST(AnalyticsTest, BreakevenTradeCountsInWinRateOnly) {
  std::vector<StrategyFill> fills = {
      MakeFill("s", "1", d1, Side::kBuy, 10, "10.00", 0),
      MakeFill("s", "2", d2, Side::kSell, 10, "10.00", 0),
      MakeFill("s", "3", d3, Side::kBuy, 10, "10.00", 0),
      MakeFill("s", "4", d4, Side::kSell, 10, "11.00", 0),
  };
  Metrics m = ComputeMetrics({}, RoundTrips(fills));
  EXPECT_EQ(m.trades, 2);
  EXPECT_EQ(m.wins, 1);
  EXPECT_EQ(m.losses, 0);
  EXPECT_NEAR(*m.win_rate_percent, 50.0, 1e-12);
}

}  // namespace
}  // namespace kairos::engine
