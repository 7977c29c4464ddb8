#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "core/result.h"
#include "core/status.h"

namespace kairos::app {

// kairos's version: `kairos --version`, /healthz and the OpenAPI document.
inline constexpr std::string_view kKairosVersion = "0.1.0";

enum class OutputFormat { kTable, kCsv, kJson };

// What every command shares: where the data lives and how to print. Filled by the top-level
// options before a subcommand callback runs.
struct CliContext {
  std::string home_flag;                     // --home
  const CLI::Option* home_option = nullptr;  // given (even empty) when count() > 0
  const CLI::App* root = nullptr;            // the parsed command line, to tell which command runs
  OutputFormat format = OutputFormat::kTable;
  int exit_code = 0;

  // The home of the running command: --home, else $KAIROS_HOME, else $HOME/.kairos (README.md
  // "Where data lives"). An empty --home or KAIROS_HOME, or no usable HOME, is an error. Only the
  // commands that store new data (CommandCreatesHome) create a missing home; every other command
  // fails with "no kairos home at PATH", so a mistyped home never becomes a new, empty one.
  Result<std::filesystem::path> Home() const;
  // Prints "kairos: error: <message>" (control characters escaped) to stderr and sets the exit
  // code to 1.
  void Fail(const Status& status);
  void Fail(const std::string& message);
};

// Whether `command` ("data import", "strategy list", ...) stores new data and so may create the
// home. The one list of such commands.
bool CommandCreatesHome(std::string_view command);

// `text` made safe for a terminal: control characters (C0 except the newline, DEL, C1) and bytes
// that are not UTF-8 become visible escapes (\x1b, \t, \u009b), so input echoed in a message or
// a table cannot move the cursor, recolour or retitle the terminal. With `keep_newlines` false a
// newline is escaped too (a table cell stays on its line).
std::string TerminalSafe(std::string_view text, bool keep_newlines = true);

// A result set printed as an aligned table, CSV or JSON (an array of objects; cells that parse as
// numbers are JSON numbers). Table and CSV cells are printed TerminalSafe; JSON escapes control
// characters itself.
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  void Print(OutputFormat format, std::FILE* out = stdout) const;
  // What Print writes, as text.
  std::string Render(OutputFormat format) const;
  // The table with only `names` of its columns, in that order (names it lacks are left out).
  Table Select(const std::vector<std::string_view>& names) const;

 private:
  void PrintSafe(OutputFormat format, std::FILE* out) const;  // cells already TerminalSafe
};

// The rows of `table` as `--format json` prints them: an array of objects in column order, a
// whole-number cell as a JSON integer, another cell that parses as a number as a JSON number. The
// HTTP API's lists are this too.
nlohmann::ordered_json TableJson(const Table& table);

// Makes an empty value of any option or argument of `app` and its subcommands a usage error
// (`--symbol ''` is refused, never taken as "no --symbol"). Call after every command is added.
void RefuseEmptyValues(CLI::App& app);

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
void AddInitCommand(CLI::App& app, CliContext& ctx);       // init (init_command.cc)
void AddServeCommand(CLI::App& app, CliContext& ctx);      // serve (serve_command.cc)
void AddJobsCommands(CLI::App& app, CliContext& ctx);      // jobs, alerts (jobs_command.cc)
void AddAccountCommands(CLI::App& app, CliContext& ctx);   // user, token (account_commands.cc)
void AddBrokerCommands(CLI::App& app, CliContext& ctx);    // broker (broker_command.cc)

}  // namespace kairos::app
