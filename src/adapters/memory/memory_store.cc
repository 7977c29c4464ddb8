#include "adapters/memory/memory_store.h"

#include <functional>
#include <memory>
#include <mutex>

#include "adapters/memory/repositories.h"
#include "adapters/memory/tables.h"

namespace kairos::adapters::memory {
namespace {

class MemoryStore : public ports::Store {
 public:
  MemoryStore()
      : strategies_(NewStrategyRepository(t_)),
        signals_(NewSignalRepository(t_)),
        orders_(NewOrderRepository(t_)),
        ledger_(NewLedgerRepository(t_)),
        universes_(NewUniverseRepository(t_)),
        state_(NewStateRepository(t_)),
        audit_(NewAuditRepository(t_)),
        job_runs_(NewJobRunRepository(t_)),
        outbox_(NewOutboxRepository(t_)),
        accounts_(t_.mu, t_.accounts, [this] { return t_.BeforeAccountsWrite(); }) {}

  ports::StrategyRepository& strategies() override { return *strategies_; }
  ports::SignalRepository& signals() override { return *signals_; }
  ports::OrderRepository& orders() override { return *orders_; }
  ports::LedgerRepository& ledger() override { return *ledger_; }
  ports::UniverseRepository& universes() override { return *universes_; }
  ports::StateRepository& state() override { return *state_; }
  ports::AuditRepository& audit() override { return *audit_; }
  ports::JobRunRepository& job_runs() override { return *job_runs_; }
  ports::OutboxRepository& outbox() override { return *outbox_; }
  ports::AccountRepository& accounts() override { return accounts_; }
  Status InTransaction(const std::function<Status()>& body) override {
    return t_.InTransaction(body);
  }

  RowCounts Counts() {
    std::lock_guard lock(t_.mu);
    return t_.Counts();
  }

 private:
  Tables t_;  // first: the repositories hold a reference to it
  std::unique_ptr<ports::StrategyRepository> strategies_;
  std::unique_ptr<ports::SignalRepository> signals_;
  std::unique_ptr<ports::OrderRepository> orders_;
  std::unique_ptr<ports::LedgerRepository> ledger_;
  std::unique_ptr<ports::UniverseRepository> universes_;
  std::unique_ptr<ports::StateRepository> state_;
  std::unique_ptr<ports::AuditRepository> audit_;
  std::unique_ptr<ports::JobRunRepository> job_runs_;
  std::unique_ptr<ports::OutboxRepository> outbox_;
  ports::MapAccountRepository accounts_;
};

}  // namespace

std::unique_ptr<ports::Store> OpenStore() { return std::make_unique<MemoryStore>(); }

Result<RowCounts> CountRows(ports::Store& store) {
  auto* memory = dynamic_cast<MemoryStore*>(&store);
  if (memory == nullptr) return Status::InvalidArgument("not an in-memory store");
  return memory->Counts();
}

}  // namespace kairos::adapters::memory
