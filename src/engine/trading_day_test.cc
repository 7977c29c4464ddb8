#include "engine/trading_day.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "engine/kill_switch.h"
#include "engine/ledger.h"
#include "engine/signal_book.h"
#include "engine/testing/fakes.h"

namespace kairos::engine {
namespace {

namespace fs = std::filesystem;
using testing::FakeBroker;
using testing::FakeStore;

Price P(std::string_view text) { return Price::Parse(text).value(); }
Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

const calendar::ExchangeCalendar& Nyse() {
  return *calendar::ExchangeCalendar::ForExchange("NYSE").value();
}

// Flat bars (open = high = low = close) on every NYSE session of Feb-Mar 2024, 100.00 unless
// `closes` says otherwise.
BarSeries Series(const std::string& symbol, const std::map<Date, double>& closes) {
  BarSeries s;
  s.instrument = {symbol, "NYSE"};
  for (Date d : Nyse().Sessions(D(2024, 1, 2), D(2024, 3, 28))) {
    auto it = closes.find(d);
    double c = it == closes.end() ? 100.0 : it->second;
    s.Append({d, c, c, c, c, 1'000'000});
  }
  return s;
}

// Everything the pipeline writes, as text: two runs compare equal when nothing changed.
std::string Dump(ports::Store& store) {
  std::ostringstream out;
  auto signals = store.signals().List({}).value();
  for (const Signal& s : signals) {
    out << "signal " << s.id << " " << s.strategy << " " << s.symbol << " " << s.session.ToString()
        << " " << SignalStatusName(s.status) << " " << s.decided_by << " " << s.note << " "
        << s.execute_on.ToString() << "\n";
  }
  auto orders = store.orders().List({}).value();
  for (const Order& o : orders) {
    out << "order " << o.request.client_order_id << " " << OrderStatusName(o.status) << " "
        << o.request.qty.units() << " " << o.filled_qty.units() << "\n";
  }
  auto fills = store.ledger().ListFills({}).value();
  for (const auto& [st, f] : fills) {
    out << "fill " << st << " " << f.execution_id << " " << f.qty.units() << " "
        << f.price.ToString() << "\n";
  }
  auto positions = store.ledger().Positions("").value();
  for (const Position& p : positions) {
    out << "position " << p.strategy << " " << p.symbol << " " << p.qty.units() << " "
        << (p.stop ? p.stop->ToString() : "-") << " "
        << (p.high_water ? p.high_water->ToString() : "-") << " " << p.sessions_held << "\n";
  }
  auto pnl = store.ledger().ListDailyPnl("", std::nullopt, std::nullopt).value();
  for (const DailyPnl& r : pnl) {
    out << "pnl " << r.session.ToString() << " " << r.strategy << " " << r.realized << " "
        << r.unrealized << " " << r.fees << " " << r.equity << " " << r.cash << "\n";
  }
  return out.str();
}

class TradingDayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("kairos_td_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    marketdata::BarStoreOptions opts;
    opts.sync = false;  // a scratch store
    bars_ = marketdata::BarStore::Open(dir_, opts).value();
    // AAA jumps above 150 on Friday 2024-03-01, then falls through its stop.
    ASSERT_TRUE(bars_
                    ->Upsert(Series("AAA", {{D(2024, 3, 1), 160},
                                            {D(2024, 3, 4), 162},
                                            {D(2024, 3, 5), 150},
                                            {D(2024, 3, 6), 149}}))
                    .ok());
    ASSERT_TRUE(bars_->Upsert(Series("BBB", {})).ok());
    ASSERT_TRUE(bars_->Upsert(Series("CCC", {{D(2024, 3, 1), 155}})).ok());
    owned_day_ = std::make_unique<TradingDay>(store_, broker_, clock_, *bars_, Nyse(), orders_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  StrategySpec Spec(Approval approval = Approval::kAuto) {
    StrategySpec s;
    s.name = "jump";
    s.symbols = {"AAA", "BBB"};
    s.entry = "close > 150";
    s.approval = approval;
    s.allocation = 1'000'000;  // 10,000.00
    s.sizing.method = SizingSpec::Method::kFixedQty;
    s.sizing.qty = 10;
    s.stop_loss.kind = LevelSpec::Kind::kPercent;
    s.stop_loss.percent = 5;
    s.max_positions = 2;
    s.max_new_per_day = 2;
    return s;
  }
  void Import(const StrategySpec& s) {
    ASSERT_TRUE(store_.strategies().Import(s, "text of " + s.name).ok());
  }
  const calendar::Session& S(Date d) {
    sessions_[d] = Nyse().SessionOf(d).value();
    return sessions_[d];
  }
  void PreOpen(Date d) {
    clock_.AdvanceTo(S(d).open.nanos() - 60'000'000'000);
    ASSERT_TRUE(day().PreOpen(d).ok());
  }
  void AfterOpen(Date d) {
    clock_.AdvanceTo(S(d).open.nanos() + 60'000'000'000);
    ASSERT_TRUE(day().AfterOpen(d).ok());
  }
  void AtClose(Date d) {
    clock_.AdvanceTo(S(d).close.nanos() - 60'000'000'000);
    Status st = day().AtClose(d);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  void AfterClose(Date d) {
    clock_.AdvanceTo(S(d).close.nanos() + 60'000'000'000);
    Status st = day().AfterClose(d);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  std::vector<Signal> Signals() { return store_.signals().List({}).value(); }
  // Runs Friday 2024-03-01 to Tuesday: 10 AAA bought at Monday's open (161), the stop (152.95)
  // hit at Tuesday's close; from Wednesday on AAA is back above it. Returns the approved exit
  // for Wednesday's open; the notes so far are taken.
  Signal HoldUntilTheStopIsHitOnTuesday() {
    const Date fri = D(2024, 3, 1), mon = D(2024, 3, 4), tue = D(2024, 3, 5), wed = D(2024, 3, 6),
               thu = D(2024, 3, 7);
    EXPECT_TRUE(
        bars_->Upsert(Series("AAA", {{fri, 160}, {mon, 162}, {tue, 150}, {wed, 158}, {thu, 158}}))
            .ok());
    Import(Spec());
    AtClose(fri);
    AfterClose(fri);
    PreOpen(mon);
    broker_.Execute(Orders()[0].request.client_order_id, 10, P("161"), 100, S(mon).open.nanos());
    AfterOpen(mon);
    AtClose(mon);
    AfterClose(mon);
    PreOpen(tue);
    AfterOpen(tue);
    AtClose(tue);
    AfterClose(tue);
    std::vector<Signal> signals = Signals();
    if (signals.empty()) {
      ADD_FAILURE() << "no signal by Tuesday's close";
      return Signal();
    }
    Signal exit = signals.back();
    EXPECT_EQ(exit.reason, "stop_loss");
    EXPECT_EQ(exit.execute_on, wed);
    day().TakeNotes();
    return exit;
  }

  std::vector<Order> Orders() { return store_.orders().List({}).value(); }

  fs::path dir_;
  std::unique_ptr<marketdata::BarStore> bars_;
  FakeStore store_;
  FakeBroker broker_;
  ports::ManualClock clock_{Timestamp::Parse("2024-02-29T22:00:00Z").value().nanos()};
  OrderManager orders_{store_, broker_, clock_};
  std::unique_ptr<TradingDay> owned_day_;
  std::map<Date, calendar::Session> sessions_;
  TradingDay& day() { return *owned_day_; }
};

TEST_F(TradingDayTest, AutoEntryIsSizedOrderedFilledStoppedOutAndAccounted) {
  Import(Spec());
  const Date fri = D(2024, 3, 1), mon = D(2024, 3, 4), tue = D(2024, 3, 5), wed = D(2024, 3, 6);

  AtClose(fri);
  auto signals = Signals();
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0].symbol, "AAA");
  EXPECT_EQ(signals[0].status, SignalStatus::kApproved);
  EXPECT_EQ(signals[0].decided_by, "auto");
  EXPECT_EQ(signals[0].execute_on, mon);
  AfterClose(fri);

  PreOpen(mon);
  auto orders = Orders();
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].request.client_order_id, ClientOrderId("jump", "AAA", mon, Side::kBuy));
  EXPECT_EQ(orders[0].request.qty.units(), 10);
  EXPECT_EQ(orders[0].request.tif, TimeInForce::kOpg);
  EXPECT_EQ(orders[0].request.type, OrderType::kMarket);
  EXPECT_EQ(broker_.orders().size(), 1u);
  broker_.Execute(orders[0].request.client_order_id, 10, P("161"), 100, S(mon).open.nanos());
  AfterOpen(mon);
  AtClose(mon);  // AAA closes 162 > 150 again, but it is held: no second signal
  EXPECT_EQ(Signals().size(), 1u);
  AfterClose(mon);
  auto pos = store_.ledger().Positions("jump").value();
  ASSERT_EQ(pos.size(), 1u);
  EXPECT_EQ(pos[0].qty.units(), 10);
  EXPECT_EQ(pos[0].stop, P("152.95"));  // 161 × 0.95
  EXPECT_EQ(pos[0].high_water, P("162"));
  // Monday: unrealised (162 - 161) × 10 = 10.00; fees 1.00; equity 10,000 + 10 - 1.
  auto pnl = store_.ledger().ListDailyPnl("jump", mon, mon).value();
  ASSERT_EQ(pnl.size(), 1u);
  EXPECT_EQ(pnl[0].realized, 0);
  EXPECT_EQ(pnl[0].unrealized, 1'000);
  EXPECT_EQ(pnl[0].fees, 100);
  EXPECT_EQ(pnl[0].equity, 1'000'900);
  EXPECT_EQ(pnl[0].cash, 1'000'000 - 100 - 161'000);

  PreOpen(tue);
  AfterOpen(tue);
  AtClose(tue);  // close 150 <= stop 152.95
  signals = Signals();
  ASSERT_EQ(signals.size(), 2u);
  EXPECT_EQ(signals[1].kind, SignalKind::kExit);
  EXPECT_EQ(signals[1].reason, "stop_loss");
  EXPECT_EQ(signals[1].side, Side::kSell);
  EXPECT_EQ(signals[1].execute_on, wed);
  AfterClose(tue);
  pnl = store_.ledger().ListDailyPnl("jump", tue, tue).value();
  EXPECT_EQ(pnl[0].unrealized, -11'000);  // (150 - 161) × 10
  EXPECT_EQ(pnl[0].equity, 1'000'000 - 11'000 - 100);

  PreOpen(wed);
  orders = Orders();
  ASSERT_EQ(orders.size(), 2u);
  EXPECT_EQ(orders[1].request.side, Side::kSell);
  EXPECT_EQ(orders[1].request.qty.units(), 10);
  EXPECT_EQ(orders[1].request.tif, TimeInForce::kOpg);
  broker_.Execute(orders[1].request.client_order_id, 10, P("149"), 100, S(wed).open.nanos());
  AfterOpen(wed);
  AtClose(wed);
  AfterClose(wed);
  EXPECT_TRUE(store_.ledger().Positions("jump").value().empty());
  // Wednesday: realised (149 - 161) × 10 = -120.00, fees 1.00 that day; equity 10,000 - 120 - 2.
  pnl = store_.ledger().ListDailyPnl("jump", wed, wed).value();
  EXPECT_EQ(pnl[0].realized, -12'000);
  EXPECT_EQ(pnl[0].fees, 100);
  EXPECT_EQ(pnl[0].unrealized, 0);
  EXPECT_EQ(pnl[0].equity, 1'000'000 - 12'000 - 200);
  EXPECT_EQ(pnl[0].cash, pnl[0].equity);
  EXPECT_EQ(store_.signals().Get(signals[1].id).value()->status, SignalStatus::kFilled);
}

TEST_F(TradingDayTest, EveryPhaseRunTwiceChangesNothing) {
  Import(Spec());
  const Date fri = D(2024, 3, 1), mon = D(2024, 3, 4);
  AtClose(fri);
  AfterClose(fri);
  PreOpen(mon);
  broker_.Execute(Orders()[0].request.client_order_id, 10, P("161"), 100, S(mon).open.nanos());
  AfterOpen(mon);
  AtClose(mon);
  AfterClose(mon);
  std::string once = Dump(store_);
  int submits = broker_.submit_calls();
  ASSERT_TRUE(day().AtClose(fri).ok());
  ASSERT_TRUE(day().PreOpen(mon).ok());
  ASSERT_TRUE(day().AfterOpen(mon).ok());
  ASSERT_TRUE(day().AtClose(mon).ok());
  ASSERT_TRUE(day().AfterClose(mon).ok());
  EXPECT_EQ(Dump(store_), once);
  EXPECT_EQ(broker_.submit_calls(), submits);
}

TEST_F(TradingDayTest, ManualSignalExpiresAtTheCutoffUnlessApproved) {
  Import(Spec(Approval::kManual));
  const Date fri = D(2024, 3, 1), mon = D(2024, 3, 4);
  AtClose(fri);
  auto signals = Signals();
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0].status, SignalStatus::kPendingReview);
  EXPECT_EQ(signals[0].execute_on, mon);
  AfterClose(fri);
  PreOpen(mon);  // 09:29 New York, after the 09:00 cut-off
  EXPECT_EQ(store_.signals().Get(signals[0].id).value()->status, SignalStatus::kExpired);
  EXPECT_TRUE(Orders().empty());
  EXPECT_EQ(broker_.submit_calls(), 0);
}

TEST_F(TradingDayTest, ManualSignalApprovedBeforeTheCutoffIsOrderedAtTheOpen) {
  Import(Spec(Approval::kManual));
  const Date fri = D(2024, 3, 1), mon = D(2024, 3, 4);
  AtClose(fri);
  AfterClose(fri);
  SignalBook book(store_, clock_);
  ASSERT_TRUE(book.Approve(Signals()[0].id, "cli", "").ok());
  PreOpen(mon);
  ASSERT_EQ(Orders().size(), 1u);
  EXPECT_EQ(store_.signals().Get(Signals()[0].id).value()->status, SignalStatus::kOrdered);
}

TEST_F(TradingDayTest, LimitEntryIsADayLimitBelowTheDecisionClose) {
  StrategySpec s = Spec();
  s.order_type = EntryOrderType::kLimit;
  s.limit_offset_percent = 0.5;
  Import(s);
  AtClose(D(2024, 3, 1));
  PreOpen(D(2024, 3, 4));
  auto orders = Orders();
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].request.type, OrderType::kLimit);
  EXPECT_EQ(orders[0].request.tif, TimeInForce::kDay);
  EXPECT_EQ(orders[0].request.limit_price, P("159.20"));  // 160 × 0.995
}

TEST_F(TradingDayTest, SameCloseAutoOrdersAtTheCloseOfTheSignalSession) {
  StrategySpec s = Spec();
  s.execution = Execution::kSameClose;
  Import(s);
  AtClose(D(2024, 3, 1));
  auto orders = Orders();
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].request.tif, TimeInForce::kCls);
  EXPECT_EQ(orders[0].request.session, D(2024, 3, 1));
  EXPECT_EQ(Signals()[0].execute_on, D(2024, 3, 1));
}

TEST_F(TradingDayTest, HaltedDayOrdersNoEntry) {
  Import(Spec());
  AtClose(D(2024, 3, 1));
  AfterClose(D(2024, 3, 1));
  ASSERT_TRUE(Halt(store_, orders_, broker_, false, "test", "drill").ok());
  PreOpen(D(2024, 3, 4));
  EXPECT_TRUE(Orders().empty());
  EXPECT_EQ(broker_.submit_calls(), 0);
  Signal s = *store_.signals().Get(Signals()[0].id).value();
  EXPECT_EQ(s.status, SignalStatus::kFailed);
  EXPECT_EQ(s.note, "not ordered: kill switch on");
}

TEST_F(TradingDayTest, MaxHoldExitsAfterTheSessionsHeld) {
  StrategySpec s = Spec();
  s.stop_loss = {};
  s.max_hold = 2;
  s.max_new_per_day = 1;
  Import(s);
  const Date fri = D(2024, 3, 1), mon = D(2024, 3, 4), tue = D(2024, 3, 5), wed = D(2024, 3, 6);
  AtClose(fri);
  PreOpen(mon);
  broker_.Execute(Orders()[0].request.client_order_id, 10, P("161"), 0, S(mon).open.nanos());
  AfterOpen(mon);
  AtClose(mon);
  AtClose(tue);
  EXPECT_EQ(Signals().size(), 1u);  // held 1 session after the entry day
  AfterClose(tue);
  AtClose(wed);
  auto signals = Signals();
  ASSERT_EQ(signals.size(), 2u);
  EXPECT_EQ(signals[1].reason, "max_hold");
}

TEST_F(TradingDayTest, WeeklyStrategyScansOnlyOnTheWeeksLastSessionOnWeeklyBars) {
  StrategySpec s = Spec();
  s.timeframe = Timeframe::kWeekly;
  s.entry = "close > 150";  // scanned as weekly(close > 150)
  Import(s);
  AtClose(D(2024, 3, 4));  // Monday: AAA closes 162, but a weekly strategy does not scan
  EXPECT_TRUE(Signals().empty());
  AtClose(D(2024, 3, 8));  // Friday: the week closed at 100 (AAA fell midweek): no match
  EXPECT_TRUE(Signals().empty());
  AtClose(D(2024, 3, 1));  // the Friday whose weekly close is 160
  auto signals = Signals();
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0].symbol, "AAA");
  EXPECT_EQ(signals[0].execute_on, D(2024, 3, 4));
}

TEST_F(TradingDayTest, RankDecidesWhichSignalGetsTheDaysOnlySlot) {
  StrategySpec s = Spec();
  s.symbols = {"AAA", "CCC"};
  s.rank = "close";  // ascending: CCC (155) before AAA (160)
  s.max_new_per_day = 1;
  Import(s);
  AtClose(D(2024, 3, 1));
  auto signals = Signals();
  ASSERT_EQ(signals.size(), 2u);
  PreOpen(D(2024, 3, 4));
  auto orders = Orders();
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].request.symbol, "CCC");
  for (const Signal& g : Signals()) {
    if (g.symbol != "AAA") continue;
    EXPECT_EQ(g.status, SignalStatus::kFailed);
    EXPECT_EQ(g.note, "not selected: max_new_per_day 1 reached");
    EXPECT_EQ(g.rank_value, 160);
  }
}

TEST_F(TradingDayTest, RunSessionRefusesADayThatIsNotASession) {
  Import(Spec());
  auto r = day().RunSession(clock_, D(2024, 3, 2));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "2024-03-02 is not a NYSE session (weekend)");
}

