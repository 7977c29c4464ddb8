#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/result.h"
#include "core/status.h"
#include "domain/universe.h"
#include "marketdata/bar_store.h"
#include "ports/clock.h"
#include "ports/store.h"

namespace kairos::engine {

// InvalidArgument unless `name` is 1 to 64 characters of a-z, 0-9 and '_':
// "universe name 'Liquid' must be 1 to 64 characters of a-z, 0-9 and _".
Status ValidateUniverseName(std::string_view name);

// Reads a static list: one symbol per line, '#' starts a comment, blank lines and surrounding
// spaces ignored, symbols upper-cased. InvalidArgument ("<file>:3: ...") for a line with spaces
// inside; NotFound if the file cannot be opened.
Result<std::vector<std::string>> ReadSymbolFile(const std::string& path);

// Named universes on top of a UniverseRepository: definitions are computed into
// members as of a session and stored with that session and the time they were computed
// (clock). Members are sorted and unique. Not thread-safe (one engine thread).
//
//  - static: the listed symbols (upper-cased; symbols not in the bar store are kept, a list may
//    name symbols imported later);
//  - exchange: every stored symbol whose instrument exchange is `exchange` (any case);
//  - rule: the symbols of `base` (another universe's members) or of the whole store (of
//    `exchange` when given) on which `rule` holds as of the session, then, when `top` > 0, the
//    `top` highest by `rank` (descending; ties and undefined ranks go by symbol, undefined last).
//
// The session: the one asked for, else the last session in the bar store (the latest last bar).
class UniverseManager {
 public:
  UniverseManager(ports::UniverseRepository& repo, const marketdata::BarStore& bars,
                  const ports::Clock& clock, int threads = 0)
      : repo_(repo), bars_(bars), clock_(clock), threads_(threads) {}

  // Validates, computes and stores (replacing a universe of the same name). Nothing is stored
  // on error. Errors: a bad name; a static list that is empty or holds an empty symbol; an
  // exchange with no stored symbol; a bad rule or rank expression (the rule diagnostic, with
  // line, column and caret); top < 0; top without a rank; an unknown base universe; a base
  // that is the universe itself.
  Result<Universe> Define(std::string_view name, const UniverseDefinition& definition,
                          std::optional<Date> as_of = std::nullopt);
  // Recomputes a stored universe from its definition. NotFound for an unknown name.
  Result<Universe> Refresh(std::string_view name, std::optional<Date> as_of = std::nullopt);
  // Refreshes every stored universe, bases before the universes built on them. Stops at the
  // first error (universes refreshed before it stay refreshed).
  Result<std::vector<Universe>> RefreshAll(std::optional<Date> as_of = std::nullopt);
  // NotFound: "no universe named 'x'".
  Result<Universe> Get(std::string_view name);
  Result<std::vector<Universe>> List();  // by name

  // The members `definition` has as of `as_of` (nothing stored), with the session used.
  Result<std::pair<Date, std::vector<std::string>>> Compute(std::string_view name,
                                                            const UniverseDefinition& definition,
                                                            std::optional<Date> as_of);

 private:
  ports::UniverseRepository& repo_;
  const marketdata::BarStore& bars_;
  const ports::Clock& clock_;
  int threads_;
};

}  // namespace kairos::engine
