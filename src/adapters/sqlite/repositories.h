#pragma once

#include <memory>

#include "adapters/sqlite/sqlite_connection.h"
#include "ports/accounts.h"
#include "ports/job_runs.h"
#include "ports/outbox.h"

namespace kairos::adapters::sqlite {

// Repositories of the SQLite store kept in their own files (*_repository.cc), on the store's
// connection. Internal to the adapter.
std::unique_ptr<ports::JobRunRepository> NewJobRunRepository(Connection& c);
std::unique_ptr<ports::OutboxRepository> NewOutboxRepository(Connection& c);
std::unique_ptr<ports::AccountRepository> NewAccountRepository(Connection& c);

}  // namespace kairos::adapters::sqlite