std::vector<AuditEntry> AuditRows(ports::Store& store, std::string_view action) {
  std::vector<AuditEntry> all = store.audit().List("").value();
  std::vector<AuditEntry> out;
  for (AuditEntry& e : all) {
    if (e.action == action) out.push_back(std::move(e));
  }
  return out;
}

bool HasNote(const std::vector<std::string>& notes, const std::string& note) {
  return std::find(notes.begin(), notes.end(), note) != notes.end();
}

TEST_F(TradingDayTest, AnExitWhoseSessionWasNotRunIsOrderedAtTheNextSessionRun) {
  const Date thu = D(2024, 3, 7);
  Signal exit;
  ASSERT_NO_FATAL_FAILURE(exit = HoldUntilTheStopIsHitOnTuesday());

  // Wednesday is not run: Thursday's open sells, although Thursday's close is above the stop.
  PreOpen(thu);
  auto orders = Orders();
  ASSERT_EQ(orders.size(), 2u);
  EXPECT_EQ(orders[1].request.client_order_id, ClientOrderId("jump", "AAA", thu, Side::kSell));
  EXPECT_EQ(orders[1].request.qty.units(), 10);
  EXPECT_EQ(orders[1].request.tif, TimeInForce::kOpg);
  EXPECT_EQ(orders[1].signal_id, exit.id);
  EXPECT_EQ(store_.signals().Get(exit.id).value()->status, SignalStatus::kOrdered);
  std::vector<std::string> notes = day().TakeNotes();
  EXPECT_TRUE(HasNote(notes, "skipped 2024-03-06 not run since the last session run, 2024-03-05"))
      << ::testing::PrintToString(notes);
  EXPECT_TRUE(HasNote(notes,
                      "jump: stop_loss exit of AAA decided on 2024-03-05 for 2024-03-06, a "
                      "session not run: ordered for 2024-03-07"))
      << ::testing::PrintToString(notes);
  auto overdue = AuditRows(store_, "exit.overdue");
  ASSERT_EQ(overdue.size(), 1u);
  EXPECT_EQ(overdue[0].subject, fmt::format("signal:{}", exit.id));
  EXPECT_EQ(overdue[0].detail,
            "jump sell: stop_loss exit of AAA decided on 2024-03-05 for 2024-03-06, a session not "
            "run: ordered for 2024-03-07 (order jump-AAA-20240307-s-1)");
  auto skipped = AuditRows(store_, "session.skipped");
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_EQ(skipped[0].subject, "session:2024-03-07");
  EXPECT_EQ(skipped[0].detail, "2024-03-06 not run since the last session run, 2024-03-05");

  PreOpen(thu);  // again (a restart): nothing more is ordered or audited
  EXPECT_EQ(Orders().size(), 2u);
  EXPECT_EQ(AuditRows(store_, "exit.overdue").size(), 1u);
  EXPECT_EQ(AuditRows(store_, "session.skipped").size(), 1u);

  broker_.Execute(orders[1].request.client_order_id, 10, P("158"), 100, S(thu).open.nanos());
  AfterOpen(thu);
  AtClose(thu);
  AfterClose(thu);
  EXPECT_TRUE(store_.ledger().Positions("jump").value().empty());
  EXPECT_EQ(store_.signals().Get(exit.id).value()->status, SignalStatus::kFilled);
}

