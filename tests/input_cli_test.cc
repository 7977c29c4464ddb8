// End-to-end tests of untrusted input at the command line's edge: paths that are no regular
// file, sizes beyond the limits, money beyond the limit, empty option values, usage errors and
// control characters echoed back. Bad input fails with a message and changes nothing stored.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "adapters/sqlite/sqlite_store.h"

#include "cli_testing.h"

namespace kairos {
namespace {

using kairos::testing::Outcome;
using kairos::testing::Quote;
using kairos::testing::ReadFile;
using kairos::testing::RunCaptured;
using kairos::testing::WriteFile;

namespace fs = std::filesystem;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif
#else
constexpr bool kAsan = false;
#endif

std::string Strategy(const std::string& allocation, const std::string& extra = "") {
  return "name = \"dip\"\n"
         "universe = [\"SYN0001\", \"SYN0002\"]\n"
         "entry = \"rsi(close,2) < 30\"\n"
         "approval = \"auto\"\n"
         "allocation = " +
         allocation + "\n" + "sizing = { method = \"fixed_amount\", amount = 5000 }\n" + extra;
}

class InputCliTest : public kairos::testing::KairosCliTest {
 protected:
  // Runs kairos with a time limit and, outside sanitizer builds, a 2 GB address-space limit, so a
  // command that reads without end fails the test instead of the machine.
  Outcome Kairos(const std::vector<std::string>& args) {
    return KairosCliTest::Kairos(args,
                                 std::string(kAsan ? "" : "ulimit -v 2000000; ") + "timeout 20");
  }

  std::string Fifo(const std::string& name) {
    fs::path p = dir_ / name;
    EXPECT_EQ(::mkfifo(p.c_str(), 0600), 0);
    return p.string();
  }
  std::string LinkTo(const std::string& name, const std::string& target) {
    fs::path p = dir_ / name;
    fs::create_symlink(target, p);
    return p.string();
  }

  // What `strategy list` and `data list` print: the stored state a bad input must not change.
  std::string Stored() {
    if (!fs::exists(home_)) return "no home";
    return Kairos({"strategy", "list", "--format", "csv"}).out +
           Kairos({"data", "list", "--format", "csv"}).out;
  }

