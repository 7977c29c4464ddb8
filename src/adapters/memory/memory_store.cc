#include "adapters/memory/memory_store.h"

#include <algorithm>
#include <array>
#include <bit>
#include <exception>
#include <functional>
#include <initializer_list>
#include <limits>
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

#include <fmt/format.h>

#include "domain/signal_transition.h"
#include "ports/stored_values.h"

namespace kairos::adapters::memory {
namespace {

using ports::FillFilter;
using ports::OrderFilter;
using ports::SignalFilter;

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
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};
using IdsByName = std::unordered_map<std::string, int64_t, StringHash, std::equal_to<>>;

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

using Undo =
    std::variant<SignalInserted, SignalTransitioned, AuditAppended, OrderCreated, OrderUpdated,
                 FillRecorded, PositionReplaced, DailyPnlReplaced, UniverseReplaced, StateReplaced,
                 StrategyVersionAdded, StrategyStateReplaced>;

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
  void IndexAudit() {
    for (; audit_indexed < audit.size(); ++audit_indexed) {
      const AuditEntry& e = audit[audit_indexed];
      audit_by_subject.emplace(e.subject, e.id);
    }
  }

  // True while a transaction is open: writes then record how to undo themselves.
  bool logging() const { return depth_ > 0; }
  void Log(Undo undo) { undo_.push_back(std::move(undo)); }

  // Store::InTransaction, with the SQLite store's semantics: an inner call joins the outer
  // transaction and its failure dooms the outer one even if the outer body carries on; an
  // exception from the body rolls back and becomes Internal. A repository method's own refusal
  // never dooms the caller's transaction: every write checks before it changes anything.
  Status InTransaction(const std::function<Status()>& body) {
    std::lock_guard lock(mu);
    if (depth_ > 0) {
      ++depth_;
      Status status;
      try {
        status = body();
      } catch (...) {
        --depth_;
        throw;
      }
      --depth_;
      if (!status.ok() && inner_failure_.ok()) inner_failure_ = status;
      return status;
    }
    depth_ = 1;
    inner_failure_ = Status::Ok();
    Status status;
    try {
      status = body();
    } catch (const std::exception& e) {
      status = Status::Internal(fmt::format("exception in a transaction: {}", e.what()));
    } catch (...) {
      // Not a std::exception: nothing to report it as, so undo and let it go on.
      depth_ = 0;
      inner_failure_ = Status::Ok();
      Rollback();
      throw;
    }
    depth_ = 0;
    if (status.ok() && !inner_failure_.ok()) {
      status = inner_failure_.WithContext("transaction rolled back after an inner failure");
    }
    inner_failure_ = Status::Ok();
    if (status.ok()) {
      undo_.clear();
    } else {
      Rollback();
    }
    return status;
  }

  // Appended rows and their indexes.

