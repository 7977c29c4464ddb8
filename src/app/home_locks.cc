#include "app/home_locks.h"

#include <charconv>
#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

namespace kairos::app {

Result<std::chrono::milliseconds> LockWait() {
  constexpr std::chrono::milliseconds kDefault{10'000};
  const char* env = std::getenv("KAIROS_LOCK_WAIT_MS");
  if (env == nullptr) return kDefault;
  std::string_view text(env);
  int64_t ms = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || ms < 0) {
    return Status::InvalidArgument(fmt::format(
        "KAIROS_LOCK_WAIT_MS='{}': expected a whole number of milliseconds (0 or more)", text));
  }
  return std::chrono::milliseconds(ms);
}

std::filesystem::path TradingLockPath(const std::filesystem::path& home) {
  return home / "locks" / "trading.lock";
}

Result<FileLock> LockTrading(const std::filesystem::path& home) {
  KAIROS_ASSIGN_OR_RETURN(std::chrono::milliseconds wait, LockWait());
  return FileLock::Acquire(TradingLockPath(home),
                           fmt::format("the trading lock on {}", home.string()), wait);
}

}  // namespace kairos::app
