#include "app/cli.h"

namespace kairos::app {

void AddScanCommands(CLI::App& /*app*/, CliContext& /*ctx*/) {}

}  // namespace kairos::app