  int64_t AppendSignal(Signal stored) {
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

  void SetSignalStatus(Signal& s, SignalStatus to) {
    signals_by_status[static_cast<size_t>(s.status)].erase(s.id);
    signals_by_status[static_cast<size_t>(to)].insert(s.id);
    s.status = to;
  }

  void AppendAudit(AuditEntry entry) {
    const int64_t id = static_cast<int64_t>(audit.size()) + 1;
    entry.id = id;
    audit.push_back(std::move(entry));
    if (logging()) Log(AuditAppended{});
  }

  int64_t AppendOrder(Order stored) {
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

  void SetOrderStatus(Order& o, OrderStatus to) {
    orders_by_status[static_cast<size_t>(o.status)].erase(o.id);
    orders_by_status[static_cast<size_t>(to)].insert(o.id);
    o.status = to;
  }

  void AppendFill(const Fill& f, std::string_view strategy) {
    const int64_t id = static_cast<int64_t>(fills.size()) + 1;
    const FillOrder key{f.session, f.time_ns, id};
    fills_by_execution_id.emplace(f.execution_id, id);
    fills_ordered.insert(key);
    SetOf(fills_by_strategy, strategy).insert(key);
    SetOf(fills_by_symbol, f.symbol).insert(key);
    fills.push_back(StoredFill{std::string(strategy), f});
    if (logging()) Log(FillRecorded{});
  }

  // Upserts a position (or deletes it: `next` nullopt), recording what it replaced.
  void ReplacePosition(NameView key, std::optional<Position> next) {
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

  void ReplaceDailyPnl(const std::string& strategy, Date session, std::optional<DailyPnl> next) {
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

  void ReplaceUniverse(std::string_view name, std::optional<Universe> next) {
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

  void ReplaceState(std::string_view key, std::optional<std::string> next) {
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

  void ReplaceStrategyState(StrategyEntry& entry, const std::string& name,
                            std::optional<StrategyState> next) {
    if (logging()) Log(StrategyStateReplaced{name, entry.state});
    entry.state = next;
  }

  RowCounts Counts() const {
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
    return n;
  }

 private:
  template <typename Map>
  static std::vector<int64_t>& IdsOf(Map& map, std::string_view key) {
    auto it = map.find(key);
    if (it == map.end()) it = map.emplace(std::string(key), std::vector<int64_t>()).first;
    return it->second;
  }

  template <typename Map>
  static std::set<FillOrder>& SetOf(Map& map, std::string_view key) {
    auto it = map.find(key);
    if (it == map.end()) it = map.emplace(std::string(key), std::set<FillOrder>()).first;
    return it->second;
  }

  static void EraseFrom(std::map<std::string, std::set<FillOrder>, std::less<>>& map,
                        std::string_view key, const FillOrder& order) {
    auto it = map.find(key);
    if (it == map.end()) std::terminate();
    it->second.erase(order);
    if (it->second.empty()) map.erase(it);
  }

  void Rollback() {
    for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
      std::visit([this](auto& u) { UndoOne(u); }, *it);
    }
    undo_.clear();
  }

  void UndoOne(SignalInserted&) {
    const Signal& s = signals.back();
    signal_keys.erase(signal_keys.find(SignalKeyView{s.strategy, s.symbol, s.session, s.side}));
    signals_by_status[static_cast<size_t>(s.status)].erase(s.id);
    PopId(signals_by_session, s.session, s.id);
    PopId(signals_by_execute_on, s.execute_on, s.id);
    PopId(signals_by_strategy, std::string_view(s.strategy), s.id);
    signals.pop_back();
  }
  void UndoOne(SignalTransitioned& u) {
    Signal& s = signals[static_cast<size_t>(u.id - 1)];
    SetSignalStatus(s, u.status);
    s.decided_by = std::move(u.decided_by);
    s.decided_ns = u.decided_ns;
    s.note = std::move(u.note);
  }
  void UndoOne(AuditAppended&) {
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
  void UndoOne(OrderCreated&) {
    const Order& o = orders.back();
    orders_by_client_id.erase(o.request.client_order_id);
    orders_by_status[static_cast<size_t>(o.status)].erase(o.id);
    PopId(orders_by_session, o.request.session, o.id);
    PopId(orders_by_strategy, std::string_view(o.strategy), o.id);
    orders.pop_back();
  }
  void UndoOne(OrderUpdated& u) {
    Order& o = orders[static_cast<size_t>(u.id - 1)];
    SetOrderStatus(o, u.status);
    o.filled_qty = u.filled_qty;
    o.broker_order_id = std::move(u.broker_order_id);
    o.message = std::move(u.message);
    o.updated_ns = u.updated_ns;
  }
  void UndoOne(FillRecorded&) {
    const StoredFill& f = fills.back();
    const FillOrder key{f.fill.session, f.fill.time_ns, static_cast<int64_t>(fills.size())};
    fills_by_execution_id.erase(f.fill.execution_id);
    fills_ordered.erase(key);
    EraseFrom(fills_by_strategy, f.strategy, key);
    EraseFrom(fills_by_symbol, f.fill.symbol, key);
    fills.pop_back();
  }
  void UndoOne(PositionReplaced& u) {
    if (u.previous) {
      positions.insert_or_assign(u.key, std::move(*u.previous));
    } else {
      positions.erase(u.key);
    }
  }
  void UndoOne(DailyPnlReplaced& u) {
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
  void UndoOne(UniverseReplaced& u) {
    if (u.previous) {
      universes.insert_or_assign(u.name, std::move(*u.previous));
    } else {
      universes.erase(u.name);
    }
  }
  void UndoOne(StateReplaced& u) {
    if (u.previous) {
      state.insert_or_assign(u.key, std::move(*u.previous));
    } else {
      state.erase(u.key);
    }
  }
  void UndoOne(StrategyVersionAdded& u) {
    auto it = strategies.find(u.name);
    if (it == strategies.end() || it->second.versions.empty()) std::terminate();
    it->second.versions.pop_back();
    if (it->second.versions.empty() && !it->second.state) strategies.erase(it);
  }
  void UndoOne(StrategyStateReplaced& u) {
    auto it = strategies.find(u.name);
    if (it == strategies.end()) std::terminate();
    it->second.state = u.previous;
    if (it->second.versions.empty() && !it->second.state) strategies.erase(it);
  }

  int depth_ = 0;
  Status inner_failure_;
  std::vector<Undo> undo_;
};

// ---------------------------------------------------------------------------------------------
// Strategies

class MemoryStrategies : public ports::StrategyRepository {
 public:
  explicit MemoryStrategies(Tables& t) : t_(t) {}

  Result<std::pair<StrategyRecord, bool>> Import(const StrategySpec& spec,
                                                 std::string_view source) override {
    if (spec.name.empty()) return Status::InvalidArgument("a strategy needs a name");
    std::lock_guard lock(t_.mu);
    auto it = t_.strategies.find(spec.name);
    if (it != t_.strategies.end() && !it->second.versions.empty() && it->second.state &&
        it->second.versions.back().source == source) {
      return std::pair(Record(it->second, it->second.versions.size()), false);
    }
    if (it == t_.strategies.end()) it = t_.strategies.emplace(spec.name, StrategyEntry{}).first;
    StrategyEntry& entry = it->second;
    entry.versions.push_back(StrategyVersion{ports::StoredSpec(spec), std::string(source)});
    if (t_.logging()) t_.Log(StrategyVersionAdded{spec.name});
    // A new version keeps the enabled flag (a re-import must not re-enable a strategy someone
    // disabled); the allocation is the file's.
    StrategyState next{entry.state ? entry.state->enabled : spec.enabled, spec.allocation};
    t_.ReplaceStrategyState(entry, spec.name, next);
    return std::pair(Record(entry, entry.versions.size()), true);
  }

  Result<std::optional<StrategyRecord>> Get(std::string_view name) override {
    std::lock_guard lock(t_.mu);
    const StrategyEntry* entry = Find(name);
    if (entry == nullptr) return std::optional<StrategyRecord>();
    return std::optional(Record(*entry, entry->versions.size()));
  }

  Result<std::optional<StrategyRecord>> GetVersion(std::string_view name, int version) override {
    std::lock_guard lock(t_.mu);
    const StrategyEntry* entry = Find(name);
    if (entry == nullptr || version < 1 || static_cast<size_t>(version) > entry->versions.size()) {
      return std::optional<StrategyRecord>();
    }
    return std::optional(Record(*entry, static_cast<size_t>(version)));
  }

  Result<std::vector<StrategyRecord>> List() override {
    std::lock_guard lock(t_.mu);
    std::vector<StrategyRecord> out;
    for (const auto& [name, entry] : t_.strategies) {
      if (entry.versions.empty() || !entry.state) continue;
      out.push_back(Record(entry, entry.versions.size()));
    }
    return out;
  }

  Status SetEnabled(std::string_view name, bool enabled) override {
    return SetState(name, [&](StrategyState& s) { s.enabled = enabled; });
  }

  Status SetAllocation(std::string_view name, int64_t allocation_minor) override {
    return SetState(name, [&](StrategyState& s) { s.allocation = allocation_minor; });
  }

 private:
  // A strategy exists for readers when it has a version and a state row (the SQLite join).
  const StrategyEntry* Find(std::string_view name) const {
    auto it = t_.strategies.find(name);
    if (it == t_.strategies.end() || it->second.versions.empty() || !it->second.state) {
      return nullptr;
    }
    return &it->second;
  }

  static StrategyRecord Record(const StrategyEntry& entry, size_t version) {
    const StrategyVersion& v = entry.versions[version - 1];
    StrategyRecord r;
    r.spec = v.spec;
    r.source = v.source;
    r.version = static_cast<int>(version);
    r.enabled = entry.state->enabled;
    r.allocation = entry.state->allocation;
    return r;
  }

  template <typename Change>
  Status SetState(std::string_view name, Change change) {
    std::lock_guard lock(t_.mu);
    auto it = t_.strategies.find(name);
    if (it == t_.strategies.end() || !it->second.state) {
      return Status::NotFound(fmt::format("no strategy named '{}'", name));
    }
    StrategyState next = *it->second.state;
    change(next);
    t_.ReplaceStrategyState(it->second, it->first, next);
    return Status::Ok();
  }

  Tables& t_;
};

// ---------------------------------------------------------------------------------------------
// Signals

bool Matches(const Signal& s, const SignalFilter& f) {
  return (!f.status || s.status == *f.status) && (!f.session || s.session == *f.session) &&
         (!f.execute_on || s.execute_on == *f.execute_on) &&
         (f.strategy.empty() || s.strategy == f.strategy);
}

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

const std::vector<int64_t> kNoIds;

class MemorySignals : public ports::SignalRepository {
 public:
  explicit MemorySignals(Tables& t) : t_(t) {}

  Result<std::pair<Signal, bool>> Insert(const Signal& signal) override {
    std::lock_guard lock(t_.mu);
    auto it = t_.signal_keys.find(
        SignalKeyView{signal.strategy, signal.symbol, signal.session, signal.side});
    if (it != t_.signal_keys.end()) {
      return std::pair(t_.signals[static_cast<size_t>(it->second - 1)], false);
    }
    Signal stored = ports::StoredSignal(signal);
    std::pair<Signal, bool> out(signal, true);
    out.first.id = t_.AppendSignal(std::move(stored));
    return out;
  }

  Result<std::optional<Signal>> Get(int64_t id) override {
    std::lock_guard lock(t_.mu);
    if (id < 1 || id > static_cast<int64_t>(t_.signals.size())) return std::optional<Signal>();
    return std::optional(t_.signals[static_cast<size_t>(id - 1)]);
  }

  Result<std::vector<Signal>> List(const SignalFilter& f) override {
    std::lock_guard lock(t_.mu);
    std::vector<Signal> out;
    const std::vector<int64_t>* by_session = nullptr;
    const std::vector<int64_t>* by_execute_on = nullptr;
    const std::vector<int64_t>* by_strategy = nullptr;
    if (f.session) by_session = Ids(t_.signals_by_session, *f.session);
    if (f.execute_on) by_execute_on = Ids(t_.signals_by_execute_on, *f.execute_on);
    if (!f.strategy.empty()) by_strategy = Ids(t_.signals_by_strategy, f.strategy);
    const std::set<int64_t>* by_status =
        f.status ? &t_.signals_by_status[static_cast<size_t>(*f.status)] : nullptr;
    ForEachCandidate({by_session, by_execute_on, by_strategy}, by_status, t_.signals.size(),
                     [&](int64_t id) {
                       const Signal& s = t_.signals[static_cast<size_t>(id - 1)];
                       if (Matches(s, f)) out.push_back(s);
                     });
    return out;
  }

  Status Transition(int64_t id, SignalStatus from, SignalStatus to, std::string_view by,
                    std::string_view note, int64_t time_ns) override {
    std::lock_guard lock(t_.mu);
    if (id < 1 || id > static_cast<int64_t>(t_.signals.size())) {
      return Status::NotFound(fmt::format("no signal with id {}", id));
    }
    Signal& s = t_.signals[static_cast<size_t>(id - 1)];
    if (s.status != from) {
      return SignalNotInStatus(id, s.status, from);
    }
    if (t_.logging()) {
      t_.Log(SignalTransitioned{id, s.status, std::move(s.decided_by), s.decided_ns,
                                std::move(s.note)});
    }
    t_.SetSignalStatus(s, to);
    s.decided_by = std::string(by);
    s.decided_ns = time_ns;
    s.note = std::string(note);
    t_.AppendAudit(SignalTransitionAudit(id, from, to, by, note, time_ns));
    return Status::Ok();
  }

 private:
  // The ids under `key`, or an empty list when there are none (the answer is then empty).
  template <typename Map, typename Key>
  static const std::vector<int64_t>* Ids(Map& map, const Key& key) {
    const std::vector<int64_t>* ids = FindIds(map, key);
    return ids != nullptr ? ids : &kNoIds;
  }

  Tables& t_;
};

// ---------------------------------------------------------------------------------------------
// Orders

class MemoryOrders : public ports::OrderRepository {
 public:
  explicit MemoryOrders(Tables& t) : t_(t) {}

  // The checks mirror the schema's CHECK constraints (which SQLite tests before the unique
  // client order id), in their order; the texts are this store's own.
  Result<Order> Create(const Order& order) override {
    const OrderRequest& r = order.request;
    if (r.client_order_id.empty()) {
      return Status::InvalidArgument("an order needs a client order id");
    }
    if (r.qty.units() <= 0) {
      return Status::InvalidArgument(
          fmt::format("order '{}': quantity {} is not positive", r.client_order_id, r.qty.units()));
    }
    if (order.filled_qty.units() < 0 || order.filled_qty.units() > r.qty.units()) {
      return Status::InvalidArgument(fmt::format("order '{}': filled quantity {} is outside 0..{}",
                                                 r.client_order_id, order.filled_qty.units(),
                                                 r.qty.units()));
    }
    std::lock_guard lock(t_.mu);
    if (t_.orders_by_client_id.contains(r.client_order_id)) {
      return Status::AlreadyExists(
          fmt::format("an order with client order id '{}' is already stored", r.client_order_id));
    }
    Order out = order;
    out.id = t_.AppendOrder(order);
    return out;
  }

  Result<std::optional<Order>> GetByClientId(std::string_view client_order_id) override {
    std::lock_guard lock(t_.mu);
    auto it = t_.orders_by_client_id.find(client_order_id);
    if (it == t_.orders_by_client_id.end()) return std::optional<Order>();
    return std::optional(t_.orders[static_cast<size_t>(it->second - 1)]);
  }

  Result<std::vector<Order>> List(const OrderFilter& f) override {
    std::lock_guard lock(t_.mu);
    uint32_t wanted = 0;  // bit per OrderStatus; 0 = all
    for (OrderStatus s : f.statuses) wanted |= 1u << static_cast<unsigned>(s);
    auto matches = [&](const Order& o) {
      return (wanted == 0 || (wanted & (1u << static_cast<unsigned>(o.status))) != 0) &&
             (!f.session || o.request.session == *f.session) &&
             (f.strategy.empty() || o.strategy == f.strategy);
    };
    std::vector<Order> out;
    auto visit = [&](int64_t id) {
      const Order& o = t_.orders[static_cast<size_t>(id - 1)];
      if (matches(o)) out.push_back(o);
    };

    const std::vector<int64_t>* by_session = nullptr;
    const std::vector<int64_t>* by_strategy = nullptr;
    if (f.session) {
      by_session = FindIds(t_.orders_by_session, *f.session);
      if (by_session == nullptr) return out;
    }
    if (!f.strategy.empty()) {
      by_strategy = FindIds(t_.orders_by_strategy, f.strategy);
      if (by_strategy == nullptr) return out;
    }
    size_t by_status = t_.orders.size();
    const std::set<int64_t>* only_status = nullptr;
    if (wanted != 0) {
      by_status = 0;
      for (size_t s = 0; s < kOrderStatuses; ++s) {
        if ((wanted & (1u << s)) == 0) continue;
        by_status += t_.orders_by_status[s].size();
        only_status = &t_.orders_by_status[s];
      }
      if (std::popcount(wanted) != 1) only_status = nullptr;
    }
    size_t indexed = std::min(by_session ? by_session->size() : t_.orders.size(),
                              by_strategy ? by_strategy->size() : t_.orders.size());
    if (wanted != 0 && by_status < indexed) {
      if (only_status != nullptr) {
        for (int64_t id : *only_status) visit(id);
        return out;
      }
      // Several statuses: their ids merged into id order.
      std::vector<int64_t> ids;
      ids.reserve(by_status);
      for (size_t s = 0; s < kOrderStatuses; ++s) {
        if ((wanted & (1u << s)) != 0) {
          ids.insert(ids.end(), t_.orders_by_status[s].begin(), t_.orders_by_status[s].end());
        }
      }
      std::sort(ids.begin(), ids.end());
      for (int64_t id : ids) visit(id);
      return out;
    }
    ForEachCandidate({by_session, by_strategy}, nullptr, t_.orders.size(), visit);
    return out;
  }

  Status Update(const Order& order) override {
    std::lock_guard lock(t_.mu);
    if (order.id < 1 || order.id > static_cast<int64_t>(t_.orders.size())) {
      return Status::NotFound(fmt::format("no order with id {}", order.id));
    }
    Order& o = t_.orders[static_cast<size_t>(order.id - 1)];
    const int64_t filled = order.filled_qty.units();
    if (filled < 0 || filled > o.request.qty.units()) {
      return Status::InvalidArgument(fmt::format("order {}: filled quantity {} is outside 0..{}",
                                                 order.id, filled, o.request.qty.units()));
    }
    if (t_.logging()) {
      t_.Log(OrderUpdated{o.id, o.status, o.filled_qty, std::move(o.broker_order_id),
                          std::move(o.message), o.updated_ns});
    }
    t_.SetOrderStatus(o, order.status);
    o.filled_qty = order.filled_qty;
    o.broker_order_id = order.broker_order_id;
    o.message = order.message;
    o.updated_ns = order.updated_ns;
    return Status::Ok();
  }

 private:
  Tables& t_;
};

// ---------------------------------------------------------------------------------------------
// Ledger

class MemoryLedger : public ports::LedgerRepository {
 public:
  explicit MemoryLedger(Tables& t) : t_(t) {}

  // The schema's CHECK constraints come first (SQLite tests them before the upsert's conflict).
  Result<bool> RecordFill(const Fill& f, std::string_view strategy) override {
    if (f.execution_id.empty()) return Status::InvalidArgument("a fill needs an execution id");
    if (f.qty.units() <= 0) {
      return Status::InvalidArgument(
          fmt::format("fill '{}': quantity {} is not positive", f.execution_id, f.qty.units()));
    }
    if (f.fees < 0) {
      return Status::InvalidArgument(
          fmt::format("fill '{}': fees {} are negative", f.execution_id, f.fees));
    }
    std::lock_guard lock(t_.mu);
    if (t_.fills_by_execution_id.contains(f.execution_id)) return false;
    t_.AppendFill(f, strategy);
    return true;
  }

  Result<std::vector<std::pair<std::string, Fill>>> ListFills(const FillFilter& f) override {
    std::lock_guard lock(t_.mu);
    std::vector<std::pair<std::string, Fill>> out;
    const std::set<FillOrder>* index = &t_.fills_ordered;
    for (const auto* key : {&f.strategy, &f.symbol}) {
      if (key->empty()) continue;
      auto& map = key == &f.strategy ? t_.fills_by_strategy : t_.fills_by_symbol;
      auto it = map.find(*key);
      if (it == map.end()) return out;
      if (it->second.size() < index->size()) index = &it->second;
    }
    auto it = f.from ? index->lower_bound(FillOrder{*f.from, std::numeric_limits<int64_t>::min(),
                                                    std::numeric_limits<int64_t>::min()})
                     : index->begin();
    for (; it != index->end() && (!f.to || it->session <= *f.to); ++it) {
      const StoredFill& stored = t_.fills[static_cast<size_t>(it->id - 1)];
      if (!f.strategy.empty() && stored.strategy != f.strategy) continue;
      if (!f.symbol.empty() && stored.fill.symbol != f.symbol) continue;
      out.emplace_back(stored.strategy, stored.fill);
    }
    return out;
  }

  Result<std::vector<Position>> Positions(std::string_view strategy) override {
    std::lock_guard lock(t_.mu);
    std::vector<Position> out;
    auto it = strategy.empty() ? t_.positions.begin()
                               : t_.positions.lower_bound(NameView(strategy, std::string_view()));
    for (; it != t_.positions.end(); ++it) {
      if (!strategy.empty() && it->first.first != strategy) break;
      out.push_back(it->second);
    }
    return out;
  }

  Result<std::optional<Position>> GetPosition(std::string_view strategy,
                                              std::string_view symbol) override {
    std::lock_guard lock(t_.mu);
    auto it = t_.positions.find(NameView(strategy, symbol));
    if (it == t_.positions.end()) return std::optional<Position>();
    return std::optional(it->second);
  }

  Status PutPosition(const Position& p) override {
    std::lock_guard lock(t_.mu);
    if (p.qty.units() == 0) {
      t_.ReplacePosition(NameView(p.strategy, p.symbol), std::nullopt);
      return Status::Ok();
    }
    if (p.sessions_held < 0) {
      return Status::InvalidArgument(fmt::format("position {}/{}: sessions held {} is negative",
                                                 p.strategy, p.symbol, p.sessions_held));
    }
    t_.ReplacePosition(NameView(p.strategy, p.symbol), p);
    return Status::Ok();
  }

  Status PutDailyPnl(const DailyPnl& d) override {
    std::lock_guard lock(t_.mu);
    t_.ReplaceDailyPnl(d.strategy, d.session, d);
    return Status::Ok();
  }

  Result<std::vector<DailyPnl>> ListDailyPnl(std::string_view strategy, std::optional<Date> from,
                                             std::optional<Date> to) override {
    std::lock_guard lock(t_.mu);
    std::vector<DailyPnl> out;
    if (!strategy.empty()) {
      auto outer = t_.pnl_by_strategy.find(strategy);
      if (outer == t_.pnl_by_strategy.end()) return out;
      const auto& rows = outer->second;
      auto it = from ? rows.lower_bound(*from) : rows.begin();
      for (; it != rows.end() && (!to || it->first <= *to); ++it) out.push_back(it->second);
      return out;
    }
    auto it = from ? t_.pnl_ordered.lower_bound({*from, std::string()}) : t_.pnl_ordered.begin();
    for (; it != t_.pnl_ordered.end() && (!to || it->first <= *to); ++it) {
      out.push_back(t_.pnl_by_strategy.find(it->second)->second.find(it->first)->second);
    }
    return out;
  }

 private:
  Tables& t_;
};

// ---------------------------------------------------------------------------------------------
// Universes, state, audit

class MemoryUniverses : public ports::UniverseRepository {
 public:
  explicit MemoryUniverses(Tables& t) : t_(t) {}

  Status Put(const Universe& u) override {
    if (u.name.empty()) return Status::InvalidArgument("a universe needs a name");
    std::lock_guard lock(t_.mu);
    t_.ReplaceUniverse(u.name, u);
    return Status::Ok();
  }

  Result<std::optional<Universe>> Get(std::string_view name) override {
    std::lock_guard lock(t_.mu);
    auto it = t_.universes.find(name);
    if (it == t_.universes.end()) return std::optional<Universe>();
    return std::optional(it->second);
  }

  Result<std::vector<Universe>> List() override {
    std::lock_guard lock(t_.mu);
    std::vector<Universe> out;
    out.reserve(t_.universes.size());
    for (const auto& [name, u] : t_.universes) out.push_back(u);
    return out;
  }

  Status Remove(std::string_view name) override {
    std::lock_guard lock(t_.mu);
    if (!t_.universes.contains(name)) {
      return Status::NotFound(fmt::format("no universe named '{}'", name));
    }
    t_.ReplaceUniverse(name, std::nullopt);
    return Status::Ok();
  }

 private:
  Tables& t_;
};

class MemoryState : public ports::StateRepository {
 public:
  explicit MemoryState(Tables& t) : t_(t) {}

  Result<std::optional<std::string>> Get(std::string_view key) override {
    std::lock_guard lock(t_.mu);
    auto it = t_.state.find(key);
    if (it == t_.state.end()) return std::optional<std::string>();
    return std::optional(it->second);
  }

  Status Put(std::string_view key, std::string_view value) override {
    std::lock_guard lock(t_.mu);
    t_.ReplaceState(key, std::string(value));
    return Status::Ok();
  }

  // Erasing a key that is not there is not an error (as in the SQLite store).
  Status Erase(std::string_view key) override {
    std::lock_guard lock(t_.mu);
    if (t_.state.contains(key)) t_.ReplaceState(key, std::nullopt);
    return Status::Ok();
  }

 private:
  Tables& t_;
};

class MemoryAudit : public ports::AuditRepository {
 public:
  explicit MemoryAudit(Tables& t) : t_(t) {}

  Status Append(const AuditEntry& entry) override {
    std::lock_guard lock(t_.mu);
    t_.AppendAudit(entry);
    return Status::Ok();
  }

  // The prefix is literal (no wildcards): the subjects from the first one >= the prefix up to
  // the first that does not start with it.
  Result<std::vector<AuditEntry>> List(std::string_view subject_prefix) override {
    std::lock_guard lock(t_.mu);
    std::vector<AuditEntry> out;
    if (subject_prefix.empty()) {
      out.reserve(t_.audit.size());
      for (size_t i = 0; i < t_.audit.size(); ++i) out.push_back(t_.audit[i]);
      return out;
    }
    t_.IndexAudit();
    std::vector<int64_t> ids;
    bool sorted = true;
    for (auto it = t_.audit_by_subject.lower_bound(subject_prefix);
         it != t_.audit_by_subject.end() && it->first.starts_with(subject_prefix); ++it) {
      if (!ids.empty() && it->second < ids.back()) sorted = false;
      ids.push_back(it->second);
    }
    if (!sorted) std::sort(ids.begin(), ids.end());
    out.reserve(ids.size());
    for (int64_t id : ids) out.push_back(t_.audit[static_cast<size_t>(id - 1)]);
    return out;
  }

 private:
  Tables& t_;
};

// ---------------------------------------------------------------------------------------------
// The store

class MemoryStore : public ports::Store {
 public:
  MemoryStore()
      : strategies_(t_),
        signals_(t_),
        orders_(t_),
        ledger_(t_),
        universes_(t_),
        state_(t_),
        audit_(t_) {}

  ports::StrategyRepository& strategies() override { return strategies_; }
  ports::SignalRepository& signals() override { return signals_; }
  ports::OrderRepository& orders() override { return orders_; }
  ports::LedgerRepository& ledger() override { return ledger_; }
  ports::UniverseRepository& universes() override { return universes_; }
  ports::StateRepository& state() override { return state_; }
  ports::AuditRepository& audit() override { return audit_; }
  Status InTransaction(const std::function<Status()>& body) override {
    return t_.InTransaction(body);
  }

  RowCounts Counts() {
    std::lock_guard lock(t_.mu);
    return t_.Counts();
  }

 private:
  Tables t_;
  MemoryStrategies strategies_;
  MemorySignals signals_;
  MemoryOrders orders_;
  MemoryLedger ledger_;
  MemoryUniverses universes_;
  MemoryState state_;
  MemoryAudit audit_;
};

}  // namespace

std::unique_ptr<ports::Store> OpenStore() { return std::make_unique<MemoryStore>(); }

Result<RowCounts> CountRows(ports::Store& store) {
  auto* memory = dynamic_cast<MemoryStore*>(&store);
  if (memory == nullptr) return Status::InvalidArgument("not an in-memory store");
  return memory->Counts();
}

}  // namespace kairos::adapters::memory
