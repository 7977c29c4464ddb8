#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "domain/strategy.h"

namespace kairos::engine {

// Strategy files (docs/STRATEGIES.md documents every key with an example).
//
// Parses and checks the TOML text of a strategy file into a StrategySpec. Every problem of the
// file is found in one pass and reported at once: InvalidArgument whose message holds one problem
// per line, in file order,
//   "<file_name>:<line>:<col>: <key>: <what was expected>, got <what was there>"
// e.g.
//   sma.toml:4:8: side: expected "long" or "short", got "sideways"
//   sma.toml:9:1: alocation: unknown key — did you mean 'allocation'?
// A bad rule (entry, exit, rank, stop expressions) adds the TOML line and a caret under the
// offending column on the two lines after its problem line. Never throws.
//
// Money (allocation, sizing.amount, fees.per_order) is read exactly as decimal text: 100000.10
// becomes 10000010 minor units, never a binary-floating-point neighbour.
Result<StrategySpec> ParseStrategy(std::string_view toml_text, std::string_view file_name);

// The largest amount of money kairos takes as input: allocation, sizing.amount and
// fees.per_order in a strategy file, and `kairos strategy set-allocation`. 10^12 units of the
// currency (at most 10^15 minor units for any currency kairos knows) keeps every later amount far
// inside int64 (9.2 * 10^18): the paper account's cash is the sum of the allocations, an entry is
// cut to the cash it may spend, so a position is worth at most what it cost times its price's rise
// since, and sums over a thousand strategies still fit. README.md "Limits" says the same.
inline constexpr int64_t kMaxAmountUnits = 1'000'000'000'000;
// kMaxAmountUnits in `currency`'s minor units.
int64_t MaxAmountMinor(const Currency& currency);

// Every top-level key a strategy file may hold, in documentation order.
const std::vector<std::string_view>& StrategyKeys();

// Exchange-local regular open of the exchanges a strategy may name (minutes after midnight):
// NYSE and NASDAQ 09:30, NSE 09:15. A next_open strategy's review cut-off must be before it.
// REQUIRES: exchange is "NYSE", "NASDAQ" or "NSE".
int RegularOpenMinute(std::string_view exchange);
int RegularCloseMinute(std::string_view exchange);

// "09:00" for 540.
std::string FormatMinuteOfDay(int minute);

// Display names of the spec's enums, as written in strategy files.
std::string_view TimeframeName(Timeframe t);
std::string_view PositionSideName(PositionSide s);
std::string_view ApprovalName(Approval a);
std::string_view ExecutionName(Execution e);
std::string_view EntryOrderTypeName(EntryOrderType t);
std::string_view SizingMethodName(SizingSpec::Method m);
std::string_view FeeKindName(FeeSpec::Kind k);
// "5%", "2*atr(14)" (distance), "price: lowest(low, 10)", or "" when absent.
std::string DescribeLevel(const LevelSpec& level);

}  // namespace kairos::engine
