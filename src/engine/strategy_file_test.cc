#include "engine/strategy_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "calendar/calendar.h"

namespace kairos::engine {
namespace {

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(KAIROS_SOURCE_DIR) + "/src/engine/testdata/strategies/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string ReadExample(const std::string& name) {
  std::ifstream in(std::string(KAIROS_SOURCE_DIR) + "/examples/strategies/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A valid file of the required keys, one per line in this order, with some replaced (an empty
// value drops the line) and `extra` lines appended after them.
std::string File(const std::map<std::string, std::string>& over = {},
                 const std::string& extra = "") {
  const std::vector<std::pair<std::string, std::string>> base = {
      {"name", "\"t\""},
      {"universe", "[\"GOOG\"]"},
      {"entry", "\"close > sma(close, 20)\""},
      {"allocation", "1000"},
      {"sizing", "{ method = \"fixed_qty\", qty = 1 }"},
  };
  std::string out;
  for (const auto& [key, value] : base) {
    auto it = over.find(key);
    std::string v = it == over.end() ? value : it->second;
    if (!v.empty()) out += key + " = " + v + "\n";
  }
  return out + extra;
}

// The error text of a file that must be refused.
std::string Error(const std::string& text) {
  auto spec = ParseStrategy(text, "s.toml");
  EXPECT_FALSE(spec.ok()) << text;
  if (spec.ok()) return "";
  EXPECT_EQ(spec.status().code(), StatusCode::kInvalidArgument);
  return spec.status().message();
}

TEST(StrategyFileTest, ParsesEveryKey) {
  auto spec = ParseStrategy(ReadTestdata("full.toml"), "full.toml");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->name, "full_example");
  EXPECT_EQ(spec->description, "every key set");
  EXPECT_EQ(spec->exchange, "NSE");
  EXPECT_EQ(spec->currency, Currency::Inr());
  EXPECT_EQ(spec->universe, "");
  EXPECT_EQ(spec->symbols, (std::vector<std::string>{"RELIANCE", "TCS"}));
  EXPECT_EQ(spec->timeframe, Timeframe::kWeekly);
  EXPECT_EQ(spec->side, PositionSide::kShort);
  EXPECT_EQ(spec->entry, "crossunder(sma(close,10), sma(close,30))");
  EXPECT_EQ(spec->exit, "crossover(sma(close,10), sma(close,30))");
  EXPECT_EQ(spec->stop_loss.kind, LevelSpec::Kind::kDistance);
  EXPECT_EQ(spec->stop_loss.expr, "2*atr(14)");
  EXPECT_EQ(spec->take_profit.kind, LevelSpec::Kind::kPercent);
  EXPECT_EQ(spec->take_profit.percent, 10);
  EXPECT_EQ(spec->trailing_stop.kind, LevelSpec::Kind::kPrice);
  EXPECT_EQ(spec->trailing_stop.expr, "highest(high, 10)");
  EXPECT_EQ(spec->max_hold, 20);
  EXPECT_EQ(spec->approval, Approval::kAuto);
  EXPECT_EQ(spec->review_cutoff_minute, 8 * 60 + 45);
  EXPECT_EQ(spec->execution, Execution::kSameClose);
  EXPECT_EQ(spec->order_type, EntryOrderType::kLimit);
  EXPECT_EQ(spec->limit_offset_percent, 0.5);
  // 100000.10 read as decimal text: exactly 10,000,010 paise.
  EXPECT_EQ(spec->allocation, 10'000'010);
  EXPECT_EQ(spec->sizing.method, SizingSpec::Method::kRisk);
  EXPECT_EQ(spec->sizing.percent, 1.5);
  EXPECT_EQ(spec->max_positions, 5);
  EXPECT_EQ(spec->max_new_per_day, 2);
  EXPECT_EQ(spec->rank, "rsi(close,14)");
  EXPECT_EQ(spec->fees.kind, FeeSpec::Kind::kCustom);
  EXPECT_EQ(spec->fees.per_order, 2050);
  EXPECT_EQ(spec->fees.percent, 0.03);
  EXPECT_EQ(spec->slippage_bps, 7.5);
  EXPECT_FALSE(spec->enabled);
}

TEST(StrategyFileTest, Defaults) {
  auto spec = ParseStrategy(ReadTestdata("minimal.toml"), "minimal.toml");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->name, "minimal");
  EXPECT_EQ(spec->description, "");
  EXPECT_EQ(spec->exchange, "NYSE");
  EXPECT_EQ(spec->currency, Currency::Usd());
  EXPECT_EQ(spec->universe, "liquid");
  EXPECT_TRUE(spec->symbols.empty());
  EXPECT_EQ(spec->timeframe, Timeframe::kDaily);
  EXPECT_EQ(spec->side, PositionSide::kLong);
  EXPECT_EQ(spec->exit, "");
  EXPECT_FALSE(spec->stop_loss.present());
  EXPECT_FALSE(spec->take_profit.present());
  EXPECT_FALSE(spec->trailing_stop.present());
  EXPECT_EQ(spec->max_hold, 0);
  EXPECT_EQ(spec->approval, Approval::kManual);
  EXPECT_EQ(spec->review_cutoff_minute, 9 * 60);
  EXPECT_EQ(spec->execution, Execution::kNextOpen);
  EXPECT_EQ(spec->order_type, EntryOrderType::kMarket);
  EXPECT_EQ(spec->allocation, 500'000);
  EXPECT_EQ(spec->sizing.method, SizingSpec::Method::kFixedQty);
  EXPECT_EQ(spec->sizing.qty, 10);
  EXPECT_EQ(spec->max_positions, 1);
  EXPECT_EQ(spec->max_new_per_day, 1);
  EXPECT_EQ(spec->rank, "");
  EXPECT_EQ(spec->fees.kind, FeeSpec::Kind::kNone);
  EXPECT_EQ(spec->slippage_bps, 0);
  EXPECT_TRUE(spec->enabled);
}

TEST(StrategyFileTest, ExamplesAreValid) {
  auto sma = ParseStrategy(ReadExample("sma_cross.toml"), "sma_cross.toml");
  ASSERT_TRUE(sma.ok()) << sma.status().ToString();
  EXPECT_EQ(sma->name, "sma_cross");
  EXPECT_EQ(sma->approval, Approval::kAuto);
  auto rsi = ParseStrategy(ReadExample("rsi_dip.toml"), "rsi_dip.toml");
  ASSERT_TRUE(rsi.ok()) << rsi.status().ToString();
  EXPECT_EQ(rsi->name, "rsi_dip");
  EXPECT_EQ(rsi->approval, Approval::kManual);
  EXPECT_EQ(rsi->stop_loss.kind, LevelSpec::Kind::kDistance);
  EXPECT_EQ(rsi->take_profit.percent, 10);
}

TEST(StrategyFileTest, MoneyIsExactDecimal) {
  auto a = ParseStrategy(File({{"allocation", "0.29"}}), "s.toml");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->allocation, 29);  // 0.29 * 100 in double is 28.999999999999996
  auto b = ParseStrategy(File({{"allocation", "\"1234567.89\""}}), "s.toml");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->allocation, 123456789);
  auto c = ParseStrategy(File({{"allocation", "1_000_000.5"}}), "s.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->allocation, 100000050);
  auto d = ParseStrategy(File({{"sizing", "{ method = \"fixed_amount\", amount = 2500.05 }"}}),
                         "s.toml");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->sizing.amount, 250005);
}

