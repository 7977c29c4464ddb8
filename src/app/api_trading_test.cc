// The trading resources of the HTTP API, in process through Api::Handle on a fresh home with the
// SQLite store: every route's answer and errors, audit rows, and list items equal to what the
// real `kairos ... --format json` prints for the same home.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/api_routes.h"
#include "app/api_support.h"
#include "app/paper_wiring.h"
#include "cli_testing.h"
#include "core/fixed_point.h"
#include "engine/halt_state.h"
#include "marketdata/bar_store.h"
#include "ports/clock.h"
#include "server/api.h"

namespace kairos::app {
namespace {

namespace fs = std::filesystem;
using server::Method;
using server::Role;

constexpr int64_t kStartNs = 1'709'300'000'000'000'000;  // 2024-03-01

const char kSma[] =
    "name = \"sma_cross\"\n"
    "universe = [\"GOOG\", \"MSFT\"]\n"
    "entry = \"crossover(sma(close,10), sma(close,30))\"\n"
    "exit = \"crossunder(sma(close,10), sma(close,30))\"\n"
    "approval = \"manual\"\n"
    "allocation = 100000\n"
    "sizing = { method = \"fixed_qty\", qty = 10 }\n";

// The caller every request is made as.
class FixedPrincipal : public server::Authenticator {
 public:
  Result<std::optional<server::Principal>> Authenticate(const server::Request&) override {
    return principal;
  }
  bool HasAccounts() override { return true; }
  std::optional<server::Principal> principal;
};

struct Answer {
  int status = 0;
  nlohmann::json body;
};

class ApiTradingTest : public kairos::testing::KairosCliTest {
 protected:
  void SetUp() override {
    KairosCliTest::SetUp();
    fs::create_directories(home_);
    auto store = OpenTradingStore(home_, Access::kWrite);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    env_.home = home_;
    env_.version = "test";
    env_.store = [this]() -> ports::Store& { return *store_; };
    env_.clock = &clock_;
    routes_ = BuildApiRoutes(env_);
    api_ = std::make_unique<server::Api>(routes_->router, auth_, server::ApiOptions{"test", {}});
    As(Role::kTrader);
  }

  void As(Role role) {
    auth_.principal =
        server::Principal{"alice", role, server::Principal::Via::kToken, "token:laptop", false};
  }

  // `target` is a path with an optional "?a=b&c=d" query (no escapes).
  Answer Call(Method method, const std::string& target, const std::string& body = "",
              const std::string& content_type = "application/json") {
    server::Request r;
    r.method = method;
    r.remote_address = "127.0.0.1";
    size_t q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) {
      std::string rest = target.substr(q + 1);
      for (size_t at = 0; at <= rest.size();) {
        size_t amp = rest.find('&', at);
        std::string pair = rest.substr(at, amp == std::string::npos ? amp : amp - at);
        size_t eq = pair.find('=');
        r.query.emplace_back(pair.substr(0, eq),
                             eq == std::string::npos ? "" : pair.substr(eq + 1));
        at = amp == std::string::npos ? rest.size() + 1 : amp + 1;
      }
    }
    if (!body.empty()) {
      r.body = body;
      r.headers["content-type"] = content_type;
    }
    server::Response response = api_->Handle(r);
    Answer a;
    a.status = response.status;
    a.body = response.body.empty() ? nlohmann::json() : nlohmann::json::parse(response.body);
    return a;
  }

  // `kairos ARGS --format json` on the same home, parsed.
  nlohmann::json CliJson(std::vector<std::string> args) {
    args.push_back("--format");
    args.push_back("json");
    kairos::testing::Outcome o = Kairos(args);
    EXPECT_EQ(o.code, 0) << o.err;
    return nlohmann::json::parse(o.out);
  }

  void ImportSma() {
    Answer a =
        Call(Method::kPut, "/api/v1/strategies/sma_cross", nlohmann::json{{"toml", kSma}}.dump());
    ASSERT_EQ(a.status, 201) << a.body.dump();
  }

