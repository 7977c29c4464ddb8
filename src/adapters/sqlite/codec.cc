#include "adapters/sqlite/codec.h"

#include <cmath>
#include <cstddef>
#include <limits>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace kairos::adapters::sqlite {
namespace {

using Json = nlohmann::json;

template <typename E>
struct Named {
  E value;
  std::string_view name;
};

constexpr Named<Timeframe> kTimeframes[] = {{Timeframe::kDaily, "daily"},
                                            {Timeframe::kWeekly, "weekly"}};
constexpr Named<PositionSide> kPositionSides[] = {{PositionSide::kLong, "long"},
                                                  {PositionSide::kShort, "short"}};
constexpr Named<Approval> kApprovals[] = {{Approval::kManual, "manual"}, {Approval::kAuto, "auto"}};
constexpr Named<Execution> kExecutions[] = {{Execution::kNextOpen, "next_open"},
                                            {Execution::kSameClose, "same_close"}};
constexpr Named<EntryOrderType> kEntryOrderTypes[] = {{EntryOrderType::kMarket, "market"},
                                                      {EntryOrderType::kLimit, "limit"}};
constexpr Named<LevelSpec::Kind> kLevelKinds[] = {{LevelSpec::Kind::kNone, "none"},
                                                  {LevelSpec::Kind::kPercent, "percent"},
                                                  {LevelSpec::Kind::kDistance, "distance"},
                                                  {LevelSpec::Kind::kPrice, "price"}};
constexpr Named<SizingSpec::Method> kSizingMethods[] = {
    {SizingSpec::Method::kFixedQty, "fixed_qty"},
    {SizingSpec::Method::kFixedAmount, "fixed_amount"},
    {SizingSpec::Method::kPercent, "percent"},
    {SizingSpec::Method::kRisk, "risk"}};
constexpr Named<FeeSpec::Kind> kFeeKinds[] = {{FeeSpec::Kind::kNone, "none"},
                                              {FeeSpec::Kind::kUsEquity, "us_equity"},
                                              {FeeSpec::Kind::kIndiaDelivery, "india_delivery"},
                                              {FeeSpec::Kind::kIndiaIntraday, "india_intraday"},
                                              {FeeSpec::Kind::kCustom, "custom"}};
constexpr Named<UniverseDefinition::Kind> kUniverseKinds[] = {
    {UniverseDefinition::Kind::kStatic, "static"},
    {UniverseDefinition::Kind::kExchange, "exchange"},
    {UniverseDefinition::Kind::kRule, "rule"}};
constexpr Named<Side> kSides[] = {{Side::kBuy, "buy"}, {Side::kSell, "sell"}};
constexpr Named<SignalKind> kSignalKinds[] = {{SignalKind::kEntry, "entry"},
                                              {SignalKind::kExit, "exit"}};
constexpr Named<OrderType> kOrderTypes[] = {{OrderType::kMarket, "market"},
                                            {OrderType::kLimit, "limit"},
                                            {OrderType::kStop, "stop"},
                                            {OrderType::kStopLimit, "stop_limit"}};
constexpr Named<TimeInForce> kTifs[] = {{TimeInForce::kDay, "day"},
                                        {TimeInForce::kOpg, "opg"},
                                        {TimeInForce::kCls, "cls"},
                                        {TimeInForce::kGtc, "gtc"}};

template <typename E, size_t N>
std::string_view NameOf(E value, const Named<E> (&table)[N]) {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return "?";  // unreachable for a valid enum value; decoding then reports Corruption
}

template <typename E, size_t N>
Result<E> ValueOf(std::string_view name, const Named<E> (&table)[N], std::string_view what) {
  for (const auto& entry : table) {
    if (entry.name == name) return entry.value;
  }
  return Status::Corruption(fmt::format("stored {} '{}' is not one kairos knows", what, name));
}

// nlohmann throws on a type mismatch; Decode* turns that into Corruption at this edge.
struct Corrupt {
  Status status;
};

template <typename E, size_t N>
E EnumField(const Json& j, const char* key, E fallback, const Named<E> (&table)[N]) {
  auto it = j.find(key);
  if (it == j.end()) return fallback;
  Result<E> value = ValueOf(it->template get<std::string>(), table, key);
  if (!value.ok()) throw Corrupt{value.status()};
  return *value;
}

template <typename T>
void Field(const Json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it != j.end()) out = it->template get<T>();
}

