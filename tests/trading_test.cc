// The trading day wired as in paper mode: the real SQLite store (a file), the real paper broker
// (state persisted in the store) and a bar store of synthetic symbols, all under a temp home.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "app/paper_wiring.h"
#include "engine/kill_switch.h"
#include "engine/signal_book.h"

namespace kairos {
namespace {

namespace fs = std::filesystem;

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

const calendar::ExchangeCalendar& Nyse() {
  return *calendar::ExchangeCalendar::ForExchange("NYSE").value();
}

// Bars of every NYSE session Jan-Mar 2024: open 100, high 101, low 99, close 100, volume 1e6,
// except where `bars` says otherwise ({open, close}; high/low around them).
BarSeries Series(const std::string& symbol, const std::map<Date, std::pair<double, double>>& bars,
                 double volume = 1e6) {
  BarSeries s;
  s.instrument = {symbol, "NYSE"};
  for (Date d : Nyse().Sessions(D(2024, 1, 2), D(2024, 3, 28))) {
    auto it = bars.find(d);
    double o = 100, c = 100;
    if (it != bars.end()) std::tie(o, c) = it->second;
    s.Append({d, o, std::max(o, c) + 1, std::min(o, c) - 1, c, volume});
  }
  return s;
}

// Everything the pipeline writes, as text.
std::string Dump(ports::Store& store) {
  std::ostringstream out;
  auto signals = store.signals().List({}).value();
  for (const Signal& s : signals) {
    out << "signal " << s.id << " " << s.strategy << " " << s.symbol << " " << s.session.ToString()
        << " " << SignalStatusName(s.status) << " " << s.decided_by << " " << s.note << "\n";
  }
  auto orders = store.orders().List({}).value();
  for (const Order& o : orders) {
    out << "order " << o.request.client_order_id << " " << OrderStatusName(o.status) << " "
        << o.request.qty.units() << " " << o.filled_qty.units() << "\n";
  }
  auto fills = store.ledger().ListFills({}).value();
  for (const auto& [st, f] : fills) {
    out << "fill " << st << " " << f.execution_id << " " << f.qty.units() << " "
        << f.price.ToString() << " " << f.fees << "\n";
  }
  auto positions = store.ledger().Positions("").value();
  for (const Position& p : positions) {
    out << "position " << p.strategy << " " << p.symbol << " " << p.qty.units() << " "
        << (p.stop ? p.stop->ToString() : "-") << " " << p.sessions_held << "\n";
  }
  auto pnl = store.ledger().ListDailyPnl("", std::nullopt, std::nullopt).value();
  for (const DailyPnl& r : pnl) {
    out << "pnl " << r.session.ToString() << " " << r.strategy << " " << r.realized << " "
        << r.unrealized << " " << r.fees << " " << r.equity << " " << r.cash << "\n";
  }
  return out.str();
}

class TradingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = fs::temp_directory_path() /
            ("kairos_trading_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(home_);
    fs::create_directories(home_);
    marketdata::BarStoreOptions opts;
    opts.sync = false;
    auto bars = marketdata::BarStore::Open(home_, opts).value();
    // AAA: closes 160 on Fri 2024-03-01 (entry signal), opens 161 on Monday, trades around
    // 162 until it falls to 150 on Wed 2024-03-06 (stop at 5 % under the entry).
    EXPECT_TRUE(bars->Upsert(Series("AAA", {{D(2024, 3, 1), {100, 160}},
                                            {D(2024, 3, 4), {161, 162}},
                                            {D(2024, 3, 5), {162, 163}},
                                            {D(2024, 3, 6), {158, 150}},
                                            {D(2024, 3, 7), {149, 149}}}))
                    .ok());
    // BBB: closes 155 on Mon 2024-03-04 (second signal), opens 156 on Tuesday.
    EXPECT_TRUE(
        bars->Upsert(Series("BBB", {{D(2024, 3, 4), {100, 155}}, {D(2024, 3, 5), {156, 156}}}))
            .ok());
    // THIN: 1,000 shares a day: with 0.4 % participation an order takes 4 shares a session.
    EXPECT_TRUE(bars->Upsert(Series("THIN", {{D(2024, 3, 1), {100, 170}}}, 1000)).ok());
  }
  void TearDown() override { fs::remove_all(home_); }

