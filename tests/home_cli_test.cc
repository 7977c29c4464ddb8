// End-to-end tests of the kairos home: only commands that store new data create one, an empty
// or unusable home setting is an error, and listings work on a home nobody may write.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "cli_testing.h"

namespace kairos {
namespace {

using kairos::testing::Outcome;
using kairos::testing::Quote;
using kairos::testing::ReadFile;
using kairos::testing::RunCaptured;
using kairos::testing::WriteFile;

namespace fs = std::filesystem;

const char kStrategy[] =
    "name = \"dip\"\n"
    "universe = [\"SYN0001\", \"SYN0002\"]\n"
    "entry = \"rsi(close,2) < 30\"\n"
    "exit = \"rsi(close,2) > 60\"\n"
    "approval = \"auto\"\n"
    "allocation = 100000\n"
    "sizing = { method = \"fixed_amount\", amount = 5000 }\n";

class HomeCliTest : public kairos::testing::KairosCliTest {
 protected:
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
    for (auto it = fs::recursive_directory_iterator(dir_, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
    }
    fs::remove_all(dir_);
  }

  // Runs `prefix kairos --home <home> args...` from `dir_` as the working directory.
  Outcome Kairos(const std::vector<std::string>& args, const std::string& prefix = "") {
    return KairosCliTest::Kairos(args, "cd " + Quote(dir_.string()) + " && " + prefix);
  }
  // Runs kairos without --home, with `env` before it (e.g. "env -u HOME").
  Outcome KairosNoHome(const std::vector<std::string>& args, const std::string& env) {
    std::string cmd = "cd " + Quote(dir_.string()) + " && " + env + " " + Quote(KAIROS_BIN);
    for (const auto& a : args) cmd += " " + Quote(a);
    return RunCaptured(cmd, dir_);
  }

  std::string StrategyFile() {
    fs::path p = dir_ / "dip.toml";
    WriteFile(p, kStrategy);
    return p.string();
  }

  // A home with bars, a strategy, a universe and a day of trading.
  void PopulateHome() {
    ASSERT_EQ(Kairos({"data", "synth", "--symbols", "3", "--sessions", "60"}).code, 0);
    Outcome imported = Kairos({"strategy", "import", StrategyFile()});
    ASSERT_EQ(imported.code, 0) << imported.err;
    Outcome uni = Kairos({"universe", "define", "two", "--symbols", "SYN0001,SYN0002"});
    ASSERT_EQ(uni.code, 0) << uni.err;
    Outcome run = Kairos({"run-day", "--from", "2026-11-02", "--to", "2026-11-27"});
    ASSERT_EQ(run.code, 0) << run.err;
  }

  // Every file under the home with its bytes.
  std::map<std::string, std::string> Snapshot() {
    std::map<std::string, std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(home_)) {
      if (e.is_regular_file()) files[fs::relative(e.path(), home_).string()] = ReadFile(e.path());
    }
    return files;
  }
};

// The listings (and the commands that only read) a person runs on a home.
const std::vector<std::vector<std::string>> kListings = {
    {"strategy", "list"},  {"strategy", "show", "dip"},
    {"signals", "list"},   {"orders", "list"},
    {"fills", "list"},     {"positions"},
    {"pnl", "daily"},      {"pnl", "summary"},
    {"data", "list"},      {"data", "show", "SYN0001"},
    {"universe", "list"},  {"universe", "show", "two"},
    {"scan", "close > 0"}, {"scan", "close > 0", "--universe", "two"}};

TEST_F(HomeCliTest, CommandsThatOnlyReadOrChangeRefuseAMissingHomeAndCreateNothing) {
  std::vector<std::vector<std::string>> commands = kListings;
  commands.push_back({"run-day"});
  commands.push_back({"halt"});
  commands.push_back({"resume"});
  commands.push_back({"strategy", "enable", "dip"});
  commands.push_back({"strategy", "set-allocation", "dip", "1000"});
  commands.push_back({"universe", "define", "u", "--symbols", "A"});
  commands.push_back({"backtest", StrategyFile()});
  for (const auto& args : commands) {
    Outcome r = Kairos(args);
    EXPECT_EQ(r.code, 1) << args[0] << " " << r.err;
    EXPECT_NE(r.err.find("kairos: error: no kairos home at " + home_.string()), std::string::npos)
        << args[0] << ": " << r.err;
    EXPECT_FALSE(fs::exists(home_)) << args[0];
  }
}

TEST_F(HomeCliTest, CommandsThatStoreDataCreateTheHome) {
  Outcome imported = Kairos({"strategy", "import", StrategyFile()});
  ASSERT_EQ(imported.code, 0) << imported.err;
  EXPECT_TRUE(fs::exists(home_ / "kairos.db"));
  fs::remove_all(home_);
  Outcome synth = Kairos({"data", "synth", "--symbols", "2", "--sessions", "5"});
  ASSERT_EQ(synth.code, 0) << synth.err;
  EXPECT_TRUE(fs::is_directory(home_ / "bars"));
  fs::remove_all(home_);
  WriteFile(dir_ / "AAPL.csv", "date,close\n2024-01-02,10\n");
  Outcome data = Kairos({"data", "import", (dir_ / "AAPL.csv").string()});
  ASSERT_EQ(data.code, 0) << data.err;
  EXPECT_TRUE(fs::is_directory(home_ / "bars"));
}

TEST_F(HomeCliTest, EmptyHomeFlagIsAnErrorNotTheDefaultHome) {
  Outcome r = KairosNoHome({"--home", "", "strategy", "import", StrategyFile()},
                           "env HOME=" + Quote(dir_.string()));
  EXPECT_NE(r.code, 0);
  EXPECT_EQ(r.err.rfind("kairos: error: ", 0), 0u) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / ".kairos"));
}

