#include "adapters/sqlite/sqlite_store.h"

#include <mutex>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "adapters/sqlite/codec.h"
#include "adapters/sqlite/migrations.h"
#include "adapters/sqlite/repositories.h"
#include "adapters/sqlite/sqlite_connection.h"
#include "adapters/sqlite/sqlite_db.h"
#include "adapters/sqlite/sqlite_store_internal.h"
#include "domain/signal_transition.h"
#include "ports/nested_transaction.h"
#include "ports/store_errors.h"

namespace kairos::adapters::sqlite {
namespace {

using ports::FillFilter;
using ports::OrderFilter;
using ports::SignalFilter;

std::optional<std::string> OptionalDate(const std::optional<Date>& d) {
  if (!d) return std::nullopt;
  return d->ToString();
}

std::optional<int64_t> OptionalRaw(const std::optional<Price>& p) {
  if (!p) return std::nullopt;
  return p->raw();
}

std::optional<Price> PriceAt(const Statement& s, int col) {
  if (s.IsNull(col)) return std::nullopt;
  return Price::FromRaw(s.Int(col));
}

// ---------------------------------------------------------------------------------------------
// Strategies

constexpr std::string_view kStrategyColumns =
    "s.spec, s.source, s.version, st.enabled, st.allocation FROM strategies s "
    "JOIN strategy_state st ON st.name = s.name";

Result<StrategyRecord> ReadStrategy(const Statement& s) {
  StrategyRecord r;
  KAIROS_ASSIGN_OR_RETURN(r.spec, DecodeSpec(s.Text(0)));
  r.source = s.Text(1);
  r.version = static_cast<int>(s.Int(2));
  r.enabled = s.Int(3) != 0;
  r.allocation = s.Int(4);
  return r;
}

class SqliteStrategies : public ports::StrategyRepository {
 public:
  explicit SqliteStrategies(Connection& c) : c_(c) {}

  Result<std::pair<StrategyRecord, bool>> Import(const StrategySpec& spec,
                                                 std::string_view source) override {
    if (spec.name.empty()) return ports::StrategyWithoutName();
    std::lock_guard lock(c_.mu());
    std::pair<StrategyRecord, bool> out;
    KAIROS_RETURN_IF_ERROR(c_.Atomic([&]() -> Status {
      KAIROS_ASSIGN_OR_RETURN(auto latest, Get(spec.name));
      if (latest && latest->source == source) {
        out = {std::move(*latest), false};
        return Status::Ok();
      }
      int version = latest ? latest->version + 1 : 1;
      KAIROS_ASSIGN_OR_RETURN(
          auto insert,
          c_.db().Prepare("INSERT INTO strategies (name, version, spec, source) VALUES (?,?,?,?)",
                          "importing strategy"));
      KAIROS_RETURN_IF_ERROR(insert.Bind(spec.name, version, EncodeSpec(spec), source).Run());
      // A new version keeps the enabled flag (a re-import must not re-enable a strategy someone
      // disabled); the allocation is the file's.
      KAIROS_ASSIGN_OR_RETURN(
          auto state, c_.db().Prepare("INSERT INTO strategy_state (name, enabled, allocation) "
                                      "VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE SET "
                                      "allocation = excluded.allocation",
                                      "importing strategy state"));
      KAIROS_RETURN_IF_ERROR(state.Bind(spec.name, spec.enabled, spec.allocation).Run());
      KAIROS_ASSIGN_OR_RETURN(auto stored, Get(spec.name));
      if (!stored) return Status::Internal("imported strategy vanished");
      out = {std::move(*stored), true};
      return Status::Ok();
    }));
    return out;
  }

  Result<std::optional<StrategyRecord>> Get(std::string_view name) override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare(fmt::format("SELECT {} WHERE s.name = ? ORDER BY s.version DESC "
                                            "LIMIT 1",
                                            kStrategyColumns),
                                "reading strategy"));
    return One(s.Bind(name));
  }

