// `kairos broker status`: the broker [broker] configures, and whether it answers.
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "adapters/alpaca/credentials.h"
#include "app/broker_wiring.h"
#include "app/cli.h"
#include "app/config.h"
#include "core/fixed_point.h"

namespace kairos::app {
namespace {

namespace fs = std::filesystem;

// Minor units as a decimal amount of `currency` ("99800.00").
std::string Amount(int64_t minor, const std::string& currency) {
  auto c = Currency::FromCode(currency);
  return c.ok() ? Money(minor, *c).ToString() : std::to_string(minor);
}

// One row: kind, url, account, status, currency, cash, equity, buying power, connection. When
// the broker does not answer the row says so and the command fails (exit 1) after printing it.
Status BrokerStatus(CliContext& ctx) {
  KAIROS_ASSIGN_OR_RETURN(fs::path home, ctx.Home());
  KAIROS_ASSIGN_OR_RETURN(DaemonConfig config, LoadConfig(home));
  const BrokerSettings& b = config.broker;
  Table t;
  t.columns = {"kind", "base_url", "account",      "status",    "currency",
               "cash", "equity",   "buying_power", "connection"};
  if (b.kind == "paper") {
    t.rows.push_back({"paper", "", "paper", "simulated", "", "", "", "", "in-process"});
    t.Print(ctx.format);
    return Status::Ok();
  }
  if (b.kind == "kite") {
    return Status::FailedPrecondition(
        "[broker] kind \"kite\": this build has no Kite Connect adapter yet; use \"paper\" or "
        "\"alpaca\"");
  }
  KAIROS_ASSIGN_OR_RETURN(auto broker, MakeAlpacaBroker(b, alpaca::ProcessEnv()));
  std::string url = b.base_url.empty() ? alpaca::AlpacaConfig{}.base_url : b.base_url;
  Result<alpaca::AlpacaAccount> account = broker->AccountDetails();
  if (!account.ok()) {
    t.rows.push_back({"alpaca", url, "", "", "", "", "", "", account.status().message()});
    t.Print(ctx.format);
    return account.status();
  }
  const alpaca::AlpacaAccount& a = *account;
  std::string status = a.status;
  if (a.trading_blocked) status += " (trading blocked)";
  if (a.account_blocked) status += " (account blocked)";
  t.rows.push_back({"alpaca", url, a.account_number, status, a.currency, Amount(a.cash, a.currency),
                    Amount(a.equity, a.currency), Amount(a.buying_power, a.currency), "ok"});
  t.Print(ctx.format);
  return Status::Ok();
}

}  // namespace

void AddBrokerCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* broker =
      app.add_subcommand("broker", "The broker orders go to ([broker] in kairos.toml)");
  broker->require_subcommand(1);
  CLI::App* status =
      broker->add_subcommand("status", "Kind, account, buying power and whether it answers");
  AddFormatOption(status, ctx);
  status->callback([&ctx] {
    Status st = BrokerStatus(ctx);
    if (!st.ok()) ctx.Fail(st);
  });
}

}  // namespace kairos::app