TEST_F(HomeCliTest, EmptyKairosHomeIsAnErrorNotTheDefaultHome) {
  Outcome r = KairosNoHome({"strategy", "import", StrategyFile()},
                           "env KAIROS_HOME= HOME=" + Quote(dir_.string()));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("kairos: error: KAIROS_HOME is set but empty"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / ".kairos"));
}

TEST_F(HomeCliTest, UnsetHomeIsAnErrorNotAHomeInTheWorkingDirectory) {
  Outcome r = KairosNoHome({"strategy", "import", StrategyFile()}, "env -u HOME -u KAIROS_HOME");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("kairos: error: no usable HOME (not set)"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / ".kairos"));
}

TEST_F(HomeCliTest, ListingsOnAHomeWithoutADatabaseCreateNone) {
  WriteFile(dir_ / "AAPL.csv", "date,close\n2024-01-02,10\n");
  ASSERT_EQ(Kairos({"data", "import", (dir_ / "AAPL.csv").string()}).code, 0);
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"strategy", "list"}, {"positions"}, {"orders", "list"}, {"pnl", "daily"}}) {
    Outcome r = Kairos(args);
    EXPECT_EQ(r.code, 0) << args[0] << ": " << r.err;
  }
  EXPECT_FALSE(fs::exists(home_ / "kairos.db"));
}

TEST_F(HomeCliTest, ListingsChangeNoStoredByte) {
  PopulateHome();
  std::map<std::string, std::string> before = Snapshot();
  for (const auto& args : kListings) {
    Outcome r = Kairos(args);
    EXPECT_EQ(r.code, 0) << args[0] << ": " << r.err;
  }
  std::map<std::string, std::string> after = Snapshot();
  // SQLite's read-only connection may leave the WAL index files; they hold no data.
  after.erase("kairos.db-shm");
  after.erase("kairos.db-wal");
  before.erase("kairos.db-shm");
  before.erase("kairos.db-wal");
  EXPECT_EQ(before, after);
}

// A home its user may not write: as root (the test machines) write permission bits do not
// stop writes, so the listings run as the unprivileged user `nobody` through setpriv.
TEST_F(HomeCliTest, ListingsWorkOnAHomeTheUserCannotWrite) {
  PopulateHome();
  std::map<std::vector<std::string>, std::string> expected;
  for (const auto& args : kListings) {
    Outcome r = Kairos(args);
    ASSERT_EQ(r.code, 0) << args[0] << ": " << r.err;
    expected[args] = r.out;
  }
  // The state the last writer leaves: no WAL files.
  fs::remove(home_ / "kairos.db-shm");
  fs::remove(home_ / "kairos.db-wal");
  std::string prefix;
  if (::geteuid() == 0) {
    prefix = "setpriv --reuid=65534 --regid=65534 --clear-groups";
    std::string probe = prefix + " test -x " + Quote(KAIROS_BIN) + " -a -r " +
                        Quote(home_.string()) + " >/dev/null 2>&1";
    if (std::system(probe.c_str()) != 0) {
      GTEST_SKIP() << "no setpriv, or the user nobody cannot run " << KAIROS_BIN;
    }
  }
  for (auto it = fs::recursive_directory_iterator(home_); it != fs::recursive_directory_iterator();
       ++it) {
    fs::permissions(it->path(),
                    fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write,
                    fs::perm_options::remove);
  }
  fs::permissions(home_, fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write,
                  fs::perm_options::remove);
  std::map<std::string, std::string> before = Snapshot();
  for (const auto& args : kListings) {
    Outcome r = Kairos(args, prefix);
    EXPECT_EQ(r.code, 0) << args[0] << " " << args.back() << ": " << r.err;
    EXPECT_EQ(r.out, expected[args]) << args[0] << " " << args.back();
  }
  EXPECT_EQ(Snapshot(), before);
  // A command that writes says why it cannot.
  Outcome resume = Kairos({"resume"}, prefix);
  EXPECT_EQ(resume.code, 1);
  EXPECT_EQ(resume.err, "kairos: error: cannot write the kairos home " + home_.string() +
                            ": Permission denied (listings still work)\n");
}

}  // namespace
}  // namespace kairos
