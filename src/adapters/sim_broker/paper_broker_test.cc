#include "adapters/sim_broker/paper_broker.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <utility>

namespace kairos::sim_broker {
namespace {

// NYSE in May 2024 (EDT, UTC-4): the open is 13:30 UTC, the close 20:00 UTC.
const Date kD0 = Date::FromYmd(2024, 4, 30);  // Tuesday
const Date kD1 = Date::FromYmd(2024, 5, 1);   // Wednesday
const Date kD2 = Date::FromYmd(2024, 5, 2);   // Thursday

int64_t At(Date d, std::string_view hhmmss) {
  return Timestamp::Parse(fmt::format("{}T{}Z", d, hhmmss)).value().nanos();
}
int64_t OpenOf(Date d) { return At(d, "13:30:00"); }
int64_t CloseOf(Date d) { return At(d, "20:00:00"); }

Price P(std::string_view text) { return Price::Parse(text).value(); }
Quantity Q(int64_t n) { return Quantity::FromUnits(n); }

class FakeBars : public ports::BarSource {
 public:
  void Set(std::string symbol, Bar bar) { bars_[{std::move(symbol), bar.date}] = bar; }
  Result<std::optional<Bar>> BarOn(std::string_view symbol, Date session) override {
    if (fail) return Status::Unavailable("bar store offline");
    auto it = bars_.find({std::string(symbol), session});
    if (it == bars_.end()) return std::optional<Bar>();
    return std::optional<Bar>(it->second);
  }
  bool fail = false;

 private:
  std::map<std::pair<std::string, Date>, Bar> bars_;
};

Bar MakeBar(Date d, double open, double high, double low, double close, double volume = 1e6) {
  return Bar{d, open, high, low, close, volume};
}

OrderRequest Market(std::string id, Side side, int64_t qty, TimeInForce tif, Date session,
                    std::string symbol = "ABC") {
  OrderRequest r;
  r.client_order_id = std::move(id);
  r.symbol = std::move(symbol);
  r.side = side;
  r.qty = Q(qty);
  r.type = OrderType::kMarket;
  r.tif = tif;
  r.session = session;
  return r;
}
OrderRequest Limit(std::string id, Side side, int64_t qty, std::string_view limit, TimeInForce tif,
                   Date session) {
  OrderRequest r = Market(std::move(id), side, qty, tif, session);
  r.type = OrderType::kLimit;
  r.limit_price = P(limit);
  return r;
}
OrderRequest Stop(std::string id, Side side, int64_t qty, std::string_view stop, TimeInForce tif,
                  Date session) {
  OrderRequest r = Market(std::move(id), side, qty, tif, session);
  r.type = OrderType::kStop;
  r.stop_price = P(stop);
  return r;
}

class PaperBrokerTest : public ::testing::Test {
 protected:
  PaperBrokerTest() : clock_(At(kD0, "22:00:00")) {
    calendar_ = calendar::ExchangeCalendar::ForExchange("NYSE").value();
    bars_.Set("ABC", MakeBar(kD0, 99, 100, 98, 99.5));
    bars_.Set("ABC", MakeBar(kD1, 100, 105, 95, 102));
    bars_.Set("ABC", MakeBar(kD2, 103, 106, 101, 104));
  }

  std::unique_ptr<PaperBroker> Make(PaperBroker::Options options = {}) {
    if (options.starting_cash == 0) options.starting_cash = 100'000'00;  // $100,000.00
    options.persist = [this](std::string_view state) {
      ++persist_calls_;
      last_state_ = std::string(state);
      return Status::Ok();
    };
    return std::make_unique<PaperBroker>(clock_, bars_, *calendar_, std::move(options));
  }

  BrokerOrder Order(PaperBroker& b, std::string_view id) {
    auto o = b.OrderByClientId(id);
    if (!o.ok()) {
      ADD_FAILURE() << id << ": " << o.status().ToString();
      return {};
    }
    EXPECT_TRUE(o->has_value()) << id;
    return o->value_or(BrokerOrder{});
  }
  std::vector<Fill> Fills(PaperBroker& b) {
    auto fills = b.FillsSince(0);
    EXPECT_TRUE(fills.ok()) << fills.status().ToString();
    return fills.ok() ? *fills : std::vector<Fill>{};
  }

  ports::ManualClock clock_;
  FakeBars bars_;
  const calendar::ExchangeCalendar* calendar_ = nullptr;
  int persist_calls_ = 0;
  std::string last_state_;
};

TEST_F(PaperBrokerTest, MarketOpgFillsAtTheOpenAndNotBefore) {
  auto b = Make();
  auto accepted = b->Submit(Market("c1", Side::kBuy, 100, TimeInForce::kOpg, kD1));
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  EXPECT_EQ(accepted->status, OrderStatus::kAccepted);
  EXPECT_EQ(accepted->broker_order_id, "paper-1");

  clock_.AdvanceTo(OpenOf(kD1) - 1);  // one nanosecond before the open
  EXPECT_TRUE(Fills(*b).empty());
  EXPECT_EQ(Order(*b, "c1").status, OrderStatus::kAccepted);

  clock_.AdvanceTo(OpenOf(kD1));
  auto fills = Fills(*b);
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].execution_id, "c1-1");
  EXPECT_EQ(fills[0].price, P("100"));
  EXPECT_EQ(fills[0].qty, Q(100));
  EXPECT_EQ(fills[0].time_ns, OpenOf(kD1));
  EXPECT_EQ(fills[0].session, kD1);
  EXPECT_EQ(fills[0].fees, 0);
  BrokerOrder o = Order(*b, "c1");
  EXPECT_EQ(o.status, OrderStatus::kFilled);
  EXPECT_EQ(o.filled_qty, Q(100));
  EXPECT_EQ(o.average_price, P("100"));
  // $100,000.00 - 100 × $100.00.
  EXPECT_EQ(b->GetAccount()->cash, 90'000'00);
  auto positions = b->Positions().value();
  ASSERT_EQ(positions.size(), 1u);
  EXPECT_EQ(positions[0].symbol, "ABC");
  EXPECT_EQ(positions[0].qty, Q(100));
  EXPECT_EQ(positions[0].average_price, P("100"));
}