TEST(StrategyFileTest, MoneyAboveTheLimitIsRefused) {
  auto at = ParseStrategy(File({{"allocation", "1000000000000"}}), "s.toml");
  ASSERT_TRUE(at.ok()) << at.status().ToString();
  EXPECT_EQ(at->allocation, kMaxAmountUnits * 100);
  auto above = ParseStrategy(File({{"allocation", "92233720368547758"}}), "s.toml");
  ASSERT_FALSE(above.ok());
  EXPECT_EQ(above.status().message(),
            "s.toml:4:14: allocation: expected an amount of at most 1000000000000 USD (the limit "
            "of money inputs), got 92233720368547758");
  auto amount = ParseStrategy(
      File({{"sizing", "{ method = \"fixed_amount\", amount = 1000000000000.01 }"}}), "s.toml");
  EXPECT_FALSE(amount.ok());
  auto fee = ParseStrategy(File({}, "fees = { per_order = \"1000000000001\" }\n"), "s.toml");
  EXPECT_FALSE(fee.ok());
}

TEST(StrategyFileTest, LevelKinds) {
  auto s = ParseStrategy(File({},
                              "stop_loss = \"lowest(low, 10)\"\n"
                              "take_profit = { distance = \"3 * stddev(close, 20)\" }\n"
                              "trailing_stop = \"8%\"\n"),
                         "s.toml");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->stop_loss.kind, LevelSpec::Kind::kPrice);
  EXPECT_EQ(s->take_profit.kind, LevelSpec::Kind::kDistance);
  EXPECT_EQ(s->take_profit.expr, "3 * stddev(close, 20)");
  EXPECT_EQ(s->trailing_stop.kind, LevelSpec::Kind::kPercent);
  EXPECT_EQ(s->trailing_stop.percent, 8);
  EXPECT_EQ(DescribeLevel(s->stop_loss), "price: lowest(low, 10)");
  EXPECT_EQ(DescribeLevel(s->trailing_stop), "8%");
}

