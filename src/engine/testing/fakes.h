#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "domain/trading.h"
#include "ports/broker.h"
#include "ports/store.h"

namespace kairos::engine::testing {

// In-memory stand-ins for the ports, for engine unit tests. FakeStore keeps the store contract
// (ports/testing/store_contract_test.h, run on it by fake_store_contract_test.cc) and adds
// hooks to inject write failures; FakeBroker is scripted by the test.
//
// Engine code and its tests do not depend on adapters (ARCHITECTURE.md), so the engine has its own
// small store rather than the in-process one (adapters/memory), which is built for replay speed.

// Every repository on plain maps, one mutex held by each call and across a whole InTransaction.
// InTransaction snapshots the whole state and restores it when the body fails (nested calls join
// the outer one, as in the SQLite store), so a failed transaction leaves nothing behind.
class FakeStore final : public ports::Store {
 public:
  FakeStore();
  ~FakeStore() override;
  ports::StrategyRepository& strategies() override;
  ports::SignalRepository& signals() override;
  ports::OrderRepository& orders() override;
  ports::LedgerRepository& ledger() override;
  ports::UniverseRepository& universes() override;
  ports::StateRepository& state() override;
  ports::AuditRepository& audit() override;
  ports::JobRunRepository& job_runs() override;
  ports::OutboxRepository& outbox() override;
  ports::AccountRepository& accounts() override;
  Status InTransaction(const std::function<Status()>& body) override;

  // Test hooks. Every write (repository call that changes state) counts; a write while
  // `fail_writes_after` reaches 0 fails with Unavailable("injected store failure") and changes
  // nothing. -1 = never fail.
  int fail_writes_after = -1;
  int64_t writes() const;
  int transactions_committed() const;
  // Rows of a table of the SQLite schema ("signals", "strategy_state", ...), for the store
  // contract (ports/testing/store_contract_test.h); -1 for an unknown name.
  int64_t rows(std::string_view table) const;

  struct Data;  // the state (public so the repositories in fakes.cc can reach it)

 private:
  std::unique_ptr<Data> data_;
};

// A scripted broker. Orders are kept by client id; a Submit with a known id answers with that
// order (a query, never a second order). Fills are added by the test (AddFill) or by Fill().
class FakeBroker final : public ports::Broker {
 public:
  Result<BrokerOrder> Submit(const OrderRequest& request) override;
  Status Cancel(std::string_view client_order_id) override;
  Result<std::optional<BrokerOrder>> OrderByClientId(std::string_view client_order_id) override;
  Result<std::vector<BrokerOrder>> OpenOrders() override;
  Result<std::vector<BrokerPosition>> Positions() override;
  Result<std::vector<Fill>> FillsSince(int64_t since_ns) override;
  Result<Account> GetAccount() override;

  // Scripting.
  // Called at the start of every Submit (before anything is recorded); a non-OK status is
  // returned to the caller as the broker's answer (nothing recorded).
  std::function<Status(const OrderRequest&)> on_submit;
  bool drop_next_submit_answer = false;  // record the order, answer Unavailable (lost reply)
  bool fail_next_submit = false;         // record nothing, answer Unavailable
  bool reject_next_submit = false;       // record a rejected order, answer InvalidArgument
  bool unavailable = false;              // every call answers Unavailable

  // Executes `qty` of an accepted order at `price` (execution id "<client id>-<n>"), updating the
  // broker's order (partially_filled / filled). Returns the fill (also returned by FillsSince).
  Fill Execute(std::string_view client_order_id, int64_t qty, Price price, int64_t fees,
               int64_t time_ns);
  void AddFill(const Fill& fill) { fills_.push_back(fill); }  // any fill, even a bad one
  void SetStatus(std::string_view client_order_id, OrderStatus status);

  int submit_calls() const { return submit_calls_; }
  int cancel_calls() const { return cancel_calls_; }
  // Orders the broker holds (the invariant: one per intent), by client id.
  const std::map<std::string, std::pair<OrderRequest, BrokerOrder>, std::less<>>& orders() const {
    return orders_;
  }

 private:
  int submit_calls_ = 0;
  int cancel_calls_ = 0;
  int next_broker_id_ = 1;
  std::map<std::string, std::pair<OrderRequest, BrokerOrder>, std::less<>> orders_;
  std::vector<Fill> fills_;
};

}  // namespace kairos::engine::testing