// A stored currency code; one kairos does not know is Corruption naming the strategy (never a
// silent default, which would print and trade its amounts in the wrong minor unit).
Currency CurrencyField(const Json& j, std::string_view strategy) {
  std::string code = j.get<std::string>();
  Result<Currency> currency = Currency::FromCode(code);
  if (!currency.ok()) {
    throw Corrupt{Status::Corruption(fmt::format(
        "strategy '{}': stored currency '{}' is not one kairos knows", strategy, code))};
  }
  return *currency;
}

Json DoubleJson(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

void DoubleField(const Json& j, const char* key, double& out) {
  auto it = j.find(key);
  if (it == j.end()) return;
  out = it->is_null() ? std::numeric_limits<double>::quiet_NaN() : it->get<double>();
}

template <typename F>
auto Decode(std::string_view text, std::string_view what, F&& f) -> decltype(f(Json())) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Corruption(fmt::format("stored {} is not JSON", what));
  try {
    return f(j);
  } catch (const Corrupt& c) {
    return c.status.WithContext(fmt::format("stored {}", what));
  } catch (const Json::exception& e) {
    return Status::Corruption(fmt::format("stored {}: {}", what, e.what()));
  }
}

Json LevelJson(const LevelSpec& level) {
  return Json{{"kind", NameOf(level.kind, kLevelKinds)},
              {"percent", DoubleJson(level.percent)},
              {"expr", level.expr}};
}

LevelSpec LevelFromJson(const Json& j) {
  LevelSpec level;
  if (j.is_null()) return level;
  level.kind = EnumField(j, "kind", level.kind, kLevelKinds);
  DoubleField(j, "percent", level.percent);
  Field(j, "expr", level.expr);
  return level;
}

}  // namespace

std::string EncodeSpec(const StrategySpec& s) {
  Json j;
  j["name"] = s.name;
  j["description"] = s.description;
  j["exchange"] = s.exchange;
  j["universe"] = s.universe;
  j["symbols"] = s.symbols;
  j["timeframe"] = NameOf(s.timeframe, kTimeframes);
  j["side"] = NameOf(s.side, kPositionSides);
  j["entry"] = s.entry;
  j["exit"] = s.exit;
  j["stop_loss"] = LevelJson(s.stop_loss);
  j["take_profit"] = LevelJson(s.take_profit);
  j["trailing_stop"] = LevelJson(s.trailing_stop);
  j["max_hold"] = s.max_hold;
  j["approval"] = NameOf(s.approval, kApprovals);
  j["review_cutoff_minute"] = s.review_cutoff_minute;
  j["execution"] = NameOf(s.execution, kExecutions);
  j["order_type"] = NameOf(s.order_type, kEntryOrderTypes);
  j["limit_offset_percent"] = DoubleJson(s.limit_offset_percent);
  j["allocation"] = s.allocation;
  j["currency"] = s.currency.code();
  j["sizing"] = Json{{"method", NameOf(s.sizing.method, kSizingMethods)},
                     {"qty", s.sizing.qty},
                     {"amount", s.sizing.amount},
                     {"percent", DoubleJson(s.sizing.percent)}};
  j["max_positions"] = s.max_positions;
  j["max_new_per_day"] = s.max_new_per_day;
  j["rank"] = s.rank;
  j["fees"] = Json{{"kind", NameOf(s.fees.kind, kFeeKinds)},
                   {"per_order", s.fees.per_order},
                   {"percent", DoubleJson(s.fees.percent)}};
  j["slippage_bps"] = DoubleJson(s.slippage_bps);
  j["enabled"] = s.enabled;
  return j.dump();
}

