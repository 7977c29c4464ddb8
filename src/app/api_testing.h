#pragma once
// The home the tests of the API's pipeline share: a temp directory with a SQLite store, the route
// table of BuildApiRoutes over it with the account authenticator, and the Api, on a ManualClock
// (sessions: 1 hour idle, 4 hours in all).
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "adapters/sqlite/sqlite_store.h"
#include "app/api_routes.h"
#include "server/api.h"

namespace kairos::app::testing {

inline constexpr int64_t kSecond = 1'000'000'000;
inline constexpr int64_t kStart = 1'800'000'000 * kSecond;

class ApiHomeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("kairos_" + std::string(info->test_suite_name()) + "_" + std::to_string(::getpid()) +
            "_" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = adapters::sqlite::OpenStore(dir_ / "kairos.db").value();
    env_.home = dir_;
    env_.version = "test";
    env_.settings.session_idle_ns = 3600 * kSecond;
    env_.settings.session_absolute_ns = 4 * 3600 * kSecond;
    env_.store = [this]() -> ports::Store& { return *store_; };
    env_.clock = &clock_;
    routes_ = BuildApiRoutes(env_);
    api_ = std::make_unique<server::Api>(routes_->router, *routes_->auth,
                                         server::ApiOptions{"test", {}});
  }
  void TearDown() override {
    api_.reset();
    routes_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  std::unique_ptr<ports::Store> store_;
  ports::ManualClock clock_{kStart};
  ApiEnv env_;
  std::unique_ptr<ApiRoutes> routes_;
  std::unique_ptr<server::Api> api_;
};

}  // namespace kairos::app::testing