  StrategySpec Spec(std::string name, Approval approval, std::vector<std::string> symbols) {
    StrategySpec s;
    s.name = std::move(name);
    s.symbols = std::move(symbols);
    s.entry = "close > 150";
    s.approval = approval;
    s.allocation = 10'000'000;  // 100,000.00
    s.sizing.method = SizingSpec::Method::kFixedQty;
    s.sizing.qty = 10;
    s.stop_loss.kind = LevelSpec::Kind::kPercent;
    s.stop_loss.percent = 5;
    s.max_positions = 5;
    s.max_new_per_day = 5;
    s.fees.kind = FeeSpec::Kind::kCustom;
    s.fees.per_order = 100;  // 1.00 per fill
    return s;
  }

  std::unique_ptr<app::PaperSession> Open(double participation = 0) {
    auto p = app::OpenPaper(home_);
    if (!p.ok()) {
      ADD_FAILURE() << p.status().ToString();
      return nullptr;
    }
    app::PaperOptions o;
    o.start_ns = Nyse().SessionOf(D(2024, 2, 29)).value().open.nanos() - 120'000'000'000;
    o.max_participation = participation;
    Status st = (*p)->StartBroker(o);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return std::move(*p);
  }

  void Import(ports::Store& store, const StrategySpec& s) {
    ASSERT_TRUE(store.strategies().Import(s, "source of " + s.name).ok());
  }

  engine::SessionReport Run(app::PaperSession& p, Date d) {
    auto r = p.day->RunSession(*p.clock, d);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(p.SaveClock().ok());
    return r.ok() ? *r : engine::SessionReport{};
  }

  void RunRange(app::PaperSession& p, Date from, Date to) {
    for (Date d : Nyse().Sessions(from, to)) Run(p, d);
  }

