#include "backtest/walk_forward.h"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "core/parallel_for.h"
#include "engine/strategy_file.h"

namespace kairos::backtest {
namespace {

constexpr std::string_view kFoldEnd = "walk_forward_fold_end";

bool PositiveInt(std::string_view s, int* v) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), *v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() && *v > 0;
}

std::string Ratio(const std::optional<double>& v) {
  return v ? fmt::format("{:.4f}", *v) : std::string();
}

std::string CsvCell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::optional<double> Mean(const std::vector<std::optional<double>>& values) {
  double sum = 0;
  int n = 0;
  for (const auto& v : values) {
    if (v) {
      sum += *v;
      ++n;
    }
  }
  if (n == 0) return std::nullopt;
  return sum / n;
}

std::string Describe(const Params& p) {
  std::string out;
  for (const auto& [name, value] : p) out += (out.empty() ? "" : " ") + name + "=" + value;
  return out;
}

}  // namespace

Result<WalkForwardSpec> ParseWalkForward(std::string_view arg) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(fmt::format("--walk-forward '{}': {}", arg, why));
  };
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t colon = arg.find(':', start);
    parts.push_back(arg.substr(start, colon == std::string_view::npos ? arg.npos : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  WalkForwardSpec spec;
  if (parts.size() < 2 || parts.size() > 3 || !PositiveInt(parts[0], &spec.train) ||
      !PositiveInt(parts[1], &spec.test) ||
      (parts.size() == 3 && !PositiveInt(parts[2], &spec.step))) {
    return bad(
        "expected TRAIN:TEST[:STEP], positive session counts (e.g. 504:126, or 504:126:252)");
  }
  if (parts.size() == 2) spec.step = spec.test;
  if (spec.step < spec.test) {
    return bad(fmt::format(
        "STEP {} is shorter than TEST {}: the test windows would overlap and the out-of-sample "
        "run would count sessions twice",
        spec.step, spec.test));
  }
  return spec;
}

Result<FoldPlan> PlanFolds(std::span<const Date> sessions, const WalkForwardSpec& spec,
                           std::string_view arg) {
  KAIROS_CHECK(spec.train > 0 && spec.test > 0 && spec.step >= spec.test);
  const int64_t n = static_cast<int64_t>(sessions.size());
  const int64_t need = int64_t{spec.train} + spec.test;
  if (n < need) {
    std::string range = sessions.empty() ? std::string("the range")
                                         : fmt::format("{} .. {}", sessions.front().ToString(),
                                                       sessions.back().ToString());
    return Status::InvalidArgument(
        fmt::format("--walk-forward {}: one fold needs {} sessions ({} to train, {} to test); "
                    "{} has {}",
                    arg, need, spec.train, spec.test, range, n));
  }
  FoldPlan plan;
  int64_t covered = 0;  // sessions up to the end of the last test window
  for (int64_t at = 0; at + need <= n; at += spec.step) {
    Fold f;
    f.number = static_cast<int>(plan.folds.size()) + 1;
    f.train = {sessions[at], sessions[at + spec.train - 1], spec.train};
    f.test = {sessions[at + spec.train], sessions[at + need - 1], spec.test};
    plan.folds.push_back(f);
    covered = at + need;
  }
  plan.untested_sessions = static_cast<int>(n - covered);
  return plan;
}

std::optional<double> MetricValue(const engine::Metrics& m, std::string_view metric) {
  std::optional<double> key = RankKey(m, metric);
  if (key && std::isnan(*key)) return std::nullopt;
  if (key && metric == "max_drawdown") return -*key;
  return key;
}

namespace {

// The sweep's combinations, each expanded into its strategy file text and parsed.
struct Candidates {
  std::vector<Params> combos;
  std::vector<std::string> texts;
  std::vector<StrategySpec> specs;
};

Result<Candidates> ExpandCandidates(const WalkForwardInput& in) {
  Candidates c;
  c.combos = Combinations(in.axes);
  for (const Params& p : c.combos) {
    KAIROS_ASSIGN_OR_RETURN(std::string text, ExpandPlaceholders(in.source, p));
    KAIROS_ASSIGN_OR_RETURN(StrategySpec spec, engine::ParseStrategy(text, in.file_name));
    c.texts.push_back(std::move(text));
    c.specs.push_back(std::move(spec));
  }
  return c;
}

// Every (fold, combination) training run at once: the pool stays busy across folds. Only the
// metrics are kept; item i is fold i / combos, combination i % combos.
Result<std::vector<engine::Metrics>> TrainEveryCombination(const FoldPlan& plan,
                                                           const Candidates& c, int threads,
                                                           const BacktestRunner& run) {
  const size_t nc = c.combos.size();
  using Trained = Result<engine::Metrics>;
  std::vector<Trained> trained =
      ParallelMap<Trained>(plan.folds.size() * nc, threads, [&](size_t i) -> Trained {
        const Fold& f = plan.folds[i / nc];
        BacktestOptions options{f.train.from, f.train.to};
        KAIROS_ASSIGN_OR_RETURN(BacktestResult r, run(c.specs[i % nc], c.texts[i % nc], options));
        return r.metrics;
      });
  std::vector<engine::Metrics> metrics;
  metrics.reserve(trained.size());
  for (size_t i = 0; i < trained.size(); ++i) {
    if (!trained[i].ok()) {
      return trained[i].status().WithContext(fmt::format(
          "walk-forward fold {} training ({} .. {}), combination {} ({})", i / nc + 1,
          plan.folds[i / nc].train.from.ToString(), plan.folds[i / nc].train.to.ToString(),
          i % nc + 1, Describe(c.combos[i % nc])));
    }
    metrics.push_back(std::move(*trained[i]));
  }
  return metrics;
}

// Chooses fold `f`'s combination by its training metrics (one per combination): the best
// defined metric wins; a tie keeps the earlier combination (strict >). When the metric is
// undefined for all, the first is taken and a note says so.
FoldResult ChooseOnTraining(const Fold& f, std::span<const engine::Metrics> trained,
                            const Candidates& c, std::string_view rank_by,
                            std::vector<std::string>& notes) {
  FoldResult fr;
  fr.fold = f;
  std::optional<double> best;
  for (size_t k = 0; k < trained.size(); ++k) {
    std::optional<double> key = RankKey(trained[k], rank_by);
    if (key && !std::isnan(*key) && (!best || *key > *best)) {
      best = key;
      fr.chosen = k;
    }
  }
  if (!best) {
    fr.train_metric_undefined_for_all = true;
    notes.push_back(fmt::format(
        "fold {}: {} is undefined for every combination on the training window; the first "
        "combination ({}) was taken",
        f.number, rank_by, Describe(c.combos[0])));
  }
  fr.params = c.combos[fr.chosen];
  fr.train_metric = MetricValue(trained[fr.chosen], rank_by);
  return fr;
}

// Runs the chosen combination over fold `fr`'s test window, starting with `capital` (the equity
// the previous test window ended with) or, for the first fold, the strategy's allocation.
Status RunTestWindow(FoldResult& fr, bool first, int64_t capital, const Candidates& c,
                     std::string_view rank_by, const BacktestRunner& run) {
  const Fold& f = fr.fold;
  StrategySpec spec = c.specs[fr.chosen];
  if (!first) {
    if (capital <= 0) {
      return Status::FailedPrecondition(
          fmt::format("walk-forward fold {}: no capital left to test with (equity {} minor "
                      "units at the end of fold {})",
                      f.number, capital, f.number - 1));
    }
    spec.allocation = capital;
  }
  fr.test_starting_equity = spec.allocation;
  BacktestOptions options{f.test.from, f.test.to};
  auto tested = run(spec, c.texts[fr.chosen], options);
  if (!tested.ok()) {
    return tested.status().WithContext(fmt::format("walk-forward fold {} test ({} .. {}), {}",
                                                   f.number, f.test.from.ToString(),
                                                   f.test.to.ToString(), Describe(fr.params)));
  }
  fr.test = std::move(*tested);
  const Summary& s = fr.test.report.summary;
  fr.test_metric = MetricValue(fr.test.metrics, rank_by);
  fr.test_final_equity = s.final_equity;
  fr.test_return_percent = s.total_return;
  return Status::Ok();
}

// The test windows chained into the out-of-sample run, fold by fold.
struct Stitched {
  std::vector<DailyPnl> daily;
  std::vector<engine::Trade> trades;
};

// Appends fold `fr`'s sessions, then its trades. A position still open at the end of a fold that
// is not the last leaves the out-of-sample run at that close (its mark is in the equity the next
// fold starts from), so it becomes a closed trade there and counts in the fold's trades: the
// folds' trades sum to the stitched run's.
Status StitchFold(FoldResult& fr, bool first, bool last, const CloseLookup& close,
                  Stitched& stitched, Report& oos) {
  const Summary& s = fr.test.report.summary;
  const Date end = fr.fold.test.to;
  fr.test_trades = s.trades + (last ? 0 : s.open_trades);
  stitched.daily.insert(stitched.daily.end(), fr.test.daily.begin(), fr.test.daily.end());
  KAIROS_CHECK(fr.test.trades.size() == fr.test.report.trades.size());
  for (size_t t = 0; t < fr.test.trades.size(); ++t) {
    engine::Trade trade = fr.test.trades[t];
    TradeRow row = fr.test.report.trades[t];
    if (!trade.closed() && !last) {
      KAIROS_ASSIGN_OR_RETURN(std::optional<Price> price, close(trade.symbol, end));
      trade.exit_date = row.exit_date = end;
      if (price) trade.exit_price = *price;
      row.exit_price = price;
      trade.pnl = row.pnl;
      trade.exit_reason = row.exit_reason = std::string(kFoldEnd);
    }
    stitched.trades.push_back(std::move(trade));
    oos.trades.push_back(std::move(row));
  }
  oos.summary.realized_pnl += s.realized_pnl + (last ? 0 : s.unrealized_pnl);
  oos.summary.fees += s.fees;
  if (last) {
    oos.summary.unrealized_pnl = s.unrealized_pnl;
    oos.summary.open_trades = s.open_trades;
    oos.summary.final_equity = s.final_equity;
  }
  if (first) {
    oos.summary.strategy = s.strategy;
    oos.summary.currency = s.currency;
    oos.summary.starting_equity = s.starting_equity;
  }
  return Status::Ok();
}

// The stitched run's figures come from the same analytics as a single backtest's, over the
// concatenated daily rows: equity chains across folds, so its returns compound. Then the
// in-sample and out-of-sample averages.
void FinishOutOfSample(const FoldPlan& plan, const Stitched& stitched, std::string_view rank_by,
                       WalkForwardResult& out) {
  Report& oos = out.out_of_sample;
  Summary& s = oos.summary;
  s.from = plan.folds.front().test.from;
  s.to = plan.folds.back().test.to;
  s.sessions = static_cast<int>(stitched.daily.size());
  engine::Metrics& m = out.out_of_sample_metrics;
  if (!stitched.daily.empty()) {
    m = engine::ComputeMetrics(stitched.daily, stitched.trades);
    for (const engine::EquityPoint& p : engine::EquityCurve(stitched.daily)) {
      oos.equity.push_back({p.date, p.equity, p.drawdown});
    }
    for (const engine::MonthlyPnl& mp : engine::Monthly(stitched.daily)) {
      oos.monthly.push_back({mp.year, mp.month, mp.return_percent});
    }
  }
  SetMetrics(s, m);

  std::vector<std::optional<double>> train, test;
  for (const FoldResult& fr : out.folds) {
    train.push_back(fr.train_metric);
    test.push_back(fr.test_metric);
  }
  out.mean_train_metric = Mean(train);
  out.mean_test_metric = Mean(test);
  out.out_of_sample_metric = stitched.daily.empty() ? std::nullopt : MetricValue(m, rank_by);
}

}  // namespace

Result<WalkForwardResult> RunWalkForward(const WalkForwardInput& in, const BacktestRunner& run,
                                         const CloseLookup& close) {
  KAIROS_ASSIGN_OR_RETURN(FoldPlan plan, PlanFolds(in.sessions, in.spec, in.spec_arg));
  KAIROS_ASSIGN_OR_RETURN(Candidates c, ExpandCandidates(in));
  KAIROS_ASSIGN_OR_RETURN(std::vector<engine::Metrics> trained,
                          TrainEveryCombination(plan, c, in.threads, run));

  WalkForwardResult out;
  for (const SweepAxis& a : in.axes) out.param_names.push_back(a.name);
  const size_t nc = c.combos.size();
  out.combinations = nc;
  out.untested_sessions = plan.untested_sessions;

  // The folds in order: each test window starts with the equity the previous one ended with.
  Stitched stitched;
  int64_t capital = 0;
  for (size_t k = 0; k < plan.folds.size(); ++k) {
    const bool first = k == 0, last = k + 1 == plan.folds.size();
    FoldResult fr = ChooseOnTraining(plan.folds[k], std::span(trained).subspan(k * nc, nc), c,
                                     in.rank_by, out.notes);
    KAIROS_RETURN_IF_ERROR(RunTestWindow(fr, first, capital, c, in.rank_by, run));
    capital = fr.test_final_equity;
    KAIROS_RETURN_IF_ERROR(StitchFold(fr, first, last, close, stitched, out.out_of_sample));
    out.folds.push_back(std::move(fr));
  }
  FinishOutOfSample(plan, stitched, in.rank_by, out);
  return out;
}

std::vector<std::string> FoldColumns(const WalkForwardResult& r, std::string_view metric) {
  std::vector<std::string> cols = {"fold", "train_from", "train_to", "test_from", "test_to"};
  cols.insert(cols.end(), r.param_names.begin(), r.param_names.end());
  cols.push_back(fmt::format("train_{}", metric));
  cols.push_back(fmt::format("test_{}", metric));
  cols.push_back("test_return_percent");
  cols.push_back("test_trades");
  return cols;
}

std::vector<std::vector<std::string>> FoldRows(const WalkForwardResult& r) {
  std::vector<std::vector<std::string>> rows;
  for (const FoldResult& fr : r.folds) {
    std::vector<std::string> row = {std::to_string(fr.fold.number), fr.fold.train.from.ToString(),
                                    fr.fold.train.to.ToString(), fr.fold.test.from.ToString(),
                                    fr.fold.test.to.ToString()};
    for (const std::string& name : r.param_names) row.push_back(fr.params.at(name));
    row.push_back(Ratio(fr.train_metric));
    row.push_back(Ratio(fr.test_metric));
    row.push_back(Ratio(fr.test_return_percent));
    row.push_back(std::to_string(fr.test_trades));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string WalkForwardCsv(const WalkForwardResult& r, std::string_view metric) {
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + CsvCell(cells[i]);
    out += '\n';
  };
  line(FoldColumns(r, metric));
  for (const auto& row : FoldRows(r)) line(row);
  return out;
}

Status WriteWalkForward(const WalkForwardResult& r, std::string_view metric,
                        const std::filesystem::path& dir) {
  KAIROS_RETURN_IF_ERROR(WriteReport(r.out_of_sample, dir));
  return WriteReportFile(dir / "walk_forward.csv", WalkForwardCsv(r, metric));
}

}  // namespace kairos::backtest
