#include "engine/testing/fakes.h"

#include <fmt/format.h>
#include <algorithm>
#include <exception>
#include <mutex>
#include <tuple>

#include "domain/record_checks.h"
#include "domain/signal_transition.h"
#include "ports/account_maps.h"
#include "ports/nested_transaction.h"
#include "ports/store_errors.h"
#include "ports/stored_values.h"

namespace kairos::engine::testing {

namespace {

struct StrategyVersions {
  std::vector<StrategyRecord> versions;  // version i+1 at index i
  bool enabled = true;
  int64_t allocation = 0;
};

}  // namespace

struct FakeStoreRepos;

// Everything in `s` is value-typed so that a transaction can snapshot and restore it by copy.
struct FakeStore::Data {
  struct State {
    std::map<std::string, StrategyVersions, std::less<>> strategies;
    std::map<int64_t, Signal> signals;
    int64_t next_signal_id = 1;
    std::map<int64_t, Order> orders;
    int64_t next_order_id = 1;
    std::vector<std::pair<std::string, Fill>> fills;  // insertion order
    std::map<std::pair<std::string, std::string>, Position> positions;
    std::map<std::pair<std::string, int32_t>, DailyPnl> daily;
    std::map<std::string, Universe, std::less<>> universes;
    std::map<std::string, std::string, std::less<>> kv;
    std::vector<AuditEntry> audit;
    int64_t next_audit_id = 1;
    std::map<int64_t, ports::JobRun> job_runs;       // by id
    std::map<int64_t, ports::OutboxMessage> outbox;  // by id
    ports::AccountMaps accounts;
  };
  State s;
  // Held by every repository call and across a whole InTransaction, as in the real stores.
  std::recursive_mutex mu;
  ports::NestedTransaction txn;
  int64_t writes = 0;
  int committed = 0;
  int* fail_writes_after = nullptr;
  std::unique_ptr<FakeStoreRepos> repos;

  // Called by every mutating method before it changes anything: one repository call makes one
  // change, so a call outside InTransaction is atomic by construction.
  Status Write() {
    if (*fail_writes_after == 0) return Status::Unavailable("injected store failure");
    if (*fail_writes_after > 0) --*fail_writes_after;
    ++writes;
    return Status::Ok();
  }
};

namespace {

StrategyRecord Current(const StrategyVersions& v, const StrategyRecord& r) {
  StrategyRecord out = r;
  out.enabled = v.enabled;
  out.allocation = v.allocation;
  return out;
}

class FakeStrategies final : public ports::StrategyRepository {
 public:
  explicit FakeStrategies(FakeStore::Data& d) : d_(d) {}
  Result<std::pair<StrategyRecord, bool>> Import(const StrategySpec& spec,
                                                 std::string_view source) override {
    if (spec.name.empty()) return ports::StrategyWithoutName();
    std::lock_guard lock(d_.mu);
    auto it = d_.s.strategies.find(spec.name);
    if (it != d_.s.strategies.end() && it->second.versions.back().source == source) {
      return std::pair{Current(it->second, it->second.versions.back()), false};
    }
    KAIROS_RETURN_IF_ERROR(d_.Write());
    StrategyVersions& v = d_.s.strategies[spec.name];
    StrategyRecord r;
    r.spec = ports::StoredSpec(spec);
    r.source = std::string(source);
    r.version = static_cast<int>(v.versions.size()) + 1;
    if (v.versions.empty()) v.enabled = spec.enabled;
    v.allocation = spec.allocation;
    v.versions.push_back(r);
    return std::pair{Current(v, r), true};
  }
  Result<std::optional<StrategyRecord>> Get(std::string_view name) override {
    std::lock_guard lock(d_.mu);
    auto it = d_.s.strategies.find(name);
    if (it == d_.s.strategies.end()) return std::optional<StrategyRecord>();
    return std::optional<StrategyRecord>(Current(it->second, it->second.versions.back()));
  }
  Result<std::optional<StrategyRecord>> GetVersion(std::string_view name, int version) override {
    std::lock_guard lock(d_.mu);
    auto it = d_.s.strategies.find(name);
    if (it == d_.s.strategies.end() || version < 1 ||
        version > static_cast<int>(it->second.versions.size())) {
      return std::optional<StrategyRecord>();
    }
    return std::optional<StrategyRecord>(Current(it->second, it->second.versions[version - 1]));
  }
  Result<std::vector<StrategyRecord>> List() override {
    std::lock_guard lock(d_.mu);
    std::vector<StrategyRecord> out;
    for (const auto& [name, v] : d_.s.strategies) out.push_back(Current(v, v.versions.back()));
    return out;
  }
  Status SetEnabled(std::string_view name, bool enabled) override {
    std::lock_guard lock(d_.mu);
    auto it = d_.s.strategies.find(name);
    if (it == d_.s.strategies.end()) return ports::NoStrategyNamed(name);
    KAIROS_RETURN_IF_ERROR(d_.Write());
    it->second.enabled = enabled;
    return Status::Ok();
  }
  Status SetAllocation(std::string_view name, int64_t allocation_minor) override {
    std::lock_guard lock(d_.mu);
    auto it = d_.s.strategies.find(name);
    if (it == d_.s.strategies.end()) return ports::NoStrategyNamed(name);
    KAIROS_RETURN_IF_ERROR(d_.Write());
    it->second.allocation = allocation_minor;
    return Status::Ok();
  }

