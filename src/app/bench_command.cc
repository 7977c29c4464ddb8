#include <fmt/core.h>

#include "app/cli.h"
#include "indicators/bench_suite.h"

namespace kairos::app {
namespace {

struct BenchArgs {
  int64_t bars = 10'000'000;
  int runs = 5;
};

void RunIndicators(const BenchArgs& args, CliContext& ctx) {
  indicators::IndicatorBenchOptions options;
  options.bars = args.bars;
  options.runs = args.runs;
  auto report = indicators::RunIndicatorBench(options);
  if (!report.ok()) return ctx.Fail(report.status());
  std::string out = "indicator,ns_per_bar\n";
  for (const auto& row : report->rows) out += fmt::format("{},{:.3f}\n", row.label, row.ns_per_bar);
  fmt::print("{}", out);
  for (const auto& label : report->skipped) {
    fmt::print(stderr, "skipped {}: indicator not registered\n", label);
  }
}

}  // namespace

void AddBenchCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* bench = app.add_subcommand("bench", "Measure kairos on this machine");
  bench->require_subcommand(1);
  auto args = std::make_shared<BenchArgs>();
  CLI::App* ind = bench->add_subcommand(
      "indicators", "Time the standard indicators on one random walk: indicator,ns_per_bar");
  ind->add_option("--bars", args->bars, "Bars in the series")
      ->check(CLI::Range(int64_t{1000}, int64_t{1'000'000'000}))
      ->capture_default_str();
  ind->add_option("--runs", args->runs, "Best of this many runs")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  ind->callback([args, &ctx] { RunIndicators(*args, ctx); });
}

}  // namespace kairos::app
