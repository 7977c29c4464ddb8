// The HTTP API of `kairos serve` end to end over a real socket, as a person at the portal uses
// it: sign in, approve a signal, change an allocation, halt with square-off; then the audit rows
// those left, and no secret anywhere in what the run showed.
#include <signal.h>
#include <sqlite3.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_testing.h"
#include "http_testing.h"
#include "trading_testing.h"

namespace {

using kairos::testing::AaaCsv;
using kairos::testing::Http;
using kairos::testing::HttpAnswer;
using kairos::testing::JumpStrategy;
using kairos::testing::Lines;
using kairos::testing::Outcome;
using kairos::testing::Quote;
using kairos::testing::ReadFile;
using kairos::testing::WriteFile;
namespace fs = std::filesystem;

constexpr char kPassword[] = "a long pass phrase 42";

class ApiCliTest : public kairos::testing::KairosCliTest {
 protected:
  // The week up to Friday 2024-03-01 run: signal 1 of strategy "jump" waits for review.
  void PrepareHome() {
    WriteFile(dir_ / "aaa.csv", AaaCsv());
    WriteFile(dir_ / "jump.toml", JumpStrategy("manual"));
    ASSERT_EQ(Kairos({"data", "import", (dir_ / "aaa.csv").string()}).code, 0);
    ASSERT_EQ(Kairos({"strategy", "import", (dir_ / "jump.toml").string()}).code, 0);
    Outcome run = Kairos({"run-day", "--from", "2024-02-26", "--to", "2024-03-01"});
    ASSERT_EQ(run.code, 0) << run.err;
    Outcome user = Kairos({"user", "add", "ada", "--role", "admin", "--password-stdin"},
                          "printf '%s\\n' " + Quote(kPassword) + " |");
    ASSERT_EQ(user.code, 0) << user.err;
    // Port 0: the system picks a free one; the daemon logs it. No job runs in the test's time.
    WriteFile(home_ / "kairos.toml",
              "[server]\nlisten = \"127.0.0.1:0\"\n[daemon]\ntime_zone = \"UTC\"\n");
  }

