#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "domain/trading.h"

namespace kairos::ports {

// The one port every broker sits behind: the paper broker (adapters/sim_broker) here, real
// brokers (Alpaca, Kite) later. Narrow and in domain terms; no vendor type crosses it.
//
// Errors: kUnavailable / kDeadlineExceeded mean "no answer" (the order's outcome is unknown and
// must be resolved with OrderByClientId, never by resending under a new id); kInvalidArgument and
// kFailedPrecondition are definite refusals. A broker must treat a Submit with a client order id
// it already knows as a query for that order, never as a second order.
class Broker {
 public:
  virtual ~Broker() = default;

  virtual Result<BrokerOrder> Submit(const OrderRequest& request) = 0;
  // Cancels what is left of an open order. NotFound when the id is unknown; an order already
  // filled or cancelled is FailedPrecondition.
  virtual Status Cancel(std::string_view client_order_id) = 0;
  // nullopt when the broker never received that id.
  virtual Result<std::optional<BrokerOrder>> OrderByClientId(std::string_view client_order_id) = 0;
  virtual Result<std::vector<BrokerOrder>> OpenOrders() = 0;
  virtual Result<std::vector<BrokerPosition>> Positions() = 0;
  // Executions with time_ns >= since_ns, oldest first. The caller de-duplicates by execution_id.
  virtual Result<std::vector<Fill>> FillsSince(int64_t since_ns) = 0;
  virtual Result<Account> GetAccount() = 0;
};

}  // namespace kairos::ports