  Result<std::optional<StrategyRecord>> GetVersion(std::string_view name, int version) override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare(
                    fmt::format("SELECT {} WHERE s.name = ? AND s.version = ?", kStrategyColumns),
                    "reading strategy version"));
    return One(s.Bind(name, version));
  }

  Result<std::vector<StrategyRecord>> List() override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare(fmt::format("SELECT {} WHERE s.version = (SELECT MAX(version) "
                                            "FROM strategies WHERE name = s.name) ORDER BY s.name",
                                            kStrategyColumns),
                                "listing strategies"));
    std::vector<StrategyRecord> out;
    for (;;) {
      KAIROS_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) return out;
      KAIROS_ASSIGN_OR_RETURN(auto r, ReadStrategy(s));
      out.push_back(std::move(r));
    }
  }

  Status SetEnabled(std::string_view name, bool enabled) override {
    return SetState("UPDATE strategy_state SET enabled = ?2 WHERE name = ?1", name,
                    static_cast<int64_t>(enabled ? 1 : 0), "enabling strategy");
  }

  Status SetAllocation(std::string_view name, int64_t allocation_minor) override {
    return SetState("UPDATE strategy_state SET allocation = ?2 WHERE name = ?1", name,
                    allocation_minor, "setting strategy allocation");
  }

 private:
  static Result<std::optional<StrategyRecord>> One(Statement& s) {
    KAIROS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return std::optional<StrategyRecord>();
    KAIROS_ASSIGN_OR_RETURN(auto r, ReadStrategy(s));
    return std::optional<StrategyRecord>(std::move(r));
  }

  Status SetState(std::string_view sql, std::string_view name, int64_t value,
                  std::string_view context) {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(auto s, c_.db().Prepare(sql, context));
    KAIROS_RETURN_IF_ERROR(s.Bind(name, value).Run());
    if (c_.db().Changes() == 0) {
      return ports::NoStrategyNamed(name);
    }
    return Status::Ok();
  }

  Connection& c_;
};

// ---------------------------------------------------------------------------------------------
// Signals

constexpr std::string_view kSignalSelect =
    "SELECT id, strategy, strategy_version, symbol, session, side, kind, status, terms, "
    "rank_value, reason, execute_on, created_ns, decided_by, decided_ns, note FROM signals ";

Result<Signal> ReadSignal(const Statement& s) {
  Signal g;
  g.id = s.Int(0);
  g.strategy = s.Text(1);
  g.strategy_version = static_cast<int>(s.Int(2));
  g.symbol = s.Text(3);
  KAIROS_ASSIGN_OR_RETURN(g.session, ParseStoredDate(s.Text(4)));
  KAIROS_ASSIGN_OR_RETURN(g.side, ParseSide(s.Text(5)));
  KAIROS_ASSIGN_OR_RETURN(g.kind, ParseSignalKind(s.Text(6)));
  KAIROS_ASSIGN_OR_RETURN(g.status, ParseSignalStatus(s.Text(7)));
  KAIROS_ASSIGN_OR_RETURN(g.terms, DecodeTerms(s.Text(8)));
  g.rank_value = s.Real(9);
  g.reason = s.Text(10);
  KAIROS_ASSIGN_OR_RETURN(g.execute_on, ParseStoredDate(s.Text(11)));
  g.created_ns = s.Int(12);
  g.decided_by = s.Text(13);
  g.decided_ns = s.Int(14);
  g.note = s.Text(15);
  return g;
}

Status AppendAudit(Db& db, const AuditEntry& e) {
  KAIROS_ASSIGN_OR_RETURN(auto s,
                          db.Prepare("INSERT INTO audit (time_ns, actor, action, subject, detail) "
                                     "VALUES (?,?,?,?,?)",
                                     "appending to the audit log"));
  return s.Bind(e.time_ns, e.actor, e.action, e.subject, e.detail).Run();
}

class SqliteSignals : public ports::SignalRepository {
 public:
  explicit SqliteSignals(Connection& c) : c_(c) {}

  Result<std::pair<Signal, bool>> Insert(const Signal& signal) override {
    std::lock_guard lock(c_.mu());
    std::pair<Signal, bool> out;
    KAIROS_RETURN_IF_ERROR(c_.Atomic([&]() -> Status {
      KAIROS_ASSIGN_OR_RETURN(
          auto s,
          c_.db().Prepare(
              "INSERT INTO signals (strategy, strategy_version, symbol, session, side, kind, "
              "status, terms, rank_value, reason, execute_on, created_ns, decided_by, "
              "decided_ns, note) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
              "ON CONFLICT (strategy, symbol, session, side) DO NOTHING",
              "inserting signal"));
      KAIROS_RETURN_IF_ERROR(s.Bind(signal.strategy, signal.strategy_version, signal.symbol,
                                    signal.session.ToString(), SideName(signal.side),
                                    SignalKindName(signal.kind), SignalStatusName(signal.status),
                                    EncodeTerms(signal.terms), signal.rank_value, signal.reason,
                                    signal.execute_on.ToString(), signal.created_ns,
                                    signal.decided_by, signal.decided_ns, signal.note)
                                 .Run());
      if (c_.db().Changes() == 1) {
        out = {signal, true};
        out.first.id = c_.db().LastInsertRowId();
        return Status::Ok();
      }
      KAIROS_ASSIGN_OR_RETURN(
          auto existing,
          c_.db().Prepare(std::string(kSignalSelect) +
                              "WHERE strategy = ? AND symbol = ? AND session = ? AND side = ?",
                          "reading existing signal"));
      KAIROS_ASSIGN_OR_RETURN(
          auto found,
          ReadOne<Signal>(existing.Bind(signal.strategy, signal.symbol, signal.session.ToString(),
                                        SideName(signal.side)),
                          ReadSignal));
      if (!found) return Status::Internal("a conflicting signal vanished");
      out = {std::move(*found), false};
      return Status::Ok();
    }));
    return out;
  }