 private:
  FakeStore::Data& d_;
};

class FakeSignals final : public ports::SignalRepository {
 public:
  explicit FakeSignals(FakeStore::Data& d) : d_(d) {}
  Result<std::pair<Signal, bool>> Insert(const Signal& signal) override {
    std::lock_guard lock(d_.mu);
    for (const auto& [id, s] : d_.s.signals) {
      if (s.strategy == signal.strategy && s.symbol == signal.symbol &&
          s.session == signal.session && s.side == signal.side) {
        return std::pair{s, false};
      }
    }
    KAIROS_RETURN_IF_ERROR(d_.Write());
    Signal s = signal;
    s.id = d_.s.next_signal_id++;
    d_.s.signals[s.id] = ports::StoredSignal(s);
    return std::pair{s, true};
  }
  Result<std::optional<Signal>> Get(int64_t id) override {
    std::lock_guard lock(d_.mu);
    auto it = d_.s.signals.find(id);
    if (it == d_.s.signals.end()) return std::optional<Signal>();
    return std::optional<Signal>(it->second);
  }
  Result<std::vector<Signal>> List(const ports::SignalFilter& f) override {
    std::lock_guard lock(d_.mu);
    std::vector<Signal> out;
    for (const auto& [id, s] : d_.s.signals) {
      if (f.status && s.status != *f.status) continue;
      if (f.session && s.session != *f.session) continue;
      if (f.execute_on && s.execute_on != *f.execute_on) continue;
      if (!f.strategy.empty() && s.strategy != f.strategy) continue;
      out.push_back(s);
    }
    return out;
  }
  Status Transition(int64_t id, SignalStatus from, SignalStatus to, std::string_view by,
                    std::string_view note, int64_t time_ns) override {
    std::lock_guard lock(d_.mu);
    auto it = d_.s.signals.find(id);
    if (it == d_.s.signals.end()) return ports::NoSignalWithId(id);
    if (it->second.status != from) {
      return SignalNotInStatus(id, it->second.status, from);
    }
    KAIROS_RETURN_IF_ERROR(d_.Write());
    it->second.status = to;
    it->second.decided_by = std::string(by);
    it->second.decided_ns = time_ns;
    it->second.note = std::string(note);
    // Like the SQLite store: the transition audits itself (ports/store.h).
    AuditEntry entry = SignalTransitionAudit(id, from, to, by, note, time_ns);
    entry.id = d_.s.next_audit_id++;
    d_.s.audit.push_back(std::move(entry));
    return Status::Ok();
  }

