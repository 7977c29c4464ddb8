#include "adapters/memory/repositories.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/memory/tables.h"
#include "ports/store_errors.h"
#include "ports/stored_values.h"

namespace kairos::adapters::memory {
namespace {

class MemoryStrategies : public ports::StrategyRepository {
 public:
  explicit MemoryStrategies(Tables& t) : t_(t) {}

  Result<std::pair<StrategyRecord, bool>> Import(const StrategySpec& spec,
                                                 std::string_view source) override {
    if (spec.name.empty()) return ports::StrategyWithoutName();
    std::lock_guard lock(t_.mu);
    auto it = t_.strategies.find(spec.name);
    if (it != t_.strategies.end() && !it->second.versions.empty() && it->second.state &&
        it->second.versions.back().source == source) {
      return std::pair(Record(it->second, it->second.versions.size()), false);
    }
    if (it == t_.strategies.end()) it = t_.strategies.emplace(spec.name, StrategyEntry{}).first;
    StrategyEntry& entry = it->second;
    entry.versions.push_back(StrategyVersion{ports::StoredSpec(spec), std::string(source)});
    if (t_.logging()) t_.Log(StrategyVersionAdded{spec.name});
    // A new version keeps the enabled flag (a re-import must not re-enable a strategy someone
    // disabled); the allocation is the file's.
    StrategyState next{entry.state ? entry.state->enabled : spec.enabled, spec.allocation};
    t_.ReplaceStrategyState(entry, spec.name, next);
    return std::pair(Record(entry, entry.versions.size()), true);
  }

  Result<std::optional<StrategyRecord>> Get(std::string_view name) override {
    std::lock_guard lock(t_.mu);
    const StrategyEntry* entry = Find(name);
    if (entry == nullptr) return std::optional<StrategyRecord>();
    return std::optional(Record(*entry, entry->versions.size()));
  }

  Result<std::optional<StrategyRecord>> GetVersion(std::string_view name, int version) override {
    std::lock_guard lock(t_.mu);
    const StrategyEntry* entry = Find(name);
    if (entry == nullptr || version < 1 || static_cast<size_t>(version) > entry->versions.size()) {
      return std::optional<StrategyRecord>();
    }
    return std::optional(Record(*entry, static_cast<size_t>(version)));
  }

  Result<std::vector<StrategyRecord>> List() override {
    std::lock_guard lock(t_.mu);
    std::vector<StrategyRecord> out;
    for (const auto& [name, entry] : t_.strategies) {
      if (entry.versions.empty() || !entry.state) continue;
      out.push_back(Record(entry, entry.versions.size()));
    }
    return out;
  }

  Status SetEnabled(std::string_view name, bool enabled) override {
    return SetState(name, [&](StrategyState& s) { s.enabled = enabled; });
  }

  Status SetAllocation(std::string_view name, int64_t allocation_minor) override {
    return SetState(name, [&](StrategyState& s) { s.allocation = allocation_minor; });
  }

 private:
  // A strategy exists for readers when it has a version and a state row (the SQLite join).
  const StrategyEntry* Find(std::string_view name) const {
    auto it = t_.strategies.find(name);
    if (it == t_.strategies.end() || it->second.versions.empty() || !it->second.state) {
      return nullptr;
    }
    return &it->second;
  }

  static StrategyRecord Record(const StrategyEntry& entry, size_t version) {
    const StrategyVersion& v = entry.versions[version - 1];
    StrategyRecord r;
    r.spec = v.spec;
    r.source = v.source;
    r.version = static_cast<int>(version);
    r.enabled = entry.state->enabled;
    r.allocation = entry.state->allocation;
    return r;
  }

  template <typename Change>
  Status SetState(std::string_view name, Change change) {
    std::lock_guard lock(t_.mu);
    auto it = t_.strategies.find(name);
    if (it == t_.strategies.end() || !it->second.state) {
      return ports::NoStrategyNamed(name);
    }
    StrategyState next = *it->second.state;
    change(next);
    t_.ReplaceStrategyState(it->second, it->first, next);
    return Status::Ok();
  }

  Tables& t_;
};

}  // namespace

std::unique_ptr<ports::StrategyRepository> NewStrategyRepository(Tables& t) {
  return std::make_unique<MemoryStrategies>(t);
}

}  // namespace kairos::adapters::memory
