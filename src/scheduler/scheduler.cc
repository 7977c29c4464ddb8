#include "scheduler/scheduler.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <exception>
#include <utility>

#include <fmt/core.h>

namespace kairos::scheduler {

namespace {

constexpr int64_t kMaxWaitNs = 60LL * 1'000'000'000;

Timestamp At(int64_t ns) { return Timestamp::FromNanos(ns); }

}  // namespace

int64_t RetryDelayNs(const JobSpec& spec, int attempt) {
  int64_t delay = std::max<int64_t>(spec.backoff_ns, 0);
  for (int i = 1; i < attempt && delay < kMaxBackoffNs; ++i) delay *= 2;
  return std::min(delay, kMaxBackoffNs);
}

Scheduler::Scheduler(const ports::Clock& clock, ports::JobRunRepository& runs,
                     SchedulerEvents* events, SchedulerOptions options)
    : clock_(clock),
      runs_(runs),
      events_(events != nullptr ? events : &no_events_),
      options_(options) {}

Status Scheduler::Add(JobSpec spec, JobBody body) {
  KAIROS_CHECK(!started_) << "Scheduler::Add after Start";
  if (Find(spec.name) != nullptr) {
    return Status::AlreadyExists(fmt::format("job {} is added twice", spec.name));
  }
  if (spec.max_attempts < 1) {
    return Status::InvalidArgument(
        fmt::format("{}: max_attempts must be at least 1, got {}", spec.name, spec.max_attempts));
  }
  Result<Schedule> schedule = Schedule::Parse(spec.schedule);
  if (!schedule.ok()) return schedule.status().WithContext(spec.name);
  jobs_.push_back(Entry{std::move(spec), std::move(body), std::move(schedule).value(), {}, {}});
  return Status::Ok();
}

Scheduler::Entry* Scheduler::Find(std::string_view name) {
  for (Entry& e : jobs_) {
    if (e.spec.name == name) return &e;
  }
  return nullptr;
}

Status Scheduler::Start() {
  if (started_) return Status::Ok();
  int64_t now = clock_.NowNs();
  KAIROS_RETURN_IF_ERROR(ResolveUnfinished(now));
  for (Entry& e : jobs_) {
    KAIROS_ASSIGN_OR_RETURN(std::optional<ports::JobRun> last, runs_.Last(e.spec.name));
    int64_t cursor = last ? last->scheduled_ns : now - 1;
    e.next = e.schedule.NextAfter(At(cursor));
    if (last && last->status == ports::JobRunStatus::kFailed) e.failing = true;
  }
  started_ = true;
  return Status::Ok();
}

// Runs left kRunning died with their process; kRetrying ones wait for their retry time.
Status Scheduler::ResolveUnfinished(int64_t now) {
  KAIROS_ASSIGN_OR_RETURN(std::vector<ports::JobRun> unfinished, runs_.Unfinished());
  for (ports::JobRun& run : unfinished) {
    Entry* e = Find(run.job);
    bool resumable = e != nullptr && !e->retry;
    if (run.status == ports::JobRunStatus::kRetrying && resumable) {
      e->retry = run;
      continue;
    }
    if (run.status == ports::JobRunStatus::kRunning && resumable &&
        e->spec.misfire == Misfire::kRunOnce && run.attempts < e->spec.max_attempts) {
      run.status = ports::JobRunStatus::kRetrying;
      run.retry_at_ns = now;
      run.message = "interrupted";
      KAIROS_RETURN_IF_ERROR(runs_.Update(run));
      e->retry = run;
      events_->OnRetry(run);
      continue;
    }
    run.status = ports::JobRunStatus::kFailed;
    run.finished_ns = now;
    run.retry_at_ns = 0;
    run.message = e == nullptr ? "interrupted; no such job any more" : "interrupted";
    KAIROS_RETURN_IF_ERROR(runs_.Update(run));
    if (e != nullptr) e->failing = true;
    events_->OnFailed(run);
  }
  return Status::Ok();
}

std::optional<Timestamp> Scheduler::DueAt(const Entry& e) const {
  if (!e.spec.enabled) return std::nullopt;
  if (e.retry) return At(e.retry->retry_at_ns);
  return e.next;
}

std::optional<Timestamp> Scheduler::NextDue() const {
  std::optional<Timestamp> best;
  for (const Entry& e : jobs_) {
    std::optional<Timestamp> due = DueAt(e);
    if (due && (!best || *due < *best)) best = due;
  }
  return best;
}

std::optional<Timestamp> Scheduler::NextRun(std::string_view name) const {
  for (const Entry& e : jobs_) {
    if (e.spec.name == name) return DueAt(e);
  }
  return std::nullopt;
}

Status Scheduler::RunDue() {
  KAIROS_RETURN_IF_ERROR(Start());
  DrainPosted();
  while (true) {
    int64_t now = clock_.NowNs();
    Entry* due = nullptr;
    for (Entry& e : jobs_) {  // the earliest; among equals the first added
      std::optional<Timestamp> at = DueAt(e);
      if (at && at->nanos() <= now && (due == nullptr || *at < *DueAt(*due))) due = &e;
    }
    if (due == nullptr) return Status::Ok();
    if (due->retry) {
      KAIROS_RETURN_IF_ERROR(RunAttempt(*due, *due->retry).status());
    } else {
      KAIROS_RETURN_IF_ERROR(HandleScheduled(*due, now));
    }
  }
}

// The job's instants up to now: the latest runs if on time; the others are misses.
Status Scheduler::HandleScheduled(Entry& e, int64_t now) {
  std::deque<Timestamp> recent;  // the latest instants, enough to record and to run
  int64_t count = 0;
  Timestamp first = *e.next;
  while (e.next && e.next->nanos() <= now) {
    recent.push_back(*e.next);
    if (recent.size() > static_cast<size_t>(options_.max_skipped_rows) + 1) recent.pop_front();
    ++count;
    e.next = e.schedule.NextAfter(*e.next);
  }
  Timestamp latest = recent.back();
  bool on_time = now - latest.nanos() <= options_.misfire_grace_ns;
  bool catch_up = !on_time && e.spec.misfire == Misfire::kRunOnce;
  bool run_latest = on_time || catch_up;
  int64_t missed = count - (on_time ? 1 : 0);
  if (missed > 0) {
    Timestamp last_missed = on_time ? recent[recent.size() - 2] : latest;
    events_->OnMisfire(MissedRuns{e.spec.name, e.spec.misfire, static_cast<int>(missed), first,
                                  last_missed, catch_up});
    std::vector<Timestamp> skipped(recent.begin(), recent.end() - (run_latest ? 1 : 0));
    int64_t to_skip = count - (run_latest ? 1 : 0);
    if (skipped.size() > static_cast<size_t>(options_.max_skipped_rows)) {
      skipped.erase(skipped.begin());
    }
    std::string why = catch_up  ? fmt::format("missed; run_once ran {} instead", latest.ToString())
                      : on_time ? fmt::format("missed; {} ran on time instead", latest.ToString())
                                : std::string("missed; misfire policy skip");
    KAIROS_RETURN_IF_ERROR(
        RecordSkipped(e, skipped, to_skip - static_cast<int64_t>(skipped.size()), why, now));
  }
  if (!run_latest) return Status::Ok();
  KAIROS_ASSIGN_OR_RETURN(auto claim, runs_.Claim(e.spec.name, latest.nanos(), now));
  if (!claim.second) return Status::Ok();  // claimed before: by another process or RunNow
  return RunAttempt(e, std::move(claim.first)).status();
}

Status Scheduler::RecordSkipped(Entry& e, const std::vector<Timestamp>& instants, int64_t omitted,
                                std::string_view why, int64_t now) {
  for (size_t i = 0; i < instants.size(); ++i) {
    KAIROS_ASSIGN_OR_RETURN(auto claim, runs_.Claim(e.spec.name, instants[i].nanos(), now));
    if (!claim.second) continue;
    ports::JobRun run = std::move(claim.first);
    run.status = ports::JobRunStatus::kSkipped;
    run.finished_ns = now;
    run.message = std::string(why);
    if (i == 0 && omitted > 0) {
      run.message += fmt::format("; {} earlier missed instants not recorded", omitted);
    }
    KAIROS_RETURN_IF_ERROR(runs_.Update(run));
  }
  return Status::Ok();
}

Result<ports::JobRun> Scheduler::RunAttempt(Entry& e, ports::JobRun run) {
  e.retry.reset();
  run.attempts += 1;
  run.status = ports::JobRunStatus::kRunning;
  run.retry_at_ns = 0;
  KAIROS_RETURN_IF_ERROR(runs_.Update(run));
  events_->OnStarted(run);
  JobContext context{e.spec.name, At(run.scheduled_ns), run.attempts, e.schedule.calendar()};
  JobOutcome outcome;
  try {
    outcome = e.body(context);
  } catch (const std::exception& ex) {
    outcome = JobOutcome::Permanent(fmt::format("exception: {}", ex.what()));
  } catch (...) {
    outcome = JobOutcome::Permanent("exception");
  }
  KAIROS_RETURN_IF_ERROR(Finish(e, run, outcome));
  return run;
}

Status Scheduler::Finish(Entry& e, ports::JobRun& run, const JobOutcome& outcome) {
  int64_t now = clock_.NowNs();
  run.message = outcome.message;
  if (outcome.kind == JobOutcome::Kind::kTransient && run.attempts < e.spec.max_attempts) {
    run.status = ports::JobRunStatus::kRetrying;
    run.retry_at_ns = now + RetryDelayNs(e.spec, run.attempts);
    KAIROS_RETURN_IF_ERROR(runs_.Update(run));
    e.retry = run;
    events_->OnRetry(run);
    return Status::Ok();
  }
  run.finished_ns = now;
  if (outcome.kind == JobOutcome::Kind::kOk) {
    run.status = ports::JobRunStatus::kSucceeded;
    KAIROS_RETURN_IF_ERROR(runs_.Update(run));
    events_->OnSucceeded(run);
    if (e.failing) events_->OnRecovered(run);
    e.failing = false;
    return Status::Ok();
  }
  run.status = ports::JobRunStatus::kFailed;
  KAIROS_RETURN_IF_ERROR(runs_.Update(run));
  e.failing = true;
  events_->OnFailed(run);
  return Status::Ok();
}

Result<ports::JobRun> Scheduler::RunNow(std::string_view name, Timestamp instant) {
  KAIROS_RETURN_IF_ERROR(Start());
  Entry* e = Find(name);
  if (e == nullptr) return Status::NotFound(fmt::format("no job named {}", name));
  if (e->retry) {
    return Status::FailedPrecondition(fmt::format("{}: the run of {} is waiting to retry at {}",
                                                  name, At(e->retry->scheduled_ns).ToString(),
                                                  At(e->retry->retry_at_ns).ToString()));
  }
  KAIROS_ASSIGN_OR_RETURN(auto claim, runs_.Claim(name, instant.nanos(), clock_.NowNs()));
  if (!claim.second) {
    return Status::AlreadyExists(fmt::format("{} at {} was claimed before (status {})", name,
                                             instant.ToString(),
                                             ports::JobRunStatusName(claim.first.status)));
  }
  return RunAttempt(*e, std::move(claim.first));
}

Status Scheduler::SetEnabled(std::string_view name, bool enabled) {
  Entry* e = Find(name);
  if (e == nullptr) return Status::NotFound(fmt::format("no job named {}", name));
  if (enabled && !e->spec.enabled && started_) {
    e->next = e->schedule.NextAfter(At(clock_.NowNs() - 1));
  }
  e->spec.enabled = enabled;
  return Status::Ok();
}

Status Scheduler::RunUntil(ports::ManualClock& clock, Timestamp end) {
  KAIROS_CHECK(static_cast<const ports::Clock*>(&clock) == &clock_)
      << "RunUntil needs the scheduler's own clock";
  while (true) {
    KAIROS_RETURN_IF_ERROR(RunDue());
    std::optional<Timestamp> next = NextDue();
    if (!next || *next > end) break;
    clock.AdvanceTo(next->nanos());
  }
  clock.AdvanceTo(end.nanos());
  return Status::Ok();
}

Status Scheduler::Run(std::stop_token stop) {
  std::stop_callback wake_on_stop(stop, [this] { Wake(); });
  while (!stop.stop_requested()) {
    KAIROS_RETURN_IF_ERROR(RunDue());
    std::optional<Timestamp> next = NextDue();
    int64_t wait_ns = kMaxWaitNs;
    if (next) wait_ns = std::clamp<int64_t>(next->nanos() - clock_.NowNs(), 0, kMaxWaitNs);
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::nanoseconds(wait_ns),
                 [&] { return woken_ || stop.stop_requested(); });
    woken_ = false;
  }
  return Status::Ok();
}

void Scheduler::Post(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    posted_.push_back(std::move(task));
    woken_ = true;
  }
  cv_.notify_all();
}

void Scheduler::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void Scheduler::DrainPosted() {
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard lock(mu_);
    tasks.swap(posted_);
  }
  for (auto& task : tasks) task();
}

}  // namespace kairos::scheduler
