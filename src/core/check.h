#pragma once

#include <cstdlib>
#include <sstream>

// KAIROS_CHECK(cond) << "context": a broken invariant is a bug; it logs and aborts (STYLE.md #5).
// Never use it for bad input; that is a Status.
namespace kairos::internal {

class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* condition);
  [[noreturn]] ~CheckFailure();
  template <typename T>
  CheckFailure& operator<<(const T& v) {
    stream_ << v;
    return *this;
  }

 private:
  std::ostringstream stream_;
};

// Lets `KAIROS_CHECK(x) << y` compile as a void expression.
struct Voidify {
  void operator&(const CheckFailure&) {}
};

}  // namespace kairos::internal

#define KAIROS_CHECK(condition)                 \
  (condition) ? (void)0                         \
              : ::kairos::internal::Voidify() & \
                    ::kairos::internal::CheckFailure(__FILE__, __LINE__, #condition)
