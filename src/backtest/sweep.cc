#include "backtest/sweep.h"

#include <charconv>

#include <fmt/format.h>

namespace kairos::backtest {
namespace {

bool IsName(std::string_view s) {
  if (s.empty() || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

struct Found {
  size_t begin = 0, end = 0;  // [begin, end) covers "${...}"
  std::string name, default_value;
};

Result<std::vector<Found>> Scan(std::string_view text) {
  std::vector<Found> out;
  size_t pos = 0;
  while ((pos = text.find("${", pos)) != std::string_view::npos) {
    size_t close = text.find('}', pos);
    if (close == std::string_view::npos) {
      return Status::InvalidArgument(fmt::format("placeholder at offset {}: no closing '}}'", pos));
    }
    std::string_view body = text.substr(pos + 2, close - pos - 2);
    size_t eq = body.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument(
          fmt::format("placeholder '${{{}}}': expected ${{name=default}}", body));
    }
    std::string_view name = body.substr(0, eq);
    if (!IsName(name)) {
      return Status::InvalidArgument(fmt::format(
          "placeholder '${{{}}}': the name must be lower-case letters, digits or '_'", body));
    }
    out.push_back({pos, close + 1, std::string(name), std::string(body.substr(eq + 1))});
    pos = close + 1;
  }
  return out;
}

}  // namespace

Result<Params> FindPlaceholders(std::string_view text) {
  KAIROS_ASSIGN_OR_RETURN(std::vector<Found> found, Scan(text));
  Params out;
  for (const Found& f : found) {
    auto [it, inserted] = out.emplace(f.name, f.default_value);
    if (!inserted && it->second != f.default_value) {
      return Status::InvalidArgument(fmt::format("placeholder '{}' has two defaults: '{}' and '{}'",
                                                 f.name, it->second, f.default_value));
    }
  }
  return out;
}

Result<std::string> ExpandPlaceholders(std::string_view text, const Params& values) {
  KAIROS_ASSIGN_OR_RETURN(Params defaults, FindPlaceholders(text));
  for (const auto& [name, value] : values) {
    if (!defaults.contains(name)) {
      return Status::InvalidArgument(
          fmt::format("--sweep {}: the strategy has no placeholder ${{{}=...}}", name, name));
    }
  }
  KAIROS_ASSIGN_OR_RETURN(std::vector<Found> found, Scan(text));
  std::string out;
  size_t at = 0;
  for (const Found& f : found) {
    out.append(text.substr(at, f.begin - at));
    auto it = values.find(f.name);
    out += it != values.end() ? it->second : f.default_value;
    at = f.end;
  }
  out.append(text.substr(at));
  return out;
}

Result<SweepAxis> ParseSweep(std::string_view arg) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(
        fmt::format("--sweep '{}': {} (expected name=from..to[:step] or name=a,b,c)", arg, why));
  };
  size_t eq = arg.find('=');
  if (eq == std::string_view::npos) return bad("no '='");
  SweepAxis axis;
  axis.name = std::string(arg.substr(0, eq));
  if (!IsName(axis.name)) return bad("the name must be lower-case letters, digits or '_'");
  std::string_view spec = arg.substr(eq + 1);
  if (size_t dots = spec.find(".."); dots != std::string_view::npos) {
    auto integer = [](std::string_view s, int64_t* v) {
      auto r = std::from_chars(s.data(), s.data() + s.size(), *v);
      return r.ec == std::errc() && r.ptr == s.data() + s.size();
    };
    std::string_view rest = spec.substr(dots + 2);
    size_t colon = rest.find(':');
    int64_t from = 0, to = 0, step = 1;
    if (!integer(spec.substr(0, dots), &from) || !integer(rest.substr(0, colon), &to) ||
        (colon != std::string_view::npos && !integer(rest.substr(colon + 1), &step))) {
      return bad("a range takes integers");
    }
    if (step <= 0) return bad("the step must be positive");
    if (to < from) return bad("the range ends before it starts");
    if ((to - from) / step >= 10'000) return bad("more than 10000 values");
    for (int64_t v = from; v <= to; v += step) axis.values.push_back(std::to_string(v));
    return axis;
  }
  size_t start = 0;
  while (true) {
    size_t comma = spec.find(',', start);
    std::string_view v =
        spec.substr(start, comma == std::string_view::npos ? spec.npos : comma - start);
    if (v.empty()) return bad("an empty value");
    axis.values.emplace_back(v);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return axis;
}

std::vector<Params> Combinations(const std::vector<SweepAxis>& axes) {
  std::vector<Params> out(1);
  for (const SweepAxis& axis : axes) {
    std::vector<Params> next;
    for (const Params& p : out) {
      for (const std::string& v : axis.values) {
        Params q = p;
        q[axis.name] = v;
        next.push_back(std::move(q));
      }
    }
    out = std::move(next);
  }
  return out;
}

const std::vector<std::string_view>& RankMetrics() {
  static const std::vector<std::string_view> kMetrics = {
      "sharpe", "sortino", "total_return", "cagr", "profit_factor", "win_rate", "max_drawdown"};
  return kMetrics;
}

std::optional<double> RankKey(const engine::Metrics& m, std::string_view metric) {
  if (metric == "sharpe") return m.sharpe;
  if (metric == "sortino") return m.sortino;
  if (metric == "total_return") return m.total_return_percent;
  if (metric == "cagr") return m.cagr_percent;
  if (metric == "profit_factor") return m.profit_factor;
  if (metric == "win_rate") return m.win_rate_percent;
  if (metric == "max_drawdown") return -m.max_drawdown.percent;  // smaller is better
  KAIROS_CHECK(false) << "unknown rank metric " << metric;
  return std::nullopt;
}

}  // namespace kairos::backtest
