#include "domain/fees.h"

#include <chrono>
#include <cmath>

#include <fmt/core.h>

namespace kairos {
namespace {

constexpr Date Ymd(int y, unsigned m, unsigned d) {
  return Date::FromDays(static_cast<int32_t>(
      std::chrono::sys_days(std::chrono::year(y) / std::chrono::month(m) / std::chrono::day(d))
          .time_since_epoch()
          .count()));
}

// Sources and caveats for every row: FEES.md.
constexpr SecFeeRate kSecFeeRates[] = {
    {Ymd(2024, 5, 22), 2780, "SEC FY2024 order, Release 34-99973 (FR 2024-08512)"},
    {Ymd(2025, 5, 14), 0, "SEC FY2025 order, Release 34-102779 (FR 2025-06214)"},
    {Ymd(2026, 4, 4), 2060, "SEC FY2026 order, Release 34-104909 (FR 2026-04233)"},
};

constexpr TafRate kTafRates[] = {
    {Ymd(2024, 1, 1), 166, 830, "FINRA By-Laws Schedule A sec. 1(b)"},
};

constexpr IndiaEquityRates kIndiaEquityRates[] = {
    {
        .effective = Ymd(2024, 10, 1),
        .intraday_brokerage_ppb = 300'000,      // 0.03 %
        .intraday_brokerage_cap_paise = 2'000,  // ₹20
        .delivery_stt_ppb = 1'000'000,          // 0.1 %
        .intraday_stt_sell_ppb = 250'000,       // 0.025 %
        .exchange_ppb = 29'700,                 // 0.00297 % (₹2.97 per lakh)
        .sebi_ppb = 1'000,                      // ₹10 per crore
        .gst_percent = 18,
        .delivery_stamp_buy_ppb = 150'000,  // 0.015 %
        .intraday_stamp_buy_ppb = 30'000,   // 0.003 %
        .source = "NSE circular of 2024-09-27 (cash market charges); Zerodha charge list",
    },
};

// The row in force on `d`: the last row whose effective date is <= d, else the first row.
template <typename Row>
const Row& RowOn(std::span<const Row> rows, Date d) {
  const Row* best = &rows.front();
  for (const Row& r : rows) {
    if (r.effective <= d) best = &r;
  }
  return *best;
}

// The exact turnover price × qty is raw_ticks × qty / 1e8 currency units. A rate of `ppb` parts
// per billion of it, in minor units, is raw × qty × ppb × minor_per_unit / (1e8 × 1e9).
int64_t PpbOfTurnover(Price price, Quantity qty, int64_t ppb, const Currency& currency,
                      Rounding mode) {
  Int128 n = static_cast<Int128>(price.raw()) * qty.units() * ppb * currency.minor_per_unit();
  Int128 d = static_cast<Int128>(Price::kScale) * 1'000'000'000;
  return static_cast<int64_t>(DivideRounded(n, d, mode));
}

// STT is charged in whole rupees: round the exact amount to the nearest 100 paise, half up.
int64_t SttOfTurnover(Price price, Quantity qty, int64_t ppb) {
  Int128 n = static_cast<Int128>(price.raw()) * qty.units() * ppb * 100;
  Int128 d = static_cast<Int128>(Price::kScale) * 1'000'000'000 * 100;
  return static_cast<int64_t>(DivideRounded(n, d, Rounding::kHalfUp) * 100);
}

Status CheckCurrency(FeeSpec::Kind kind, const Currency& currency, std::string_view expected) {
  if (currency.code() == expected) return Status::Ok();
  return Status::InvalidArgument(fmt::format("fees: {} charges are in {}, not {}",
                                             FeeKindName(kind), expected, currency.code()));
}

void Total(FeeBreakdown& f) {
  f.total = f.brokerage + f.stt + f.exchange + f.sebi + f.gst + f.stamp + f.sec + f.taf + f.other;
}

FeeBreakdown UsEquity(Side side, Quantity qty, Price price, Date trade_date) {
  FeeBreakdown f;
  if (side == Side::kBuy) return f;  // zero commission; both regulatory fees are on sales only
  const SecFeeRate& sec = RowOn(SecFeeRates(), trade_date);
  // fee in cents = proceeds in dollars (raw × qty / 1e8) × cents_per_million / 1e6.
  Int128 n = static_cast<Int128>(price.raw()) * qty.units() * sec.cents_per_million;
  Int128 d = static_cast<Int128>(Price::kScale) * 1'000'000;
  f.sec = static_cast<int64_t>(DivideRounded(n, d, Rounding::kCeiling));
  const TafRate& taf = RowOn(TafRates(), trade_date);
  // cents = shares × micro-dollars / 1e4, rounded up, then capped per trade.
  Int128 taf_cents = DivideRounded(static_cast<Int128>(qty.units()) * taf.micro_usd_per_share,
                                   10'000, Rounding::kCeiling);
  f.taf = static_cast<int64_t>(taf_cents < taf.cap_cents ? taf_cents : taf.cap_cents);
  return f;
}

FeeBreakdown India(bool intraday, Side side, Quantity qty, Price price, const Currency& inr,
                   Date trade_date) {
  const IndiaEquityRates& r = RowOn(IndiaEquityRateTable(), trade_date);
  FeeBreakdown f;
  if (intraday) {
    int64_t pct = PpbOfTurnover(price, qty, r.intraday_brokerage_ppb, inr, Rounding::kHalfUp);
    f.brokerage = pct < r.intraday_brokerage_cap_paise ? pct : r.intraday_brokerage_cap_paise;
    if (side == Side::kSell) f.stt = SttOfTurnover(price, qty, r.intraday_stt_sell_ppb);
  } else {
    f.stt = SttOfTurnover(price, qty, r.delivery_stt_ppb);
  }
  f.exchange = PpbOfTurnover(price, qty, r.exchange_ppb, inr, Rounding::kHalfUp);
  f.sebi = PpbOfTurnover(price, qty, r.sebi_ppb, inr, Rounding::kHalfUp);
  f.gst = static_cast<int64_t>(
      DivideRounded(static_cast<Int128>(f.brokerage + f.exchange + f.sebi) * r.gst_percent, 100,
                    Rounding::kHalfUp));
  if (side == Side::kBuy) {
    f.stamp =
        PpbOfTurnover(price, qty, intraday ? r.intraday_stamp_buy_ppb : r.delivery_stamp_buy_ppb,
                      inr, Rounding::kHalfUp);
  }
  return f;
}

Result<FeeBreakdown> Custom(const FeeSpec& spec, Quantity qty, Price price,
                            const Currency& currency) {
  if (spec.per_order < 0) {
    return Status::InvalidArgument(
        fmt::format("fees: custom per_order must be >= 0, got {}", spec.per_order));
  }
  if (!std::isfinite(spec.percent) || spec.percent < 0 || spec.percent > 100) {
    return Status::InvalidArgument(
        fmt::format("fees: custom percent must be between 0 and 100, got {}", spec.percent));
  }
  // percent → parts per billion once (0.03 % = 300'000 ppb): the one double-to-integer step.
  int64_t ppb = std::llround(spec.percent * 10'000'000.0);
  FeeBreakdown f;
  f.brokerage = spec.per_order + PpbOfTurnover(price, qty, ppb, currency, Rounding::kHalfUp);
  return f;
}

}  // namespace

std::span<const SecFeeRate> SecFeeRates() { return kSecFeeRates; }
std::span<const TafRate> TafRates() { return kTafRates; }
std::span<const IndiaEquityRates> IndiaEquityRateTable() { return kIndiaEquityRates; }

std::string_view FeeKindName(FeeSpec::Kind kind) {
  switch (kind) {
    case FeeSpec::Kind::kNone:
      return "none";
    case FeeSpec::Kind::kUsEquity:
      return "us_equity";
    case FeeSpec::Kind::kIndiaDelivery:
      return "india_delivery";
    case FeeSpec::Kind::kIndiaIntraday:
      return "india_intraday";
    case FeeSpec::Kind::kCustom:
      return "custom";
  }
  return "unknown";
}

Result<FeeBreakdown> ComputeFees(const FeeSpec& spec, Side side, Quantity qty, Price price,
                                 const Currency& currency, Date trade_date) {
  if (qty.units() <= 0) {
    return Status::InvalidArgument(
        fmt::format("fees: quantity must be positive, got {}", qty.units()));
  }
  if (price.raw() <= 0) {
    return Status::InvalidArgument(
        fmt::format("fees: price must be positive, got {}", price.ToString()));
  }
  FeeBreakdown f;
  switch (spec.kind) {
    case FeeSpec::Kind::kNone:
      break;
    case FeeSpec::Kind::kUsEquity:
      KAIROS_RETURN_IF_ERROR(CheckCurrency(spec.kind, currency, "USD"));
      f = UsEquity(side, qty, price, trade_date);
      break;
    case FeeSpec::Kind::kIndiaDelivery:
    case FeeSpec::Kind::kIndiaIntraday:
      KAIROS_RETURN_IF_ERROR(CheckCurrency(spec.kind, currency, "INR"));
      f = India(spec.kind == FeeSpec::Kind::kIndiaIntraday, side, qty, price, currency, trade_date);
      break;
    case FeeSpec::Kind::kCustom: {
      KAIROS_ASSIGN_OR_RETURN(f, Custom(spec, qty, price, currency));
      break;
    }
  }
  Total(f);
  return f;
}

Result<FeeBreakdown> ComputeFees(const FeeSpec& spec, Side side, Quantity qty, Price price,
                                 const Currency& currency) {
  // The newest row of every table is in force from its date on; the largest date is enough.
  Date latest = SecFeeRates().back().effective;
  if (TafRates().back().effective > latest) latest = TafRates().back().effective;
  if (IndiaEquityRateTable().back().effective > latest) {
    latest = IndiaEquityRateTable().back().effective;
  }
  return ComputeFees(spec, side, qty, price, currency, latest);
}

}  // namespace kairos
