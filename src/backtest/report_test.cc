#include "backtest/report.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include <gtest/gtest.h>

namespace kairos::backtest {
namespace {

DailyPnl Row(Date d, int64_t equity) {
  DailyPnl r;
  r.session = d;
  r.strategy = "demo";
  r.equity = equity;
  return r;
}

Price P(std::string_view text) { return *Price::Parse(text); }

// A small hand-made report: allocation 1000.00, equity 1000.00 -> 1100.00 -> 990.00 -> 1045.00,
// one closed trade and one still open.
Report Sample() {
  Report r;
  r.summary.strategy = "demo";
  r.summary.from = Date::FromYmd(2024, 1, 30);
  r.summary.to = Date::FromYmd(2024, 2, 2);
  r.summary.allocation = 100000;
  r.summary.trades = 1;
  r.summary.open_trades = 1;
  r.summary.win_rate = 1.0;
  r.summary.total_return = 0.045;
  r.summary.cagr = 0.5;
  r.summary.max_drawdown = 0.1;
  r.summary.max_drawdown_peak = Date::FromYmd(2024, 1, 31);
  r.summary.max_drawdown_trough = Date::FromYmd(2024, 2, 1);
  r.summary.sharpe = 1.234567891;
  r.summary.sortino = -0.0000001;
  r.summary.profit_factor = std::numeric_limits<double>::infinity();
  r.summary.realized_pnl = 5000;
  r.summary.unrealized_pnl = 500;
  r.summary.fees = 1;
  r.summary.final_equity = 104500;
  r.daily = {Row(Date::FromYmd(2024, 1, 30), 100000), Row(Date::FromYmd(2024, 1, 31), 110000),
             Row(Date::FromYmd(2024, 2, 1), 99000), Row(Date::FromYmd(2024, 2, 2), 104500)};
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
  r.monthly = {{2024, 1, 0.10}, {2024, 2, -0.05}};
  return r;
}

TEST(DrawdownSeriesTest, FractionOfTheRunningPeakStartingAtTheAllocation) {
  Report r = Sample();
  std::vector<double> dd = DrawdownSeries(r.daily, 100000);
  ASSERT_EQ(dd.size(), 4u);
  EXPECT_DOUBLE_EQ(dd[0], 0.0);
  EXPECT_DOUBLE_EQ(dd[1], 0.0);
  EXPECT_DOUBLE_EQ(dd[2], 0.1);  // 1100 -> 990
  EXPECT_DOUBLE_EQ(dd[3], 0.05);
  // A first session below the allocation is already a drawdown.
  EXPECT_DOUBLE_EQ(DrawdownSeries({Row(Date::FromYmd(2024, 1, 2), 90000)}, 100000)[0], 0.1);
}

TEST(SummaryJsonTest, FixedFormattingAndNullForNonFinite) {
  EXPECT_EQ(SummaryJson(Sample()),
            "{\n"
            "  \"strategy\": \"demo\",\n"
            "  \"from\": \"2024-01-30\",\n"
            "  \"to\": \"2024-02-02\",\n"
            "  \"currency\": \"USD\",\n"
            "  \"allocation\": 1000.00,\n"
            "  \"sessions\": 4,\n"
            "  \"trades\": 1,\n"
            "  \"open_trades\": 1,\n"
            "  \"win_rate\": 1.000000,\n"
            "  \"total_return\": 0.045000,\n"
            "  \"cagr\": 0.500000,\n"
            "  \"max_drawdown\": 0.100000,\n"
            "  \"max_drawdown_peak\": \"2024-01-31\",\n"
            "  \"max_drawdown_trough\": \"2024-02-01\",\n"
            "  \"sharpe\": 1.234568,\n"
            "  \"sortino\": 0.000000,\n"
            "  \"profit_factor\": null,\n"
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
  r.summary.win_rate = std::nan("");
  std::string json = SummaryJson(r);
  EXPECT_NE(json.find("\"strategy\": \"a\\\"b\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"max_drawdown_peak\": null"), std::string::npos) << json;
  EXPECT_NE(json.find("\"win_rate\": null"), std::string::npos) << json;
}

TEST(TradesCsvTest, OpenPositionHasEmptyExitColumnsAndFieldsAreQuoted) {
  EXPECT_EQ(TradesCsv(Sample()),
            "symbol,entry_date,entry_price,exit_date,exit_price,qty,pnl,fees,exit_reason\n"
            "AAPL,2024-01-30,100.50,2024-01-31,150.50,1,49.99,0.01,exit_rule\n"
            "\"BRK,B\",2024-02-01,10.00,,,-5,5.00,0.00,\n");
}

TEST(EquityCsvTest, EquityInCurrencyUnitsAndDrawdownFraction) {
  EXPECT_EQ(EquityCsv(Sample()),
            "date,equity,drawdown\n"
            "2024-01-30,1000.00,0.000000\n"
            "2024-01-31,1100.00,0.000000\n"
            "2024-02-01,990.00,0.100000\n"
            "2024-02-02,1045.00,0.050000\n");
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