  Result<std::optional<Signal>> Get(int64_t id) override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare(std::string(kSignalSelect) + "WHERE id = ?", "reading signal"));
    return ReadOne<Signal>(s.Bind(id), ReadSignal);
  }

  Result<std::vector<Signal>> List(const SignalFilter& f) override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s,
        c_.db().Prepare(std::string(kSignalSelect) + "WHERE (?1 IS NULL OR status = ?1) "
                                                     "AND (?2 IS NULL OR session = ?2) "
                                                     "AND (?3 IS NULL OR execute_on = ?3) "
                                                     "AND (?4 = '' OR strategy = ?4) ORDER BY id",
                        "listing signals"));
    std::optional<std::string_view> status;
    if (f.status) status = SignalStatusName(*f.status);
    s.Bind(status, OptionalDate(f.session), OptionalDate(f.execute_on), f.strategy);
    return ReadAll<Signal>(s, ReadSignal);
  }

  Status Transition(int64_t id, SignalStatus from, SignalStatus to, std::string_view by,
                    std::string_view note, int64_t time_ns) override {
    std::lock_guard lock(c_.mu());
    return c_.Atomic([&]() -> Status {
      KAIROS_ASSIGN_OR_RETURN(
          auto update,
          c_.db().Prepare("UPDATE signals SET status = ?, decided_by = ?, decided_ns = ?, "
                          "note = ? WHERE id = ? AND status = ?",
                          "updating signal status"));
      KAIROS_RETURN_IF_ERROR(
          update.Bind(SignalStatusName(to), by, time_ns, note, id, SignalStatusName(from)).Run());
      if (c_.db().Changes() == 0) {
        KAIROS_ASSIGN_OR_RETURN(auto s, c_.db().Prepare("SELECT status FROM signals WHERE id = ?",
                                                        "reading signal status"));
        KAIROS_ASSIGN_OR_RETURN(bool row, s.Bind(id).Step());
        if (!row) return ports::NoSignalWithId(id);
        return SignalNotInStatus(id, s.Text(0), from);
      }
      return AppendAudit(c_.db(), SignalTransitionAudit(id, from, to, by, note, time_ns));
    });
  }

 private:
  Connection& c_;
};

// ---------------------------------------------------------------------------------------------
// Orders

constexpr std::string_view kOrderSelect =
    "SELECT id, client_order_id, strategy, signal_id, symbol, side, qty, type, tif, limit_price, "
    "stop_price, session, status, filled_qty, broker_order_id, message, created_ns, updated_ns "
    "FROM orders ";

Result<Order> ReadOrder(const Statement& s) {
  Order o;
  o.id = s.Int(0);
  o.request.client_order_id = s.Text(1);
  o.strategy = s.Text(2);
  o.signal_id = s.Int(3);
  o.request.symbol = s.Text(4);
  KAIROS_ASSIGN_OR_RETURN(o.request.side, ParseSide(s.Text(5)));
  o.request.qty = Quantity::FromUnits(s.Int(6));
  KAIROS_ASSIGN_OR_RETURN(o.request.type, ParseOrderType(s.Text(7)));
  KAIROS_ASSIGN_OR_RETURN(o.request.tif, ParseTimeInForce(s.Text(8)));
  o.request.limit_price = PriceAt(s, 9);
  o.request.stop_price = PriceAt(s, 10);
  KAIROS_ASSIGN_OR_RETURN(o.request.session, ParseStoredDate(s.Text(11)));
  KAIROS_ASSIGN_OR_RETURN(o.status, ParseOrderStatus(s.Text(12)));
  o.filled_qty = Quantity::FromUnits(s.Int(13));
  o.broker_order_id = s.Text(14);
  o.message = s.Text(15);
  o.created_ns = s.Int(16);
  o.updated_ns = s.Int(17);
  return o;
}

class SqliteOrders : public ports::OrderRepository {
 public:
  explicit SqliteOrders(Connection& c) : c_(c) {}

