#include <fmt/core.h>

#include "app/cli.h"
#include "calendar/calendar.h"

namespace kairos::app {
namespace {

std::string Hhmm(int minute) { return fmt::format("{:02}:{:02}", minute / 60, minute % 60); }

struct SessionsArgs {
  std::string exchange = "NYSE";
  std::string from;
  std::string to;
};

void RunSessions(const SessionsArgs& args, CliContext& ctx) {
  auto cal = calendar::ExchangeCalendar::ForExchange(args.exchange);
  if (!cal.ok()) return ctx.Fail(cal.status());
  auto from = Date::Parse(args.from);
  if (!from.ok()) return ctx.Fail(from.status().WithContext("--from"));
  auto to = Date::Parse(args.to);
  if (!to.ok()) return ctx.Fail(to.status().WithContext("--to"));
  if (*to < *from) return ctx.Fail(fmt::format("--to {} is before --from {}", args.to, args.from));
  if (Status covered = (*cal)->CheckCovers(*from, *to); !covered.ok()) return ctx.Fail(covered);
  std::string out;
  for (Date d : (*cal)->Sessions(*from, *to)) {
    auto session = (*cal)->SessionOf(d);
    if (!session.ok()) return ctx.Fail(session.status());
    out += fmt::format("{},{},{}\n", d.ToString(), Hhmm(session->open_minute_local),
                       Hhmm(session->close_minute_local));
  }
  fmt::print("{}", out);
}

}  // namespace

void AddCalendarCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* cal = app.add_subcommand("calendar", "Exchange trading calendars");
  cal->require_subcommand(1);
  auto args = std::make_shared<SessionsArgs>();
  CLI::App* sessions = cal->add_subcommand(
      "sessions", "Print one line per session: date,open,close (exchange-local times)");
  sessions->add_option("--exchange", args->exchange, "NYSE, NSE or WEEKDAYS")
      ->capture_default_str();
  sessions->add_option("--from", args->from, "First date, YYYY-MM-DD")->required();
  sessions->add_option("--to", args->to, "Last date, YYYY-MM-DD")->required();
  sessions->callback([args, &ctx] { RunSessions(*args, ctx); });
}

}  // namespace kairos::app
