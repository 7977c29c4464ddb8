#include "backtest/report.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include <gtest/gtest.h>

namespace kairos::backtest {
namespace {

Price P(std::string_view text) { return *Price::Parse(text); }

// A small hand-made report: starting equity 1000.00, equity 1000.00 -> 1100.00 -> 990.00 ->
// 1045.00, one closed trade and one still open.
Report Sample() {
  Report r;
  Summary& s = r.summary;
  s.strategy = "demo";
  s.from = Date::FromYmd(2024, 1, 30);
  s.to = Date::FromYmd(2024, 2, 2);
  s.starting_equity = 100000;
  s.sessions = 4;
  s.trades = 1;
  s.open_trades = 1;
  s.win_rate = 100.0;
  s.total_return = 4.5;
  s.cagr = 50.0;
  s.max_drawdown = 10.0;
  s.max_drawdown_value = 11000;
  s.max_drawdown_peak = Date::FromYmd(2024, 1, 31);
  s.max_drawdown_trough = Date::FromYmd(2024, 2, 1);
  s.sharpe = 1.234567891;
  s.sortino = -0.0000001;
  s.profit_factor = std::nullopt;  // no loss
  s.exposure = 75;
  s.realized_pnl = 5000;
  s.unrealized_pnl = 500;
  s.fees = 1;
  s.final_equity = 104500;
  r.equity = {{Date::FromYmd(2024, 1, 30), 100000, 0},
              {Date::FromYmd(2024, 1, 31), 110000, 0},
              {Date::FromYmd(2024, 2, 1), 99000, 11000},
              {Date::FromYmd(2024, 2, 2), 104500, 5500}};
  TradeRow closed{"AAPL",     Date::FromYmd(2024, 1, 30), P("100.5"), Date::FromYmd(2024, 1, 31),
                  P("150.5"), Quantity::FromUnits(1),     4999,       1,
                  "exit_rule"};
  TradeRow open{"BRK,B",
                Date::FromYmd(2024, 2, 1),
                P("10"),
                std::nullopt,
                std::nullopt,
                Quantity::FromUnits(-5),
                500,
                0,
                ""};
  r.trades = {closed, open};
  r.monthly = {{2024, 1, 10.0}, {2024, 2, -5.0}};
  return r;
}

TEST(SummaryJsonTest, FixedFormattingAndNullForUndefined) {
  EXPECT_EQ(SummaryJson(Sample()),
            "{\n"
            "  \"strategy\": \"demo\",\n"
            "  \"from\": \"2024-01-30\",\n"
            "  \"to\": \"2024-02-02\",\n"
            "  \"currency\": \"USD\",\n"
            "  \"starting_equity\": 1000.00,\n"
            "  \"sessions\": 4,\n"
            "  \"trades\": 1,\n"
            "  \"open_trades\": 1,\n"
            "  \"win_rate\": 100.000000,\n"
            "  \"total_return\": 4.500000,\n"
            "  \"cagr\": 50.000000,\n"
            "  \"max_drawdown\": 10.000000,\n"
            "  \"max_drawdown_value\": 110.00,\n"
            "  \"max_drawdown_peak\": \"2024-01-31\",\n"
            "  \"max_drawdown_trough\": \"2024-02-01\",\n"
            "  \"sharpe\": 1.234568,\n"
            "  \"sortino\": 0.000000,\n"
            "  \"profit_factor\": null,\n"
            "  \"exposure\": 75.000000,\n"
            "  \"realized_pnl\": 50.00,\n"
            "  \"unrealized_pnl\": 5.00,\n"
            "  \"fees\": 0.01,\n"
            "  \"final_equity\": 1045.00\n"
            "}\n");
}

TEST(SummaryJsonTest, NoDrawdownDatesAreNullAndNamesAreEscaped) {
  Report r = Sample();
  r.summary.strategy = "a\"b";
  r.summary.max_drawdown_peak.reset();
  r.summary.max_drawdown_trough.reset();
  r.summary.win_rate = std::nullopt;
  r.summary.sharpe = std::nan("");
  std::string json = SummaryJson(r);
  EXPECT_NE(json.find("\"strategy\": \"a\\\"b\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"max_drawdown_peak\": null"), std::string::npos) << json;
  EXPECT_NE(json.find("\"win_rate\": null"), std::string::npos) << json;
  EXPECT_NE(json.find("\"sharpe\": null"), std::string::npos) << json;
}

TEST(TradesCsvTest, OpenPositionHasEmptyExitColumnsAndFieldsAreQuoted) {
  EXPECT_EQ(TradesCsv(Sample()),
            "symbol,entry_date,entry_price,exit_date,exit_price,qty,pnl,fees,exit_reason\n"
            "AAPL,2024-01-30,100.50,2024-01-31,150.50,1,49.99,0.01,exit_rule\n"
            "\"BRK,B\",2024-02-01,10.00,,,-5,5.00,0.00,\n");
}

TEST(EquityCsvTest, EquityAndDrawdownInCurrencyUnits) {
  EXPECT_EQ(EquityCsv(Sample()),
            "date,equity,drawdown\n"
            "2024-01-30,1000.00,0.00\n"
            "2024-01-31,1100.00,0.00\n"
            "2024-02-01,990.00,110.00\n"
            "2024-02-02,1045.00,55.00\n");
}

TEST(ReportHtmlTest, SelfContainedWithChartsMonthlyTableAndTrades) {
  std::string html = ReportHtml(Sample());
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>"));
  // Opens offline: no script, no external resource of any kind.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  // Two inline SVG charts: the equity line and the drawdown area.
  EXPECT_NE(html.find("aria-label=\"equity curve\""), std::string::npos);
  EXPECT_NE(html.find("aria-label=\"drawdown\""), std::string::npos);
  EXPECT_NE(html.find("<polyline"), std::string::npos);
  EXPECT_NE(html.find("<polygon"), std::string::npos);
  // Monthly table: one row for 2024 with January +10.0 %, February -5.0 % and the year 4.5 %.
  EXPECT_NE(html.find("<th class=\"l\">2024</th>"), std::string::npos);
  EXPECT_NE(html.find(">10.0%</td>"), std::string::npos);
  EXPECT_NE(html.find(">-5.0%</td>"), std::string::npos);
  EXPECT_NE(html.find("<b>4.5%</b>"), std::string::npos);
  // Trade list, with the open one marked and the symbol escaped safely.
  EXPECT_NE(html.find("<td class=\"l\">AAPL</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>open</td>"), std::string::npos);
}

TEST(ReportHtmlTest, EscapesNamesAndSurvivesAnEmptyRun) {
  Report r;
  r.summary.strategy = "<x&y>";
  std::string html = ReportHtml(r);
  EXPECT_NE(html.find("&lt;x&amp;y&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<x&y>"), std::string::npos);
  EXPECT_NE(html.find("no sessions"), std::string::npos);
}

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(WriteReportTest, WritesTheFourFilesByteIdenticallyTwice) {
  auto base =
      std::filesystem::temp_directory_path() /
      ("kairos_report_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::remove_all(base);
  ASSERT_TRUE(WriteReport(Sample(), base / "a").ok());
  ASSERT_TRUE(WriteReport(Sample(), base / "b").ok());
  for (const char* name : {"summary.json", "trades.csv", "equity.csv", "report.html"}) {
    std::string a = ReadAll(base / "a" / name);
    EXPECT_FALSE(a.empty()) << name;
    EXPECT_EQ(a, ReadAll(base / "b" / name)) << name;
  }
  EXPECT_EQ(ReadAll(base / "a" / "trades.csv"), TradesCsv(Sample()));
  std::filesystem::remove_all(base);
}

TEST(WriteReportTest, UnwritableDirectoryIsAnIOErrorNamingIt) {
  auto base = std::filesystem::temp_directory_path() / "kairos_report_test_file";
  { std::ofstream(base) << "x"; }
  Status s = WriteReport(Sample(), base / "out");
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  EXPECT_NE(s.message().find((base / "out").string()), std::string::npos) << s.message();
  EXPECT_EQ(ReadAll(base), "x");  // nothing changed
  std::filesystem::remove(base);
}

}  // namespace
}  // namespace kairos::backtest
