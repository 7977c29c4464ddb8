// libFuzzer target: arbitrary bytes as a strategy file (first byte even) or a rule (odd), checked
// as PUT /api/v1/strategies/{name} and POST /api/v1/rules/validate check them, and the checker's
// message turned into diagnostics. Nothing may crash, hang or throw; a refused text always has
// at least one diagnostic, each at a line and column from 1, with JSON that serialises.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "app/api_support.h"
#include "core/check.h"
#include "engine/strategy_file.h"
#include "rules/binder.h"

namespace {

void CheckDiagnostics(std::string_view message) {
  nlohmann::json d = kairos::app::DiagnosticsJson(message);
  KAIROS_CHECK(d.is_array() && !d.empty());
  for (const auto& item : d) {
    KAIROS_CHECK(item["line"].get<int>() >= 1 && item["column"].get<int>() >= 1);
    KAIROS_CHECK(item["message"].is_string() && item["hint"].is_string());
  }
  (void)d.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    auto spec = kairos::engine::ParseStrategy(text, "s.toml");
    if (!spec.ok()) CheckDiagnostics(spec.status().message());
  } else {
    auto rule = kairos::rules::CompileRule(text);
    if (!rule.ok()) CheckDiagnostics(rule.status().message());
  }
  return 0;
}