 private:
  FakeStore::Data& d_;
};

class FakeOrders final : public ports::OrderRepository {
 public:
  explicit FakeOrders(FakeStore::Data& d) : d_(d) {}
  // The checks of the SQLite schema come before the duplicate client order id.
  Result<Order> Create(const Order& order) override {
    const OrderRequest& r = order.request;
    KAIROS_RETURN_IF_ERROR(CheckNewOrder(order));
    std::lock_guard lock(d_.mu);
    for (const auto& [id, o] : d_.s.orders) {
      if (o.request.client_order_id == r.client_order_id) {
        return ports::OrderAlreadyStored(r.client_order_id);
      }
    }
    KAIROS_RETURN_IF_ERROR(d_.Write());
    Order o = order;
    o.id = d_.s.next_order_id++;
    d_.s.orders[o.id] = o;
    return o;
  }
  Result<std::optional<Order>> GetByClientId(std::string_view client_order_id) override {
    std::lock_guard lock(d_.mu);
    for (const auto& [id, o] : d_.s.orders) {
      if (o.request.client_order_id == client_order_id) return std::optional<Order>(o);
    }
    return std::optional<Order>();
  }
  Result<std::vector<Order>> List(const ports::OrderFilter& f) override {
    std::lock_guard lock(d_.mu);
    std::vector<Order> out;
    for (const auto& [id, o] : d_.s.orders) {
      if (!f.statuses.empty() &&
          std::find(f.statuses.begin(), f.statuses.end(), o.status) == f.statuses.end()) {
        continue;
      }
      if (f.session && o.request.session != *f.session) continue;
      if (!f.strategy.empty() && o.strategy != f.strategy) continue;
      out.push_back(o);
    }
    return out;
  }
  Status Update(const Order& order) override {
    std::lock_guard lock(d_.mu);
    auto it = d_.s.orders.find(order.id);
    if (it == d_.s.orders.end()) {
      return ports::NoOrderWithId(order.id);
    }
    KAIROS_RETURN_IF_ERROR(CheckOrderFilled(order.id, order.filled_qty, it->second.request.qty));
    KAIROS_RETURN_IF_ERROR(d_.Write());
    it->second.status = order.status;
    it->second.filled_qty = order.filled_qty;
    it->second.broker_order_id = order.broker_order_id;
    it->second.message = order.message;
    it->second.updated_ns = order.updated_ns;
    return Status::Ok();
  }