TEST_F(PaperBrokerTest, MarketDayBeforeTheOpenFillsAtTheOpenDuringTheSessionAtTheClose) {
  auto b = Make();
  ASSERT_TRUE(b->Submit(Market("early", Side::kBuy, 10, TimeInForce::kDay, kD1)).ok());
  clock_.AdvanceTo(At(kD1, "15:00:00"));
  ASSERT_TRUE(b->Submit(Market("late", Side::kBuy, 10, TimeInForce::kDay, kD1)).ok());
  EXPECT_EQ(Order(*b, "early").average_price, P("100"));
  EXPECT_EQ(Order(*b, "late").status, OrderStatus::kAccepted);
  clock_.AdvanceTo(CloseOf(kD1));
  EXPECT_EQ(Order(*b, "late").status, OrderStatus::kFilled);
  EXPECT_EQ(Order(*b, "late").average_price, P("102"));
  auto fills = Fills(*b);
  ASSERT_EQ(fills.size(), 2u);
  EXPECT_EQ(fills[1].time_ns, CloseOf(kD1));
}

TEST_F(PaperBrokerTest, MarketClsFillsAtTheClose) {
  auto b = Make();
  ASSERT_TRUE(b->Submit(Market("c1", Side::kBuy, 10, TimeInForce::kCls, kD1)).ok());
  clock_.AdvanceTo(At(kD1, "19:59:59"));
  EXPECT_TRUE(Fills(*b).empty());
  clock_.AdvanceTo(CloseOf(kD1));
  auto fills = Fills(*b);
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].price, P("102"));
  EXPECT_EQ(fills[0].time_ns, CloseOf(kD1));
}

TEST_F(PaperBrokerTest, LimitOrdersFillAtTheLimitWhenTheBarTradesThrough) {
  auto b = Make();
  // D1: open 100, high 105, low 95. Buy limit 96: open above it, low 95 <= 96 -> at 96.
  ASSERT_TRUE(b->Submit(Limit("buy", Side::kBuy, 10, "96", TimeInForce::kDay, kD1)).ok());
  // Sell limit 104.5: open below it, high 105 >= 104.5 -> at 104.5.
  ASSERT_TRUE(b->Submit(Limit("sell", Side::kSell, 10, "104.5", TimeInForce::kDay, kD1)).ok());
  // Buy limit 94: the low (95) never reached it -> expires at the close.
  ASSERT_TRUE(b->Submit(Limit("miss", Side::kBuy, 10, "94", TimeInForce::kDay, kD1)).ok());
  clock_.AdvanceTo(OpenOf(kD1));
  EXPECT_TRUE(Fills(*b).empty());  // none was through at the open
  clock_.AdvanceTo(CloseOf(kD1));
  EXPECT_EQ(Order(*b, "buy").average_price, P("96"));
  EXPECT_EQ(Order(*b, "sell").average_price, P("104.5"));
  BrokerOrder miss = Order(*b, "miss");
  EXPECT_EQ(miss.status, OrderStatus::kExpired);
  EXPECT_EQ(miss.message, "day order for 2024-05-01 expired at the close unfilled");
  EXPECT_EQ(miss.filled_qty, Q(0));
}

TEST_F(PaperBrokerTest, LimitAndStopOrdersGappingThroughFillAtTheOpen) {
  auto b = Make();
  // Open 100: a buy limit at 101 and a sell limit at 99 are through at the open; a buy stop at
  // 99 and a sell stop at 101 were jumped over by the gap. All fill at the open, 100.
  ASSERT_TRUE(b->Submit(Limit("bl", Side::kBuy, 1, "101", TimeInForce::kDay, kD1)).ok());
  ASSERT_TRUE(b->Submit(Limit("sl", Side::kSell, 1, "99", TimeInForce::kDay, kD1)).ok());
  ASSERT_TRUE(b->Submit(Stop("bs", Side::kBuy, 1, "99", TimeInForce::kDay, kD1)).ok());
  ASSERT_TRUE(b->Submit(Stop("ss", Side::kSell, 1, "101", TimeInForce::kDay, kD1)).ok());
  clock_.AdvanceTo(OpenOf(kD1));
  auto fills = Fills(*b);
  ASSERT_EQ(fills.size(), 4u);
  for (const Fill& f : fills) {
    EXPECT_EQ(f.price, P("100")) << f.client_order_id;
    EXPECT_EQ(f.time_ns, OpenOf(kD1)) << f.client_order_id;
  }
}