TEST(StrategyFileTest, PresetFeesAndSizingMethods) {
  for (auto [text, kind] : std::vector<std::pair<std::string, FeeSpec::Kind>>{
           {"\"none\"", FeeSpec::Kind::kNone},
           {"\"us_equity\"", FeeSpec::Kind::kUsEquity},
           {"\"india_delivery\"", FeeSpec::Kind::kIndiaDelivery},
           {"\"india_intraday\"", FeeSpec::Kind::kIndiaIntraday}}) {
    auto s = ParseStrategy(File({}, "fees = " + text + "\n"), "s.toml");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->fees.kind, kind) << text;
  }
  auto p = ParseStrategy(File({{"sizing", "{ method = \"percent\", percent = \"20%\" }"}}), "s");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->sizing.method, SizingSpec::Method::kPercent);
  EXPECT_EQ(p->sizing.percent, 20);
  // [sizing] as a section works like the inline table.
  auto section =
      ParseStrategy(File({{"sizing", ""}}, "[sizing]\nmethod = \"fixed_qty\"\nqty = 3\n"), "s");
  ASSERT_TRUE(section.ok()) << section.status().ToString();
  EXPECT_EQ(section->sizing.qty, 3);
}

TEST(StrategyFileTest, RegularHoursAgreeWithCalendars) {
  for (std::string_view name : {"NYSE", "NASDAQ", "NSE"}) {
    auto cal = calendar::ExchangeCalendar::ForExchange(name);
    ASSERT_TRUE(cal.ok());
    // 2025-01-08 is a regular Wednesday session on both.
    auto session = (*cal)->SessionOf(Date::FromYmd(2025, 1, 8));
    ASSERT_TRUE(session.ok());
    EXPECT_EQ(RegularOpenMinute(name), session->open_minute_local) << name;
    EXPECT_EQ(RegularCloseMinute(name), session->close_minute_local) << name;
  }
}

struct BadCase {
  const char* what;
  std::string text;
  std::string error;
};

