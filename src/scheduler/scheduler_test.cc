#include "scheduler/scheduler.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/core.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ports/clock.h"

namespace kairos::scheduler {
namespace {

using ports::JobRun;
using ports::JobRunStatus;
using ::testing::ElementsAre;

// The speed bound holds for optimised builds only, not a Debug build under the sanitizers.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kTimed = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kTimed = false;
#else
constexpr bool kTimed = true;
#endif
#else
constexpr bool kTimed = true;
#endif

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kMinute = 60 * kSecond;

Timestamp T(const char* iso) { return Timestamp::Parse(iso).value(); }
std::string Iso(int64_t ns) { return Timestamp::FromNanos(ns).ToString(); }

// The JobRunRepository contract in memory: a claim per (job, instant).
class FakeJobRuns final : public ports::JobRunRepository {
 public:
  Result<std::pair<JobRun, bool>> Claim(std::string_view job, int64_t scheduled_ns,
                                        int64_t now_ns) override {
    for (const JobRun& r : runs_) {
      if (r.job == job && r.scheduled_ns == scheduled_ns) return std::pair(r, false);
    }
    JobRun run;
    run.id = static_cast<int64_t>(runs_.size()) + 1;
    run.job = std::string(job);
    run.scheduled_ns = scheduled_ns;
    run.started_ns = now_ns;
    runs_.push_back(run);
    return std::pair(run, true);
  }
  Status Update(const JobRun& run) override {
    for (JobRun& r : runs_) {
      if (r.id != run.id) continue;
      r.status = run.status;
      r.attempts = run.attempts;
      r.finished_ns = run.finished_ns;
      r.retry_at_ns = run.retry_at_ns;
      r.message = run.message;
      return Status::Ok();
    }
    return Status::NotFound(fmt::format("no run {}", run.id));
  }
  Result<std::vector<JobRun>> History(std::string_view job, int limit) override {
    std::vector<JobRun> out;
    for (const JobRun& r : runs_) {
      if (job.empty() || r.job == job) out.push_back(r);
    }
    std::sort(out.begin(), out.end(), [](const JobRun& a, const JobRun& b) {
      return std::pair(a.scheduled_ns, a.id) > std::pair(b.scheduled_ns, b.id);
    });
    if (static_cast<int>(out.size()) > limit) out.resize(static_cast<size_t>(limit));
    return out;
  }
  Result<std::optional<JobRun>> Last(std::string_view job) override {
    std::optional<JobRun> last;
    for (const JobRun& r : runs_) {
      if (r.job == job && (!last || r.scheduled_ns > last->scheduled_ns)) last = r;
    }
    return last;
  }
  Result<std::vector<JobRun>> Unfinished() override {
    std::vector<JobRun> out;
    for (const JobRun& r : runs_) {
      if (r.status == JobRunStatus::kRunning || r.status == JobRunStatus::kRetrying) {
        out.push_back(r);
      }
    }
    return out;
  }

  // "job instant status attempts", oldest instant first.
  std::vector<std::string> Rows(std::string_view job = {}) {
    std::vector<JobRun> h = History(job, 1'000'000).value();
    std::reverse(h.begin(), h.end());
    std::vector<std::string> out;
    for (const JobRun& r : h) {
      out.push_back(fmt::format("{} {} {} {}", r.job, Iso(r.scheduled_ns),
                                JobRunStatusName(r.status), r.attempts));
    }
    return out;
  }
  const std::vector<JobRun>& runs() const { return runs_; }

 private:
  std::vector<JobRun> runs_;
};

class RecordedEvents final : public SchedulerEvents {
 public:
  void OnStarted(const JobRun& r) override { Add("started", r); }
  void OnSucceeded(const JobRun& r) override { Add("succeeded", r); }
  void OnRecovered(const JobRun& r) override { Add("recovered", r); }
  void OnRetry(const JobRun& r) override {
    log.push_back(fmt::format("retry {} {} at {}", r.job, r.attempts, Iso(r.retry_at_ns)));
  }
  void OnFailed(const JobRun& r) override { Add("failed", r); }
  void OnMisfire(const MissedRuns& m) override {
    log.push_back(fmt::format("misfire {} {} {}..{}{}", m.job, m.count, m.first.ToString(),
                              m.last.ToString(), m.caught_up ? " caught up" : ""));
  }
  std::vector<std::string> Only(std::string_view prefix) const {
    std::vector<std::string> out;
    for (const std::string& l : log) {
      if (l.starts_with(prefix)) out.push_back(l);
    }
    return out;
  }
  std::vector<std::string> log;

