#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/date.h"
#include "core/fixed_point.h"
#include "core/result.h"
#include "domain/strategy.h"
#include "domain/trading.h"

namespace kairos {

// Fee models (FEES.md documents every rate with its source and the date it took effect).
//
// Every amount is an integer in minor units of the trade's currency (cents, paise). Each charge is
// computed from the exact turnover (Price ticks × quantity, no intermediate rounding) and rounded
// once, to the minor unit, the way a contract note shows it:
//   - US SEC Section 31 fee and FINRA TAF: rounded UP to the cent (brokers pass them through
//     rounded up, so the customer never pays less than the regulator charges the broker).
//   - Indian STT: rounded to the nearest rupee, half up (Zerodha's charge list: "STT/CTT charged
//     will be rounded off to the nearest rupee").
//   - Everything else (brokerage, exchange transaction charge, SEBI fee, GST, stamp duty, custom):
//     to the paisa/cent, half up, as on broker contract notes.
// GST is 18 % of the already-rounded brokerage + exchange charge + SEBI fee, as the note shows it.
struct FeeBreakdown {
  int64_t brokerage = 0;  // the broker's commission (custom: per_order + percent)
  int64_t stt = 0;        // India: Securities Transaction Tax
  int64_t exchange = 0;   // India: exchange transaction charge (NSE)
  int64_t sebi = 0;       // India: SEBI turnover fee
  int64_t gst = 0;        // India: GST on brokerage + exchange + SEBI
  int64_t stamp = 0;      // India: stamp duty (buys)
  int64_t sec = 0;        // US: SEC Section 31 fee (sells)
  int64_t taf = 0;        // US: FINRA Trading Activity Fee (sells)
  int64_t other = 0;      // reserved for charges not itemised above (0 in every preset today)
  int64_t total = 0;      // the sum of the above

  friend bool operator==(const FeeBreakdown&, const FeeBreakdown&) = default;
};

// One row of a rate table: the rate applies to trades on `effective` and later, until the next row.
// Rates are integers so the computation stays exact: parts per billion (ppb) of turnover, or
// explicit units as named.

// SEC Section 31: dollars per million dollars of sale proceeds, in cents (2780 = $27.80 per $1M).
struct SecFeeRate {
  Date effective;
  int64_t cents_per_million = 0;
  std::string_view source;
};

// FINRA TAF on sales of covered equity securities: micro-dollars per share (166 = $0.000166) and a
// per-trade maximum in cents.
struct TafRate {
  Date effective;
  int64_t micro_usd_per_share = 0;
  int64_t cap_cents = 0;
  std::string_view source;
};

// NSE cash-market equity charges through a discount broker (Zerodha's published charge list),
// in ppb of turnover unless named otherwise.
struct IndiaEquityRates {
  Date effective;
  int64_t intraday_brokerage_ppb = 0;        // 0.03 % = 300'000
  int64_t intraday_brokerage_cap_paise = 0;  // ₹20 = 2'000
  int64_t delivery_stt_ppb = 0;              // both sides
  int64_t intraday_stt_sell_ppb = 0;         // sells only
  int64_t exchange_ppb = 0;                  // NSE transaction charge, both sides
  int64_t sebi_ppb = 0;                      // ₹10 per crore = 1'000
  int64_t gst_percent = 0;                   // 18
  int64_t delivery_stamp_buy_ppb = 0;
  int64_t intraday_stamp_buy_ppb = 0;
  std::string_view source;
};

// The tables, oldest row first (fees.cc is the one place to update when a rate changes).
std::span<const SecFeeRate> SecFeeRates();
std::span<const TafRate> TafRates();
std::span<const IndiaEquityRates> IndiaEquityRateTable();

// "none", "us_equity", "india_delivery", "india_intraday", "custom".
std::string_view FeeKindName(FeeSpec::Kind kind);

// The fees and taxes of one execution of `qty` at `price`, with the rates in force on
// `trade_date` (a date before a table's first row uses that first row).
// InvalidArgument, with a message starting "fees: ", for qty <= 0, price <= 0, a preset used with
// a currency it does not charge in (us_equity is USD, india_* is INR), or a custom spec with a
// negative per_order or a percent outside [0, 100].
Result<FeeBreakdown> ComputeFees(const FeeSpec& spec, Side side, Quantity qty, Price price,
                                 const Currency& currency, Date trade_date);
// The same with the newest rates of every table (the rates in force today).
Result<FeeBreakdown> ComputeFees(const FeeSpec& spec, Side side, Quantity qty, Price price,
                                 const Currency& currency);

}  // namespace kairos
