#include "jobs/job_bodies.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/html.h"
#include "jobs/catalogue.h"

namespace kairos::jobs {
namespace {

using scheduler::JobBody;
using scheduler::JobContext;
using scheduler::JobOutcome;

constexpr int64_t kHourNs = 3'600'000'000'000;

// A failure the next attempt may fix (the disk, a remote peer) is transient; anything else is
// permanent: running the same idempotent step again would fail the same way.
JobOutcome FromStatus(const Status& st) {
  if (st.code() == StatusCode::kIOError || st.code() == StatusCode::kUnavailable) {
    return JobOutcome::Transient(st.message());
  }
  return JobOutcome::Permanent(st.message());
}

JobOutcome FromResult(const Result<std::string>& r) {
  return r.ok() ? JobOutcome::Ok(*r) : FromStatus(r.status());
}

JobBody Hook(std::string_view name, const std::function<Result<std::string>(Timestamp)>& hook) {
  std::string n(name);
  return [n, &hook](const JobContext& ctx) {
    if (!hook) return JobOutcome::Ok(fmt::format("{}: not wired here: nothing done", n));
    return FromResult(hook(ctx.scheduled));
  };
}

// The session of the run of a per-exchange job, from its instant and calendar.
Result<Date> SessionOf(const JobContext& ctx) {
  if (ctx.calendar == nullptr) {
    return Status::FailedPrecondition(
        fmt::format("{}: runs relative to sessions, but its schedule has no calendar", ctx.job));
  }
  return SessionOfInstant(*ctx.calendar, ctx.scheduled);
}

// A trading job: one engine step of the session, through the wiring's with_trading.
using Step = std::function<Result<std::string>(engine::TradingDay&, Date)>;

JobBody Trading(std::string exchange, JobEnv& env, Step step) {
  return [exchange, &env, step](const JobContext& ctx) {
    Result<Date> session = SessionOf(ctx);
    if (!session.ok()) return JobOutcome::Permanent(session.status().message());
    if (!env.with_trading) return JobOutcome::Permanent("no trading wiring");
    std::string message;
    Status st = env.with_trading(exchange, [&](engine::TradingDay& day) -> Status {
      Result<std::string> r = step(day, *session);
      if (!r.ok()) return r.status();
      message = fmt::format("{} {}: {}", exchange, *session, *r);
      std::vector<std::string> notes = day.TakeNotes();
      if (!notes.empty())
        message += fmt::format(" ({} note{})", notes.size(), notes.size() == 1 ? "" : "s");
      return Status::Ok();
    });
    if (!st.ok()) return FromStatus(st);
    return JobOutcome::Ok(std::move(message));
  };
}

Step Phase(Status (engine::TradingDay::*phase)(Date)) {
  return [phase](engine::TradingDay& day, Date session) -> Result<std::string> {
    KAIROS_RETURN_IF_ERROR((day.*phase)(session));
    engine::TradingDay::Counts c = day.TakeCounts();
    return fmt::format("done; {} expired, {} order{} sent", c.expired, c.orders_sent,
                       c.orders_sent == 1 ? "" : "s");
  };
}

Step Expire() {
  return [](engine::TradingDay& day, Date session) -> Result<std::string> {
    KAIROS_ASSIGN_OR_RETURN(int n, day.ExpireSignals(session));
    day.TakeCounts();
    return fmt::format("{} signal{} expired", n, n == 1 ? "" : "s");
  };
}

Step Scan(Timeframe tf) {
  return [tf](engine::TradingDay& day, Date session) -> Result<std::string> {
    KAIROS_RETURN_IF_ERROR(day.ScanEntries(session, tf));
    return std::string("scanned");
  };
}

Step Exits() {
  return [](engine::TradingDay& day, Date session) -> Result<std::string> {
    KAIROS_RETURN_IF_ERROR(day.CheckExits(session));
    return std::string("exits checked");
  };
}

// An amount in minor units (cents, paise) as major units with two decimals, for messages.
std::string Money(int64_t minor) {
  const char* sign = minor < 0 ? "-" : "";
  const uint64_t a = minor < 0 ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  return fmt::format("{}{}.{:02}", sign, a / 100, a % 100);
}

Date DateOf(Timestamp t) {
  return Date::FromSysDays(std::chrono::floor<std::chrono::days>(t.ToSysTime()));
}

// report.eod: the session's per-strategy numbers as the store has them, in one message.
JobBody ReportEod(std::string exchange, JobEnv& env) {
  return [exchange, &env](const JobContext& ctx) {
    Result<Date> session = SessionOf(ctx);
    if (!session.ok()) return JobOutcome::Permanent(session.status().message());
    if (!env.with_trading) return JobOutcome::Permanent("no trading wiring");
    std::string text, summary;
    Status st = env.with_trading(exchange, [&](engine::TradingDay& day) -> Status {
      KAIROS_ASSIGN_OR_RETURN(engine::SessionReport r, day.Report(*session));
      text = fmt::format("<b>{} {}</b>", EscapeHtml(exchange), *session);
      for (const auto& s : r.strategies) {
        text += fmt::format("\n{}: {} signal(s), {} pending, {} fill(s)", EscapeHtml(s.strategy),
                            s.signals, s.pending, s.fills);
        if (s.pnl) {
          text += fmt::format(", realized {}, fees {}, equity {}", Money(s.pnl->realized),
                              Money(s.pnl->fees), Money(s.pnl->equity));
        }
      }
      if (r.strategies.empty()) text += "\nno strategy traded";
      summary = fmt::format("{} strategies", r.strategies.size());
      return Status::Ok();
    });
    if (!st.ok()) return FromStatus(st);
    st = env.alerts->Notify("eod.summary", fmt::format("eod.summary:{}:{}", exchange, *session),
                            text);
    if (!st.ok()) return FromStatus(st);
    return JobOutcome::Ok(fmt::format("{} {}: {}", exchange, *session, summary));
  };
}

// report.weekly: each strategy's realized P&L and fees summed over the week's sessions, and its
// equity at the last one.
JobBody ReportWeekly(std::string exchange, JobEnv& env) {
  return [exchange, &env](const JobContext& ctx) {
    Result<Date> session = SessionOf(ctx);
    if (!session.ok()) return JobOutcome::Permanent(session.status().message());
    const int weekday = static_cast<int>(session->iso_weekday()) - 1;
    const Date monday = session->AddDays(-weekday);
    struct Week {
      int64_t realized = 0, fees = 0, equity = 0;
    };
    std::map<std::string, Week> weeks;
    auto rows = env.store->ledger().ListDailyPnl("", monday, *session);
    if (!rows.ok()) return FromStatus(rows.status());
    for (const DailyPnl& p : *rows) {
      Week& w = weeks[p.strategy];
      w.realized += p.realized;
      w.fees += p.fees;
      w.equity = p.equity;
    }
    std::string text = fmt::format("<b>Week {} .. {}</b>", monday, *session);
    for (const auto& [name, w] : weeks) {
      text += fmt::format("\n{}: realized {}, fees {}, equity {}", EscapeHtml(name),
                          Money(w.realized), Money(w.fees), Money(w.equity));
    }
    if (weeks.empty()) text += "\nno P&L this week";
    Status st = env.alerts->Notify("weekly.summary",
                                   fmt::format("weekly.summary:{}:{}", exchange, *session), text);
    if (!st.ok()) return FromStatus(st);
    return JobOutcome::Ok(fmt::format("week to {}: {} strategies", *session, weeks.size()));
  };
}

JobBody Heartbeat(JobEnv& env) {
  return [&env](const JobContext& ctx) {
    Status st =
        env.alerts->Notify("daemon.heartbeat", fmt::format("heartbeat:{}", ctx.scheduled.nanos()),
                           fmt::format("kairos is running ({})", ctx.scheduled.ToString()));
    if (!st.ok()) return FromStatus(st);
    return JobOutcome::Ok("alive");
  };
}

JobBody SignalsRemind(std::string exchange, JobEnv& env) {
  return [exchange, &env](const JobContext& ctx) {
    ports::SignalFilter f;
    f.status = SignalStatus::kPendingReview;
    auto pending = env.store->signals().List(f);
    if (!pending.ok()) return FromStatus(pending.status());
    if (pending->empty()) return JobOutcome::Ok("no signal awaits review");
    std::string text = fmt::format("<b>{} signal{} awaiting review</b>", pending->size(),
                                   pending->size() == 1 ? "" : "s");
    for (const Signal& s : *pending) {
      text += fmt::format("\n#{} {} {} {}", s.id, EscapeHtml(s.strategy), SideName(s.side),
                          EscapeHtml(s.symbol));
    }
    Status st = env.alerts->Notify(
        "signal.pending", fmt::format("signals.remind:{}:{}", exchange, ctx.scheduled.nanos()),
        text);
    if (!st.ok()) return FromStatus(st);
    return JobOutcome::Ok(fmt::format("{} signal(s) await review", pending->size()));
  };
}

// calendar.check: every built-in calendar must cover next year.
JobBody CalendarCheck(JobEnv& env) {
  return [&env](const JobContext& ctx) {
    const int year = DateOf(ctx.scheduled).year() + 1;
    std::vector<std::string> short_of;
    for (const std::string& name : calendar::ExchangeCalendar::Names()) {
      auto cal = calendar::ExchangeCalendar::ForExchange(name);
      if (!cal.ok()) continue;
      if (!(*cal)->CheckCovers(Date::FromYmd(year, 1, 1), Date::FromYmd(year, 12, 31)).ok()) {
        short_of.push_back(name);
        Status st = env.alerts->Notify(
            "calendar.coverage", fmt::format("calendar.coverage:{}:{}", name, year),
            fmt::format("the {} calendar has no data for {}: extend data/calendars and rebuild",
                        EscapeHtml(name), year));
        if (!st.ok()) return FromStatus(st);
      }
    }
    if (short_of.empty()) return JobOutcome::Ok(fmt::format("every calendar covers {}", year));
    return JobOutcome::Ok(fmt::format("{} calendar(s) do not cover {}", short_of.size(), year));
  };
}

}  // namespace

Result<Date> SessionOfInstant(const calendar::ExchangeCalendar& cal, Timestamp instant) {
  const Date day = DateOf(instant);
  std::optional<Date> best;
  int64_t best_distance = 18 * kHourNs + 1;
  for (Date d : {day.AddDays(-1), day, day.AddDays(1)}) {
    if (!cal.Covers(d) || !cal.IsSession(d)) continue;
    auto s = cal.SessionOf(d);
    if (!s.ok()) continue;
    const int64_t t = instant.nanos();
    int64_t distance = 0;
    if (t < s->open.nanos()) distance = s->open.nanos() - t;
    if (t > s->close.nanos()) distance = t - s->close.nanos();
    if (distance < best_distance) {
      best_distance = distance;
      best = d;
    }
  }
  if (!best) {
    return Status::NotFound(fmt::format("no {} session near {}", cal.name(), instant.ToString()));
  }
  return *best;
}

std::string_view BaseJobName(std::string_view instance) {
  return instance.substr(0, instance.find('@'));
}

std::string_view InstanceExchange(std::string_view instance) {
  size_t at = instance.find('@');
  return at == std::string_view::npos ? std::string_view() : instance.substr(at + 1);
}

JobBody MakeJobBody(std::string_view instance, JobEnv& env) {
  const std::string_view name = BaseJobName(instance);
  if (FindJob(name) == nullptr) return nullptr;
  std::string exchange(InstanceExchange(instance));
  using engine::TradingDay;
  if (name == "signals.expire") return Trading(exchange, env, Expire());
  if (name == "orders.open") return Trading(exchange, env, Phase(&TradingDay::PreOpen));
  if (name == "orders.sync") return Trading(exchange, env, Phase(&TradingDay::AfterOpen));
  if (name == "orders.close") return Trading(exchange, env, Phase(&TradingDay::AtClose));
  if (name == "scan.daily") return Trading(exchange, env, Scan(Timeframe::kDaily));
  if (name == "scan.weekly") return Trading(exchange, env, Scan(Timeframe::kWeekly));
  if (name == "exits.check") return Trading(exchange, env, Exits());
  if (name == "pnl.eod") return Trading(exchange, env, Phase(&TradingDay::AfterClose));
  if (name == "report.eod") return ReportEod(exchange, env);
  if (name == "report.weekly") return ReportWeekly(exchange, env);
  if (name == "heartbeat") return Heartbeat(env);
  if (name == "signals.remind") return SignalsRemind(exchange, env);
  if (name == "calendar.check") return CalendarCheck(env);
  if (name == "broker.session") {
    return [](const JobContext&) { return JobOutcome::Ok("paper broker: no session to verify"); };
  }
  if (name == "instruments.refresh") {
    return [](const JobContext&) {
      return JobOutcome::Ok("paper broker: no instrument master to refresh");
    };
  }
  if (name == "data.ingest") return Hook(name, env.ingest_inbox);
  if (name == "data.stale_check") return Hook(name, env.stale_check);
  if (name == "universe.refresh") return Hook(name, env.refresh_universes);
  if (name == "reconcile") return Hook(name, env.reconcile);
  if (name == "backup") return Hook(name, env.backup);
  if (name == "maintenance") return Hook(name, env.maintenance);
  return nullptr;
}

}  // namespace kairos::jobs
