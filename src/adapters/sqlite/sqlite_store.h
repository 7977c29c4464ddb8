#pragma once

#include <filesystem>
#include <memory>

#include "core/result.h"
#include "ports/store.h"

namespace kairos::adapters::sqlite {

// The SQLite store (ARCHITECTURE.md "Storage"): one file, WAL mode, synchronous=FULL, foreign
// keys on, numbered migrations (migrations/NNN_name.sql, embedded at build time) applied in
// order at open inside one transaction each, with the applied version recorded in
// `schema_migrations`. A database from a newer kairos (unknown migration number) is refused.
struct StoreOptions {
  int busy_timeout_ms = 5000;
};

// Opens or creates `file` (":memory:" for a private in-memory database) and migrates it.
Result<std::unique_ptr<ports::Store>> OpenStore(const std::filesystem::path& file,
                                                const StoreOptions& options = {});

// The schema version a fresh database reaches (the highest migration number).
int LatestSchemaVersion();

}  // namespace kairos::adapters::sqlite
