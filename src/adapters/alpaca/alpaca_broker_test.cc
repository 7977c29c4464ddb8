#include "adapters/alpaca/alpaca_broker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "adapters/alpaca/testing/alpaca_standin.h"
#include "adapters/http_client/curl_transport.h"

namespace kairos::alpaca {
namespace {

using nlohmann::json;
using testing::AlpacaStandin;

OrderRequest Market(std::string id, std::string symbol = "AAPL", int64_t qty = 10,
                    Side side = Side::kBuy) {
  OrderRequest r;
  r.client_order_id = std::move(id);
  r.symbol = std::move(symbol);
  r.side = side;
  r.qty = Quantity::FromUnits(qty);
  r.type = OrderType::kMarket;
  r.tif = TimeInForce::kDay;
  return r;
}

OrderRequest Limit(std::string id, std::string_view price, TimeInForce tif = TimeInForce::kDay) {
  OrderRequest r = Market(std::move(id));
  r.type = OrderType::kLimit;
  r.tif = tif;
  r.limit_price = *Price::Parse(price);
  return r;
}

class AlpacaBrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(standin_.ok()) << standin_.error();
    broker_ = Make(standin_.Config());
  }
  std::unique_ptr<AlpacaBroker> Make(AlpacaConfig config) {
    return std::make_unique<AlpacaBroker>(std::move(config), http::MakeCurlTransport(),
                                          [this](std::chrono::nanoseconds d) {
                                            slept_ += d;
                                            std::this_thread::sleep_for(d);
                                          });
  }
  void Fault(json rule) { ASSERT_FALSE(standin_.Control("fault", rule).is_null()); }
  void Configure(json config) { ASSERT_FALSE(standin_.Control("config", config).is_null()); }
  // The orders the stand-in holds under `client_id` (the count a trader cares about).
  int OrdersWithId(std::string_view client_id) {
    int n = 0;
    for (const json& o : standin_.Orders()) n += o["client_order_id"] == client_id ? 1 : 0;
    return n;
  }

  AlpacaStandin standin_;
  std::unique_ptr<AlpacaBroker> broker_;
  std::chrono::nanoseconds slept_{0};
};

TEST_F(AlpacaBrokerTest, MarketOrderFillsAndShowsInFillsPositionsAndAccount) {
  auto placed = broker_->Submit(Market("s1-20260105-1", "AAPL", 10));
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  EXPECT_EQ(placed->client_order_id, "s1-20260105-1");
  EXPECT_FALSE(placed->broker_order_id.empty());
  EXPECT_EQ(placed->status, OrderStatus::kFilled);
  EXPECT_EQ(placed->filled_qty.units(), 10);
  ASSERT_TRUE(placed->average_price);
  EXPECT_EQ(placed->average_price->ToString(), "100.00");

  auto fills = broker_->FillsSince(0);
  ASSERT_TRUE(fills.ok()) << fills.status().ToString();
  ASSERT_EQ(fills->size(), 1u);
  EXPECT_EQ((*fills)[0].client_order_id, "s1-20260105-1");
  EXPECT_EQ((*fills)[0].qty.units(), 10);
  EXPECT_FALSE((*fills)[0].execution_id.empty());

  auto positions = broker_->Positions();
  ASSERT_TRUE(positions.ok());
  ASSERT_EQ(positions->size(), 1u);
  EXPECT_EQ((*positions)[0].symbol, "AAPL");
  EXPECT_EQ((*positions)[0].qty.units(), 10);

  auto account = broker_->AccountDetails();
  ASSERT_TRUE(account.ok()) << account.status().ToString();
  EXPECT_EQ(account->currency, "USD");
  EXPECT_EQ(account->cash, 9'900'000);  // 100,000.00 - 1,000.00 in cents
  EXPECT_EQ(account->buying_power, 9'900'000);
  EXPECT_EQ(account->status, "ACTIVE");
}

TEST_F(AlpacaBrokerTest, LimitPriceIsRoundedToTheTickAndTimeInForceMapped) {
  auto opg = broker_->Submit(Limit("opg-1", "150.019", TimeInForce::kOpg));
  ASSERT_TRUE(opg.ok()) << opg.status().ToString();
  auto cls = broker_->Submit(Limit("cls-1", "0.50005", TimeInForce::kCls));
  ASSERT_TRUE(cls.ok()) << cls.status().ToString();
  EXPECT_EQ(opg->status, OrderStatus::kAccepted);  // waits for the auction
  json orders = standin_.Orders();
  ASSERT_EQ(orders.size(), 2u);
  for (const json& o : orders) {
    if (o["client_order_id"] == "opg-1") {
      EXPECT_EQ(o["time_in_force"], "opg");
      EXPECT_EQ(o["limit_price"], "150.01");  // a buy rounds down, to the cent above $1
    } else {
      EXPECT_EQ(o["time_in_force"], "cls");
      EXPECT_EQ(o["limit_price"], "0.5");  // $0.0001 below $1
    }
    EXPECT_EQ(o["qty"], "10");
  }
}

