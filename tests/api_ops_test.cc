// The operational and market resources of the HTTP API (app/api_jobs.cc, api_market.cc,
// api_backtests.cc), in process through Api::Handle on a temp home with the SQLite store and
// real bars imported by the kairos binary, each list checked against the CLI's --format json.
#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app/api_routes.h"
#include "app/daemon.h"
#include "app/paper_wiring.h"
#include "cli_testing.h"
#include "server/api.h"

namespace kairos {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using server::Method;
using server::Role;
using testing::Outcome;

constexpr int64_t kSecond = 1'000'000'000;

// Lets in the principal a test names (none: no credentials).
class TestAuthenticator : public server::Authenticator {
 public:
  Result<std::optional<server::Principal>> Authenticate(const server::Request&) override {
    return principal;
  }
  bool HasAccounts() override { return true; }
  std::optional<server::Principal> principal;
};

std::string Msft() { return std::string(KAIROS_SHARED_DIR) + "/data/msft_ohlcv_2000_2001.csv"; }

std::string CrossStrategy() {
  return "name = \"msft_cross\"\n"
         "exchange = \"NYSE\"\n"
         "universe = [\"MSFT\"]\n"
         "entry = \"crossover(sma(close,10), sma(close,30))\"\n"
         "exit = \"crossunder(sma(close,10), sma(close,30))\"\n"
         "approval = \"auto\"\n"
         "allocation = 100000\n"
         "sizing = { method = \"fixed_amount\", amount = 18000 }\n"
         "max_positions = 1\n"
         "max_new_per_day = 1\n";
}

class ApiOpsTest : public testing::KairosCliTest {
 protected:
  void SetUp() override {
    KairosCliTest::SetUp();
    Outcome imp = Kairos({"data", "import", Msft()});
    ASSERT_EQ(imp.code, 0) << imp.err;
    auto store = app::OpenTradingStore(home_, app::Access::kWrite);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    Build();
  }
  void TearDown() override {
    api_.reset();
    routes_.reset();
    store_.reset();
    KairosCliTest::TearDown();
  }

  // The route table over the home, as a (re)started daemon builds it.
  void Build() {
    api_.reset();
    routes_.reset();
    env_.home = home_;
    env_.store = [this]() -> ports::Store& { return *store_; };
    env_.clock = &clock_;
    routes_ = app::BuildApiRoutes(env_);
    api_ = std::make_unique<server::Api>(routes_->router, auth_, server::ApiOptions{});
  }

  server::Response Call(Method method, const std::string& path, Role role = Role::kViewer,
                        const std::string& body = "") {
    server::Request r;
    r.method = method;
    size_t q = path.find('?');
    r.path = path.substr(0, q);
    if (q != std::string::npos) {
      std::string rest = path.substr(q + 1);
      while (!rest.empty()) {
        size_t amp = rest.find('&');
        std::string pair = rest.substr(0, amp);
        size_t eq = pair.find('=');
        r.query.emplace_back(pair.substr(0, eq),
                             eq == std::string::npos ? "" : pair.substr(eq + 1));
        rest = amp == std::string::npos ? "" : rest.substr(amp + 1);
      }
    }
    r.remote_address = "127.0.0.1";
    if (!body.empty()) {
      r.body = body;
      r.headers["content-type"] = "application/json";
    }
    auth_.principal =
        server::Principal{"alice", role, server::Principal::Via::kToken, "token:t1", false};
    return api_->Handle(r);
  }
  json Get(const std::string& path, int status = 200) {
    server::Response r = Call(Method::kGet, path);
    EXPECT_EQ(r.status, status) << path << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }
  json Post(const std::string& path, Role role, const std::string& body, int status) {
    server::Response r = Call(Method::kPost, path, role, body);
    EXPECT_EQ(r.status, status) << path << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }
  // `kairos ARGS --format json` as JSON.
  json CliJson(std::vector<std::string> args) {
    args.push_back("--format");
    args.push_back("json");
    Outcome o = Kairos(args);
    EXPECT_EQ(o.code, 0) << o.err;
    return json::parse(o.out, nullptr, false);
  }

