#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/date.h"
#include "core/result.h"
#include "core/status.h"
#include "domain/strategy.h"
#include "domain/trading.h"
#include "domain/universe.h"
#include "ports/accounts.h"
#include "ports/job_runs.h"
#include "ports/outbox.h"

namespace kairos::ports {

// The repositories the engine persists through (ARCHITECTURE.md "Storage"). adapters/sqlite
// implements them on one SQLite file in WAL mode; PostgreSQL can follow behind the same
// interfaces. Every method is one transaction unless called inside Store::InTransaction.
// Errors: NotFound for an unknown name or id, FailedPrecondition for a state conflict,
// AlreadyExists for a duplicate key, Internal/Unavailable for the database itself.

class StrategyRepository {
 public:
  virtual ~StrategyRepository() = default;
  // Stores `spec` with its file text as a new version when the text differs from the latest
  // version (or the strategy is new); otherwise returns the latest unchanged. .second: a new
  // version was created. A new version keeps the enabled flag; allocation comes from the spec.
  virtual Result<std::pair<StrategyRecord, bool>> Import(const StrategySpec& spec,
                                                         std::string_view source) = 0;
  virtual Result<std::optional<StrategyRecord>> Get(std::string_view name) = 0;  // latest
  virtual Result<std::optional<StrategyRecord>> GetVersion(std::string_view name, int version) = 0;
  virtual Result<std::vector<StrategyRecord>> List() = 0;  // latest versions, by name
  virtual Status SetEnabled(std::string_view name, bool enabled) = 0;
  virtual Status SetAllocation(std::string_view name, int64_t allocation_minor) = 0;
};

struct SignalFilter {
  std::optional<SignalStatus> status;
  std::optional<Date> session;     // the session the signal was generated on
  std::optional<Date> execute_on;  // the session it is to be executed on
  std::string strategy;            // "" = all
};

class SignalRepository {
 public:
  virtual ~SignalRepository() = default;
  // Inserts unless a signal with the same (strategy, symbol, session, side) exists; returns the
  // stored signal (with its id) and whether it was inserted.
  virtual Result<std::pair<Signal, bool>> Insert(const Signal& signal) = 0;
  virtual Result<std::optional<Signal>> Get(int64_t id) = 0;
  virtual Result<std::vector<Signal>> List(const SignalFilter& filter) = 0;  // by id
  // Compare-and-set: moves the signal from `from` to `to` and records who, when and why, with an
  // audit row in the same transaction (actor `by`; action signal.approve / signal.reject /
  // signal.expire, else "signal.<to>"; subject "signal:ID"; detail "from -> to[: note]"; built by
  // domain/signal_transition.h), so every transition is audited whoever makes it.
  // FailedPrecondition ("signal 12 is expired, not pending_review") when the status is not `from`.
  virtual Status Transition(int64_t id, SignalStatus from, SignalStatus to, std::string_view by,
                            std::string_view note, int64_t time_ns) = 0;
};

struct OrderFilter {
  std::vector<OrderStatus> statuses;  // empty = all
  std::optional<Date> session;        // request.session
  std::string strategy;               // "" = all
};

class OrderRepository {
 public:
  virtual ~OrderRepository() = default;
  // Stores an order intent (status new) with its client order id; AlreadyExists when the id is
  // already stored. Returns it with its id.
  virtual Result<Order> Create(const Order& order) = 0;
  virtual Result<std::optional<Order>> GetByClientId(std::string_view client_order_id) = 0;
  virtual Result<std::vector<Order>> List(const OrderFilter& filter) = 0;  // by id
  // Writes status, filled_qty, broker_order_id, message and updated_ns of the order with this id.
  virtual Status Update(const Order& order) = 0;
};

struct FillFilter {
  std::optional<Date> from, to;  // fill session, inclusive
  std::string strategy;
  std::string symbol;
};

class LedgerRepository {
 public:
  virtual ~LedgerRepository() = default;
  // Records a fill under its strategy once: false (and no change) when its execution_id is stored.
  virtual Result<bool> RecordFill(const Fill& fill, std::string_view strategy) = 0;
  virtual Result<std::vector<std::pair<std::string, Fill>>> ListFills(
      const FillFilter& filter) = 0;  // (strategy, fill), by session then time
  // Open positions ("" = every strategy), by strategy then symbol.
  virtual Result<std::vector<Position>> Positions(std::string_view strategy) = 0;
  // The open position of one strategy in one symbol, nullopt when flat. Keyed, so that applying
  // a fill does not list (and decode) every open position of the strategy.
  virtual Result<std::optional<Position>> GetPosition(std::string_view strategy,
                                                      std::string_view symbol) = 0;
  // Upserts by (strategy, symbol); a position with qty 0 is deleted.
  virtual Status PutPosition(const Position& position) = 0;
  // Upserts by (strategy, session).
  virtual Status PutDailyPnl(const DailyPnl& row) = 0;
  virtual Result<std::vector<DailyPnl>> ListDailyPnl(std::string_view strategy,
                                                     std::optional<Date> from,
                                                     std::optional<Date> to) = 0;  // by date
};

class UniverseRepository {
 public:
  virtual ~UniverseRepository() = default;
  // Upserts by name (a refresh replaces members, as_of and computed_ns).
  virtual Status Put(const Universe& universe) = 0;
  virtual Result<std::optional<Universe>> Get(std::string_view name) = 0;
  virtual Result<std::vector<Universe>> List() = 0;  // by name
  virtual Status Remove(std::string_view name) = 0;
};

// Small named values: the kill switch ("halt"), the last completed run-day session, the paper
// broker's state. Values are opaque text (JSON where structured).
class StateRepository {
 public:
  virtual ~StateRepository() = default;
  virtual Result<std::optional<std::string>> Get(std::string_view key) = 0;
  virtual Status Put(std::string_view key, std::string_view value) = 0;
  virtual Status Erase(std::string_view key) = 0;
};

class AuditRepository {
 public:
  virtual ~AuditRepository() = default;
  virtual Status Append(const AuditEntry& entry) = 0;
  virtual Result<std::vector<AuditEntry>> List(std::string_view subject_prefix) = 0;  // by id
};

// Everything the engine persists, one database.
class Store {
 public:
  virtual ~Store() = default;
  virtual StrategyRepository& strategies() = 0;
  virtual SignalRepository& signals() = 0;
  virtual OrderRepository& orders() = 0;
  virtual LedgerRepository& ledger() = 0;
  virtual UniverseRepository& universes() = 0;
  virtual StateRepository& state() = 0;
  virtual AuditRepository& audit() = 0;
  virtual JobRunRepository& job_runs() = 0;
  virtual OutboxRepository& outbox() = 0;
  virtual AccountRepository& accounts() = 0;
  // Runs `body` in one transaction: committed when it returns OK, rolled back otherwise (and on
  // a crash). Nests: an inner call joins the outer transaction.
  virtual Status InTransaction(const std::function<Status()>& body) = 0;
};

}  // namespace kairos::ports
