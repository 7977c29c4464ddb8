#include <algorithm>
#include <cctype>
#include <cmath>
#include <vector>

#include <fmt/core.h>

#include "indicators/indicator.h"
#include "indicators/registry_groups.h"

namespace kairos::indicators {
namespace {

const std::vector<IndicatorInfo>& Registry() {
  static const std::vector<IndicatorInfo> registry = [] {
    std::vector<IndicatorInfo> all;
    RegisterGroupA(all);
    RegisterGroupB(all);
    std::sort(all.begin(), all.end(),
              [](const IndicatorInfo& a, const IndicatorInfo& b) { return a.name < b.name; });
    return all;
  }();
  return registry;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::span<const IndicatorInfo> AllIndicators() { return Registry(); }

const IndicatorInfo* FindIndicator(std::string_view name) {
  for (const IndicatorInfo& info : Registry()) {
    if (EqualsIgnoreCase(info.name, name)) return &info;
  }
  return nullptr;
}

Status ValidateParams(const IndicatorInfo& info, std::span<const double> params) {
  if (params.size() != info.params.size()) {
    return Status::InvalidArgument(fmt::format("{}: expects {} parameter(s), got {}", info.name,
                                               info.params.size(), params.size()));
  }
  for (size_t i = 0; i < params.size(); ++i) {
    const ParamSpec& spec = info.params[i];
    double v = params[i];
    bool integral = std::isfinite(v) && v == std::floor(v);
    bool in_range = std::isfinite(v) && v >= spec.min_value && v <= spec.max_value;
    if ((spec.integer && !integral) || !in_range) {
      return Status::InvalidArgument(
          fmt::format("{}: {} must be {} in [{}, {}], got {}", info.name, spec.name,
                      spec.integer ? "an integer" : "a number", spec.min_value, spec.max_value, v));
    }
  }
  return Status::Ok();
}

}  // namespace kairos::indicators
