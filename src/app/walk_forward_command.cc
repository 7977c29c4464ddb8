// `kairos backtest ... --walk-forward`: parses the options, runs backtest::RunWalkForward over
// the command's wiring and prints or writes what it found.
#include "app/walk_forward_command.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/fixed_point.h"

namespace kairos::app {
namespace {

std::string Ratio(const std::optional<double>& v) {
  return v ? fmt::format("{:.4f}", *v) : std::string();
}

}  // namespace

void RunWalkForwardCommand(const WalkForwardRequest& req, CliContext& ctx) {
  if (req.sweeps.empty()) {
    return ctx.Fail(
        "--walk-forward needs --sweep: the parameters to choose on each training window "
        "(e.g. --sweep period=5..30:5)");
  }
  const auto& metrics = backtest::RankMetrics();
  if (std::find(metrics.begin(), metrics.end(), req.rank_by) == metrics.end()) {
    return ctx.Fail(
        fmt::format("--rank-by {}: expected one of {}", req.rank_by, fmt::join(metrics, ", ")));
  }
  auto spec = backtest::ParseWalkForward(req.walk_forward);
  if (!spec.ok()) return ctx.Fail(spec.status());
  backtest::WalkForwardInput in;
  for (const std::string& arg : req.sweeps) {
    auto axis = backtest::ParseSweep(arg);
    if (!axis.ok()) return ctx.Fail(axis.status());
    in.axes.push_back(std::move(*axis));
  }
  in.source = req.source;
  in.file_name = req.file_name;
  in.rank_by = req.rank_by;
  in.spec = *spec;
  in.spec_arg = req.walk_forward;
  in.sessions = req.sessions;
  in.threads = 0;
  const marketdata::BarStore& bars = req.bars;
  auto result = backtest::RunWalkForward(in, req.run, [&bars](std::string_view symbol, Date day) {
    return backtest::CloseOnOrBefore(bars, symbol, day);
  });
  if (!result.ok()) return ctx.Fail(result.status());
  const backtest::WalkForwardResult& r = *result;
  const backtest::Summary& s = r.out_of_sample.summary;

  auto money = [&](int64_t minor) { return Money(minor, s.currency).ToString(); };
  const std::string& m = req.rank_by;
  backtest::WalkForwardSpec w = *spec;
  Table summary;
  summary.columns = {"metric", "value"};
  summary.rows = {
      {"folds", fmt::format("{} (train {}, test {}, step {} sessions)", r.folds.size(), w.train,
                            w.test, w.step)},
      {"combinations", std::to_string(r.combinations)},
      {"out_of_sample_from", s.from.ToString()},
      {"out_of_sample_to", s.to.ToString()},
      {"out_of_sample_sessions", std::to_string(s.sessions)},
      {"untested_sessions", std::to_string(r.untested_sessions)},
      {"starting_equity", money(s.starting_equity)},
      {"final_equity", money(s.final_equity)},
      {"total_return_percent", Ratio(s.total_return)},
      {"cagr_percent", Ratio(s.cagr)},
      {"max_drawdown_percent", Ratio(s.max_drawdown)},
      {"sharpe", Ratio(s.sharpe)},
      {"trades", std::to_string(s.trades)},
      {"open_trades", std::to_string(s.open_trades)},
      {"fees", money(s.fees)},
      {fmt::format("in_sample_{}_mean", m), Ratio(r.mean_train_metric)},
      {fmt::format("out_of_sample_{}_mean", m), Ratio(r.mean_test_metric)},
      {fmt::format("out_of_sample_{}", m), Ratio(r.out_of_sample_metric)},
  };
  Table folds;
  folds.columns = backtest::FoldColumns(r, m);
  folds.rows = backtest::FoldRows(r);

  // Files last, so that an error above leaves none behind.
  if (!req.out.empty()) {
    Status written = backtest::WriteWalkForward(r, m, req.out);
    if (!written.ok()) return ctx.Fail(written);
  }

  // The fold rows are the result set; the summary and notes go with them as a table, or to
  // stderr when stdout is CSV or JSON for a program to read.
  folds.Print(ctx.format);
  const bool table = ctx.format == OutputFormat::kTable;
  std::FILE* note = table ? stdout : stderr;
  fmt::print(note, "\n");
  summary.Print(OutputFormat::kTable, note);
  for (const std::string& n : r.notes) fmt::print(note, "note: {}\n", TerminalSafe(n));
  if (r.untested_sessions > 0) {
    fmt::print(note,
               "note: the last {} sessions of the range are in no test window (a fold needs {})\n",
               r.untested_sessions, w.test);
  }
  if (req.out.empty()) {
    fmt::print(note, "pass --out DIR to write walk_forward.csv and the out-of-sample report\n");
  } else {
    fmt::print(note,
               "wrote {}/{{walk_forward.csv,summary.json,trades.csv,equity.csv,report.html}}\n",
               req.out);
  }
}

}  // namespace kairos::app