  void ExpectRefused(const Outcome& r, const std::string& message) {
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find("kairos: error: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
  }
};

TEST_F(InputCliTest, DataImportRefusesDevicesLinksToThemFifosAndTheirLikeInADirectory) {
  ASSERT_EQ(Kairos({"data", "synth", "--symbols", "2", "--sessions", "5"}).code, 0);
  std::string stored = Stored();
  ExpectRefused(Kairos({"data", "import", "/dev/zero"}), "/dev/zero is a character device");
  ExpectRefused(Kairos({"data", "import", LinkTo("zero.csv", "/dev/zero")}),
                "zero.csv is a character device");
  ExpectRefused(Kairos({"data", "import", Fifo("pipe.csv")}), "pipe.csv is a fifo");
  fs::create_directories(dir_ / "csvs");
  WriteFile(dir_ / "csvs" / "AAPL.csv", "date,close\n2024-01-02,10\n");
  fs::create_symlink("/dev/urandom", dir_ / "csvs" / "RANDOM.csv");
  ExpectRefused(Kairos({"data", "import", (dir_ / "csvs").string()}),
                "RANDOM.csv is a character device");
  EXPECT_EQ(Stored(), stored);  // AAPL was not stored either
}

TEST_F(InputCliTest, CsvLineLongerThanTheLimitIsReportedAndNothingStored) {
  std::string csv = "date,close\n2024-01-02,10\n2024-01-03," + std::string(70'000, '1') + "\n";
  Outcome r = Kairos({"data", "import", File("AAPL.csv", csv)});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("AAPL.csv:3: line longer than 64 KiB"), std::string::npos) << r.err;
  EXPECT_EQ(Kairos({"data", "list", "--format", "csv"}).out,
            "symbol,exchange,first,last,bars,kind\n");
}

TEST_F(InputCliTest, StrategyImportRefusesWhatIsNoRegularFile) {
  ExpectRefused(Kairos({"strategy", "import", "/dev/zero"}), "/dev/zero is a character device");
  ExpectRefused(Kairos({"strategy", "import", LinkTo("s.toml", "/dev/urandom")}),
                "s.toml is a character device");
  ExpectRefused(Kairos({"strategy", "import", Fifo("f.toml")}), "f.toml is a fifo");
  fs::create_directories(dir_ / "strategies");
  ExpectRefused(Kairos({"strategy", "import", (dir_ / "strategies").string()}),
                "strategies is a directory, not a strategy file");
  EXPECT_FALSE(fs::exists(home_ / "kairos.db"));
}

TEST_F(InputCliTest, StrategyFileLargerThanTheLimitIsRefused) {
  std::string big = Strategy("100000") + std::string(1 << 20, '#') + "\n";
  ExpectRefused(Kairos({"strategy", "import", File("big.toml", big)}),
                "big.toml is larger than a strategy file may be (1 MiB)");
  EXPECT_FALSE(fs::exists(home_ / "kairos.db"));
}

TEST_F(InputCliTest, BacktestRefusesADeviceAndSaysADirectoryIsOne) {
  ASSERT_EQ(Kairos({"data", "synth", "--symbols", "2", "--sessions", "30"}).code, 0);
  ExpectRefused(Kairos({"backtest", LinkTo("z.toml", "/dev/zero")}),
                "z.toml is a character device");
  fs::create_directories(dir_ / "plans");
  ExpectRefused(Kairos({"backtest", (dir_ / "plans").string()}), "plans is a directory");
}

TEST_F(InputCliTest, UniverseSymbolFileMustBeARegularFile) {
  ASSERT_EQ(Kairos({"data", "synth", "--symbols", "2", "--sessions", "5"}).code, 0);
  ExpectRefused(Kairos({"universe", "define", "u", "--file", "/dev/zero"}),
                "/dev/zero is a character device, not a symbol file");
  EXPECT_EQ(Kairos({"universe", "list", "--format", "csv"}).out,
            "name,kind,definition,symbols,as_of,computed\n");
}

TEST_F(InputCliTest, TaRefusesAnInputThatIsNoRegularFile) {
  ExpectRefused(Kairos({"ta", "sma", "--input", LinkTo("p.csv", "/dev/zero")}),
                "p.csv is a character device, not a CSV file");
  ExpectRefused(Kairos({"ta", "sma", "--input", dir_.string()}), "is a directory, not a CSV file");
}

TEST_F(InputCliTest, OutOfMemoryIsAnErrorNotAnUncaughtException) {
  if (kAsan) GTEST_SKIP() << "an address-space limit stops sanitizers";
  Outcome r = Kairos({"bench", "indicators", "--bars", "1000000000", "--runs", "1"});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("kairos: error: out of memory"), std::string::npos) << r.err;
}

TEST_F(InputCliTest, MoneyAboveTheLimitIsRefusedAtImportAndSetAllocation) {
  Outcome huge = Kairos({"strategy", "import", File("huge.toml", Strategy("92233720368547758"))});
  EXPECT_EQ(huge.code, 1);
  EXPECT_NE(huge.err.find("allocation: expected an amount of at most 1000000000000 USD"),
            std::string::npos)
      << huge.err;
  EXPECT_FALSE(fs::exists(home_ / "kairos.db"));
  Outcome fee =
      Kairos({"strategy", "import",
              File("fee.toml", Strategy("1000", "fees = { per_order = 1000000000001 }\n"))});
  EXPECT_EQ(fee.code, 1);
  ASSERT_EQ(Kairos({"strategy", "import", File("ok.toml", Strategy("1000000000000"))}).code, 0);
  std::string stored = Stored();
  Outcome set = Kairos({"strategy", "set-allocation", "dip", "92233720368547758"});
  ExpectRefused(set, "AMOUNT: at most 1000000000000 USD");
  EXPECT_EQ(Stored(), stored);
}

TEST_F(InputCliTest, StoredAllocationAboveTheLimitStopsARunWithAMessage) {
  ASSERT_EQ(Kairos({"data", "synth", "--symbols", "2", "--sessions", "30"}).code, 0);
  ASSERT_EQ(Kairos({"strategy", "import", File("ok.toml", Strategy("100000"))}).code, 0);
  {
    // A value stored before the limit existed.
    auto db = adapters::sqlite::OpenStore(home_ / "kairos.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->strategies().SetAllocation("dip", 9'223'372'036'854'775'800).ok());
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    Outcome r = Kairos({"run-day"});
    ExpectRefused(r, "strategy dip: the stored allocation");
  }
  EXPECT_EQ(Kairos({"orders", "list", "--format", "csv"}).out.find('\n'),
            Kairos({"orders", "list", "--format", "csv"}).out.size() - 1);  // header only
}

TEST_F(InputCliTest, APriceBeyondTheLedgersRangeStopsARunWithAMessageNotAnAbort) {
  // The most money allowed buys 10^11 shares at 0.01; a bar of 9 x 10^10 later values them
  // beyond 64-bit cents. Every run says so and exits 1; none aborts.
  std::string bars = "date,open,high,low,close,volume\n";
  for (const char* day : {"2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"}) {
    bars += std::string(day) + ",0.01,0.01,0.01,0.01,100000000000000\n";
  }
  bars += "2026-11-06,9e10,9e10,9e10,9e10,100000000000000\n";
  ASSERT_EQ(Kairos({"data", "import", File("PENNY.csv", bars)}).code, 0);
  ASSERT_EQ(Kairos({"strategy", "import",
                    File("penny.toml",
                         "name = \"penny\"\nuniverse = [\"PENNY\"]\nentry = \"close < 1\"\n"
                         "approval = \"auto\"\nallocation = 1000000000000\n"
                         "sizing = { method = \"fixed_amount\", amount = 1000000000000 }\n")})
                .code,
            0);
  for (int attempt = 0; attempt < 2; ++attempt) {
    Outcome r = Kairos({"run-day", "--from", "2026-11-02", "--to", "2026-11-06"});
    ExpectRefused(r,
                  "penny PENNY: marking to the close of 2026-11-06: the value of 100000000000 "
                  "units at 89999999999.99 USD is beyond the ledger's 64-bit range");
  }
  Outcome positions = Kairos({"positions", "--format", "csv"});
  EXPECT_NE(positions.out.find("penny,PENNY,100000000000,0.01"), std::string::npos)
      << positions.out;
}

TEST_F(InputCliTest, UsageErrorsCarryTheErrorPrefixAndExit2) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"data", "import"}, {"no-such-command"}, {"data", "synth", "--symbols", "x"}}) {
    Outcome r = Kairos(args);
    EXPECT_EQ(r.code, 2) << args[0];
    EXPECT_EQ(r.err.rfind("kairos: error: ", 0), 0u) << r.err;
  }
}

