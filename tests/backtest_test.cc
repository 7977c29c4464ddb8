// The backtest wired as `kairos backtest` wires it (SQLite in memory, the paper broker over a
// manual clock, a real bar store), checked against an independent computation, against the
// paper trading day, and for honest timing and reproducible output.
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adapters/memory/memory_store.h"
#include "adapters/sim_broker/paper_broker.h"
#include "adapters/sqlite/sqlite_store.h"
#include "backtest/backtest.h"
#include "backtest/replay_bars.h"
#include "backtest/report.h"
#include "calendar/calendar.h"
#include "engine/order_manager.h"
#include "engine/scanner.h"
#include "engine/store_bar_source.h"
#include "engine/strategy_file.h"
#include "engine/trading_day.h"
#include "marketdata/bar_store.h"
#include "marketdata/import.h"
#include "marketdata/synth.h"
#include "rules/evaluator.h"

namespace kairos {

// gtest prints prices as decimals.
void PrintTo(const Price& p, std::ostream* os) { *os << p.ToString(); }

namespace {

namespace fs = std::filesystem;

const calendar::ExchangeCalendar& Nyse() {
  return **calendar::ExchangeCalendar::ForExchange("NYSE");
}

// Under /dev/shm when there is one: the parity test's SQLite file syncs on every transaction
// (synchronous=FULL), which a tmpfs makes free.
fs::path TempDir(const std::string& name) {
  std::error_code ec;
  fs::path base =
      fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
  fs::path p =
      base / fmt::format("kairos_backtest_test_{}_{}", name, static_cast<long>(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

std::string ReadAll(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Date D(const char* text) { return *Date::Parse(text); }

StrategySpec Parse(const std::string& toml) {
  auto spec = engine::ParseStrategy(toml, "test.toml");
  KAIROS_CHECK(spec.ok()) << spec.status().ToString();
  return *spec;
}

// Everything `kairos backtest` builds around the driver, for one run.
struct Wired {
  std::unique_ptr<ports::Store> store;
  std::unique_ptr<ports::ManualClock> clock;
  std::unique_ptr<backtest::ReplayBars> bar_source;
  std::unique_ptr<sim_broker::PaperBroker> broker;
};

Wired Wire(const marketdata::BarStore& bars, const StrategySpec& spec, Date from, Date to) {
  Wired w;
  w.store = adapters::memory::OpenStore();  // as `kairos backtest` wires it
  Date first = Nyse().Sessions(from, from.AddDays(10)).front();
  w.clock = std::make_unique<ports::ManualClock>(Nyse().SessionOf(first)->open.nanos() -
                                                 int64_t{3600} * 1'000'000'000);
  w.bar_source = std::make_unique<backtest::ReplayBars>(bars, from, to);
  sim_broker::PaperBroker::Options options;
  options.currency = spec.currency.code();
  options.starting_cash = spec.allocation;
  options.costs = [fees = spec.fees, bps = spec.slippage_bps](const OrderRequest&) {
    return sim_broker::PaperBroker::CostModel{fees, bps};
  };
  w.broker = std::make_unique<sim_broker::PaperBroker>(*w.clock, *w.bar_source, Nyse(), options);
  return w;
}

Result<backtest::BacktestResult> RunBacktest(const marketdata::BarStore& bars,
                                             const std::string& toml, Date from, Date to) {
  StrategySpec spec = Parse(toml);
  Wired w = Wire(bars, spec, from, to);
  backtest::BacktestWiring wiring{*w.store, *w.broker, *w.clock, bars, Nyse(), w.bar_source.get()};
  return backtest::RunBacktest(wiring, spec, toml, {from, to});
}

// The S&P 500 index 2000-2020 in a bar store of its own, imported once for every test.
class Sp500 : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    home_ = new fs::path(TempDir("sp500"));
    auto bars = marketdata::BarStore::Open(*home_);
    KAIROS_CHECK(bars.ok()) << bars.status().ToString();
    bars_ = bars->release();
    std::vector<fs::path> files = {csv()};
    marketdata::ImportOptions options;
    options.exchange = "NYSE";
    auto report = marketdata::ImportPaths(*bars_, files, options);
    KAIROS_CHECK(report.ok() && report->ok()) << "import of " << csv().string() << " failed";
  }
  static void TearDownTestSuite() {
    delete bars_;
    fs::remove_all(*home_);
    delete home_;
  }
  static fs::path csv() {
    return fs::path(KAIROS_SHARED_DIR) / "data" / "sp500_index_ohlcv_2000_2020.csv";
  }
  static fs::path* home_;
  static marketdata::BarStore* bars_;
};
fs::path* Sp500::home_ = nullptr;
marketdata::BarStore* Sp500::bars_ = nullptr;

const char* kSmaCross = R"toml(name = "sp_cross"
exchange = "NYSE"
universe = ["^GSPC"]
entry = "crossover(sma(close,10), sma(close,30))"
exit = "crossunder(sma(close,10), sma(close,30))"
approval = "auto"
execution = "next_open"
order_type = "market"
allocation = 1000000
sizing = { method = "fixed_qty", qty = 10 }
max_positions = 1
max_new_per_day = 1
fees = "none"
slippage_bps = 0
)toml";

// ---- The independent computation: prices straight from the CSV, exact integer moving sums. ----

struct CsvBar {
  Date date;
  Price open, close;
};

std::vector<CsvBar> ReadSp500(const fs::path& file) {
  std::vector<CsvBar> out;
  std::ifstream f(file);
  std::string line;
  std::getline(f, line);  // symbol,date,open,high,low,close,adjclose,volume
  while (std::getline(f, line)) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    KAIROS_CHECK(cells.size() == 8) << line;
    out.push_back({*Date::Parse(cells[1]), *Price::Parse(cells[2]), *Price::Parse(cells[5])});
  }
  return out;
}

Price Cents(Price p) { return p.RoundToTick(Price::kScale / 100, Rounding::kHalfEven); }

struct ExpectedTrade {
  Date entry_date;
  Price entry_price;
  std::optional<Date> exit_date;
  Price exit_price;
  int64_t pnl = 0;  // cents, closed trades only
};

// 10/30 SMA cross, decided at the close of t (only for t in [from, to]), filled at the open of
// t+1 (only when t+1 is still in the range), one position of `qty` at a time. The paper broker
// fills at the bar's price rounded half-even to the cent (adapters/sim_broker/README.md).
// sma10 > sma30  <=>  3 * sum10 > sum30, compared exactly on integer ticks.
std::vector<ExpectedTrade> ExpectedCross(const std::vector<CsvBar>& bars, Date from, Date to,
                                         int64_t qty) {
  const size_t n = bars.size();
  std::vector<Int128> sum10(n, 0), sum30(n, 0);
  std::vector<bool> ready(n, false);
  for (size_t t = 29; t < n; ++t) {
    for (size_t k = 0; k < 10; ++k) sum10[t] += bars[t - k].close.raw();
    for (size_t k = 0; k < 30; ++k) sum30[t] += bars[t - k].close.raw();
    ready[t] = true;
  }
  auto above = [&](size_t t) { return 3 * sum10[t] > sum30[t]; };
  auto below = [&](size_t t) { return 3 * sum10[t] < sum30[t]; };
  std::vector<ExpectedTrade> trades;
  bool holding = false;
  for (size_t t = 30; t + 1 < n; ++t) {
    if (bars[t].date < from || bars[t + 1].date > to || !ready[t - 1]) continue;
    bool cross_over = above(t) && !above(t - 1);  // sma10[t-1] <= sma30[t-1]
    bool cross_under = below(t) && !below(t - 1);
    if (!holding && cross_over) {
      trades.push_back({bars[t + 1].date, Cents(bars[t + 1].open), std::nullopt, Price(), 0});
      holding = true;
    } else if (holding && cross_under) {
      ExpectedTrade& tr = trades.back();
      tr.exit_date = bars[t + 1].date;
      tr.exit_price = Cents(bars[t + 1].open);
      // (exit - entry) ticks of 1e-8 dollars x qty, in cents, rounded half-even once.
      Int128 ticks = Int128(tr.exit_price.raw() - tr.entry_price.raw()) * qty;
      tr.pnl = static_cast<int64_t>(DivideRounded(ticks, 1'000'000, Rounding::kHalfEven));
      holding = false;
    }
  }
  return trades;
}

TEST_F(Sp500, SmaCrossMatchesAnIndependentComputationTradeByTrade) {
  const Date from = D("2000-03-01"), to = D("2020-12-31");
  auto result = RunBacktest(*bars_, kSmaCross, from, to);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  std::vector<ExpectedTrade> expected = ExpectedCross(ReadSp500(csv()), from, to, 10);
  ASSERT_GT(expected.size(), 50u);  // two decades of crosses
  ASSERT_EQ(result->trades.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const engine::Trade& got = result->trades[i];
    const ExpectedTrade& want = expected[i];
    SCOPED_TRACE(fmt::format("trade {} entered {}", i, want.entry_date.ToString()));
    EXPECT_EQ(got.symbol, "^GSPC");
    EXPECT_EQ(got.side, Side::kBuy);
    EXPECT_EQ(got.qty.units(), 10);
    EXPECT_EQ(got.entry_date, want.entry_date);
    EXPECT_EQ(got.entry_price, want.entry_price);
    EXPECT_EQ(got.exit_date, want.exit_date);
    EXPECT_EQ(got.fees, 0);
    if (want.exit_date) {
      EXPECT_EQ(got.exit_price, want.exit_price);
      EXPECT_EQ(got.pnl, want.pnl);
      EXPECT_EQ(got.exit_reason, "exit_rule");
    }
  }
  // The ledger agrees with the trades: realised P&L over the run is the sum of closed trades.
  int64_t realized = 0, want_realized = 0;
  for (const DailyPnl& row : result->daily) realized += row.realized;
  for (const ExpectedTrade& t : expected) want_realized += t.pnl;
  EXPECT_EQ(realized, want_realized);
}

TEST_F(Sp500, SameInputsGiveByteIdenticalFiles) {
  const Date from = D("2008-01-02"), to = D("2009-12-31");
  fs::path out = TempDir("identical");
  for (const char* run : {"a", "b"}) {
    auto result = RunBacktest(*bars_, kSmaCross, from, to);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    ASSERT_TRUE(backtest::WriteReport(result->report, out / run).ok());
  }
  for (const char* name : {"summary.json", "trades.csv", "equity.csv", "report.html"}) {
    std::string a = ReadAll(out / "a" / name);
    EXPECT_GT(a.size(), 100u) << name;
    EXPECT_EQ(a, ReadAll(out / "b" / name)) << name;
  }
  fs::remove_all(out);
}

TEST_F(Sp500, ReversedRangeIsRefusedAndStoresNothing) {
  StrategySpec spec = Parse(kSmaCross);
  Wired w = Wire(*bars_, spec, D("2020-01-02"), D("2020-01-02"));
  backtest::BacktestWiring wiring{*w.store, *w.broker, *w.clock, *bars_, Nyse()};
  auto result = backtest::RunBacktest(wiring, spec, kSmaCross, {D("2020-01-03"), D("2020-01-02")});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status(),
            Status::InvalidArgument("backtest: --from 2020-01-03 is after --to 2020-01-02"));
  EXPECT_TRUE(w.store->strategies().List()->empty());
}

TEST_F(Sp500, AStoreThatAlreadyHoldsAStrategyIsRefusedUnchanged) {
  StrategySpec spec = Parse(kSmaCross);
  Wired w = Wire(*bars_, spec, D("2020-01-02"), D("2020-02-28"));
  StrategySpec live = Parse(std::string(kSmaCross).replace(8, 8, "live_one"));
  ASSERT_TRUE(w.store->strategies().Import(live, "live").ok());
  backtest::BacktestWiring wiring{*w.store, *w.broker, *w.clock, *bars_, Nyse()};
  auto result = backtest::RunBacktest(wiring, spec, kSmaCross, {D("2020-01-02"), D("2020-02-28")});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status(),
            Status::FailedPrecondition("backtest: the store already holds strategy 'live_one'; a "
                                       "backtest needs a store of its own"));
  auto listed = w.store->strategies().List();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().spec.name, "live_one");
  EXPECT_TRUE(w.store->signals().List({})->empty());
}