TEST_F(PaperBrokerTest, StopsFillAtTheStopWhenTheBarReachesIt) {
  auto b = Make();
  // D1: high 105, low 95, open 100. Buy stop 104 (high >= 104) and sell stop 96 (low <= 96).
  ASSERT_TRUE(b->Submit(Stop("bs", Side::kBuy, 1, "104", TimeInForce::kDay, kD1)).ok());
  ASSERT_TRUE(b->Submit(Stop("ss", Side::kSell, 1, "96", TimeInForce::kDay, kD1)).ok());
  // Buy stop 106: never reached -> expires.
  ASSERT_TRUE(b->Submit(Stop("miss", Side::kBuy, 1, "106", TimeInForce::kDay, kD1)).ok());
  clock_.AdvanceTo(CloseOf(kD1));
  EXPECT_EQ(Order(*b, "bs").average_price, P("104"));
  EXPECT_EQ(Order(*b, "ss").average_price, P("96"));
  EXPECT_EQ(Order(*b, "miss").status, OrderStatus::kExpired);
}

TEST_F(PaperBrokerTest, SlippageAndFeesOnFills) {
  bars_.Set("XYZ", MakeBar(kD0, 150, 151, 149, 150));
  bars_.Set("XYZ", MakeBar(kD1, 150.25, 151, 149, 150.5));
  bars_.Set("XYZ", MakeBar(kD2, 150.25, 151, 149, 150.5));
  PaperBroker::Options options;
  options.starting_cash = 1'000'000'00;
  options.costs = [](const OrderRequest&) {
    return PaperBroker::CostModel{FeeSpec{FeeSpec::Kind::kUsEquity, 0, 0}, 10};
  };
  auto b = Make(options);
  ASSERT_TRUE(b->Submit(Market("buy", Side::kBuy, 1000, TimeInForce::kOpg, kD1, "XYZ")).ok());
  clock_.AdvanceTo(CloseOf(kD1));
  ASSERT_TRUE(b->Submit(Market("sell", Side::kSell, 1000, TimeInForce::kOpg, kD2, "XYZ")).ok());
  clock_.AdvanceTo(OpenOf(kD2));
  auto fills = Fills(*b);
  ASSERT_EQ(fills.size(), 2u);
  // Buy: 150.25 × (1 + 10/10,000) = 150.40025 -> 150.40; us_equity buys are free.
  EXPECT_EQ(fills[0].price, P("150.40"));
  EXPECT_EQ(fills[0].fees, 0);
  // Sell: 150.25 × (1 - 0.001) = 150.09975 -> 150.10. Proceeds $150,100.00;
  // SEC 150,100 × 27.80 / 1e6 = $4.17278 -> $4.18; TAF 1,000 × 0.000166 -> $0.17. Fees $4.35.
  EXPECT_EQ(fills[1].price, P("150.10"));
  EXPECT_EQ(fills[1].fees, 435);
  // 1,000,000.00 - 150,400.00 + 150,100.00 - 4.35 = 999,695.65.
  EXPECT_EQ(b->GetAccount()->cash, 999'695'65);
  EXPECT_TRUE(b->Positions()->empty());
}

TEST_F(PaperBrokerTest, SlippageRoundsHalfEvenToTheCent) {
  bars_.Set("TIE", MakeBar(kD0, 20, 20, 20, 20));
  bars_.Set("TIE", MakeBar(kD1, 20, 20, 20, 20));
  PaperBroker::Options options;
  options.costs = [](const OrderRequest&) { return PaperBroker::CostModel{{}, 2.5}; };
  auto b = Make(options);
  ASSERT_TRUE(b->Submit(Market("c1", Side::kBuy, 1, TimeInForce::kOpg, kD1, "TIE")).ok());
  clock_.AdvanceTo(OpenOf(kD1));
  // 20.00 × 1.00025 = 20.005: a tie, to the even cent 20.00 (half up would give 20.01).
  EXPECT_EQ(Fills(*b).at(0).price, P("20.00"));
}

