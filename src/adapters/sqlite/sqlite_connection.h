#pragma once

// What the SQLite store's repositories share (internal to the adapter): the connection with its
// transaction state, and the readers of result rows.

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "adapters/sqlite/sqlite_db.h"
#include "core/result.h"
#include "core/status.h"
#include "ports/nested_transaction.h"

namespace kairos::adapters::sqlite {

// The connection and transaction state every repository shares. A recursive mutex serialises
// the Store's users (an HTTP thread reading while the engine writes): a transaction holds it from
// BEGIN to COMMIT, so another thread's calls never land inside someone else's transaction.
class Connection {
 public:
  explicit Connection(std::unique_ptr<Db> db) : db_(std::move(db)) {}

  Db& db() { return *db_; }
  std::recursive_mutex& mu() { return mu_; }

  // Store::InTransaction: BEGIN IMMEDIATE (the write lock up front, so a transaction never fails
  // half way with SQLITE_BUSY on its first write) ... COMMIT. A nested call joins the outer
  // transaction; its failure dooms the outer one even if the outer body goes on.
  Status InTransaction(const std::function<Status()>& body) {
    std::lock_guard lock(mu_);
    return txn_.Run(
        body, [&] { return db_->Exec("BEGIN IMMEDIATE", "beginning a transaction"); },
        [&] { return db_->Exec("COMMIT", "committing a transaction"); },
        [&] {
          // Nothing useful to do with a failed rollback: the body's error is the one to report,
          // and SQLite undoes an uncommitted transaction on the next open anyway.
          if (db_->InTransaction()) (void)db_->Exec("ROLLBACK", "rolling back a transaction");
        });
  }

  // A repository method's own atomicity: its own transaction at the top level; inside a caller's
  // transaction a savepoint, so that its failure (say a FailedPrecondition the caller expects and
  // handles) undoes only its own writes and does not doom the caller's transaction.
  Status Atomic(const std::function<Status()>& body) {
    std::lock_guard lock(mu_);
    if (!txn_.open()) return InTransaction(body);
    KAIROS_RETURN_IF_ERROR(db_->Exec("SAVEPOINT kairos_op", "starting a savepoint"));
    Status status = ports::NestedTransaction::RunGuarded(body);
    if (!status.ok()) (void)db_->Exec("ROLLBACK TO kairos_op", "rolling back a savepoint");
    Status released = db_->Exec("RELEASE kairos_op", "releasing a savepoint");
    return status.ok() ? released : status;
  }

 private:
  std::unique_ptr<Db> db_;
  std::recursive_mutex mu_;
  ports::NestedTransaction txn_;
};

// Every row of `s`, each decoded by `read(s)`.
template <typename T, typename Reader>
Result<std::vector<T>> ReadAll(Statement& s, Reader read) {
  std::vector<T> out;
  for (;;) {
    KAIROS_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    KAIROS_ASSIGN_OR_RETURN(T value, read(s));
    out.push_back(std::move(value));
  }
}

// The first row of `s`, decoded by `read(s)`; nullopt when there is none.
template <typename T, typename Reader>
Result<std::optional<T>> ReadOne(Statement& s, Reader read) {
  KAIROS_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<T>();
  KAIROS_ASSIGN_OR_RETURN(T value, read(s));
  return std::optional<T>(std::move(value));
}

}  // namespace kairos::adapters::sqlite
