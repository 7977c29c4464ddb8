#include "adapters/memory/tables.h"

namespace kairos::adapters::memory {
namespace {

template <typename Map>
std::vector<int64_t>& IdsOf(Map& map, std::string_view key) {
  auto it = map.find(key);
  if (it == map.end()) it = map.emplace(std::string(key), std::vector<int64_t>()).first;
  return it->second;
}

template <typename Map>
std::set<FillOrder>& SetOf(Map& map, std::string_view key) {
  auto it = map.find(key);
  if (it == map.end()) it = map.emplace(std::string(key), std::set<FillOrder>()).first;
  return it->second;
}

void EraseFrom(std::map<std::string, std::set<FillOrder>, std::less<>>& map, std::string_view key,
               const FillOrder& order) {
  auto it = map.find(key);
  if (it == map.end()) std::terminate();
  it->second.erase(order);
  if (it->second.empty()) map.erase(it);
}

}  // namespace

void Tables::IndexAudit() {
  for (; audit_indexed < audit.size(); ++audit_indexed) {
    const AuditEntry& e = audit[audit_indexed];
    audit_by_subject.emplace(e.subject, e.id);
  }
}

Status Tables::InTransaction(const std::function<Status()>& body) {
  std::lock_guard lock(mu);
  return txn_.Run(
      body, [] { return Status::Ok(); },
      [&] {
        undo_.clear();
        return Status::Ok();
      },
      [&] { Rollback(); });
}

int64_t Tables::AppendSignal(Signal stored) {
  const int64_t id = static_cast<int64_t>(signals.size()) + 1;
  stored.id = id;
  signal_keys.emplace(SignalKey{stored.strategy, stored.symbol, stored.session, stored.side}, id);
  signals_by_status[static_cast<size_t>(stored.status)].insert(id);
  signals_by_session[stored.session].push_back(id);
  signals_by_execute_on[stored.execute_on].push_back(id);
  IdsOf(signals_by_strategy, stored.strategy).push_back(id);
  signals.push_back(std::move(stored));
  if (logging()) Log(SignalInserted{});
  return id;
}

void Tables::SetSignalStatus(Signal& s, SignalStatus to) {
  signals_by_status[static_cast<size_t>(s.status)].erase(s.id);
  signals_by_status[static_cast<size_t>(to)].insert(s.id);
  s.status = to;
}

void Tables::AppendAudit(AuditEntry entry) {
  const int64_t id = static_cast<int64_t>(audit.size()) + 1;
  entry.id = id;
  audit.push_back(std::move(entry));
  if (logging()) Log(AuditAppended{});
}

int64_t Tables::AppendOrder(Order stored) {
  const int64_t id = static_cast<int64_t>(orders.size()) + 1;
  stored.id = id;
  orders_by_client_id.emplace(stored.request.client_order_id, id);
  orders_by_status[static_cast<size_t>(stored.status)].insert(id);
  orders_by_session[stored.request.session].push_back(id);
  IdsOf(orders_by_strategy, stored.strategy).push_back(id);
  orders.push_back(std::move(stored));
  if (logging()) Log(OrderCreated{});
  return id;
}

void Tables::SetOrderStatus(Order& o, OrderStatus to) {
  orders_by_status[static_cast<size_t>(o.status)].erase(o.id);
  orders_by_status[static_cast<size_t>(to)].insert(o.id);
  o.status = to;
}

void Tables::AppendFill(const Fill& f, std::string_view strategy) {
  const int64_t id = static_cast<int64_t>(fills.size()) + 1;
  const FillOrder key{f.session, f.time_ns, id};
  fills_by_execution_id.emplace(f.execution_id, id);
  fills_ordered.insert(key);
  SetOf(fills_by_strategy, strategy).insert(key);
  SetOf(fills_by_symbol, f.symbol).insert(key);
  fills.push_back(StoredFill{std::string(strategy), f});
  if (logging()) Log(FillRecorded{});
}

namespace {
bool IsUnfinished(ports::JobRunStatus status) {
  return status == ports::JobRunStatus::kRunning || status == ports::JobRunStatus::kRetrying;
}
}  // namespace

int64_t Tables::AppendJobRun(ports::JobRun stored) {
  const int64_t id = static_cast<int64_t>(job_runs.size()) + 1;
  stored.id = id;
  job_runs_by_job[stored.job].emplace(stored.scheduled_ns, id);
  job_runs_ordered.emplace(stored.scheduled_ns, id);
  if (IsUnfinished(stored.status)) job_runs_unfinished.emplace(stored.scheduled_ns, id);
  job_runs.push_back(std::move(stored));
  if (logging()) Log(JobRunClaimed{});
  return id;
}

void Tables::UpdateJobRun(const ports::JobRun& next) {
  ports::JobRun& run = job_runs[static_cast<size_t>(next.id - 1)];
  if (logging()) Log(JobRunUpdated{run});
  if (IsUnfinished(next.status)) {
    job_runs_unfinished.emplace(run.scheduled_ns, run.id);
  } else {
    job_runs_unfinished.erase({run.scheduled_ns, run.id});
  }
  run.status = next.status;
  run.attempts = next.attempts;
  run.finished_ns = next.finished_ns;
  run.retry_at_ns = next.retry_at_ns;
  run.message = next.message;
}

int64_t Tables::AppendOutbox(ports::OutboxMessage stored) {
  const int64_t id = static_cast<int64_t>(outbox.size()) + 1;
  stored.id = id;
  outbox_by_key.emplace(stored.key, id);
  if (stored.sent_ns == 0) outbox_unsent.insert(id);
  IdsOf(outbox_by_kind, stored.kind).push_back(id);
  outbox.push_back(std::move(stored));
  if (logging()) Log(OutboxEnqueued{});
  return id;
}

void Tables::MarkOutbox(int64_t id, int64_t sent_ns, int attempts, std::string last_error,
                        std::string external_id) {
  ports::OutboxMessage& m = outbox[static_cast<size_t>(id - 1)];
  std::swap(m.last_error, last_error);
  std::swap(m.external_id, external_id);
  if (logging()) {
    Log(OutboxMarked{id, m.sent_ns, m.attempts, std::move(last_error), std::move(external_id)});
  }
  m.sent_ns = sent_ns;
  m.attempts = attempts;
  if (sent_ns == 0) {
    outbox_unsent.insert(id);
  } else {
    outbox_unsent.erase(id);
  }
}

void Tables::ReplacePosition(NameView key, std::optional<Position> next) {
  auto it = positions.find(key);
  if (it == positions.end()) {
    if (!next) return;
    if (logging()) Log(PositionReplaced{NamePair(key.first, key.second), std::nullopt});
    positions.emplace(NamePair(key.first, key.second), std::move(*next));
    return;
  }
  if (logging()) Log(PositionReplaced{it->first, std::move(it->second)});
  if (next) {
    it->second = std::move(*next);
  } else {
    positions.erase(it);
  }
}

void Tables::ReplaceDailyPnl(const std::string& strategy, Date session,
                             std::optional<DailyPnl> next) {
  auto outer = pnl_by_strategy.find(strategy);
  std::optional<DailyPnl> previous;
  if (outer != pnl_by_strategy.end()) {
    if (auto it = outer->second.find(session); it != outer->second.end()) {
      previous = std::move(it->second);
      if (!next) {
        outer->second.erase(it);
        if (outer->second.empty()) pnl_by_strategy.erase(outer);
        pnl_ordered.erase({session, strategy});
      }
    }
  }
  if (next) {
    pnl_by_strategy[strategy].insert_or_assign(session, std::move(*next));
    if (!previous) pnl_ordered.emplace(session, strategy);
  }
  if (logging()) Log(DailyPnlReplaced{strategy, session, std::move(previous)});
}

void Tables::ReplaceUniverse(std::string_view name, std::optional<Universe> next) {
  auto it = universes.find(name);
  std::optional<Universe> previous;
  if (it != universes.end()) {
    previous = std::move(it->second);
    if (next) {
      it->second = std::move(*next);
    } else {
      universes.erase(it);
    }
  } else if (next) {
    universes.emplace(std::string(name), std::move(*next));
  }
  if (logging()) Log(UniverseReplaced{std::string(name), std::move(previous)});
}

void Tables::ReplaceState(std::string_view key, std::optional<std::string> next) {
  auto it = state.find(key);
  std::optional<std::string> previous;
  if (it != state.end()) {
    previous = std::move(it->second);
    if (next) {
      it->second = std::move(*next);
    } else {
      state.erase(it);
    }
  } else if (next) {
    state.emplace(std::string(key), std::move(*next));
  }
  if (logging()) Log(StateReplaced{std::string(key), std::move(previous)});
}

void Tables::ReplaceStrategyState(StrategyEntry& entry, const std::string& name,
                                  std::optional<StrategyState> next) {
  if (logging()) Log(StrategyStateReplaced{name, entry.state});
  entry.state = next;
}

RowCounts Tables::Counts() const {
  RowCounts n;
  for (const auto& [name, entry] : strategies) {
    n.strategies += static_cast<int64_t>(entry.versions.size());
    n.strategy_states += entry.state ? 1 : 0;
  }
  n.signals = static_cast<int64_t>(signals.size());
  n.orders = static_cast<int64_t>(orders.size());
  n.fills = static_cast<int64_t>(fills.size());
  n.positions = static_cast<int64_t>(positions.size());
  n.daily_pnl = static_cast<int64_t>(pnl_ordered.size());
  n.universes = static_cast<int64_t>(universes.size());
  n.state = static_cast<int64_t>(state.size());
  n.audit = static_cast<int64_t>(audit.size());
  n.job_runs = static_cast<int64_t>(job_runs.size());
  n.outbox = static_cast<int64_t>(outbox.size());
  n.users = static_cast<int64_t>(accounts.users.size());
  n.sessions = static_cast<int64_t>(accounts.sessions.size());
  n.api_tokens = static_cast<int64_t>(accounts.tokens.size());
  n.login_throttle = static_cast<int64_t>(accounts.throttle.size());
  return n;
}

void Tables::Rollback() {
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
    std::visit([this](auto& u) { UndoOne(u); }, *it);
  }
  undo_.clear();
}

