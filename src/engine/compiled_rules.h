#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "rules/evaluator.h"

namespace kairos::engine {

// Compiled rule programs by text (the rule, then its extras, separated by '\n'): a program is
// immutable, so each text is compiled once per trading day.
class CompiledRules {
 public:
  // The program of `rule` with `extras`; `*key` is set to its text, the key under which a
  // market reader may keep the program's results.
  Result<std::shared_ptr<const rules::Program>> Get(const std::string& rule,
                                                    const std::vector<std::string>& extras,
                                                    std::string* key);

 private:
  std::map<std::string, std::shared_ptr<const rules::Program>, std::less<>> programs_;
};

}  // namespace kairos::engine
