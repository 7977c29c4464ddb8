#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/status.h"

namespace kairos::app {

enum class OutputFormat { kTable, kCsv, kJson };

// What every command shares: where the data lives and how to print. Filled by the top-level
// options before a subcommand callback runs.
struct CliContext {
  std::string home_flag;  // --home
  OutputFormat format = OutputFormat::kTable;
  int exit_code = 0;

  // --home, else $KAIROS_HOME, else $HOME/.kairos (documented in README.md).
  std::filesystem::path Home() const;
  // Prints "kairos: error: <message>" to stderr and sets the exit code to 1.
  void Fail(const Status& status);
  void Fail(const std::string& message);
};

// A result set printed as an aligned table, CSV or JSON (an array of objects; cells that parse as
// numbers are JSON numbers).
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  void Print(OutputFormat format, std::FILE* out = stdout) const;
};

// Adds `--format table|csv|json` to a command.
void AddFormatOption(CLI::App* cmd, CliContext& ctx);

void AddCalendarCommands(CLI::App& app, CliContext& ctx);
void AddDataCommands(CLI::App& app, CliContext& ctx);
void AddTaCommand(CLI::App& app, CliContext& ctx);
void AddBenchCommands(CLI::App& app, CliContext& ctx);
void AddScanCommands(CLI::App& app, CliContext& ctx);      // scan, universe (scan_command.cc)
void AddStrategyCommands(CLI::App& app, CliContext& ctx);  // strategy, pnl (strategy_command.cc)
void AddTradingCommands(CLI::App& app, CliContext& ctx);   // run-day, signals, orders, fills,
                                                           // positions, halt, resume
void AddBacktestCommands(CLI::App& app, CliContext& ctx);  // backtest (backtest_command.cc)

}  // namespace kairos::app