 private:
  FakeStore::Data& d_;
};

class FakeLedger final : public ports::LedgerRepository {
 public:
  explicit FakeLedger(FakeStore::Data& d) : d_(d) {}
  // The checks of the SQLite schema come before the duplicate execution id.
  Result<bool> RecordFill(const Fill& fill, std::string_view strategy) override {
    KAIROS_RETURN_IF_ERROR(CheckNewFill(fill));
    std::lock_guard lock(d_.mu);
    for (const auto& [s, f] : d_.s.fills) {
      if (f.execution_id == fill.execution_id) return false;
    }
    KAIROS_RETURN_IF_ERROR(d_.Write());
    d_.s.fills.emplace_back(std::string(strategy), fill);
    return true;
  }
  Result<std::vector<std::pair<std::string, Fill>>> ListFills(const ports::FillFilter& f) override {
    std::lock_guard lock(d_.mu);
    std::vector<std::pair<std::string, Fill>> out;
    for (const auto& [s, fill] : d_.s.fills) {
      if (f.from && fill.session < *f.from) continue;
      if (f.to && fill.session > *f.to) continue;
      if (!f.strategy.empty() && s != f.strategy) continue;
      if (!f.symbol.empty() && fill.symbol != f.symbol) continue;
      out.emplace_back(s, fill);
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return std::tie(a.second.session, a.second.time_ns) <
             std::tie(b.second.session, b.second.time_ns);
    });
    return out;
  }
  Result<std::vector<Position>> Positions(std::string_view strategy) override {
    std::lock_guard lock(d_.mu);
    std::vector<Position> out;
    for (const auto& [key, p] : d_.s.positions) {
      if (strategy.empty() || key.first == strategy) out.push_back(p);
    }
    return out;
  }
  Result<std::optional<Position>> GetPosition(std::string_view strategy,
                                              std::string_view symbol) override {
    std::lock_guard lock(d_.mu);
    auto it = d_.s.positions.find(std::pair{std::string(strategy), std::string(symbol)});
    if (it == d_.s.positions.end()) return std::optional<Position>();
    return std::optional<Position>(it->second);
  }
  Status PutPosition(const Position& position) override {
    KAIROS_RETURN_IF_ERROR(CheckOpenPosition(position));
    std::lock_guard lock(d_.mu);
    KAIROS_RETURN_IF_ERROR(d_.Write());
    auto key = std::pair{position.strategy, position.symbol};
    if (position.qty.units() == 0) {
      d_.s.positions.erase(key);
    } else {
      d_.s.positions[key] = position;
    }
    return Status::Ok();
  }
  Status PutDailyPnl(const DailyPnl& row) override {
    std::lock_guard lock(d_.mu);
    KAIROS_RETURN_IF_ERROR(d_.Write());
    d_.s.daily[{row.strategy, row.session.days()}] = row;
    return Status::Ok();
  }
  Result<std::vector<DailyPnl>> ListDailyPnl(std::string_view strategy, std::optional<Date> from,
                                             std::optional<Date> to) override {
    std::lock_guard lock(d_.mu);
    std::vector<DailyPnl> out;
    for (const auto& [key, row] : d_.s.daily) {
      if (!strategy.empty() && row.strategy != strategy) continue;
      if (from && row.session < *from) continue;
      if (to && row.session > *to) continue;
      out.push_back(row);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const DailyPnl& a, const DailyPnl& b) { return a.session < b.session; });
    return out;
  }

 private:
  FakeStore::Data& d_;
};

class FakeUniverses final : public ports::UniverseRepository {
 public:
  explicit FakeUniverses(FakeStore::Data& d) : d_(d) {}
  Status Put(const Universe& universe) override {
    if (universe.name.empty()) return ports::UniverseWithoutName();
    std::lock_guard lock(d_.mu);
    KAIROS_RETURN_IF_ERROR(d_.Write());
    d_.s.universes[universe.name] = universe;
    return Status::Ok();
  }
  Result<std::optional<Universe>> Get(std::string_view name) override {
    std::lock_guard lock(d_.mu);
    auto it = d_.s.universes.find(name);
    if (it == d_.s.universes.end()) return std::optional<Universe>();
    return std::optional<Universe>(it->second);
  }
  Result<std::vector<Universe>> List() override {
    std::lock_guard lock(d_.mu);
    std::vector<Universe> out;
    for (const auto& [name, u] : d_.s.universes) out.push_back(u);
    return out;
  }
  Status Remove(std::string_view name) override {
    std::lock_guard lock(d_.mu);
    auto it = d_.s.universes.find(name);
    if (it == d_.s.universes.end()) {
      return ports::NoUniverseNamed(name);
    }
    KAIROS_RETURN_IF_ERROR(d_.Write());
    d_.s.universes.erase(it);
    return Status::Ok();
  }

 private:
  FakeStore::Data& d_;
};

