#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/date.h"

namespace kairos {

// A named set of symbols: a static list, every symbol of an exchange, or a rule
// evaluated as of a date with an optional top-N by a ranking expression ("liquid": rule
// `median(turnover, 20) > 1e7`, top 200 by `median(turnover, 20)`, descending).
struct UniverseDefinition {
  enum class Kind : uint8_t { kStatic, kExchange, kRule };
  Kind kind = Kind::kStatic;
  std::vector<std::string> symbols;  // kStatic
  std::string exchange;              // kExchange (and the calendar of a kRule universe)
  std::string rule;                  // kRule: a boolean rule
  std::string rank;                  // kRule, optional: a number expression
  int top = 0;                       // kRule: keep the `top` highest by `rank` (0 = all)
  std::string base;                  // kRule, optional: the universe the rule filters ("" = all)
};

struct Universe {
  std::string name;  // [a-z0-9_]{1,64}
  UniverseDefinition definition;
  Date as_of;                        // the session the members were computed for
  std::vector<std::string> members;  // sorted
  int64_t computed_ns = 0;           // when they were computed
};

}  // namespace kairos
