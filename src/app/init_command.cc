// `kairos init`: sets up a home with a commented kairos.toml (every key at its default) and a
// migrated HOME/kairos.db.
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <fmt/core.h>

#include "app/cli.h"
#include "app/config.h"
#include "app/paper_wiring.h"

namespace kairos::app {
namespace {

namespace fs = std::filesystem;

// Writes `text` to `path` through a temporary file renamed over it, so a reader never sees half.
Status WriteWhole(const fs::path& path, const std::string& text) {
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) return Status::IOError(fmt::format("cannot write {}", tmp.string()));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return Status::IOError(fmt::format("cannot write {}: {}", path.string(), ec.message()));
  }
  return Status::Ok();
}

Status RunInit(bool force, const CliContext& ctx) {
  KAIROS_ASSIGN_OR_RETURN(fs::path home, ctx.Home());
  fs::path config = home / kConfigFileName;
  std::error_code ec;
  if (!force && fs::exists(fs::symlink_status(config, ec))) {
    return Status::AlreadyExists(
        fmt::format("{} exists and was left as it is (`kairos init --force` replaces it with the "
                    "defaults)",
                    config.string()));
  }
  KAIROS_RETURN_IF_ERROR(WriteWhole(config, ConfigTemplate()));
  fmt::print("wrote {} (every key at its default, commented out)\n", config.string());
  KAIROS_ASSIGN_OR_RETURN(auto store, OpenTradingStore(home, Access::kWrite));
  fmt::print("store {} ready\n", (home / "kairos.db").string());
  return Status::Ok();
}

}  // namespace

void AddInitCommand(CLI::App& app, CliContext& ctx) {
  CLI::App* init = app.add_subcommand(
      "init", "Set up the home: a commented kairos.toml with every default, and the store");
  auto force = std::make_shared<bool>(false);
  init->add_flag("--force", *force, "Replace an existing kairos.toml with the defaults");
  init->callback([force, &ctx] {
    Status s = RunInit(*force, ctx);
    if (!s.ok()) ctx.Fail(s);
  });
}

}  // namespace kairos::app