  int64_t AddSignal(const std::string& symbol, const std::string& session) {
    Signal s;
    s.strategy = "sma_cross";
    s.strategy_version = 1;
    s.symbol = symbol;
    s.session = Date::Parse(session).value();
    s.execute_on = s.session;
    s.reason = "entry_rule";
    s.terms = {{"sma_10", 101.5}};
    s.rank_value = 1.25;
    auto inserted = store_->signals().Insert(s);
    EXPECT_TRUE(inserted.ok()) << inserted.status().ToString();
    return inserted->first.id;
  }

  void AddPnl(const std::string& session, int64_t realized, int64_t fees, int64_t equity) {
    DailyPnl p;
    p.session = Date::Parse(session).value();
    p.strategy = "sma_cross";
    p.realized = realized;
    p.fees = fees;
    p.equity = equity;
    ASSERT_TRUE(store_->ledger().PutDailyPnl(p).ok());
  }

  std::vector<AuditEntry> Audit(const std::string& subject) {
    auto rows = store_->audit().List(subject);
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? *rows : std::vector<AuditEntry>();
  }

  std::unique_ptr<ports::Store> store_;
  ports::ManualClock clock_{kStartNs};
  ApiEnv env_;
  FixedPrincipal auth_;
  std::unique_ptr<ApiRoutes> routes_;
  std::unique_ptr<server::Api> api_;
};

// ---- strategies ----

TEST_F(ApiTradingTest, StrategyImportedThenListedAsTheCliListsIt) {
  ImportSma();
  Answer again =
      Call(Method::kPut, "/api/v1/strategies/sma_cross", nlohmann::json{{"toml", kSma}}.dump());
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body["result"], "unchanged");
  Answer list = Call(Method::kGet, "/api/v1/strategies");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body["items"], CliJson({"strategy", "list"}));
  EXPECT_EQ(list.body["items"][0]["name"], "sma_cross");
  EXPECT_TRUE(list.body["next_cursor"].is_null());
  std::vector<AuditEntry> audit = Audit("strategy:sma_cross");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "strategy.import");
  EXPECT_EQ(audit[0].actor, "alice (token:laptop) from 127.0.0.1");
}

TEST_F(ApiTradingTest, StrategyShownWithItsTomlAndVersions) {
  ImportSma();
  Answer shown = Call(Method::kGet, "/api/v1/strategies/sma_cross");
  ASSERT_EQ(shown.status, 200);
  EXPECT_EQ(shown.body["source"], kSma);
  EXPECT_EQ(shown.body["versions"], nlohmann::json::array({1}));
  nlohmann::json cli = CliJson({"strategy", "show", "sma_cross"});
  nlohmann::json without_versions = shown.body;
  without_versions.erase("versions");
  EXPECT_EQ(without_versions, cli);
  EXPECT_EQ(Call(Method::kGet, "/api/v1/strategies/nope").status, 404);
}

TEST_F(ApiTradingTest, BadStrategyIs422WithDiagnosticsAndStoresNothing) {
  std::string bad = std::string(kSma) + "alocation = 5\nside = \"sideways\"\n";
  Answer a =
      Call(Method::kPut, "/api/v1/strategies/sma_cross", nlohmann::json{{"toml", bad}}.dump());
  ASSERT_EQ(a.status, 422) << a.body.dump();
  const nlohmann::json& d = a.body["error"]["details"];
  ASSERT_EQ(d.size(), 2u) << d.dump();
  EXPECT_EQ(d[0]["line"], 8);
  EXPECT_EQ(d[0]["column"], 1);
  EXPECT_EQ(d[0]["message"], "alocation: unknown key");
  EXPECT_EQ(d[0]["hint"], "did you mean 'allocation'?");
  EXPECT_EQ(d[1]["line"], 9);
  EXPECT_EQ(Call(Method::kGet, "/api/v1/strategies").body["items"].size(), 0u);
  EXPECT_TRUE(Audit("strategy:").empty());
}

TEST_F(ApiTradingTest, StrategyWhoseNameDiffersFromThePathIsRefused) {
  Answer a = Call(Method::kPut, "/api/v1/strategies/other", nlohmann::json{{"toml", kSma}}.dump());
  EXPECT_EQ(a.status, 422);
  EXPECT_EQ(a.body["error"]["message"],
            "the file names strategy 'sma_cross', not 'other' (nothing stored)");
  EXPECT_EQ(Call(Method::kGet, "/api/v1/strategies/sma_cross").status, 404);
}