  Result<Order> Create(const Order& order) override {
    std::lock_guard lock(c_.mu());
    const OrderRequest& r = order.request;
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare("INSERT INTO orders (client_order_id, strategy, signal_id, "
                                "symbol, side, qty, type, tif, limit_price, stop_price, session, "
                                "status, filled_qty, broker_order_id, message, created_ns, "
                                "updated_ns) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                                "creating order"));
    Status status =
        s.Bind(r.client_order_id, order.strategy, order.signal_id, r.symbol, SideName(r.side),
               r.qty.units(), OrderTypeName(r.type), TimeInForceName(r.tif),
               OptionalRaw(r.limit_price), OptionalRaw(r.stop_price), r.session.ToString(),
               OrderStatusName(order.status), order.filled_qty.units(), order.broker_order_id,
               order.message, order.created_ns, order.updated_ns)
            .Run();
    if (status.code() == StatusCode::kAlreadyExists) {
      return ports::OrderAlreadyStored(r.client_order_id);
    }
    KAIROS_RETURN_IF_ERROR(status);
    Order out = order;
    out.id = c_.db().LastInsertRowId();
    return out;
  }

  Result<std::optional<Order>> GetByClientId(std::string_view client_order_id) override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s,
        c_.db().Prepare(std::string(kOrderSelect) + "WHERE client_order_id = ?", "reading order"));
    return ReadOne<Order>(s.Bind(client_order_id), ReadOrder);
  }

  Result<std::vector<Order>> List(const OrderFilter& f) override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(auto s,
                            c_.db().Prepare(std::string(kOrderSelect) +
                                                "WHERE (?1 IS NULL OR status IN (SELECT value FROM "
                                                "json_each(?1))) AND (?2 IS NULL OR session = ?2) "
                                                "AND (?3 = '' OR strategy = ?3) ORDER BY id",
                                            "listing orders"));
    std::optional<std::string> statuses;
    if (!f.statuses.empty()) {
      std::vector<std::string> names;
      for (OrderStatus st : f.statuses) names.emplace_back(OrderStatusName(st));
      statuses = EncodeStrings(names);
    }
    s.Bind(statuses, OptionalDate(f.session), f.strategy);
    return ReadAll<Order>(s, ReadOrder);
  }

  Status Update(const Order& order) override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare("UPDATE orders SET status = ?, filled_qty = ?, "
                                "broker_order_id = ?, message = ?, updated_ns = ? WHERE id = ?",
                                "updating order"));
    KAIROS_RETURN_IF_ERROR(s.Bind(OrderStatusName(order.status), order.filled_qty.units(),
                                  order.broker_order_id, order.message, order.updated_ns, order.id)
                               .Run());
    if (c_.db().Changes() == 0) return ports::NoOrderWithId(order.id);
    return Status::Ok();
  }

 private:
  Connection& c_;
};

// ---------------------------------------------------------------------------------------------
// Ledger

Result<std::pair<std::string, Fill>> ReadFill(const Statement& s) {
  Fill f;
  f.execution_id = s.Text(0);
  f.client_order_id = s.Text(1);
  std::string strategy = s.Text(2);
  f.symbol = s.Text(3);
  KAIROS_ASSIGN_OR_RETURN(f.side, ParseSide(s.Text(4)));
  f.qty = Quantity::FromUnits(s.Int(5));
  f.price = Price::FromRaw(s.Int(6));
  f.fees = s.Int(7);
  KAIROS_ASSIGN_OR_RETURN(f.session, ParseStoredDate(s.Text(8)));
  f.time_ns = s.Int(9);
  return std::pair<std::string, Fill>(std::move(strategy), std::move(f));
}

Result<Position> ReadPosition(const Statement& s) {
  Position p;
  p.strategy = s.Text(0);
  p.symbol = s.Text(1);
  p.qty = Quantity::FromUnits(s.Int(2));
  KAIROS_ASSIGN_OR_RETURN(p.lots, DecodeLots(s.Text(3)));
  KAIROS_ASSIGN_OR_RETURN(p.entry_session, ParseStoredDate(s.Text(4)));
  p.sessions_held = static_cast<int>(s.Int(5));
  p.stop = PriceAt(s, 6);
  p.target = PriceAt(s, 7);
  p.high_water = PriceAt(s, 8);
  p.realized = s.Int(9);
  return p;
}

Result<DailyPnl> ReadDailyPnl(const Statement& s) {
  DailyPnl d;
  d.strategy = s.Text(0);
  KAIROS_ASSIGN_OR_RETURN(d.session, ParseStoredDate(s.Text(1)));
  d.realized = s.Int(2);
  d.unrealized = s.Int(3);
  d.fees = s.Int(4);
  d.equity = s.Int(5);
  d.cash = s.Int(6);
  return d;
}

class SqliteLedger : public ports::LedgerRepository {
 public:
  explicit SqliteLedger(Connection& c) : c_(c) {}

