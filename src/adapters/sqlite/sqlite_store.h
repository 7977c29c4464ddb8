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
  // Read only: `file` must exist at the latest schema (nothing is migrated), and nothing is
  // written, so a user without write rights can read. SQLite reads a WAL database through its
  // -shm and -wal files, creating them when the directory allows; when it does not and they are
  // absent (no process has the database open), the file is read as immutable (sqlite.org/wal.html
  // "Read-Only Databases"). Writes through such a store fail.
  bool read_only = false;
  // synchronous=FULL: every commit is on disk before it returns (the order path needs it).
  // false: NORMAL, for bookkeeping a simulation writes at a high rate: in WAL mode a power cut
  // may lose the last commits, never corrupts the file, and a crash of the process loses none.
  bool sync_every_commit = true;
};

// Opens or creates `file` (":memory:" for a private in-memory database) and migrates it; see
// StoreOptions::read_only for the other way.
Result<std::unique_ptr<ports::Store>> OpenStore(const std::filesystem::path& file,
                                                const StoreOptions& options = {});

// The schema version a fresh database reaches (the highest migration number).
int LatestSchemaVersion();

}  // namespace kairos::adapters::sqlite