TEST_F(TradingDayTest, AnExitIsNotOrderedWhileASquareOffOrderIsClosingThePosition) {
  const Date wed = D(2024, 3, 6), thu = D(2024, 3, 7);
  Signal exit;
  ASSERT_NO_FATAL_FAILURE(exit = HoldUntilTheStopIsHitOnTuesday());

  // The owner squares off everything for Wednesday's open, then lifts the halt.
  auto halt = Halt(store_, orders_, broker_, /*squareoff=*/true, "cli", "panic", wed);
  ASSERT_TRUE(halt.ok()) << halt.status().ToString();
  ASSERT_EQ(halt->squareoff_ids.size(), 1u);
  ASSERT_TRUE(Resume(store_, "cli").ok());

  PreOpen(wed);
  auto orders = Orders();
  ASSERT_EQ(orders.size(), 2u) << "a second sell would leave the position short once both fill";
  EXPECT_EQ(orders[1].request.client_order_id, halt->squareoff_ids[0]);
  EXPECT_TRUE(
      HasNote(day().TakeNotes(), "jump: stop_loss exit of AAA not ordered for 2024-03-06: order " +
                                     halt->squareoff_ids[0] + " is closing it already"));
  EXPECT_EQ(store_.signals().Get(exit.id).value()->status, SignalStatus::kApproved);

  broker_.Execute(halt->squareoff_ids[0], 10, P("158"), 100, S(wed).open.nanos());
  AfterOpen(wed);
  AtClose(wed);
  AfterClose(wed);
  EXPECT_TRUE(store_.ledger().Positions("jump").value().empty());
  PreOpen(thu);  // the position is closed: the exit has nothing left to do
  int sells = 0;
  for (const Order& o : Orders()) sells += o.request.side == Side::kSell;
  EXPECT_EQ(sells, 1);
  EXPECT_EQ(store_.signals().Get(exit.id).value()->status, SignalStatus::kFailed);
}