Result<StrategySpec> DecodeSpec(std::string_view json) {
  return Decode(json, "strategy spec", [](const Json& j) -> Result<StrategySpec> {
    if (!j.is_object()) return Status::Corruption("stored strategy spec is not an object");
    StrategySpec s;
    Field(j, "name", s.name);
    Field(j, "description", s.description);
    Field(j, "exchange", s.exchange);
    Field(j, "universe", s.universe);
    Field(j, "symbols", s.symbols);
    s.timeframe = EnumField(j, "timeframe", s.timeframe, kTimeframes);
    s.side = EnumField(j, "side", s.side, kPositionSides);
    Field(j, "entry", s.entry);
    Field(j, "exit", s.exit);
    if (auto it = j.find("stop_loss"); it != j.end()) s.stop_loss = LevelFromJson(*it);
    if (auto it = j.find("take_profit"); it != j.end()) s.take_profit = LevelFromJson(*it);
    if (auto it = j.find("trailing_stop"); it != j.end()) s.trailing_stop = LevelFromJson(*it);
    Field(j, "max_hold", s.max_hold);
    s.approval = EnumField(j, "approval", s.approval, kApprovals);
    Field(j, "review_cutoff_minute", s.review_cutoff_minute);
    s.execution = EnumField(j, "execution", s.execution, kExecutions);
    s.order_type = EnumField(j, "order_type", s.order_type, kEntryOrderTypes);
    DoubleField(j, "limit_offset_percent", s.limit_offset_percent);
    Field(j, "allocation", s.allocation);
    if (auto it = j.find("currency"); it != j.end()) s.currency = CurrencyField(*it, s.name);
    if (auto it = j.find("sizing"); it != j.end()) {
      s.sizing.method = EnumField(*it, "method", s.sizing.method, kSizingMethods);
      Field(*it, "qty", s.sizing.qty);
      Field(*it, "amount", s.sizing.amount);
      DoubleField(*it, "percent", s.sizing.percent);
    }
    Field(j, "max_positions", s.max_positions);
    Field(j, "max_new_per_day", s.max_new_per_day);
    Field(j, "rank", s.rank);
    if (auto it = j.find("fees"); it != j.end()) {
      s.fees.kind = EnumField(*it, "kind", s.fees.kind, kFeeKinds);
      Field(*it, "per_order", s.fees.per_order);
      DoubleField(*it, "percent", s.fees.percent);
    }
    DoubleField(j, "slippage_bps", s.slippage_bps);
    Field(j, "enabled", s.enabled);
    return s;
  });
}

std::string EncodeTerms(const std::vector<std::pair<std::string, double>>& terms) {
  Json j = Json::array();
  for (const auto& [name, value] : terms) j.push_back(Json::array({name, DoubleJson(value)}));
  return j.dump();
}

Result<std::vector<std::pair<std::string, double>>> DecodeTerms(std::string_view json) {
  using Terms = std::vector<std::pair<std::string, double>>;
  return Decode(json, "signal terms", [](const Json& j) -> Result<Terms> {
    if (!j.is_array()) return Status::Corruption("stored signal terms are not an array");
    Terms terms;
    for (const Json& t : j) {
      if (!t.is_array() || t.size() != 2) {
        return Status::Corruption("stored signal term is not a [name, value] pair");
      }
      double value = t[1].is_null() ? std::numeric_limits<double>::quiet_NaN() : t[1].get<double>();
      terms.emplace_back(t[0].get<std::string>(), value);
    }
    return terms;
  });
}

