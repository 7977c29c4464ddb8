#include "app/indicator_series.h"

#include <cmath>
#include <optional>

#include <fmt/core.h>

#include "marketdata/csv_reader.h"

namespace kairos::app {

using indicators::IndicatorInfo;

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

Result<std::vector<double>> ParseIndicatorParams(const IndicatorInfo& info,
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

Result<std::vector<std::vector<double>>> ComputeIndicator(const IndicatorInfo& info,
                                                          const std::vector<double>& params,
                                                          const BarSeries& bars,
                                                          std::string_view source) {
  if (bars.close_only) {
    for (auto in : info.inputs) {
      if (in != indicators::Input::kSeries && in != indicators::Input::kClose) {
        return Status::InvalidArgument(
            fmt::format("{} reads {}, but {} has closes only", info.name, InputName(in), source));
      }
    }
  }
  std::vector<std::span<const double>> inputs;
  for (auto in : info.inputs) {
    switch (in) {
      case indicators::Input::kSeries:
      case indicators::Input::kClose:
        inputs.emplace_back(bars.close);
        break;
      case indicators::Input::kOpen:
        inputs.emplace_back(bars.open);
        break;
      case indicators::Input::kHigh:
        inputs.emplace_back(bars.high);
        break;
      case indicators::Input::kLow:
        inputs.emplace_back(bars.low);
        break;
      case indicators::Input::kVolume:
        inputs.emplace_back(bars.volume);
        break;
    }
  }
  std::vector<std::vector<double>> out(info.outputs.size(), std::vector<double>(bars.size()));
  std::vector<std::span<double>> out_spans(out.begin(), out.end());
  KAIROS_RETURN_IF_ERROR(info.batch(inputs, params, out_spans));
  return out;
}

}  // namespace kairos::app
