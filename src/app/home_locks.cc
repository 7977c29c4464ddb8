#include "app/home_locks.h"

#include <charconv>
#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

namespace kairos::app {

std::chrono::milliseconds LockWait() {
  constexpr std::chrono::milliseconds kDefault{10'000};
  const char* env = std::getenv("KAIROS_LOCK_WAIT_MS");
  if (env == nullptr) return kDefault;
  std::string_view text(env);
  int64_t ms = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (ec != std::errc() || end != text.data() + text.size() || ms < 0) return kDefault;
  return std::chrono::milliseconds(ms);
}

std::filesystem::path TradingLockPath(const std::filesystem::path& home) {
  return home / "locks" / "trading.lock";
}

Result<FileLock> LockTrading(const std::filesystem::path& home) {
  return FileLock::Acquire(TradingLockPath(home),
                           fmt::format("the trading lock on {}", home.string()), LockWait());
}

}  // namespace kairos::app
