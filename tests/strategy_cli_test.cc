// End-to-end tests of `kairos strategy ...` and `kairos pnl ...`: each runs the real binary against
// a fresh home. P&L rows and fills are written through the SQLite store directly, as the trading
// day would.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/sqlite/sqlite_store.h"
#include "core/fixed_point.h"
#include "engine/strategy_file.h"

namespace kairos {
#include "cli_testing.h"

namespace {

using kairos::testing::Lines;
using kairos::testing::Outcome;
using kairos::testing::Quote;
using kairos::testing::ReadFile;
using kairos::testing::RunCaptured;
using kairos::testing::WriteFile;

namespace fs = std::filesystem;

const char kSma[] =
    "name = \"sma_cross\"\n"
    "universe = [\"GOOG\", \"MSFT\"]\n"
    "entry = \"crossover(sma(close,10), sma(close,30))\"\n"
    "exit = \"crossunder(sma(close,10), sma(close,30))\"\n"
    "approval = \"auto\"\n"
    "allocation = 100000\n"
    "sizing = { method = \"fixed_qty\", qty = 10 }\n";

class StrategyCliTest : public kairos::testing::KairosCliTest {
 protected:
  std::unique_ptr<ports::Store> Db() {
    auto db = adapters::sqlite::OpenStore(home_ / "kairos.db");
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return std::move(db).value();
  }
};

TEST_F(StrategyCliTest, ImportStoresVersionsAndListShowsThem) {
  std::string file = File("sma.toml", kSma);
  Outcome first = Kairos({"strategy", "import", file});
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_EQ(first.out, "strategy sma_cross: version 1 stored\n");
  Outcome again = Kairos({"strategy", "import", file});
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(again.out, "strategy sma_cross: unchanged (version 1)\n");
  File("sma.toml", std::string(kSma) + "max_positions = 3\n");
  Outcome changed = Kairos({"strategy", "import", file});
  ASSERT_EQ(changed.code, 0) << changed.err;
  EXPECT_EQ(changed.out, "strategy sma_cross: version 2 stored\n");

  Outcome list = Kairos({"strategy", "list", "--format", "csv"});
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_EQ(list.out,
            "name,version,enabled,approval,execution,universe,allocation,currency\n"
            "sma_cross,2,yes,auto,next_open,GOOG MSFT,100000.00,USD\n");
  Outcome table = Kairos({"strategy", "list"});
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_EQ(table.out,
            "name       version  enabled  approval  execution  universe   allocation  currency\n"
            "sma_cross  2        yes      auto      next_open  GOOG MSFT  100000.00   USD\n");
}

TEST_F(StrategyCliTest, BadFileListsEveryProblemAndStoresNothing) {
  ASSERT_EQ(Kairos({"strategy", "import", File("sma.toml", kSma)}).code, 0);
  std::string bad = File("bad.toml",
                         "name = \"sma_cross\"\n"
                         "universe = [\"GOOG\"]\n"
                         "entry = \"close > emaa(close, 20)\"\n"
                         "alocation = 100\n"
                         "sizing = { method = \"risk\", percent = 1 }\n");
  Outcome r = Kairos({"strategy", "import", bad});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "kairos: error: " + bad + " is not a valid strategy (4 problems; nothing stored):\n" +
                bad + ":1:1: allocation: required key is missing\n" + bad +
                ":3:18: entry: unknown indicator 'emaa' — did you mean 'ema'?\n"
                "  entry = \"close > emaa(close, 20)\"\n"
                "                   ^\n" +
                bad + ":4:1: alocation: unknown key — did you mean 'allocation'?\n" + bad +
                ":5:21: sizing.method: \"risk\" sizes by the distance to the stop and needs a "
                "stop_loss, got none\n");
  // The stored strategy is unchanged: still version 1 with its own entry rule.
  Outcome list = Kairos({"strategy", "list", "--format", "csv"});
  EXPECT_EQ(list.out,
            "name,version,enabled,approval,execution,universe,allocation,currency\n"
            "sma_cross,1,yes,auto,next_open,GOOG MSFT,100000.00,USD\n");
  auto record = Db()->strategies().Get("sma_cross");
  ASSERT_TRUE(record.ok());
  EXPECT_EQ((*record)->source, kSma);
}

TEST_F(StrategyCliTest, BadFileOnAnEmptyHomeStoresNothing) {
  Outcome r = Kairos({"strategy", "import", File("bad.toml", "name = 3\n")});
  EXPECT_EQ(r.code, 1);
  EXPECT_FALSE(fs::exists(home_ / "kairos.db"));
  Outcome missing = Kairos({"strategy", "import", (dir_ / "nope.toml").string()});
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.err, "kairos: error: cannot read " + (dir_ / "nope.toml").string() +
                             ": No such file or directory\n");
}