class FakeState final : public ports::StateRepository {
 public:
  explicit FakeState(FakeStore::Data& d) : d_(d) {}
  Result<std::optional<std::string>> Get(std::string_view key) override {
    std::lock_guard lock(d_.mu);
    auto it = d_.s.kv.find(key);
    if (it == d_.s.kv.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Status Put(std::string_view key, std::string_view value) override {
    std::lock_guard lock(d_.mu);
    KAIROS_RETURN_IF_ERROR(d_.Write());
    d_.s.kv[std::string(key)] = std::string(value);
    return Status::Ok();
  }
  Status Erase(std::string_view key) override {
    std::lock_guard lock(d_.mu);
    KAIROS_RETURN_IF_ERROR(d_.Write());
    auto it = d_.s.kv.find(key);
    if (it != d_.s.kv.end()) d_.s.kv.erase(it);
    return Status::Ok();
  }

 private:
  FakeStore::Data& d_;
};

class FakeAudit final : public ports::AuditRepository {
 public:
  explicit FakeAudit(FakeStore::Data& d) : d_(d) {}
  Status Append(const AuditEntry& entry) override {
    std::lock_guard lock(d_.mu);
    KAIROS_RETURN_IF_ERROR(d_.Write());
    AuditEntry e = entry;
    e.id = d_.s.next_audit_id++;
    d_.s.audit.push_back(e);
    return Status::Ok();
  }
  Result<std::vector<AuditEntry>> List(std::string_view subject_prefix) override {
    std::lock_guard lock(d_.mu);
    std::vector<AuditEntry> out;
    for (const auto& e : d_.s.audit) {
      if (std::string_view(e.subject).substr(0, subject_prefix.size()) == subject_prefix) {
        out.push_back(e);
      }
    }
    return out;
  }

 private:
  FakeStore::Data& d_;
};

class FakeJobRuns final : public ports::JobRunRepository {
 public:
  explicit FakeJobRuns(FakeStore::Data& d) : d_(d) {}
  Result<std::pair<ports::JobRun, bool>> Claim(std::string_view job, int64_t scheduled_ns,
                                               int64_t now_ns) override {
    if (job.empty()) return ports::JobRunWithoutJob();
    std::lock_guard lock(d_.mu);
    for (const auto& [id, run] : d_.s.job_runs) {
      if (run.job == job && run.scheduled_ns == scheduled_ns) return std::pair{run, false};
    }
    KAIROS_RETURN_IF_ERROR(d_.Write());
    ports::JobRun run;
    run.id = d_.s.job_runs.empty() ? 1 : d_.s.job_runs.rbegin()->first + 1;
    run.job = std::string(job);
    run.scheduled_ns = scheduled_ns;
    run.started_ns = now_ns;
    d_.s.job_runs.emplace(run.id, run);
    return std::pair{run, true};
  }
  Status Update(const ports::JobRun& run) override {
    if (run.attempts < 0) return ports::JobRunAttemptsNegative(run.id, run.attempts);
    std::lock_guard lock(d_.mu);
    auto it = d_.s.job_runs.find(run.id);
    if (it == d_.s.job_runs.end()) return ports::NoJobRunWithId(run.id);
    KAIROS_RETURN_IF_ERROR(d_.Write());
    it->second.status = run.status;
    it->second.attempts = run.attempts;
    it->second.finished_ns = run.finished_ns;
    it->second.retry_at_ns = run.retry_at_ns;
    it->second.message = run.message;
    return Status::Ok();
  }
  Result<std::vector<ports::JobRun>> History(std::string_view job, int limit) override {
    std::lock_guard lock(d_.mu);
    std::vector<ports::JobRun> out;
    for (const auto& [id, run] : d_.s.job_runs) {
      if (job.empty() || run.job == job) out.push_back(run);
    }
    std::sort(out.begin(), out.end(), [](const ports::JobRun& a, const ports::JobRun& b) {
      return std::tie(a.scheduled_ns, a.id) > std::tie(b.scheduled_ns, b.id);
    });
    if (limit > 0 && out.size() > static_cast<size_t>(limit)) out.resize(limit);
    return out;
  }
  Result<std::optional<ports::JobRun>> Last(std::string_view job) override {
    std::lock_guard lock(d_.mu);
    std::optional<ports::JobRun> last;
    for (const auto& [id, run] : d_.s.job_runs) {
      if (run.job == job &&
          (!last || std::tie(run.scheduled_ns, run.id) > std::tie(last->scheduled_ns, last->id))) {
        last = run;
      }
    }
    return last;
  }
  Result<std::vector<ports::JobRun>> Unfinished() override {
    std::lock_guard lock(d_.mu);
    std::vector<ports::JobRun> out;
    for (const auto& [id, run] : d_.s.job_runs) {
      if (run.status == ports::JobRunStatus::kRunning ||
          run.status == ports::JobRunStatus::kRetrying) {
        out.push_back(run);
      }
    }
    std::sort(out.begin(), out.end(), [](const ports::JobRun& a, const ports::JobRun& b) {
      return std::tie(a.scheduled_ns, a.id) < std::tie(b.scheduled_ns, b.id);
    });
    return out;
  }

 private:
  FakeStore::Data& d_;
};

class FakeOutbox final : public ports::OutboxRepository {
 public:
  explicit FakeOutbox(FakeStore::Data& d) : d_(d) {}
  Result<ports::OutboxMessage> Enqueue(const ports::OutboxMessage& message) override {
    if (message.kind.empty()) return ports::OutboxMessageWithoutKind();
    if (message.key.empty()) return ports::OutboxMessageWithoutKey();
    std::lock_guard lock(d_.mu);
    for (const auto& [id, m] : d_.s.outbox) {
      if (m.key == message.key) return m;
    }
    KAIROS_RETURN_IF_ERROR(d_.Write());
    ports::OutboxMessage m = message;
    m.id = d_.s.outbox.empty() ? 1 : d_.s.outbox.rbegin()->first + 1;
    m.sent_ns = 0;
    m.attempts = 0;
    d_.s.outbox.emplace(m.id, m);
    return m;
  }
  Result<std::vector<ports::OutboxMessage>> Pending(int limit) override {
    std::lock_guard lock(d_.mu);
    std::vector<ports::OutboxMessage> out;
    for (const auto& [id, m] : d_.s.outbox) {
      if (limit > 0 && out.size() >= static_cast<size_t>(limit)) break;
      if (m.sent_ns == 0) out.push_back(m);
    }
    return out;
  }
  Status MarkSent(int64_t id, int64_t sent_ns, std::string_view external_id) override {
    std::lock_guard lock(d_.mu);
    auto it = d_.s.outbox.find(id);
    if (it == d_.s.outbox.end()) return ports::NoOutboxMessageWithId(id);
    KAIROS_RETURN_IF_ERROR(d_.Write());
    it->second.sent_ns = sent_ns;
    it->second.external_id = std::string(external_id);
    return Status::Ok();
  }
  Status MarkFailed(int64_t id, std::string_view error) override {
    std::lock_guard lock(d_.mu);
    auto it = d_.s.outbox.find(id);
    if (it == d_.s.outbox.end()) return ports::NoOutboxMessageWithId(id);
    KAIROS_RETURN_IF_ERROR(d_.Write());
    ++it->second.attempts;
    it->second.last_error = std::string(error);
    return Status::Ok();
  }
  Result<std::vector<ports::OutboxMessage>> List(const ports::OutboxFilter& f) override {
    std::lock_guard lock(d_.mu);
    std::vector<ports::OutboxMessage> out;
    for (const auto& [id, m] : d_.s.outbox) {
      if ((!f.unsent_only || m.sent_ns == 0) && (f.kind.empty() || m.kind == f.kind) &&
          m.created_ns >= f.since_ns) {
        out.push_back(m);
      }
    }
    if (f.limit > 0) {
      std::reverse(out.begin(), out.end());
      if (out.size() > static_cast<size_t>(f.limit)) out.resize(f.limit);
    }
    return out;
  }

 private:
  FakeStore::Data& d_;
};

}  // namespace

// The repositories hold a reference to Data; they live inside it.
struct FakeStoreRepos {
  explicit FakeStoreRepos(FakeStore::Data& d)
      : strategies(d),
        signals(d),
        orders(d),
        ledger(d),
        universes(d),
        state(d),
        audit(d),
        job_runs(d),
        outbox(d),
        accounts(d.mu, d.s.accounts, [&d] { return d.Write(); }) {}
  FakeStrategies strategies;
  FakeSignals signals;
  FakeOrders orders;
  FakeLedger ledger;
  FakeUniverses universes;
  FakeState state;
  FakeAudit audit;
  FakeJobRuns job_runs;
  FakeOutbox outbox;
  ports::MapAccountRepository accounts;
};

FakeStore::FakeStore() : data_(std::make_unique<Data>()) {
  data_->fail_writes_after = &fail_writes_after;
  data_->repos = std::make_unique<FakeStoreRepos>(*data_);
}
FakeStore::~FakeStore() = default;

ports::StrategyRepository& FakeStore::strategies() { return data_->repos->strategies; }
ports::SignalRepository& FakeStore::signals() { return data_->repos->signals; }
ports::OrderRepository& FakeStore::orders() { return data_->repos->orders; }
ports::LedgerRepository& FakeStore::ledger() { return data_->repos->ledger; }
ports::UniverseRepository& FakeStore::universes() { return data_->repos->universes; }
ports::StateRepository& FakeStore::state() { return data_->repos->state; }
ports::AuditRepository& FakeStore::audit() { return data_->repos->audit; }
ports::JobRunRepository& FakeStore::job_runs() { return data_->repos->job_runs; }
ports::OutboxRepository& FakeStore::outbox() { return data_->repos->outbox; }
ports::AccountRepository& FakeStore::accounts() { return data_->repos->accounts; }

// Store::InTransaction with the nesting rules of ports::NestedTransaction: a snapshot of the whole
// state taken at the top level is restored on rollback.
Status FakeStore::InTransaction(const std::function<Status()>& body) {
  Data& d = *data_;
  std::lock_guard lock(d.mu);
  Data::State before;
  return d.txn.Run(
      body,
      [&] {
        before = d.s;
        return Status::Ok();
      },
      [&] {
        ++d.committed;
        return Status::Ok();
      },
      [&] { d.s = std::move(before); });
}

int64_t FakeStore::writes() const { return data_->writes; }
int FakeStore::transactions_committed() const { return data_->committed; }

int64_t FakeStore::rows(std::string_view table) const {
  const Data::State& s = data_->s;
  auto n = [](const auto& container) { return static_cast<int64_t>(container.size()); };
  if (table == "strategies") {
    int64_t versions = 0;
    for (const auto& [name, v] : s.strategies) versions += n(v.versions);
    return versions;
  }
  if (table == "strategy_state") return n(s.strategies);
  if (table == "signals") return n(s.signals);
  if (table == "orders") return n(s.orders);
  if (table == "fills") return n(s.fills);
  if (table == "positions") return n(s.positions);
  if (table == "daily_pnl") return n(s.daily);
  if (table == "universes") return n(s.universes);
  if (table == "state") return n(s.kv);
  if (table == "audit") return n(s.audit);
  if (table == "job_runs") return n(s.job_runs);
  if (table == "outbox") return n(s.outbox);
  if (table == "users") return n(s.accounts.users);
  if (table == "sessions") return n(s.accounts.sessions);
  if (table == "api_tokens") return n(s.accounts.tokens);
  if (table == "login_throttle") return n(s.accounts.throttle);
  return -1;
}

// ---- FakeBroker

namespace {
Status NoAnswer() { return Status::Unavailable("broker: no answer (injected)"); }
bool IsOpen(OrderStatus s) { return !IsTerminal(s); }
}  // namespace

Result<BrokerOrder> FakeBroker::Submit(const OrderRequest& request) {
  ++submit_calls_;
  if (unavailable) return NoAnswer();
  if (on_submit) KAIROS_RETURN_IF_ERROR(on_submit(request));
  auto it = orders_.find(request.client_order_id);
  if (it != orders_.end()) return it->second.second;  // a known id is a query
  if (fail_next_submit) {
    fail_next_submit = false;
    return NoAnswer();
  }
  BrokerOrder bo;
  bo.client_order_id = request.client_order_id;
  bo.broker_order_id = fmt::format("B{}", next_broker_id_++);
  bo.status = OrderStatus::kAccepted;
  if (reject_next_submit) {
    reject_next_submit = false;
    bo.status = OrderStatus::kRejected;
    bo.message = "insufficient buying power";
    orders_.emplace(request.client_order_id, std::pair{request, bo});
    return Status::InvalidArgument("broker: insufficient buying power");
  }
  orders_.emplace(request.client_order_id, std::pair{request, bo});
  if (drop_next_submit_answer) {
    drop_next_submit_answer = false;
    return NoAnswer();
  }
  return bo;
}

Status FakeBroker::Cancel(std::string_view client_order_id) {
  ++cancel_calls_;
  if (unavailable) return NoAnswer();
  auto it = orders_.find(client_order_id);
  if (it == orders_.end()) {
    return Status::NotFound(fmt::format("broker: no order '{}'", client_order_id));
  }
  BrokerOrder& bo = it->second.second;
  if (!IsOpen(bo.status)) {
    return Status::FailedPrecondition(
        fmt::format("broker: order '{}' is {}", client_order_id, OrderStatusName(bo.status)));
  }
  bo.status = OrderStatus::kCancelled;
  return Status::Ok();
}

Result<std::optional<BrokerOrder>> FakeBroker::OrderByClientId(std::string_view client_order_id) {
  if (unavailable) return NoAnswer();
  auto it = orders_.find(client_order_id);
  if (it == orders_.end()) return std::optional<BrokerOrder>();
  return std::optional<BrokerOrder>(it->second.second);
}

Result<std::vector<BrokerOrder>> FakeBroker::OpenOrders() {
  if (unavailable) return NoAnswer();
  std::vector<BrokerOrder> out;
  for (const auto& [id, o] : orders_) {
    if (IsOpen(o.second.status)) out.push_back(o.second);
  }
  return out;
}

Result<std::vector<BrokerPosition>> FakeBroker::Positions() {
  if (unavailable) return NoAnswer();
  std::map<std::string, int64_t> qty;
  for (const Fill& f : fills_) {
    qty[f.symbol] += f.side == Side::kBuy ? f.qty.units() : -f.qty.units();
  }
  std::vector<BrokerPosition> out;
  for (const auto& [symbol, q] : qty) {
    if (q != 0) out.push_back({symbol, Quantity::FromUnits(q), Price()});
  }
  return out;
}

Result<std::vector<Fill>> FakeBroker::FillsSince(int64_t since_ns) {
  if (unavailable) return NoAnswer();
  std::vector<Fill> out;
  for (const Fill& f : fills_) {
    if (f.time_ns >= since_ns) out.push_back(f);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Fill& a, const Fill& b) { return a.time_ns < b.time_ns; });
  return out;
}