 private:
  void Add(std::string_view what, const JobRun& r) {
    log.push_back(fmt::format("{} {} {} #{}", what, r.job, Iso(r.scheduled_ns), r.attempts));
  }
};

JobSpec Spec(std::string name, std::string cron, Misfire misfire = Misfire::kRunOnce) {
  JobSpec spec;
  spec.name = std::move(name);
  spec.schedule.cron = std::move(cron);
  spec.schedule.time_zone = "UTC";
  spec.misfire = misfire;
  return spec;
}

// Each start of a body: "job instant #attempt @clock".
struct Starts {
  std::vector<std::string> lines;
  JobBody Ok(const ports::Clock& clock) {
    return [this, &clock](const JobContext& c) {
      Record(c, clock);
      return JobOutcome::Ok();
    };
  }
  void Record(const JobContext& c, const ports::Clock& clock) {
    lines.push_back(
        fmt::format("{} {} #{} @{}", c.job, c.scheduled.ToString(), c.attempt, Iso(clock.NowNs())));
  }
};

class SchedulerTest : public ::testing::Test {
 protected:
  ports::ManualClock clock_{T("2024-01-01T00:30:00Z").nanos()};
  FakeJobRuns runs_;
  RecordedEvents events_;
  Starts starts_;
};

TEST_F(SchedulerTest, RunsEachInstantOnceAtItsTimeOnASimulatedClock) {
  Scheduler s(clock_, runs_, &events_);
  ASSERT_TRUE(s.Add(Spec("hourly", "0 * * * *"), starts_.Ok(clock_)).ok());
  ASSERT_TRUE(s.RunUntil(clock_, T("2024-01-01T03:00:00Z")).ok());
  EXPECT_THAT(starts_.lines, ElementsAre("hourly 2024-01-01T01:00:00Z #1 @2024-01-01T01:00:00Z",
                                         "hourly 2024-01-01T02:00:00Z #1 @2024-01-01T02:00:00Z",
                                         "hourly 2024-01-01T03:00:00Z #1 @2024-01-01T03:00:00Z"));
  EXPECT_THAT(runs_.Rows(), ElementsAre("hourly 2024-01-01T01:00:00Z succeeded 1",
                                        "hourly 2024-01-01T02:00:00Z succeeded 1",
                                        "hourly 2024-01-01T03:00:00Z succeeded 1"));
  EXPECT_EQ(clock_.NowNs(), T("2024-01-01T03:00:00Z").nanos());
  EXPECT_EQ(s.NextRun("hourly"), T("2024-01-01T04:00:00Z"));
}

TEST_F(SchedulerTest, JobsDueAtTheSameInstantRunInTheOrderAdded) {
  Scheduler s(clock_, runs_);
  ASSERT_TRUE(s.Add(Spec("b.first", "0 * * * *"), starts_.Ok(clock_)).ok());
  ASSERT_TRUE(s.Add(Spec("a.second", "0 * * * *"), starts_.Ok(clock_)).ok());
  ASSERT_TRUE(s.Add(Spec("c.earlier", "59 0 * * *"), starts_.Ok(clock_)).ok());
  ASSERT_TRUE(s.RunUntil(clock_, T("2024-01-01T01:00:00Z")).ok());
  EXPECT_THAT(starts_.lines, ElementsAre("c.earlier 2024-01-01T00:59:00Z #1 @2024-01-01T00:59:00Z",
                                         "b.first 2024-01-01T01:00:00Z #1 @2024-01-01T01:00:00Z",
                                         "a.second 2024-01-01T01:00:00Z #1 @2024-01-01T01:00:00Z"));
}

// A run that outlasts the next instants: they wait; the latest on-time one runs after it.
TEST_F(SchedulerTest, NeverOverlapsItselfAndRunsTheOnTimeInstantAfterALongRun) {
  Scheduler s(clock_, runs_, &events_);
  bool running = false;
  JobSpec spec = Spec("minutely", "* * * * *");
  ASSERT_TRUE(s.Add(spec, [&](const JobContext& c) {
                 EXPECT_FALSE(running);
                 running = true;
                 starts_.Record(c, clock_);
                 if (c.scheduled == T("2024-01-01T00:31:00Z")) {
                   clock_.AdvanceTo(clock_.NowNs() + 3 * kMinute + 30 * kSecond);
                 }
                 running = false;
                 return JobOutcome::Ok();
               }).ok());
  ASSERT_TRUE(s.RunUntil(clock_, T("2024-01-01T00:35:00Z")).ok());
  EXPECT_THAT(starts_.lines, ElementsAre("minutely 2024-01-01T00:30:00Z #1 @2024-01-01T00:30:00Z",
                                         "minutely 2024-01-01T00:31:00Z #1 @2024-01-01T00:31:00Z",
                                         "minutely 2024-01-01T00:34:00Z #1 @2024-01-01T00:34:30Z",
                                         "minutely 2024-01-01T00:35:00Z #1 @2024-01-01T00:35:00Z"));
  EXPECT_THAT(runs_.Rows(), ElementsAre("minutely 2024-01-01T00:30:00Z succeeded 1",
                                        "minutely 2024-01-01T00:31:00Z succeeded 1",
                                        "minutely 2024-01-01T00:32:00Z skipped 0",
                                        "minutely 2024-01-01T00:33:00Z skipped 0",
                                        "minutely 2024-01-01T00:34:00Z succeeded 1",
                                        "minutely 2024-01-01T00:35:00Z succeeded 1"));
  EXPECT_THAT(events_.Only("misfire"),
              ElementsAre("misfire minutely 2 2024-01-01T00:32:00Z..2024-01-01T00:33:00Z"));
}

// An instant that passed more than the grace ago during a long run: run_once catches it up,
// skip records it skipped.
TEST_F(SchedulerTest, InstantMissedDuringALongRunFollowsTheMisfirePolicy) {
  for (Misfire policy : {Misfire::kRunOnce, Misfire::kSkip}) {
    ports::ManualClock clock(T("2024-01-01T00:01:00Z").nanos());
    FakeJobRuns runs;
    Scheduler s(clock, runs);
    std::vector<std::string> starts;
    ASSERT_TRUE(s.Add(Spec("five", "*/5 * * * *", policy), [&](const JobContext& c) {
                   starts.push_back(
                       fmt::format("{} @{}", c.scheduled.ToString(), Iso(clock.NowNs())));
                   if (c.scheduled == T("2024-01-01T00:05:00Z")) {
                     clock.AdvanceTo(clock.NowNs() + 7 * kMinute);
                   }
                   return JobOutcome::Ok();
                 }).ok());
    ASSERT_TRUE(s.RunUntil(clock, T("2024-01-01T00:15:00Z")).ok());
    if (policy == Misfire::kRunOnce) {
      EXPECT_THAT(starts, ElementsAre("2024-01-01T00:05:00Z @2024-01-01T00:05:00Z",
                                      "2024-01-01T00:10:00Z @2024-01-01T00:12:00Z",
                                      "2024-01-01T00:15:00Z @2024-01-01T00:15:00Z"));
    } else {
      EXPECT_THAT(starts, ElementsAre("2024-01-01T00:05:00Z @2024-01-01T00:05:00Z",
                                      "2024-01-01T00:15:00Z @2024-01-01T00:15:00Z"));
      EXPECT_EQ(runs.Rows()[1], "five 2024-01-01T00:10:00Z skipped 0");
    }
  }
}

TEST_F(SchedulerTest, TransientFailureIsRetriedWithDoublingBackoff) {
  Scheduler s(clock_, runs_, &events_);
  JobSpec spec = Spec("flaky", "0 1 * * *");
  spec.max_attempts = 3;
  spec.backoff_ns = 30 * kSecond;
  ASSERT_TRUE(s.Add(spec, [&](const JobContext& c) {
                 starts_.Record(c, clock_);
                 return c.attempt < 3 ? JobOutcome::Transient("broker busy") : JobOutcome::Ok();
               }).ok());
  ASSERT_TRUE(s.RunUntil(clock_, T("2024-01-01T02:00:00Z")).ok());
  EXPECT_THAT(starts_.lines, ElementsAre("flaky 2024-01-01T01:00:00Z #1 @2024-01-01T01:00:00Z",
                                         "flaky 2024-01-01T01:00:00Z #2 @2024-01-01T01:00:30Z",
                                         "flaky 2024-01-01T01:00:00Z #3 @2024-01-01T01:01:30Z"));
  EXPECT_THAT(runs_.Rows(), ElementsAre("flaky 2024-01-01T01:00:00Z succeeded 3"));
  EXPECT_THAT(events_.Only("retry"), ElementsAre("retry flaky 1 at 2024-01-01T01:00:30Z",
                                                 "retry flaky 2 at 2024-01-01T01:01:30Z"));
}

TEST_F(SchedulerTest, TransientFailuresFailTheRunWhenAttemptsRunOut) {
  Scheduler s(clock_, runs_, &events_);
  JobSpec spec = Spec("down", "0 1 * * *");
  spec.max_attempts = 2;
  ASSERT_TRUE(s.Add(spec, [](const JobContext&) { return JobOutcome::Transient("timeout"); }).ok());
  ASSERT_TRUE(s.RunUntil(clock_, T("2024-01-01T03:00:00Z")).ok());
  EXPECT_THAT(runs_.Rows(), ElementsAre("down 2024-01-01T01:00:00Z failed 2"));
  EXPECT_EQ(runs_.runs()[0].message, "timeout");
  EXPECT_THAT(events_.Only("failed"), ElementsAre("failed down 2024-01-01T01:00:00Z #2"));
}

TEST(RetryDelay, DoublesAndCapsAtThirtyMinutes) {
  JobSpec spec;
  spec.backoff_ns = 30 * kSecond;
  EXPECT_EQ(RetryDelayNs(spec, 1), 30 * kSecond);
  EXPECT_EQ(RetryDelayNs(spec, 2), 60 * kSecond);
  EXPECT_EQ(RetryDelayNs(spec, 3), 120 * kSecond);
  EXPECT_EQ(RetryDelayNs(spec, 7), 30 * kMinute);   // 32 min capped
  EXPECT_EQ(RetryDelayNs(spec, 90), 30 * kMinute);  // no overflow
  spec.backoff_ns = 45 * kMinute;
  EXPECT_EQ(RetryDelayNs(spec, 1), 30 * kMinute);
}

TEST_F(SchedulerTest, PermanentFailureIsNotRetriedAndTheNextSuccessRecovers) {
  Scheduler s(clock_, runs_, &events_);
  ASSERT_TRUE(s.Add(Spec("scan", "0 * * * *"), [&](const JobContext& c) {
                 return c.scheduled == T("2024-01-01T01:00:00Z")
                            ? JobOutcome::Permanent("strategy file is invalid")
                            : JobOutcome::Ok("3 signals");
               }).ok());
  ASSERT_TRUE(s.RunUntil(clock_, T("2024-01-01T03:00:00Z")).ok());
  EXPECT_THAT(runs_.Rows(), ElementsAre("scan 2024-01-01T01:00:00Z failed 1",
                                        "scan 2024-01-01T02:00:00Z succeeded 1",
                                        "scan 2024-01-01T03:00:00Z succeeded 1"));
  EXPECT_THAT(events_.Only("failed"), ElementsAre("failed scan 2024-01-01T01:00:00Z #1"));
  EXPECT_THAT(events_.Only("recovered"), ElementsAre("recovered scan 2024-01-01T02:00:00Z #1"));
  EXPECT_TRUE(events_.Only("retry").empty());
}

TEST_F(SchedulerTest, BodyThatThrowsFailsPermanently) {
  Scheduler s(clock_, runs_);
  ASSERT_TRUE(s.Add(Spec("boom", "0 1 * * *"), [](const JobContext&) -> JobOutcome {
                 throw std::runtime_error("bad state");
               }).ok());
  ASSERT_TRUE(s.RunUntil(clock_, T("2024-01-01T02:00:00Z")).ok());
  EXPECT_THAT(runs_.Rows(), ElementsAre("boom 2024-01-01T01:00:00Z failed 1"));
  EXPECT_EQ(runs_.runs()[0].message, "exception: bad state");
}

// The job's next instant waits while a run is retrying, then runs (here late: caught up).
TEST_F(SchedulerTest, RetryingRunHoldsBackTheJobsNextInstant) {
  Scheduler s(clock_, runs_);
  JobSpec spec = Spec("slow", "0 * * * *");
  spec.max_attempts = 4;
  spec.backoff_ns = 25 * kMinute;
  ASSERT_TRUE(s.Add(spec, [&](const JobContext& c) {
                 starts_.Record(c, clock_);
                 bool first = c.scheduled == T("2024-01-01T01:00:00Z");
                 return first && c.attempt < 4 ? JobOutcome::Transient("busy") : JobOutcome::Ok();
               }).ok());
  ASSERT_TRUE(s.RunUntil(clock_, T("2024-01-01T03:30:00Z")).ok());
  EXPECT_THAT(starts_.lines, ElementsAre("slow 2024-01-01T01:00:00Z #1 @2024-01-01T01:00:00Z",
                                         "slow 2024-01-01T01:00:00Z #2 @2024-01-01T01:25:00Z",
                                         "slow 2024-01-01T01:00:00Z #3 @2024-01-01T01:55:00Z",
                                         "slow 2024-01-01T01:00:00Z #4 @2024-01-01T02:25:00Z",
                                         "slow 2024-01-01T02:00:00Z #1 @2024-01-01T02:25:00Z",
                                         "slow 2024-01-01T03:00:00Z #1 @2024-01-01T03:00:00Z"));
  EXPECT_THAT(runs_.Rows(), ElementsAre("slow 2024-01-01T01:00:00Z succeeded 4",
                                        "slow 2024-01-01T02:00:00Z succeeded 1",
                                        "slow 2024-01-01T03:00:00Z succeeded 1"));
}

// Downtime from 02:00 to 06:30: four hourly instants missed.
TEST_F(SchedulerTest, MisfireRunOnceRunsTheLatestMissedInstantOnce) {
  {
    Scheduler before(clock_, runs_);
    ASSERT_TRUE(before.Add(Spec("pnl", "0 * * * *"), starts_.Ok(clock_)).ok());
    ASSERT_TRUE(before.RunUntil(clock_, T("2024-01-01T02:00:00Z")).ok());
  }
  clock_.AdvanceTo(T("2024-01-01T06:30:00Z").nanos());
  Scheduler after(clock_, runs_, &events_);
  ASSERT_TRUE(after.Add(Spec("pnl", "0 * * * *"), starts_.Ok(clock_)).ok());
  ASSERT_TRUE(after.RunDue().ok());
  EXPECT_EQ(starts_.lines.back(), "pnl 2024-01-01T06:00:00Z #1 @2024-01-01T06:30:00Z");
  EXPECT_EQ(starts_.lines.size(), 3u);
  EXPECT_THAT(
      runs_.Rows(),
      ElementsAre("pnl 2024-01-01T01:00:00Z succeeded 1", "pnl 2024-01-01T02:00:00Z succeeded 1",
                  "pnl 2024-01-01T03:00:00Z skipped 0", "pnl 2024-01-01T04:00:00Z skipped 0",
                  "pnl 2024-01-01T05:00:00Z skipped 0", "pnl 2024-01-01T06:00:00Z succeeded 1"));
  EXPECT_EQ(runs_.runs()[2].message, "missed; run_once ran 2024-01-01T06:00:00Z instead");
  EXPECT_THAT(events_.Only("misfire"),
              ElementsAre("misfire pnl 4 2024-01-01T03:00:00Z..2024-01-01T06:00:00Z caught up"));
  EXPECT_EQ(after.NextRun("pnl"), T("2024-01-01T07:00:00Z"));
}

TEST_F(SchedulerTest, MisfireSkipRecordsEveryMissedInstantSkipped) {
  {
    Scheduler before(clock_, runs_);
    ASSERT_TRUE(before.Add(Spec("orders", "0 * * * *", Misfire::kSkip), starts_.Ok(clock_)).ok());
    ASSERT_TRUE(before.RunUntil(clock_, T("2024-01-01T02:00:00Z")).ok());
  }
  clock_.AdvanceTo(T("2024-01-01T06:30:00Z").nanos());
  Scheduler after(clock_, runs_, &events_);
  ASSERT_TRUE(after.Add(Spec("orders", "0 * * * *", Misfire::kSkip), starts_.Ok(clock_)).ok());
  ASSERT_TRUE(after.RunUntil(clock_, T("2024-01-01T07:00:00Z")).ok());
  EXPECT_THAT(
      runs_.Rows(),
      ElementsAre("orders 2024-01-01T01:00:00Z succeeded 1",
                  "orders 2024-01-01T02:00:00Z succeeded 1",
                  "orders 2024-01-01T03:00:00Z skipped 0", "orders 2024-01-01T04:00:00Z skipped 0",
                  "orders 2024-01-01T05:00:00Z skipped 0", "orders 2024-01-01T06:00:00Z skipped 0",
                  "orders 2024-01-01T07:00:00Z succeeded 1"));
  EXPECT_EQ(runs_.runs()[2].message, "missed; misfire policy skip");
  EXPECT_THAT(events_.Only("misfire"),
              ElementsAre("misfire orders 4 2024-01-01T03:00:00Z..2024-01-01T06:00:00Z"));
}

TEST_F(SchedulerTest, LongDowntimeOfAFrequentJobRecordsFewRows) {
  JobRun last = runs_.Claim("tick", T("2024-01-01T00:00:00Z").nanos(), 0).value().first;
  last.status = JobRunStatus::kSucceeded;
  ASSERT_TRUE(runs_.Update(last).ok());
  clock_.AdvanceTo(T("2024-01-02T00:00:30Z").nanos());
  Scheduler s(clock_, runs_, &events_);
  ASSERT_TRUE(s.Add(Spec("tick", "* * * * *", Misfire::kSkip), starts_.Ok(clock_)).ok());
  ASSERT_TRUE(s.RunDue().ok());
  EXPECT_EQ(starts_.lines, std::vector<std::string>{
                               "tick 2024-01-02T00:00:00Z #1 @2024-01-02T00:00:30Z"});  // on time
  // 1,439 missed instants: the latest 20 recorded, the count of the others in the oldest row.
  EXPECT_EQ(runs_.runs().size(), 1u + 20 + 1);
  EXPECT_EQ(runs_.runs()[1].message,
            "missed; 2024-01-02T00:00:00Z ran on time instead; 1419 earlier missed instants not "
            "recorded");
  EXPECT_THAT(events_.Only("misfire"),
              ElementsAre("misfire tick 1439 2024-01-01T00:01:00Z..2024-01-01T23:59:00Z"));
}

TEST_F(SchedulerTest, ClaimedInstantNeverRunsTwiceAcrossRestartsOrSchedulers) {
  Scheduler first(clock_, runs_);
  ASSERT_TRUE(first.Add(Spec("job", "0 * * * *"), starts_.Ok(clock_)).ok());
  ASSERT_TRUE(first.RunUntil(clock_, T("2024-01-01T02:00:00Z")).ok());
  Scheduler second(clock_, runs_);  // same instant, same store: nothing to do
  ASSERT_TRUE(second.Add(Spec("job", "0 * * * *"), starts_.Ok(clock_)).ok());
  ASSERT_TRUE(second.RunDue().ok());
  EXPECT_EQ(starts_.lines.size(), 2u);
  // Both reach 03:00: whichever claims first runs it, the other does not.
  clock_.AdvanceTo(T("2024-01-01T03:00:00Z").nanos());
  ASSERT_TRUE(first.RunDue().ok());
  ASSERT_TRUE(second.RunDue().ok());
  EXPECT_EQ(starts_.lines.size(), 3u);
  EXPECT_EQ(runs_.runs().size(), 3u);
}

// A process died in the middle of a run: the run is found kRunning at the next start.
TEST_F(SchedulerTest, InterruptedRunOfARunOnceJobRunsAgainAsTheNextAttempt) {
  JobRun dead = runs_.Claim("pnl", T("2024-01-01T00:00:00Z").nanos(), 0).value().first;
  dead.attempts = 1;
  ASSERT_TRUE(runs_.Update(dead).ok());
  Scheduler s(clock_, runs_, &events_);
  ASSERT_TRUE(s.Add(Spec("pnl", "0 0 * * *"), starts_.Ok(clock_)).ok());
  ASSERT_TRUE(s.RunDue().ok());
  EXPECT_THAT(starts_.lines, ElementsAre("pnl 2024-01-01T00:00:00Z #2 @2024-01-01T00:30:00Z"));
  EXPECT_THAT(runs_.Rows(), ElementsAre("pnl 2024-01-01T00:00:00Z succeeded 2"));
  EXPECT_THAT(events_.Only("retry"), ElementsAre("retry pnl 1 at 2024-01-01T00:30:00Z"));
}

TEST_F(SchedulerTest, InterruptedRunOfASkipJobIsMarkedFailed) {
  JobRun dead = runs_.Claim("orders", T("2024-01-01T00:00:00Z").nanos(), 0).value().first;
  dead.attempts = 1;
  ASSERT_TRUE(runs_.Update(dead).ok());
  runs_.Claim("gone", T("2024-01-01T00:00:00Z").nanos(), 0).value();
  Scheduler s(clock_, runs_, &events_);
  ASSERT_TRUE(s.Add(Spec("orders", "0 0 * * *", Misfire::kSkip), starts_.Ok(clock_)).ok());
  ASSERT_TRUE(s.RunDue().ok());
  EXPECT_TRUE(starts_.lines.empty());
  EXPECT_THAT(runs_.Rows(), ElementsAre("orders 2024-01-01T00:00:00Z failed 1",
                                        "gone 2024-01-01T00:00:00Z failed 0"));
  EXPECT_EQ(runs_.runs()[0].message, "interrupted");
  EXPECT_EQ(runs_.runs()[1].message, "interrupted; no such job any more");
  EXPECT_THAT(events_.Only("failed"), ElementsAre("failed orders 2024-01-01T00:00:00Z #1",
                                                  "failed gone 2024-01-01T00:00:00Z #0"));
}

TEST_F(SchedulerTest, RetryLeftByAStoppedProcessResumesAtItsTime) {
  JobRun waiting = runs_.Claim("sync", T("2024-01-01T00:00:00Z").nanos(), 0).value().first;
  waiting.attempts = 1;
  waiting.status = JobRunStatus::kRetrying;
  waiting.retry_at_ns = T("2024-01-01T00:45:00Z").nanos();
  ASSERT_TRUE(runs_.Update(waiting).ok());
  Scheduler s(clock_, runs_);
  ASSERT_TRUE(s.Add(Spec("sync", "0 0 * * *"), starts_.Ok(clock_)).ok());
  ASSERT_TRUE(s.RunUntil(clock_, T("2024-01-01T01:00:00Z")).ok());
  EXPECT_THAT(starts_.lines, ElementsAre("sync 2024-01-01T00:00:00Z #2 @2024-01-01T00:45:00Z"));
}

TEST_F(SchedulerTest, DisabledJobRunsNothingAndEnablingStartsFromNow) {
  Scheduler s(clock_, runs_, &events_);
  JobSpec spec = Spec("off", "0 * * * *");
  spec.enabled = false;
  ASSERT_TRUE(s.Add(spec, starts_.Ok(clock_)).ok());
  ASSERT_TRUE(s.RunUntil(clock_, T("2024-01-01T05:00:00Z")).ok());
  EXPECT_TRUE(starts_.lines.empty());
  EXPECT_TRUE(runs_.runs().empty());
  EXPECT_EQ(s.NextRun("off"), std::nullopt);
  ASSERT_TRUE(s.SetEnabled("off", true).ok());
  ASSERT_TRUE(s.RunUntil(clock_, T("2024-01-01T06:00:00Z")).ok());
  EXPECT_THAT(starts_.lines, ElementsAre("off 2024-01-01T05:00:00Z #1 @2024-01-01T05:00:00Z",
                                         "off 2024-01-01T06:00:00Z #1 @2024-01-01T06:00:00Z"));
  EXPECT_TRUE(events_.Only("misfire").empty());
  EXPECT_EQ(s.SetEnabled("nope", true).message(), "no job named nope");
}

TEST_F(SchedulerTest, RunNowRunsThroughTheClaimAndRefusesAClaimedInstant) {
  Scheduler s(clock_, runs_);
  JobSpec spec = Spec("report", "0 0 * * *");
  spec.enabled = false;  // an explicit run works on a disabled job too
  ASSERT_TRUE(s.Add(spec, starts_.Ok(clock_)).ok());
  Result<JobRun> run = s.RunNow("report", T("2023-12-29T00:00:00Z"));
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->status, JobRunStatus::kSucceeded);
  EXPECT_THAT(starts_.lines, ElementsAre("report 2023-12-29T00:00:00Z #1 @2024-01-01T00:30:00Z"));
  Result<JobRun> again = s.RunNow("report", T("2023-12-29T00:00:00Z"));
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().message(),
            "report at 2023-12-29T00:00:00Z was claimed before (status succeeded)");
  EXPECT_EQ(s.RunNow("nope", T("2024-01-01T00:00:00Z")).status().message(), "no job named nope");
  EXPECT_EQ(starts_.lines.size(), 1u);
}