TEST(StrategyFileTest, EachBadCaseHasItsExactError) {
  const std::vector<BadCase> cases = {
      {"syntax", "name = \"t\"\nuniverse = [\"GOOG\"\n",
       "s.toml:2:20: TOML syntax error: Error while parsing array: encountered end-of-file"},
      {"name pattern", File({{"name", "\"SMA Cross\""}}),
       "s.toml:1:8: name: expected 1 to 64 lower-case letters, digits or '_', got \"SMA Cross\""},
      {"name wrong type", File({{"name", "42"}}),
       "s.toml:1:8: name: expected 1 to 64 lower-case letters, digits or '_', got 42"},
      {"unknown key with suggestion", File({}, "alocation = 5\n"),
       "s.toml:6:1: alocation: unknown key — did you mean 'allocation'?"},
      {"unknown key without suggestion", File({}, "colour = \"blue\"\n"),
       "s.toml:6:1: colour: unknown key"},
      {"unknown sizing key", File({{"sizing", "{ method = \"fixed_qty\", qty = 1, qyt = 2 }"}}),
       "s.toml:5:43: sizing.qyt: unknown key — did you mean 'qty'?"},
      {"missing entry", File({{"entry", ""}}), "s.toml:1:1: entry: required key is missing"},
      {"bad enum", File({}, "side = \"sideways\"\n"),
       "s.toml:6:8: side: expected \"long\" or \"short\", got \"sideways\""},
      {"enum wrong type", File({}, "approval = true\n"),
       "s.toml:6:12: approval: expected \"manual\" or \"auto\", got true"},
      {"bad exchange", File({}, "exchange = \"LSE\"\n"),
       "s.toml:6:12: exchange: expected \"NYSE\", \"NASDAQ\" or \"NSE\", got \"LSE\""},
      {"universe empty", File({{"universe", "[]"}}),
       "s.toml:2:12: universe: expected a universe name (lower-case letters, digits, '_') or a "
       "non-empty array of symbols, got an empty array"},
      {"universe upper-case name", File({{"universe", "\"GOOG\""}}),
       "s.toml:2:12: universe: expected a universe name (lower-case letters, digits, '_') or a "
       "non-empty array of symbols, got \"GOOG\""},
      {"universe bad symbol", File({{"universe", "[\"GOOG\", 7, \"GOOG\"]"}}),
       "s.toml:2:21: universe[1]: expected a symbol like \"GOOG\", got 7\ns.toml:2:24: "
       "universe[2]: \"GOOG\" is listed twice"},
      {"bad rule with caret", File({{"entry", "\"close > emaa(close, 20)\""}}),
       "s.toml:3:18: entry: unknown indicator 'emaa' — did you mean 'ema'?\n  entry = \"close > "
       "emaa(close, 20)\"\n                   ^"},
      {"rule syntax error", File({{"entry", "\"close > \""}}),
       "s.toml:3:18: entry: the rule ends where a value was expected\n  entry = \"close > \"\n     "
       "              ^"},
      {"entry not boolean", File({{"entry", "\"sma(close, 20)\""}}),
       "s.toml:3:10: entry: a rule must be a condition (true or false), but this is a number; "
       "compare it, e.g. 'rsi(close) < 30'\n  entry = \"sma(close, 20)\"\n           ^"},
      {"bad percent", File({}, "stop_loss = \"150%\"\n"),
       "s.toml:6:13: stop_loss: expected a percent above 0 and below 100 like \"5%\", got "
       "\"150%\""},
      {"percent garbage", File({}, "trailing_stop = \"5 %\"\n"),
       "s.toml:6:17: trailing_stop: expected a percent above 0 and below 100 like \"5%\", got \"5 "
       "%\""},
      {"stop expression unknown", File({}, "stop_loss = \"2*atrr(14)\"\n"),
       "s.toml:6:16: stop_loss: unknown indicator 'atrr' — did you mean 'atr'?\n  stop_loss = "
       "\"2*atrr(14)\"\n                 ^"},
      {"stop boolean", File({}, "stop_loss = \"close > 1\"\n"),
       "s.toml:6:13: stop_loss: expected a number expression, got \"close > 1\""},
      {"rank not a number", File({}, "rank = \"rsi(close) < 30\"\n"),
       "s.toml:6:8: rank: expected a number expression, got \"rsi(close) < 30\""},
      {"negative allocation", File({{"allocation", "-5"}}),
       "s.toml:4:14: allocation: expected an amount above 0 in USD with at most 2 decimals like "
       "100000 or 2500.50, got -5"},
      {"allocation too precise", File({{"allocation", "100.123"}}),
       "s.toml:4:14: allocation: expected an amount above 0 in USD with at most 2 decimals like "
       "100000 or 2500.50, got 100.123"},
      {"allocation exponent", File({{"allocation", "1e5"}}),
       "s.toml:4:14: allocation: expected an amount above 0 in USD with at most 2 decimals like "
       "100000 or 2500.50, got 1e5"},
      {"risk without stop", File({{"sizing", "{ method = \"risk\", percent = 1 }"}}),
       "s.toml:5:21: sizing.method: \"risk\" sizes by the distance to the stop and needs a "
       "stop_loss, got none"},
      {"sizing missing field", File({{"sizing", "{ method = \"fixed_amount\" }"}}),
       "s.toml:5:10: sizing.amount: required by method = \"fixed_amount\""},
      {"sizing field of another method",
       File({{"sizing", "{ method = \"fixed_qty\", qty = 1, amount = 5 }"}}),
       "s.toml:5:52: sizing.amount: not used by method = \"fixed_qty\""},
      {"sizing zero qty", File({{"sizing", "{ method = \"fixed_qty\", qty = 0 }"}}),
       "s.toml:5:40: sizing.qty: expected an integer >= 1, got 0"},
      {"sizing not a table", File({{"sizing", "\"fixed_qty\""}}),
       "s.toml:5:10: sizing: expected a table like { method = \"fixed_qty\", qty = 10 }, got "
       "\"fixed_qty\""},
      {"sizing percent over 100", File({{"sizing", "{ method = \"percent\", percent = 120 }"}}),
       "s.toml:5:42: sizing.percent: expected a percent above 0 and at most 100 like \"10%\", got "
       "120"},
      {"bad cutoff text", File({}, "review_cutoff = \"9am\"\n"),
       "s.toml:6:17: review_cutoff: expected an exchange-local time \"HH:MM\" like \"09:00\", got "
       "\"9am\""},
      {"cutoff after open", File({}, "review_cutoff = \"09:45\"\n"),
       "s.toml:6:17: review_cutoff: expected a time before the NYSE open (09:30) for execution = "
       "\"next_open\", got \"09:45\""},
      {"cutoff after NSE open", File({}, "exchange = \"NSE\"\nreview_cutoff = \"09:20\"\n"),
       "s.toml:7:17: review_cutoff: expected a time before the NSE open (09:15) for execution = "
       "\"next_open\", got \"09:20\""},
      {"cutoff after close same_close",
       File({}, "execution = \"same_close\"\nreview_cutoff = \"16:30\"\n"),
       "s.toml:7:17: review_cutoff: expected a time before the NYSE close (16:00) for execution = "
       "\"same_close\", got \"16:30\""},
      {"limit without offset", File({}, "order_type = \"limit\"\n"),
       "s.toml:6:14: order_type: \"limit\" needs limit_offset (like \"0.5%\"), got none"},
      {"offset without limit", File({}, "limit_offset = \"0.5%\"\n"),
       "s.toml:6:16: limit_offset: only used with order_type = \"limit\", got no order_type "
       "(market)"},
      {"max_positions zero", File({}, "max_positions = 0\n"),
       "s.toml:6:17: max_positions: expected an integer from 1 to 100000, got 0"},
      {"max_new_per_day float", File({}, "max_new_per_day = 1.5\n"),
       "s.toml:6:19: max_new_per_day: expected an integer from 1 to 100000, got 1.5"},
      {"max_hold negative", File({}, "max_hold = -3\n"),
       "s.toml:6:12: max_hold: expected an integer from 1 to 100000, got -3"},
      {"slippage too high", File({}, "slippage_bps = 2000\n"),
       "s.toml:6:16: slippage_bps: expected a number from 0 to 1000, got 2000"},
      {"bad fee preset", File({}, "fees = \"zero\"\n"),
       "s.toml:6:8: fees: expected \"none\", \"us_equity\", \"india_delivery\" or "
       "\"india_intraday\" or a table { per_order = 1.00, percent = 0.03 }, got \"zero\""},
      {"custom fee negative", File({}, "fees = { per_order = -1, percent = 0.03 }\n"),
       "s.toml:6:22: fees.per_order: expected an amount of at least 0 in USD with at most 2 "
       "decimals like 100000 or 2500.50, got -1"},
      {"custom fee empty", File({}, "fees = {}\n"),
       "s.toml:6:8: fees: expected per_order and/or percent in a custom fee table, got a table"},
      {"enabled not bool", File({}, "enabled = \"yes\"\n"),
       "s.toml:6:11: enabled: expected true or false, got \"yes\""},
      {"duplicate key", File({}, "name = \"u\"\n"),
       "s.toml:6:8: TOML syntax error: Error while parsing key-value pair: cannot redefine "
       "existing string 'name'"},
  };
  for (const BadCase& c : cases) {
    EXPECT_EQ(Error(c.text), c.error) << c.what;
  }
}