  Result<bool> RecordFill(const Fill& f, std::string_view strategy) override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare("INSERT INTO fills (execution_id, client_order_id, strategy, "
                                "symbol, side, qty, price, fees, session, time_ns) VALUES "
                                "(?,?,?,?,?,?,?,?,?,?) ON CONFLICT (execution_id) DO NOTHING",
                                "recording fill"));
    KAIROS_RETURN_IF_ERROR(s.Bind(f.execution_id, f.client_order_id, strategy, f.symbol,
                                  SideName(f.side), f.qty.units(), f.price.raw(), f.fees,
                                  f.session.ToString(), f.time_ns)
                               .Run());
    return c_.db().Changes() == 1;
  }

  Result<std::vector<std::pair<std::string, Fill>>> ListFills(const FillFilter& f) override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare("SELECT execution_id, client_order_id, strategy, symbol, side, "
                                "qty, price, fees, session, time_ns FROM fills "
                                "WHERE (?1 IS NULL OR session >= ?1) AND (?2 IS NULL OR "
                                "session <= ?2) AND (?3 = '' OR strategy = ?3) AND "
                                "(?4 = '' OR symbol = ?4) ORDER BY session, time_ns, id",
                                "listing fills"));
    s.Bind(OptionalDate(f.from), OptionalDate(f.to), f.strategy, f.symbol);
    return ReadAll<std::pair<std::string, Fill>>(s, ReadFill);
  }

  Result<std::vector<Position>> Positions(std::string_view strategy) override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare("SELECT strategy, symbol, qty, lots, entry_session, "
                                "sessions_held, stop, target, high_water, realized FROM "
                                "positions WHERE ?1 = '' OR strategy = ?1 ORDER BY strategy, "
                                "symbol",
                                "listing positions"));
    s.Bind(strategy);
    return ReadAll<Position>(s, ReadPosition);
  }

  Result<std::optional<Position>> GetPosition(std::string_view strategy,
                                              std::string_view symbol) override {
    std::lock_guard lock(c_.mu());
    // The primary key (strategy, symbol) serves this lookup.
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare("SELECT strategy, symbol, qty, lots, entry_session, "
                                "sessions_held, stop, target, high_water, realized FROM "
                                "positions WHERE strategy = ? AND symbol = ?",
                                "reading position"));
    return ReadOne<Position>(s.Bind(strategy, symbol), ReadPosition);
  }

  Status PutPosition(const Position& p) override {
    std::lock_guard lock(c_.mu());
    if (p.qty.units() == 0) {
      KAIROS_ASSIGN_OR_RETURN(
          auto s, c_.db().Prepare("DELETE FROM positions WHERE strategy = ? AND symbol = ?",
                                  "closing position"));
      return s.Bind(p.strategy, p.symbol).Run();
    }
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare(
                    "INSERT INTO positions (strategy, symbol, qty, lots, entry_session, "
                    "sessions_held, stop, target, high_water, realized) VALUES "
                    "(?,?,?,?,?,?,?,?,?,?) ON CONFLICT (strategy, symbol) DO UPDATE SET "
                    "qty = excluded.qty, lots = excluded.lots, entry_session = "
                    "excluded.entry_session, sessions_held = excluded.sessions_held, stop = "
                    "excluded.stop, target = excluded.target, high_water = excluded.high_water, "
                    "realized = excluded.realized",
                    "storing position"));
    return s
        .Bind(p.strategy, p.symbol, p.qty.units(), EncodeLots(p.lots), p.entry_session.ToString(),
              p.sessions_held, OptionalRaw(p.stop), OptionalRaw(p.target),
              OptionalRaw(p.high_water), p.realized)
        .Run();
  }

  Status PutDailyPnl(const DailyPnl& d) override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare("INSERT INTO daily_pnl (strategy, session, realized, "
                                "unrealized, fees, equity, cash) VALUES (?,?,?,?,?,?,?) "
                                "ON CONFLICT (strategy, session) DO UPDATE SET realized = "
                                "excluded.realized, unrealized = excluded.unrealized, fees = "
                                "excluded.fees, equity = excluded.equity, cash = excluded.cash",
                                "storing daily P&L"));
    return s
        .Bind(d.strategy, d.session.ToString(), d.realized, d.unrealized, d.fees, d.equity, d.cash)
        .Run();
  }

  Result<std::vector<DailyPnl>> ListDailyPnl(std::string_view strategy, std::optional<Date> from,
                                             std::optional<Date> to) override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare("SELECT strategy, session, realized, unrealized, fees, equity, "
                                "cash FROM daily_pnl WHERE (?1 = '' OR strategy = ?1) AND "
                                "(?2 IS NULL OR session >= ?2) AND (?3 IS NULL OR session <= ?3) "
                                "ORDER BY session, strategy",
                                "listing daily P&L"));
    s.Bind(strategy, OptionalDate(from), OptionalDate(to));
    return ReadAll<DailyPnl>(s, ReadDailyPnl);
  }

 private:
  Connection& c_;
};

