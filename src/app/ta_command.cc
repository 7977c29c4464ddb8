#include <cmath>
#include <optional>

#include <fmt/core.h>

#include "app/cli.h"
#include "app/indicator_series.h"
#include "app/ohlcv_file.h"
#include "indicators/indicator.h"

namespace kairos::app {
namespace {

using indicators::IndicatorInfo;

struct TaArgs {
  std::vector<std::string> words;  // NAME PARAM...
  std::string input;
  bool list = false;
};

void PrintList() {
  Table t{{"name", "inputs", "params", "outputs", "description"}, {}};
  for (const IndicatorInfo& info : indicators::AllIndicators()) {
    std::string inputs, params, outputs;
    for (auto in : info.inputs) inputs += (inputs.empty() ? "" : " ") + InputName(in);
    for (const auto& p : info.params) {
      params += fmt::format("{}{}={} [{},{}]", params.empty() ? "" : " ", p.name, p.default_value,
                            p.min_value, p.max_value);
    }
    for (auto o : info.outputs) outputs += fmt::format("{}{}", outputs.empty() ? "" : " ", o);
    t.rows.push_back(
        {std::string(info.name), inputs, params, outputs, std::string(info.description)});
  }
  t.Print(OutputFormat::kTable);
}

void RunTa(const TaArgs& args, CliContext& ctx) {
  if (args.list) return PrintList();
  if (args.words.empty()) return ctx.Fail("ta: name an indicator (kairos ta --list shows them)");
  const IndicatorInfo* info = indicators::FindIndicator(args.words[0]);
  if (info == nullptr) {
    return ctx.Fail(
        fmt::format("ta: unknown indicator '{}' (kairos ta --list shows them)", args.words[0]));
  }
  auto params = ParseIndicatorParams(*info, std::span(args.words).subspan(1));
  if (!params.ok()) return ctx.Fail(params.status());
  if (args.input.empty()) return ctx.Fail("ta: --input FILE.csv is required");
  auto bars = ReadOhlcvFile(args.input);
  if (!bars.ok()) return ctx.Fail(bars.status());
  auto out = ComputeIndicator(*info, *params, *bars, args.input);
  if (!out.ok()) return ctx.Fail(fmt::format("ta: {}", out.status().message()));
  const size_t n = bars->size();

  std::string text = "date";
  for (auto name : info->outputs) text += fmt::format(",{}", name);
  text += '\n';
  for (size_t i = 0; i < n; ++i) {
    text += bars->dates[i].ToString();
    for (const auto& col : *out) {
      text += ',';
      if (!std::isnan(col[i])) text += fmt::format("{:.17g}", col[i]);
    }
    text += '\n';
    if (text.size() > (1 << 20)) {
      fmt::print("{}", text);
      text.clear();
    }
  }
  fmt::print("{}", text);
}

}  // namespace

void AddTaCommand(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<TaArgs>();
  CLI::App* ta = app.add_subcommand(
      "ta", "Compute an indicator over an OHLCV file: kairos ta NAME [PARAM...] --input FILE.csv");
  ta->add_option("name_and_params", args->words,
                 "Indicator name, then parameters positionally in TA-Lib's order or as name=value");
  ta->add_option("--input", args->input, "CSV file with Date,Open,High,Low,Close,Volume");
  ta->add_flag("--list", args->list, "List the indicators, their inputs, parameters and outputs");
  ta->callback([args, &ctx] { RunTa(*args, ctx); });
}

}  // namespace kairos::app
