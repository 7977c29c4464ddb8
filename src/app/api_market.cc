// The market resources of the HTTP API: the bar store's symbols, a symbol's bars with indicator
// overlays from the registry `kairos ta` and the rules use, and the scanner.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "app/api_ops.h"
#include "app/api_support.h"
#include "app/indicator_series.h"
#include "app/market_data.h"
#include "app/scan_command.h"
#include "indicators/indicator.h"
#include "rules/evaluator.h"
#include "server/json_body.h"

namespace kairos::app {
namespace {

using server::Method;
using server::Request;
using server::Response;
using server::Role;

constexpr size_t kMaxOverlays = 16;

// One overlay of ?ta=: "sma:50", "bbands:20:2:2", "macd:slowperiod=30" (parameters as `kairos
// ta` takes them, separated by ':').
struct Overlay {
  std::string text;
  const indicators::IndicatorInfo* info = nullptr;
  std::vector<double> params;
};

std::vector<std::string> Split(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t end = text.find(sep, start);
    out.emplace_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

Response OverlayError(std::string_view overlay, std::string_view message) {
  return server::Error(422, "invalid", fmt::format("ta: {}", message),
                       nlohmann::json{{"field", "ta"}, {"overlay", overlay}});
}

std::variant<std::vector<Overlay>, Response> ReadOverlays(const Request& request) {
  std::vector<Overlay> out;
  auto text = request.Query("ta");
  if (!text || text->empty()) return out;
  std::vector<std::string> items = Split(*text, ',');
  if (items.size() > kMaxOverlays) {
    return OverlayError(*text, fmt::format("at most {} overlays", kMaxOverlays));
  }
  for (std::string& item : items) {
    std::vector<std::string> words = Split(item, ':');
    Overlay o{item, indicators::FindIndicator(words[0]), {}};
    if (o.info == nullptr) {
      return OverlayError(item, fmt::format("unknown indicator '{}'", words[0]));
    }
    auto params = ParseIndicatorParams(*o.info, std::span(words).subspan(1));
    if (!params.ok()) return OverlayError(item, params.status().message());
    o.params = std::move(*params);
    out.push_back(std::move(o));
  }
  return out;
}

nlohmann::ordered_json Number(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

Result<std::unique_ptr<marketdata::BarStore>> OpenBars(const ApiEnv& env) {
  return marketdata::BarStore::Open(env.home);
}

Response ListSymbols(ApiEnv& env, const Request& request) {
  auto bars = OpenBars(env);
  if (!bars.ok()) return server::ErrorFrom(bars.status());
  return TablePage(request, SymbolsTable(**bars),
                   [](const auto& item) { return CellText(item, "symbol"); });
}

// {"symbol","exchange","timeframe","bars":[{date,open,high,low,close,volume}],"ta":{NAME:[…]}}:
// overlays computed over the whole history (so none starts with a warm-up inside the range), then
// cut to ?from=&to=. An overlay of several outputs gives "NAME.OUTPUT" series.
Response SymbolBars(ApiEnv& env, const Request& request) {
  auto range = ReadDateRange(request);
  if (auto* error = std::get_if<Response>(&range)) return std::move(*error);
  const DateRange& dates = std::get<DateRange>(range);
  std::string timeframe = request.Query("timeframe").value_or("daily");
  if (timeframe != "daily" && timeframe != "weekly") {
    return server::Error(422, "invalid",
                         fmt::format("timeframe: expected daily or weekly, got '{}'", timeframe),
                         nlohmann::json{{"field", "timeframe"}});
  }
  auto overlays = ReadOverlays(request);
  if (auto* error = std::get_if<Response>(&overlays)) return std::move(*error);
  auto store = OpenBars(env);
  if (!store.ok()) return server::ErrorFrom(store.status());
  const std::string& symbol = request.params.at("symbol");
  auto all = ReadBars(**store, symbol, std::nullopt, std::nullopt,
                      timeframe == "weekly" ? Timeframe::kWeekly : Timeframe::kDaily);
  if (!all.ok()) return server::ErrorFrom(all.status());
  nlohmann::ordered_json ta = nlohmann::ordered_json::object();
  std::vector<std::pair<std::string, std::vector<double>>> series;
  for (const Overlay& o : std::get<std::vector<Overlay>>(overlays)) {
    auto out = ComputeIndicator(*o.info, o.params, *all, symbol);
    if (!out.ok()) return OverlayError(o.text, out.status().message());
    for (size_t k = 0; k < out->size(); ++k) {
      std::string name =
          out->size() == 1 ? o.text : fmt::format("{}.{}", o.text, o.info->outputs[k]);
      series.emplace_back(std::move(name), std::move((*out)[k]));
    }
  }
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (auto& [name, values] : series) ta[name] = nlohmann::ordered_json::array();
  for (size_t i = 0; i < all->size(); ++i) {
    if (!dates.Contains(all->dates[i])) continue;
    nlohmann::ordered_json bar = nlohmann::ordered_json::object();
    bar["date"] = all->dates[i].ToString();
    bar["open"] = all->close_only ? nullptr : Number(all->open[i]);
    bar["high"] = all->close_only ? nullptr : Number(all->high[i]);
    bar["low"] = all->close_only ? nullptr : Number(all->low[i]);
    bar["close"] = Number(all->close[i]);
    bar["volume"] = all->close_only ? nullptr : Number(all->volume[i]);
    rows.push_back(std::move(bar));
    for (auto& [name, values] : series) ta[name].push_back(Number(values[i]));
  }
  nlohmann::ordered_json body;
  body["symbol"] = all->instrument.symbol;
  body["exchange"] = all->instrument.exchange;
  body["timeframe"] = timeframe;
  body["bars"] = std::move(rows);
  body["ta"] = std::move(ta);
  return server::Json(body);
}

// The matches of a rule as of a date, as `kairos scan --date D --format json` prints them.
Response RunScan(ApiEnv& env, const nlohmann::json& schema, const Request& request) {
  auto read = server::ReadBody(request, schema);
  if (auto* error = std::get_if<Response>(&read)) return std::move(*error);
  const nlohmann::json& body = std::get<nlohmann::json>(read);
  ScanArgs args;
  args.rule = body.at("rule").get<std::string>();
  args.date = body.at("date").get<std::string>();
  if (body.contains("universe")) args.universe = body["universe"].get<std::string>();
  if (body.contains("symbols")) {
    if (!args.universe.empty()) {
      return server::Error(422, "invalid", "give universe or symbols, not both",
                           nlohmann::json{{"field", "symbols"}});
    }
    for (const auto& s : body["symbols"]) {
      if (!s.is_string() || s.get<std::string>().empty() ||
          s.get<std::string>().find(',') != std::string::npos) {
        return server::Error(422, "invalid", "symbols: expected an array of symbols",
                             nlohmann::json{{"field", "symbols"}});
      }
      args.symbols += (args.symbols.empty() ? "" : ",") + s.get<std::string>();
    }
    if (args.symbols.empty()) {
      return server::Error(422, "invalid", "symbols: no symbol given",
                           nlohmann::json{{"field", "symbols"}});
    }
  }
  if (auto compiled = rules::Program::Compile(args.rule); !compiled.ok()) {
    return DiagnosticsError(compiled.status());
  }
  auto scan = BuildScanRequest(args, env.home);
  if (!scan.ok()) return server::ErrorFrom(scan.status());
  auto bars = OpenBars(env);
  if (!bars.ok()) return server::ErrorFrom(bars.status());
  auto result = engine::Scan(**bars, *scan);
  if (!result.ok()) return server::ErrorFrom(result.status());
  RankAndLimit(args, result->matches);
  nlohmann::ordered_json out;
  out["as_of"] = result->as_of.ToString();
  out["items"] = MatchesJson(*result, false);
  out["skipped"] = result->skipped;
  return server::Json(out);
}

}  // namespace

void AddMarketRoutes(server::Router& router, ApiEnv& env) {
  const server::Access viewer = server::Access::AtLeast(Role::kViewer);
  router.Add({Method::kGet, "/api/v1/symbols", viewer, "market",
              "The bar store's symbols with first and last date and count (as `kairos data list`)",
              server::PageParams(), nullptr, [&env](Request& r) { return ListSymbols(env, r); }});
  router.Add({Method::kGet,
              "/api/v1/bars/{symbol}",
              viewer,
              "market",
              "A symbol's bars with indicator overlays",
              {{"from", "First date, YYYY-MM-DD"},
               {"to", "Last date, YYYY-MM-DD"},
               {"timeframe", "daily (default) or weekly"},
               {"ta", "Overlays from the indicator registry: sma:50,rsi:14,bbands:20:2:2"}},
              nullptr,
              [&env](Request& r) { return SymbolBars(env, r); }});
  server::Route scan{
      Method::kPost,
      "/api/v1/scan",
      viewer,
      "market",
      "Run a rule over the market as of a date (as `kairos scan`)",
      {},
      server::ObjectSchema(
          {{"rule", "string"}, {"date", "string"}, {"universe", "string"}, {"symbols", "array"}},
          {"rule", "date"}),
      nullptr};
  scan.handler = [&env, schema = scan.body_schema](Request& r) { return RunScan(env, schema, r); };
  router.Add(std::move(scan));
}

}  // namespace kairos::app
