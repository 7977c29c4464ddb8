// Processes on one home (docs/ARCHITECTURE.md "Processes on one home"): the trading lock taken by
// run-day, halt and resume, the bar store's writer lock, readers that never write, and trading
// runs, a halt and an import in parallel ending as a sequential run would.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "concurrency_testing.h"
#include "core/testing/lock_holder.h"

namespace {

using kairos::FileLock;
using kairos::testing::DailyTraderStrategy;
using kairos::testing::HoldLockInChild;
using kairos::testing::KairosRunner;
using kairos::testing::Lines;
using kairos::testing::Outcome;
using kairos::testing::ReadFile;
using kairos::testing::Rows;
using kairos::testing::ScratchRoot;
using kairos::testing::SessionsOf;
using kairos::testing::WriteFile;
using std::chrono::milliseconds;

namespace fs = std::filesystem;

constexpr const char* kLastSynthSession = "2026-11-27";

void Stop(pid_t pid) {
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

// (name, inode, mtime) of every file under `dir`: equal snapshots mean nothing was written.
std::map<std::string, std::pair<uint64_t, int64_t>> Snapshot(const fs::path& dir) {
  std::map<std::string, std::pair<uint64_t, int64_t>> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    struct stat st;
    if (::stat(e.path().c_str(), &st) != 0) continue;
    out[e.path().string()] = {static_cast<uint64_t>(st.st_ino),
                              st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec};
  }
  return out;
}

class ConcurrencyTest : public ::testing::Test {
 protected:
  // One prepared home for the suite: 20 synthetic symbols of 60 sessions and the strategy.
  static void SetUpTestSuite() {
    root_ = new fs::path(ScratchRoot() / ("kairos_concurrency_" + std::to_string(::getpid())));
    fs::remove_all(*root_);
    fs::create_directories(*root_);
    KairosRunner k(*root_);
    fs::path home = *root_ / "template";
    Outcome syn =
        k.Run(home, {"data", "synth", "--symbols", "20", "--sessions", "60", "--seed", "11"});
    ASSERT_EQ(syn.code, 0) << syn.err;
    WriteFile(*root_ / "daily.toml", DailyTraderStrategy());
    Outcome st = k.Run(home, {"strategy", "import", (*root_ / "daily.toml").string()});
    ASSERT_EQ(st.code, 0) << st.err;
    WriteFile(*root_ / "zzz.csv",
              "Date,Open,High,Low,Close,Volume\n2026-11-20,10,11,9,10,1000\n"
              "2026-11-23,10,11,9,10,1000\n");
  }
  static void TearDownTestSuite() {
    fs::remove_all(*root_);
    delete root_;
  }