// ---------------------------------------------------------------------------------------------
// Universes, state, audit

Result<Universe> ReadUniverse(const Statement& s) {
  Universe u;
  u.name = s.Text(0);
  KAIROS_ASSIGN_OR_RETURN(u.definition, DecodeUniverseDefinition(s.Text(1)));
  KAIROS_ASSIGN_OR_RETURN(u.as_of, ParseStoredDate(s.Text(2)));
  KAIROS_ASSIGN_OR_RETURN(u.members, DecodeStrings(s.Text(3)));
  u.computed_ns = s.Int(4);
  return u;
}

class SqliteUniverses : public ports::UniverseRepository {
 public:
  explicit SqliteUniverses(Connection& c) : c_(c) {}

  Status Put(const Universe& u) override {
    if (u.name.empty()) return ports::UniverseWithoutName();
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare("INSERT INTO universes (name, definition, as_of, members, "
                                "computed_ns) VALUES (?,?,?,?,?) ON CONFLICT (name) DO UPDATE "
                                "SET definition = excluded.definition, as_of = excluded.as_of, "
                                "members = excluded.members, computed_ns = excluded.computed_ns",
                                "storing universe"));
    return s
        .Bind(u.name, EncodeUniverseDefinition(u.definition), u.as_of.ToString(),
              EncodeStrings(u.members), u.computed_ns)
        .Run();
  }

  Result<std::optional<Universe>> Get(std::string_view name) override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare("SELECT name, definition, as_of, members, computed_ns FROM "
                                "universes WHERE name = ?",
                                "reading universe"));
    return ReadOne<Universe>(s.Bind(name), ReadUniverse);
  }

  Result<std::vector<Universe>> List() override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare("SELECT name, definition, as_of, members, computed_ns FROM "
                                "universes ORDER BY name",
                                "listing universes"));
    return ReadAll<Universe>(s, ReadUniverse);
  }

  Status Remove(std::string_view name) override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare("DELETE FROM universes WHERE name = ?", "removing universe"));
    KAIROS_RETURN_IF_ERROR(s.Bind(name).Run());
    if (c_.db().Changes() == 0) {
      return ports::NoUniverseNamed(name);
    }
    return Status::Ok();
  }

 private:
  Connection& c_;
};

class SqliteState : public ports::StateRepository {
 public:
  explicit SqliteState(Connection& c) : c_(c) {}

  Result<std::optional<std::string>> Get(std::string_view key) override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare("SELECT value FROM state WHERE key = ?", "reading state"));
    return ReadOne<std::string>(
        s.Bind(key), [](const Statement& st) -> Result<std::string> { return st.Text(0); });
  }

  Status Put(std::string_view key, std::string_view value) override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare("INSERT INTO state (key, value) VALUES (?,?) ON CONFLICT (key) "
                                "DO UPDATE SET value = excluded.value",
                                "storing state"));
    return s.Bind(key, value).Run();
  }

  // Erasing a key that is not there is not an error: `kairos resume` when not halted is a no-op.
  Status Erase(std::string_view key) override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(auto s,
                            c_.db().Prepare("DELETE FROM state WHERE key = ?", "erasing state"));
    return s.Bind(key).Run();
  }

 private:
  Connection& c_;
};

class SqliteAudit : public ports::AuditRepository {
 public:
  explicit SqliteAudit(Connection& c) : c_(c) {}

  Status Append(const AuditEntry& entry) override {
    std::lock_guard lock(c_.mu());
    return AppendAudit(c_.db(), entry);
  }

  Result<std::vector<AuditEntry>> List(std::string_view subject_prefix) override {
    std::lock_guard lock(c_.mu());
    // substr rather than LIKE: a '%' or '_' in the prefix is literal.
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare("SELECT id, time_ns, actor, action, subject, detail FROM audit "
                                "WHERE substr(subject, 1, length(?1)) = ?1 ORDER BY id",
                                "listing the audit log"));
    s.Bind(subject_prefix);
    return ReadAll<AuditEntry>(s, [](const Statement& st) -> Result<AuditEntry> {
      AuditEntry e;
      e.id = st.Int(0);
      e.time_ns = st.Int(1);
      e.actor = st.Text(2);
      e.action = st.Text(3);
      e.subject = st.Text(4);
      e.detail = st.Text(5);
      return e;
    });
  }

 private:
  Connection& c_;
};

// ---------------------------------------------------------------------------------------------
// The store

