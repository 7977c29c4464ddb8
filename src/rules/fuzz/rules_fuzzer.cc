// Parses and binds arbitrary bytes: must never crash, hang or leak. When a rule binds, its
// canonical text must bind again to the same canonical text and lookback. When it does not, its
// error reads back as at least one diagnostic (the HTTP API's details).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "rules/binder.h"
#include "rules/diagnostic.h"
#include "rules/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using kairos::rules::Bind;
  using kairos::rules::CanonicalText;
  using kairos::rules::Parse;
  std::string_view source(reinterpret_cast<const char*>(data), size);
  auto expr = Parse(source);
  auto compiled = kairos::rules::CompileRule(source);
  if (!compiled.ok()) {
    auto diagnostics = kairos::rules::ParseDiagnostics(compiled.status().message());
    if (diagnostics.empty()) __builtin_trap();
    for (const auto& d : diagnostics) {
      if (d.line < 0 || d.column < 0) __builtin_trap();
    }
  }
  if (!expr.ok()) return 0;
  auto bound = Bind(**expr, source);
  if (!bound.ok()) return 0;
  std::string canonical = CanonicalText(**bound);
  // Constant folding can produce inf or nan, which have no literal.
  if (canonical.find("inf") != std::string::npos || canonical.find("nan") != std::string::npos) {
    return 0;
  }
  auto again = Parse(canonical);
  if (!again.ok()) __builtin_trap();
  auto rebound = Bind(**again, canonical);
  if (!rebound.ok()) __builtin_trap();
  if (CanonicalText(**rebound) != canonical) __builtin_trap();
  if ((*rebound)->lookback != (*bound)->lookback) __builtin_trap();
  return 0;
}
