// End-to-end tests of `kairos init`: a new home with the commented kairos.toml and the store, and
// an existing kairos.toml left alone unless --force.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "app/config.h"
#include "cli_testing.h"

namespace kairos {
namespace {

using kairos::testing::Outcome;
using kairos::testing::ReadFile;
using kairos::testing::WriteFile;

namespace fs = std::filesystem;

class InitCliTest : public kairos::testing::KairosCliTest {};

TEST_F(InitCliTest, CreatesTheHomeWithTheCommentedDefaultsAndTheStore) {
  Outcome r = Kairos({"init"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out, "wrote " + (home_ / "kairos.toml").string() +
                       " (every key at its default, commented out)\nstore " +
                       (home_ / "kairos.db").string() + " ready\n");
  EXPECT_EQ(ReadFile(home_ / "kairos.toml"), app::ConfigTemplate());
  EXPECT_TRUE(fs::is_regular_file(home_ / "kairos.db"));
  EXPECT_FALSE(fs::exists(home_ / "kairos.toml.tmp"));
  // The store is ready for the other commands.
  Outcome list = Kairos({"strategy", "list", "--format", "csv"});
  EXPECT_EQ(list.code, 0) << list.err;
}

TEST_F(InitCliTest, TheWrittenFileLoadsToTheDefaults) {
  ASSERT_EQ(Kairos({"init"}).code, 0);
  auto loaded = app::LoadConfig(home_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  app::DaemonConfig defaults = app::DefaultConfig();
  ASSERT_EQ(loaded->jobs.size(), defaults.jobs.size());
  for (size_t i = 0; i < defaults.jobs.size(); ++i) {
    EXPECT_EQ(loaded->jobs[i].name, defaults.jobs[i].name);
    EXPECT_EQ(loaded->jobs[i].schedule.cron, defaults.jobs[i].schedule.cron);
    EXPECT_EQ(loaded->jobs[i].schedule.at, defaults.jobs[i].schedule.at);
    EXPECT_EQ(loaded->jobs[i].schedule.time_zone, defaults.jobs[i].schedule.time_zone);
  }
  EXPECT_EQ(loaded->alerts, defaults.alerts);
  EXPECT_EQ(loaded->daemon.time_zone, defaults.daemon.time_zone);
  EXPECT_EQ(loaded->backup_keep, defaults.backup_keep);
}

TEST_F(InitCliTest, RefusesToOverwriteAnExistingFile) {
  WriteFile(home_ / "kairos.toml", "[backup]\nkeep = 3\n");
  Outcome r = Kairos({"init"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "kairos: error: " + (home_ / "kairos.toml").string() +
                       " exists and was left as it is (`kairos init --force` replaces it with "
                       "the defaults)\n");
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(ReadFile(home_ / "kairos.toml"), "[backup]\nkeep = 3\n");
  EXPECT_FALSE(fs::exists(home_ / "kairos.db"));
}

TEST_F(InitCliTest, ForceReplacesAnExistingFileWithTheDefaults) {
  WriteFile(home_ / "kairos.toml", "[backup]\nkeep = 3\n");
  Outcome r = Kairos({"init", "--force"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadFile(home_ / "kairos.toml"), app::ConfigTemplate());
}

TEST_F(InitCliTest, ForceKeepsTheStoredData) {
  ASSERT_EQ(Kairos({"init"}).code, 0);
  std::string strategy = File("dip.toml",
                              "name = \"dip\"\n"
                              "universe = [\"SYN0001\"]\n"
                              "entry = \"rsi(close,2) < 30\"\n"
                              "exit = \"rsi(close,2) > 60\"\n"
                              "approval = \"auto\"\n"
                              "allocation = 100000\n"
                              "sizing = { method = \"fixed_amount\", amount = 5000 }\n");
  ASSERT_EQ(Kairos({"strategy", "import", strategy}).code, 0);
  ASSERT_EQ(Kairos({"init", "--force"}).code, 0);
  Outcome r = Kairos({"strategy", "list", "--format", "csv"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("dip"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace kairos
