#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "ports/store.h"

namespace kairos::adapters::sqlite {

// For tests and diagnostics: the first column of `PRAGMA <name>` on the store's own connection
// (journal_mode, synchronous, foreign_keys, busy_timeout are per connection). InvalidArgument when
// `store` is not an SQLite store.
Result<std::string> QueryPragma(ports::Store& store, std::string_view name);

}  // namespace kairos::adapters::sqlite