std::string EncodeLots(const std::vector<Lot>& lots) {
  Json j = Json::array();
  for (const Lot& lot : lots) {
    j.push_back(Json{{"opened", lot.opened.ToString()},
                     {"qty", lot.qty.units()},
                     {"price", lot.price.raw()},
                     {"fees", lot.fees}});
  }
  return j.dump();
}

Result<std::vector<Lot>> DecodeLots(std::string_view json) {
  return Decode(json, "lots", [](const Json& j) -> Result<std::vector<Lot>> {
    if (!j.is_array()) return Status::Corruption("stored lots are not an array");
    std::vector<Lot> lots;
    for (const Json& l : j) {
      Lot lot;
      Result<Date> opened = ParseStoredDate(l.at("opened").get<std::string>());
      if (!opened.ok()) return opened.status();
      lot.opened = *opened;
      lot.qty = Quantity::FromUnits(l.at("qty").get<int64_t>());
      lot.price = Price::FromRaw(l.at("price").get<int64_t>());
      Field(l, "fees", lot.fees);
      lots.push_back(std::move(lot));
    }
    return lots;
  });
}

std::string EncodeUniverseDefinition(const UniverseDefinition& d) {
  return Json{{"kind", NameOf(d.kind, kUniverseKinds)},
              {"symbols", d.symbols},
              {"exchange", d.exchange},
              {"rule", d.rule},
              {"rank", d.rank},
              {"top", d.top},
              {"base", d.base}}
      .dump();
}

Result<UniverseDefinition> DecodeUniverseDefinition(std::string_view json) {
  return Decode(json, "universe definition", [](const Json& j) -> Result<UniverseDefinition> {
    if (!j.is_object()) return Status::Corruption("stored universe definition is not an object");
    UniverseDefinition d;
    d.kind = EnumField(j, "kind", d.kind, kUniverseKinds);
    Field(j, "symbols", d.symbols);
    Field(j, "exchange", d.exchange);
    Field(j, "rule", d.rule);
    Field(j, "rank", d.rank);
    Field(j, "top", d.top);
    Field(j, "base", d.base);
    return d;
  });
}

std::string EncodeStrings(const std::vector<std::string>& strings) { return Json(strings).dump(); }

Result<std::vector<std::string>> DecodeStrings(std::string_view json) {
  return Decode(json, "string list", [](const Json& j) -> Result<std::vector<std::string>> {
    if (!j.is_array()) return Status::Corruption("stored string list is not an array");
    return j.get<std::vector<std::string>>();
  });
}

Result<Side> ParseSide(std::string_view name) { return ValueOf(name, kSides, "side"); }
std::string_view SignalKindName(SignalKind kind) { return NameOf(kind, kSignalKinds); }
Result<SignalKind> ParseSignalKind(std::string_view name) {
  return ValueOf(name, kSignalKinds, "signal kind");
}

Result<SignalStatus> ParseSignalStatus(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(SignalStatus::kFailed); ++i) {
    auto s = static_cast<SignalStatus>(i);
    if (SignalStatusName(s) == name) return s;
  }
  return Status::Corruption(fmt::format("stored signal status '{}' is not one kairos knows", name));
}

Result<OrderStatus> ParseOrderStatus(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(OrderStatus::kUnknown); ++i) {
    auto s = static_cast<OrderStatus>(i);
    if (OrderStatusName(s) == name) return s;
  }
  return Status::Corruption(fmt::format("stored order status '{}' is not one kairos knows", name));
}

Result<OrderType> ParseOrderType(std::string_view name) {
  return ValueOf(name, kOrderTypes, "order type");
}
Result<TimeInForce> ParseTimeInForce(std::string_view name) {
  return ValueOf(name, kTifs, "time in force");
}

Result<Date> ParseStoredDate(std::string_view text) {
  Result<Date> d = Date::Parse(text);
  if (!d.ok()) return Status::Corruption(fmt::format("stored date '{}' is not YYYY-MM-DD", text));
  return d;
}

}  // namespace kairos::adapters::sqlite