  // Starts `kairos serve`; returns the API's base URL from its log.
  std::string StartDaemon() {
    std::string cmd = "(" + Quote(KAIROS_BIN) + " --home " + Quote(home_.string()) + " serve 2>" +
                      Quote((dir_ / "daemon.log").string()) + " & echo $! >" +
                      Quote((dir_ / "pid").string()) + "; wait $!; echo $? >" +
                      Quote((dir_ / "rc").string()) + ") &";
    EXPECT_EQ(std::system(cmd.c_str()), 0);
    std::string url;
    for (int i = 0; i < 400 && url.empty(); ++i) {
      std::string log = ReadFile(dir_ / "daemon.log");
      if (auto at = log.find("serving the API on "); at != std::string::npos) {
        auto end = log.find('\n', at);
        if (end != std::string::npos) url = log.substr(at + 19, end - at - 19);
      }
      if (url.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return url;
  }

  void StopDaemon() {
    std::string pid = ReadFile(dir_ / "pid");
    if (!pid.empty()) ::kill(std::stoi(pid), SIGTERM);
    for (int i = 0; i < 400 && ReadFile(dir_ / "rc").empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  // A call signed in with the session `cookie` and its `csrf` token; its answer kept for the
  // secrets check.
  HttpAnswer Call(const std::string& method, const std::string& path,
                  const std::string& body = "") {
    HttpAnswer a =
        Http(method, url_ + path, body, {"Cookie: " + cookie_, "X-CSRF-Token: " + csrf_});
    seen_ += a.body;
    for (const auto& [k, v] : a.headers) seen_ += k + ": " + v + "\n";
    return a;
  }

  std::string StoredPasswordHash() {
    sqlite3* db = nullptr;
    std::string hash;
    if (sqlite3_open_v2((home_ / "kairos.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
        SQLITE_OK) {
      sqlite3_stmt* st = nullptr;
      sqlite3_prepare_v2(db, "SELECT password_hash FROM users WHERE name = 'ada'", -1, &st,
                         nullptr);
      if (st && sqlite3_step(st) == SQLITE_ROW) {
        hash = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
      }
      sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return hash;
  }

  std::string url_, cookie_, csrf_, seen_;
};

TEST_F(ApiCliTest, ASignedInTraderApprovesReallocatesAndHaltsAndEachIsAudited) {
  PrepareHome();
  url_ = StartDaemon();
  ASSERT_FALSE(url_.empty()) << ReadFile(dir_ / "daemon.log");

  HttpAnswer health = Http("GET", url_ + "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(nlohmann::json::parse(health.body)["status"], "ok");

  HttpAnswer login = Http("POST", url_ + "/api/v1/auth/login",
                          nlohmann::json{{"username", "ada"}, {"password", kPassword}}.dump());
  ASSERT_EQ(login.status, 200) << login.body;
  std::string set_cookie = login.Header("set-cookie");
  cookie_ = set_cookie.substr(0, set_cookie.find(';'));
  csrf_ = nlohmann::json::parse(login.body)["csrf_token"];
  ASSERT_EQ(cookie_.rfind("kairos_session=", 0), 0u) << set_cookie;
  for (const auto& [k, v] : login.headers) {
    if (k != "set-cookie") seen_ += k + ": " + v + "\n";
  }

  HttpAnswer pending = Call("GET", "/api/v1/signals?status=pending_review");
  ASSERT_EQ(pending.status, 200) << pending.body;
  const nlohmann::json items = nlohmann::json::parse(pending.body)["items"];
  ASSERT_EQ(items.size(), 1u) << pending.body;
  EXPECT_EQ(items[0]["id"], 1);

  HttpAnswer approve = Call("POST", "/api/v1/signals/1/approve", R"({"note":"from the portal"})");
  EXPECT_EQ(approve.status, 200) << approve.body;
  HttpAnswer again = Call("POST", "/api/v1/signals/1/approve", R"({})");
  EXPECT_EQ(again.status, 409) << again.body;

  HttpAnswer allocation =
      Call("PUT", "/api/v1/strategies/jump/allocation", R"({"allocation":"20000.00"})");
  EXPECT_EQ(allocation.status, 200) << allocation.body;

  HttpAnswer unconfirmed = Call("POST", "/api/v1/halt", R"({"squareoff":true})");
  EXPECT_EQ(unconfirmed.status, 422) << unconfirmed.body;
  HttpAnswer halt =
      Call("POST", "/api/v1/halt", R"({"squareoff":true,"confirm":"SQUARE OFF","reason":"drill"})");
  EXPECT_EQ(halt.status, 200) << halt.body;
  HttpAnswer state = Call("GET", "/api/v1/halt");
  EXPECT_EQ(nlohmann::json::parse(state.body)["halted"], true) << state.body;

  HttpAnswer audit = Call("GET", "/api/v1/audit?limit=1000");
  ASSERT_EQ(audit.status, 200) << audit.body;
  std::vector<std::string> actions;
  const nlohmann::json rows = nlohmann::json::parse(audit.body)["items"];
  for (const auto& row : rows) {
    std::string action = row["action"];
    if (action == "signal.approve" || action == "strategy.allocation" || action == "halt") {
      actions.push_back(action);
      EXPECT_EQ(row["actor"], "ada (session) from 127.0.0.1") << row.dump();
    }
    if (action == "strategy.allocation") {
      auto detail = nlohmann::json::parse(row["detail"].get<std::string>());
      EXPECT_TRUE(detail.contains("before") && detail.contains("after")) << row.dump();
    }
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"signal.approve", "strategy.allocation", "halt"}))
      << audit.body;

  HttpAnswer logout = Call("POST", "/api/v1/auth/logout", "{}");
  EXPECT_EQ(logout.status, 200) << logout.body;
  EXPECT_EQ(Call("GET", "/api/v1/auth/me").status, 401);
  StopDaemon();
  EXPECT_EQ(Lines(ReadFile(dir_ / "rc")).at(0), "0") << ReadFile(dir_ / "daemon.log");

  // No secret in anything the run showed: answers, the daemon's log, the alerts, the audit log.
  Outcome alerts = Kairos({"alerts", "list", "--format", "json"});
  std::string shown = seen_ + ReadFile(dir_ / "daemon.log") + alerts.out + alerts.err;
  std::string session_token = cookie_.substr(cookie_.find('=') + 1);
  std::string hash = StoredPasswordHash();
  ASSERT_FALSE(hash.empty());
  for (const std::string& secret : {std::string(kPassword), session_token, hash}) {
    EXPECT_EQ(shown.find(secret), std::string::npos) << "a secret was shown: " << secret;
  }
}

}  // namespace
