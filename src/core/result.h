#pragma once

#include <type_traits>
#include <utility>
#include <variant>

#include "core/check.h"
#include "core/status.h"

namespace kairos {

// Result<T> holds either a T or a non-OK Status (like absl::StatusOr).
template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::decay_t<T>, Status>, "Result<Status> makes no sense");

 public:
  Result(const T& value) : v_(value) {}            // NOLINT: implicit by design
  Result(T&& value) : v_(std::move(value)) {}      // NOLINT
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    KAIROS_CHECK(!std::get<Status>(v_).ok()) << "a Result cannot hold an OK status";
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // OK when the Result holds a value.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

  // REQUIRES: ok(). A temporary Result gives its value away by value, never as a reference
  // into itself, so `for (auto& x : store.List().value())` cannot outlive the list.
  T& value() & { return Get(); }
  const T& value() const& { return Get(); }
  T value() && { return std::move(Get()); }
  T& operator*() & { return Get(); }
  const T& operator*() const& { return Get(); }
  T operator*() && { return std::move(Get()); }
  T* operator->() { return &Get(); }
  const T* operator->() const { return &Get(); }

  T value_or(T fallback) const& { return ok() ? std::get<T>(v_) : std::move(fallback); }

 private:
  T& Get() {
    KAIROS_CHECK(ok()) << "Result::value() on error: " << std::get<Status>(v_).ToString();
    return std::get<T>(v_);
  }
  const T& Get() const {
    KAIROS_CHECK(ok()) << "Result::value() on error: " << std::get<Status>(v_).ToString();
    return std::get<T>(v_);
  }

  std::variant<T, Status> v_;
};

}  // namespace kairos

// KAIROS_ASSIGN_OR_RETURN(auto x, Expr()); or KAIROS_ASSIGN_OR_RETURN(x, Expr());
// Evaluates a Result<T>; on error returns its Status, else moves the value into `lhs`.
#define KAIROS_ASSIGN_OR_RETURN(lhs, expr) \
  KAIROS_ASSIGN_OR_RETURN_IMPL_(KAIROS_STATUS_CONCAT_(kairos_result_, __LINE__), lhs, expr)
#define KAIROS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()
