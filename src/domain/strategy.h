#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/fixed_point.h"

namespace kairos {

// A strategy as the person wrote it in its TOML file (engine/strategy_file.h parses and checks it;
// README.md documents every key). Rule texts stay text here: the engine compiles them.

enum class Timeframe : uint8_t { kDaily, kWeekly };
enum class PositionSide : uint8_t { kLong, kShort };
enum class Approval : uint8_t { kManual, kAuto };
// next_open: decided at the close of session t, filled at the open of t+1.
// same_close: decided on session t's bar, filled at the close of t (see README.md for what this
// assumes: the scan runs on prices close enough to the final close).
enum class Execution : uint8_t { kNextOpen, kSameClose };
enum class EntryOrderType : uint8_t { kMarket, kLimit };

// A price level relative to the entry: "5%" (percent of the entry price), "2*atr(14)" (a distance
// in price, a number expression evaluated on the entry decision bar) or a price expression
// ("lowest(low, 10)", evaluated on the decision bar). kNone when the key is absent.
struct LevelSpec {
  enum class Kind : uint8_t { kNone, kPercent, kDistance, kPrice };
  Kind kind = Kind::kNone;
  double percent = 0;  // kPercent: 5 for "5%"
  std::string expr;    // kDistance / kPrice: the expression text
  bool present() const { return kind != Kind::kNone; }
};

struct SizingSpec {
  enum class Method : uint8_t { kFixedQty, kFixedAmount, kPercent, kRisk };
  Method method = Method::kFixedQty;
  int64_t qty = 0;       // kFixedQty: shares
  int64_t amount = 0;    // kFixedAmount: minor units of the strategy's currency
  double percent = 0;    // kPercent: of the allocation; kRisk: of the allocation risked at the stop
};

struct FeeSpec {
  enum class Kind : uint8_t { kNone, kUsEquity, kIndiaDelivery, kIndiaIntraday, kCustom };
  Kind kind = Kind::kNone;
  int64_t per_order = 0;  // kCustom: minor units per order
  double percent = 0;     // kCustom: percent of the order's notional
};

struct StrategySpec {
  std::string name;  // [a-z0-9_]{1,64}
  std::string description;
  std::string exchange = "NYSE";             // trading calendar; the currency follows from it
  std::string universe;                      // a universe name, or empty when `symbols` is used
  std::vector<std::string> symbols;          // a static list
  Timeframe timeframe = Timeframe::kDaily;
  PositionSide side = PositionSide::kLong;
  std::string entry;                         // boolean rule text
  std::string exit;                          // optional boolean rule text ("" = none)
  LevelSpec stop_loss, take_profit, trailing_stop;
  int max_hold = 0;                          // sessions; 0 = no limit
  Approval approval = Approval::kManual;
  int review_cutoff_minute = 9 * 60;         // exchange-local minutes after midnight
  Execution execution = Execution::kNextOpen;
  EntryOrderType order_type = EntryOrderType::kMarket;
  double limit_offset_percent = 0;           // limit orders: 0.5 for "0.5%" (below for buys)
  int64_t allocation = 0;                    // minor units of the currency
  Currency currency = Currency::Usd();       // from the exchange: NYSE -> USD, NSE -> INR
  SizingSpec sizing;
  int max_positions = 1;
  int max_new_per_day = 1;
  std::string rank;                          // optional number expression; ascending wins
  FeeSpec fees;
  double slippage_bps = 0;
  bool enabled = true;
};

// A stored strategy: the spec, the exact file text it came from, its version (1, 2, ... a new
// version per changed import) and whether it is enabled (a CLI switch, stored beside the spec).
struct StrategyRecord {
  StrategySpec spec;
  std::string source;  // the TOML text as imported
  int version = 0;
  bool enabled = true;
  int64_t allocation = 0;  // current allocation (set-allocation changes it without a new version)
};

}  // namespace kairos
