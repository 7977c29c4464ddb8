#include "adapters/memory/repositories.h"

#include <optional>
#include <string_view>
#include <vector>

#include "adapters/memory/tables.h"
#include "ports/store_errors.h"

namespace kairos::adapters::memory {
namespace {

class MemoryUniverses : public ports::UniverseRepository {
 public:
  explicit MemoryUniverses(Tables& t) : t_(t) {}

  Status Put(const Universe& u) override {
    if (u.name.empty()) return ports::UniverseWithoutName();
    std::lock_guard lock(t_.mu);
    t_.ReplaceUniverse(u.name, u);
    return Status::Ok();
  }

  Result<std::optional<Universe>> Get(std::string_view name) override {
    std::lock_guard lock(t_.mu);
    auto it = t_.universes.find(name);
    if (it == t_.universes.end()) return std::optional<Universe>();
    return std::optional(it->second);
  }

  Result<std::vector<Universe>> List() override {
    std::lock_guard lock(t_.mu);
    std::vector<Universe> out;
    out.reserve(t_.universes.size());
    for (const auto& [name, u] : t_.universes) out.push_back(u);
    return out;
  }

  Status Remove(std::string_view name) override {
    std::lock_guard lock(t_.mu);
    if (!t_.universes.contains(name)) {
      return ports::NoUniverseNamed(name);
    }
    t_.ReplaceUniverse(name, std::nullopt);
    return Status::Ok();
  }

 private:
  Tables& t_;
};

}  // namespace

std::unique_ptr<ports::UniverseRepository> NewUniverseRepository(Tables& t) {
  return std::make_unique<MemoryUniverses>(t);
}

}  // namespace kairos::adapters::memory