Result<Account> FakeBroker::GetAccount() {
  if (unavailable) return NoAnswer();
  return Account{"USD", 0, 0};
}

Fill FakeBroker::Execute(std::string_view client_order_id, int64_t qty, Price price, int64_t fees,
                         int64_t time_ns) {
  auto it = orders_.find(client_order_id);
  KAIROS_CHECK(it != orders_.end()) << "FakeBroker::Execute: unknown order " << client_order_id;
  const OrderRequest& req = it->second.first;
  BrokerOrder& bo = it->second.second;
  bo.filled_qty = bo.filled_qty + Quantity::FromUnits(qty);
  bo.status = bo.filled_qty >= req.qty ? OrderStatus::kFilled : OrderStatus::kPartiallyFilled;
  bo.average_price = price;
  Fill f;
  f.execution_id = fmt::format("{}-{}", client_order_id, fills_.size() + 1);
  f.client_order_id = std::string(client_order_id);
  f.symbol = req.symbol;
  f.side = req.side;
  f.qty = Quantity::FromUnits(qty);
  f.price = price;
  f.fees = fees;
  f.session = req.session;
  f.time_ns = time_ns;
  fills_.push_back(f);
  return f;
}

void FakeBroker::SetStatus(std::string_view client_order_id, OrderStatus status) {
  auto it = orders_.find(client_order_id);
  KAIROS_CHECK(it != orders_.end()) << "FakeBroker::SetStatus: unknown order " << client_order_id;
  it->second.second.status = status;
}

}  // namespace kairos::engine::testing
