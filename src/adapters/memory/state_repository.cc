#include "adapters/memory/repositories.h"

#include <optional>
#include <string>
#include <string_view>

#include "adapters/memory/tables.h"

namespace kairos::adapters::memory {
namespace {

class MemoryState : public ports::StateRepository {
 public:
  explicit MemoryState(Tables& t) : t_(t) {}

  Result<std::optional<std::string>> Get(std::string_view key) override {
    std::lock_guard lock(t_.mu);
    auto it = t_.state.find(key);
    if (it == t_.state.end()) return std::optional<std::string>();
    return std::optional(it->second);
  }

  Status Put(std::string_view key, std::string_view value) override {
    std::lock_guard lock(t_.mu);
    t_.ReplaceState(key, std::string(value));
    return Status::Ok();
  }

  // Erasing a key that is not there is not an error (as in the SQLite store).
  Status Erase(std::string_view key) override {
    std::lock_guard lock(t_.mu);
    if (t_.state.contains(key)) t_.ReplaceState(key, std::nullopt);
    return Status::Ok();
  }

 private:
  Tables& t_;
};

}  // namespace

std::unique_ptr<ports::StateRepository> NewStateRepository(Tables& t) {
  return std::make_unique<MemoryState>(t);
}

}  // namespace kairos::adapters::memory
