#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/sim_broker/fill_model.h"
#include "calendar/calendar.h"
#include "core/fixed_point.h"
#include "core/result.h"
#include "core/status.h"
#include "domain/strategy.h"
#include "domain/trading.h"
#include "ports/bar_source.h"
#include "ports/broker.h"
#include "ports/clock.h"

namespace kairos::sim_broker {

// A simulated broker that fills orders against daily bars at session opens and closes
// (README.md states every rule). Time comes only from the clock: each call first "catches up",
// processing in order every session open and close that passed since the previous call.
//
// Thread safety: every public method takes an internal lock, so an HTTP thread may read while the
// engine trades; the persist callback runs under that lock.
class PaperBroker final : public ports::Broker {
 public:
  // The costs of one order: its fee model and slippage (basis points of the fill price, paid on
  // market and stop fills: buys pay up, sells receive less).
  struct CostModel {
    FeeSpec fees;
    double slippage_bps = 0;
  };

  struct Options {
    std::string currency = "USD";  // ISO code known to core/fixed_point.h Currency
    int64_t starting_cash = 0;     // minor units
    // The cost model of an order, looked up once when the order is submitted and kept with it.
    // Default (empty): no fees, no slippage.
    std::function<CostModel(const OrderRequest&)> costs;
    // Fraction of a bar's volume one order may take in one session (0 = unlimited). What is left
    // of an opg/cls/day order expires at the end of its auction/session: the partial fill.
    double max_participation = 0;
    // Called with the broker's whole state (JSON text) after every change; a non-OK answer is
    // returned to the caller of the method that made the change. Empty: nothing is persisted.
    std::function<Status(std::string_view)> persist;
  };

  // Test hooks for the engine's crash tests (README.md, "Fault injection").
  enum class Fault : uint8_t {
    // The next Submit is carried out (the order is stored, persisted and trades as usual), but
    // the caller gets Unavailable "paper broker: connection reset (injected)".
    kDropNextSubmitAnswer,
    // The next Submit stores nothing and returns Unavailable
    // "paper broker: connection refused (injected)".
    kFailNextSubmit,
  };

  // REQUIRES: options.currency is a code Currency::FromCode knows (a wiring bug otherwise).
  // The broker starts at the clock's current time: opens and closes before it are not replayed.
  PaperBroker(const ports::Clock& clock, ports::BarSource& bars,
              const calendar::ExchangeCalendar& calendar, Options options);

  // Rebuilds a broker from the JSON its persist callback was given. The currency, cash, orders,
  // fills, positions and the time up to which it had caught up come from the state; from
  // `options` only `costs`, `max_participation` and `persist` are used. InvalidArgument for text
  // that is not such a state.
  static Result<std::unique_ptr<PaperBroker>> Restore(std::string_view state_json,
                                                      const ports::Clock& clock,
                                                      ports::BarSource& bars,
                                                      const calendar::ExchangeCalendar& calendar,
                                                      Options options);

  Result<BrokerOrder> Submit(const OrderRequest& request) override;
  Status Cancel(std::string_view client_order_id) override;
  Result<std::optional<BrokerOrder>> OrderByClientId(std::string_view client_order_id) override;
  Result<std::vector<BrokerOrder>> OpenOrders() override;
  Result<std::vector<BrokerPosition>> Positions() override;
  Result<std::vector<Fill>> FillsSince(int64_t since_ns) override;
  // Equity = cash + open positions marked at the close of the last session that has closed
  // (the last fill price when that session has no bar for the symbol).
  Result<Account> GetAccount() override;

  // Queues a fault for the next Submit calls (first in, first out).
  void InjectFault(Fault fault);

  // The whole state as JSON (what `persist` receives).
  std::string StateJson() const;

 private:
  struct OrderState {
    OrderRequest request;
    BrokerOrder view;
    CostModel cost;
    int64_t seq = 0;                 // submission order
    int64_t submitted_ns = 0;        // clock time of the Submit
    int32_t last_fill_session = -1;  // Date::days() of the session of the last fill
    int fill_count = 0;
    Int128 fill_value = 0;  // sum of price.raw() x qty over its fills (the average's numerator)
    int64_t fill_units = 0;
  };
  struct PositionState {
    Quantity qty;  // signed
    Price average_price;
    Price last_price;  // of the last fill, the fallback mark
  };
  // A session's bar as the broker trades against it (nullopt where the symbol has none).
  struct SessionBar {
    BarPrices prices;
    int64_t volume_cap = 0;  // shares one order may take (participation.h)
  };

  PaperBroker(const ports::Clock& clock, ports::BarSource& bars,
              const calendar::ExchangeCalendar& calendar, Options options, Currency currency);

  Status CatchUpLocked();
  // The index of the first order that may still be open (orders before it are terminal).
  size_t FirstOpenLocked();
  // Trades every active order at `auction` of `session`, then expires what ends there.
  Status ProcessEventLocked(const calendar::Session& session, Auction auction);
  // Indices of the open orders that can trade on session `d` (its own orders and older gtc ones).
  std::vector<size_t> ActiveOrdersLocked(Date d);
  // The bar of `symbol` on `d` in ticks of the currency; InvalidArgument for a non-positive price.
  Result<std::optional<SessionBar>> ReadBarLocked(std::string_view symbol, Date d);
  // Fills `order` against `bar` when it takes part in `auction` and the fill model gives a price,
  // up to the bar's volume cap.
  Status TradeLocked(OrderState& order, const SessionBar& bar, const calendar::Session& session,
                     Auction auction);
  // Expires what is left of an order whose time in force ends at `auction` on `d`.
  void ExpireUnfilledRestLocked(OrderState& order, Date d, Auction auction);
  Status FillLocked(OrderState& order, Quantity qty, Price price, const calendar::Session& s,
                    int64_t time_ns);
  void ExpireLocked(OrderState& order, std::string message);
  Status PersistLocked();
  std::string StateJsonLocked() const;
  Status RestoreFromJson(std::string_view text);
  // Why the broker refuses `r` (nullopt: accepted); an error when a bar cannot be read.
  Result<std::optional<std::string>> RejectReasonLocked(const OrderRequest& r,
                                                        const CostModel& cost);

  const ports::Clock& clock_;
  ports::BarSource& bars_;
  const calendar::ExchangeCalendar& calendar_;
  Options options_;
  Currency currency_;

  mutable std::mutex mu_;
  int64_t starting_cash_ = 0;
  int64_t cash_ = 0;
  int64_t caught_up_ns_ = 0;  // every open/close at or before this instant has been processed
  int64_t next_seq_ = 1;
  std::vector<OrderState> orders_;  // submission order
  // Every order before this index is terminal: a long run keeps its history in orders_, and the
  // per-event work looks only at the orders from here on.
  size_t first_open_ = 0;
  std::map<std::string, size_t, std::less<>> by_client_id_;
  std::vector<Fill> fills_;  // in time order
  std::map<std::string, PositionState, std::less<>> positions_;
  std::deque<Fault> faults_;
};

}  // namespace kairos::sim_broker