// ---- Parity: the paper trading day, restarted from its SQLite file every session as run-day
// would be, against a backtest of the same sessions. ----

const char* kParityStrategy = R"toml(name = "parity"
exchange = "NYSE"
universe = ["^GSPC"]
entry = "crossover(sma(close,5), sma(close,20))"
exit = "crossunder(sma(close,5), sma(close,20))"
stop_loss = "3%"
take_profit = "6%"
approval = "auto"
execution = "next_open"
order_type = "market"
allocation = 250000.50
sizing = { method = "percent", percent = 40 }
max_positions = 1
max_new_per_day = 1
fees = "us_equity"
slippage_bps = 7
)toml";

TEST_F(Sp500, PaperRunDayAndBacktestGiveTheSameFillsAndPnlToTheCent) {
  const Date from = D("2018-07-02"), to = D("2019-06-28");
  StrategySpec spec = Parse(kParityStrategy);

  // Paper trading: one SQLite file; every session opens it again, restores the paper broker from
  // the state it persisted, and runs the trading day.
  fs::path dir = TempDir("parity");
  fs::path db = dir / "kairos.db";
  {
    auto store = adapters::sqlite::OpenStore(db);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->strategies().Import(spec, kParityStrategy).ok());
  }
  engine::StoreBarSource paper_bars(*bars_);
  for (Date session : Nyse().Sessions(from, to)) {
    auto store = adapters::sqlite::OpenStore(db);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ports::ManualClock clock(Nyse().SessionOf(session)->open.nanos() -
                             int64_t{3600} * 1'000'000'000);
    sim_broker::PaperBroker::Options options;
    options.currency = spec.currency.code();
    options.starting_cash = spec.allocation;
    options.costs = [&spec](const OrderRequest&) {
      return sim_broker::PaperBroker::CostModel{spec.fees, spec.slippage_bps};
    };
    ports::Store& s = **store;
    options.persist = [&s](std::string_view state) {
      return s.state().Put("test.paper_broker", state);
    };
    auto saved = s.state().Get("test.paper_broker");
    ASSERT_TRUE(saved.ok());
    std::unique_ptr<sim_broker::PaperBroker> broker;
    if (*saved) {
      auto restored = sim_broker::PaperBroker::Restore(**saved, clock, paper_bars, Nyse(), options);
      ASSERT_TRUE(restored.ok()) << restored.status().ToString();
      broker = std::move(*restored);
    } else {
      broker = std::make_unique<sim_broker::PaperBroker>(clock, paper_bars, Nyse(), options);
    }
    engine::OrderManager orders(s, *broker, clock);
    engine::TradingDay day(s, *broker, clock, *bars_, Nyse(), orders);
    auto report = day.RunSession(clock, session);
    ASSERT_TRUE(report.ok()) << session.ToString() << ": " << report.status().ToString();
  }
  auto paper = adapters::sqlite::OpenStore(db);
  ASSERT_TRUE(paper.ok());
  ports::FillFilter all;
  all.strategy = "parity";
  auto paper_fills = (*paper)->ledger().ListFills(all);
  auto paper_pnl = (*paper)->ledger().ListDailyPnl("parity", from, to);
  ASSERT_TRUE(paper_fills.ok() && paper_pnl.ok());

  auto result = RunBacktest(*bars_, kParityStrategy, from, to);
  ASSERT_TRUE(result.ok()) << result.status().ToString();

  ASSERT_GT(paper_fills->size(), 4u);
  ASSERT_EQ(result->fills.size(), paper_fills->size());
  for (size_t i = 0; i < paper_fills->size(); ++i) {
    const Fill& a = (*paper_fills)[i].second;
    const Fill& b = result->fills[i].second;
    SCOPED_TRACE(fmt::format("fill {} on {}", i, a.session.ToString()));
    EXPECT_EQ(a.session, b.session);
    EXPECT_EQ(a.client_order_id, b.client_order_id);
    EXPECT_EQ(a.symbol, b.symbol);
    EXPECT_EQ(a.side, b.side);
    EXPECT_EQ(a.qty, b.qty);
    EXPECT_EQ(a.price, b.price);
    EXPECT_EQ(a.fees, b.fees);
  }
  ASSERT_EQ(result->daily.size(), paper_pnl->size());
  for (size_t i = 0; i < paper_pnl->size(); ++i) {
    const DailyPnl& a = (*paper_pnl)[i];
    const DailyPnl& b = result->daily[i];
    SCOPED_TRACE(a.session.ToString());
    EXPECT_EQ(a.session, b.session);
    EXPECT_EQ(a.realized, b.realized);
    EXPECT_EQ(a.unrealized, b.unrealized);
    EXPECT_EQ(a.fees, b.fees);
    EXPECT_EQ(a.equity, b.equity);
    EXPECT_EQ(a.cash, b.cash);
  }
  fs::remove_all(dir);
}

