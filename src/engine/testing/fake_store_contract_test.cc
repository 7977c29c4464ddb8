// The store contract (ports/testing/store_contract_test.h) on the engine's test fake, so that
// engine tests run against the same semantics as the stores the program ships.

#include <memory>
#include <string_view>

#include "engine/testing/fakes.h"
#include "ports/testing/store_contract_test.h"

namespace kairos::engine::testing {
namespace {

struct FakeStoreTraits {
  struct Env {
    FakeStore store;
  };
  static std::unique_ptr<Env> Open() { return std::make_unique<Env>(); }
  static ports::Store& StoreOf(Env& env) { return env.store; }
  static void Reopen(Env&) {}  // nothing outlives the process
  static int64_t Count(Env& env, std::string_view table) { return env.store.rows(table); }
};

}  // namespace
}  // namespace kairos::engine::testing

namespace kairos::ports::store_contract {
INSTANTIATE_TYPED_TEST_SUITE_P(Fake, StoreContractTest, engine::testing::FakeStoreTraits);
}  // namespace kairos::ports::store_contract
