#include "engine/compiled_rules.h"

namespace kairos::engine {

Result<std::shared_ptr<const rules::Program>> CompiledRules::Get(
    const std::string& rule, const std::vector<std::string>& extras, std::string* key) {
  *key = rule;
  for (const std::string& e : extras) *key += "\n" + e;
  auto it = programs_.find(*key);
  if (it != programs_.end()) return it->second;
  KAIROS_ASSIGN_OR_RETURN(std::shared_ptr<const rules::Program> p,
                          rules::Program::Compile(rule, extras));
  programs_.emplace(*key, p);
  return p;
}

}  // namespace kairos::engine
