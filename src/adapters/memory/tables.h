#pragma once

// The in-process store's tables (memory_store.h), shared by its files: one file per repository of
// ports/store.h (*_repository.cc), the tables with their indexes and undo log (tables.cc) and the
// store that ties them together (memory_store.cc). Internal to the adapter.

#include <array>
#include <cstdint>
#include <exception>
#include <functional>
#include <initializer_list>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "adapters/memory/memory_store.h"
#include "core/status.h"
#include "core/string_hash.h"
#include "domain/strategy.h"
#include "domain/trading.h"
#include "domain/universe.h"
#include "ports/account_maps.h"
#include "ports/job_runs.h"
#include "ports/nested_transaction.h"
#include "ports/outbox.h"

namespace kairos::adapters::memory {

// Keys of two names ((strategy, symbol), ...), looked up by string_view without a copy.
using NamePair = std::pair<std::string, std::string>;
struct NamePairLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return std::tuple<std::string_view, std::string_view>(a.first, a.second) <
           std::tuple<std::string_view, std::string_view>(b.first, b.second);
  }
};
using NameView = std::pair<std::string_view, std::string_view>;

// Keys that are only looked up (client order ids, execution ids, the signals' unique key) are
// hashed: ids such as "strategy-SYMBOL-20240304-buy-1" share long prefixes, which makes every
// comparison of an ordered map long.
using IdsByName = StringMap<int64_t>;

// The signals' unique key (strategy, symbol, session, side).
struct SignalKey {
  std::string strategy;
  std::string symbol;
  Date session;
  Side side = Side::kBuy;
};
struct SignalKeyView {
  std::string_view strategy;
  std::string_view symbol;
  Date session;
  Side side = Side::kBuy;
};
struct SignalKeyHash {
  using is_transparent = void;
  template <typename K>
  size_t operator()(const K& k) const {
    size_t h = std::hash<std::string_view>()(k.strategy);
    h = h * 31 + std::hash<std::string_view>()(k.symbol);
    h = h * 31 + static_cast<size_t>(k.session.days());
    return h * 2 + static_cast<size_t>(k.side);
  }
};
struct SignalKeyEqual {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return a.session == b.session && a.side == b.side &&
           std::string_view(a.symbol) == std::string_view(b.symbol) &&
           std::string_view(a.strategy) == std::string_view(b.strategy);
  }
};

// The order fills are listed in: session, then time, then insertion (the fill's id).
struct FillOrder {
  Date session;
  int64_t time_ns = 0;
  int64_t id = 0;
  friend auto operator<=>(const FillOrder&, const FillOrder&) = default;
};

struct StoredFill {
  std::string strategy;
  Fill fill;
};

struct StrategyVersion {
  StrategySpec spec;
  std::string source;
};
struct StrategyState {
  bool enabled = true;
  int64_t allocation = 0;
};
// The `strategies` rows of one name (version i + 1 at index i) and its `strategy_state` row.
struct StrategyEntry {
  std::vector<StrategyVersion> versions;
  std::optional<StrategyState> state;
};

template <typename Map, typename Key>
std::vector<int64_t>* FindIds(Map& map, const Key& key) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

// Removes `id`, the last id appended under `key` (undo runs newest first), and the key once empty.
template <typename Map, typename Key>
void PopId(Map& map, const Key& key, int64_t id) {
  auto it = map.find(key);
  if (it == map.end() || it->second.empty() || it->second.back() != id) std::terminate();
  it->second.pop_back();
  if (it->second.empty()) map.erase(it);
}

// The rows of one table by id (id i + 1 at index i), in blocks of fixed capacity: appending never
// moves the rows already stored (a vector that doubles would copy the whole history each time).
template <typename T>
class Rows {
 public:
  size_t size() const { return size_; }
  T& operator[](size_t i) { return blocks_[i / kBlock][i % kBlock]; }
  const T& operator[](size_t i) const { return blocks_[i / kBlock][i % kBlock]; }
  T& back() { return (*this)[size_ - 1]; }

  void push_back(T row) {
    if (size_ % kBlock == 0) {
      blocks_.emplace_back();
      blocks_.back().reserve(kBlock);
    }
    blocks_.back().push_back(std::move(row));
    ++size_;
  }
  void pop_back() {
    blocks_.back().pop_back();
    if (blocks_.back().empty()) blocks_.pop_back();
    --size_;
  }

