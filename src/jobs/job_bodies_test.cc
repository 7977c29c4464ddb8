#include "jobs/job_bodies.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "calendar/calendar.h"
#include "engine/testing/fakes.h"
#include "jobs/catalogue.h"

namespace kairos::jobs {
namespace {

using scheduler::JobContext;
using scheduler::JobOutcome;

const calendar::ExchangeCalendar& Nyse() {
  return **calendar::ExchangeCalendar::ForExchange("NYSE");
}

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

class JobBodiesTest : public ::testing::Test {
 protected:
  JobBodiesTest() : store_(std::make_unique<engine::testing::FakeStore>()), clock_(1'000) {
    env_.store = store_.get();
    env_.clock = &clock_;
    env_.alerts = &alerts_;
  }

  // The instant `offset_min` minutes after the open (or close) of `session` on NYSE.
  Timestamp At(Date session, bool close, int offset_min) {
    auto s = Nyse().SessionOf(session);
    return Timestamp::FromNanos((close ? s->close : s->open).nanos() +
                                offset_min * 60'000'000'000LL);
  }

  JobOutcome Run(std::string_view job, Timestamp instant, bool with_calendar = true) {
    scheduler::JobBody body = MakeJobBody(job, env_);
    EXPECT_TRUE(body) << job;
    JobContext ctx;
    ctx.job = job;
    ctx.scheduled = instant;
    ctx.calendar = with_calendar ? &Nyse() : nullptr;
    return body(ctx);
  }

  std::vector<ports::OutboxMessage> Outbox() { return *store_->outbox().List({}); }

  std::unique_ptr<ports::Store> store_;
  ports::ManualClock clock_;
  engine::Alerts alerts_{*store_, clock_};
  JobEnv env_;
};

TEST(SessionOfInstantTest, FindsTheSessionAnInstantIsRelativeTo) {
  auto s = Nyse().SessionOf(D(2024, 3, 1));
  EXPECT_EQ(*SessionOfInstant(Nyse(), Timestamp::FromNanos(s->open.nanos() - 5'400'000'000'000)),
            D(2024, 3, 1));
  EXPECT_EQ(*SessionOfInstant(Nyse(), Timestamp::FromNanos(s->close.nanos() + 3'300'000'000'000)),
            D(2024, 3, 1));
}

TEST(SessionOfInstantTest, NoSessionNearAWeekendNoon) {
  auto r = SessionOfInstant(Nyse(), Timestamp::Parse("2024-03-02T17:00:00Z").value());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("no NYSE session near"), std::string::npos);
}

TEST(InstanceNameTest, SplitsTheBaseNameAndTheExchange) {
  EXPECT_EQ(BaseJobName("orders.open@NSE"), "orders.open");
  EXPECT_EQ(InstanceExchange("orders.open@NSE"), "NSE");
  EXPECT_EQ(BaseJobName("heartbeat"), "heartbeat");
  EXPECT_EQ(InstanceExchange("heartbeat"), "");
}

TEST_F(JobBodiesTest, EveryCatalogueJobHasABodyAndUnknownNamesNone) {
  for (const auto& j : BuiltinJobs()) EXPECT_TRUE(MakeJobBody(j.spec.name, env_)) << j.spec.name;
  EXPECT_FALSE(MakeJobBody("nope", env_));
  EXPECT_FALSE(MakeJobBody("nope@NYSE", env_));
}

TEST_F(JobBodiesTest, TradingJobRunsItsStepForTheSessionOfItsExchange) {
  std::vector<std::string> seen;
  env_.with_trading = [&](std::string_view exchange, const JobEnv::TradingStep&) {
    seen.push_back(std::string(exchange));
    return Status::Ok();
  };
  JobOutcome r = Run("orders.open@NYSE", At(D(2024, 3, 1), false, -1));
  EXPECT_EQ(r.kind, JobOutcome::Kind::kOk) << r.message;
  EXPECT_EQ(seen, std::vector<std::string>{"NYSE"});
}

TEST_F(JobBodiesTest, TradingJobFailuresAreTransientOnlyForIo) {
  Status next = Status::IOError("disk full");
  env_.with_trading = [&](std::string_view, const JobEnv::TradingStep&) { return next; };
  EXPECT_EQ(Run("pnl.eod@NYSE", At(D(2024, 3, 1), true, 40)).kind, JobOutcome::Kind::kTransient);
  next = Status::InvalidArgument("bad");
  JobOutcome r = Run("pnl.eod@NYSE", At(D(2024, 3, 1), true, 40));
  EXPECT_EQ(r.kind, JobOutcome::Kind::kPermanent);
  EXPECT_EQ(r.message, "bad");
}

TEST_F(JobBodiesTest, TradingJobWithoutACalendarFailsPermanently) {
  env_.with_trading = [&](std::string_view, const JobEnv::TradingStep&) { return Status::Ok(); };
  JobOutcome r = Run("orders.open@NYSE", At(D(2024, 3, 1), false, -1), /*with_calendar=*/false);
  EXPECT_EQ(r.kind, JobOutcome::Kind::kPermanent);
  EXPECT_NE(r.message.find("has no calendar"), std::string::npos) << r.message;
}

TEST_F(JobBodiesTest, HeartbeatEnqueuesOneMessagePerInstant) {
  Timestamp t = Timestamp::Parse("2024-03-01T08:00:00Z").value();
  EXPECT_EQ(Run("heartbeat", t, false).kind, JobOutcome::Kind::kOk);
  EXPECT_EQ(Run("heartbeat", t, false).kind, JobOutcome::Kind::kOk);  // a retry
  auto out = Outbox();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, "daemon.heartbeat");
}

TEST_F(JobBodiesTest, RemindSaysNothingWithoutPendingSignals) {
  JobOutcome r = Run("signals.remind@NYSE", At(D(2024, 3, 1), false, -90));
  EXPECT_EQ(r.kind, JobOutcome::Kind::kOk);
  EXPECT_EQ(r.message, "no signal awaits review");
  EXPECT_TRUE(Outbox().empty());
}

TEST_F(JobBodiesTest, WeeklyReportIsOneMessagePerWeek) {
  DailyPnl p;
  p.session = D(2024, 3, 1);
  p.strategy = "s";
  p.realized = 1234;
  p.fees = 5;
  p.equity = 100'000;
  ASSERT_TRUE(store_->ledger().PutDailyPnl(p).ok());
  Timestamp t = At(D(2024, 3, 1), true, 55);
  EXPECT_EQ(Run("report.weekly@NYSE", t).kind, JobOutcome::Kind::kOk);
  EXPECT_EQ(Run("report.weekly@NYSE", t).kind, JobOutcome::Kind::kOk);
  auto out = Outbox();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, "weekly.summary");
  EXPECT_NE(out[0].text.find("s: realized 12.34, fees 0.05, equity 1000.00"), std::string::npos)
      << out[0].text;
}