TEST_F(SchedulerTest, RunNowRefusesWhileTheJobWaitsToRetry) {
  Scheduler s(clock_, runs_);
  ASSERT_TRUE(s.Add(Spec("flaky", "0 0 * * *"), [](const JobContext&) {
                 return JobOutcome::Transient("x");
               }).ok());
  ASSERT_TRUE(s.RunNow("flaky", T("2024-01-01T00:00:00Z")).ok());
  Result<JobRun> second = s.RunNow("flaky", T("2024-01-01T00:10:00Z"));
  EXPECT_EQ(second.status().message(),
            "flaky: the run of 2024-01-01T00:00:00Z is waiting to retry at 2024-01-01T00:30:30Z");
}

TEST_F(SchedulerTest, AddRefusesBadSchedulesAndDuplicates) {
  Scheduler s(clock_, runs_);
  EXPECT_EQ(s.Add(Spec("bad", "0 25 * * *"), starts_.Ok(clock_)).message(),
            "bad: cron: field 2 (hour): 25 is out of 0-23");
  JobSpec none = Spec("none", "0 * * * *");
  none.max_attempts = 0;
  EXPECT_EQ(s.Add(none, starts_.Ok(clock_)).message(),
            "none: max_attempts must be at least 1, got 0");
  ASSERT_TRUE(s.Add(Spec("job", "0 * * * *"), starts_.Ok(clock_)).ok());
  Status twice = s.Add(Spec("job", "0 * * * *"), starts_.Ok(clock_));
  EXPECT_EQ(twice.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(twice.message(), "job job is added twice");
}

JobSpec AtSpec(std::string name, std::string at, std::string calendar) {
  JobSpec spec;
  spec.name = std::move(name);
  spec.schedule.at = std::move(at);
  spec.schedule.calendar = std::move(calendar);
  return spec;
}

TEST_F(SchedulerTest, SessionJobsFollowTheCalendarAndGetIt) {
  clock_.AdvanceTo(T("2024-11-25T00:00:00Z").nanos());
  Scheduler s(clock_, runs_);
  std::vector<std::string> seen;
  ASSERT_TRUE(s.Add(AtSpec("scan.daily", "close+20m", "NYSE"), [&](const JobContext& c) {
                 seen.push_back(fmt::format("{} {}", c.scheduled.ToString(),
                                            c.calendar ? c.calendar->name() : "none"));
                 return JobOutcome::Ok();
               }).ok());
  ASSERT_TRUE(s.RunUntil(clock_, T("2024-12-01T00:00:00Z")).ok());
  // Thanksgiving (28th) closed; the 29th closes early at 13:00 EST.
  EXPECT_THAT(seen, ElementsAre("2024-11-25T21:20:00Z NYSE", "2024-11-26T21:20:00Z NYSE",
                                "2024-11-27T21:20:00Z NYSE", "2024-11-29T18:20:00Z NYSE"));
}

// The speed the daemon's --simulate needs: twenty session jobs over a year of sessions.
TEST_F(SchedulerTest, SimulatedYearOfTwentyJobsIsFast) {
  clock_.AdvanceTo(T("2024-01-01T00:00:00Z").nanos());
  Scheduler s(clock_, runs_);
  int runs = 0;
  for (int i = 0; i < 20; ++i) {
    std::string at = i < 10 ? fmt::format("open-{}m", 90 - i * 5) : fmt::format("close+{}m", i * 5);
    ASSERT_TRUE(s.Add(AtSpec(fmt::format("job{}", i), at, "NYSE"), [&](const JobContext&) {
                   ++runs;
                   return JobOutcome::Ok();
                 }).ok());
  }
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(s.RunUntil(clock_, T("2025-01-01T00:00:00Z")).ok());
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(runs, 20 * 252);  // NYSE 2024: 252 sessions
  if (kTimed) {
    EXPECT_LT(seconds, 1.0);
  }
  std::printf("a simulated year of 20 jobs: %.3f s\n", seconds);
}

TEST(SchedulerRun, SleepsUntilDueRunsPostedTasksAndStopsWhenAsked) {
  ports::WallClock clock;
  FakeJobRuns runs;
  Scheduler s(clock, runs);
  std::atomic<int> ticks = 0;
  std::atomic<bool> posted = false;
  ASSERT_TRUE(s.Add(Spec("tick", "* * * * * *"), [&](const JobContext&) {
                 ++ticks;
                 return JobOutcome::Ok();
               }).ok());
  Status result;
  std::jthread loop([&](std::stop_token stop) { result = s.Run(stop); });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (ticks < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(ticks, 2);
  s.Post([&] { posted = true; });
  while (!posted && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(posted);
  auto stop_at = std::chrono::steady_clock::now();
  loop.request_stop();
  loop.join();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_at, std::chrono::milliseconds(500));
  EXPECT_TRUE(result.ok());
}

}  // namespace
}  // namespace kairos::scheduler