TEST_F(ApiTradingTest, StrategyBodyErrors) {
  EXPECT_EQ(
      Call(Method::kPut, "/api/v1/strategies/sma_cross", "{\"toml\":\"x\",\"extra\":1}").status,
      400);
  EXPECT_EQ(Call(Method::kPut, "/api/v1/strategies/sma_cross", "toml = 1", "text/plain").status,
            415);
  EXPECT_EQ(Call(Method::kPut, "/api/v1/strategies/sma_cross", "{}").status, 422);
  EXPECT_EQ(Call(Method::kPut, "/api/v1/strategies/sma_cross", "{\"toml\":").status, 400);
}

TEST_F(ApiTradingTest, EnableAndDisableAuditedWithBeforeAndAfter) {
  ImportSma();
  Answer off = Call(Method::kPost, "/api/v1/strategies/sma_cross/disable");
  ASSERT_EQ(off.status, 200) << off.body.dump();
  EXPECT_EQ(off.body["enabled"], "no");
  EXPECT_EQ(off.body["previous"], "yes");
  EXPECT_EQ(Call(Method::kGet, "/api/v1/strategies").body["items"][0]["enabled"], "no");
  std::vector<AuditEntry> audit = Audit("strategy:sma_cross");
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[1].action, "strategy.disable");
  EXPECT_EQ(nlohmann::json::parse(audit[1].detail),
            (nlohmann::json{{"before", true}, {"after", false}}));
  EXPECT_EQ(Call(Method::kPost, "/api/v1/strategies/sma_cross/enable").status, 200);
  EXPECT_EQ(Call(Method::kPost, "/api/v1/strategies/nope/enable").status, 404);
}

TEST_F(ApiTradingTest, AllocationChangeAuditedWithBeforeAndAfter) {
  ImportSma();
  Answer a = Call(Method::kPut, "/api/v1/strategies/sma_cross/allocation",
                  "{\"allocation\":\"25000.50\"}");
  ASSERT_EQ(a.status, 200) << a.body.dump();
  EXPECT_EQ(a.body["allocation"], "25000.50");
  EXPECT_EQ(a.body["previous"], "100000.00");
  std::vector<AuditEntry> audit = Audit("strategy:sma_cross");
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[1].action, "strategy.allocation");
  EXPECT_EQ(audit[1].actor, "alice (token:laptop) from 127.0.0.1");
  EXPECT_EQ(nlohmann::json::parse(audit[1].detail),
            (nlohmann::json{{"before", "100000.00"}, {"after", "25000.50"}}));
}

TEST_F(ApiTradingTest, AllocationOutsideTheCliLimitsIs422AndChangesNothing) {
  ImportSma();
  for (const char* bad : {"0", "-5", "12.345", "abc", "1000000000001"}) {
    Answer a = Call(Method::kPut, "/api/v1/strategies/sma_cross/allocation",
                    nlohmann::json{{"allocation", bad}}.dump());
    EXPECT_EQ(a.status, 422) << bad;
    EXPECT_TRUE(a.body["error"]["message"].get<std::string>().starts_with("AMOUNT: ")) << bad;
  }
  EXPECT_EQ(
      Call(Method::kPut, "/api/v1/strategies/sma_cross/allocation", "{\"allocation\":5}").status,
      422);
  EXPECT_EQ(Call(Method::kGet, "/api/v1/strategies").body["items"][0]["allocation"], 100000);
  EXPECT_EQ(Audit("strategy:sma_cross").size(), 1u);
}

TEST_F(ApiTradingTest, ViewerMayReadButNotChangeStrategies) {
  ImportSma();
  As(Role::kViewer);
  EXPECT_EQ(Call(Method::kGet, "/api/v1/strategies").status, 200);
  EXPECT_EQ(Call(Method::kPost, "/api/v1/strategies/sma_cross/disable").status, 403);
  EXPECT_EQ(Call(Method::kPost, "/api/v1/rules/validate", "{\"rule\":\"close > 1\"}").status, 200);
}