// ---- Timing honesty. A series built so that buying at the close of an up day and selling at the
// close of the next down day wins every time, while the next session's open always gaps against
// the trade: up day close 101, next open 110 (close 105), down day close 103, next open 102.
// A backtest that filled at the decision bar's close (seeing a price it could not trade at)
// would win; an honest next_open backtest must lose on every trade. ----

class Zigzag : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = TempDir("zigzag");
    auto bars = marketdata::BarStore::Open(home_);
    ASSERT_TRUE(bars.ok());
    bars_ = std::move(*bars);
    BarSeries s;
    s.instrument = {"ZIG", "NYSE"};
    const double kOpen[] = {100, 100.5, 110, 104, 102};
    const double kClose[] = {100, 101, 105, 103, 100};
    int k = 0;
    for (Date d : Nyse().Sessions(D("2024-01-02"), D("2024-06-28"))) {
      double o = kOpen[k % 5], c = kClose[k % 5];
      s.Append({d, o, std::max(o, c) + 0.5, std::min(o, c) - 0.5, c, 1e6});
      ++k;
    }
    ASSERT_TRUE(bars_->Upsert(s).ok());
  }
  void TearDown() override {
    bars_.reset();
    fs::remove_all(home_);
  }
  std::string Strategy(const char* execution) {
    return fmt::format(R"toml(name = "zig"
exchange = "NYSE"
universe = ["ZIG"]
entry = "close > close[1]"
exit = "close < close[1]"
approval = "auto"
execution = "{}"
allocation = 100000
sizing = {{ method = "fixed_qty", qty = 100 }}
max_positions = 1
max_new_per_day = 1
fees = "none"
)toml",
                       execution);
  }
  fs::path home_;
  std::unique_ptr<marketdata::BarStore> bars_;
};