TEST_F(InputCliTest, EmptyOptionValuesAreUsageErrorsNotIgnored) {
  ASSERT_EQ(Kairos({"data", "synth", "--symbols", "2", "--sessions", "5"}).code, 0);
  std::string stored = Stored();
  std::string csv = File("long.csv", "symbol,date,close\nAAPL,2024-01-02,10\nMSFT,2024-01-02,20\n");
  Outcome r = Kairos({"data", "import", "--symbol", "", csv});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("kairos: error: --symbol: empty value"), std::string::npos) << r.err;
  EXPECT_EQ(Stored(), stored);
  EXPECT_EQ(Kairos({"scan", "close > 0", "--symbols", ""}).code, 2);
}

TEST_F(InputCliTest, ControlCharactersFromInputAreEscapedOnTheTerminal) {
  std::string csv = "date,close\n2024-01-02,10\n2024-01-03,\x1b]0;owned\x07\x1b[2J\n";
  Outcome r = Kairos({"data", "import", File("AAPL.csv", csv)});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\x07'), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\\x1b]0;owned\\x07\\x1b[2J"), std::string::npos) << r.err;
  Outcome usage = Kairos({"data", "show", "--last", "\x1b[31m"});
  EXPECT_EQ(usage.code, 2);
  EXPECT_EQ(usage.err.find('\x1b'), std::string::npos) << usage.err;
}

TEST_F(InputCliTest, TextThatIsNoUtf8StillListsAsJson) {
  ASSERT_EQ(Kairos({"data", "synth", "--symbols", "2", "--sessions", "60"}).code, 0);
  std::string manual = Strategy("100000");
  manual.replace(manual.find("\"auto\""), 6, "\"manual\"");
  ASSERT_EQ(Kairos({"strategy", "import", File("m.toml", manual)}).code, 0);
  ASSERT_EQ(Kairos({"run-day", "--from", "2026-11-02", "--to", "2026-11-27"}).code, 0);
  std::string csv =
      Kairos({"signals", "list", "--status", "pending_review", "--format", "csv"}).out;
  size_t row = csv.find('\n');
  ASSERT_NE(row, std::string::npos);
  ASSERT_LT(row + 1, csv.size()) << "no pending signal to approve";
  std::string id = csv.substr(row + 1, csv.find(',', row) - row - 1);
  ASSERT_EQ(Kairos({"signals", "approve", id, "--note", "ok \xff\x1b[2J"}).code, 0);
  Outcome json = Kairos({"signals", "list", "--format", "json"});
  EXPECT_EQ(json.code, 0) << json.err;
  EXPECT_NE(json.out.find("ok \xEF\xBF\xBD\\u001b[2J"), std::string::npos) << json.out;
  Outcome table = Kairos({"signals", "list"});
  EXPECT_NE(table.out.find("ok \\xff\\x1b[2J"), std::string::npos) << table.out;
}

TEST_F(InputCliTest, StrategyNamingAMissingUniverseIsRefusedAtImport) {
  std::string text = Strategy("100000");
  text.replace(text.find("universe = [\"SYN0001\", \"SYN0002\"]"),
               std::string("universe = [\"SYN0001\", \"SYN0002\"]").size(), "universe = \"ghost\"");
  Outcome r = Kairos({"strategy", "import", File("ghost.toml", text)});
  ExpectRefused(r, "universe 'ghost' does not exist");
  EXPECT_FALSE(fs::exists(home_ / "kairos.db"));
}

}  // namespace
}  // namespace kairos
