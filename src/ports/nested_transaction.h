#pragma once

#include <exception>
#include <string>
#include <utility>

#include "core/status.h"

namespace kairos::ports {

// The nesting rules of Store::InTransaction, which every store keeps the same way (the store
// contract, ports/testing/store_contract_test.h, pins them). A call inside an open transaction
// joins it: its failure dooms the outer transaction even if the outer body carries on, and an
// exception from it passes on to the outer call. At the top level a std::exception from the body
// becomes Internal and rolls back; any other exception rolls back and passes on, so the store is
// never left inside a transaction that every later call would join.
//
// Not thread-safe: the store holds its own lock across Run. The store supplies how to begin,
// commit (both Status) and roll back (void: the body's error is the one to report).
class NestedTransaction {
 public:
  // True while a transaction is open (inside Run's body, at any depth).
  bool open() const { return depth_ > 0; }

  template <typename Body, typename Begin, typename Commit, typename Rollback>
  Status Run(const Body& body, Begin&& begin, Commit&& commit, Rollback&& rollback) {
    if (depth_ > 0) return RunInner(body);
    KAIROS_RETURN_IF_ERROR(begin());
    depth_ = 1;
    inner_failure_ = Status::Ok();
    Status status;
    try {
      status = RunGuarded(body);
    } catch (...) {
      depth_ = 0;
      inner_failure_ = Status::Ok();
      rollback();
      throw;
    }
    depth_ = 0;
    if (status.ok() && !inner_failure_.ok()) {
      status = inner_failure_.WithContext("transaction rolled back after an inner failure");
    }
    inner_failure_ = Status::Ok();
    if (status.ok()) {
      status = commit();
      if (status.ok()) return status;
    }
    rollback();
    return status;
  }

  // Runs `body` at the top level of a transaction (or a savepoint). Bodies come from other
  // modules; a std::exception escaping one is reported as Internal, not propagated.
  template <typename Body>
  static Status RunGuarded(const Body& body) {
    try {
      return body();
    } catch (const std::exception& e) {
      return Status::Internal(std::string("exception in a transaction: ") + e.what());
    }
  }

 private:
  template <typename Body>
  Status RunInner(const Body& body) {
    ++depth_;
    Status status;
    try {
      status = body();
    } catch (...) {
      --depth_;  // the outer call rolls back as the exception passes it
      throw;
    }
    --depth_;
    if (!status.ok() && inner_failure_.ok()) inner_failure_ = status;
    return status;
  }

  int depth_ = 0;
  Status inner_failure_;
};

}  // namespace kairos::ports