TEST_F(TradingDayTest, ASessionRunAfterMissedOnesReportsThemAndFailsTheirEntries) {
  Import(Spec());
  const Date fri = D(2024, 3, 1), mon = D(2024, 3, 4), tue = D(2024, 3, 5), wed = D(2024, 3, 6);
  EXPECT_TRUE(MissedSessions(store_, Nyse(), wed).value().empty());  // nothing ran yet
  ASSERT_TRUE(day().RunSession(clock_, fri).ok());
  EXPECT_EQ(MissedSessions(store_, Nyse(), wed).value(), (std::vector<Date>{mon, tue}));
  EXPECT_TRUE(MissedSessions(store_, Nyse(), mon).value().empty());
  EXPECT_TRUE(MissedSessions(store_, Nyse(), fri).value().empty());
  EXPECT_EQ(MissedSessions(store_, Nyse(), D(2024, 3, 2)).status().message(),
            "2024-03-02 is not a NYSE session (weekend)");

  auto r = day().RunSession(clock_, wed);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->skipped, (std::vector<Date>{mon, tue}));
  EXPECT_TRUE(HasNote(r->notes,
                      "skipped 2024-03-04 .. 2024-03-05 (2 sessions) not run since the last "
                      "session run, 2024-03-01"))
      << ::testing::PrintToString(r->notes);
  auto skipped = AuditRows(store_, "session.skipped");
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_EQ(skipped[0].subject, "session:2024-03-06");
  // Friday's entry was for Monday: buying later, at another price, is not what was decided.
  Signal entry = *store_.signals().Get(Signals()[0].id).value();
  EXPECT_EQ(entry.status, SignalStatus::kFailed);
  EXPECT_EQ(entry.note, "not executed: its session 2024-03-04 passed");

  auto next = day().RunSession(clock_, D(2024, 3, 7));
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE(next->skipped.empty());
  EXPECT_EQ(AuditRows(store_, "session.skipped").size(), 1u);
}

