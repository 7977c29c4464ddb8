// Trading commands: run-day, signals, orders, fills, positions, halt, resume. Paper
// mode: the engine over the SQLite store, the bar store and the paper broker (paper_wiring.h).
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "app/cli.h"
#include "app/home_locks.h"
#include "app/paper_wiring.h"
#include "app/trading_actions.h"
#include "app/trading_tables.h"
#include "engine/alerts.h"
#include "engine/kill_switch.h"
#include "engine/trading_day.h"

namespace kairos::app {
namespace {

constexpr int64_t kMinuteNs = 60'000'000'000;

// The wall clock: only app/ reads the real time (STYLE.md #8), here for the time of a person's
// decision on a signal.
std::string Amount(int64_t minor, const Currency& currency) {
  return Money(minor, currency).ToString();
}

// ---- run-day ----

struct RunDayArgs {
  std::string date, from, to;
};

// Sessions not run since the last one and before the first one asked for are run first, in
// order (a bare run-day catches up to the last bar this way): an exit decided on one of them, a
// stop that was hit, is executed when it was due, and no session is skipped silently. Prepends
// them to `sessions`, says so on stderr and in the audit log, and returns them.
Result<std::vector<Date>> CatchUp(PaperSession& paper, std::vector<Date>& sessions) {
  KAIROS_ASSIGN_OR_RETURN(
      std::vector<Date> missed,
      engine::MissedSessions(*paper.store, *paper.calendar, sessions.front(), paper.markers));
  if (missed.empty()) return missed;
  std::string what =
      fmt::format("{} session{} not run since the last one ({}), run before {}: {}", missed.size(),
                  missed.size() == 1 ? "" : "s", paper.calendar->PreviousSession(missed.front()),
                  sessions.front(),
                  missed.size() == 1 ? missed.front().ToString()
                                     : fmt::format("{} .. {}", missed.front(), missed.back()));
  AuditEntry a;
  a.time_ns = ports::WallClock().NowNs();
  a.actor = "cli";
  a.action = "run_day.catch_up";
  a.subject = fmt::format("session:{}", sessions.front());
  a.detail = what;
  KAIROS_RETURN_IF_ERROR(paper.store->audit().Append(a));
  fmt::print(stderr, "note: catching up {}\n", what);
  sessions.insert(sessions.begin(), missed.begin(), missed.end());
  return missed;
}

Status RunDay(const RunDayArgs& args, CliContext& ctx) {
  if (!args.date.empty() && (!args.from.empty() || !args.to.empty())) {
    return Status::InvalidArgument("give --date or --from/--to, not both");
  }
  KAIROS_ASSIGN_OR_RETURN(std::filesystem::path home, ctx.Home());
  KAIROS_ASSIGN_OR_RETURN(std::unique_ptr<PaperSession> paper, OpenPaper(home));
  // One trading run per home: held until the run ends, released by the kernel if it dies.
  KAIROS_ASSIGN_OR_RETURN(FileLock trading_lock, LockTrading(home));
  KAIROS_RETURN_IF_ERROR(CheckStoredAmounts(paper->strategies));
  const calendar::ExchangeCalendar& cal = *paper->calendar;
  KAIROS_ASSIGN_OR_RETURN(Date last_bar, LastBarDate(*paper->bars, home));
  std::vector<Date> sessions;
  if (!args.date.empty()) {
    KAIROS_ASSIGN_OR_RETURN(Date d, ParseDateParam("--date", args.date));
    KAIROS_RETURN_IF_ERROR(cal.CheckCovers(d));
    sessions.push_back(d);  // RunSession says why when it is not a session
  } else if (!args.from.empty() || !args.to.empty()) {
    Date from = last_bar, to = last_bar;
    if (!args.from.empty()) {
      KAIROS_ASSIGN_OR_RETURN(from, ParseDateParam("--from", args.from));
    }
    if (!args.to.empty()) {
      KAIROS_ASSIGN_OR_RETURN(to, ParseDateParam("--to", args.to));
    }
    if (from > to) {
      return Status::InvalidArgument(fmt::format("--from {} is after --to {}", from, to));
    }
    if (to > last_bar) to = last_bar;
    KAIROS_RETURN_IF_ERROR(cal.CheckCovers(from, to));
    sessions = cal.Sessions(from, to);
    if (sessions.empty()) {
      return Status::InvalidArgument(
          fmt::format("no {} session with bars between {} and {} (the last bar is on {})",
                      cal.name(), args.from.empty() ? from.ToString() : args.from,
                      args.to.empty() ? to.ToString() : args.to, last_bar));
    }
  } else {
    if (!cal.IsSession(last_bar)) {
      return Status::FailedPrecondition(
          fmt::format("the last bar ({}) is not a {} session", last_bar, cal.name()));
    }
    sessions.push_back(last_bar);
  }
  if (sessions.front() > last_bar) {
    return Status::InvalidArgument(
        fmt::format("no bars for {} (the last bar is on {})", sessions.front(), last_bar));
  }
  KAIROS_ASSIGN_OR_RETURN(std::vector<Date> missed, CatchUp(*paper, sessions));
  // A fresh paper broker starts two minutes before the first pre-open.
  PaperOptions po;
  if (auto s = cal.SessionOf(sessions.front()); s.ok())
    po.start_ns = s->open.nanos() - 2 * kMinuteNs;
  KAIROS_RETURN_IF_ERROR(paper->StartBroker(po));

  auto currencies = Currencies(paper->strategies);
  Table t;
  t.columns = {"session", "strategy", "signals",  "approved",   "pending", "expired", "orders",
               "fills",   "exits",    "realized", "unrealized", "fees",    "equity",  "run"};
  std::vector<std::string> notes;
  for (Date d : sessions) {
    Result<engine::SessionReport> r = paper->day->RunSession(*paper->clock, d);
    if (!r.ok()) {
      // Whatever ran before stays done; the failing session is reported.
      if (!t.rows.empty()) t.Print(ctx.format);
      return r.status();
    }
    KAIROS_RETURN_IF_ERROR(paper->SaveClock());
    const bool caught_up = !missed.empty() && d <= missed.back();
    std::string run = r->already_done ? "already done" : (caught_up ? "caught up" : "ran");
    if (!r->already_done && r->halted) run += " (halted)";
    if (r->strategies.empty()) {
      t.rows.push_back({d.ToString(), "", "0", "0", "0", std::to_string(r->expired), "0", "0", "0",
                        "", "", "", "", run});
    }
    for (const auto& s : r->strategies) {
      const Currency cur = CurrencyIn(currencies, s.strategy);
      t.rows.push_back(
          {d.ToString(), s.strategy, std::to_string(s.signals), std::to_string(s.approved),
           std::to_string(s.pending), std::to_string(r->expired), std::to_string(s.orders),
           std::to_string(s.fills), std::to_string(s.exits),
           s.pnl ? Amount(s.pnl->realized, cur) : "", s.pnl ? Amount(s.pnl->unrealized, cur) : "",
           s.pnl ? Amount(s.pnl->fees, cur) : "", s.pnl ? Amount(s.pnl->equity, cur) : "", run});
    }
    for (auto& n : r->notes) notes.push_back(fmt::format("{}: {}", d, n));
  }
  t.Print(ctx.format);
  for (const auto& n : notes) fmt::print(stderr, "note: {}\n", TerminalSafe(n));
  return Status::Ok();
}

// ---- signals ----

Status ListSignals(const SignalQuery& query, CliContext& ctx) {
  KAIROS_ASSIGN_OR_RETURN(std::filesystem::path home, ctx.Home());
  KAIROS_ASSIGN_OR_RETURN(auto store, OpenTradingStore(home, Access::kRead));
  KAIROS_ASSIGN_OR_RETURN(Table t, SignalsOf(*store, query, "--"));
  t.Print(ctx.format);
  return Status::Ok();
}

struct DecideArgs {
  int64_t id = 0;
  std::string note;
};

Status Decide(const DecideArgs& args, bool approve, CliContext& ctx) {
  KAIROS_ASSIGN_OR_RETURN(std::filesystem::path home, ctx.Home());
  KAIROS_ASSIGN_OR_RETURN(auto store, OpenTradingStore(home, Access::kWrite));
  KAIROS_ASSIGN_OR_RETURN(
      Signal s, DecideSignal(*store, ports::WallClock(), args.id, approve, "cli", args.note));
  fmt::print("{} signal {}: {} {} {} ({}), execute on {}\n", approve ? "approved" : "rejected",
             args.id, s.strategy, SideName(s.side), s.symbol, s.session, s.execute_on);
  return Status::Ok();
}

// ---- orders, fills, positions ----

Status ListOrders(CliContext& ctx) {
  KAIROS_ASSIGN_OR_RETURN(std::filesystem::path home, ctx.Home());
  KAIROS_ASSIGN_OR_RETURN(auto store, OpenTradingStore(home, Access::kRead));
  KAIROS_ASSIGN_OR_RETURN(Table t, OrdersTable(*store, {}));
  t.Print(ctx.format);
  return Status::Ok();
}

Status ListFills(CliContext& ctx) {
  KAIROS_ASSIGN_OR_RETURN(std::filesystem::path home, ctx.Home());
  KAIROS_ASSIGN_OR_RETURN(auto store, OpenTradingStore(home, Access::kRead));
  KAIROS_ASSIGN_OR_RETURN(Table t, FillsTable(*store, {}));
  t.Print(ctx.format);
  return Status::Ok();
}

Status ListPositions(CliContext& ctx) {
  KAIROS_ASSIGN_OR_RETURN(std::filesystem::path home, ctx.Home());
  KAIROS_ASSIGN_OR_RETURN(auto store, OpenTradingStore(home, Access::kRead));
  KAIROS_ASSIGN_OR_RETURN(auto bars, marketdata::BarStore::Open(home));
  KAIROS_ASSIGN_OR_RETURN(Table t, PositionsTable(*store, bars.get()));
  t.Print(ctx.format);
  return Status::Ok();
}

// ---- halt, resume ----

struct HaltArgs {
  bool squareoff = false;
  std::string reason;
};

Status HaltCommand(const HaltArgs& args, CliContext& ctx) {
  KAIROS_ASSIGN_OR_RETURN(std::filesystem::path home, ctx.Home());
  KAIROS_ASSIGN_OR_RETURN(std::unique_ptr<PaperSession> paper, OpenPaper(home));
  const std::string reason = args.reason.empty() ? "kairos halt" : args.reason;
  Result<FileLock> trading_lock = LockTrading(home);
  if (!trading_lock.ok() && trading_lock.status().code() != StatusCode::kFailedPrecondition) {
    return trading_lock.status();
  }
  if (!trading_lock.ok()) {
    // The kill switch still goes on (the running command sees it before its next order); the
    // cancels and the square-off wait for the trading lock.
    ports::WallClock clock;
    engine::Alerts alerts(*paper->store, clock);
    KAIROS_RETURN_IF_ERROR(
        engine::StoreHalt(*paper->store, clock.NowNs(), "cli", reason, &alerts).status());
    return Status::FailedPrecondition(fmt::format(
        "halt is on, but no open order was cancelled{}: {}; run `kairos halt{}` again then",
        args.squareoff ? " and nothing was squared off" : "", trading_lock.status().message(),
        args.squareoff ? " --squareoff" : ""));
  }
  KAIROS_RETURN_IF_ERROR(paper->StartBroker({}));
  KAIROS_ASSIGN_OR_RETURN(HaltOutcome halt, HaltPaper(*paper, args.squareoff, "cli", reason));
  KAIROS_RETURN_IF_ERROR(paper->SaveClock());
  HaltTable(halt).Print(ctx.format);
  const engine::HaltReport& r = halt.report;
  for (const auto& id : r.cancelled_ids) fmt::print(stderr, "cancelled {}\n", id);
  for (const auto& id : r.squareoff_ids) fmt::print(stderr, "square-off order {}\n", id);
  for (const auto& p : r.problems) fmt::print(stderr, "problem: {}\n", TerminalSafe(p));
  return Status::Ok();
}

Status ResumeCommand(CliContext& ctx) {
  KAIROS_ASSIGN_OR_RETURN(std::filesystem::path home, ctx.Home());
  KAIROS_ASSIGN_OR_RETURN(auto store, OpenTradingStore(home, Access::kWrite));
  KAIROS_ASSIGN_OR_RETURN(FileLock trading_lock, LockTrading(home));
  ports::WallClock clock;
  engine::Alerts alerts(*store, clock);
  KAIROS_ASSIGN_OR_RETURN(bool was, engine::Resume(*store, "cli", clock.NowNs(), &alerts));
  fmt::print("{}\n", was ? "resumed: new orders may reach the broker again"
                         : "not halted: nothing to resume");
  return Status::Ok();
}

void Run(CliContext& ctx, const Status& st) {
  if (!st.ok()) ctx.Fail(st);
}

}  // namespace

void AddTradingCommands(CLI::App& app, CliContext& ctx) {
  auto run_args = std::make_shared<RunDayArgs>();
  CLI::App* run = app.add_subcommand(
      "run-day",
      "Run the trading day's pipeline for sessions under a simulated clock (paper broker): scan, "
      "signals, auto-approval, orders due, fills, exits, end of day. Running a session twice "
      "changes nothing; sessions missed since the last one run are run first");
  run->add_option("--date", run_args->date,
                  "One session (default: the last session with bars, after every session since "
                  "the last one run)");
  run->add_option("--from", run_args->from, "First session of a range");
  run->add_option("--to", run_args->to, "Last session of a range (default: the last bar)");
  AddFormatOption(run, ctx);
  run->callback([run_args, &ctx] { Run(ctx, RunDay(*run_args, ctx)); });

  CLI::App* signals = app.add_subcommand("signals", "Signals: list, approve, reject");
  signals->require_subcommand(1);
  auto list_args = std::make_shared<SignalQuery>();
  CLI::App* list = signals->add_subcommand("list", "List signals");
  list->add_option("--status", list_args->status,
                   "pending_review, approved, rejected, expired, ordered, filled, "
                   "partially_filled, cancelled or failed");
  list->add_option("--date", list_args->date, "The session that produced them");
  list->add_option("--strategy", list_args->strategy, "Only this strategy");
  list->add_option("--from", list_args->from, "Produced on this session or later");
  list->add_option("--to", list_args->to, "Produced on this session or earlier");
  AddFormatOption(list, ctx);
  list->callback([list_args, &ctx] { Run(ctx, ListSignals(*list_args, ctx)); });
  for (bool approve : {true, false}) {
    auto args = std::make_shared<DecideArgs>();
    CLI::App* cmd = signals->add_subcommand(
        approve ? "approve" : "reject",
        approve ? "Approve a signal pending review" : "Reject a signal pending review");
    cmd->add_option("ID", args->id, "Signal id")->required();
    cmd->add_option("--note", args->note, "Why (kept in the audit log)");
    AddFormatOption(cmd, ctx);
    cmd->callback([args, approve, &ctx] { Run(ctx, Decide(*args, approve, ctx)); });
  }

  CLI::App* orders = app.add_subcommand("orders", "Orders");
  orders->require_subcommand(1);
  CLI::App* orders_list = orders->add_subcommand("list", "List orders");
  AddFormatOption(orders_list, ctx);
  orders_list->callback([&ctx] { Run(ctx, ListOrders(ctx)); });

  CLI::App* fills = app.add_subcommand("fills", "Fills");
  fills->require_subcommand(1);
  CLI::App* fills_list =
      fills->add_subcommand("list", "List fills (date, symbol, side, qty, price, fees)");
  AddFormatOption(fills_list, ctx);
  fills_list->callback([&ctx] { Run(ctx, ListFills(ctx)); });

  CLI::App* positions = app.add_subcommand("positions", "Open positions per strategy");
  AddFormatOption(positions, ctx);
  positions->callback([&ctx] { Run(ctx, ListPositions(ctx)); });

  auto halt_args = std::make_shared<HaltArgs>();
  CLI::App* halt = app.add_subcommand(
      "halt", "Kill switch: no new order reaches the broker, open orders are cancelled");
  halt->add_flag("--squareoff", halt_args->squareoff, "Also close every position at market");
  halt->add_option("--reason", halt_args->reason, "Why (kept with the halt)");
  AddFormatOption(halt, ctx);
  halt->callback([halt_args, &ctx] { Run(ctx, HaltCommand(*halt_args, ctx)); });

  CLI::App* resume = app.add_subcommand("resume", "Lift the kill switch");
  AddFormatOption(resume, ctx);
  resume->callback([&ctx] { Run(ctx, ResumeCommand(ctx)); });
}

}  // namespace kairos::app