void Tables::UndoOne(SignalInserted&) {
  const Signal& s = signals.back();
  signal_keys.erase(signal_keys.find(SignalKeyView{s.strategy, s.symbol, s.session, s.side}));
  signals_by_status[static_cast<size_t>(s.status)].erase(s.id);
  PopId(signals_by_session, s.session, s.id);
  PopId(signals_by_execute_on, s.execute_on, s.id);
  PopId(signals_by_strategy, std::string_view(s.strategy), s.id);
  signals.pop_back();
}

void Tables::UndoOne(SignalTransitioned& u) {
  Signal& s = signals[static_cast<size_t>(u.id - 1)];
  SetSignalStatus(s, u.status);
  s.decided_by = std::move(u.decided_by);
  s.decided_ns = u.decided_ns;
  s.note = std::move(u.note);
}

void Tables::UndoOne(AuditAppended&) {
  const AuditEntry& e = audit.back();
  if (audit_indexed == audit.size()) {
    // Indexed already: the newest row of its subject, the last of the subject's equal keys.
    auto it = audit_by_subject.upper_bound(std::string_view(e.subject));
    if (it == audit_by_subject.begin() || (--it)->second != e.id) std::terminate();
    audit_by_subject.erase(it);
    --audit_indexed;
  }
  audit.pop_back();
}

