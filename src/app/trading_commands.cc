#include "app/cli.h"

namespace kairos::app {

void AddTradingCommands(CLI::App& /*app*/, CliContext& /*ctx*/) {}

}  // namespace kairos::app
