// `kairos user` and `kairos token`: the accounts of the HTTP API, managed on the daemon's host.
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "app/accounts.h"
#include "app/cli.h"
#include "app/paper_wiring.h"
#include "ports/clock.h"
#include "ports/store_errors.h"

namespace kairos::app {
namespace {

namespace fs = std::filesystem;

// One line of stdin without its line end; an empty line when stdin ends first.
std::string ReadLine() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Reads a line from the terminal with echo off, after printing `prompt` on stderr.
std::string ReadHidden(const char* prompt) {
  fmt::print(stderr, "{}", prompt);
  std::fflush(stderr);
  termios old_mode{};
  const bool restore = tcgetattr(STDIN_FILENO, &old_mode) == 0;
  if (restore) {
    termios quiet = old_mode;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line = ReadLine();
  if (restore) tcsetattr(STDIN_FILENO, TCSAFLUSH, &old_mode);
  fmt::print(stderr, "\n");
  return line;
}

// The new password: one line of stdin with --password-stdin, else typed twice on the terminal.
Result<std::string> NewPassword(bool from_stdin) {
  if (from_stdin) return ReadLine();
  if (isatty(STDIN_FILENO) == 0) {
    return Status::InvalidArgument(
        "no terminal to ask for the password on: pipe it in with --password-stdin");
  }
  std::string first = ReadHidden("Password: ");
  std::string second = ReadHidden("Password again: ");
  if (first != second) return Status::InvalidArgument("the two passwords differ");
  return first;
}

struct UserArgs {
  std::string name;
  std::string role;
  bool password_stdin = false;
};

struct TokenArgs {
  std::string name;
  std::string role;
  std::string user;
};

const ports::WallClock kClock{};

Status UserAdd(const UserArgs& args, CliContext& ctx) {
  KAIROS_ASSIGN_OR_RETURN(std::string password, NewPassword(args.password_stdin));
  KAIROS_ASSIGN_OR_RETURN(fs::path home, ctx.Home());
  KAIROS_ASSIGN_OR_RETURN(auto store, OpenTradingStore(home, Access::kWrite));
  KAIROS_ASSIGN_OR_RETURN(auto user,
                          AddUser({*store, kClock, "cli"}, args.name, args.role, password));
  fmt::print("user {} added ({})\n", user.name, user.role);
  return Status::Ok();
}

Status UserList(CliContext& ctx) {
  KAIROS_ASSIGN_OR_RETURN(fs::path home, ctx.Home());
  KAIROS_ASSIGN_OR_RETURN(auto store, OpenTradingStore(home, Access::kRead));
  KAIROS_ASSIGN_OR_RETURN(auto users, store->accounts().ListUsers());
  UsersTable(users).Print(ctx.format);
  return Status::Ok();
}

Status UserRemove(const UserArgs& args, CliContext& ctx) {
  KAIROS_ASSIGN_OR_RETURN(fs::path home, ctx.Home());
  KAIROS_ASSIGN_OR_RETURN(auto store, OpenTradingStore(home, Access::kWrite));
  KAIROS_RETURN_IF_ERROR(RemoveUser({*store, kClock, "cli"}, args.name));
  fmt::print("user {} removed (its sessions ended, its tokens revoked)\n", args.name);
  return Status::Ok();
}

Status UserPasswd(const UserArgs& args, CliContext& ctx) {
  KAIROS_ASSIGN_OR_RETURN(fs::path home, ctx.Home());
  KAIROS_ASSIGN_OR_RETURN(auto store, OpenTradingStore(home, Access::kWrite));
  KAIROS_ASSIGN_OR_RETURN(auto user, store->accounts().GetUser(args.name));
  if (!user) return ports::NoUserNamed(args.name);
  KAIROS_ASSIGN_OR_RETURN(std::string password, NewPassword(args.password_stdin));
  KAIROS_RETURN_IF_ERROR(SetUserPassword({*store, kClock, "cli"}, args.name, password));
  fmt::print("password of {} changed (its sessions ended)\n", args.name);
  return Status::Ok();
}

// The token alone on stdout (for `TOKEN=$(kairos token create ...)`), the note on stderr.
Status TokenCreate(const TokenArgs& args, CliContext& ctx) {
  KAIROS_ASSIGN_OR_RETURN(fs::path home, ctx.Home());
  KAIROS_ASSIGN_OR_RETURN(auto store, OpenTradingStore(home, Access::kWrite));
  std::string user = args.user;
  if (user.empty()) {
    KAIROS_ASSIGN_OR_RETURN(user, SoleAdmin(*store));
  }
  KAIROS_ASSIGN_OR_RETURN(
      auto created, CreateToken({*store, kClock, "cli"}, args.name, args.role, user, "admin"));
  fmt::print(stderr,
             "API token {} ({}, acting for {}): shown this once; send it as "
             "`Authorization: Bearer TOKEN`\n",
             created.record.name, created.record.role, created.record.user);
  fmt::print("{}\n", created.token);
  return Status::Ok();
}

Status TokenList(CliContext& ctx) {
  KAIROS_ASSIGN_OR_RETURN(fs::path home, ctx.Home());
  KAIROS_ASSIGN_OR_RETURN(auto store, OpenTradingStore(home, Access::kRead));
  KAIROS_ASSIGN_OR_RETURN(auto tokens, store->accounts().ListTokens());
  TokensTable(tokens).Print(ctx.format);
  return Status::Ok();
}

Status TokenRevoke(const TokenArgs& args, CliContext& ctx) {
  KAIROS_ASSIGN_OR_RETURN(fs::path home, ctx.Home());
  KAIROS_ASSIGN_OR_RETURN(auto store, OpenTradingStore(home, Access::kWrite));
  KAIROS_RETURN_IF_ERROR(RevokeToken({*store, kClock, "cli"}, args.name));
  fmt::print("API token {} revoked\n", args.name);
  return Status::Ok();
}

template <typename F>
void Do(CliContext& ctx, F f) {
  Status st = f();
  if (!st.ok()) ctx.Fail(st);
}

void AddUserCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* user =
      app.add_subcommand("user", "Accounts of the HTTP API: add, list, remove, passwd");
  user->require_subcommand(1);
  auto args = std::make_shared<UserArgs>();
  const char* kStdin = "Read the password from stdin (one line) instead of prompting";

  CLI::App* add = user->add_subcommand("add", "Add an account");
  add->add_option("name", args->name, "The account's name")->required();
  add->add_option("--role", args->role, "viewer, trader or admin")
      ->required()
      ->check(CLI::IsMember({"viewer", "trader", "admin"}));
  add->add_flag("--password-stdin", args->password_stdin, kStdin);
  add->callback([args, &ctx] { Do(ctx, [&] { return UserAdd(*args, ctx); }); });

  CLI::App* list = user->add_subcommand("list", "The accounts");
  AddFormatOption(list, ctx);
  list->callback([&ctx] { Do(ctx, [&] { return UserList(ctx); }); });

  CLI::App* remove = user->add_subcommand("remove", "Remove an account (its tokens are revoked)");
  remove->add_option("name", args->name, "The account")->required();
  remove->callback([args, &ctx] { Do(ctx, [&] { return UserRemove(*args, ctx); }); });

  CLI::App* passwd = user->add_subcommand("passwd", "Set an account's password");
  passwd->add_option("name", args->name, "The account")->required();
  passwd->add_flag("--password-stdin", args->password_stdin, kStdin);
  passwd->callback([args, &ctx] { Do(ctx, [&] { return UserPasswd(*args, ctx); }); });
}

void AddTokenCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* token = app.add_subcommand("token", "API tokens for scripts: create, list, revoke");
  token->require_subcommand(1);
  auto args = std::make_shared<TokenArgs>();

  CLI::App* create = token->add_subcommand("create", "Create a token; it is printed once");
  create->add_option("name", args->name, "The token's name")->required();
  create->add_option("--role", args->role, "viewer, trader or admin (at most its user's)")
      ->required()
      ->check(CLI::IsMember({"viewer", "trader", "admin"}));
  create->add_option("--user", args->user, "The account it acts for (default: the only admin)");
  create->callback([args, &ctx] { Do(ctx, [&] { return TokenCreate(*args, ctx); }); });

  CLI::App* list = token->add_subcommand("list", "The tokens (never the secrets)");
  AddFormatOption(list, ctx);
  list->callback([&ctx] { Do(ctx, [&] { return TokenList(ctx); }); });

  CLI::App* revoke = token->add_subcommand("revoke", "Revoke a token");
  revoke->add_option("name", args->name, "The token")->required();
  revoke->callback([args, &ctx] { Do(ctx, [&] { return TokenRevoke(*args, ctx); }); });
}

}  // namespace

void AddAccountCommands(CLI::App& app, CliContext& ctx) {
  AddUserCommands(app, ctx);
  AddTokenCommands(app, ctx);
}

}  // namespace kairos::app
