#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/result.h"
#include "domain/trading.h"
#include "ports/broker.h"
#include "ports/clock.h"
#include "ports/store.h"

namespace kairos::engine {

class Alerts;

// Deterministic client order id: "<strategy>-<symbol>-<yyyymmdd>-<b|s>-<attempt>". Same inputs,
// same id, so a resend after a crash is recognised by the broker. At most 48 characters (what
// brokers accept): a longer id keeps a readable prefix and ends in a hash of the whole text.
// Symbols may contain '.', '^', '&' (BRK.B, ^GSPC, M&M): they are kept, brokers accept them.
std::string ClientOrderId(std::string_view strategy, std::string_view symbol, Date session,
                          Side side, int attempt = 1);
// The same with a textual attempt, e.g. "sq" for the kill switch's square-off orders.
std::string ClientOrderId(std::string_view strategy, std::string_view symbol, Date session,
                          Side side, std::string_view attempt);

// What one SubmitPending call did.
struct SubmitReport {
  int sent = 0;      // Broker::Submit calls that got an answer (first sends and resends)
  int resolved = 0;  // orders in submitted/unknown whose status was found at the broker
  int unknown = 0;   // orders left in status unknown (no answer); a later call resolves them
  int refused = 0;   // exposure-increasing orders kept back because the kill switch is on
  int rejected = 0;  // definite refusals by the broker (InvalidArgument / FailedPrecondition)
};

// The order path (ARCHITECTURE.md invariants): an intent is stored before it is sent, at most
// one broker order per intent whatever crashes or retries happen, every fill applied once.
// Not thread-safe: the engine thread owns it. It keeps no state of its own between calls (all
// of it is in the store), so a new OrderManager over the same store continues where a crashed
// one stopped.
//
// With `alerts` (not owned, outlives this; nullptr in backtests) each change a person should hear
// about is enqueued in the transaction that stores it (engine/alerts.h): order.sent when the
// broker's first answer taking an order is stored, order.rejected with the rejection,
// order.filled with each fill applied.
class OrderManager {
 public:
  OrderManager(ports::Store& store, ports::Broker& broker, const ports::Clock& clock,
               Alerts* alerts = nullptr);

  // Persists an order intent (status new) BEFORE anything is sent. Idempotent: an intent with
  // the same client id returns the stored order unchanged (whatever its status now). When
  // signal_id != 0 the signal moves approved -> ordered in the same transaction (a signal
  // already past approved is left as it is). InvalidArgument for an empty client id or symbol,
  // qty <= 0, a limit order without limit price, a stop order without stop price.
  Result<Order> CreateIntent(const OrderRequest& request, std::string_view strategy,
                             int64_t signal_id);

  // Sends every stored order in status new, marking it submitted in the store BEFORE the call,
  // and records the broker's answer. A send without an answer (Unavailable or any error other
  // than a definite refusal) leaves status unknown; InvalidArgument / FailedPrecondition from the
  // broker is rejected (signal -> failed). Orders in status unknown or submitted (a crash after
  // marking) are first resolved with Broker::OrderByClientId: found -> take its status; not
  // found -> send again under the SAME client id. Never a new id. While the kill switch is on,
  // every order that increases exposure is refused (it stays new; Halt cancels it); orders that
  // only reduce a position (a sell of at most a long, a buy of at most a short) may pass.
  // Statuses filled/partially_filled are never taken from an answer: they follow the fills
  // applied by Sync, so order.filled_qty is always the sum of applied fills.
  // Audit rows: "order.submit" for the first send of an intent, "order.resend" for a send again
  // of one the broker never received, so the log holds one order.submit per broker order.
  // Returns the number of orders sent (first sends and resends that were answered).
  Result<int> SubmitPending();
  // The same, with the details.
  Result<SubmitReport> SubmitPendingReport();

  // Polls Broker::FillsSince(cursor) (cursor in the state repository, key "fills_cursor") and
  // applies each fill once, in one store transaction per fill: the fill (deduplicated by
  // execution_id), the order (filled_qty, status partially_filled/filled), the position (FIFO
  // ledger, engine/ledger.h) and the signal (ordered -> partially_filled -> filled). Then
  // refreshes open orders (submitted/unknown/accepted/partially_filled) with OrderByClientId:
  // cancelled/expired/rejected at the broker are stored, and the signal moves to cancelled
  // (nothing filled) or failed (rejected); partially filled ones stay partially_filled.
  // A fill that would make the order's fills exceed its qty is refused (not applied, audited
  // "fill.overfill") and Sync returns Internal after applying the others. A fill whose client
  // order id is not ours is audited ("fill.unmatched") and skipped. Returns fills applied.
  Result<int> Sync();

  // Cancels every open order: orders still new are cancelled in the store without a broker call;
  // submitted/unknown ones are looked up first (never received -> cancelled locally); accepted
  // and partially filled ones are cancelled at the broker. Each cancel is audited with `actor`.
  // Returns how many orders were cancelled. Orders for which `keep` returns true are left alone.
  Result<int> CancelOpen(std::string_view actor,
                         const std::function<bool(const Order&)>& keep = nullptr);
  // The client ids CancelOpen cancelled in its last call (for the CLI's report).
  const std::vector<std::string>& last_cancelled() const { return last_cancelled_; }

  const ports::Clock& clock() const { return clock_; }
  Alerts* alerts() const { return alerts_; }

 private:
  Status SubmitOne(Order order, SubmitReport& report);
  Status ResolveOne(Order order, bool halted, SubmitReport& report);
  Status RecordAnswer(Order order, const BrokerOrder& answer);
  // What a stored change of an order tells a person (Alerts), enqueued with it.
  enum class Event { kNone, kSent, kRejected };
  Status StoreOrder(const Order& order, std::string_view action, std::string detail,
                    Event event = Event::kNone);
  Status FinishSignal(const Order& order);
  Result<bool> ApplyOneFill(const Fill& fill, std::vector<std::string>& refused);
  Status RefreshOpen(const std::vector<std::string>& also);
  Result<bool> ReducesExposure(const Order& order);
  Result<Currency> CurrencyOf(std::string_view strategy);
  Status Audit(std::string_view actor, std::string_view action, std::string_view client_order_id,
               std::string detail);

  ports::Store& store_;
  ports::Broker& broker_;
  const ports::Clock& clock_;
  Alerts* alerts_;
  std::vector<std::string> last_cancelled_;
};

}  // namespace kairos::engine