TEST_F(TradingDayTest, KeyedMarkersLetOneTradingDayPerExchangeRunOnOneStore) {
  Import(Spec());
  const Date fri = D(2024, 3, 1), mon = D(2024, 3, 4);
  const auto& nse = *calendar::ExchangeCalendar::ForExchange("NSE").value();
  TradingDay nyse_day(store_, broker_, clock_, *bars_, Nyse(), orders_, nullptr,
                      {.markers = MarkersOf(Nyse(), false)});
  TradingDay nse_day(store_, broker_, clock_, *bars_, nse, orders_, nullptr,
                     {.markers = MarkersOf(nse, false)});
  ASSERT_TRUE(nyse_day.RunSession(clock_, fri).ok());
  EXPECT_TRUE(store_.state().Get("run_day.done:NYSE:2024-03-01").value().has_value());
  EXPECT_EQ(store_.state().Get("run_day.last:NYSE").value(), "2024-03-01");
  EXPECT_FALSE(store_.state().Get("run_day.last").value().has_value());
  EXPECT_FALSE(SessionDone(store_, MarkersOf(nse, false), fri).value());
  // NSE's sessions are its own: Thursday 2024-02-29 is not before NYSE's last one for it.
  EXPECT_FALSE(LastSessionRun(store_, MarkersOf(nse, false)).value().has_value());
  clock_.AdvanceTo(nse.SessionOf(mon).value().close.nanos());
  EXPECT_TRUE(nse_day.AfterClose(mon).ok());
  EXPECT_EQ(LastSessionRun(store_, MarkersOf(nse, false)).value(), mon);
  EXPECT_EQ(LastSessionRun(store_, MarkersOf(Nyse(), false)).value(), fri);
  EXPECT_TRUE(MissedSessions(store_, Nyse(), mon, MarkersOf(Nyse(), false)).value().empty());
}

