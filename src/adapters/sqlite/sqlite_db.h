#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/status.h"

namespace kairos::adapters::sqlite {

// A thin RAII layer over the sqlite3 C API. No exceptions: every SQLite error becomes a Status
// whose message names what was being done: "sqlite: UNIQUE constraint failed:
// orders.client_order_id (while creating order)". Not thread-safe by itself; SqliteStore serialises
// access.

// Maps an SQLite result code to a Status (AlreadyExists for UNIQUE / PRIMARY KEY conflicts,
// InvalidArgument for other constraints, Unavailable for a busy or locked database, Corruption,
// IOError, Internal otherwise). `message` is SQLite's text, `context` what was being done.
Status SqliteStatus(int code, std::string_view message, std::string_view context);

class Db;

// A prepared statement borrowed from Db's cache: bindings are cleared and the statement reset
// when it goes out of scope, so the next user starts clean. Move-only.
class Statement {
 public:
  Statement(Statement&& o) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  // Binds parameters 1..N in order. A binding error is kept and returned by the next Step/Run.
  template <typename... Args>
  Statement& Bind(const Args&... args) {
    int index = 1;
    (BindOne(index++, args), ...);
    return *this;
  }

  // Advances: true when a row is available, false when done.
  Result<bool> Step();
  // Steps to completion, expecting no rows (INSERT / UPDATE / DELETE).
  Status Run();

  bool IsNull(int col) const;
  int64_t Int(int col) const;
  double Real(int col) const;  // NULL reads as NaN (SQLite stores NaN as NULL)
  std::string Text(int col) const;
  std::optional<int64_t> OptionalInt(int col) const;

 private:
  friend class Db;
  Statement(Db* db, sqlite3_stmt* stmt, bool* in_use, std::string_view context)
      : db_(db), stmt_(stmt), in_use_(in_use), context_(context) {}

  void BindOne(int index, int64_t v);
  void BindOne(int index, int v) { BindOne(index, static_cast<int64_t>(v)); }
  void BindOne(int index, bool v) { BindOne(index, static_cast<int64_t>(v ? 1 : 0)); }
  void BindOne(int index, double v);
  void BindOne(int index, std::string_view v);
  void BindOne(int index, const std::string& v) { BindOne(index, std::string_view(v)); }
  void BindOne(int index, const char* v) { BindOne(index, std::string_view(v)); }
  void BindOne(int index, std::nullopt_t);
  template <typename T>
  void BindOne(int index, const std::optional<T>& v) {
    if (v) {
      BindOne(index, *v);
    } else {
      BindOne(index, std::nullopt);
    }
  }
  void Check(int rc);

  Db* db_;
  sqlite3_stmt* stmt_;
  bool* in_use_;  // the cache entry's flag; nullptr for a one-off statement this object finalizes
  std::string_view context_;  // a string literal from the caller
  Status bind_error_;
};

class Db {
 public:
  enum class Mode {
    kReadWrite,  // created when missing
    kReadOnly,   // must exist; never written (SQLite may still create the WAL's -shm and -wal)
    kImmutable,  // must exist; read without locks or WAL files: for a file nobody can write
  };
  // Opens `file`; ":memory:" is a private in-memory database.
  static Result<std::unique_ptr<Db>> Open(const std::filesystem::path& file,
                                          Mode mode = Mode::kReadWrite);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Prepares `sql` once per connection and hands out the cached statement. `context` must outlive
  // the Statement (callers pass string literals).
  Result<Statement> Prepare(std::string_view sql, std::string_view context);
  // Runs one or more statements without results (schema scripts, BEGIN / COMMIT, pragmas).
  Status Exec(std::string_view sql, std::string_view context);
  // The status for the connection's last error.
  Status LastError(int rc, std::string_view context) const;

  int64_t Changes() const { return sqlite3_changes64(db_); }
  int64_t LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }
  sqlite3* handle() { return db_; }

 private:
  explicit Db(sqlite3* db) : db_(db) {}

  struct StmtDeleter {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  sqlite3* db_;
  struct Cached {
    std::unique_ptr<sqlite3_stmt, StmtDeleter> stmt;
    bool in_use = false;  // a second user of the same SQL meanwhile gets a one-off statement
  };
  std::map<std::string, Cached, std::less<>> cache_;
};

}  // namespace kairos::adapters::sqlite