  fs::path home_;
};

TEST_F(TradingTest, AutoStrategyTradesThroughTheWeekWithExactMoney) {
  auto p = Open();
  ASSERT_NE(p, nullptr);
  Import(*p->store, Spec("auto", Approval::kAuto, {"AAA", "BBB"}));
  RunRange(*p, D(2024, 2, 29), D(2024, 3, 8));
  auto fills = p->store->ledger().ListFills({}).value();
  // AAA bought 10 at Monday's open 161, BBB 10 at Tuesday's open 156. Wednesday AAA closes 150
  // (<= its stop 152.95) and BBB 100 (<= 148.20): both sold at Thursday's open, 149 and 100.
  ASSERT_EQ(fills.size(), 4u);
  std::map<std::string, std::string> seen;
  for (const auto& [strategy, f] : fills) {
    seen[f.symbol + " " + std::string(SideName(f.side))] =
        f.session.ToString() + " " + f.price.ToString() + " " + f.qty.ToString();
  }
  EXPECT_EQ(seen["AAA buy"], "2024-03-04 161.00 10");
  EXPECT_EQ(seen["BBB buy"], "2024-03-05 156.00 10");
  EXPECT_EQ(seen["AAA sell"], "2024-03-07 149.00 10");
  EXPECT_EQ(seen["BBB sell"], "2024-03-07 100.00 10");
  auto exits = p->store->signals().List({.session = D(2024, 3, 6)}).value();
  ASSERT_EQ(exits.size(), 2u);
  EXPECT_EQ(exits[0].reason, "stop_loss");
  EXPECT_EQ(exits[1].reason, "stop_loss");
  // Tuesday: unrealised (163 - 161) × 10 + (156 - 156) × 10 = 20.00; fees 1.00 that day.
  auto tue = p->store->ledger().ListDailyPnl("auto", D(2024, 3, 5), D(2024, 3, 5)).value();
  ASSERT_EQ(tue.size(), 1u);
  EXPECT_EQ(tue[0].unrealized, 2'000);
  EXPECT_EQ(tue[0].fees, 100);
  EXPECT_EQ(tue[0].equity, 10'000'000 + 2'000 - 200);
  EXPECT_EQ(tue[0].cash, 10'000'000 - 200 - 161'000 - 156'000);
  // Thursday: realised (149 - 161) × 10 + (100 - 156) × 10 = -680.00; fees 2.00 that day,
  // 4.00 in all; nothing open.
  auto thu = p->store->ledger().ListDailyPnl("auto", D(2024, 3, 7), D(2024, 3, 7)).value();
  ASSERT_EQ(thu.size(), 1u);
  EXPECT_EQ(thu[0].realized, -68'000);
  EXPECT_EQ(thu[0].fees, 200);
  EXPECT_EQ(thu[0].unrealized, 0);
  EXPECT_EQ(thu[0].equity, 10'000'000 - 68'000 - 400);
  EXPECT_EQ(thu[0].cash, thu[0].equity);
  EXPECT_TRUE(p->store->ledger().Positions("auto").value().empty());
}

// The daemon's trading jobs at their default instants (engine/trading_day.h): signals.expire,
// orders.open, orders.sync, orders.close, scan.daily, scan.weekly, exits.check, pnl.eod.
void RunJobSteps(app::PaperSession& p, Date d) {
  constexpr int64_t kMin = 60'000'000'000;
  calendar::Session s = Nyse().SessionOf(d).value();
  auto ok = [&](const Status& st) {
    EXPECT_TRUE(st.ok()) << d.ToString() << ": " << st.ToString();
  };
  p.clock->AdvanceTo(s.open.nanos() - 2 * kMin);
  ok(p.day->ExpireSignals(d).status());
  p.clock->AdvanceTo(s.open.nanos() - kMin);
  ok(p.day->PreOpen(d));
  p.clock->AdvanceTo(s.open.nanos() + kMin);
  ok(p.day->AfterOpen(d));
  p.clock->AdvanceTo(s.close.nanos() - kMin);
  ok(p.day->AtClose(d));
  p.clock->AdvanceTo(s.close.nanos() + 20 * kMin);
  ok(p.day->ScanEntries(d, Timeframe::kDaily));
  if (Nyse().IsLastSessionOfWeek(d)) {
    p.clock->AdvanceTo(s.close.nanos() + 25 * kMin);
    ok(p.day->ScanEntries(d, Timeframe::kWeekly));
  }
  p.clock->AdvanceTo(s.close.nanos() + 30 * kMin);
  ok(p.day->CheckExits(d));
  p.clock->AdvanceTo(s.close.nanos() + 40 * kMin);
  ok(p.day->AfterClose(d));
  EXPECT_TRUE(p.SaveClock().ok());
}

TEST_F(TradingTest, TheJobStepsAtTheirDefaultInstantsTradeExactlyAsRunSession) {
  StrategySpec same_close = Spec("close", Approval::kAuto, {"AAA", "BBB", "THIN"});
  same_close.execution = Execution::kSameClose;
  StrategySpec weekly = Spec("weekly", Approval::kAuto, {"AAA", "BBB"});
  weekly.timeframe = Timeframe::kWeekly;
  auto import_all = [&](ports::Store& store) {
    Import(store, Spec("auto", Approval::kAuto, {"AAA", "BBB", "THIN"}));
    Import(store, same_close);
    Import(store, weekly);
  };
  const Date from = D(2024, 2, 29), to = D(2024, 3, 12);
  std::string by_run_session;
  {
    auto p = Open();
    ASSERT_NE(p, nullptr);
    import_all(*p->store);
    RunRange(*p, from, to);
    by_run_session = Dump(*p->store);
  }
  for (const char* file : {"kairos.db", "kairos.db-wal", "kairos.db-shm"}) fs::remove(home_ / file);
  auto q = Open();
  ASSERT_NE(q, nullptr);
  import_all(*q->store);
  for (Date d : Nyse().Sessions(from, to)) RunJobSteps(*q, d);
  ASSERT_NE(by_run_session.find("fill close"), std::string::npos) << by_run_session;
  ASSERT_NE(by_run_session.find("fill auto"), std::string::npos) << by_run_session;
  EXPECT_EQ(Dump(*q->store), by_run_session);
}

TEST_F(TradingTest, PaperTradingTellsEachEventOnceThroughTheOutbox) {
  auto p = Open();
  ASSERT_NE(p, nullptr);
  Import(*p->store, Spec("auto", Approval::kAuto, {"AAA", "BBB"}));
  Import(*p->store, Spec("manual", Approval::kManual, {"AAA"}));
  RunRange(*p, D(2024, 2, 29), D(2024, 3, 8));
  auto kinds = [&] {
    std::map<std::string, int> n;
    for (const auto& m : p->store->outbox().List({}).value()) ++n[m.kind];
    return n;
  };
  const std::map<std::string, int> once = kinds();
  // AAA and BBB bought and sold (4 sends, 4 fills), both sales after their stops were hit; the
  // manual strategy's AAA signals of Friday, Monday and Tuesday (closes above 150) waited for
  // review.
  EXPECT_EQ(
      once,
      (std::map<std::string, int>{
          {"exit.stop_hit", 2}, {"order.filled", 4}, {"order.sent", 4}, {"signal.pending", 3}}));
  ASSERT_TRUE(p->day->PreOpen(D(2024, 3, 8)).ok());
  ASSERT_TRUE(p->day->AfterOpen(D(2024, 3, 8)).ok());
  ASSERT_TRUE(p->day->AtClose(D(2024, 3, 8)).ok());
  ASSERT_TRUE(p->day->AfterClose(D(2024, 3, 8)).ok());
  EXPECT_EQ(kinds(), once);
}

TEST_F(TradingTest, ScanTwiceCreatesNoDuplicateAndASessionRunTwiceChangesNothing) {
  auto p = Open();
  ASSERT_NE(p, nullptr);
  Import(*p->store, Spec("auto", Approval::kAuto, {"AAA", "BBB"}));
  RunRange(*p, D(2024, 2, 29), D(2024, 3, 5));
  std::string once = Dump(*p->store);
  ASSERT_NE(once.find("fill auto"), std::string::npos) << once;
  // The marker: RunSession reports and does nothing.
  auto again = Run(*p, D(2024, 3, 5));
  EXPECT_TRUE(again.already_done);
  EXPECT_EQ(Dump(*p->store), once);
  // Every phase again, by hand (a crash before the marker): still nothing changes.
  ASSERT_TRUE(p->day->PreOpen(D(2024, 3, 5)).ok());
  ASSERT_TRUE(p->day->AfterOpen(D(2024, 3, 5)).ok());
  ASSERT_TRUE(p->day->AtClose(D(2024, 3, 5)).ok());
  ASSERT_TRUE(p->day->AfterClose(D(2024, 3, 5)).ok());
  ASSERT_TRUE(p->day->AtClose(D(2024, 3, 4)).ok());  // a past session: does nothing
  EXPECT_EQ(Dump(*p->store), once);
  // The same after reopening everything from the files.
  p.reset();
  auto q = Open();
  ASSERT_NE(q, nullptr);
  ASSERT_TRUE(q->day->AtClose(D(2024, 3, 5)).ok());
  ASSERT_TRUE(q->day->AfterClose(D(2024, 3, 5)).ok());
  EXPECT_EQ(Dump(*q->store), once);
  // An earlier session is refused: time does not go back.
  auto back = q->day->RunSession(*q->clock, D(2024, 3, 1));
  ASSERT_TRUE(back.ok());  // it was run: reported as done
  EXPECT_TRUE(back->already_done);
  auto never = q->day->RunSession(*q->clock, D(2024, 2, 28));
  EXPECT_EQ(never.status().message(),
            "2024-02-28 is before the last session run (2024-03-05); sessions run in order");
}

TEST_F(TradingTest, ScanTwiceNoDuplicateManualApprovedFillsAtNextOpenOtherExpires) {
  auto p = Open();
  ASSERT_NE(p, nullptr);
  Import(*p->store, Spec("manual", Approval::kManual, {"AAA", "BBB"}));
  RunRange(*p, D(2024, 2, 29), D(2024, 3, 1));
  // The scan again (a crash after AtClose): the pending signal is not stored twice.
  ASSERT_TRUE(p->day->AtClose(D(2024, 3, 1)).ok());
  EXPECT_EQ(p->store->signals().List({}).value().size(), 1u);
  engine::SignalBook book(*p->store, *p->clock);
  auto pending = p->store->signals().List({.status = SignalStatus::kPendingReview}).value();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].symbol, "AAA");
  ASSERT_TRUE(book.Approve(pending[0].id, "cli", "go").ok());
  Run(*p, D(2024, 3, 4));  // BBB's signal of Monday is left alone
  auto aaa = p->store->signals().Get(pending[0].id).value().value();
  EXPECT_EQ(aaa.status, SignalStatus::kFilled);
  Run(*p, D(2024, 3, 5));
  auto bbb = p->store->signals().List({.session = D(2024, 3, 4)}).value();
  ASSERT_EQ(bbb.size(), 1u);
  EXPECT_EQ(bbb[0].symbol, "BBB");
  EXPECT_EQ(bbb[0].status, SignalStatus::kExpired);
  EXPECT_EQ(bbb[0].decided_by, "expiry");
  auto fills = p->store->ledger().ListFills({}).value();
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].second.session, D(2024, 3, 4));
  EXPECT_EQ(fills[0].second.price.ToString(), "161.00");
  EXPECT_EQ(fills[0].second.fees, 100);  // the strategy's fee model reached the broker
}

TEST_F(TradingTest, PartialFillsSumExactly) {
  auto p = Open(/*participation=*/0.004);
  ASSERT_NE(p, nullptr);
  Import(*p->store, Spec("thin", Approval::kAuto, {"THIN"}));
  RunRange(*p, D(2024, 2, 29), D(2024, 3, 4));
  auto orders = p->store->orders().List({}).value();
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].request.qty.units(), 10);
  EXPECT_EQ(orders[0].filled_qty.units(), 4);  // floor(0.004 × 1,000)
  EXPECT_TRUE(IsTerminal(orders[0].status)) << OrderStatusName(orders[0].status);
  auto fills = p->store->ledger().ListFills({}).value();
  int64_t sum = 0;
  for (const auto& [s, f] : fills) sum += f.qty.units();
  EXPECT_EQ(sum, 4);
  auto pos = p->store->ledger().Positions("thin").value();
  ASSERT_EQ(pos.size(), 1u);
  EXPECT_EQ(pos[0].qty.units(), sum);
  EXPECT_EQ(p->store->signals().Get(orders[0].signal_id).value()->status,
            SignalStatus::kPartiallyFilled);
}

