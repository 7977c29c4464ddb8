#pragma once

#include <span>
#include <string>
#include <string_view>

#include "adapters/sqlite/migrations.h"
#include "adapters/sqlite/sqlite_db.h"
#include "core/result.h"
#include "ports/store.h"

namespace kairos::adapters::sqlite {

// For tests and diagnostics: the first column of `PRAGMA <name>` on the store's own connection
// (journal_mode, synchronous, foreign_keys, busy_timeout are per connection). InvalidArgument when
// `store` is not an SQLite store.
Result<std::string> QueryPragma(ports::Store& store, std::string_view name);

// What OpenStore runs with EmbeddedMigrations(): creates schema_migrations if needed, refuses a
// database newer than the last of `migrations`, checks the names of applied ones and applies the
// missing ones in order, each in its own transaction with its schema_migrations row.
Status ApplyMigrations(Db& db, std::span<const Migration> migrations);

}  // namespace kairos::adapters::sqlite