class SqliteStore : public ports::Store {
 public:
  explicit SqliteStore(std::unique_ptr<Db> db)
      : c_(std::move(db)),
        strategies_(c_),
        signals_(c_),
        orders_(c_),
        ledger_(c_),
        universes_(c_),
        state_(c_),
        audit_(c_),
        job_runs_(NewJobRunRepository(c_)),
        outbox_(NewOutboxRepository(c_)),
        accounts_(NewAccountRepository(c_)) {}

  ports::StrategyRepository& strategies() override { return strategies_; }
  ports::SignalRepository& signals() override { return signals_; }
  ports::OrderRepository& orders() override { return orders_; }
  ports::LedgerRepository& ledger() override { return ledger_; }
  ports::UniverseRepository& universes() override { return universes_; }
  ports::StateRepository& state() override { return state_; }
  ports::AuditRepository& audit() override { return audit_; }
  ports::JobRunRepository& job_runs() override { return *job_runs_; }
  ports::OutboxRepository& outbox() override { return *outbox_; }
  ports::AccountRepository& accounts() override { return *accounts_; }
  Status InTransaction(const std::function<Status()>& body) override {
    return c_.InTransaction(body);
  }
  Connection& connection() { return c_; }

 private:
  Connection c_;
  SqliteStrategies strategies_;
  SqliteSignals signals_;
  SqliteOrders orders_;
  SqliteLedger ledger_;
  SqliteUniverses universes_;
  SqliteState state_;
  SqliteAudit audit_;
  std::unique_ptr<ports::JobRunRepository> job_runs_;
  std::unique_ptr<ports::OutboxRepository> outbox_;
  std::unique_ptr<ports::AccountRepository> accounts_;
};

Result<std::string> PragmaText(Db& db, std::string_view sql) {
  KAIROS_ASSIGN_OR_RETURN(auto s, db.Prepare(sql, "setting up the connection"));
  KAIROS_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::string();
  return s.Text(0);
}

Status Configure(Db& db, bool in_memory, const StoreOptions& options) {
  sqlite3_busy_timeout(db.handle(), options.busy_timeout_ms);
  KAIROS_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = ON", "enabling foreign keys"));
  // WAL: readers (the web UI, the CLI) never block the engine's writes and a commit is one
  // append. An in-memory database has no WAL and answers "memory".
  KAIROS_ASSIGN_OR_RETURN(std::string mode, PragmaText(db, "PRAGMA journal_mode = WAL"));
  if (!in_memory && mode != "wal") {
    return Status::FailedPrecondition(
        fmt::format("sqlite: cannot use WAL mode on this file (journal mode stays '{}')", mode));
  }
  // FULL: a commit is on disk (WAL fsynced) before COMMIT returns. The order path needs it (an
  // order intent must survive a power cut before it is sent); everything else shares the one
  // setting. The cost is one fsync per commit (about 8 ms on the development VM's disk), so bulk
  // writes belong in one InTransaction (README.md).
  if (!options.sync_every_commit) {
    return db.Exec("PRAGMA synchronous = NORMAL", "setting synchronous = NORMAL");
  }
  return db.Exec("PRAGMA synchronous = FULL", "setting synchronous = FULL");
}

}  // namespace