TEST_F(Zigzag, NextOpenFillsAtTheFollowingOpenAndCannotProfitFromTheDecisionClose) {
  auto result = RunBacktest(*bars_, Strategy("next_open"), D("2024-02-01"), D("2024-06-28"));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_GE(result->metrics.trades, 15);
  for (const engine::Trade& t : result->trades) {
    if (!t.closed()) continue;
    SCOPED_TRACE(t.entry_date.ToString());
    EXPECT_EQ(t.entry_price, *Price::Parse("110"));  // the open after the up day, not its 101
    EXPECT_EQ(t.exit_price, *Price::Parse("102"));   // the open after the down day, not its 103
    EXPECT_EQ(t.pnl, -80000);                        // 100 x -8.00 dollars
  }
  EXPECT_EQ(result->metrics.wins, 0);
  EXPECT_LT(result->metrics.total_return_percent, 0);
}

TEST_F(Zigzag, SameCloseFillsAtTheDecisionBarsClose) {
  // What same_close assumes (docs/BACKTESTING.md): the order trades at the close of the bar
  // the rule saw, so on this series it wins 2.00 a share every time.
  auto result = RunBacktest(*bars_, Strategy("same_close"), D("2024-02-01"), D("2024-06-28"));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_GE(result->metrics.trades, 15);
  for (const engine::Trade& t : result->trades) {
    if (!t.closed()) continue;
    SCOPED_TRACE(t.entry_date.ToString());
    EXPECT_EQ(t.entry_price, *Price::Parse("101"));
    EXPECT_EQ(t.exit_price, *Price::Parse("103"));
    EXPECT_EQ(t.pnl, 20000);
  }
}