 private:
  static constexpr size_t kBlock = 1024;
  std::vector<std::vector<T>> blocks_;
  size_t size_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Undo records: what each write replaced, so that a failed transaction can put it back. The
// appended rows (signals, orders, fills, audit) are always the newest, so their record needs no
// data: undo runs newest first and removes the last row.

struct SignalInserted {};
struct SignalTransitioned {
  int64_t id;
  SignalStatus status;
  std::string decided_by;
  int64_t decided_ns;
  std::string note;
};
struct AuditAppended {};
struct OrderCreated {};
struct OrderUpdated {
  int64_t id;
  OrderStatus status;
  Quantity filled_qty;
  std::string broker_order_id;
  std::string message;
  int64_t updated_ns;
};
struct FillRecorded {};
struct PositionReplaced {
  NamePair key;
  std::optional<Position> previous;  // nullopt: there was none
};
struct DailyPnlReplaced {
  std::string strategy;
  Date session;
  std::optional<DailyPnl> previous;
};
struct UniverseReplaced {
  std::string name;
  std::optional<Universe> previous;
};
struct StateReplaced {
  std::string key;
  std::optional<std::string> previous;
};
struct StrategyVersionAdded {
  std::string name;
};
struct StrategyStateReplaced {
  std::string name;
  std::optional<StrategyState> previous;
};
struct JobRunClaimed {};
struct JobRunUpdated {
  ports::JobRun previous;
};
struct OutboxEnqueued {};
struct OutboxMarked {
  int64_t id;
  int64_t sent_ns;
  int attempts;
  std::string last_error;
  std::string external_id;
};
// Accounts are few: a write records all of them as they were.
struct AccountsReplaced {
  ports::AccountMaps previous;
};

using Undo =
    std::variant<SignalInserted, SignalTransitioned, AuditAppended, OrderCreated, OrderUpdated,
                 FillRecorded, PositionReplaced, DailyPnlReplaced, UniverseReplaced, StateReplaced,
                 StrategyVersionAdded, StrategyStateReplaced, JobRunClaimed, JobRunUpdated,
                 OutboxEnqueued, OutboxMarked, AccountsReplaced>;

constexpr size_t kSignalStatuses = static_cast<size_t>(SignalStatus::kFailed) + 1;
constexpr size_t kOrderStatuses = static_cast<size_t>(OrderStatus::kUnknown) + 1;

// Everything the store holds, its indexes and the transaction state. Every repository holds a
// reference and takes `mu` for each call.
class Tables {
 public:
  std::recursive_mutex mu;

  std::map<std::string, StrategyEntry, std::less<>> strategies;

  Rows<Signal> signals;
  std::unordered_map<SignalKey, int64_t, SignalKeyHash, SignalKeyEqual> signal_keys;
  std::array<std::set<int64_t>, kSignalStatuses> signals_by_status;
  std::map<Date, std::vector<int64_t>> signals_by_session;
  std::map<Date, std::vector<int64_t>> signals_by_execute_on;
  std::map<std::string, std::vector<int64_t>, std::less<>> signals_by_strategy;

  Rows<Order> orders;
  IdsByName orders_by_client_id;
  std::array<std::set<int64_t>, kOrderStatuses> orders_by_status;
  std::map<Date, std::vector<int64_t>> orders_by_session;
  std::map<std::string, std::vector<int64_t>, std::less<>> orders_by_strategy;

  Rows<StoredFill> fills;
  IdsByName fills_by_execution_id;
  std::set<FillOrder> fills_ordered;
  std::map<std::string, std::set<FillOrder>, std::less<>> fills_by_strategy;
  std::map<std::string, std::set<FillOrder>, std::less<>> fills_by_symbol;

  std::map<NamePair, Position, NamePairLess> positions;

  std::map<std::string, std::map<Date, DailyPnl>, std::less<>> pnl_by_strategy;
  std::set<std::pair<Date, std::string>> pnl_ordered;  // (session, strategy)

  std::map<std::string, Universe, std::less<>> universes;
  std::map<std::string, std::string, std::less<>> state;

  Rows<AuditEntry> audit;
  // Ids by subject; equal subjects keep their insertion (id) order.
  // Built when a List asks (rows [0, audit_indexed) are in it): appends are a replay's most
  // frequent write and the listing by subject is rare (the CLI, tests).
  std::multimap<std::string, int64_t, std::less<>> audit_by_subject;
  size_t audit_indexed = 0;
  void IndexAudit();