TEST_F(JobBodiesTest, CalendarCheckWarnsOncePerCalendarAndYear) {
  Timestamp t = Timestamp::Parse("2070-01-05T09:00:00Z").value();
  EXPECT_EQ(Run("calendar.check", t, false).kind, JobOutcome::Kind::kOk);
  size_t n = Outbox().size();
  EXPECT_GT(n, 0u);
  EXPECT_EQ(Outbox()[0].kind, "calendar.coverage");
  EXPECT_EQ(Run("calendar.check", t, false).kind, JobOutcome::Kind::kOk);
  EXPECT_EQ(Outbox().size(), n);
}

TEST_F(JobBodiesTest, PaperBrokerJobsSayTheyDoNothing) {
  Timestamp t = At(D(2024, 3, 1), false, -60);
  EXPECT_EQ(Run("broker.session@NYSE", t).message, "paper broker: no session to verify");
  EXPECT_EQ(Run("instruments.refresh", t, false).message,
            "paper broker: no instrument master to refresh");
}

TEST_F(JobBodiesTest, HookJobsUseTheirHookAndSayWhenNoneIsWired) {
  JobOutcome none = Run("backup", Timestamp::FromNanos(0), false);
  EXPECT_EQ(none.kind, JobOutcome::Kind::kOk);
  EXPECT_EQ(none.message, "backup: not wired here: nothing done");
  env_.backup = [](Timestamp) -> Result<std::string> { return Status::IOError("disk full"); };
  EXPECT_EQ(Run("backup", Timestamp::FromNanos(0), false).kind, JobOutcome::Kind::kTransient);
}

}  // namespace
}  // namespace kairos::jobs
