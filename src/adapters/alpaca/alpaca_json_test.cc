#include "adapters/alpaca/alpaca_json.h"

#include <gtest/gtest.h>

namespace kairos::alpaca {
namespace {

using nlohmann::json;

json SpecOrder() {
  // The Trading API spec's example of an accepted limit order (VENDOR_APIS.md §1.4).
  return json::parse(R"({"id":"7b08df51-c1ac-453c-99f9-323a5f075f0d",
    "client_order_id":"5680c4bc-9ac1-4a12-a44c-df427ba53032",
    "created_at":"2023-12-12T22:31:24.668464435Z","updated_at":"2023-12-12T22:31:24.668464435Z",
    "submitted_at":"2023-12-12T22:31:24.577215743Z","filled_at":null,"expired_at":null,
    "canceled_at":null,"failed_at":null,"replaced_at":null,"replaced_by":null,"replaces":null,
    "asset_id":"b0b6dd9d-8b9b-48a9-ba46-b9d54906e415","symbol":"AAPL","asset_class":"us_equity",
    "notional":null,"qty":"2","filled_qty":"0","filled_avg_price":null,"order_class":"",
    "order_type":"limit","type":"limit","side":"buy","time_in_force":"gtc","limit_price":"150",
    "stop_price":null,"status":"accepted","extended_hours":false,"legs":null,
    "trail_percent":null,"trail_price":null,"hwm":null,"subtag":null,"source":null})");
}

TEST(AlpacaJson, ParsesTheSpecsOrderExample) {
  auto o = ParseOrder(SpecOrder());
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->broker_order_id, "7b08df51-c1ac-453c-99f9-323a5f075f0d");
  EXPECT_EQ(o->client_order_id, "5680c4bc-9ac1-4a12-a44c-df427ba53032");
  EXPECT_EQ(o->status, OrderStatus::kAccepted);
  EXPECT_EQ(o->filled_qty.units(), 0);
  EXPECT_FALSE(o->average_price);
}

TEST(AlpacaJson, StatusesMapAndUnknownOnesAreLiveNeverFilled) {
  EXPECT_EQ(ParseOrderStatus("filled"), OrderStatus::kFilled);
  EXPECT_EQ(ParseOrderStatus("partially_filled"), OrderStatus::kPartiallyFilled);
  EXPECT_EQ(ParseOrderStatus("canceled"), OrderStatus::kCancelled);
  EXPECT_EQ(ParseOrderStatus("expired"), OrderStatus::kExpired);
  EXPECT_EQ(ParseOrderStatus("rejected"), OrderStatus::kRejected);
  EXPECT_EQ(ParseOrderStatus("pending_new"), OrderStatus::kAccepted);
  EXPECT_EQ(ParseOrderStatus("some_future_state"), OrderStatus::kAccepted);
  json o = SpecOrder();
  o["status"] = "done_for_day";
  o["filled_qty"] = "1";
  o["filled_avg_price"] = "149.5";
  auto parsed = ParseOrder(o);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->status, OrderStatus::kPartiallyFilled);
  EXPECT_EQ(parsed->message, "alpaca status done_for_day");
}

TEST(AlpacaJson, MissingOrFractionalFieldsAreRefusedWithTheField) {
  json o = SpecOrder();
  o.erase("client_order_id");
  EXPECT_EQ(ParseOrder(o).status().message(),
            "alpaca order: malformed or missing \"client_order_id\"");
  o = SpecOrder();
  o["filled_qty"] = "0.5";
  EXPECT_NE(ParseOrder(o).status().message().find("fractional"), std::string::npos);
  o = SpecOrder();
  o["filled_qty"] = 1.5;  // a JSON number with a fraction: not the documented form
  EXPECT_FALSE(ParseOrder(o).ok());
  EXPECT_FALSE(ParseOrder(json("text")).ok());
}

TEST(AlpacaJson, OrderBodyHasStringsTheIdAndTheTick) {
  OrderRequest r;
  r.client_order_id = "s1-20260105-000017";
  r.symbol = "AAPL";
  r.side = Side::kSell;
  r.qty = Quantity::FromUnits(2);
  r.type = OrderType::kLimit;
  r.tif = TimeInForce::kCls;
  r.limit_price = *Price::Parse("150.001");
  auto body = OrderBody(r);
  ASSERT_TRUE(body.ok());
  json j = json::parse(*body);
  EXPECT_EQ(j["qty"], "2");
  EXPECT_EQ(j["side"], "sell");
  EXPECT_EQ(j["type"], "limit");
  EXPECT_EQ(j["time_in_force"], "cls");
  EXPECT_EQ(j["limit_price"], "150.01");  // a sell rounds up
  EXPECT_EQ(j["client_order_id"], "s1-20260105-000017");
  r.type = OrderType::kMarket;
  r.tif = TimeInForce::kOpg;
  j = json::parse(*OrderBody(r));
  EXPECT_EQ(j["type"], "market");
  EXPECT_EQ(j["time_in_force"], "opg");
  EXPECT_FALSE(j.contains("limit_price"));
}

