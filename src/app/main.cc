// kairos: the command-line entry point. Wires modules together; holds no trading logic.
#include <exception>
#include <new>
#include <string>

#include <CLI/CLI.hpp>

#include "app/cli.h"

int main(int argc, char** argv) {
  using kairos::app::CliContext;
  CLI::App app{
      "kairos: rule-based end-of-day trading: market data, calendars, indicators and scans.\n"
      "Data lives under --home, $KAIROS_HOME or ~/.kairos."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "kairos " + std::string(kairos::app::kKairosVersion));
  CliContext ctx;
  ctx.root = &app;
  ctx.home_option =
      app.add_option("--home", ctx.home_flag, "Data directory (default: $KAIROS_HOME or ~/.kairos)")
          ->envname("KAIROS_HOME");
  app.failure_message([](const CLI::App* a, const CLI::Error& e) {
    return "kairos: error: " + kairos::app::TerminalSafe(CLI::FailureMessage::simple(a, e));
  });
  kairos::app::AddCalendarCommands(app, ctx);
  kairos::app::AddDataCommands(app, ctx);
  kairos::app::AddTaCommand(app, ctx);
  kairos::app::AddBenchCommands(app, ctx);
  kairos::app::AddScanCommands(app, ctx);
  kairos::app::AddStrategyCommands(app, ctx);
  kairos::app::AddTradingCommands(app, ctx);
  kairos::app::AddBacktestCommands(app, ctx);
  kairos::app::AddInitCommand(app, ctx);
  kairos::app::AddServeCommand(app, ctx);
  kairos::app::AddJobsCommands(app, ctx);
  kairos::app::AddAccountCommands(app, ctx);
  kairos::app::AddBrokerCommands(app, ctx);
  kairos::app::RefuseEmptyValues(app);
  // Commands run inside parse(); nothing they throw may end the process without a message.
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);    // prints help, the version or the usage error
    return code == 0 ? 0 : 2;  // usage errors exit 2; failures of a command exit 1
  } catch (const std::bad_alloc&) {
    ctx.Fail("out of memory");
  } catch (const std::exception& e) {
    ctx.Fail(std::string("unexpected failure: ") + e.what());
  } catch (...) {
    ctx.Fail("unexpected failure (an exception that is no std::exception)");
  }
  return ctx.exit_code;
}