// ---- The command as a user runs it. ----

#ifdef KAIROS_BIN
struct Ran {
  int code = -1;
  std::string out, err;
};

Ran RunKairos(const fs::path& home, const std::string& args) {
  fs::path out = home / "stdout.txt", err = home / "stderr.txt";
  std::string cmd = fmt::format("'{}' --home '{}' {} >'{}' 2>'{}'", KAIROS_BIN, home.string(), args,
                                out.string(), err.string());
  int status = std::system(cmd.c_str());
  Ran r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadAll(out);
  r.err = ReadAll(err);
  return r;
}

TEST_F(Zigzag, CommandWritesTheFilesTwiceIdenticallyAndLeavesNoLiveStore) {
  fs::path toml = home_ / "zig.toml";
  std::ofstream(toml) << Strategy("next_open");
  for (const char* out : {"o1", "o2"}) {
    Ran r =
        RunKairos(home_, fmt::format("backtest '{}' --from 2024-02-01 --to 2024-06-28 --out '{}'",
                                     toml.string(), (home_ / out).string()));
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("trades "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("wrote " + (home_ / out).string()), std::string::npos) << r.out;
  }
  for (const char* name : {"summary.json", "trades.csv", "equity.csv", "report.html"}) {
    std::string a = ReadAll(home_ / "o1" / name);
    EXPECT_FALSE(a.empty()) << name;
    EXPECT_EQ(a, ReadAll(home_ / "o2" / name)) << name;
  }
  std::string trades = ReadAll(home_ / "o1" / "trades.csv");
  EXPECT_NE(trades.find(",110.00,"), std::string::npos) << trades;
  EXPECT_EQ(trades.find(",101.00,"), std::string::npos) << trades;
  // The backtest ran in a store of its own: the home has no trading store afterwards.
  EXPECT_FALSE(fs::exists(home_ / "kairos.db"));
}

