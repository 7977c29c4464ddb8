#include "jobs/catalogue.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace kairos::jobs {
namespace {

TEST(CatalogueTest, ListsTheTwentyOneBuiltinJobsInDayOrder) {
  std::vector<std::string> names;
  for (const auto& j : BuiltinJobs()) names.push_back(j.spec.name);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "heartbeat",   "calendar.check",   "broker.session", "instruments.refresh",
                       "reconcile",   "signals.remind",   "signals.expire", "orders.open",
                       "orders.sync", "orders.close",     "data.ingest",    "data.stale_check",
                       "scan.daily",  "scan.weekly",      "exits.check",    "pnl.eod",
                       "report.eod",  "universe.refresh", "report.weekly",  "backup",
                       "maintenance"}));
}

TEST(CatalogueTest, EveryJobHasExactlyOneScheduleAndADescription) {
  for (const auto& j : BuiltinJobs()) {
    SCOPED_TRACE(j.spec.name);
    EXPECT_NE(j.spec.schedule.cron.empty(), j.spec.schedule.at.empty());
    EXPECT_FALSE(j.description.empty());
    EXPECT_TRUE(j.spec.enabled);
    EXPECT_EQ(j.spec.max_attempts, 3);
  }
}

TEST(CatalogueTest, OrderPlacementSkipsAMisfireAndCatchUpWorkRunsOnce) {
  EXPECT_EQ(FindJob("orders.open")->spec.misfire, scheduler::Misfire::kSkip);
  EXPECT_EQ(FindJob("orders.close")->spec.misfire, scheduler::Misfire::kSkip);
  EXPECT_EQ(FindJob("signals.remind")->spec.misfire, scheduler::Misfire::kSkip);
  EXPECT_EQ(FindJob("pnl.eod")->spec.misfire, scheduler::Misfire::kRunOnce);
}

TEST(CatalogueTest, FindsJobsByNameOnly) {
  ASSERT_NE(FindJob("scan.daily"), nullptr);
  EXPECT_EQ(FindJob("scan.daily")->spec.schedule.at, "close+20m");
  EXPECT_TRUE(FindJob("report.weekly")->spec.schedule.last_session_of_week);
  EXPECT_EQ(FindJob("backup")->spec.schedule.cron, "0 2 * * *");
  EXPECT_EQ(FindJob("scan"), nullptr);
  EXPECT_EQ(FindJob("SCAN.DAILY"), nullptr);
}

TEST(CatalogueTest, AlertKindsAreUniqueWithDefaultLevels) {
  std::set<std::string_view> names;
  for (const auto& k : AlertKinds()) EXPECT_TRUE(names.insert(k.name).second) << k.name;
  EXPECT_EQ(AlertKinds().size(), 21u);
  EXPECT_EQ(FindAlertKind("job.failed")->level, AlertLevel::kOn);
  EXPECT_EQ(FindAlertKind("daemon.heartbeat")->level, AlertLevel::kSilent);
  EXPECT_EQ(FindAlertKind("job.failure"), nullptr);
}

TEST(CatalogueTest, AlertLevelNamesRoundTrip) {
  for (AlertLevel l : {AlertLevel::kOn, AlertLevel::kSilent, AlertLevel::kOff}) {
    EXPECT_EQ(ParseAlertLevel(AlertLevelName(l)), l);
  }
  EXPECT_EQ(ParseAlertLevel("loud"), std::nullopt);
}

}  // namespace
}  // namespace kairos::jobs
