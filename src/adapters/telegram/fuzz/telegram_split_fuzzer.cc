// Splits arbitrary bytes as an HTML message at a small limit: must never crash or hang, and every
// part it returns must fit the limit and carry visible text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "adapters/telegram/html.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kairos::telegram;
  if (size < 1) return 0;
  size_t limit = 8 + data[0] % 120;
  std::string_view html(reinterpret_cast<const char*>(data + 1), size - 1);
  auto parts = SplitMessage(html, limit);
  if (!parts.ok()) return 0;
  if (Utf16Length(html) <= limit) {
    if (parts->size() != 1 || (*parts)[0] != html) __builtin_trap();
    return 0;
  }
  for (const auto& part : *parts) {
    if (part.empty() || Utf16Length(part) > limit) __builtin_trap();
  }
  return 0;
}
