// The backtests of the HTTP API: started in the background (BacktestRuns), polled, and their
// reports read back as JSON from the files `kairos backtest` writes.
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "app/api_ops.h"
#include "app/api_support.h"
#include "app/backtest_run.h"
#include "app/backtest_runs.h"
#include "marketdata/csv_reader.h"
#include "server/json_body.h"

namespace kairos::app {
namespace {

namespace fs = std::filesystem;
using server::Method;
using server::Request;
using server::Response;
using server::Role;

Result<std::string> ReadText(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::IOError(fmt::format("{}: cannot read", file.string()));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A report CSV (trades.csv, equity.csv) as a Table: its header, then its rows.
Result<Table> ReadCsvTable(const fs::path& file) {
  KAIROS_ASSIGN_OR_RETURN(std::string text, ReadText(file));
  marketdata::csv::LineReader lines(text);
  marketdata::csv::FieldSplitter fields;
  Table table;
  while (auto line = lines.Next()) {
    if (marketdata::csv::IsBlank(*line)) continue;
    KAIROS_RETURN_IF_ERROR(fields.Split(*line));
    std::vector<std::string> cells;
    for (size_t i = 0; i < fields.size(); ++i) cells.emplace_back(fields[i]);
    if (table.columns.empty()) {
      table.columns = std::move(cells);
    } else {
      table.rows.push_back(std::move(cells));
    }
  }
  return table;
}

Response Start(ApiEnv& env, BacktestRuns& runs, const nlohmann::json& schema,
               const Request& request) {
  auto read = server::ReadBody(request, schema);
  if (auto* error = std::get_if<Response>(&read)) return std::move(*error);
  const nlohmann::json& body = std::get<nlohmann::json>(read);
  if (body.contains("strategy") == body.contains("toml")) {
    return server::Error(422, "invalid", "give strategy (an imported strategy's name) or toml",
                         nlohmann::json{{"field", "strategy"}});
  }
  if (body.value("review", "auto") != "auto") {
    return server::Error(422, "invalid",
                         "review: only 'auto' is implemented (every signal approved before its "
                         "cut-off)",
                         nlohmann::json{{"field", "review"}});
  }
  Result<LoadedStrategy> loaded =
      body.contains("toml") ? StrategyFromText(body["toml"].get<std::string>(), "strategy.toml")
                            : ImportedStrategy(env.store(), body["strategy"].get<std::string>());
  if (!loaded.ok()) {
    return loaded.status().code() == StatusCode::kInvalidArgument
               ? DiagnosticsError(loaded.status())
               : server::ErrorFrom(loaded.status());
  }
  std::vector<std::string> notes;
  auto market =
      OpenBacktestMarket(env.home, loaded->spec, body.value("from", ""), body.value("to", ""),
                         [&notes](const std::string& note) { notes.push_back(note); });
  if (!market.ok()) return server::ErrorFrom(market.status());
  const std::string strategy = loaded->spec.name;
  auto record = runs.Start(std::move(*loaded), std::move(*market));
  if (!record.ok()) {
    if (record.status().code() != StatusCode::kFailedPrecondition) {
      return server::ErrorFrom(record.status());
    }
    Response busy = server::Error(429, "too_many_requests", record.status().message());
    busy.headers.emplace_back("Retry-After", "30");
    return busy;
  }
  const std::string id = (*record)["id"].get<std::string>();
  Status audited = AuditMutation(
      env.store(), *env.clock, request, "backtest.start", "backtest:" + id,
      nlohmann::json{{"strategy", strategy}, {"from", (*record)["from"]}, {"to", (*record)["to"]}});
  if (!audited.ok()) return server::ErrorFrom(audited);
  nlohmann::ordered_json out;
  out["id"] = id;
  out["status"] = (*record)["status"];
  out["notes"] = notes;
  return server::Json(202, out);
}

Response List(BacktestRuns& runs, const Request& request) {
  auto page = server::ReadPage(request);
  if (auto* error = std::get_if<Response>(&page)) return std::move(*error);
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (auto& record : runs.List()) all.push_back(std::move(record));
  auto body = server::PageOf(all, std::get<server::Page>(page), server::IdKey);
  if (auto* error = std::get_if<Response>(&body)) return std::move(*error);
  return server::Json(std::get<nlohmann::ordered_json>(body));
}

Response Show(BacktestRuns& runs, const Request& request) {
  auto record = runs.Get(request.params.at("id"));
  if (!record.ok()) return server::ErrorFrom(record.status());
  return server::Json(*record);
}

// summary.json as it is.
Response Summary(BacktestRuns& runs, const Request& request) {
  auto dir = runs.ReportDir(request.params.at("id"));
  if (!dir.ok()) return server::ErrorFrom(dir.status());
  auto text = ReadText(*dir / "summary.json");
  if (!text.ok()) return server::ErrorFrom(text.status());
  auto summary = nlohmann::ordered_json::parse(*text, nullptr, false);
  if (summary.is_discarded()) return server::ErrorFrom(Status::Corruption("summary.json"));
  return server::Json(summary);
}

// trades.csv or equity.csv, one item per row, paged.
Response ReportRows(BacktestRuns& runs, const Request& request, const char* file,
                    const server::ItemKey& key) {
  auto dir = runs.ReportDir(request.params.at("id"));
  if (!dir.ok()) return server::ErrorFrom(dir.status());
  auto table = ReadCsvTable(*dir / file);
  if (!table.ok()) return server::ErrorFrom(table.status());
  return TablePage(request, *table, key);
}

}  // namespace

void AddBacktestRoutes(server::Router& router, ApiEnv& env) {
  // Shared by the routes' handlers; its worker stops when the route table goes.
  auto runs = std::make_shared<BacktestRuns>(env.home, *env.clock);
  const server::Access viewer = server::Access::AtLeast(Role::kViewer);
  server::Route start{
      Method::kPost,
      "/api/v1/backtests",
      server::Access::AtLeast(Role::kTrader),
      "backtests",
      "Start a backtest in the background (one runs at a time, 4 more may wait: then 429)",
      {},
      server::ObjectSchema({{"strategy", "string"},
                            {"toml", "string"},
                            {"from", "string"},
                            {"to", "string"},
                            {"review", "string"}}),
      nullptr};
  start.handler = [&env, runs, schema = start.body_schema](Request& r) {
    return Start(env, *runs, schema, r);
  };
  router.Add(std::move(start));
  router.Add({Method::kGet, "/api/v1/backtests", viewer, "backtests",
              "Backtests started through the API, oldest first", server::PageParams(), nullptr,
              [runs](Request& r) { return List(*runs, r); }});
  router.Add({Method::kGet,
              "/api/v1/backtests/{id}",
              viewer,
              "backtests",
              "A backtest's status (queued, running, succeeded, failed) and error",
              {},
              nullptr,
              [runs](Request& r) { return Show(*runs, r); }});
  router.Add({Method::kGet,
              "/api/v1/backtests/{id}/summary",
              viewer,
              "backtests",
              "The summary.json of a finished backtest",
              {},
              nullptr,
              [runs](Request& r) { return Summary(*runs, r); }});
  router.Add({Method::kGet, "/api/v1/backtests/{id}/trades", viewer, "backtests",
              "The trades.csv of a finished backtest, one item per trade", server::PageParams(),
              nullptr, [runs](Request& r) {
                return ReportRows(*runs, r, "trades.csv", [](const auto& item) {
                  return CellText(item, "symbol") + " " + CellText(item, "entry_date");
                });
              }});
  router.Add({Method::kGet, "/api/v1/backtests/{id}/equity", viewer, "backtests",
              "The equity.csv of a finished backtest, one item per session", server::PageParams(),
              nullptr, [runs](Request& r) {
                return ReportRows(*runs, r, "equity.csv",
                                  [](const auto& item) { return CellText(item, "date"); });
              }});
}

}  // namespace kairos::app
