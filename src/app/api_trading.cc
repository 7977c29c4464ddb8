// The trading records of the HTTP API: signals (list, show, approve, reject), orders, fills,
// positions, and the kill switch (its state, halt, resume).
#include "app/api_trading.h"

#include <charconv>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include <fmt/format.h>

#include "app/api_support.h"
#include "app/trading_actions.h"
#include "app/trading_tables.h"
#include "engine/alerts.h"
#include "engine/halt_state.h"
#include "engine/kill_switch.h"
#include "server/json_body.h"

namespace kairos::app {
namespace {

using server::Method;
using server::Request;
using server::Response;
using server::Role;

// The phrase a halt with square-off must carry: closing every position is not undone.
constexpr std::string_view kSquareOffPhrase = "SQUARE OFF";

std::string QueryText(const Request& request, std::string_view name) {
  return request.Query(name).value_or("");
}

// The signal id of the path: NotFound for one that is not a positive number.
Result<int64_t> SignalId(const Request& request) {
  const std::string& text = request.params.at("id");
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    return Status::NotFound(fmt::format("no signal {}", text));
  }
  return id;
}

Response ListSignals(ApiEnv& env, Request& request) {
  SignalQuery query{QueryText(request, "status"), QueryText(request, "date"),
                    QueryText(request, "strategy"), QueryText(request, "from"),
                    QueryText(request, "to")};
  return TablePage(request, SignalsOf(env.store(), query, ""), server::IdKey);
}

Response SignalItem(const Signal& signal) {
  return server::Json(TableJson(SignalsTableOf({signal}))[0]);
}

Response ShowSignal(ApiEnv& env, Request& request) {
  auto id = SignalId(request);
  if (!id.ok()) return server::ErrorFrom(id.status());
  auto signal = env.store().signals().Get(*id);
  if (!signal.ok()) return server::ErrorFrom(signal.status());
  if (!*signal) return server::Error(404, "not_found", fmt::format("no signal {}", *id));
  return SignalItem(**signal);
}

Response Decide(ApiEnv& env, Request& request, const nlohmann::json& schema, bool approve) {
  std::string note;
  if (!request.body.empty()) {
    auto body = server::ReadBody(request, schema);
    if (auto* error = std::get_if<Response>(&body)) return std::move(*error);
    note = std::get<nlohmann::json>(body).value("note", "");
  }
  auto id = SignalId(request);
  if (!id.ok()) return server::ErrorFrom(id.status());
  auto signal = DecideSignal(env.store(), *env.clock, *id, approve, request.Actor(), note);
  if (!signal.ok()) return server::ErrorFrom(signal.status());
  return SignalItem(*signal);
}

Response HaltState(ApiEnv& env) {
  auto halt = engine::GetHalt(env.store());
  if (!halt.ok()) return server::ErrorFrom(halt.status());
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  out["halted"] = halt->has_value();
  out["since"] = *halt ? nlohmann::ordered_json(Timestamp::FromNanos((*halt)->time_ns).ToString())
                       : nlohmann::ordered_json(nullptr);
  out["reason"] = *halt ? nlohmann::ordered_json((*halt)->reason) : nlohmann::ordered_json(nullptr);
  out["by"] = *halt ? nlohmann::ordered_json((*halt)->actor) : nlohmann::ordered_json(nullptr);
  return server::Json(out);
}

Response HaltAnswer(const HaltOutcome& halt) {
  nlohmann::ordered_json out = TableJson(HaltTable(halt))[0];
  out["cancelled"] = halt.report.cancelled_ids;
  out["squareoff"] = halt.report.squareoff_ids;
  out["problems"] = halt.report.problems;
  return server::Json(out);
}

Response Halt(ApiEnv& env, Request& request, const nlohmann::json& body) {
  const bool squareoff = body.value("squareoff", false);
  if (squareoff && body.value("confirm", "") != kSquareOffPhrase) {
    return server::Error(
        422, "invalid",
        fmt::format("a halt with square-off closes every position: send \"confirm\": \"{}\"",
                    kSquareOffPhrase),
        nlohmann::json{{"field", "confirm"}});
  }
  if (!squareoff && body.contains("confirm")) {
    return server::Error(422, "invalid", "\"confirm\" goes only with \"squareoff\": true",
                         nlohmann::json{{"field", "confirm"}});
  }
  if (squareoff && !env.with_paper) {
    return server::Error(503, "unavailable", "square-off needs the daemon's trading session");
  }
  const std::string reason = body.value("reason", "");
  const std::string why = reason.empty() ? "api halt" : reason;
  const std::string actor = request.Actor();
  HaltOutcome halt;
  Status st = Status::FailedPrecondition("no trading session in this process");
  if (env.with_paper) {
    st = env.with_paper([&](PaperSession& paper) -> Status {
      KAIROS_ASSIGN_OR_RETURN(halt, HaltPaper(paper, squareoff, actor, why));
      return Status::Ok();
    });
  }
  if (st.code() != StatusCode::kFailedPrecondition) {
    if (!st.ok()) return server::ErrorFrom(st);
    return HaltAnswer(halt);
  }
  // No trading session to reach (or its lock is busy): the kill switch still goes on, seen
  // before the next order; nothing is cancelled or squared off.
  engine::Alerts alerts(env.store(), *env.clock);
  auto was = engine::StoreHalt(env.store(), env.clock->NowNs(), actor, why, &alerts);
  if (!was.ok()) return server::ErrorFrom(was.status());
  if (squareoff) {
    return server::Error(409, "conflict",
                         fmt::format("halt is on, but nothing was squared off: {}; send the "
                                     "halt with square-off again",
                                     st.message()));
  }
  halt.report.already_halted = *was;
  halt.report.problems.push_back(fmt::format("nothing cancelled: {}", st.message()));
  return HaltAnswer(halt);
}

Response Resume(ApiEnv& env, Request& request) {
  engine::Alerts alerts(env.store(), *env.clock);
  auto was = engine::Resume(env.store(), request.Actor(), env.clock->NowNs(), &alerts);
  if (!was.ok()) return server::ErrorFrom(was.status());
  return server::Json(nlohmann::ordered_json{{"halted", false}, {"was_halted", *was}});
}

Response ListPositions(ApiEnv& env, Request& request) {
  auto bars = marketdata::BarStore::Open(env.home);
  if (!bars.ok()) return server::ErrorFrom(bars.status());
  return TablePage(request, PositionsTable(env.store(), bars->get()),
                   KeyOf({"strategy", "symbol"}));
}

void AddSignalRoutes(server::Router& router, ApiEnv& env) {
  const auto viewer = server::Access::AtLeast(Role::kViewer);
  const auto trader = server::Access::AtLeast(Role::kTrader);
  router.Add({Method::kGet, "/api/v1/signals", viewer, "signals",
              "Signals, as `kairos signals list`",
              server::PageParams(
                  {{"status", "pending_review, approved, rejected, expired, ordered, filled, ..."},
                   {"date", "The session that produced them (YYYY-MM-DD)"},
                   {"strategy", "Only this strategy"},
                   {"from", "Produced on this session or later"},
                   {"to", "Produced on this session or earlier"}}),
              nullptr, [&env](Request& r) { return ListSignals(env, r); }});
  router.Add({Method::kGet,
              "/api/v1/signals/{id}",
              viewer,
              "signals",
              "One signal",
              {},
              nullptr,
              [&env](Request& r) { return ShowSignal(env, r); }});
  nlohmann::json note_schema = server::ObjectSchema({{"note", "string"}});
  for (bool approve : {true, false}) {
    router.Add({Method::kPost,
                approve ? "/api/v1/signals/{id}/approve" : "/api/v1/signals/{id}/reject",
                trader,
                "signals",
                approve ? "Approve a signal pending review" : "Reject a signal pending review",
                {},
                note_schema,
                [&env, note_schema, approve](Request& r) {
                  return Decide(env, r, note_schema, approve);
                }});
  }
}

void AddRecordRoutes(server::Router& router, ApiEnv& env) {
  const auto viewer = server::Access::AtLeast(Role::kViewer);
  router.Add({Method::kGet, "/api/v1/orders", viewer, "orders", "Orders, as `kairos orders list`",
              server::PageParams(), nullptr, [&env](Request& r) {
                return TablePage(r, OrdersTable(env.store(), {}), server::IdKey);
              }});
  router.Add({Method::kGet, "/api/v1/fills", viewer, "fills", "Fills, as `kairos fills list`",
              server::PageParams(), nullptr, [&env](Request& r) {
                return TablePage(r, FillsTable(env.store(), {}), KeyOf({"execution_id"}));
              }});
  router.Add({Method::kGet, "/api/v1/positions", viewer, "positions",
              "Open positions per strategy with marks and unrealized P&L, as `kairos positions`",
              server::PageParams(), nullptr, [&env](Request& r) { return ListPositions(env, r); }});
}

void AddHaltRoutes(server::Router& router, ApiEnv& env) {
  const auto viewer = server::Access::AtLeast(Role::kViewer);
  const auto trader = server::Access::AtLeast(Role::kTrader);
  router.Add({Method::kGet,
              "/api/v1/halt",
              viewer,
              "halt",
              "Whether the kill switch is on",
              {},
              nullptr,
              [&env](Request&) { return HaltState(env); }});
  nlohmann::json halt_schema =
      server::ObjectSchema({{"squareoff", "boolean"}, {"confirm", "string"}, {"reason", "string"}});
  router.Add({Method::kPost,
              "/api/v1/halt",
              trader,
              "halt",
              "Kill switch: no new order, open orders cancelled; with squareoff (and confirm "
              "\"SQUARE OFF\") every position closed at market",
              {},
              halt_schema,
              [&env, halt_schema](Request& r) {
                // No body: a plain halt.
                if (r.body.empty()) return Halt(env, r, nlohmann::json::object());
                auto body = server::ReadBody(r, halt_schema);
                if (auto* error = std::get_if<Response>(&body)) return std::move(*error);
                return Halt(env, r, std::get<nlohmann::json>(body));
              }});
  router.Add({Method::kPost,
              "/api/v1/resume",
              trader,
              "halt",
              "Lift the kill switch",
              {},
              nullptr,
              [&env](Request& r) { return Resume(env, r); }});
}

}  // namespace

void AddTradingRoutes(server::Router& router, ApiEnv& env) {
  AddSignalRoutes(router, env);
  AddRecordRoutes(router, env);
  AddHaltRoutes(router, env);
}

}  // namespace kairos::app