TEST_F(StrategyCliTest, ShowEveryFieldAndTheSource) {
  std::string file = File("sma.toml", kSma);
  ASSERT_EQ(Kairos({"strategy", "import", file}).code, 0);
  Outcome r = Kairos({"strategy", "show", "sma_cross"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "name             sma_cross\n"
            "version          1\n"
            "enabled          yes\n"
            "description      \n"
            "exchange         NYSE\n"
            "currency         USD\n"
            "universe         GOOG MSFT\n"
            "timeframe        daily\n"
            "side             long\n"
            "entry            crossover(sma(close,10), sma(close,30))\n"
            "exit             crossunder(sma(close,10), sma(close,30))\n"
            "stop_loss        none\n"
            "take_profit      none\n"
            "trailing_stop    none\n"
            "max_hold         none\n"
            "approval         auto\n"
            "review_cutoff    09:00\n"
            "execution        next_open\n"
            "order_type       market\n"
            "limit_offset     none\n"
            "allocation       100000.00\n"
            "file_allocation  100000.00\n"
            "sizing           fixed_qty: 10 shares\n"
            "max_positions    1\n"
            "max_new_per_day  1\n"
            "rank             none\n"
            "fees             none\n"
            "slippage_bps     0\n"
            "\n# source of version 1\n" +
                std::string(kSma));
  Outcome json = Kairos({"strategy", "show", "sma_cross", "--format", "json"});
  ASSERT_EQ(json.code, 0) << json.err;
  EXPECT_NE(json.out.find("\"entry\": \"crossover(sma(close,10), sma(close,30))\""),
            std::string::npos)
      << json.out;
  EXPECT_NE(json.out.find("\"source\": \"name = \\\"sma_cross\\\"\\n"), std::string::npos)
      << json.out;
}

TEST_F(StrategyCliTest, EnableDisableAndSetAllocation) {
  ASSERT_EQ(Kairos({"strategy", "import", File("sma.toml", kSma)}).code, 0);
  Outcome off = Kairos({"strategy", "disable", "sma_cross"});
  ASSERT_EQ(off.code, 0) << off.err;
  EXPECT_EQ(off.out, "strategy sma_cross: disabled\n");
  EXPECT_EQ(Kairos({"strategy", "disable", "sma_cross"}).out,
            "strategy sma_cross: already disabled\n");
  Outcome alloc = Kairos({"strategy", "set-allocation", "sma_cross", "150000.50"});
  ASSERT_EQ(alloc.code, 0) << alloc.err;
  EXPECT_EQ(alloc.out, "strategy sma_cross: allocation 150000.50 USD (was 100000.00 USD)\n");
  Outcome list = Kairos({"strategy", "list", "--format", "csv"});
  EXPECT_EQ(list.out,
            "name,version,enabled,approval,execution,universe,allocation,currency\n"
            "sma_cross,1,no,auto,next_open,GOOG MSFT,150000.50,USD\n");
  // A re-import of the same file changes neither the switch nor the allocation.
  EXPECT_EQ(Kairos({"strategy", "import", File("sma.toml", kSma)}).out,
            "strategy sma_cross: unchanged (version 1)\n");
  EXPECT_EQ(Kairos({"strategy", "list", "--format", "csv"}).out, list.out);
  Outcome on = Kairos({"strategy", "enable", "sma_cross", "--format", "json"});
  ASSERT_EQ(on.code, 0) << on.err;
  EXPECT_EQ(on.out, "[\n  {\n    \"strategy\": \"sma_cross\",\n    \"enabled\": \"yes\"\n  }\n]\n");

  Outcome bad = Kairos({"strategy", "set-allocation", "sma_cross", "12.345"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_EQ(bad.err,
            "kairos: error: AMOUNT: expected an amount above 0 in USD with at most 2 decimals "
            "like 150000 or 2500.50, got '12.345'\n");
  Outcome negative = Kairos({"strategy", "set-allocation", "sma_cross", "-5"});
  EXPECT_EQ(negative.code, 1);
  EXPECT_EQ(Kairos({"strategy", "list", "--format", "csv"}).out,
            "name,version,enabled,approval,execution,universe,allocation,currency\n"
            "sma_cross,1,yes,auto,next_open,GOOG MSFT,150000.50,USD\n");
}

TEST_F(StrategyCliTest, UnknownNamesAreRefused) {
  ASSERT_EQ(Kairos({"strategy", "import", File("sma.toml", kSma)}).code, 0);
  for (std::vector<std::string> args :
       std::vector<std::vector<std::string>>{{"strategy", "show", "x"},
                                             {"strategy", "enable", "x"},
                                             {"strategy", "disable", "x"},
                                             {"strategy", "set-allocation", "x", "100"},
                                             {"pnl", "daily", "--strategy", "x"},
                                             {"pnl", "monthly", "--strategy", "x"},
                                             {"pnl", "summary", "--strategy", "x"}}) {
    Outcome r = Kairos(args);
    EXPECT_EQ(r.code, 1) << args[1];
    EXPECT_EQ(r.err, "kairos: error: no strategy named 'x'\n") << args[1];
    EXPECT_EQ(r.out, "") << args[1];
  }
}

TEST_F(StrategyCliTest, ExampleStrategiesImport) {
  for (const char* name : {"sma_cross", "rsi_dip"}) {
    std::string file = std::string(KAIROS_SOURCE_DIR) + "/examples/strategies/" + name + ".toml";
    Outcome r = Kairos({"strategy", "import", file});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, std::string("strategy ") + name + ": version 1 stored\n");
  }
}

// Two sessions of P&L for sma_cross (the example of engine/analytics_test.cc, shortened) and one
// round trip: bought 10 GOOG at 100 on 2024-01-02, sold at 103 on 2024-02-01.
void WritePnl(ports::Store& db) {
  auto put = [&](Date d, int64_t realized, int64_t unrealized, int64_t fees, int64_t equity) {
    DailyPnl r;
    r.session = d;
    r.strategy = "sma_cross";
    r.realized = realized;
    r.unrealized = unrealized;
    r.fees = fees;
    r.equity = equity;
    ASSERT_TRUE(db.ledger().PutDailyPnl(r).ok());
  };
  // Allocation 10,000,000 cents.
  put(Date::FromYmd(2024, 1, 2), 0, 5000, 100, 10'004'900);
  put(Date::FromYmd(2024, 1, 3), 0, -2000, 0, 9'997'900);
  put(Date::FromYmd(2024, 2, 1), 3000, 0, 100, 10'002'800);
  auto fill = [&](const char* id, Date d, Side side, const char* price) {
    Fill f;
    f.execution_id = id;
    f.client_order_id = std::string("c") + id;
    f.symbol = "GOOG";
    f.side = side;
    f.qty = Quantity::FromUnits(10);
    f.price = *Price::Parse(price);
    f.fees = 100;
    f.session = d;
    auto recorded = db.ledger().RecordFill(f, "sma_cross");
    ASSERT_TRUE(recorded.ok()) << recorded.status().ToString();
  };
  fill("1", Date::FromYmd(2024, 1, 2), Side::kBuy, "100");
  fill("2", Date::FromYmd(2024, 2, 1), Side::kSell, "103");
}

TEST_F(StrategyCliTest, PnlDailyMonthlyAndSummary) {
  ASSERT_EQ(Kairos({"strategy", "import", File("sma.toml", kSma)}).code, 0);
  {
    auto db = Db();
    WritePnl(*db);
  }
  Outcome daily = Kairos({"pnl", "daily", "--format", "csv"});
  ASSERT_EQ(daily.code, 0) << daily.err;
  EXPECT_EQ(daily.out,
            "date,strategy,realized,unrealized,fees,equity\n"
            "2024-01-02,sma_cross,0.00,50.00,1.00,100049.00\n"
            "2024-01-03,sma_cross,0.00,-20.00,0.00,99979.00\n"
            "2024-02-01,sma_cross,30.00,0.00,1.00,100028.00\n");
  Outcome window = Kairos({"pnl", "daily", "--strategy", "sma_cross", "--from", "2024-01-03",
                           "--to", "2024-01-31", "--format", "csv"});
  ASSERT_EQ(window.code, 0) << window.err;
  EXPECT_EQ(window.out,
            "date,strategy,realized,unrealized,fees,equity\n"
            "2024-01-03,sma_cross,0.00,-20.00,0.00,99979.00\n");

  Outcome monthly = Kairos({"pnl", "monthly", "--format", "csv"});
  ASSERT_EQ(monthly.code, 0) << monthly.err;
  // January ends at 99,979.00 from 100,000.00 (-0.021%); February at 100,028.00 (+0.049%).
  EXPECT_EQ(monthly.out,
            "month,strategy,realized,fees,end_equity,return_pct\n"
            "2024-01,sma_cross,0.00,1.00,99979.00,-0.02\n"
            "2024-02,sma_cross,30.00,1.00,100028.00,0.05\n");

  Outcome summary = Kairos({"pnl", "summary", "--format", "csv"});
  ASSERT_EQ(summary.code, 0) << summary.err;
  // Start 100,000.00, end 100,028.00: +28.00 (0.028%). Peak 100,049.00 on 01-02, trough
  // 99,979.00 on 01-03 (70.00 = 0.07%), not recovered. One trade: (103 - 100) x 10 = 30.00 less
  // 2.00 of fees = 28.00, a win. Open at the close of 01-02 and 01-03: 2 of 3 sessions.
  // Daily returns 0.00049, -0.00069966, 0.00049010: Sharpe 2.16, Sortino 3.67 (sqrt(252)).
  EXPECT_EQ(summary.out,
            "strategy,sessions,start_equity,end_equity,net_pnl,fees,return_pct,cagr_pct,"
            "max_drawdown,max_drawdown_pct,drawdown_peak,drawdown_trough,drawdown_recovery,"
            "sharpe,sortino,trades,win_rate_pct,profit_factor,average_win,average_loss,"
            "exposure_pct\n"
            "sma_cross,3,100000.00,100028.00,28.00,2.00,0.03,0.33,70.00,0.07,2024-01-02,"
            "2024-01-03,,2.16,3.67,1,100.00,,28.00,,66.67\n");
  Outcome table = Kairos({"pnl", "summary"});
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_EQ(table.out,
            "metric             sma_cross\n"
            "sessions           3\n"
            "start_equity       100000.00\n"
            "end_equity         100028.00\n"
            "net_pnl            28.00\n"
            "fees               2.00\n"
            "return_pct         0.03\n"
            "cagr_pct           0.33\n"
            "max_drawdown       70.00\n"
            "max_drawdown_pct   0.07\n"
            "drawdown_peak      2024-01-02\n"
            "drawdown_trough    2024-01-03\n"
            "drawdown_recovery  -\n"
            "sharpe             2.16\n"
            "sortino            3.67\n"
            "trades             1\n"
            "win_rate_pct       100.00\n"
            "profit_factor      -\n"
            "average_win        28.00\n"
            "average_loss       -\n"
            "exposure_pct       66.67\n");

  Outcome bad_date = Kairos({"pnl", "daily", "--from", "2024-13-01"});
  EXPECT_EQ(bad_date.code, 1);
  EXPECT_NE(bad_date.err.find("kairos: error: --from: "), std::string::npos) << bad_date.err;
}

TEST_F(StrategyCliTest, PnlWithoutRows) {
  fs::create_directories(home_);  // a home without a database reads as an empty one
  Outcome daily = Kairos({"pnl", "daily", "--format", "csv"});
  ASSERT_EQ(daily.code, 0) << daily.err;
  EXPECT_EQ(daily.out, "date,strategy,realized,unrealized,fees,equity\n");
  Outcome summary = Kairos({"pnl", "summary"});
  ASSERT_EQ(summary.code, 0) << summary.err;
  EXPECT_EQ(summary.out, "no daily P&L stored yet (kairos run-day writes it)\n");
}

}  // namespace
}  // namespace kairos
