#include "engine/alerts.h"

#include <fmt/format.h>

#include "core/html.h"

namespace kairos::engine {
namespace {

// "sma_cross buy 10 AAPL": who, which way, how much of what (escaped).
std::string OrderLine(const Order& o) {
  return fmt::format("{} {} {} {}", EscapeHtml(o.strategy), SideName(o.request.side),
                     o.request.qty.units(), EscapeHtml(o.request.symbol));
}

std::string OrderKind(const OrderRequest& r) {
  std::string kind = fmt::format("{} {}", OrderTypeName(r.type), TimeInForceName(r.tif));
  if (r.limit_price) kind += fmt::format(" limit {}", r.limit_price->ToString());
  if (r.stop_price) kind += fmt::format(" stop {}", r.stop_price->ToString());
  return kind;
}

std::string SignalLine(const Signal& s) {
  return fmt::format("{} {} {} (#{}, {} on {})", EscapeHtml(s.strategy), SideName(s.side),
                     EscapeHtml(s.symbol), s.id, EscapeHtml(s.reason), s.session);
}

}  // namespace

bool IsStopExit(const Signal& signal) {
  return signal.kind == SignalKind::kExit &&
         (signal.reason == "stop_loss" || signal.reason == "trailing_stop");
}

Alerts::Alerts(ports::Store& store, const ports::Clock& clock, Options options)
    : store_(store), clock_(clock), options_(std::move(options)) {}

Status Alerts::Notify(std::string_view kind, std::string key, std::string text,
                      std::string payload) {
  ports::OutboxMessage m;
  m.kind = std::string(kind);
  m.key = std::move(key);
  m.text = std::move(text);
  m.payload = std::move(payload);
  m.silent = options_.silent.count(kind) > 0;
  m.created_ns = clock_.NowNs();
  KAIROS_ASSIGN_OR_RETURN(ports::OutboxMessage stored, store_.outbox().Enqueue(m));
  if (options_.off.count(kind) == 0 || stored.sent_ns != 0) return Status::Ok();
  return store_.outbox().MarkSent(stored.id, m.created_ns, kOffDelivery);
}

Status Alerts::SignalPending(const Signal& s) {
  std::string terms;
  for (const auto& [name, value] : s.terms) {
    terms += fmt::format("{}{}={:.4g}", terms.empty() ? "" : " ", EscapeHtml(name), value);
  }
  return Notify("signal.pending", fmt::format("signal.pending:{}", s.id),
                fmt::format("<b>Signal awaiting review</b>\n{}\nexecutes on {}{}{}", SignalLine(s),
                            s.execute_on, terms.empty() ? "" : "\n", terms),
                fmt::format("{{\"signal\":{}}}", s.id));
}

Status Alerts::StopHit(const Signal& s) {
  if (!IsStopExit(s)) return Status::Ok();
  std::string levels;
  for (const auto& [name, value] : s.terms) {
    if (name == "close" || name == s.reason) {
      levels += fmt::format("{}{} {:.2f}", levels.empty() ? "" : ", ", EscapeHtml(name), value);
    }
  }
  return Notify("exit.stop_hit", fmt::format("exit.stop_hit:{}", s.id),
                fmt::format("<b>Stop hit</b>\n{}\n{}; exit ordered for {}", SignalLine(s), levels,
                            s.execute_on));
}

Status Alerts::OrderSent(const Order& o) {
  return Notify(
      "order.sent", fmt::format("order.sent:{}", o.request.client_order_id),
      fmt::format("<b>Order sent</b>\n{} ({}) for {}\n<code>{}</code>", OrderLine(o),
                  OrderKind(o.request), o.request.session, EscapeHtml(o.request.client_order_id)));
}

Status Alerts::OrderFilled(const Order& o, const Fill& f, const Currency& currency) {
  return Notify(
      "order.filled", fmt::format("order.filled:{}", f.execution_id),
      fmt::format("<b>Filled</b>\n{} {} {} {} at {} (fees {}), {} of {} filled\n<code>{}</code>",
                  EscapeHtml(o.strategy), SideName(f.side), f.qty.units(), EscapeHtml(f.symbol),
                  f.price.ToString(), Money(f.fees, currency).ToString(), o.filled_qty.units(),
                  o.request.qty.units(), EscapeHtml(o.request.client_order_id)));
}

Status Alerts::OrderRejected(const Order& o) {
  return Notify("order.rejected", fmt::format("order.rejected:{}", o.request.client_order_id),
                fmt::format("<b>Order rejected</b>\n{} ({}) for {}: {}\n<code>{}</code>",
                            OrderLine(o), OrderKind(o.request), o.request.session,
                            EscapeHtml(o.message), EscapeHtml(o.request.client_order_id)));
}

Status Alerts::Halted(const HaltRecord& halt) {
  return Notify("halt", fmt::format("halt:{}", halt.time_ns),
                fmt::format("<b>Trading halted</b> by {}: {}\nNo order that adds exposure is sent "
                            "until trading is resumed.",
                            EscapeHtml(halt.actor), EscapeHtml(halt.reason)));
}

Status Alerts::Resumed(const HaltRecord& lifted, std::string_view actor) {
  return Notify("resume", fmt::format("resume:{}", lifted.time_ns),
                fmt::format("<b>Trading resumed</b> by {} (halted by {}: {})", EscapeHtml(actor),
                            EscapeHtml(lifted.actor), EscapeHtml(lifted.reason)));
}

}  // namespace kairos::engine
