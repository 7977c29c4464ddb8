#pragma once

#include <memory>

#include "ports/store.h"

namespace kairos::adapters::memory {

class Tables;

// The in-process store's repositories, one file each (*_repository.cc), all on the same tables.
// Each call takes the tables' mutex; writes record their undo while a transaction is open.
std::unique_ptr<ports::StrategyRepository> NewStrategyRepository(Tables& t);
std::unique_ptr<ports::SignalRepository> NewSignalRepository(Tables& t);
std::unique_ptr<ports::OrderRepository> NewOrderRepository(Tables& t);
std::unique_ptr<ports::LedgerRepository> NewLedgerRepository(Tables& t);
std::unique_ptr<ports::UniverseRepository> NewUniverseRepository(Tables& t);
std::unique_ptr<ports::StateRepository> NewStateRepository(Tables& t);
std::unique_ptr<ports::AuditRepository> NewAuditRepository(Tables& t);
std::unique_ptr<ports::JobRunRepository> NewJobRunRepository(Tables& t);
std::unique_ptr<ports::OutboxRepository> NewOutboxRepository(Tables& t);

}  // namespace kairos::adapters::memory
