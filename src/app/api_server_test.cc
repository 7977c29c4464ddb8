#include "app/api_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "app/change_feed.h"
#include "app/paper_wiring.h"
#include "server/openapi.h"

namespace kairos::app {
namespace {

namespace fs = std::filesystem;

class ApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = fs::temp_directory_path() /
            fmt::format("kairos_api_server_test_{}_{}", ::getpid(),
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(home_);
    fs::create_directories(home_);
    auto store = OpenTradingStore(home_, Access::kWrite);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(home_);
  }
  ApiEnv Env() {
    ApiEnv env;
    env.home = home_;
    env.settings.listen = "127.0.0.1:0";
    env.version = "9.9.9";
    env.clock = &clock_;
    return env;
  }
  void Audit(std::string action) {
    ASSERT_TRUE(store_->audit().Append({0, 1, "cli", std::move(action), "signal:1", "d"}).ok());
  }

  fs::path home_;
  std::unique_ptr<ports::Store> store_;
  ports::ManualClock clock_{1'000};
};

TEST_F(ApiServerTest, EveryRouteIsInTheOpenApiDocumentAndEveryOperationIsARoute) {
  ApiEnv env = Env();
  auto routes = BuildApiRoutes(env);
  server::Api api(routes->router, *routes->auth, {"9.9.9", {}});
  server::Request request;
  request.path = "/api/v1/openapi.json";
  server::Response response = api.Handle(request);
  ASSERT_EQ(response.status, 200);
  auto doc = nlohmann::json::parse(response.body);
  std::set<std::string> documented, routed;
  for (const auto& [path, methods] : doc["paths"].items()) {
    for (const auto& [method, op] : methods.items()) documented.insert(method + " " + path);
  }
  for (const auto& route : routes->router.routes()) {
    std::string method(server::MethodName(route.method));
    for (char& c : method) c = static_cast<char>(std::tolower(c));
    routed.insert(method + " " + route.path);
  }
  EXPECT_EQ(documented, routed);
  EXPECT_TRUE(routed.count("get /healthz"));
  EXPECT_TRUE(routed.count("get /api/v1/openapi.json"));
}

TEST_F(ApiServerTest, ActionsMapToEventTypesByPrefix) {
  EXPECT_EQ(EventTypeOfAction("signal.approve"), "signal");
  EXPECT_EQ(EventTypeOfAction("order.intent"), "order");
  EXPECT_EQ(EventTypeOfAction("fill.refused"), "fill");
  EXPECT_EQ(EventTypeOfAction("halt"), "halt");
  EXPECT_EQ(EventTypeOfAction("resume"), "halt");
  EXPECT_EQ(EventTypeOfAction("strategy.allocation"), std::nullopt);
  EXPECT_EQ(EventTypeOfAction("signals.x"), std::nullopt);
}

TEST_F(ApiServerTest, TheChangeFeedPublishesWhatIsWrittenAfterItOpens) {
  Audit("signal.create");  // before: not published
  server::EventHub hub;
  auto sub = hub.Subscribe();
  ChangeFeed feed(home_, hub);
  ASSERT_TRUE(feed.Open().ok());
  EXPECT_EQ(*feed.Poll(), 0);
  Audit("signal.approve");
  Audit("strategy.allocation");
  Audit("halt");
  ports::OutboxMessage m;
  m.kind = "job.failed";
  m.text = "job <b>x</b> failed";
  m.key = "k1";
  m.created_ns = 5;
  ASSERT_TRUE(store_->outbox().Enqueue(m).ok());
  auto run = store_->job_runs().Claim("scan.daily", 100, 200);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(*feed.Poll(), 4);
  std::vector<std::string> types;
  auto events = sub->Drain();
  for (const auto& e : events) types.push_back(e.type);
  EXPECT_EQ(types, (std::vector<std::string>{"signal", "halt", "job_run", "alert"}));
  EXPECT_EQ(nlohmann::json::parse(events[0].data)["action"], "signal.approve");
  EXPECT_EQ(nlohmann::json::parse(events[2].data)["status"], "running");
  EXPECT_EQ(nlohmann::json::parse(events[3].data)["kind"], "job.failed");
  // A run that finishes is published again; nothing else is.
  ports::JobRun finished = run->first;
  finished.status = ports::JobRunStatus::kSucceeded;
  finished.finished_ns = 300;
  finished.attempts = 1;
  ASSERT_TRUE(store_->job_runs().Update(finished).ok());
  EXPECT_EQ(*feed.Poll(), 1);
  auto again = sub->Drain();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(again[0].data)["status"], "succeeded");
}

TEST_F(ApiServerTest, ServerOptionsComeFromTheSettings) {
  ServerSettings s;
  s.listen = "0.0.0.0:9000";
  s.read_timeout_ns = 2'500'000'000;
  auto o = HttpOptions(s);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->address, "0.0.0.0");
  EXPECT_EQ(o->port, 9000);
  EXPECT_EQ(o->read_timeout, std::chrono::milliseconds(2500));
  s.listen = "nowhere";
  EXPECT_EQ(HttpOptions(s).status().code(), StatusCode::kInvalidArgument);
}

// GET `path` on loopback `port`; the whole answer (Connection: close).
std::string Fetch(uint16_t port, std::string_view path) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "";
  }
  std::string request =
      fmt::format("GET {} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path);
  (void)::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string answer;
  char chunk[4096];
  for (ssize_t n; (n = ::recv(fd, chunk, sizeof chunk, 0)) > 0;) answer.append(chunk, n);
  ::close(fd);
  return answer;
}

TEST_F(ApiServerTest, ServesHealthOnItsHomeAndStops) {
  auto server = ApiServer::Start(Env(), 1'000'000'000);
  ASSERT_TRUE(server.ok()) << server.status().message();
  uint16_t port = (*server)->port();
  EXPECT_EQ((*server)->url(), fmt::format("http://127.0.0.1:{}", port));
  std::string answer = Fetch(port, "/healthz");
  EXPECT_NE(answer.find("HTTP/1.1 200 OK"), std::string::npos) << answer;
  EXPECT_NE(answer.find(R"({"status":"ok","version":"9.9.9"})"), std::string::npos) << answer;
  EXPECT_NE(Fetch(port, "/api/v1/nothing").find("HTTP/1.1 404"), std::string::npos);
  (*server)->Stop();
  EXPECT_EQ(Fetch(port, "/healthz"), "");
}

TEST_F(ApiServerTest, AListenAddressInUseIsUnavailable) {
  auto first = ApiServer::Start(Env(), 1'000'000'000);
  ASSERT_TRUE(first.ok());
  ApiEnv env = Env();
  env.settings.listen = fmt::format("127.0.0.1:{}", (*first)->port());
  auto second = ApiServer::Start(env, 1'000'000'000);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("already in use"), std::string::npos);
}

}  // namespace
}  // namespace kairos::app