TEST_F(ApiTradingTest, RuleValidatedIntoCanonicalText) {
  Answer a = Call(Method::kPost, "/api/v1/rules/validate", "{\"rule\":\"rsi(close, 14) < 30\"}");
  ASSERT_EQ(a.status, 200) << a.body.dump();
  EXPECT_EQ(a.body["valid"], true);
  EXPECT_EQ(a.body["canonical"], "(rsi(close, 14) < 30)");
  EXPECT_EQ(a.body["diagnostics"], nlohmann::json::array());
}

TEST_F(ApiTradingTest, BadRuleAnswersTheBindersDiagnostics) {
  Answer a =
      Call(Method::kPost, "/api/v1/rules/validate", "{\"rule\":\"close > emaa(close, 20)\"}");
  ASSERT_EQ(a.status, 200) << a.body.dump();
  EXPECT_EQ(a.body["valid"], false);
  EXPECT_TRUE(a.body["canonical"].is_null());
  ASSERT_EQ(a.body["diagnostics"].size(), 1u);
  EXPECT_EQ(a.body["diagnostics"][0], (nlohmann::json{{"line", 1},
                                                      {"column", 9},
                                                      {"message", "unknown indicator 'emaa'"},
                                                      {"hint", "did you mean 'ema'?"}}));
}

TEST_F(ApiTradingTest, DiagnosticsSkipContextLinesAndNeverComeBackEmpty) {
  nlohmann::json d = DiagnosticsJson(
      "s.toml:3:9: entry: unknown field 'clos' \u2014 did you mean 'close'?\n"
      "  entry = \"clos > 1\"\n"
      "          ^\n"
      "s.toml:4:1: side: expected \"long\" or \"short\", got \"up\"");
  ASSERT_EQ(d.size(), 2u) << d.dump();
  EXPECT_EQ(d[0], (nlohmann::json{{"line", 3},
                                  {"column", 9},
                                  {"message", "entry: unknown field 'clos'"},
                                  {"hint", "did you mean 'close'?"}}));
  EXPECT_EQ(d[1]["line"], 4);
  EXPECT_EQ(d[1]["hint"], "");
  nlohmann::json whole = DiagnosticsJson("the rule is empty");
  EXPECT_EQ(whole,
            nlohmann::json::array({nlohmann::json{
                {"line", 1}, {"column", 1}, {"message", "the rule is empty"}, {"hint", ""}}}));
}

// ---- signals ----

TEST_F(ApiTradingTest, SignalListItemsAreTheCliJson) {
  ImportSma();
  AddSignal("GOOG", "2024-03-01");
  AddSignal("MSFT", "2024-03-04");
  Answer all = Call(Method::kGet, "/api/v1/signals");
  ASSERT_EQ(all.status, 200) << all.body.dump();
  EXPECT_EQ(all.body["items"], CliJson({"signals", "list"}));
  EXPECT_EQ(all.body["items"].size(), 2u);
  Answer on = Call(Method::kGet, "/api/v1/signals?date=2024-03-04&status=pending_review");
  EXPECT_EQ(on.body["items"],
            CliJson({"signals", "list", "--date", "2024-03-04", "--status", "pending_review"}));
  EXPECT_EQ(on.body["items"].size(), 1u);
  Answer range = Call(Method::kGet, "/api/v1/signals?from=2024-03-02&to=2024-03-31");
  EXPECT_EQ(range.body["items"],
            CliJson({"signals", "list", "--from", "2024-03-02", "--to", "2024-03-31"}));
  EXPECT_EQ(range.body["items"].size(), 1u);
}

TEST_F(ApiTradingTest, SignalListPagesByCursor) {
  ImportSma();
  AddSignal("GOOG", "2024-03-01");
  AddSignal("MSFT", "2024-03-01");
  Answer first = Call(Method::kGet, "/api/v1/signals?limit=1");
  ASSERT_EQ(first.body["items"].size(), 1u);
  ASSERT_TRUE(first.body["next_cursor"].is_string());
  Answer second = Call(Method::kGet, "/api/v1/signals?limit=1&cursor=" +
                                         first.body["next_cursor"].get<std::string>());
  ASSERT_EQ(second.body["items"].size(), 1u);
  EXPECT_EQ(second.body["items"][0]["symbol"], "MSFT");
  EXPECT_TRUE(second.body["next_cursor"].is_null());
}

