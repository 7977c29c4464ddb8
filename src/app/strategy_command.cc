#include "app/cli.h"

namespace kairos::app {

void AddStrategyCommands(CLI::App& /*app*/, CliContext& /*ctx*/) {}

}  // namespace kairos::app