void Tables::UndoOne(OrderCreated&) {
  const Order& o = orders.back();
  orders_by_client_id.erase(o.request.client_order_id);
  orders_by_status[static_cast<size_t>(o.status)].erase(o.id);
  PopId(orders_by_session, o.request.session, o.id);
  PopId(orders_by_strategy, std::string_view(o.strategy), o.id);
  orders.pop_back();
}

void Tables::UndoOne(OrderUpdated& u) {
  Order& o = orders[static_cast<size_t>(u.id - 1)];
  SetOrderStatus(o, u.status);
  o.filled_qty = u.filled_qty;
  o.broker_order_id = std::move(u.broker_order_id);
  o.message = std::move(u.message);
  o.updated_ns = u.updated_ns;
}

void Tables::UndoOne(FillRecorded&) {
  const StoredFill& f = fills.back();
  const FillOrder key{f.fill.session, f.fill.time_ns, static_cast<int64_t>(fills.size())};
  fills_by_execution_id.erase(f.fill.execution_id);
  fills_ordered.erase(key);
  EraseFrom(fills_by_strategy, f.strategy, key);
  EraseFrom(fills_by_symbol, f.fill.symbol, key);
  fills.pop_back();
}

void Tables::UndoOne(PositionReplaced& u) {
  if (u.previous) {
    positions.insert_or_assign(u.key, std::move(*u.previous));
  } else {
    positions.erase(u.key);
  }
}