TEST_F(ApiTradingTest, SignalListFilterErrorsAre422) {
  Answer a = Call(Method::kGet, "/api/v1/signals?status=maybe");
  EXPECT_EQ(a.status, 422);
  EXPECT_NE(a.body["error"]["message"].get<std::string>().find("unknown signal status 'maybe'"),
            std::string::npos);
  Answer d = Call(Method::kGet, "/api/v1/signals?date=yesterday");
  EXPECT_EQ(d.status, 422);
  EXPECT_EQ(d.body["error"]["message"], "bad date 'yesterday': expected a date YYYY-MM-DD");
  EXPECT_EQ(Call(Method::kGet, "/api/v1/signals?limit=1001").status, 422);
}

TEST_F(ApiTradingTest, SignalShownAsItsListItem) {
  ImportSma();
  int64_t id = AddSignal("GOOG", "2024-03-01");
  Answer a = Call(Method::kGet, "/api/v1/signals/" + std::to_string(id));
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.body, Call(Method::kGet, "/api/v1/signals").body["items"][0]);
  EXPECT_EQ(Call(Method::kGet, "/api/v1/signals/999").status, 404);
  EXPECT_EQ(Call(Method::kGet, "/api/v1/signals/abc").status, 404);
}

TEST_F(ApiTradingTest, ApproveTwiceIs409WithOneAuditRow) {
  ImportSma();
  int64_t id = AddSignal("GOOG", "2024-03-01");
  std::string path = "/api/v1/signals/" + std::to_string(id) + "/approve";
  Answer a = Call(Method::kPost, path, "{\"note\":\"looks right\"}");
  ASSERT_EQ(a.status, 200) << a.body.dump();
  EXPECT_EQ(a.body["status"], "approved");
  EXPECT_EQ(a.body["decided_by"], "alice (token:laptop) from 127.0.0.1");
  EXPECT_EQ(a.body["note"], "looks right");
  Answer twice = Call(Method::kPost, path);
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(twice.body["error"]["message"],
            "signal " + std::to_string(id) + " is approved, not pending_review");
  std::vector<AuditEntry> audit = Audit("signal:" + std::to_string(id));
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "signal.approve");
  EXPECT_EQ(audit[0].actor, "alice (token:laptop) from 127.0.0.1");
}

TEST_F(ApiTradingTest, RejectUnknownSignalIs404AndBodyErrorsAreChecked) {
  ImportSma();
  int64_t id = AddSignal("GOOG", "2024-03-01");
  EXPECT_EQ(Call(Method::kPost, "/api/v1/signals/999/reject").status, 404);
  std::string path = "/api/v1/signals/" + std::to_string(id) + "/reject";
  EXPECT_EQ(Call(Method::kPost, path, "{\"why\":\"x\"}").status, 400);
  EXPECT_EQ(Call(Method::kPost, path, "note=x", "application/x-www-form-urlencoded").status, 415);
  EXPECT_EQ(Call(Method::kPost, path, "{\"note\":1}").status, 422);
  EXPECT_TRUE(Audit("signal:").empty());
  Answer ok = Call(Method::kPost, path, "{\"note\":\"no\"}");
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body["status"], "rejected");
  As(Role::kViewer);
  EXPECT_EQ(Call(Method::kPost, path).status, 403);
}

// ---- orders, fills, positions ----

