#include "engine/signal_book.h"

#include <map>

#include <fmt/format.h>

#include "domain/signal_transition.h"
#include "engine/alerts.h"

namespace kairos::engine {

namespace {
constexpr int64_t kNsPerMinute = 60'000'000'000;
}  // namespace

Result<int64_t> ReviewCutoffNs(const calendar::ExchangeCalendar& cal, Date execute_on,
                               int cutoff_minute_local) {
  KAIROS_ASSIGN_OR_RETURN(calendar::Session s, cal.SessionOf(execute_on));
  return s.open.nanos() + (cutoff_minute_local - s.open_minute_local) * kNsPerMinute;
}

SignalBook::SignalBook(ports::Store& store, const ports::Clock& clock, Alerts* alerts)
    : store_(store), clock_(clock), alerts_(alerts) {}

Result<std::pair<Signal, bool>> SignalBook::Record(Signal signal, Approval approval) {
  const int64_t now = clock_.NowNs();
  const bool auto_approved = approval == Approval::kAuto || signal.kind == SignalKind::kExit;
  signal.created_ns = now;
  if (auto_approved) {
    signal.status = SignalStatus::kApproved;
    signal.decided_by = "auto";
    signal.decided_ns = now;
  } else {
    signal.status = SignalStatus::kPendingReview;
    signal.decided_by.clear();
    signal.decided_ns = 0;
  }
  std::pair<Signal, bool> out;
  Status st = store_.InTransaction([&]() -> Status {
    KAIROS_ASSIGN_OR_RETURN(out, store_.signals().Insert(signal));
    if (!out.second) return Status::Ok();
    const Signal& s = out.first;
    if (alerts_ != nullptr) {
      KAIROS_RETURN_IF_ERROR(auto_approved ? alerts_->StopHit(s) : alerts_->SignalPending(s));
    }
    AuditEntry a;
    a.time_ns = now;
    a.actor = auto_approved ? "auto" : "engine";
    a.action = auto_approved ? "signal.approve" : "signal.create";
    a.subject = fmt::format("signal:{}", s.id);
    a.detail = fmt::format("{} {} {} {} on {} ({}), execute on {}", s.strategy,
                           s.kind == SignalKind::kEntry ? "entry" : "exit", SideName(s.side),
                           s.symbol, s.session, s.reason, s.execute_on);
    return store_.audit().Append(a);
  });
  if (!st.ok()) return st;
  return out;
}

Status SignalBook::Decide(int64_t id, SignalStatus from, SignalStatus to, std::string_view by,
                          std::string_view note) {
  const int64_t now = clock_.NowNs();
  return store_.InTransaction([&]() -> Status {
    KAIROS_ASSIGN_OR_RETURN(std::optional<Signal> s, store_.signals().Get(id));
    if (!s) return Status::NotFound(fmt::format("no signal {}", id));
    if (s->status != from) {
      return SignalNotInStatus(id, s->status, from);
    }
    // The store audits the transition itself (ports/store.h), in the same transaction.
    return store_.signals().Transition(id, from, to, by, note, now);
  });
}

Status SignalBook::Approve(int64_t id, std::string_view by, std::string_view note) {
  return Decide(id, SignalStatus::kPendingReview, SignalStatus::kApproved, by, note);
}

Status SignalBook::Reject(int64_t id, std::string_view by, std::string_view note) {
  return Decide(id, SignalStatus::kPendingReview, SignalStatus::kRejected, by, note);
}

Status SignalBook::Fail(int64_t id, std::string_view note) {
  return Decide(id, SignalStatus::kApproved, SignalStatus::kFailed, "engine", note);
}

Result<int> SignalBook::ExpireDue(const calendar::ExchangeCalendar& cal,
                                  const std::function<Result<bool>(std::string_view)>& mine) {
  const int64_t now = clock_.NowNs();
  ports::SignalFilter f;
  f.status = SignalStatus::kPendingReview;
  KAIROS_ASSIGN_OR_RETURN(std::vector<Signal> pending, store_.signals().List(f));
  std::map<std::pair<std::string, int>, int> cutoff_of;  // (strategy, version) -> minute
  int expired = 0;
  for (const Signal& s : pending) {
    if (mine) {
      KAIROS_ASSIGN_OR_RETURN(bool ours, mine(s.strategy));
      if (!ours) continue;
    }
    auto key = std::make_pair(s.strategy, s.strategy_version);
    auto it = cutoff_of.find(key);
    if (it == cutoff_of.end()) {
      KAIROS_ASSIGN_OR_RETURN(std::optional<StrategyRecord> rec,
                              store_.strategies().GetVersion(s.strategy, s.strategy_version));
      if (!rec) {
        KAIROS_ASSIGN_OR_RETURN(rec, store_.strategies().Get(s.strategy));
      }
      int minute = rec ? rec->spec.review_cutoff_minute : StrategySpec{}.review_cutoff_minute;
      it = cutoff_of.emplace(key, minute).first;
    }
    Result<int64_t> cutoff = ReviewCutoffNs(cal, s.execute_on, it->second);
    // A signal whose execute_on is not a session (bad data) can never be executed: expire it.
    if (cutoff.ok() && *cutoff > now) continue;
    std::string note = cutoff.ok() ? fmt::format("review cut-off {} passed",
                                                 Timestamp::FromNanos(*cutoff).ToString())
                                   : fmt::format("execute_on {} is not a session", s.execute_on);
    Status st = Decide(s.id, SignalStatus::kPendingReview, SignalStatus::kExpired, "expiry", note);
    if (st.code() == StatusCode::kFailedPrecondition) continue;  // decided meanwhile
    KAIROS_RETURN_IF_ERROR(st);
    ++expired;
  }
  return expired;
}

}  // namespace kairos::engine