TEST_F(TradingTest, HaltedDaySubmitsNothingSurvivesReopeningAndSquareoffCloses) {
  {
    auto p = Open();
    ASSERT_NE(p, nullptr);
    Import(*p->store, Spec("auto", Approval::kAuto, {"AAA", "BBB"}));
    RunRange(*p, D(2024, 2, 29), D(2024, 3, 4));  // AAA held from Monday; BBB signal Monday
    ASSERT_TRUE(engine::Halt(*p->store, *p->orders, *p->broker, false, "test", "drill").ok());
  }
  {
    auto p = Open();  // reopened from the files: still halted
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(engine::IsHalted(*p->store));
    size_t orders_before = p->store->orders().List({}).value().size();
    Run(*p, D(2024, 3, 5));
    EXPECT_EQ(p->store->orders().List({}).value().size(), orders_before);
    auto bbb = p->store->signals().List({.session = D(2024, 3, 4)}).value();
    ASSERT_EQ(bbb.size(), 1u);
    EXPECT_EQ(bbb[0].status, SignalStatus::kFailed);
    EXPECT_EQ(bbb[0].note, "not ordered: kill switch on");
    // Square-off: an exit order for AAA for the next session, filled at its open.
    auto r =
        engine::Halt(*p->store, *p->orders, *p->broker, true, "test", "square off", D(2024, 3, 6));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->already_halted);
    EXPECT_EQ(r->squareoff_ids.size(), 1u);
    EXPECT_TRUE(p->SaveClock().ok());
  }
  {
    auto p = Open();
    ASSERT_NE(p, nullptr);
    Run(*p, D(2024, 3, 6));
    EXPECT_TRUE(p->store->ledger().Positions("").value().empty());
    auto fills = p->store->ledger().ListFills({.from = D(2024, 3, 6)}).value();
    ASSERT_EQ(fills.size(), 1u);
    EXPECT_EQ(fills[0].second.side, Side::kSell);
    EXPECT_EQ(fills[0].second.price.ToString(), "158.00");  // Wednesday's open
    ASSERT_TRUE(engine::Resume(*p->store, "test").value());
    EXPECT_FALSE(engine::IsHalted(*p->store));
  }
}

}  // namespace
}  // namespace kairos