TEST_F(ApiTradingTest, OrdersFillsAndPositionsWithMarksAreTheCliJson) {
  ImportSma();
  Fill f;
  f.execution_id = "E1";
  f.client_order_id = "C1";
  f.symbol = "GOOG";
  f.qty = Quantity::FromUnits(10);
  f.price = Price::Parse("101.25").value();
  f.fees = 125;
  f.session = Date::FromYmd(2024, 3, 1);
  ASSERT_TRUE(store_->ledger().RecordFill(f, "sma_cross").ok());
  Position p;
  p.strategy = "sma_cross";
  p.symbol = "GOOG";
  p.qty = Quantity::FromUnits(10);
  p.entry_session = f.session;
  p.lots.push_back(Lot{f.session, f.qty, f.price, 0});
  ASSERT_TRUE(store_->ledger().PutPosition(p).ok());
  p.symbol = "MSFT";  // no bars: no mark
  ASSERT_TRUE(store_->ledger().PutPosition(p).ok());
  BarSeries goog;
  goog.instrument = {"GOOG", "NYSE"};
  goog.close_only = true;
  goog.dates = {Date::FromYmd(2024, 3, 1), Date::FromYmd(2024, 3, 4)};
  goog.close = {101.0, 103.5};
  auto bars = marketdata::BarStore::Open(home_);
  ASSERT_TRUE(bars.ok());
  ASSERT_TRUE((*bars)->Upsert(goog).ok());
  Answer fills = Call(Method::kGet, "/api/v1/fills");
  ASSERT_EQ(fills.status, 200);
  EXPECT_EQ(fills.body["items"], CliJson({"fills", "list"}));
  EXPECT_EQ(fills.body["items"].size(), 1u);
  Answer positions = Call(Method::kGet, "/api/v1/positions");
  EXPECT_EQ(positions.body["items"], CliJson({"positions"}));
  ASSERT_EQ(positions.body["items"].size(), 2u);
  EXPECT_EQ(positions.body["items"][0]["mark"], 103.5);
  EXPECT_EQ(positions.body["items"][0]["mark_date"], "2024-03-04");
  EXPECT_EQ(positions.body["items"][0]["unrealized"], 22.5);  // (103.50 - 101.25) x 10
  EXPECT_EQ(positions.body["items"][1]["mark"], "");
  EXPECT_EQ(positions.body["items"][1]["unrealized"], "");
  Answer orders = Call(Method::kGet, "/api/v1/orders");
  EXPECT_EQ(orders.body["items"], CliJson({"orders", "list"}));
}

// ---- P&L ----

TEST_F(ApiTradingTest, PnlListsAreTheCliJson) {
  ImportSma();
  AddPnl("2024-03-01", 0, 100, 9'999'900);
  AddPnl("2024-03-04", 5'000, 100, 10'004'800);
  AddPnl("2024-04-01", -2'000, 50, 10'002'750);
  for (const char* kind : {"daily", "monthly", "cumulative", "summary"}) {
    Answer a = Call(Method::kGet, std::string("/api/v1/pnl/") + kind);
    ASSERT_EQ(a.status, 200) << kind << a.body.dump();
    EXPECT_EQ(a.body["items"], CliJson({"pnl", kind})) << kind;
    Answer part = Call(Method::kGet, std::string("/api/v1/pnl/") + kind +
                                         "?strategy=sma_cross&from=2024-03-02&to=2024-03-31");
    EXPECT_EQ(part.body["items"], CliJson({"pnl", kind, "--strategy", "sma_cross", "--from",
                                           "2024-03-02", "--to", "2024-03-31"}))
        << kind;
  }
  Answer cumulative = Call(Method::kGet, "/api/v1/pnl/cumulative");
  ASSERT_EQ(cumulative.body["items"].size(), 3u);
  EXPECT_EQ(cumulative.body["items"][2]["cumulative_realized"], 30);
  EXPECT_EQ(cumulative.body["items"][2]["cumulative_fees"], 2.5);
}

TEST_F(ApiTradingTest, PnlErrors) {
  ImportSma();
  EXPECT_EQ(Call(Method::kGet, "/api/v1/pnl/daily?strategy=nope").status, 404);
  Answer a = Call(Method::kGet, "/api/v1/pnl/daily?from=2024-03-05&to=2024-03-01");
  EXPECT_EQ(a.status, 422);
  EXPECT_EQ(a.body["error"]["message"], "to 2024-03-01 is before from 2024-03-05");
  EXPECT_EQ(Call(Method::kGet, "/api/v1/pnl/monthly?from=March").status, 422);
}

// ---- the kill switch ----

TEST_F(ApiTradingTest, HaltStateHaltAndResume) {
  Answer off = Call(Method::kGet, "/api/v1/halt");
  ASSERT_EQ(off.status, 200);
  EXPECT_EQ(off.body["halted"], false);
  EXPECT_TRUE(off.body["since"].is_null());
  Answer halt = Call(Method::kPost, "/api/v1/halt", "{\"reason\":\"broker trouble\"}");
  ASSERT_EQ(halt.status, 200) << halt.body.dump();
  EXPECT_EQ(halt.body["halted"], "yes");
  Answer on = Call(Method::kGet, "/api/v1/halt");
  EXPECT_EQ(on.body["halted"], true);
  EXPECT_EQ(on.body["reason"], "broker trouble");
  EXPECT_EQ(on.body["since"], "2024-03-01T13:33:20Z");
  std::vector<AuditEntry> audit = Audit("system:halt");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].actor, "alice (token:laptop) from 127.0.0.1");
  Answer resumed = Call(Method::kPost, "/api/v1/resume");
  ASSERT_EQ(resumed.status, 200) << resumed.body.dump();
  EXPECT_EQ(resumed.body["was_halted"], true);
  EXPECT_EQ(Call(Method::kGet, "/api/v1/halt").body["halted"], false);
}

