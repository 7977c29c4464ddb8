#include "adapters/sqlite/codec.h"

#include <cmath>

#include <gtest/gtest.h>

namespace kairos::adapters::sqlite {
namespace {

TEST(CodecTest, MissingSpecKeysTakeTheirDefaults) {
  auto spec = DecodeSpec(R"({"name": "old", "entry": "close > 1"})");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  StrategySpec defaults;
  EXPECT_EQ(spec->name, "old");
  EXPECT_EQ(spec->entry, "close > 1");
  EXPECT_EQ(spec->exchange, defaults.exchange);
  EXPECT_EQ(spec->review_cutoff_minute, defaults.review_cutoff_minute);
  EXPECT_EQ(spec->max_positions, defaults.max_positions);
  EXPECT_EQ(spec->currency, defaults.currency);
  EXPECT_TRUE(spec->enabled);
}

TEST(CodecTest, EnumsAreStoredByName) {
  StrategySpec spec;
  spec.timeframe = Timeframe::kWeekly;
  spec.fees.kind = FeeSpec::Kind::kIndiaDelivery;
  std::string json = EncodeSpec(spec);
  EXPECT_NE(json.find(R"("timeframe":"weekly")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("kind":"india_delivery")"), std::string::npos) << json;
}

TEST(CodecTest, UnknownEnumNameIsCorruption) {
  auto spec = DecodeSpec(R"({"name": "x", "timeframe": "hourly"})");
  EXPECT_EQ(spec.status(),
            Status::Corruption(
                "stored strategy spec: stored timeframe 'hourly' is not one kairos knows"));
}

TEST(CodecTest, CurrencyIsStoredByCodeAndReadBackTyped) {
  StrategySpec spec;
  spec.currency = Currency::Inr();
  std::string json = EncodeSpec(spec);
  EXPECT_NE(json.find(R"("currency":"INR")"), std::string::npos) << json;
  auto back = DecodeSpec(json);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->currency, Currency::Inr());
}

TEST(CodecTest, UnknownCurrencyIsCorruptionNamingTheStrategy) {
  auto spec = DecodeSpec(R"({"name": "x", "currency": "XYZ"})");
  EXPECT_EQ(
      spec.status(),
      Status::Corruption(
          "stored strategy spec: strategy 'x': stored currency 'XYZ' is not one kairos knows"));
}

TEST(CodecTest, WrongTypesAndBadJsonAreCorruption) {
  EXPECT_EQ(DecodeSpec("{not json").status(),
            Status::Corruption("stored strategy spec is not JSON"));
  EXPECT_EQ(DecodeSpec("[]").status(), Status::Corruption("stored strategy spec is not an object"));
  auto typed = DecodeSpec(R"({"max_hold": "twenty"})");
  EXPECT_EQ(typed.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeTerms(R"([["a"]])").status(),
            Status::Corruption("stored signal term is not a [name, value] pair"));
  EXPECT_EQ(DecodeLots(R"([{"opened": "2024-13-01", "qty": 1, "price": 1}])").status(),
            Status::Corruption("stored date '2024-13-01' is not YYYY-MM-DD"));
}

TEST(CodecTest, NonFiniteNumbersBecomeNullAndReadBackAsNan) {
  std::string json = EncodeTerms({{"a", INFINITY}, {"b", 1.5}});
  EXPECT_EQ(json, R"([["a",null],["b",1.5]])");
  auto terms = DecodeTerms(json);
  ASSERT_TRUE(terms.ok());
  EXPECT_TRUE(std::isnan((*terms)[0].second));
  EXPECT_EQ((*terms)[1].second, 1.5);
}

TEST(CodecTest, DoublesRoundTripExactly) {
  StrategySpec spec;
  spec.slippage_bps = 0.1 + 0.2;  // not a short decimal
  spec.sizing.percent = 1.0 / 3.0;
  auto back = DecodeSpec(EncodeSpec(spec));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->slippage_bps, 0.1 + 0.2);
  EXPECT_EQ(back->sizing.percent, 1.0 / 3.0);
}

TEST(CodecTest, StoredNamesParseBack) {
  for (int i = 0; i <= static_cast<int>(SignalStatus::kFailed); ++i) {
    auto s = static_cast<SignalStatus>(i);
    EXPECT_EQ(ParseSignalStatus(SignalStatusName(s)).value_or(SignalStatus::kFailed), s);
  }
  for (int i = 0; i <= static_cast<int>(OrderStatus::kUnknown); ++i) {
    auto s = static_cast<OrderStatus>(i);
    EXPECT_EQ(ParseOrderStatus(OrderStatusName(s)).value_or(OrderStatus::kNew), s);
  }
  EXPECT_EQ(ParseOrderStatus("lost").status(),
            Status::Corruption("stored order status 'lost' is not one kairos knows"));
  EXPECT_EQ(ParseTimeInForce(TimeInForceName(TimeInForce::kCls)).value_or(TimeInForce::kDay),
            TimeInForce::kCls);
  EXPECT_EQ(ParseOrderType(OrderTypeName(OrderType::kStop)).value_or(OrderType::kMarket),
            OrderType::kStop);
}

}  // namespace
}  // namespace kairos::adapters::sqlite