TEST_F(PaperBrokerTest, MaxParticipationGivesPartialFillsThatSumExactly) {
  bars_.Set("THIN", MakeBar(kD0, 10, 10, 10, 10, 600));
  bars_.Set("THIN", MakeBar(kD1, 10, 11, 9, 10.5, 600));
  bars_.Set("THIN", MakeBar(kD2, 11, 12, 10, 11.5, 650));
  PaperBroker::Options options;
  options.max_participation = 0.1;  // 60 shares on D1, 65 on D2
  auto b = Make(options);
  auto day = Market("day", Side::kBuy, 100, TimeInForce::kDay, kD1, "THIN");
  auto opg = Market("opg", Side::kBuy, 100, TimeInForce::kOpg, kD1, "THIN");
  auto gtc = Market("gtc", Side::kBuy, 100, TimeInForce::kGtc, kD1, "THIN");
  ASSERT_TRUE(b->Submit(day).ok());
  ASSERT_TRUE(b->Submit(opg).ok());
  ASSERT_TRUE(b->Submit(gtc).ok());
  clock_.AdvanceTo(OpenOf(kD1));
  BrokerOrder o = Order(*b, "opg");
  EXPECT_EQ(o.status, OrderStatus::kExpired);
  EXPECT_EQ(o.filled_qty, Q(60));
  EXPECT_EQ(o.message, "opg order for 2024-05-01 expired at the open: 60 of 100 filled");
  EXPECT_EQ(Order(*b, "day").status, OrderStatus::kPartiallyFilled);
  clock_.AdvanceTo(CloseOf(kD1));
  o = Order(*b, "day");
  EXPECT_EQ(o.status, OrderStatus::kExpired);
  EXPECT_EQ(o.filled_qty, Q(60));
  EXPECT_EQ(o.message, "day order for 2024-05-01 expired at the close: 60 of 100 filled");
  EXPECT_EQ(Order(*b, "gtc").status, OrderStatus::kPartiallyFilled);
  clock_.AdvanceTo(OpenOf(kD2));
  o = Order(*b, "gtc");
  EXPECT_EQ(o.status, OrderStatus::kFilled);
  EXPECT_EQ(o.filled_qty, Q(100));
  // 60 at 10.00 and 40 at 11.00: average 10.40.
  EXPECT_EQ(o.average_price, P("10.40"));
  int64_t sum = 0;
  std::vector<std::string> ids;
  for (const Fill& f : Fills(*b)) {
    if (f.client_order_id == "gtc") {
      sum += f.qty.units();
      ids.push_back(f.execution_id);
    }
  }
  EXPECT_EQ(sum, 100);
  EXPECT_EQ(ids, (std::vector<std::string>{"gtc-1", "gtc-2"}));
  // Position = sum of all fills: 60 (opg) + 60 (day) + 100 (gtc).
  EXPECT_EQ(b->Positions()->at(0).qty, Q(220));
}

TEST_F(PaperBrokerTest, DuplicateClientIdReturnsTheSameOrder) {
  auto b = Make();
  auto first = b->Submit(Market("c1", Side::kBuy, 10, TimeInForce::kOpg, kD1));
  auto again = b->Submit(Market("c1", Side::kBuy, 999, TimeInForce::kDay, kD1));
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(again->broker_order_id, first->broker_order_id);
  EXPECT_EQ(b->OpenOrders()->size(), 1u);
  clock_.AdvanceTo(OpenOf(kD1));
  auto fills = Fills(*b);
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].qty, Q(10));
  // After the fill, the same id answers with the filled order.
  auto later = b->Submit(Market("c1", Side::kBuy, 10, TimeInForce::kOpg, kD2));
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->status, OrderStatus::kFilled);
  EXPECT_EQ(Fills(*b).size(), 1u);
}

TEST_F(PaperBrokerTest, CancellingAnUnknownOrderIsNotFound) {
  auto b = Make();
  Status unknown = b->Cancel("nope");
  EXPECT_EQ(unknown.code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown.message(), "paper broker: no order with client order id 'nope'");
}

