// The Telegram bot's commands and buttons (telegram_bot.h): each reads through the store and the
// engine as the CLI command of the same name does, and shows a few columns of the CLI's listing
// (trading_tables.h) in a <pre> block.
#include <charconv>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "adapters/telegram/html.h"
#include "adapters/telegram/signal_buttons.h"
#include "app/telegram_bot.h"
#include "app/trading_tables.h"
#include "engine/halt_state.h"
#include "engine/signal_book.h"
#include "engine/trading_day.h"

namespace kairos::app {
namespace {

using telegram::EscapeHtml;
using telegram::InlineKeyboard;

constexpr int64_t kSecondNs = 1'000'000'000;
constexpr size_t kListRows = 20;  // rows of a listing sent to a phone; the CLI shows them all
constexpr std::string_view kHaltCancelData = "halt:cancel";
constexpr std::string_view kHaltPrefix = "halt:";

// How a Telegram user appears in the audit log and in messages: "telegram:@ann", or
// "telegram:123" for a user without a username.
std::string Actor(int64_t user_id, std::string_view username) {
  return username.empty() ? fmt::format("telegram:{}", user_id)
                          : fmt::format("telegram:@{}", username);
}

std::string Time(int64_t ns) { return Timestamp::FromNanos(ns).ToString(); }

std::optional<int64_t> ParsePositive(std::string_view text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v <= 0) return std::nullopt;
  return v;
}

std::vector<std::string_view> Words(std::string_view text) {
  std::vector<std::string_view> out;
  size_t i = 0;
  auto space = [](char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; };
  while (i < text.size()) {
    while (i < text.size() && space(text[i])) ++i;
    size_t start = i;
    while (i < text.size() && !space(text[i])) ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

// A listing for a phone: a few columns of the CLI's table, its last kListRows rows, aligned in a
// <pre> block.
std::string Pre(const Table& table, const std::vector<std::string_view>& columns) {
  Table picked = table.Select(columns);
  size_t hidden = 0;
  if (picked.rows.size() > kListRows) {
    hidden = picked.rows.size() - kListRows;
    picked.rows.erase(picked.rows.begin(), picked.rows.begin() + static_cast<ptrdiff_t>(hidden));
  }
  std::string out = "<pre>" + EscapeHtml(picked.Render(OutputFormat::kTable)) + "</pre>";
  if (hidden > 0) out += fmt::format("\n({} earlier rows not shown)", hidden);
  return out;
}

std::string SignalLine(const Signal& s) {
  return fmt::format("<b>signal {}</b>: {} {} {} ({}), execute on {}", s.id, EscapeHtml(s.strategy),
                     SideName(s.side), EscapeHtml(s.symbol), s.session, s.execute_on);
}

// "✅ approved by telegram:@ann at 2026-12-07T19:40:00Z".
std::string SignalOutcome(const Signal& s) {
  std::string_view mark = s.status == SignalStatus::kRejected   ? "\u274c"
                          : s.status == SignalStatus::kApproved ? "\u2705"
                                                                : "\u2139\ufe0f";
  std::string out = fmt::format("{} {}", mark, SignalStatusName(s.status));
  if (!s.decided_by.empty()) out += " by " + EscapeHtml(s.decided_by);
  if (s.decided_ns != 0) out += " at " + Time(s.decided_ns);
  return out;
}

std::string HaltSummary(const engine::HaltReport& r) {
  std::string out = r.already_halted ? "already halted" : "halted";
  out += fmt::format(": {} open order{} cancelled", r.cancelled, r.cancelled == 1 ? "" : "s");
  if (!r.squareoff_ids.empty()) {
    out += fmt::format(", {} square-off order{} ({} sent)", r.squareoff_ids.size(),
                       r.squareoff_ids.size() == 1 ? "" : "s", r.squareoff_submitted);
  }
  for (const auto& p : r.problems) out += "\n\u26a0\ufe0f " + EscapeHtml(p);
  return out;
}

constexpr std::string_view kHelp =
    "<b>kairos commands</b>\n"
    "/status \u2014 halt, last session, what awaits you\n"
    "/signals \u2014 signals awaiting review\n"
    "/approve ID, /reject ID \u2014 decide a signal\n"
    "/positions \u2014 open positions\n"
    "/pnl [daily|monthly] \u2014 profit and loss\n"
    "/orders \u2014 open orders\n"
    "/jobs \u2014 the daemon's jobs\n"
    "/run JOB \u2014 run a job now\n"
    "/halt [squareoff] \u2014 kill switch (asks to confirm)\n"
    "/resume \u2014 lift the halt\n"
    "/help \u2014 this list";

// A store error rolls the update back; a refusal (no such signal, not pending) is an answer.
bool IsAnswer(const Status& st) {
  return st.code() == StatusCode::kNotFound || st.code() == StatusCode::kFailedPrecondition ||
         st.code() == StatusCode::kInvalidArgument;
}

}  // namespace

struct TelegramBot::Decision {
  bool decided = false;  // this call decided it
  std::optional<Signal> signal;
  std::string refusal;  // when not decided: why (escaped)
};

Result<TelegramBot::Decision> TelegramBot::Decide(int64_t signal_id, bool approve,
                                                  const std::string& actor) {
  // A refusal is read first rather than learnt from a failed compare-and-set: a failure inside
  // the update's transaction would roll back the offset with it. Were the signal decided by
  // someone else in between, the compare-and-set fails, the update rolls back and is handled
  // again at the next poll, which then reads the refusal.
  Decision d;
  KAIROS_ASSIGN_OR_RETURN(d.signal, store_.signals().Get(signal_id));
  if (!d.signal) {
    d.refusal = fmt::format("no signal {}", signal_id);
    return d;
  }
  if (d.signal->status != SignalStatus::kPendingReview) {
    d.refusal = fmt::format("signal {} is {}, not pending_review", signal_id,
                            SignalStatusName(d.signal->status));
    return d;
  }
  engine::SignalBook book(store_, clock_);
  KAIROS_RETURN_IF_ERROR(approve ? book.Approve(signal_id, actor, "")
                                 : book.Reject(signal_id, actor, ""));
  d.decided = true;
  KAIROS_ASSIGN_OR_RETURN(d.signal, store_.signals().Get(signal_id));
  return d;
}

// The text a decided signal's message is edited to: the alert it was sent as (the outbox message
// delivered as `message_id`) when it is known and the outcome fits, else the signal in one line;
// then the outcome.
std::string TelegramBot::SignalMessageText(const Signal& signal, int64_t message_id) {
  std::string outcome = SignalOutcome(signal);
  ports::OutboxFilter filter;
  filter.kind = "signal.pending";
  filter.limit = 500;
  if (auto sent = store_.outbox().List(filter); sent.ok() && message_id != 0) {
    for (const ports::OutboxMessage& m : *sent) {
      if (m.external_id != std::to_string(message_id)) continue;
      if (telegram::PayloadSignalId(m.payload) != signal.id) continue;
      std::string text = m.text + "\n\n" + outcome;
      if (telegram::Utf16Length(text) <= telegram::kMaxMessageLength) return text;
    }
  }
  return SignalLine(signal) + "\n" + outcome;
}

Status TelegramBot::OnCallback(const telegram::CallbackQuery& query, Reply& reply) {
  const std::string actor = Actor(query.from_id, query.from_username);
  reply.edit_message_id = query.message_id;
  if (auto decision = telegram::ParseSignalCallbackData(query.data)) {
    KAIROS_ASSIGN_OR_RETURN(Decision d, Decide(decision->signal_id, decision->approve, actor));
    if (!d.signal) {
      reply.callback_text = fmt::format("no signal {}", decision->signal_id);
      reply.edit_message_id = 0;
      return Status::Ok();
    }
    reply.callback_text =
        d.decided
            ? fmt::format("signal {} {}", d.signal->id, SignalStatusName(d.signal->status))
            : fmt::format("signal {} already {}", d.signal->id, SignalStatusName(d.signal->status));
    reply.edit_text = SignalMessageText(*d.signal, query.message_id);
    Log(fmt::format(
        "telegram: {} {} signal {}{}", actor, decision->approve ? "approved" : "rejected",
        d.signal->id,
        d.decided ? "" : fmt::format(" (already {})", SignalStatusName(d.signal->status))));
    return Status::Ok();
  }
  if (query.data == kHaltCancelData) {
    reply.callback_text = "halt cancelled";
    reply.edit_text = fmt::format("Halt cancelled by {}.", EscapeHtml(actor));
    return Status::Ok();
  }
  // "halt:<0|1>:<unix seconds>": confirm a halt (1: with square-off) asked for at that time.
  if (query.data.starts_with(kHaltPrefix)) {
    std::string_view rest = std::string_view(query.data).substr(kHaltPrefix.size());
    const bool squareoff = rest.starts_with("1:");
    auto asked_s = rest.size() > 2 ? ParsePositive(rest.substr(2)) : std::nullopt;
    if (!asked_s || (!squareoff && !rest.starts_with("0:"))) {
      reply.callback_text = "unknown button";
      reply.edit_message_id = 0;
      return Status::Ok();
    }
    // In seconds, so a forged huge time cannot overflow; a time ahead of the clock is not ours.
    const int64_t age_s = clock_.NowNs() / kSecondNs - *asked_s;
    if (age_s < 0 || age_s > options_.halt_confirm_ttl_ns / kSecondNs) {
      reply.callback_text = "this confirmation expired: send /halt again";
      reply.edit_text = "Halt not confirmed in time: nothing was done.";
      return Status::Ok();
    }
    reply.after_commit = [this, squareoff, actor](Reply& r) {
      auto report = actions_.Halt(squareoff, actor, "telegram /halt");
      if (!report.ok()) {
        r.callback_text = "halt failed";
        r.edit_text = "\u26a0\ufe0f halt failed: " + EscapeHtml(report.status().message());
        return;
      }
      r.callback_text = report->already_halted ? "already halted" : "halted";
      r.edit_text = fmt::format("\U0001f6d1 {} by {} at {}", HaltSummary(*report),
                                EscapeHtml(actor), Time(clock_.NowNs()));
    };
    Log(fmt::format("telegram: {} confirmed halt{}", actor, squareoff ? " with square-off" : ""));
    return Status::Ok();
  }
  reply.callback_text = "unknown button";
  reply.edit_message_id = 0;
  return Status::Ok();
}

Status TelegramBot::OnMessage(const telegram::IncomingMessage& message, Reply& reply) {
  std::vector<std::string_view> words = Words(message.text);
  if (words.empty() || !words[0].starts_with('/')) {
    reply.text = "Send a command: /help lists them.";
    return Status::Ok();
  }
  std::string command(words[0].substr(1));
  if (auto at = command.find('@'); at != std::string::npos) command.resize(at);
  for (char& c : command) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  words.erase(words.begin());
  return OnCommand(command, words, Actor(message.from_id, message.from_username), reply);
}

std::string TelegramBot::StatusText() {
  std::vector<std::string> lines = {"<b>kairos</b>"};
  auto halt = engine::GetHalt(store_);
  if (!halt.ok()) {
    lines.push_back("\u26a0\ufe0f halt state unreadable: " + EscapeHtml(halt.status().message()));
  } else if (*halt) {
    lines.push_back(fmt::format("\U0001f6d1 halted since {} by {}: {}", Time((*halt)->time_ns),
                                EscapeHtml((*halt)->actor), EscapeHtml((*halt)->reason)));
  } else {
    lines.push_back("\u2705 trading (not halted)");
  }
  auto last = store_.state().Get(engine::TradingDay::kLastSessionKey);
  lines.push_back(fmt::format("last session run: {}",
                              last.ok() && *last ? EscapeHtml(**last) : std::string("none")));
  ports::SignalFilter pending;
  pending.status = SignalStatus::kPendingReview;
  if (auto s = store_.signals().List(pending); s.ok()) {
    lines.push_back(fmt::format("signals awaiting review: {}", s->size()));
  }
  if (auto p = store_.ledger().Positions(""); p.ok()) {
    lines.push_back(fmt::format("open positions: {}", p->size()));
  }
  if (auto o = store_.orders().List({}); o.ok()) {
    size_t open = std::count_if(o->begin(), o->end(),
                                [](const Order& order) { return !IsTerminal(order.status); });
    lines.push_back(fmt::format("open orders: {}", open));
  }
  if (auto unsent = store_.outbox().Pending(1000); unsent.ok()) {
    lines.push_back(fmt::format("alerts not yet delivered: {}", unsent->size()));
  }
  for (const std::string& l : actions_.StatusLines()) lines.push_back(EscapeHtml(l));
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}

Status TelegramBot::OnCommand(std::string_view command, const std::vector<std::string_view>& args,
                              const std::string& actor, Reply& reply) {
  auto listing = [&](Result<Table> table, const std::vector<std::string_view>& columns,
                     std::string_view title, std::string_view empty) -> Status {
    if (!table.ok()) {
      if (!IsAnswer(table.status())) return table.status();
      reply.text = EscapeHtml(table.status().message());
    } else if (table->rows.empty()) {
      reply.text = std::string(empty);
    } else {
      reply.text = fmt::format("<b>{}</b>\n{}", title, Pre(*table, columns));
    }
    return Status::Ok();
  };
  if (command == "help" || command == "start") {
    reply.text = std::string(kHelp);
  } else if (command == "status") {
    reply.text = StatusText();
  } else if (command == "signals") {
    ports::SignalFilter f;
    f.status = SignalStatus::kPendingReview;
    KAIROS_RETURN_IF_ERROR(listing(SignalsTable(store_, f),
                                   {"id", "date", "strategy", "symbol", "side", "execute_on"},
                                   "Signals awaiting review", "No signals await review."));
    if (reply.text.starts_with("<b>")) reply.text += "\n/approve ID or /reject ID";
  } else if (command == "approve" || command == "reject") {
    auto id = args.size() == 1 ? ParsePositive(args[0]) : std::nullopt;
    if (!id) {
      reply.text = fmt::format("usage: /{} ID (the id /signals shows)", command);
      return Status::Ok();
    }
    KAIROS_ASSIGN_OR_RETURN(Decision d, Decide(*id, command == "approve", actor));
    if (!d.decided) {
      reply.text = d.refusal;
    } else {
      reply.text = SignalLine(*d.signal) + "\n" + SignalOutcome(*d.signal);
    }
  } else if (command == "positions") {
    KAIROS_RETURN_IF_ERROR(listing(PositionsTable(store_),
                                   {"strategy", "symbol", "qty", "avg_price", "stop"},
                                   "Open positions", "No open positions."));
  } else if (command == "orders") {
    ports::OrderFilter f;
    f.statuses = {OrderStatus::kNew, OrderStatus::kSubmitted, OrderStatus::kAccepted,
                  OrderStatus::kPartiallyFilled, OrderStatus::kUnknown};
    KAIROS_RETURN_IF_ERROR(listing(OrdersTable(store_, f),
                                   {"id", "session", "symbol", "side", "qty", "status", "filled"},
                                   "Open orders", "No open orders."));
  } else if (command == "pnl") {
    std::string_view kind = args.empty() ? "daily" : args[0];
    if (args.size() > 1 || (kind != "daily" && kind != "monthly")) {
      reply.text = "usage: /pnl [daily|monthly]";
      return Status::Ok();
    }
    auto pnl = LoadPnl(store_, "", std::nullopt, std::nullopt);
    if (!pnl.ok()) return pnl.status();
    if (kind == "daily") {
      KAIROS_RETURN_IF_ERROR(listing(DailyPnlTable(*pnl),
                                     {"date", "strategy", "realized", "unrealized", "equity"},
                                     "Daily P&amp;L", "No P&amp;L recorded yet."));
    } else {
      KAIROS_RETURN_IF_ERROR(listing(MonthlyPnlTable(*pnl),
                                     {"month", "strategy", "realized", "return_pct"},
                                     "Monthly P&amp;L", "No P&amp;L recorded yet."));
    }
  } else if (command == "jobs") {
    KAIROS_RETURN_IF_ERROR(listing(actions_.Jobs(), {"name", "enabled", "next_run", "last_status"},
                                   "Jobs", "No jobs."));
  } else if (command == "run") {
    if (args.size() != 1) {
      reply.text = "usage: /run JOB (the names /jobs shows)";
      return Status::Ok();
    }
    std::string job(args[0]);
    reply.after_commit = [this, job, actor](Reply& r) {
      auto done = actions_.RunJob(job, actor);
      r.text = done.ok() ? EscapeHtml(*done) : EscapeHtml(done.status().message());
    };
  } else if (command == "halt") {
    const bool squareoff = args.size() == 1 && args[0] == "squareoff";
    if (args.size() > 1 || (args.size() == 1 && !squareoff)) {
      reply.text = "usage: /halt [squareoff]";
      return Status::Ok();
    }
    const int64_t now_s = clock_.NowNs() / kSecondNs;
    reply.text = squareoff ? "Halt trading, cancel open orders and <b>square off every "
                             "position</b> at market? Only the button halts."
                           : "Halt trading and cancel open orders? Only the button halts.";
    reply.keyboard =
        InlineKeyboard{{{squareoff ? "\U0001f6d1 Halt and square off" : "\U0001f6d1 Halt",
                         fmt::format("{}{}:{}", kHaltPrefix, squareoff ? 1 : 0, now_s)},
                        {"Cancel", std::string(kHaltCancelData)}}};
  } else if (command == "resume") {
    reply.after_commit = [this, actor](Reply& r) {
      auto was = actions_.Resume(actor);
      if (!was.ok()) {
        r.text = "resume failed: " + EscapeHtml(was.status().message());
      } else {
        r.text = *was ? "Resumed: new orders may reach the broker again."
                      : "Not halted: nothing to resume.";
      }
    };
  } else {
    reply.text = fmt::format("Unknown command /{}: /help lists them.", EscapeHtml(command));
  }
  return Status::Ok();
}

}  // namespace kairos::app