  Rows<ports::JobRun> job_runs;
  // The claim key: per job, ids by scheduled instant (unique, as SQLite's UNIQUE index).
  std::map<std::string, std::map<int64_t, int64_t>, std::less<>> job_runs_by_job;
  std::set<std::pair<int64_t, int64_t>> job_runs_ordered;     // (scheduled_ns, id), every run
  std::set<std::pair<int64_t, int64_t>> job_runs_unfinished;  // the same, running or retrying

  Rows<ports::OutboxMessage> outbox;
  IdsByName outbox_by_key;
  std::set<int64_t> outbox_unsent;
  std::map<std::string, std::vector<int64_t>, std::less<>> outbox_by_kind;

  ports::AccountMaps accounts;
  // Called by the accounts repository before each write: records the accounts to undo it.
  Status BeforeAccountsWrite() {
    if (logging()) Log(AccountsReplaced{accounts});
    return Status::Ok();
  }

  // True while a transaction is open: writes then record how to undo themselves.
  bool logging() const { return txn_.open(); }
  void Log(Undo undo) { undo_.push_back(std::move(undo)); }

  // Store::InTransaction with the nesting rules of ports::NestedTransaction; commit drops the
  // undo log, rollback replays it. A repository method's own refusal
  // never dooms the caller's transaction: every write checks before it changes anything.
  Status InTransaction(const std::function<Status()>& body);

  // Appended rows and their indexes.
  int64_t AppendSignal(Signal stored);
  void SetSignalStatus(Signal& s, SignalStatus to);
  void AppendAudit(AuditEntry entry);
  int64_t AppendOrder(Order stored);
  void SetOrderStatus(Order& o, OrderStatus to);
  void AppendFill(const Fill& f, std::string_view strategy);
  int64_t AppendJobRun(ports::JobRun stored);
  // Writes the mutable fields of run `next.id` (which exists), recording the previous run.
  void UpdateJobRun(const ports::JobRun& next);
  int64_t AppendOutbox(ports::OutboxMessage stored);
  // Replaces the delivery fields of message `id` (which exists), recording the previous ones.
  void MarkOutbox(int64_t id, int64_t sent_ns, int attempts, std::string last_error,
                  std::string external_id);

  // Upserts (or deletes: `next` nullopt), recording what was replaced.
  void ReplacePosition(NameView key, std::optional<Position> next);
  void ReplaceDailyPnl(const std::string& strategy, Date session, std::optional<DailyPnl> next);
  void ReplaceUniverse(std::string_view name, std::optional<Universe> next);
  void ReplaceState(std::string_view key, std::optional<std::string> next);
  void ReplaceStrategyState(StrategyEntry& entry, const std::string& name,
                            std::optional<StrategyState> next);

  RowCounts Counts() const;

 private:
  // Undoes the log newest first, each record by the overload for its kind.
  void Rollback();
  void UndoOne(SignalInserted& u);
  void UndoOne(SignalTransitioned& u);
  void UndoOne(AuditAppended& u);
  void UndoOne(OrderCreated& u);
  void UndoOne(OrderUpdated& u);
  void UndoOne(FillRecorded& u);
  void UndoOne(PositionReplaced& u);
  void UndoOne(DailyPnlReplaced& u);
  void UndoOne(UniverseReplaced& u);
  void UndoOne(StateReplaced& u);
  void UndoOne(StrategyVersionAdded& u);
  void UndoOne(StrategyStateReplaced& u);
  void UndoOne(JobRunClaimed& u);
  void UndoOne(JobRunUpdated& u);
  void UndoOne(OutboxEnqueued& u);
  void UndoOne(OutboxMarked& u);
  void UndoOne(AccountsReplaced& u);

  ports::NestedTransaction txn_;
  std::vector<Undo> undo_;
};

// Calls `visit(id)` in id order for every id of the smallest candidate index: `ids` (sorted
// vectors of ids, nullptr for an index that was not asked for) or `set`, else every id up to `n`.
template <typename Visit>
void ForEachCandidate(std::initializer_list<const std::vector<int64_t>*> ids,
                      const std::set<int64_t>* set, size_t n, Visit visit) {
  const std::vector<int64_t>* best = nullptr;
  size_t best_size = n;
  for (const std::vector<int64_t>* v : ids) {
    if (v != nullptr && v->size() <= best_size) {
      best = v;
      best_size = v->size();
    }
  }
  if (set != nullptr && set->size() < best_size) {
    for (int64_t id : *set) visit(id);
    return;
  }
  if (best != nullptr) {
    for (int64_t id : *best) visit(id);
    return;
  }
  for (size_t i = 1; i <= n; ++i) visit(static_cast<int64_t>(i));
}

}  // namespace kairos::adapters::memory