TEST_F(Zigzag, CommandSweepsPlaceholdersRanksAndWritesTheBest) {
  // Every trade here loses 8.00 a share: the smaller quantity loses less and ranks first.
  std::string text = Strategy("next_open");
  size_t at = text.find("qty = 100");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 9, "qty = ${qty=100}");
  fs::path toml = home_ / "zig.toml";
  std::ofstream(toml) << text;
  Ran r = RunKairos(home_, fmt::format("backtest '{}' --from 2024-02-01 --to 2024-06-28 "
                                       "--sweep qty=100,50 --rank-by total_return --format csv "
                                       "--out '{}'",
                                       toml.string(), (home_ / "best").string()));
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string header, first, second, extra;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_TRUE(header.starts_with("rank,qty,trades,total_return_percent")) << header;
  EXPECT_TRUE(first.starts_with("1,50,")) << r.out;
  EXPECT_TRUE(second.starts_with("2,100,")) << r.out;
  EXPECT_FALSE(std::getline(lines, extra)) << r.out;
  EXPECT_NE(r.err.find("2 combinations; the best by total_return written to"), std::string::npos)
      << r.err;
  std::string trades = ReadAll(home_ / "best" / "trades.csv");
  EXPECT_NE(trades.find(",110.00,2024-"), std::string::npos) << trades;
  EXPECT_NE(trades.find(",50,-400.00,"), std::string::npos) << trades;  // 50 x -8.00
}