TEST_F(PaperBrokerTest, ACancelledOrderLeavesTheBookAndCannotBeCancelledTwice) {
  auto b = Make();
  ASSERT_TRUE(b->Submit(Limit("lim", Side::kBuy, 10, "90", TimeInForce::kGtc, kD1)).ok());
  ASSERT_TRUE(b->Cancel("lim").ok());
  BrokerOrder o = Order(*b, "lim");
  EXPECT_EQ(o.status, OrderStatus::kCancelled);
  EXPECT_EQ(o.message, "cancelled by the client");
  EXPECT_TRUE(b->OpenOrders()->empty());
  Status twice = b->Cancel("lim");
  EXPECT_EQ(twice.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(twice.message(), "paper broker: order 'lim' is already cancelled");
}

TEST_F(PaperBrokerTest, ACancelledOrderNeverFillsEvenWhenItsLimitIsReached) {
  auto b = Make();
  // D1's low (95) reaches a buy limit at 96: uncancelled, it fills on D1.
  ASSERT_TRUE(b->Submit(Limit("lim", Side::kBuy, 10, "96", TimeInForce::kGtc, kD1)).ok());
  ASSERT_TRUE(b->Cancel("lim").ok());
  clock_.AdvanceTo(CloseOf(kD2));
  EXPECT_TRUE(Fills(*b).empty());
  EXPECT_EQ(Order(*b, "lim").status, OrderStatus::kCancelled);
}

TEST_F(PaperBrokerTest, CancellingAFilledOrderIsRefused) {
  auto b = Make();
  ASSERT_TRUE(b->Submit(Market("mkt", Side::kBuy, 10, TimeInForce::kOpg, kD1)).ok());
  clock_.AdvanceTo(OpenOf(kD1));
  Status filled = b->Cancel("mkt");
  EXPECT_EQ(filled.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(filled.message(), "paper broker: order 'mkt' is already filled");
  EXPECT_EQ(Order(*b, "mkt").status, OrderStatus::kFilled);
}

TEST_F(PaperBrokerTest, DayOrdersExpireAtTheCloseGtcOrdersStay) {
  auto b = Make();
  ASSERT_TRUE(b->Submit(Limit("day", Side::kBuy, 10, "90", TimeInForce::kDay, kD1)).ok());
  ASSERT_TRUE(b->Submit(Limit("gtc", Side::kBuy, 10, "96", TimeInForce::kGtc, kD1)).ok());
  clock_.AdvanceTo(At(kD1, "19:59:59"));
  EXPECT_EQ(b->OpenOrders()->size(), 2u);
  clock_.AdvanceTo(CloseOf(kD1));
  EXPECT_EQ(Order(*b, "day").status, OrderStatus::kExpired);
  // The gtc buy at 96 was not through at the open (100) but the low (95) reached it.
  EXPECT_EQ(Order(*b, "gtc").status, OrderStatus::kFilled);
  EXPECT_EQ(Order(*b, "gtc").average_price, P("96"));

  ASSERT_TRUE(b->Submit(Limit("gtc2", Side::kBuy, 10, "90", TimeInForce::kGtc, kD2)).ok());
  clock_.AdvanceTo(CloseOf(kD2));
  BrokerOrder o = Order(*b, "gtc2");
  EXPECT_EQ(o.status, OrderStatus::kAccepted);  // not reached, still working
  EXPECT_EQ(b->OpenOrders()->size(), 1u);
}

TEST_F(PaperBrokerTest, NoBarOnTheSessionExpiresTheOrder) {
  bars_.Set("HALT", MakeBar(kD0, 5, 5, 5, 5));  // known, but no bar on D1
  auto b = Make();
  ASSERT_TRUE(b->Submit(Market("c1", Side::kBuy, 10, TimeInForce::kDay, kD1, "HALT")).ok());
  clock_.AdvanceTo(OpenOf(kD1));
  EXPECT_EQ(Order(*b, "c1").status, OrderStatus::kAccepted);
  clock_.AdvanceTo(CloseOf(kD1));
  BrokerOrder o = Order(*b, "c1");
  EXPECT_EQ(o.status, OrderStatus::kExpired);
  EXPECT_EQ(o.message, "no bar for HALT on 2024-05-01");
  EXPECT_TRUE(Fills(*b).empty());
}

TEST_F(PaperBrokerTest, RejectsBadOrdersWithAReasonAndChangesNothingElse) {
  auto b = Make();
  auto expect_rejected = [&](OrderRequest r, std::string_view message) {
    auto o = b->Submit(r);
    ASSERT_TRUE(o.ok()) << o.status().ToString();
    EXPECT_EQ(o->status, OrderStatus::kRejected) << r.client_order_id;
    EXPECT_EQ(o->message, message);
    // Stored like a real broker would: the id answers with the rejection.
    EXPECT_EQ(Order(*b, r.client_order_id).status, OrderStatus::kRejected);
  };
  expect_rejected(Market("q0", Side::kBuy, 0, TimeInForce::kDay, kD1),
                  "quantity must be positive, got 0");
  OrderRequest no_limit = Market("nolimit", Side::kBuy, 1, TimeInForce::kDay, kD1);
  no_limit.type = OrderType::kLimit;
  expect_rejected(no_limit, "limit order without a limit price");
  OrderRequest no_stop = Market("nostop", Side::kSell, 1, TimeInForce::kDay, kD1);
  no_stop.type = OrderType::kStop;
  expect_rejected(no_stop, "stop order without a stop price");
  expect_rejected(Market("sat", Side::kBuy, 1, TimeInForce::kDay, Date::FromYmd(2024, 5, 4)),
                  "2024-05-04 is not a NYSE session (weekend)");
  expect_rejected(Market("past", Side::kBuy, 1, TimeInForce::kDay, kD0),
                  "order for 2024-04-30 arrives after that session's close");
  expect_rejected(Market("unknown", Side::kBuy, 1, TimeInForce::kDay, kD1, "NOPE"),
                  "unknown symbol NOPE: no bar on 2024-05-01 or the 5 sessions before");
  clock_.AdvanceTo(At(kD1, "14:00:00"));
  expect_rejected(Market("lateopg", Side::kBuy, 1, TimeInForce::kOpg, kD1),
                  "opg order for 2024-05-01 arrives after that session's open");

  // Malformed requests are refused outright and nothing is stored.
  auto empty = b->Submit(Market("", Side::kBuy, 1, TimeInForce::kDay, kD1));
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(empty.status().message(), "paper broker: the order has no client order id");
  auto nosym = b->Submit(Market("nosym", Side::kBuy, 1, TimeInForce::kDay, kD1, ""));
  EXPECT_EQ(nosym.status().message(), "paper broker: order 'nosym' has no symbol");
  EXPECT_FALSE(b->OrderByClientId("nosym")->has_value());

  clock_.AdvanceTo(CloseOf(kD2));
  EXPECT_TRUE(Fills(*b).empty());
  EXPECT_TRUE(b->OpenOrders()->empty());
  EXPECT_EQ(b->GetAccount()->cash, 100'000'00);
}

TEST_F(PaperBrokerTest, RejectsAFeePresetInTheWrongCurrency) {
  PaperBroker::Options options;
  options.costs = [](const OrderRequest&) {
    return PaperBroker::CostModel{FeeSpec{FeeSpec::Kind::kIndiaDelivery, 0, 0}, 0};
  };
  auto b = Make(options);
  auto o = b->Submit(Market("c1", Side::kBuy, 1, TimeInForce::kDay, kD1));
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->status, OrderStatus::kRejected);
  EXPECT_EQ(o->message, "fees: india_delivery charges are in INR, not USD");
}

TEST_F(PaperBrokerTest, AFailedSubmitIsUnavailableAndPlacesNoOrder) {
  auto b = Make();
  b->InjectFault(PaperBroker::Fault::kFailNextSubmit);
  auto failed = b->Submit(Market("f1", Side::kBuy, 10, TimeInForce::kOpg, kD1));
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(failed.status().message(), "paper broker: connection refused (injected)");
  EXPECT_FALSE(b->OrderByClientId("f1")->has_value());
  EXPECT_TRUE(b->OpenOrders()->empty());
}

TEST_F(PaperBrokerTest, ADroppedSubmitAnswerStillPlacesTheOrderOnce) {
  auto b = Make();
  b->InjectFault(PaperBroker::Fault::kDropNextSubmitAnswer);
  auto dropped = b->Submit(Market("d1", Side::kBuy, 10, TimeInForce::kOpg, kD1));
  EXPECT_EQ(dropped.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(dropped.status().message(), "paper broker: connection reset (injected)");
  // The order did arrive: asking for it, or sending it again under the same id, finds one order.
  EXPECT_EQ(Order(*b, "d1").status, OrderStatus::kAccepted);
  auto resent = b->Submit(Market("d1", Side::kBuy, 10, TimeInForce::kOpg, kD1));
  ASSERT_TRUE(resent.ok());
  EXPECT_EQ(resent->broker_order_id, "paper-1");
  EXPECT_EQ(b->OpenOrders()->size(), 1u);
  clock_.AdvanceTo(OpenOf(kD1));
  EXPECT_EQ(Fills(*b).size(), 1u);
}

TEST_F(PaperBrokerTest, BarSourceErrorsAreReturnedAndRetried) {
  auto b = Make();
  ASSERT_TRUE(b->Submit(Market("c1", Side::kBuy, 10, TimeInForce::kOpg, kD1)).ok());
  bars_.fail = true;
  clock_.AdvanceTo(OpenOf(kD1));
  auto failed = b->FillsSince(0);
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  bars_.fail = false;
  auto fills = Fills(*b);
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].time_ns, OpenOf(kD1));
}

