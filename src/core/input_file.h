#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/status.h"

namespace kairos {

// Files a person names on the command line (a strategy, a symbol list, CSV data) are read only
// when they are regular files, and only up to a size fit for what they hold: a path to
// /dev/zero, a fifo or a directory is refused with a message instead of being read forever.

// The largest strategy file: a few hundred lines of TOML are a few KiB.
inline constexpr size_t kMaxStrategyFileBytes = size_t{1} << 20;  // 1 MiB
// The largest CSV file `kairos ta` reads whole (one symbol's bars; a century of daily rows is a
// few MiB). Imports map their files instead and bound each line (marketdata::kMaxCsvLineBytes).
inline constexpr size_t kMaxOhlcvFileBytes = size_t{256} << 20;  // 256 MiB
// The largest symbol list (`universe define --file`): one symbol a line.
inline constexpr size_t kMaxSymbolFileBytes = size_t{16} << 20;  // 16 MiB

// Ok when `path` (symlinks followed) is a regular file. Otherwise InvalidArgument naming what it
// is ("is a directory", "is a character device", ...) and `what` was expected ("strategy
// file"), or NotFound / IOError when it cannot be examined.
Status CheckRegularFile(const std::filesystem::path& path, std::string_view what);

// The whole content of the regular file `path`, at most `max_bytes`: anything else, or a larger
// file (also one that grows past the limit while it is read), is refused with a message that
// names the limit. Opens without blocking, so a fifo put in place meanwhile is refused too.
Result<std::string> ReadInputFile(const std::filesystem::path& path, std::string_view what,
                                  size_t max_bytes);

// "1 MiB", "64 KiB", "1000 bytes": a size limit as messages state it.
std::string ByteSize(size_t bytes);

}  // namespace kairos
