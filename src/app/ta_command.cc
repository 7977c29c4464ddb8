#include <cmath>
#include <optional>

#include <fmt/core.h>

#include "app/cli.h"
#include "app/ohlcv_file.h"
#include "indicators/indicator.h"
#include "marketdata/csv_reader.h"

namespace kairos::app {
namespace {

using indicators::IndicatorInfo;

struct TaArgs {
  std::vector<std::string> words;  // NAME PARAM...
  std::string input;
  bool list = false;
};

std::string InputName(indicators::Input in) {
  switch (in) {
    case indicators::Input::kSeries:
      return "series";
    case indicators::Input::kOpen:
      return "open";
    case indicators::Input::kHigh:
      return "high";
    case indicators::Input::kLow:
      return "low";
    case indicators::Input::kClose:
      return "close";
    case indicators::Input::kVolume:
      return "volume";
  }
  return "?";
}

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

// Positional values in TA-Lib's order, then name=value pairs; omitted ones take the defaults.
Result<std::vector<double>> ParseParams(const IndicatorInfo& info,
                                        std::span<const std::string> words) {
  std::vector<std::optional<double>> given(info.params.size());
  size_t positional = 0;
  bool named_seen = false;
  for (const std::string& w : words) {
    size_t eq = w.find('=');
    std::string_view value_text =
        eq == std::string::npos ? std::string_view(w) : std::string_view(w).substr(eq + 1);
    std::optional<double> v = marketdata::csv::ParseNumber(value_text);
    if (!v || !std::isfinite(*v)) {
      return Status::InvalidArgument(
          fmt::format("{}: '{}' is not a number", info.name, value_text));
    }
    size_t index;
    if (eq == std::string::npos) {
      if (named_seen) {
        return Status::InvalidArgument(
            fmt::format("{}: positional parameter '{}' after a named one", info.name, w));
      }
      index = positional++;
      if (index >= info.params.size()) {
        return Status::InvalidArgument(
            fmt::format("{}: takes {} parameter(s), got more", info.name, info.params.size()));
      }
    } else {
      named_seen = true;
      std::string_view name = std::string_view(w).substr(0, eq);
      index = info.params.size();
      for (size_t i = 0; i < info.params.size(); ++i) {
        if (info.params[i].name == name) index = i;
      }
      if (index == info.params.size()) {
        std::string names;
        for (const auto& p : info.params)
          names += fmt::format("{}{}", names.empty() ? "" : ", ", p.name);
        return Status::InvalidArgument(fmt::format("{}: unknown parameter '{}' (parameters: {})",
                                                   info.name, name,
                                                   names.empty() ? "none" : names));
      }
    }
    if (given[index]) {
      return Status::InvalidArgument(
          fmt::format("{}: parameter '{}' given twice", info.name, info.params[index].name));
    }
    given[index] = *v;
  }
  std::vector<double> params;
  for (size_t i = 0; i < info.params.size(); ++i) {
    params.push_back(given[i].value_or(info.params[i].default_value));
  }
  KAIROS_RETURN_IF_ERROR(indicators::ValidateParams(info, params));
  return params;
}

void RunTa(const TaArgs& args, CliContext& ctx) {
  if (args.list) return PrintList();
  if (args.words.empty()) return ctx.Fail("ta: name an indicator (kairos ta --list shows them)");
  const IndicatorInfo* info = indicators::FindIndicator(args.words[0]);
  if (info == nullptr) {
    return ctx.Fail(
        fmt::format("ta: unknown indicator '{}' (kairos ta --list shows them)", args.words[0]));
  }
  auto params = ParseParams(*info, std::span(args.words).subspan(1));
  if (!params.ok()) return ctx.Fail(params.status());
  if (args.input.empty()) return ctx.Fail("ta: --input FILE.csv is required");
  auto bars = ReadOhlcvFile(args.input);
  if (!bars.ok()) return ctx.Fail(bars.status());
  if (bars->close_only) {
    for (auto in : info->inputs) {
      if (in != indicators::Input::kSeries && in != indicators::Input::kClose) {
        return ctx.Fail(fmt::format("ta: {} reads {}, but {} has closes only", info->name,
                                    InputName(in), args.input));
      }
    }
  }
  std::vector<std::span<const double>> inputs;
  for (auto in : info->inputs) {
    switch (in) {
      case indicators::Input::kSeries:
      case indicators::Input::kClose:
        inputs.emplace_back(bars->close);
        break;
      case indicators::Input::kOpen:
        inputs.emplace_back(bars->open);
        break;
      case indicators::Input::kHigh:
        inputs.emplace_back(bars->high);
        break;
      case indicators::Input::kLow:
        inputs.emplace_back(bars->low);
        break;
      case indicators::Input::kVolume:
        inputs.emplace_back(bars->volume);
        break;
    }
  }
  size_t n = bars->size();
  std::vector<std::vector<double>> out(info->outputs.size(), std::vector<double>(n));
  std::vector<std::span<double>> out_spans(out.begin(), out.end());
  Status s = info->batch(inputs, *params, out_spans);
  if (!s.ok()) return ctx.Fail(s);

  std::string text = "date";
  for (auto name : info->outputs) text += fmt::format(",{}", name);
  text += '\n';
  for (size_t i = 0; i < n; ++i) {
    text += bars->dates[i].ToString();
    for (const auto& col : out) {
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