TEST_F(PaperBrokerTest, FillsSinceFiltersByTime) {
  auto b = Make();
  ASSERT_TRUE(b->Submit(Market("o", Side::kBuy, 1, TimeInForce::kOpg, kD1)).ok());
  ASSERT_TRUE(b->Submit(Market("c", Side::kBuy, 1, TimeInForce::kCls, kD1)).ok());
  clock_.AdvanceTo(CloseOf(kD1));
  EXPECT_EQ(b->FillsSince(OpenOf(kD1))->size(), 2u);
  auto late = b->FillsSince(OpenOf(kD1) + 1).value();
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].client_order_id, "c");
  EXPECT_TRUE(b->FillsSince(CloseOf(kD1) + 1)->empty());
}

TEST_F(PaperBrokerTest, AccountMarksPositionsAtTheLastClose) {
  auto b = Make();
  ASSERT_TRUE(b->Submit(Market("c1", Side::kBuy, 100, TimeInForce::kOpg, kD1)).ok());
  clock_.AdvanceTo(At(kD1, "15:00:00"));
  // During D1 the last close is D0's (99.50): 90,000.00 + 100 × 99.50.
  Account a = b->GetAccount().value();
  EXPECT_EQ(a.currency, "USD");
  EXPECT_EQ(a.cash, 90'000'00);
  EXPECT_EQ(a.equity, 90'000'00 + 9'950'00);
  clock_.AdvanceTo(CloseOf(kD1));
  EXPECT_EQ(b->GetAccount()->equity, 90'000'00 + 10'200'00);  // D1 close 102
}

TEST_F(PaperBrokerTest, PersistRestoreBehavesIdentically) {
  auto a = Make();
  ASSERT_TRUE(a->Submit(Market("m", Side::kBuy, 10, TimeInForce::kOpg, kD1)).ok());
  int after_submit = persist_calls_;
  EXPECT_GE(after_submit, 1);
  ASSERT_TRUE(a->Submit(Limit("g", Side::kBuy, 5, "96", TimeInForce::kGtc, kD1)).ok());
  ASSERT_TRUE(a->Submit(Stop("s", Side::kSell, 5, "100.5", TimeInForce::kGtc, kD2)).ok());
  clock_.AdvanceTo(OpenOf(kD1));
  ASSERT_EQ(Fills(*a).size(), 1u);
  EXPECT_GT(persist_calls_, after_submit + 2);  // the open's fill was persisted too
  EXPECT_EQ(last_state_, a->StateJson());

  auto b = PaperBroker::Restore(last_state_, clock_, bars_, *calendar_, {});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ((*b)->StateJson(), last_state_);

  // The same calls from here on give the same answers and the same state.
  for (PaperBroker* broker : {a.get(), b->get()}) {
    auto dup = broker->Submit(Market("m", Side::kBuy, 10, TimeInForce::kOpg, kD1));
    ASSERT_TRUE(dup.ok());
    EXPECT_EQ(dup->status, OrderStatus::kFilled);
  }
  clock_.AdvanceTo(CloseOf(kD2));
  auto fa = Fills(*a);
  auto fb = Fills(**b);
  ASSERT_EQ(fa.size(), fb.size());
  ASSERT_EQ(fa.size(), 2u);  // the gtc limit at D1's close; the sell stop at 100.5 not reached
  for (size_t i = 0; i < fa.size(); ++i) {
    EXPECT_EQ(fa[i].execution_id, fb[i].execution_id);
    EXPECT_EQ(fa[i].price, fb[i].price);
    EXPECT_EQ(fa[i].time_ns, fb[i].time_ns);
  }
  EXPECT_EQ(a->StateJson(), (*b)->StateJson());
  EXPECT_EQ(a->GetAccount()->cash, (*b)->GetAccount()->cash);

  auto bad = PaperBroker::Restore("{\"format\": 1}", clock_, bars_, *calendar_, {});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(PaperBrokerTest, RejectsANegativeLimitPrice) {
  auto b = Make();
  auto o = b->Submit(Limit("neg", Side::kBuy, 1, "-1", TimeInForce::kDay, kD1));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->status, OrderStatus::kRejected);
  EXPECT_EQ(o->message, "limit price must be positive, got -1.00");
}