TEST_F(TradingDayTest, KeyedMarkersAdoptTheUnkeyedOnesOnlyWhenAskedTo) {
  ASSERT_TRUE(store_.state().Put("run_day.last", "2024-03-01").ok());
  ASSERT_TRUE(store_.state().Put("run_day.done:2024-03-01", "{}").ok());
  const SessionMarkers adopting = MarkersOf(Nyse(), true);
  EXPECT_EQ(LastSessionRun(store_, adopting).value(), D(2024, 3, 1));
  EXPECT_TRUE(SessionDone(store_, adopting, D(2024, 3, 1)).value());
  EXPECT_FALSE(LastSessionRun(store_, MarkersOf(Nyse(), false)).value().has_value());
  EXPECT_FALSE(SessionDone(store_, MarkersOf(Nyse(), false), D(2024, 3, 1)).value());
  // A run on an adopted home reports the session done and continues after it.
  TradingDay adopted(store_, broker_, clock_, *bars_, Nyse(), orders_, nullptr,
                     {.markers = adopting});
  EXPECT_TRUE(adopted.RunSession(clock_, D(2024, 3, 1)).value().already_done);
  EXPECT_EQ(adopted.RunSession(clock_, D(2024, 2, 29)).status().message(),
            "2024-02-29 is before the last session run (2024-03-01); sessions run in order");
  ASSERT_TRUE(adopted.RunSession(clock_, D(2024, 3, 4)).ok());
  EXPECT_EQ(store_.state().Get("run_day.last:NYSE").value(), "2024-03-04");
  EXPECT_EQ(store_.state().Get("run_day.last").value(), "2024-03-01");  // left as it was
  ASSERT_TRUE(store_.state().Put("run_day.last:NYSE", "garbled").ok());
  EXPECT_EQ(LastSessionRun(store_, adopting).status().message(),
            "state 'run_day.last:NYSE' is not a date: 'garbled'");
}