  std::unique_ptr<ports::Store> store_;
  ports::ManualClock clock_{1'765'000'000 * kSecond};
  TestAuthenticator auth_;
  app::ApiEnv env_;
  std::unique_ptr<app::ApiRoutes> routes_;
  std::unique_ptr<server::Api> api_;
};

// --- jobs, alerts, audit, events -------------------------------------------------------------

TEST_F(ApiOpsTest, JobsListItemsAreTheCliJson) {
  json api = Get("/api/v1/jobs");
  EXPECT_EQ(api["items"], CliJson({"jobs", "list"}));
  EXPECT_GT(api["items"].size(), 3u);
  EXPECT_TRUE(api["next_cursor"].is_null());
  json first = Get("/api/v1/jobs?limit=2");
  ASSERT_EQ(first["items"].size(), 2u);
  json second = Get("/api/v1/jobs?limit=2&cursor=" + first["next_cursor"].get<std::string>());
  EXPECT_EQ(second["items"][0], api["items"][2]);
}

TEST_F(ApiOpsTest, JobHistoryItemsAreTheCliJsonAndFilterByDate) {
  const int64_t day = 86'400 * kSecond;
  const int64_t t0 = 1'764'979'200 * kSecond;  // 2025-12-06 00:00 UTC
  for (int i = 0; i < 3; ++i) {
    auto claimed = store_->job_runs().Claim("backup", t0 + i * day, t0 + i * day + kSecond);
    ASSERT_TRUE(claimed.ok());
    ports::JobRun run = claimed->first;
    run.status = ports::JobRunStatus::kSucceeded;
    run.finished_ns = run.started_ns + kSecond;
    run.attempts = 1;
    run.message = "ok " + std::to_string(i);
    ASSERT_TRUE(store_->job_runs().Update(run).ok());
  }
  json all = Get("/api/v1/jobs/history");
  EXPECT_EQ(all["items"], CliJson({"jobs", "history"}));
  EXPECT_EQ(Get("/api/v1/jobs/history?job=backup")["items"],
            CliJson({"jobs", "history", "backup"}));
  ASSERT_EQ(all["items"].size(), 3u);
  json ranged = Get("/api/v1/jobs/history?from=2025-12-07&to=2025-12-07");
  ASSERT_EQ(ranged["items"].size(), 1u);
  EXPECT_EQ(ranged["items"][0]["message"], "ok 1");
  json page = Get("/api/v1/jobs/history?limit=1");
  json next = Get("/api/v1/jobs/history?limit=1&cursor=" + page["next_cursor"].get<std::string>());
  EXPECT_EQ(next["items"][0], all["items"][1]);

  json unknown = Get("/api/v1/jobs/history?job=nosuch", 404);
  EXPECT_EQ(unknown["error"]["code"], "not_found");
  Get("/api/v1/jobs/history?from=2025-13-01", 422);
  Get("/api/v1/jobs/history?from=2025-12-08&to=2025-12-07", 422);
}

TEST_F(ApiOpsTest, DisablingAJobWritesTheCliStateKeyAndAnAuditRow) {
  json done = Post("/api/v1/jobs/backup/disable", Role::kAdmin, "", 200);
  EXPECT_EQ(done["enabled"], false);
  auto state = store_->state().Get(app::JobEnabledKey("backup"));
  ASSERT_TRUE(state.ok() && state->has_value());
  EXPECT_EQ(**state, "false");
  for (const auto& job : CliJson({"jobs", "list"})) {
    if (job["name"] == "backup") {
      EXPECT_EQ(job["enabled"], "no");
    }
  }
  Post("/api/v1/jobs/backup/enable", Role::kAdmin, "", 200);
  json audit = Get("/api/v1/audit?subject=job:backup");
  ASSERT_EQ(audit["items"].size(), 2u);
  EXPECT_EQ(audit["items"][0]["action"], "job.disable");
  EXPECT_EQ(audit["items"][0]["actor"], "alice (token:t1) from 127.0.0.1");
  EXPECT_EQ(json::parse(audit["items"][0]["detail"].get<std::string>()),
            json({{"before", nullptr}, {"after", "false"}}));
  EXPECT_EQ(json::parse(audit["items"][1]["detail"].get<std::string>()),
            json({{"before", "false"}, {"after", "true"}}));
}

TEST_F(ApiOpsTest, EnablingNeedsAnAdminAndAKnownJob) {
  Post("/api/v1/jobs/backup/disable", Role::kTrader, "", 403);
  json unknown = Post("/api/v1/jobs/nosuch/disable", Role::kAdmin, "", 404);
  EXPECT_NE(unknown["error"]["message"].get<std::string>().find("unknown job 'nosuch'"),
            std::string::npos);
  EXPECT_FALSE(store_->state().Get(app::JobEnabledKey("nosuch"))->has_value());
  EXPECT_TRUE(Get("/api/v1/audit")["items"].empty());
}

TEST_F(ApiOpsTest, RunNowGoesThroughTheDaemonOr503) {
  json unavailable = Post("/api/v1/jobs/backup/run", Role::kTrader, "", 503);
  EXPECT_EQ(unavailable["error"]["code"], "unavailable");
  std::vector<std::string> asked;
  env_.run_job_now = [&asked](std::string_view name) -> Result<std::string> {
    asked.emplace_back(name);
    return std::string("started backup");
  };
  Post("/api/v1/jobs/backup/run", Role::kViewer, "", 403);
  json started = Post("/api/v1/jobs/backup/run", Role::kTrader, "", 202);
  EXPECT_EQ(started["message"], "started backup");
  Post("/api/v1/jobs/nosuch/run", Role::kTrader, "", 404);
  EXPECT_EQ(asked, std::vector<std::string>{"backup"});
  json audit = Get("/api/v1/audit?subject=job:");
  ASSERT_EQ(audit["items"].size(), 1u);
  EXPECT_EQ(audit["items"][0]["action"], "job.run");
}

TEST_F(ApiOpsTest, AlertsItemsAreTheCliJson) {
  for (int i = 0; i < 3; ++i) {
    ports::OutboxMessage m;
    m.kind = "job.failed";
    m.text = "job backup failed " + std::to_string(i);
    m.key = "k" + std::to_string(i);
    m.created_ns = clock_.NowNs() + i * kSecond;
    ASSERT_TRUE(store_->outbox().Enqueue(m).ok());
  }
  json api = Get("/api/v1/alerts");
  EXPECT_EQ(api["items"], CliJson({"alerts", "list"}));
  ASSERT_EQ(api["items"].size(), 3u);
  EXPECT_EQ(Get("/api/v1/alerts?unsent=true")["items"], CliJson({"alerts", "list", "--unsent"}));
  json page = Get("/api/v1/alerts?limit=2");
  EXPECT_EQ(page["next_cursor"], api["items"][1]["id"].dump());
  Get("/api/v1/alerts?unsent=maybe", 422);
  Get("/api/v1/alerts?limit=1001", 422);
}

TEST_F(ApiOpsTest, AuditFiltersBySubjectAndDateNewestLast) {
  auto add = [&](int64_t ns, const char* subject) {
    AuditEntry e{0, ns, "cli", "test", subject, ""};
    ASSERT_TRUE(store_->audit().Append(e).ok());
  };
  add(1'764'979'200 * kSecond, "signal:1");   // 2025-12-06
  add(1'765'065'600 * kSecond, "signal:2");   // 2025-12-07
  add(1'765'152'000 * kSecond, "order:A-1");  // 2025-12-08
  json all = Get("/api/v1/audit");
  ASSERT_EQ(all["items"].size(), 3u);
  EXPECT_LT(all["items"][0]["id"], all["items"][2]["id"]);
  EXPECT_EQ(all["items"][0]["time"], "2025-12-06T00:00:00Z");
  EXPECT_EQ(Get("/api/v1/audit?subject=signal:")["items"].size(), 2u);
  json day = Get("/api/v1/audit?from=2025-12-07&to=2025-12-07");
  ASSERT_EQ(day["items"].size(), 1u);
  EXPECT_EQ(day["items"][0]["subject"], "signal:2");
  json page = Get("/api/v1/audit?limit=2");
  EXPECT_EQ(page["next_cursor"], all["items"][1]["id"].dump());
  json rest = Get("/api/v1/audit?limit=2&cursor=" + page["next_cursor"].get<std::string>());
  EXPECT_EQ(rest["items"][0], all["items"][2]);
  Get("/api/v1/audit?cursor=999", 422);
}

TEST_F(ApiOpsTest, EventsAskForAStream) {
  server::Response none = Call(Method::kGet, "/api/v1/events");
  EXPECT_EQ(none.status, 503);
  server::EventHub hub;
  env_.events = &hub;
  server::Response stream = Call(Method::kGet, "/api/v1/events");
  EXPECT_EQ(stream.status, 200);
  EXPECT_TRUE(stream.event_stream);
  EXPECT_EQ(stream.content_type, "text/event-stream");
}

// --- market data and scan ---------------------------------------------------------------------

TEST_F(ApiOpsTest, SymbolsItemsAreTheCliJson) {
  json api = Get("/api/v1/symbols");
  EXPECT_EQ(api["items"], CliJson({"data", "list"}));
  ASSERT_EQ(api["items"].size(), 1u);
  EXPECT_EQ(api["items"][0]["symbol"], "MSFT");
  EXPECT_EQ(api["items"][0]["first"], "2000-09-27");
  EXPECT_EQ(api["items"][0]["bars"], 249);
}

TEST_F(ApiOpsTest, BarsWithOverlaysEqualKairosTa) {
  Outcome exported = Kairos({"data", "export", "MSFT"});
  ASSERT_EQ(exported.code, 0) << exported.err;
  std::string csv = File("msft.csv", exported.out);
  json api = Get("/api/v1/bars/MSFT?from=2001-01-02&to=2001-03-30&ta=sma:50,rsi:14");
  ASSERT_EQ(api["bars"].size(), api["ta"]["sma:50"].size());
  ASSERT_EQ(api["bars"].size(), api["ta"]["rsi:14"].size());
  EXPECT_EQ(api["bars"][0]["date"], "2001-01-02");
  EXPECT_EQ(api["bars"].back()["date"], "2001-03-30");
  for (const auto& [name, args] : {std::pair{"sma:50", std::vector<std::string>{"sma", "50"}},
                                   std::pair{"rsi:14", std::vector<std::string>{"rsi", "14"}}}) {
    std::vector<std::string> cmd = {"ta"};
    cmd.insert(cmd.end(), args.begin(), args.end());
    cmd.insert(cmd.end(), {"--input", csv});
    Outcome ta = Kairos(cmd);
    ASSERT_EQ(ta.code, 0) << ta.err;
    std::map<std::string, std::string> by_date;
    for (const std::string& line : testing::Lines(ta.out)) {
      if (!line.starts_with("date,")) by_date[line.substr(0, 10)] = line.substr(11);
    }
    for (size_t i = 0; i < api["bars"].size(); ++i) {
      const std::string cli = by_date.at(api["bars"][i]["date"].get<std::string>());
      const json& value = api["ta"][name][i];
      if (cli.empty()) {
        EXPECT_TRUE(value.is_null()) << name << " " << i;
      } else {
        EXPECT_EQ(value.get<double>(), std::stod(cli)) << name << " " << i;
      }
    }
  }
  // The warm-up of the whole history shows as null at its start.
  json early = Get("/api/v1/bars/MSFT?to=2000-10-31&ta=sma:50");
  EXPECT_TRUE(early["ta"]["sma:50"][0].is_null());
  EXPECT_EQ(early["bars"][0]["open"], 63.4375);
}

TEST_F(ApiOpsTest, BarsSeveralOutputsAndWeekly) {
  json bb = Get("/api/v1/bars/MSFT?from=2001-06-01&ta=bbands:20:2:2");
  EXPECT_TRUE(bb["ta"].contains("bbands:20:2:2.upper")) << bb["ta"].dump().substr(0, 200);
  json weekly = Get("/api/v1/bars/MSFT?timeframe=weekly&from=2001-01-01&to=2001-01-31");
  EXPECT_EQ(weekly["timeframe"], "weekly");
  EXPECT_EQ(weekly["bars"].size(), 4u);
}

TEST_F(ApiOpsTest, BarsErrorsNameTheirCause) {
  json unknown = Get("/api/v1/bars/MSFT?ta=sma:50,emaa:3", 422);
  EXPECT_EQ(unknown["error"]["details"]["overlay"], "emaa:3");
  EXPECT_NE(unknown["error"]["message"].get<std::string>().find("emaa"), std::string::npos);
  json bad = Get("/api/v1/bars/MSFT?ta=rsi:0", 422);
  EXPECT_EQ(bad["error"]["details"]["overlay"], "rsi:0");
  Get("/api/v1/bars/MSFT?ta=rsi:x", 422);
  std::string many = "sma:2";
  for (int i = 0; i < 16; ++i) many += ",sma:2";
  json crowded = Get("/api/v1/bars/MSFT?ta=" + many, 422);
  EXPECT_EQ(crowded["error"]["message"], "ta: at most 16 overlays");
  Get("/api/v1/bars/NOPE", 404);
  Get("/api/v1/bars/MSFT?timeframe=hourly", 422);
  Get("/api/v1/bars/MSFT?from=yesterday", 422);
}

TEST_F(ApiOpsTest, ScanMatchesAreTheCliJson) {
  const std::string rule = "close > sma(close, 20) and rsi(close, 14) > 50";
  json body = {{"rule", rule}, {"date", "2001-09-27"}};
  json api = Post("/api/v1/scan", Role::kViewer, body.dump(), 200);
  json cli = CliJson({"scan", rule, "--date", "2001-09-27"});
  EXPECT_EQ(api["items"], cli);
  EXPECT_EQ(api["as_of"], "2001-09-27");
  json loose = {{"rule", "close > 0"}, {"date", "2001-09-27"}, {"symbols", {"MSFT", "NOPE"}}};
  json two = Post("/api/v1/scan", Role::kViewer, loose.dump(), 200);
  EXPECT_EQ(two["items"],
            CliJson({"scan", "close > 0", "--date", "2001-09-27", "--symbols", "MSFT,NOPE"}));
  EXPECT_EQ(two["items"].size(), 1u);
  EXPECT_EQ(two["skipped"].size(), 1u);
}

TEST_F(ApiOpsTest, ScanWithABadRuleAnswersItsDiagnostics) {
  json body = {{"rule", "close > emaa(close, 20)"}, {"date", "2001-09-27"}};
  json bad = Post("/api/v1/scan", Role::kViewer, body.dump(), 422);
  ASSERT_TRUE(bad["error"]["details"].is_array()) << bad.dump();
  const json& d = bad["error"]["details"][0];
  EXPECT_EQ(d["line"], 1);
  EXPECT_EQ(d["column"], 9);
  EXPECT_NE(d["message"].get<std::string>().find("emaa"), std::string::npos);
  EXPECT_EQ(d["hint"], "did you mean 'ema'?");
  Post("/api/v1/scan", Role::kViewer, json({{"rule", "close > 0"}}).dump(), 422);
  Post("/api/v1/scan", Role::kViewer, json({{"rule", 1}, {"date", "x"}}).dump(), 422);
  json both = {
      {"rule", "close > 0"}, {"date", "2001-09-27"}, {"universe", "u"}, {"symbols", {"MSFT"}}};
  Post("/api/v1/scan", Role::kViewer, both.dump(), 422);
  json nouni = {{"rule", "close > 0"}, {"date", "2001-09-27"}, {"universe", "nosuch"}};
  Post("/api/v1/scan", Role::kViewer, nouni.dump(), 404);
}

// --- backtests --------------------------------------------------------------------------------

class ApiBacktestTest : public ApiOpsTest {
 protected:
  // Polls the run until it is no longer queued or running (at most a minute).
  json Await(const std::string& id) {
    for (int i = 0; i < 600; ++i) {
      json run = Get("/api/v1/backtests/" + id);
      std::string status = run.value("status", "");
      if (status != "queued" && status != "running") return run;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "backtest " << id << " did not finish";
    return {};
  }
};

TEST_F(ApiBacktestTest, RunReachesSucceededWithTheSummaryKairosBacktestWrites) {
  std::string toml = File("msft_cross.toml", CrossStrategy());
  ASSERT_EQ(Kairos({"strategy", "import", toml}).code, 0);
  json body = {{"strategy", "msft_cross"}, {"from", "2001-01-02"}, {"to", "2001-09-27"}};
  json started = Post("/api/v1/backtests", Role::kTrader, body.dump(), 202);
  const std::string id = started["id"];
  EXPECT_EQ(id, "run-1");
  EXPECT_EQ(started["status"], "running");
  json run = Await(id);
  EXPECT_EQ(run["status"], "succeeded") << run.dump();
  EXPECT_EQ(run["strategy"], "msft_cross");

  fs::path out = dir_ / "cli_report";
  Outcome cli = Kairos({"backtest", "msft_cross", "--from", "2001-01-02", "--to", "2001-09-27",
                        "--out", out.string()});
  ASSERT_EQ(cli.code, 0) << cli.err;
  json summary = Get("/api/v1/backtests/" + id + "/summary");
  EXPECT_EQ(summary, json::parse(testing::ReadFile(out / "summary.json")));
  EXPECT_EQ(testing::ReadFile(home_ / "backtests" / id / "trades.csv"),
            testing::ReadFile(out / "trades.csv"));
  json trades = Get("/api/v1/backtests/" + id + "/trades");
  EXPECT_EQ(trades["items"].size(),
            testing::Lines(testing::ReadFile(out / "trades.csv")).size() - 1);
  json equity = Get("/api/v1/backtests/" + id + "/equity?limit=5");
  ASSERT_EQ(equity["items"].size(), 5u);
  EXPECT_EQ(equity["items"][0]["date"], "2001-01-02");
  EXPECT_EQ(equity["next_cursor"], "2001-01-08");

  json list = Get("/api/v1/backtests");
  ASSERT_EQ(list["items"].size(), 1u);
  EXPECT_EQ(list["items"][0]["id"], id);
  json audit = Get("/api/v1/audit?subject=backtest:");
  ASSERT_EQ(audit["items"].size(), 1u);
  EXPECT_EQ(audit["items"][0]["action"], "backtest.start");

  // A restarted server still serves it; the next id follows.
  Build();
  EXPECT_EQ(Get("/api/v1/backtests/" + id)["status"], "succeeded");
  EXPECT_EQ(Get("/api/v1/backtests/" + id + "/summary"), summary);
  json second = Post("/api/v1/backtests", Role::kTrader,
                     json({{"toml", CrossStrategy()}, {"from", "2001-06-01"}}).dump(), 202);
  EXPECT_EQ(second["id"], "run-2");
  EXPECT_EQ(Await("run-2")["status"], "succeeded");
}

TEST_F(ApiBacktestTest, BadRequestsAreRefusedBeforeARunStarts) {
  Post("/api/v1/backtests", Role::kViewer, json({{"strategy", "x"}}).dump(), 403);
  Post("/api/v1/backtests", Role::kTrader, json::object().dump(), 422);
  Post("/api/v1/backtests", Role::kTrader,
       json({{"strategy", "x"}, {"toml", CrossStrategy()}}).dump(), 422);
  Post("/api/v1/backtests", Role::kTrader, json({{"strategy", "nosuch"}}).dump(), 404);
  std::string typo = CrossStrategy();
  typo.replace(typo.find("crossover(sma"), 9, "crossoverr");
  json bad = Post("/api/v1/backtests", Role::kTrader, json({{"toml", typo}}).dump(), 422);
  ASSERT_EQ(bad["error"]["details"].size(), 1u) << bad.dump();
  EXPECT_EQ(bad["error"]["details"][0]["line"], 4) << bad.dump();
  EXPECT_EQ(bad["error"]["details"][0]["column"], 10);
  EXPECT_EQ(bad["error"]["details"][0]["hint"], "did you mean 'crossover'?");
  Post("/api/v1/backtests", Role::kTrader,
       json({{"toml", CrossStrategy()}, {"from", "2001-02-30"}}).dump(), 422);
  Post("/api/v1/backtests", Role::kTrader,
       json({{"toml", CrossStrategy()}, {"review", "manual"}}).dump(), 422);
  EXPECT_TRUE(Get("/api/v1/backtests")["items"].empty());
  EXPECT_FALSE(fs::exists(home_ / "backtests"));
  Get("/api/v1/backtests/run-1", 404);
  Get("/api/v1/backtests/..", 404);
  Get("/api/v1/backtests/run-01/summary", 404);
}

TEST_F(ApiBacktestTest, MoreThanFourWaitingIs429) {
  // Twenty years of the S&P 500: a run long enough for the requests to queue behind it.
  Outcome imp = Kairos(
      {"data", "import", std::string(KAIROS_SHARED_DIR) + "/data/sp500_index_ohlcv_2000_2020.csv"});
  ASSERT_EQ(imp.code, 0) << imp.err;
  std::string toml = CrossStrategy();
  toml.replace(toml.find("\"MSFT\""), 6, "\"^GSPC\"");
  const std::string body = json({{"toml", toml}, {"from", "2000-03-01"}}).dump();
  std::vector<std::string> accepted;
  server::Response refused;
  for (int i = 0; i < 20 && refused.status != 429; ++i) {
    server::Response r = Call(Method::kPost, "/api/v1/backtests", Role::kTrader, body);
    if (r.status == 202) {
      accepted.push_back(json::parse(r.body)["id"]);
    } else {
      refused = r;
    }
  }
  ASSERT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(json::parse(refused.body)["error"]["code"], "too_many_requests");
  EXPECT_NE(std::find(refused.headers.begin(), refused.headers.end(),
                      std::pair<std::string, std::string>{"Retry-After", "30"}),
            refused.headers.end());
  // Four wait, and one runs unless the worker had not yet taken the first.
  EXPECT_GE(accepted.size(), 4u);
  EXPECT_LE(accepted.size(), 5u);
  for (const auto& id : accepted) EXPECT_EQ(Await(id)["status"], "succeeded") << id;
}

TEST_F(ApiBacktestTest, ARunInterruptedByARestartReadsAsFailed) {
  fs::create_directories(home_ / "backtests" / "run-4");
  testing::WriteFile(home_ / "backtests" / "run-4" / "run.json",
                     R"({"id":"run-4","status":"running","strategy":"s","from":"2001-01-02",)"
                     R"("to":"2001-02-01","error":null})");
  Build();
  json run = Get("/api/v1/backtests/run-4");
  EXPECT_EQ(run["status"], "failed");
  EXPECT_NE(run["error"].get<std::string>().find("interrupted"), std::string::npos);
  json summary = Get("/api/v1/backtests/run-4/summary", 409);
  EXPECT_EQ(summary["error"]["message"], "backtest run-4 is failed");
  json next = Post("/api/v1/backtests", Role::kTrader,
                   json({{"toml", CrossStrategy()}, {"from", "2001-06-01"}}).dump(), 202);
  EXPECT_EQ(next["id"], "run-5");
  Await("run-5");
}

}  // namespace
}  // namespace kairos