TEST_F(AlpacaBrokerTest, StopOrdersAreRefusedBeforeSending) {
  OrderRequest stop = Market("stop-1");
  stop.type = OrderType::kStop;
  auto r = broker_->Submit(stop);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(standin_.Control("orders")["requests"], 0);
}

TEST_F(AlpacaBrokerTest, SubmitWithAKnownClientIdIsAQueryNotASecondOrder) {
  auto first = broker_->Submit(Market("dup-1"));
  ASSERT_TRUE(first.ok());
  auto again = broker_->Submit(Market("dup-1"));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->broker_order_id, first->broker_order_id);
  EXPECT_EQ(OrdersWithId("dup-1"), 1);
  EXPECT_EQ(standin_.Control("orders")["order_posts"], 1);
}

TEST_F(AlpacaBrokerTest, ConnectionDroppedAfterAcceptIsResolvedToTheOneOrder) {
  Fault({{"kind", "drop_after_accept"}});
  auto r = broker_->Submit(Market("drop-1"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, OrderStatus::kFilled);
  EXPECT_EQ(OrdersWithId("drop-1"), 1);
}

TEST_F(AlpacaBrokerTest, AnOrderWhoseAnswerIsLostIsPostedOnceOnAKeptAliveConnection) {
  ASSERT_TRUE(broker_->GetAccount().ok());  // a connection to reuse
  Fault({{"kind", "drop_after_accept"}});
  ASSERT_TRUE(broker_->Submit(Market("once-1")).ok());
  // The account, the POST, the lookup: no POST sent again by the transport on its own.
  EXPECT_EQ(standin_.Control("orders")["requests"], 3);
}

TEST_F(AlpacaBrokerTest, ServerErrorAfterAcceptIsResolvedNotResent) {
  Fault({{"kind", "5xx"}, {"code", 503}, {"accept", true}});
  auto r = broker_->Submit(Market("5xx-1"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(OrdersWithId("5xx-1"), 1);
  EXPECT_EQ(standin_.Control("orders")["order_posts"], 1);
}

TEST_F(AlpacaBrokerTest, ServerErrorBeforeAcceptSendsAgainUnderTheSameId) {
  Fault({{"kind", "5xx"}, {"code", 500}, {"accept", false}});
  auto r = broker_->Submit(Market("5xx-2"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->client_order_id, "5xx-2");
  EXPECT_EQ(OrdersWithId("5xx-2"), 1);
  EXPECT_EQ(standin_.Orders().size(), 1u);  // no order under any other id
}

TEST_F(AlpacaBrokerTest, AnHtmlErrorPageIsNoAnswerNeverSuccess) {
  Fault({{"kind", "html"}, {"status", 200}, {"accept", true}});
  auto r = broker_->Submit(Market("html-1"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, OrderStatus::kFilled);  // read back from the broker, not the page
  EXPECT_EQ(OrdersWithId("html-1"), 1);
}

TEST_F(AlpacaBrokerTest, TruncatedJsonIsNoAnswerAndResolved) {
  Fault({{"kind", "truncated"}});
  auto r = broker_->Submit(Market("cut-1"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(OrdersWithId("cut-1"), 1);
}

TEST_F(AlpacaBrokerTest, ATimeoutWhileTheOrderLandsLateLeavesOneOrder) {
  AlpacaConfig quick = standin_.Config();
  quick.request_timeout_ms = 300;
  broker_ = Make(quick);
  Fault({{"kind", "latency"}, {"ms", 600}});
  auto r = broker_->Submit(Market("slow-1"));
  std::this_thread::sleep_for(std::chrono::milliseconds(700));  // the first POST lands
  auto found = broker_->OrderByClientId("slow-1");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(OrdersWithId("slow-1"), 1);
  if (r.ok()) EXPECT_EQ(r->broker_order_id, (*found)->broker_order_id);
}

TEST_F(AlpacaBrokerTest, RateLimitedOrderWaitsRetryAfterAndIsPlacedOnce) {
  Fault({{"kind", "429"}, {"retry_after", 1}});
  auto r = broker_->Submit(Market("rl-1"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GE(slept_, std::chrono::milliseconds(900));
  EXPECT_EQ(OrdersWithId("rl-1"), 1);
}

TEST_F(AlpacaBrokerTest, ARateLimitLongerThanAllowedIsUnknownAndNothingPlaced) {
  AlpacaConfig impatient = standin_.Config();
  impatient.max_rate_limit_wait_ms = 500;
  broker_ = Make(impatient);
  Fault({{"kind", "429"}, {"retry_after", 30}, {"count", 2}});
  auto r = broker_->Submit(Market("rl-2"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("retry after 30 s"), std::string::npos);
  EXPECT_EQ(OrdersWithId("rl-2"), 0);
}

TEST_F(AlpacaBrokerTest, AnOrderVisibleOnlyLaterIsUnknownThenResolvedByClientId) {
  Configure({{"visible_after_s", 1.5}});
  Fault({{"kind", "drop_after_accept"}});
  auto r = broker_->Submit(Market("late-1"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);  // unknown: not refused, not resent
  EXPECT_EQ(standin_.Control("orders")["order_posts"], 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));
  auto found = broker_->OrderByClientId("late-1");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->status, OrderStatus::kFilled);
  EXPECT_EQ(OrdersWithId("late-1"), 1);
}

TEST_F(AlpacaBrokerTest, PartialFillsAreReportedOnceEachByExecutionId) {
  Configure({{"market_fill", "partial"}});
  auto r = broker_->Submit(Market("part-1", "MSFT", 10));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, OrderStatus::kPartiallyFilled);
  EXPECT_EQ(r->filled_qty.units(), 5);
  ASSERT_FALSE(
      standin_.Control("fill", {{"client_order_id", "part-1"}, {"qty", "5"}, {"price", "101"}})
          .is_null());
  auto fills = broker_->FillsSince(0);
  ASSERT_TRUE(fills.ok()) << fills.status().ToString();
  ASSERT_EQ(fills->size(), 2u);
  EXPECT_NE((*fills)[0].execution_id, (*fills)[1].execution_id);
  EXPECT_EQ((*fills)[0].qty.units() + (*fills)[1].qty.units(), 10);
  EXPECT_EQ((*fills)[1].price.ToString(), "101.00");
  // Since the second one: only it.
  auto later = broker_->FillsSince((*fills)[1].time_ns);
  ASSERT_TRUE(later.ok());
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ((*later)[0].execution_id, (*fills)[1].execution_id);
  auto now = broker_->OrderByClientId("part-1");
  ASSERT_TRUE(now.ok() && now->has_value());
  EXPECT_EQ((*now)->status, OrderStatus::kFilled);
  ASSERT_TRUE((*now)->average_price);
  EXPECT_EQ((*now)->average_price->ToString(), "100.50");
}

TEST_F(AlpacaBrokerTest, RejectionsCarryTheBrokersReason) {
  Configure({{"buying_power", "500"}});
  auto poor = broker_->Submit(Market("poor-1", "AAPL", 10));
  EXPECT_EQ(poor.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(poor.status().message().find("insufficient buying power"), std::string::npos);
  auto unknown = broker_->Submit(Market("zzz-1", "ZZZZ", 1));
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("asset not found for ZZZZ"), std::string::npos);
  auto halted = broker_->Submit(Market("halt-1", "HALT", 1));
  EXPECT_NE(halted.status().message().find("is not tradable"), std::string::npos);
  EXPECT_TRUE(standin_.Orders().empty());
}

TEST_F(AlpacaBrokerTest, CancelOpenOrderThenAgainIsFailedPreconditionAndUnknownIsNotFound) {
  auto open = broker_->Submit(Limit("lim-1", "50"));  // below the price: rests
  ASSERT_TRUE(open.ok()) << open.status().ToString();
  auto listed = broker_->OpenOrders();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].client_order_id, "lim-1");
  ASSERT_TRUE(broker_->Cancel("lim-1").ok());
  auto after = broker_->OrderByClientId("lim-1");
  ASSERT_TRUE(after.ok() && after->has_value());
  EXPECT_EQ((*after)->status, OrderStatus::kCancelled);
  EXPECT_EQ(broker_->Cancel("lim-1").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(broker_->Cancel("never-sent").code(), StatusCode::kNotFound);
  auto none = broker_->OpenOrders();
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(AlpacaBrokerTest, WrongKeysAreARefusalThatNeverShowsTheSecret) {
  AlpacaConfig wrong = standin_.Config();
  wrong.credentials.secret_key = "wrong-secret-value-1234";
  broker_ = Make(wrong);
  auto r = broker_->Submit(Market("auth-1"));
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("unauthorized"), std::string::npos);
  EXPECT_EQ(r.status().message().find("wrong-secret-value-1234"), std::string::npos);
  EXPECT_EQ(r.status().message().find(AlpacaStandin::kKeyId), std::string::npos);
  EXPECT_EQ(broker_->GetAccount().status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(AlpacaBrokerTest, NoServerIsUnavailableNeverFlat) {
  AlpacaConfig gone = standin_.Config();
  gone.base_url = "http://127.0.0.1:1";
  broker_ = Make(gone);
  EXPECT_EQ(broker_->Positions().status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(broker_->Submit(Market("gone-1")).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(broker_->OrderByClientId("gone-1").status().code(), StatusCode::kUnavailable);
}

TEST_F(AlpacaBrokerTest, AnHtmlPageForPositionsIsUnavailableNotAnEmptyBook) {
  Fault({{"kind", "html"}, {"status", 200}, {"method", "GET"}, {"path", "/v2/positions"}});
  EXPECT_EQ(broker_->Positions().status().code(), StatusCode::kUnavailable);
}

// Answers from a script, requests recorded: what the stand-in cannot easily say.
class ScriptedTransport final : public http::HttpTransport {
 public:
  http::HttpResponse Send(const http::HttpRequest& request) override {
    requests->push_back(request);
    http::HttpResponse r = answers.front();
    answers.erase(answers.begin());
    return r;
  }
  std::vector<http::HttpResponse> answers;
  std::shared_ptr<std::vector<http::HttpRequest>> requests =
      std::make_shared<std::vector<http::HttpRequest>>();
};

constexpr std::string_view kFilledOrder =
    R"({"id":"o-1","client_order_id":"x-1","status":"filled","filled_qty":"1",)"
    R"("filled_avg_price":"10"})";

TEST(AlpacaBrokerScripted, A429WithoutRetryAfterWaitsForTheRateLimitReset) {
  auto transport = std::make_unique<ScriptedTransport>();
  int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  http::HttpResponse limited{
      429, "", "", false, {{"x-ratelimit-reset", std::to_string(now_s + 2)}}};
  transport->answers = {limited, {200, std::string(kFilledOrder), "", false, {}}};
  auto requests = transport->requests;
  std::chrono::nanoseconds slept{0};
  AlpacaConfig config;
  config.base_url = "https://paper.test";
  config.credentials = {"KEYID", "SECRET"};
  AlpacaBroker broker(config, std::move(transport), [&](std::chrono::nanoseconds d) {
    slept += d;
    std::this_thread::sleep_for(d);
  });
  OrderRequest r = Market("x-1", "AAPL", 1);
  auto placed = broker.Submit(r);
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  EXPECT_GE(slept, std::chrono::milliseconds(900));
  ASSERT_EQ(requests->size(), 2u);
  // Both sends are the same order under the same id, keys in headers and never in the URL.
  EXPECT_EQ((*requests)[0].body, (*requests)[1].body);
  EXPECT_EQ((*requests)[0].url, "https://paper.test/v2/orders");
  EXPECT_NE(std::find((*requests)[0].headers.begin(), (*requests)[0].headers.end(),
                      "APCA-API-KEY-ID: KEYID"),
            (*requests)[0].headers.end());
  EXPECT_NE(std::find((*requests)[0].headers.begin(), (*requests)[0].headers.end(),
                      "APCA-API-SECRET-KEY: SECRET"),
            (*requests)[0].headers.end());
}

TEST(AlpacaBrokerScripted, A200ThatIsNotAnOrderIsUnknownAndResolvedByLookup) {
  auto transport = std::make_unique<ScriptedTransport>();
  transport->answers = {{200, R"({"unexpected":true})", "", false, {}},
                        {200, std::string(kFilledOrder), "", false, {}}};
  auto requests = transport->requests;
  AlpacaBroker broker(AlpacaConfig{}, std::move(transport));
  auto placed = broker.Submit(Market("x-1", "AAPL", 1));
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  EXPECT_EQ(placed->status, OrderStatus::kFilled);
  ASSERT_EQ(requests->size(), 2u);
  EXPECT_EQ((*requests)[1].method, "GET");
  EXPECT_NE((*requests)[1].url.find("/v2/orders:by_client_order_id?client_order_id=x-1"),
            std::string::npos);
}

}  // namespace
}  // namespace kairos::alpaca