void Tables::UndoOne(DailyPnlReplaced& u) {
  if (u.previous) {
    pnl_by_strategy[u.strategy].insert_or_assign(u.session, std::move(*u.previous));
    pnl_ordered.emplace(u.session, u.strategy);
    return;
  }
  auto outer = pnl_by_strategy.find(u.strategy);
  if (outer == pnl_by_strategy.end()) return;
  outer->second.erase(u.session);
  if (outer->second.empty()) pnl_by_strategy.erase(outer);
  pnl_ordered.erase({u.session, u.strategy});
}

void Tables::UndoOne(UniverseReplaced& u) {
  if (u.previous) {
    universes.insert_or_assign(u.name, std::move(*u.previous));
  } else {
    universes.erase(u.name);
  }
}

void Tables::UndoOne(StateReplaced& u) {
  if (u.previous) {
    state.insert_or_assign(u.key, std::move(*u.previous));
  } else {
    state.erase(u.key);
  }
}

void Tables::UndoOne(StrategyVersionAdded& u) {
  auto it = strategies.find(u.name);
  if (it == strategies.end() || it->second.versions.empty()) std::terminate();
  it->second.versions.pop_back();
  if (it->second.versions.empty() && !it->second.state) strategies.erase(it);
}

void Tables::UndoOne(StrategyStateReplaced& u) {
  auto it = strategies.find(u.name);
  if (it == strategies.end()) std::terminate();
  it->second.state = u.previous;
  if (it->second.versions.empty() && !it->second.state) strategies.erase(it);
}

void Tables::UndoOne(JobRunClaimed&) {
  const ports::JobRun& r = job_runs.back();
  auto by_job = job_runs_by_job.find(r.job);
  if (by_job == job_runs_by_job.end() || by_job->second.erase(r.scheduled_ns) != 1) {
    std::terminate();
  }
  if (by_job->second.empty()) job_runs_by_job.erase(by_job);
  job_runs_ordered.erase({r.scheduled_ns, r.id});
  job_runs_unfinished.erase({r.scheduled_ns, r.id});
  job_runs.pop_back();
}

void Tables::UndoOne(JobRunUpdated& u) {
  ports::JobRun& run = job_runs[static_cast<size_t>(u.previous.id - 1)];
  if (IsUnfinished(u.previous.status)) {
    job_runs_unfinished.emplace(run.scheduled_ns, run.id);
  } else {
    job_runs_unfinished.erase({run.scheduled_ns, run.id});
  }
  run = std::move(u.previous);
}

void Tables::UndoOne(OutboxEnqueued&) {
  const ports::OutboxMessage& m = outbox.back();
  outbox_by_key.erase(m.key);
  outbox_unsent.erase(m.id);
  PopId(outbox_by_kind, std::string_view(m.kind), m.id);
  outbox.pop_back();
}

void Tables::UndoOne(OutboxMarked& u) {
  ports::OutboxMessage& m = outbox[static_cast<size_t>(u.id - 1)];
  m.sent_ns = u.sent_ns;
  m.attempts = u.attempts;
  m.last_error = std::move(u.last_error);
  m.external_id = std::move(u.external_id);
  if (m.sent_ns == 0) {
    outbox_unsent.insert(m.id);
  } else {
    outbox_unsent.erase(m.id);
  }
}

void Tables::UndoOne(AccountsReplaced& u) { accounts = std::move(u.previous); }

}  // namespace kairos::adapters::memory