TEST_F(Zigzag, CommandRefusesAReviewModeItDoesNotHave) {
  fs::path toml = home_ / "zig.toml";
  std::ofstream(toml) << Strategy("next_open");
  Ran r = RunKairos(home_, fmt::format("backtest '{}' --review rule --out '{}'", toml.string(),
                                       (home_ / "o").string()));
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "kairos: error: --review rule: only 'auto' is implemented (every signal approved "
            "before its cut-off)\n");
  EXPECT_FALSE(fs::exists(home_ / "o"));
}
#endif

// ---- Regression pins: the example strategies over the last year of the demo's synthetic data
// (tools/demo.sh: kairos data synth --symbols 500 --sessions 1260 --seed 42; only the 20
// symbols the examples trade are generated). A change in any of these numbers is a change in
// the engine's behaviour: explain it in the commit that updates them. ----

class Examples : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    home_ = new fs::path(TempDir("examples"));
    auto bars = marketdata::BarStore::Open(*home_);
    KAIROS_CHECK(bars.ok()) << bars.status().ToString();
    bars_ = bars->release();
    marketdata::SynthUniverseSpec spec;  // the demo's end date
    auto sessions = marketdata::LastSessions(Nyse(), spec.end, 1260);
    KAIROS_CHECK(sessions.ok());
    for (int i = 1; i <= 20; ++i) {
      BarSeries s = marketdata::SynthSeries(marketdata::SynthSymbol(i, 500), "NYSE", *sessions,
                                            marketdata::SynthSymbolSeed(42, i));
      KAIROS_CHECK(bars_->Upsert(s).ok());
    }
    to_ = sessions->back();
    from_ = (*sessions)[sessions->size() - 252];
  }
  static void TearDownTestSuite() {
    delete bars_;
    fs::remove_all(*home_);
    delete home_;
  }
  static std::string Example(const char* name) {
    return ReadAll(fs::path(KAIROS_SOURCE_DIR) / "examples" / "strategies" / name);
  }
  static fs::path* home_;
  static marketdata::BarStore* bars_;
  static Date from_, to_;
};
fs::path* Examples::home_ = nullptr;
marketdata::BarStore* Examples::bars_ = nullptr;
Date Examples::from_, Examples::to_;

struct Pin {
  int64_t cash = 0;  // minor units, at the last session's close
  int64_t equity = 0;
  int trades = 0;            // closed round trips
  int64_t max_drawdown = 0;  // minor units
};

Pin PinOf(const backtest::BacktestResult& r) {
  return {r.daily.back().cash, r.daily.back().equity, r.metrics.trades,
          r.metrics.max_drawdown.value};
}

TEST_F(Examples, SmaCrossPinned) {
  auto r = RunBacktest(*bars_, Example("sma_cross.toml"), from_, to_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->daily.size(), 252u);
  Pin p = PinOf(*r);
  EXPECT_EQ(p.cash, 5919361);    // 59,193.61 of 100,000.00 in cash, the rest in positions
  EXPECT_EQ(p.equity, 9269530);  // 92,695.30
  EXPECT_EQ(p.trades, 22);
  EXPECT_EQ(p.max_drawdown, 1210718);
}

TEST_F(Examples, RsiDipPinnedWithItsManualSignalsApprovedByTheBacktest) {
  auto r = RunBacktest(*bars_, Example("rsi_dip.toml"), from_, to_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->daily.size(), 252u);
  Pin p = PinOf(*r);
  EXPECT_EQ(r->auto_approved, 2);
  EXPECT_EQ(p.cash, 4866036);  // flat at the end: cash is the equity
  EXPECT_EQ(p.equity, 4866036);
  EXPECT_EQ(p.trades, 2);
  EXPECT_EQ(p.max_drawdown, 138758);
}