TEST_F(TradingDayTest, PendingSignalsOfAnotherExchangeAreNotExpiredOnThisCalendar) {
  Import(Spec(Approval::kManual));
  const Date fri = D(2024, 3, 1), mon = D(2024, 3, 4);
  AtClose(fri);
  ASSERT_EQ(Signals().size(), 1u);
  const auto& nse = *calendar::ExchangeCalendar::ForExchange("NSE").value();
  TradingDay nse_day(store_, broker_, clock_, *bars_, nse, orders_, nullptr,
                     {.markers = MarkersOf(nse, false)});
  clock_.AdvanceTo(S(mon).open.nanos() - 2 * 60'000'000'000);  // after the 09:00 cut-off
  EXPECT_EQ(nse_day.ExpireSignals(mon).value(), 0);
  ASSERT_TRUE(nse_day.PreOpen(mon).ok());
  EXPECT_EQ(Signals()[0].status, SignalStatus::kPendingReview);
  EXPECT_EQ(day().ExpireSignals(mon).value(), 1);
  EXPECT_EQ(Signals()[0].status, SignalStatus::kExpired);
  EXPECT_EQ(day().ExpireSignals(mon).value(), 0);  // once
  EXPECT_EQ(day().TakeCounts().expired, 1);
}

TEST_F(TradingDayTest, ScanAndExitStepsAfterAtCloseAddNothing) {
  Import(Spec());
  const Date fri = D(2024, 3, 1);
  AtClose(fri);
  std::string once = Dump(store_);
  ASSERT_NE(once.find("signal "), std::string::npos);
  clock_.AdvanceTo(S(fri).close.nanos() + 20 * 60'000'000'000);
  ASSERT_TRUE(day().ScanEntries(fri, Timeframe::kDaily).ok());
  ASSERT_TRUE(day().ScanEntries(fri, Timeframe::kWeekly).ok());
  ASSERT_TRUE(day().CheckExits(fri).ok());
  EXPECT_EQ(Dump(store_), once);
}

TEST_F(TradingDayTest, TheScanStepScansOnlyItsTimeframe) {
  StrategySpec weekly = Spec();
  weekly.name = "weekly";
  weekly.timeframe = Timeframe::kWeekly;
  Import(weekly);
  const Date fri = D(2024, 3, 1);
  clock_.AdvanceTo(S(fri).close.nanos() + 20 * 60'000'000'000);
  ASSERT_TRUE(day().ScanEntries(fri, Timeframe::kDaily).ok());
  EXPECT_TRUE(Signals().empty());
  ASSERT_TRUE(day().ScanEntries(fri, Timeframe::kWeekly).ok());
  EXPECT_FALSE(Signals().empty());
}

// A reader that answers from the store but shows one more match (BBB, whose close never passes
// 150) and records what the trading day asked: the engine must act on what its reader says.
class RecordingReader final : public MarketReader {
 public:
  RecordingReader(const marketdata::BarStore& bars) : inner_(bars, Nyse()) {}
  Result<ScanResult> ScanAsOf(const ScanRequest& request, std::string_view rule_key) override {
    keys.emplace_back(rule_key);
    KAIROS_ASSIGN_OR_RETURN(ScanResult r, inner_.ScanAsOf(request, rule_key));
    ScanMatch extra;
    extra.date = *request.as_of;
    extra.symbol = "BBB";
    extra.terms.assign(r.terms.size(), 0.0);
    extra.close = 100;
    r.matches.push_back(extra);
    return r;
  }
  Result<std::optional<double>> Close(const std::string& symbol, Date day,
                                      bool at_or_before) override {
    closes.push_back(symbol);
    return inner_.Close(symbol, day, at_or_before);
  }
  void NewPhase() override {
    ++phases;
    inner_.NewPhase();
  }
  std::vector<std::string> keys, closes;
  int phases = 0;

 private:
  StoreMarketReader inner_;
};

TEST_F(TradingDayTest, AnInjectedMarketReaderAnswersTheScansAndCloses) {
  Import(Spec());
  RecordingReader reader(*bars_);
  owned_day_ =
      std::make_unique<TradingDay>(store_, broker_, clock_, *bars_, Nyse(), orders_, &reader);
  const Date fri = D(2024, 3, 1), mon = D(2024, 3, 4);
  AtClose(fri);
  auto signals = Signals();
  ASSERT_EQ(signals.size(), 2u);
  EXPECT_EQ(signals[0].symbol, "AAA");
  EXPECT_EQ(signals[1].symbol, "BBB");  // only the reader said so
  EXPECT_EQ(reader.keys, std::vector<std::string>{"close > 150"});
  AfterClose(fri);
  PreOpen(mon);
  // The entries are sized at the decision close, read through the reader.
  EXPECT_NE(std::find(reader.closes.begin(), reader.closes.end(), "BBB"), reader.closes.end());
  EXPECT_EQ(Orders().size(), 2u);
  EXPECT_EQ(reader.phases, 3);  // AtClose, AfterClose, PreOpen
}

TEST_F(TradingDayTest, AFillRecordedBehindTheKeptReplayIsCountedAtTheEndOfDay) {
  Import(Spec());
  const Date fri = D(2024, 3, 1), mon = D(2024, 3, 4), tue = D(2024, 3, 5), wed = D(2024, 3, 6);
  AtClose(fri);
  AfterClose(fri);
  PreOpen(mon);
  broker_.Execute(Orders()[0].request.client_order_id, 10, P("161"), 0, S(mon).open.nanos());
  AfterOpen(mon);
  AtClose(mon);
  AfterClose(mon);
  PreOpen(tue);
  AfterOpen(tue);
  AtClose(tue);
  AfterClose(tue);  // the trading day now keeps a replay of the 10 shares up to Tuesday
  // Five more shares on Monday, recorded by someone else after Tuesday's end of day.
  Fill late;
  late.execution_id = "late-1";
  late.client_order_id = "elsewhere";
  late.symbol = "AAA";
  late.side = Side::kBuy;
  late.qty = Quantity::FromUnits(5);
  late.price = P("161");
  late.session = mon;
  late.time_ns = S(mon).open.nanos() + 1;
  ASSERT_TRUE(store_.ledger().RecordFill(late, "jump").ok());
  Position pos = store_.ledger().Positions("jump").value().at(0);
  ASSERT_TRUE(ApplyFill(pos, late, Currency::Usd()).ok());
  ASSERT_TRUE(store_.ledger().PutPosition(pos).ok());

  PreOpen(wed);  // Tuesday's stop-out exit is sent, and not filled here
  AfterOpen(wed);
  AtClose(wed);
  AfterClose(wed);  // Corruption if the kept replay (10 shares) were trusted
  auto pnl = store_.ledger().ListDailyPnl("jump", wed, wed).value();
  ASSERT_EQ(pnl.size(), 1u);
  EXPECT_EQ(pnl[0].unrealized, -18'000);  // (149 - 161) x 15
}

}  // namespace
}  // namespace kairos::engine