TEST(AlpacaJson, OrderBodyRefusesWhatAlpacaWouldRefuse) {
  OrderRequest r;
  r.client_order_id = std::string(49, 'x');
  r.symbol = "AAPL";
  r.qty = Quantity::FromUnits(1);
  EXPECT_EQ(OrderBody(r).status().code(), StatusCode::kInvalidArgument);
  r.client_order_id = "ok";
  r.qty = Quantity::FromUnits(0);
  EXPECT_EQ(OrderBody(r).status().message(), "alpaca order ok: quantity must be positive, not 0");
  r.qty = Quantity::FromUnits(1);
  r.type = OrderType::kLimit;
  EXPECT_EQ(OrderBody(r).status().message(),
            "alpaca order ok: a limit order needs a positive limit price");
}

TEST(AlpacaJson, TickIsACentFromOneDollarAndAHundredthBelow) {
  EXPECT_EQ(RoundLimitToTick(*Price::Parse("1.005"), Side::kBuy).ToString(), "1.00");
  EXPECT_EQ(RoundLimitToTick(*Price::Parse("1.005"), Side::kSell).ToString(), "1.01");
  EXPECT_EQ(RoundLimitToTick(*Price::Parse("0.12345"), Side::kBuy).ToString(), "0.1234");
}

TEST(AlpacaJson, PositionsAccountAndFillsParse) {
  auto positions = ParsePositions(json::parse(
      R"([{"symbol":"AAPL","qty":"-3","side":"short","avg_entry_price":"150.25","x":1}])"));
  ASSERT_TRUE(positions.ok());
  EXPECT_EQ((*positions)[0].qty.units(), -3);
  EXPECT_EQ((*positions)[0].average_price.ToString(), "150.25");
  EXPECT_FALSE(ParsePositions(json::parse(R"({"symbol":"AAPL"})")).ok());

  auto account = ParseAccount(json::parse(
      R"({"account_number":"PA1","status":"ACTIVE","currency":"USD","cash":"176531.28",
          "equity":"200000","buying_power":"353062.561","trading_blocked":false})"));
  ASSERT_TRUE(account.ok()) << account.status().ToString();
  EXPECT_EQ(account->cash, 17'653'128);
  EXPECT_EQ(account->equity, 20'000'000);
  EXPECT_EQ(account->buying_power, 35'306'256);
  EXPECT_FALSE(ParseAccount(json::parse(R"({"currency":"USD","cash":"1"})")).ok());

  auto fills = ParseFillActivities(json::parse(
      R"([{"id":"20190524113406977::8efc","activity_type":"FILL",
           "transaction_time":"2019-05-24T15:34:06.977Z","type":"fill","price":"3.1","qty":"1",
           "side":"buy","symbol":"LPCN","leaves_qty":"0","order_id":"904f","cum_qty":"1"},
          {"id":"x","activity_type":"DIV"}])"));
  ASSERT_TRUE(fills.ok()) << fills.status().ToString();
  ASSERT_EQ(fills->size(), 1u);
  EXPECT_EQ((*fills)[0].id, "20190524113406977::8efc");
  EXPECT_EQ((*fills)[0].price.ToString(), "3.10");
  EXPECT_EQ(FormatTimeNs((*fills)[0].time_ns), "2019-05-24T15:34:06.977000000Z");
}

TEST(AlpacaJson, DuplicateClientIdIsRecognisedInItsWordings) {
  EXPECT_TRUE(IsDuplicateClientId(
      422, json::parse(R"({"code":40010001,"message":"client_order_id must be unique"})")));
  EXPECT_TRUE(
      IsDuplicateClientId(422, json::parse(R"({"message":"client order id must be unique"})")));
  EXPECT_FALSE(
      IsDuplicateClientId(403, json::parse(R"({"message":"client_order_id must be unique"})")));
  EXPECT_FALSE(IsDuplicateClientId(422, json::parse(R"({"message":"qty must be > 0"})")));
  EXPECT_EQ(ErrorMessage(429, nullptr), "HTTP 429");
}

}  // namespace
}  // namespace kairos::alpaca