TEST_F(PaperBrokerTest, RejectsAStopOrderOnTheClose) {
  auto b = Make();
  auto o = b->Submit(Stop("stopcls", Side::kSell, 1, "90", TimeInForce::kCls, kD1));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->status, OrderStatus::kRejected);
  EXPECT_EQ(o->message, "a stop order cannot be market-on-close (tif cls)");
}

TEST_F(PaperBrokerTest, RejectsSlippageOutsideItsRange) {
  PaperBroker::Options options;
  options.costs = [](const OrderRequest&) { return PaperBroker::CostModel{{}, -1}; };
  auto b = Make(options);
  auto o = b->Submit(Market("slip", Side::kBuy, 1, TimeInForce::kDay, kD1));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->status, OrderStatus::kRejected);
  EXPECT_EQ(o->message, "slippage must be between 0 and 10000 bps, got -1");
}

TEST_F(PaperBrokerTest, OpgWithoutABarExpiresAtTheOpen) {
  bars_.Set("HALT", MakeBar(kD0, 5, 5, 5, 5));
  auto b = Make();
  ASSERT_TRUE(b->Submit(Market("c1", Side::kBuy, 10, TimeInForce::kOpg, kD1, "HALT")).ok());
  clock_.AdvanceTo(OpenOf(kD1));
  BrokerOrder o = Order(*b, "c1");
  EXPECT_EQ(o.status, OrderStatus::kExpired);
  EXPECT_EQ(o.message, "no bar for HALT on 2024-05-01");
}

TEST_F(PaperBrokerTest, CostModelIsFixedWhenTheOrderIsSubmitted) {
  double bps = 0;
  PaperBroker::Options options;
  options.costs = [&bps](const OrderRequest&) { return PaperBroker::CostModel{{}, bps}; };
  auto b = Make(options);
  ASSERT_TRUE(b->Submit(Market("c1", Side::kBuy, 1, TimeInForce::kOpg, kD1)).ok());
  bps = 100;  // a later change of the strategy does not reprice an order already sent
  clock_.AdvanceTo(OpenOf(kD1));
  EXPECT_EQ(Fills(*b).at(0).price, P("100"));
}

TEST_F(PaperBrokerTest, ShortSellAndCoverKeepSignedPositions) {
  auto b = Make();
  ASSERT_TRUE(b->Submit(Market("s", Side::kSell, 10, TimeInForce::kOpg, kD1)).ok());
  clock_.AdvanceTo(CloseOf(kD1));
  auto pos = b->Positions().value();
  ASSERT_EQ(pos.size(), 1u);
  EXPECT_EQ(pos[0].qty, Q(-10));
  EXPECT_EQ(pos[0].average_price, P("100"));
  // Buying 15 at D2's open (103) covers the 10 and opens a 5-share long at 103.
  ASSERT_TRUE(b->Submit(Market("b", Side::kBuy, 15, TimeInForce::kOpg, kD2)).ok());
  clock_.AdvanceTo(OpenOf(kD2));
  pos = b->Positions().value();
  ASSERT_EQ(pos.size(), 1u);
  EXPECT_EQ(pos[0].qty, Q(5));
  EXPECT_EQ(pos[0].average_price, P("103"));
  // Cash: 100,000.00 + 10 × 100 - 15 × 103 = 99,455.00.
  EXPECT_EQ(b->GetAccount()->cash, 99'455'00);
}

TEST_F(PaperBrokerTest, PersistErrorsReachTheCaller) {
  PaperBroker::Options options;
  options.starting_cash = 1;
  auto b = std::make_unique<PaperBroker>(clock_, bars_, *calendar_, options);
  PaperBroker::Options failing;
  failing.persist = [](std::string_view) { return Status::IOError("disk full"); };
  auto c = std::make_unique<PaperBroker>(clock_, bars_, *calendar_, failing);
  auto o = c->Submit(Market("c1", Side::kBuy, 1, TimeInForce::kOpg, kD1));
  EXPECT_EQ(o.status(), Status::IOError("disk full"));
  // Without a persist callback nothing is written and the call succeeds.
  EXPECT_TRUE(b->Submit(Market("c1", Side::kBuy, 1, TimeInForce::kOpg, kD1)).ok());
}