Status ApplyMigrations(Db& db, std::span<const Migration> migrations) {
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  KAIROS_RETURN_IF_ERROR(
      db.Exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
              "name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT "
              "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))) STRICT",
              "creating schema_migrations"));
  auto refuse_newer = [&]() -> Status {
    KAIROS_ASSIGN_OR_RETURN(auto newest, db.Prepare("SELECT MAX(version) FROM schema_migrations",
                                                    "reading the schema version"));
    KAIROS_ASSIGN_OR_RETURN(bool row, newest.Step());
    int64_t version = row ? newest.Int(0) : 0;
    if (version > latest) {
      return Status::FailedPrecondition(fmt::format(
          "database schema {} is newer than this kairos ({}); upgrade kairos", version, latest));
    }
    return Status::Ok();
  };
  KAIROS_RETURN_IF_ERROR(refuse_newer());
  for (const Migration& m : migrations) {
    KAIROS_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE", "beginning a migration"));
    // Read again inside the transaction: another process may have migrated meanwhile.
    Status status = [&]() -> Status {
      KAIROS_RETURN_IF_ERROR(refuse_newer());
      KAIROS_ASSIGN_OR_RETURN(auto applied,
                              db.Prepare("SELECT name FROM schema_migrations WHERE version = ?",
                                         "reading the schema version"));
      KAIROS_ASSIGN_OR_RETURN(bool done, applied.Bind(m.version).Step());
      if (done) {
        if (applied.Text(0) != m.name) {
          return Status::Corruption(fmt::format(
              "database migration {} is '{}' but this kairos has '{}' under that number", m.version,
              applied.Text(0), m.name));
        }
        return Status::Ok();
      }
      std::string context = fmt::format("applying migration {:03}_{}", m.version, m.name);
      KAIROS_RETURN_IF_ERROR(db.Exec(m.sql, context));
      KAIROS_ASSIGN_OR_RETURN(
          auto record, db.Prepare("INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                                  "recording a migration"));
      return record.Bind(m.version, m.name).Run();
    }();
    if (status.ok()) status = db.Exec("COMMIT", "committing a migration");
    if (!status.ok()) {
      if (db.InTransaction()) (void)db.Exec("ROLLBACK", "rolling back a migration");
      return status;
    }
  }
  return Status::Ok();
}

Result<std::string> QueryPragma(ports::Store& store, std::string_view name) {
  auto* sqlite = dynamic_cast<SqliteStore*>(&store);
  if (sqlite == nullptr) return Status::InvalidArgument("not an SQLite store");
  std::lock_guard lock(sqlite->connection().mu());
  return PragmaText(sqlite->connection().db(), fmt::format("PRAGMA {}", name));
}

int LatestSchemaVersion() {
  std::span<const Migration> migrations = EmbeddedMigrations();
  return migrations.empty() ? 0 : migrations.back().version;
}

namespace {

// The applied schema version of a database opened read only, which must be this kairos's.
Status CheckSchemaVersion(Db& db) {
  KAIROS_ASSIGN_OR_RETURN(auto table, db.Prepare("SELECT COUNT(*) FROM sqlite_schema WHERE type = "
                                                 "'table' AND name = 'schema_migrations'",
                                                 "reading the schema version"));
  KAIROS_ASSIGN_OR_RETURN(bool has_table, table.Step());
  int64_t version = 0;
  if (has_table && table.Int(0) > 0) {
    KAIROS_ASSIGN_OR_RETURN(auto newest, db.Prepare("SELECT MAX(version) FROM schema_migrations",
                                                    "reading the schema version"));
    KAIROS_ASSIGN_OR_RETURN(bool row, newest.Step());
    if (row && !newest.IsNull(0)) version = newest.Int(0);
  }
  int latest = LatestSchemaVersion();
  if (version > latest) {
    return Status::FailedPrecondition(fmt::format(
        "database schema {} is newer than this kairos ({}); upgrade kairos", version, latest));
  }
  if (version < latest) {
    return Status::FailedPrecondition(
        fmt::format("database schema {} is older than this kairos ({}) and a read-only open "
                    "cannot upgrade it; run a command that writes (e.g. `kairos resume`) once",
                    version, latest));
  }
  return Status::Ok();
}

Result<std::unique_ptr<ports::Store>> OpenReadOnly(const std::filesystem::path& file,
                                                   const StoreOptions& options) {
  KAIROS_ASSIGN_OR_RETURN(auto db, Db::Open(file, Db::Mode::kReadOnly));
  sqlite3_busy_timeout(db->handle(), options.busy_timeout_ms);
  // The first read opens the WAL; without write access to the directory and with no -shm file
  // SQLite cannot, and the file is read as immutable (no process has it open).
  int rc =
      sqlite3_exec(db->handle(), "SELECT COUNT(*) FROM sqlite_schema", nullptr, nullptr, nullptr);
  if ((rc & 0xff) == SQLITE_READONLY || (rc & 0xff) == SQLITE_CANTOPEN) {
    KAIROS_ASSIGN_OR_RETURN(db, Db::Open(file, Db::Mode::kImmutable));
  }
  Status status = db->Exec("PRAGMA foreign_keys = ON", "enabling foreign keys");
  if (status.ok()) status = CheckSchemaVersion(*db);
  if (!status.ok()) return status.WithContext(fmt::format("opening store {}", file.string()));
  return std::unique_ptr<ports::Store>(std::make_unique<SqliteStore>(std::move(db)));
}

}  // namespace

Result<std::unique_ptr<ports::Store>> OpenStore(const std::filesystem::path& file,
                                                const StoreOptions& options) {
  if (options.read_only) return OpenReadOnly(file, options);
  bool in_memory = file.empty() || file == ":memory:";
  KAIROS_ASSIGN_OR_RETURN(auto db, Db::Open(in_memory ? std::filesystem::path(":memory:") : file));
  std::string where = in_memory ? std::string(":memory:") : file.string();
  Status status = Configure(*db, in_memory, options);
  if (status.ok()) status = ApplyMigrations(*db, EmbeddedMigrations());
  if (!status.ok()) return status.WithContext(fmt::format("opening store {}", where));
  return std::unique_ptr<ports::Store>(std::make_unique<SqliteStore>(std::move(db)));
}

}  // namespace kairos::adapters::sqlite