TEST_F(ApiTradingTest, SquareOffWithoutTheConfirmPhraseIs422AndNothingHalted) {
  for (const char* body : {"{\"squareoff\":true}", "{\"squareoff\":true,\"confirm\":\"yes\"}",
                           "{\"squareoff\":false,\"confirm\":\"SQUARE OFF\"}"}) {
    Answer a = Call(Method::kPost, "/api/v1/halt", body);
    EXPECT_EQ(a.status, 422) << body;
    EXPECT_EQ(a.body["error"]["details"]["field"], "confirm") << body;
  }
  EXPECT_FALSE(engine::IsHalted(*store_));
  EXPECT_TRUE(Audit("system:halt").empty());
}

TEST_F(ApiTradingTest, SquareOffWithoutATradingSessionIs503AndNothingHalted) {
  Answer a = Call(Method::kPost, "/api/v1/halt", "{\"squareoff\":true,\"confirm\":\"SQUARE OFF\"}");
  EXPECT_EQ(a.status, 503);
  EXPECT_FALSE(engine::IsHalted(*store_));
}

TEST_F(ApiTradingTest, SquareOffThroughThePaperSession) {
  ImportSma();
  int calls = 0;
  env_.with_paper = [&](const std::function<Status(PaperSession&)>& work) -> Status {
    ++calls;
    KAIROS_ASSIGN_OR_RETURN(std::unique_ptr<PaperSession> paper, OpenPaper(home_));
    PaperOptions po;
    po.start_ns = kStartNs;
    KAIROS_RETURN_IF_ERROR(paper->StartBroker(po));
    KAIROS_RETURN_IF_ERROR(work(*paper));
    return paper->SaveClock();
  };
  Answer a = Call(Method::kPost, "/api/v1/halt",
                  "{\"squareoff\":true,\"confirm\":\"SQUARE OFF\",\"reason\":\"test\"}");
  ASSERT_EQ(a.status, 200) << a.body.dump();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(a.body["halted"], "yes");
  EXPECT_EQ(a.body["already_halted"], "no");
  EXPECT_TRUE(engine::IsHalted(*store_));
  As(Role::kViewer);
  EXPECT_EQ(Call(Method::kPost, "/api/v1/resume").status, 403);
  EXPECT_TRUE(engine::IsHalted(*store_));
}

TEST_F(ApiTradingTest, BusyTradingLockStillHaltsButRefusesTheSquareOff) {
  env_.with_paper = [](const std::function<Status(PaperSession&)>&) -> Status {
    return Status::FailedPrecondition("another kairos process is trading on this home");
  };
  Answer square =
      Call(Method::kPost, "/api/v1/halt", "{\"squareoff\":true,\"confirm\":\"SQUARE OFF\"}");
  EXPECT_EQ(square.status, 409);
  EXPECT_EQ(square.body["error"]["message"],
            "halt is on, but nothing was squared off: another kairos process is trading on this "
            "home; send the halt with square-off again");
  EXPECT_TRUE(engine::IsHalted(*store_));
  Answer plain = Call(Method::kPost, "/api/v1/halt");
  ASSERT_EQ(plain.status, 200) << plain.body.dump();
  EXPECT_EQ(plain.body["already_halted"], "yes");
  EXPECT_EQ(plain.body["problems"][0],
            "nothing cancelled: another kairos process is trading on this home");
}

}  // namespace
}  // namespace kairos::app