TEST(StrategyFileTest, EveryProblemOfAFileIsReportedInFileOrder) {
  EXPECT_EQ(
      Error(ReadTestdata("many_problems.toml")),
      "s.toml:1:1: allocation: required key is missing\n"
      "s.toml:2:8: name: expected 1 to 64 lower-case letters, digits or '_', got \"Bad Name\"\n"
      "s.toml:3:12: universe: expected a universe name (lower-case letters, digits, '_') or a "
      "non-empty array of symbols, got an empty array\n"
      "s.toml:4:8: side: expected \"long\" or \"short\", got \"sideways\"\n"
      "s.toml:5:18: entry: unknown indicator 'emaa' — did you mean 'ema'?\n"
      "  entry = \"close > emaa(close, 20)\"\n"
      "                   ^\n"
      "s.toml:6:13: stop_loss: expected a percent above 0 and below 100 like \"5%\", got \"150%\"\n"
      "s.toml:7:1: alocation: unknown key — did you mean 'allocation'?\n"
      "s.toml:9:17: max_positions: expected an integer from 1 to 100000, got 0\n"
      "s.toml:10:16: slippage_bps: expected a number from 0 to 1000, got 2000");
}

TEST(StrategyFileTest, MultiLineRuleErrorShowsTheRuleItself) {
  std::string text = File({{"entry", ""}}, "entry = \"\"\"\nclose > 1 and\nfoo(close) > 2\"\"\"\n");
  EXPECT_EQ(Error(text),
            "s.toml:5:9: entry: unknown indicator 'foo' (rule 2:1)\n  foo(close) > 2\n  ^");
}

}  // namespace
}  // namespace kairos::engine
