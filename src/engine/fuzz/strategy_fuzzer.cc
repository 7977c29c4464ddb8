// libFuzzer target: arbitrary bytes as a strategy file. ParseStrategy must never crash, hang or
// throw (toml++ errors, bad rules and bad values all become a Status), and a file it accepts must
// satisfy the spec's own invariants.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/check.h"
#include "engine/strategy_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto spec = kairos::engine::ParseStrategy(text, "fuzz.toml");
  if (spec.ok()) {
    KAIROS_CHECK(!spec->name.empty());
    KAIROS_CHECK(!spec->entry.empty());
    KAIROS_CHECK(spec->allocation > 0);
    KAIROS_CHECK(spec->max_positions >= 1);
    KAIROS_CHECK(spec->max_new_per_day >= 1);
  } else {
    KAIROS_CHECK(!spec.status().message().empty());
  }
  return 0;
}
