// `kairos broker status`: the broker [broker] configures, and whether it answers;
// `kairos broker login --request-token T`: the day's Kite session.
#include <cstdio>
#include <filesystem>
#include <memory>
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
    KAIROS_ASSIGN_OR_RETURN(auto broker, MakeKiteBroker(b, home, alpaca::ProcessEnv()));
    std::string url = b.base_url.empty() ? kite::KiteConfig{}.base_url : b.base_url;
    Result<Account> account = broker->GetAccount();
    if (!account.ok()) {
      bool expired = account.status().message().find("session") != std::string::npos;
      t.rows.push_back({"kite", url, "", expired ? "session expired: kairos broker login" : "", "",
                        "", "", "", account.status().message()});
      t.Print(ctx.format);
      return account.status();
    }
    t.rows.push_back({"kite", url, "", "session valid", account->currency,
                      Amount(account->cash, account->currency),
                      Amount(account->equity, account->currency),
                      Amount(account->cash, account->currency), "ok"});
    t.Print(ctx.format);
    return Status::Ok();
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

  auto request_token = std::make_shared<std::string>();
  CLI::App* login = broker->add_subcommand(
      "login", "Kite: exchange the login's request token for the day's access token");
  login
      ->add_option("--request-token", *request_token,
                   "The request_token of the Kite login redirect")
      ->required();
  login->callback([request_token, &ctx] {
    Status st = [&]() -> Status {
      KAIROS_ASSIGN_OR_RETURN(fs::path home, ctx.Home());
      KAIROS_ASSIGN_OR_RETURN(DaemonConfig config, LoadConfig(home));
      if (config.broker.kind != "kite") {
        return Status::FailedPrecondition("broker login is for [broker] kind = \"kite\"");
      }
      KAIROS_RETURN_IF_ERROR(KiteLogin(config.broker, home, alpaca::ProcessEnv(), *request_token));
      std::printf("kite: logged in; the access token is in %s (valid until 06:00 IST)\n",
                  (home / kKiteSessionFile).c_str());
      return Status::Ok();
    }();
    if (!st.ok()) ctx.Fail(st);
  });
}

}  // namespace kairos::app