TEST_F(PaperBrokerTest, GtcWaitsThroughASessionWithoutABar) {
  bars_.Set("GAP", MakeBar(kD0, 5, 5, 5, 5));
  bars_.Set("GAP", MakeBar(kD2, 6, 7, 5.5, 6.5));  // no bar on D1
  auto b = Make();
  ASSERT_TRUE(b->Submit(Market("g", Side::kBuy, 10, TimeInForce::kGtc, kD1, "GAP")).ok());
  clock_.AdvanceTo(CloseOf(kD1));
  EXPECT_EQ(Order(*b, "g").status, OrderStatus::kAccepted);
  clock_.AdvanceTo(OpenOf(kD2));
  EXPECT_EQ(Order(*b, "g").average_price, P("6"));
}

TEST_F(PaperBrokerTest, LimitOnCloseAndStopLimitOrders) {
  auto b = Make();
  // D1 close 102: a cls buy limit at 103 fills at the close; one at 101 expires.
  ASSERT_TRUE(b->Submit(Limit("loc", Side::kBuy, 1, "103", TimeInForce::kCls, kD1)).ok());
  ASSERT_TRUE(b->Submit(Limit("locmiss", Side::kBuy, 1, "101", TimeInForce::kCls, kD1)).ok());
  // Buy stop-limit stop 104 / limit 104.5: the high (105) triggers it, the low allows 104.5.
  OrderRequest sl = Stop("sl", Side::kBuy, 1, "104", TimeInForce::kDay, kD1);
  sl.type = OrderType::kStopLimit;
  sl.limit_price = P("104.5");
  ASSERT_TRUE(b->Submit(sl).ok());
  // D2 (low 101): a sell stop-limit 101 / 100.5 triggers and fills at its limit (the
  // conservative price); one with stop 100 is never triggered and expires.
  OrderRequest ssl = Stop("ssl", Side::kSell, 1, "101", TimeInForce::kDay, kD2);
  ssl.type = OrderType::kStopLimit;
  ssl.limit_price = P("100.5");
  ASSERT_TRUE(b->Submit(ssl).ok());
  OrderRequest sslmiss = Stop("sslmiss", Side::kSell, 1, "100", TimeInForce::kDay, kD2);
  sslmiss.type = OrderType::kStopLimit;
  sslmiss.limit_price = P("99.5");
  ASSERT_TRUE(b->Submit(sslmiss).ok());
  clock_.AdvanceTo(CloseOf(kD1));
  EXPECT_EQ(Order(*b, "loc").average_price, P("102"));
  EXPECT_EQ(Fills(*b).at(0).time_ns, CloseOf(kD1));
  EXPECT_EQ(Order(*b, "locmiss").status, OrderStatus::kExpired);
  EXPECT_EQ(Order(*b, "sl").average_price, P("104.5"));
  clock_.AdvanceTo(CloseOf(kD2));
  EXPECT_EQ(Order(*b, "ssl").average_price, P("100.5"));
  EXPECT_EQ(Order(*b, "sslmiss").status, OrderStatus::kExpired);
}

// NSE: Asia/Kolkata (UTC+5:30), 09:15-15:30 local = 03:45-10:00 UTC. 2024-05-01 is an NSE
// holiday (Maharashtra Day); 2024-05-02 is a session.
TEST(PaperBrokerNse, FillsAtTheLocalOpenWithIndianFees) {
  const auto* nse = calendar::ExchangeCalendar::ForExchange("NSE").value();
  const Date d0 = Date::FromYmd(2024, 4, 30);
  const Date d1 = Date::FromYmd(2024, 5, 2);
  ports::ManualClock clock(At(d0, "12:00:00"));
  FakeBars bars;
  bars.Set("RELIANCE", MakeBar(d0, 2900, 2950, 2890, 2940));
  bars.Set("RELIANCE", MakeBar(d1, 2950.50, 2990, 2940, 2980));
  PaperBroker::Options options;
  options.currency = "INR";
  options.starting_cash = 10'00'000'00;  // ₹10,00,000.00
  options.costs = [](const OrderRequest&) {
    return PaperBroker::CostModel{FeeSpec{FeeSpec::Kind::kIndiaDelivery, 0, 0}, 0};
  };
  PaperBroker b(clock, bars, *nse, options);
  auto holiday = b.Submit(
      Market("h", Side::kBuy, 1, TimeInForce::kOpg, Date::FromYmd(2024, 5, 1), "RELIANCE"));
  ASSERT_TRUE(holiday.ok());
  EXPECT_EQ(holiday->message, "2024-05-01 is not a NSE session (Maharashtra Day)");
  ASSERT_TRUE(b.Submit(Market("c1", Side::kBuy, 100, TimeInForce::kOpg, d1, "RELIANCE")).ok());
  clock.AdvanceTo(At(d1, "03:44:59"));
  EXPECT_TRUE(b.FillsSince(0)->empty());
  clock.AdvanceTo(At(d1, "03:45:00"));
  auto fills = b.FillsSince(0).value();
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].time_ns, At(d1, "03:45:00"));
  EXPECT_EQ(fills[0].price, P("2950.50"));
  // Delivery buy of 100 at ₹2,950.50: ₹349.95 of charges (fees_test.cc shows the arithmetic).
  EXPECT_EQ(fills[0].fees, 34995);
  // ₹10,00,000.00 - ₹2,95,050.00 - ₹349.95 = ₹7,04,600.05.
  EXPECT_EQ(b.GetAccount()->cash, 7'04'600'05);
  EXPECT_EQ(b.GetAccount()->currency, "INR");
}

}  // namespace
}  // namespace kairos::sim_broker