// The backtest answers the trading day's as-of scans from one range scan per rule; a symbol the
// daily scan would skip on a session (unknown, no bar yet, a gap, no bar any more) is noted with
// the very message engine::Scan gives as of that session.
TEST(ReplayMarket, SkipsWhatTheDailyScanSkipsWithItsMessages) {
  fs::path home = TempDir("replay_notes");
  auto bars = marketdata::BarStore::Open(home);
  ASSERT_TRUE(bars.ok());
  auto series = [&](const std::string& symbol, Date first, Date last, std::optional<Date> gap) {
    BarSeries s;
    s.instrument = {symbol, "NYSE"};
    for (Date d : Nyse().Sessions(first, last)) {
      if (d != gap) s.Append({d, 10, 10, 10, 10, 1000});
    }
    ASSERT_TRUE((*bars)->Upsert(s).ok());
  };
  series("AAA", D("2024-01-02"), D("2024-02-09"), std::nullopt);
  series("BBB", D("2024-01-02"), D("2024-01-31"), std::nullopt);     // ends before the run
  series("CCC", D("2024-01-02"), D("2024-02-09"), D("2024-02-02"));  // a gap
  series("DDD", D("2024-02-05"), D("2024-02-09"), std::nullopt);     // starts inside it
  series("EEE", D("2024-01-02"), D("2024-02-09"), D("2024-02-01"));  // a gap on the first day
  {
    // Bars before and after the run, none in it.
    BarSeries s;
    s.instrument = {"FFF", "NYSE"};
    s.Append({D("2024-01-30"), 10, 10, 10, 10, 1000});
    s.Append({D("2024-02-08"), 10, 10, 10, 10, 1000});
    ASSERT_TRUE((*bars)->Upsert(s).ok());
  }
  const std::string toml = R"toml(name = "t"
exchange = "NYSE"
universe = ["AAA", "BBB", "CCC", "DDD", "ZZZ", "EEE", "FFF"]
entry = "close > 1000"
approval = "auto"
allocation = 100000
sizing = { method = "fixed_qty", qty = 1 }
fees = "none"
)toml";
  auto r = RunBacktest(**bars, toml, D("2024-02-01"), D("2024-02-06"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();

  std::vector<std::string> expected;
  auto program = rules::Program::Compile("close > 1000");
  ASSERT_TRUE(program.ok());
  for (Date d : Nyse().Sessions(D("2024-02-01"), D("2024-02-06"))) {
    engine::ScanRequest req;
    req.program = *program;
    req.symbols = {"AAA", "BBB", "CCC", "DDD", "ZZZ", "EEE", "FFF"};
    req.as_of = d;
    auto daily = engine::Scan(**bars, Nyse(), req);
    ASSERT_TRUE(daily.ok());
    for (const std::string& s : daily->skipped) expected.push_back("t: " + s);
  }
  EXPECT_EQ(r->notes, expected);
  // All four kinds are there (the first session shows three of them).
  ASSERT_GE(expected.size(), 3u);
  EXPECT_EQ(expected[0], "t: BBB: no bar on 2024-02-01 (last: 2024-01-31)");
  EXPECT_EQ(expected[1], "t: DDD: no bar on 2024-02-01 (first: 2024-02-05)");
  EXPECT_EQ(expected[2], "t: ZZZ: not in the store");
  EXPECT_NE(std::find(expected.begin(), expected.end(), "t: CCC: no bar on 2024-02-02"),
            expected.end());
  EXPECT_EQ(expected[3], "t: EEE: no bar on 2024-02-01");
  EXPECT_EQ(expected[4], "t: FFF: no bar on 2024-02-01");
  EXPECT_NE(std::find(expected.begin(), expected.end(), "t: FFF: no bar on 2024-02-06"),
            expected.end());
  fs::remove_all(home);
}

}  // namespace
}  // namespace kairos