  void SetUp() override {
    dir_ = *root_ / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    home_ = dir_ / "home";
    fs::copy(*root_ / "template", home_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Outcome Kairos(const std::vector<std::string>& args, const std::string& env = "") {
    KairosRunner k(dir_);
    return kairos::testing::RunCaptured(env + " " + k.CommandLine(home_, args), dir_);
  }

  static fs::path* root_;
  fs::path dir_;
  fs::path home_;
};

fs::path* ConcurrencyTest::root_ = nullptr;

TEST_F(ConcurrencyTest, SecondRunDayIsRefusedNamingTheFirst) {
  const std::string first = "kairos run-day --date 2026-11-20";
  pid_t holder = HoldLockInChild(home_ / "locks" / "trading.lock", first, milliseconds(20'000));
  Outcome second = Kairos({"run-day", "--date", "2026-11-20"}, "KAIROS_LOCK_WAIT_MS=300");
  Stop(holder);
  EXPECT_EQ(second.code, 1) << second.out;
  EXPECT_EQ(second.err.rfind("kairos: error: another kairos command holds the trading lock on " +
                                 home_.string() + ": pid " + std::to_string(holder) + ", `" +
                                 first + "`, since ",
                             0),
            0u)
      << second.err;
  EXPECT_NE(second.err.find("; try again when it ends"), std::string::npos) << second.err;
  // Nothing ran: the home still has no order and no signal.
  KairosRunner k(dir_);
  Outcome orders = k.Run(home_, {"orders", "list", "--format", "csv"});
  EXPECT_EQ(Lines(orders.out).size(), 1u) << orders.out;
  Outcome signals = k.Run(home_, {"signals", "list", "--format", "csv"});
  EXPECT_EQ(Lines(signals.out).size(), 1u) << signals.out;
}

TEST_F(ConcurrencyTest, HaltWaitsForARunningTradingRun) {
  pid_t holder =
      HoldLockInChild(home_ / "locks" / "trading.lock", "kairos run-day", milliseconds(1'500));
  auto start = std::chrono::steady_clock::now();
  Outcome halt = Kairos({"halt", "--squareoff"});
  auto waited = std::chrono::steady_clock::now() - start;
  ::waitpid(holder, nullptr, 0);
  EXPECT_EQ(halt.code, 0) << halt.err;
  EXPECT_GE(waited, milliseconds(1'200)) << "halt did not wait for the trading run";
}

TEST_F(ConcurrencyTest, HaltThatCannotGetTheLockStillHaltsAndSaysWhatItDidNotDo) {
  pid_t holder =
      HoldLockInChild(home_ / "locks" / "trading.lock", "kairos run-day", milliseconds(20'000));
  Outcome halt = Kairos({"halt", "--squareoff"}, "KAIROS_LOCK_WAIT_MS=200");
  Stop(holder);
  EXPECT_EQ(halt.code, 1);
  EXPECT_NE(halt.err.find("kairos: error: halt is on, but no open order was cancelled and nothing "
                          "was squared off: another kairos command holds the trading lock"),
            std::string::npos)
      << halt.err;
  EXPECT_NE(halt.err.find("run `kairos halt --squareoff` again then"), std::string::npos)
      << halt.err;
  Outcome again = Kairos({"halt", "--format", "csv"});
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(Lines(again.out).at(1).rfind("yes,yes,", 0), 0u) << again.out;  // already halted
}

TEST_F(ConcurrencyTest, ResumeTakesTheTradingLock) {
  pid_t holder =
      HoldLockInChild(home_ / "locks" / "trading.lock", "kairos run-day", milliseconds(20'000));
  Outcome resume = Kairos({"resume"}, "KAIROS_LOCK_WAIT_MS=100");
  Stop(holder);
  EXPECT_EQ(resume.code, 1) << resume.out;
  EXPECT_NE(resume.err.find("holds the trading lock"), std::string::npos) << resume.err;
}

TEST_F(ConcurrencyTest, BadLockWaitIsRefusedWithoutChange) {
  for (const char* env : {"KAIROS_LOCK_WAIT_MS=soon", "KAIROS_LOCK_WAIT_MS=-1"}) {
    Outcome halt = Kairos({"halt"}, env);
    EXPECT_EQ(halt.code, 1) << env;
    EXPECT_NE(halt.err.find("expected a whole number of milliseconds"), std::string::npos)
        << halt.err;
    Outcome imp = Kairos({"data", "import", (*root_ / "zzz.csv").string(), "--symbol", "ZZZ"}, env);
    EXPECT_EQ(imp.code, 1) << env;
  }
  Outcome again = Kairos({"halt", "--format", "csv"});
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(Lines(again.out).at(1).rfind("yes,no,", 0), 0u) << "a refused halt halted";
  Outcome list = Kairos({"data", "list", "--format", "csv"});
  EXPECT_EQ(Lines(list.out).size(), 21u) << "a refused import stored something";
}

TEST_F(ConcurrencyTest, DataListWritesNothingUnderBarsEvenWithAStaleManifest) {
  fs::path bars = home_ / "bars";
  // A manifest that no longer describes the files (as a killed import leaves it).
  fs::remove(bars / "manifest.tsv");
  auto before = Snapshot(home_);
  Outcome list = Kairos({"data", "list", "--format", "csv"});
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_EQ(Lines(list.out).size(), 21u) << list.out;  // header + 20 symbols
  Outcome scan = Kairos({"scan", "rsi(close,2) < 30", "--format", "csv"});
  EXPECT_EQ(scan.code, 0) << scan.err;
  EXPECT_EQ(Snapshot(home_), before) << "a reader wrote under the home";
  EXPECT_FALSE(fs::exists(bars / "manifest.tsv"));
  // The next write writes the rebuilt manifest.
  Outcome imp = Kairos({"data", "import", (*root_ / "zzz.csv").string(), "--symbol", "ZZZ"});
  ASSERT_EQ(imp.code, 0) << imp.err;
  size_t entries = 0;
  for (const auto& line : Lines(ReadFile(bars / "manifest.tsv"))) entries += line[0] != '#';
  EXPECT_EQ(entries, 21u);
}

TEST_F(ConcurrencyTest, DataListDuringImportsWritesNothingUnderBars) {
  fs::path manifest = home_ / "bars" / "manifest.tsv";
  // Readers racing imports: every import succeeds, and the manifest is only replaced by imports.
  for (int round = 0; round < 4; ++round) {
    KairosRunner k(dir_);
    std::vector<std::vector<std::string>> commands = {
        {"data", "import", (*root_ / "zzz.csv").string(), "--symbol", "ZZZ"}};
    for (int i = 0; i < 4; ++i) commands.push_back({"data", "list", "--format", "csv"});
    std::vector<Outcome> out = k.RunParallel(home_, commands);
    for (const auto& o : out) EXPECT_EQ(o.code, 0) << o.err;
  }
  fs::remove(manifest);
  auto before = Snapshot(home_);
  KairosRunner k(dir_);
  std::vector<Outcome> out = k.RunParallel(
      home_, std::vector<std::vector<std::string>>(4, {"data", "list", "--format", "csv"}));
  for (const auto& o : out) EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(Snapshot(home_), before);
}

TEST_F(ConcurrencyTest, KilledWritersTempFilesAreRemovedAtTheNextWrite) {
  fs::path bars = home_ / "bars";
  WriteFile(bars / "SYN0001.kbar.tmp", "half a file");
  WriteFile(bars / "manifest.tsv.tmp", "half a manifest");
  Outcome list = Kairos({"data", "list", "--format", "csv"});
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_TRUE(fs::exists(bars / "SYN0001.kbar.tmp")) << "a reader removed a file";
  Outcome imp = Kairos({"data", "import", (*root_ / "zzz.csv").string(), "--symbol", "ZZZ"});
  ASSERT_EQ(imp.code, 0) << imp.err;
  EXPECT_FALSE(fs::exists(bars / "SYN0001.kbar.tmp"));
  EXPECT_FALSE(fs::exists(bars / "manifest.tsv.tmp"));
  Outcome show = Kairos({"data", "list", "--format", "csv"});
  EXPECT_EQ(Lines(show.out).size(), 22u) << show.out;
}

TEST_F(ConcurrencyTest, ImportWhileAnotherWriterHoldsTheBarStoreIsRefusedNamingIt) {
  const std::string writer = "kairos data import big/";
  pid_t holder = HoldLockInChild(home_ / "locks" / "bars.lock", writer, milliseconds(20'000));
  Outcome imp = Kairos({"data", "import", (*root_ / "zzz.csv").string(), "--symbol", "ZZZ"},
                       "KAIROS_LOCK_WAIT_MS=200");
  Stop(holder);
  EXPECT_EQ(imp.code, 1);
  EXPECT_NE(imp.err.find("another kairos command holds the bar store writer lock on " +
                         (home_ / "bars").string() + ": pid " + std::to_string(holder) + ", `" +
                         writer + "`"),
            std::string::npos)
      << imp.err;
  Outcome list = Kairos({"data", "list", "--format", "csv"});
  EXPECT_EQ(Lines(list.out).size(), 21u) << "the refused import stored something";
}

// Two run-days of each session, an import and (in the second part) a halt with square-off, all
// in parallel on one home. Without the halt the listings must equal a sequential run's exactly;
// the halt is serialised with the runs in an order the test does not control (before or after
// either run of its session), so the part with it is checked by the ledger invariants and by
// the halt's own report.
TEST_F(ConcurrencyTest, TwoRunsAHaltAndAnImportInParallelMatchASequentialRun) {
  KairosRunner k(dir_);
  fs::path reference = dir_ / "reference";
  fs::copy(home_, reference, fs::copy_options::recursive);
  Outcome ref = k.Run(
      reference, {"run-day", "--from", "2026-10-15", "--to", kLastSynthSession, "--format", "csv"});
  ASSERT_EQ(ref.code, 0) << ref.err;
  std::vector<std::string> sessions = SessionsOf(ref.out);
  ASSERT_GE(sessions.size(), 25u);
  const size_t halt_at = sessions.size() - 4;

  const std::vector<std::string> import = {"data", "import", (*root_ / "zzz.csv").string(),
                                           "--symbol", "ZZZ"};
  for (size_t i = 0; i < halt_at; ++i) {
    const std::vector<std::string> run = {"run-day", "--date", sessions[i], "--format", "csv"};
    std::vector<Outcome> out = k.RunParallel(home_, {run, run, import});
    for (const auto& o : out) ASSERT_EQ(o.code, 0) << sessions[i] << ": " << o.err;
    // One of the two ran the session, the other found it done.
    bool first_ran = out[0].out.find(",ran\n") != std::string::npos;
    bool second_ran = out[1].out.find(",ran\n") != std::string::npos;
    EXPECT_NE(first_ran, second_ran) << sessions[i] << ":\n" << out[0].out << out[1].out;
    EXPECT_NE((first_ran ? out[1] : out[0]).out.find(",already done"), std::string::npos);
  }
  // The reference ran the same sessions one by one (its further sessions are not compared).
  fs::path reference_part = dir_ / "reference_part";
  fs::copy(*root_ / "template", reference_part, fs::copy_options::recursive);
  Outcome part = k.Run(reference_part, {"run-day", "--from", sessions.front(), "--to",
                                        sessions[halt_at - 1], "--format", "csv"});
  ASSERT_EQ(part.code, 0) << part.err;
  EXPECT_EQ(k.Listings(home_), k.Listings(reference_part));
  k.ExpectLedgerInvariants(home_, "before the halt");

  // The halt with square-off races both runs of its session.
  const std::vector<std::string> run = {"run-day", "--date", sessions[halt_at], "--format", "csv"};
  std::vector<Outcome> out =
      k.RunParallel(home_, {run, {"halt", "--squareoff", "--format", "csv"}, run, import});
  for (const auto& o : out) ASSERT_EQ(o.code, 0) << o.err;
  k.ExpectLedgerInvariants(home_, "after the halt");
  // What the halt reported is true: its cancelled orders are cancelled.
  std::map<std::string, std::string> status;
  for (const auto& o : Rows(k.Run(home_, {"orders", "list", "--format", "csv"}).out)) {
    status[o[3]] = o[10];
  }
  std::vector<std::string> squareoffs;
  for (const auto& line : Lines(out[1].err)) {
    if (line.rfind("cancelled ", 0) == 0) {
      EXPECT_EQ(status[line.substr(10)], "cancelled") << line;
    }
    if (line.rfind("square-off order ", 0) == 0) squareoffs.push_back(line.substr(17));
  }
  EXPECT_FALSE(squareoffs.empty()) << out[1].out << out[1].err;
  // The remaining sessions run halted: the square-off orders fill at the next open.
  for (size_t i = halt_at + 1; i < sessions.size(); ++i) {
    const std::vector<std::string> next = {"run-day", "--date", sessions[i], "--format", "csv"};
    std::vector<Outcome> later = k.RunParallel(home_, {next, next, import});
    for (const auto& o : later) ASSERT_EQ(o.code, 0) << o.err;
  }
  k.ExpectLedgerInvariants(home_, "at the end");
  Outcome positions = k.Run(home_, {"positions", "--format", "csv"});
  EXPECT_EQ(Lines(positions.out).size(), 1u) << "the square-off left positions:\n" << positions.out;
  // Every order sent was answered. An exit due after the square-off stays `new` while halted
  // (the kill switch refuses it: with the square-off it would go short); its symbol was closed.
  std::map<std::string, std::string> squared_off;  // symbol -> status of its square-off order
  std::vector<std::vector<std::string>> orders =
      Rows(k.Run(home_, {"orders", "list", "--format", "csv"}).out);
  for (const auto& o : orders) {
    if (o[3].find("-sq") != std::string::npos) squared_off[o[4]] = o[10];
    status[o[3]] = o[10];
  }
  for (const auto& id : squareoffs) EXPECT_EQ(status[id], "filled") << "square-off order " << id;
  for (const auto& o : orders) {
    if (o[10] == "new") {
      EXPECT_EQ(squared_off[o[4]], "filled") << "order " << o[3] << " stayed new";
      continue;
    }
    EXPECT_TRUE(o[10] == "filled" || o[10] == "cancelled" || o[10] == "rejected" ||
                o[10] == "expired")
        << "order " << o[3] << " stayed " << o[10];
  }
}

}  // namespace
