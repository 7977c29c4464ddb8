#include "app/daemon_bot.h"

#include <chrono>
#include <future>
#include <memory>
#include <utility>

#include <fmt/format.h>

#include "engine/halt_state.h"
#include "engine/kill_switch.h"

namespace kairos::app {

Result<std::string> DaemonBotActions::RunJob(std::string_view name, std::string_view actor) {
  KAIROS_ASSIGN_OR_RETURN(scheduler::JobSpec spec, FindJobInstance(d_.instances, name));
  auto done = std::make_shared<std::promise<Result<ports::JobRun>>>();
  std::future<Result<ports::JobRun>> result = done->get_future();
  scheduler::Scheduler* s = d_.scheduler.get();
  const ports::Clock* clock = d_.clock;
  std::string job = spec.name;
  s->Post([s, clock, job, done] {
    done->set_value(s->RunNow(job, Timestamp::FromNanos(clock->NowNs())));
  });
  // The scheduler's thread runs it between jobs; a daemon stopping meanwhile never will.
  while (result.wait_for(std::chrono::milliseconds(200)) != std::future_status::ready) {
    if (d_.stopping.load()) return Status::Unavailable("the daemon is stopping");
  }
  KAIROS_ASSIGN_OR_RETURN(ports::JobRun run, result.get());
  Log(LogLevel::kInfo,
      fmt::format("job {} run by {}: {}", run.job, actor, ports::JobRunStatusName(run.status)));
  return fmt::format("{} {}: {}", run.job, ports::JobRunStatusName(run.status), run.message);
}

Result<engine::HaltReport> DaemonBotActions::Halt(bool squareoff, std::string_view actor,
                                                  std::string_view reason) {
  engine::HaltReport report;
  Status st = d_.trading->WithSession([&](PaperSession& p) -> Status {
    KAIROS_ASSIGN_OR_RETURN(report,
                            engine::Halt(*p.store, *p.orders, *p.broker, squareoff, actor, reason));
    return Status::Ok();
  });
  if (st.code() == StatusCode::kFailedPrecondition) {
    // The trading lock is busy: the kill switch still goes on, seen before the next order.
    engine::Alerts alerts(store_, *d_.clock);
    KAIROS_ASSIGN_OR_RETURN(bool was, engine::StoreHalt(store_, d_.clock->NowNs(),
                                                        std::string(actor), reason, &alerts));
    report.already_halted = was;
    report.problems.push_back(fmt::format("nothing cancelled: {}", st.message()));
    return report;
  }
  KAIROS_RETURN_IF_ERROR(st);
  return report;
}

Result<bool> DaemonBotActions::Resume(std::string_view actor) {
  bool was = false;
  KAIROS_RETURN_IF_ERROR(d_.trading->WithSession([&](PaperSession& p) -> Status {
    KAIROS_ASSIGN_OR_RETURN(
        was, engine::Resume(*p.store, std::string(actor), d_.clock->NowNs(), p.alerts.get()));
    return Status::Ok();
  }));
  return was;
}

Result<Table> DaemonBotActions::Jobs() { return JobsTable(d_.home, store_); }

std::vector<std::string> DaemonBotActions::StatusLines() {
  return {fmt::format("up since {}", Timestamp::FromNanos(started_ns_).ToString()),
          fmt::format("{} job(s) scheduled", d_.instances.size())};
}

}  // namespace kairos::app
