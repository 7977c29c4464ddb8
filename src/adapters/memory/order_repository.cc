#include "adapters/memory/repositories.h"

#include <algorithm>
#include <bit>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "adapters/memory/tables.h"
#include "domain/record_checks.h"
#include "ports/store_errors.h"

namespace kairos::adapters::memory {
namespace {

using ports::OrderFilter;

class MemoryOrders : public ports::OrderRepository {
 public:
  explicit MemoryOrders(Tables& t) : t_(t) {}

  // The schema's CHECK constraints come first (SQLite tests them before the unique client
  // order id).
  Result<Order> Create(const Order& order) override {
    const OrderRequest& r = order.request;
    KAIROS_RETURN_IF_ERROR(CheckNewOrder(order));
    std::lock_guard lock(t_.mu);
    if (t_.orders_by_client_id.contains(r.client_order_id)) {
      return ports::OrderAlreadyStored(r.client_order_id);
    }
    Order out = order;
    out.id = t_.AppendOrder(order);
    return out;
  }

  Result<std::optional<Order>> GetByClientId(std::string_view client_order_id) override {
    std::lock_guard lock(t_.mu);
    auto it = t_.orders_by_client_id.find(client_order_id);
    if (it == t_.orders_by_client_id.end()) return std::optional<Order>();
    return std::optional(t_.orders[static_cast<size_t>(it->second - 1)]);
  }

  Result<std::vector<Order>> List(const OrderFilter& f) override {
    std::lock_guard lock(t_.mu);
    uint32_t wanted = 0;  // bit per OrderStatus; 0 = all
    for (OrderStatus s : f.statuses) wanted |= 1u << static_cast<unsigned>(s);
    auto matches = [&](const Order& o) {
      return (wanted == 0 || (wanted & (1u << static_cast<unsigned>(o.status))) != 0) &&
             (!f.session || o.request.session == *f.session) &&
             (f.strategy.empty() || o.strategy == f.strategy);
    };
    std::vector<Order> out;
    auto visit = [&](int64_t id) {
      const Order& o = t_.orders[static_cast<size_t>(id - 1)];
      if (matches(o)) out.push_back(o);
    };

    const std::vector<int64_t>* by_session = nullptr;
    const std::vector<int64_t>* by_strategy = nullptr;
    if (f.session) {
      by_session = FindIds(t_.orders_by_session, *f.session);
      if (by_session == nullptr) return out;
    }
    if (!f.strategy.empty()) {
      by_strategy = FindIds(t_.orders_by_strategy, f.strategy);
      if (by_strategy == nullptr) return out;
    }
    size_t by_status = t_.orders.size();
    const std::set<int64_t>* only_status = nullptr;
    if (wanted != 0) {
      by_status = 0;
      for (size_t s = 0; s < kOrderStatuses; ++s) {
        if ((wanted & (1u << s)) == 0) continue;
        by_status += t_.orders_by_status[s].size();
        only_status = &t_.orders_by_status[s];
      }
      if (std::popcount(wanted) != 1) only_status = nullptr;
    }
    size_t indexed = std::min(by_session ? by_session->size() : t_.orders.size(),
                              by_strategy ? by_strategy->size() : t_.orders.size());
    if (wanted != 0 && by_status < indexed) {
      if (only_status != nullptr) {
        for (int64_t id : *only_status) visit(id);
        return out;
      }
      // Several statuses: their ids merged into id order.
      std::vector<int64_t> ids;
      ids.reserve(by_status);
      for (size_t s = 0; s < kOrderStatuses; ++s) {
        if ((wanted & (1u << s)) != 0) {
          ids.insert(ids.end(), t_.orders_by_status[s].begin(), t_.orders_by_status[s].end());
        }
      }
      std::sort(ids.begin(), ids.end());
      for (int64_t id : ids) visit(id);
      return out;
    }
    ForEachCandidate({by_session, by_strategy}, nullptr, t_.orders.size(), visit);
    return out;
  }

  Status Update(const Order& order) override {
    std::lock_guard lock(t_.mu);
    if (order.id < 1 || order.id > static_cast<int64_t>(t_.orders.size())) {
      return ports::NoOrderWithId(order.id);
    }
    Order& o = t_.orders[static_cast<size_t>(order.id - 1)];
    KAIROS_RETURN_IF_ERROR(CheckOrderFilled(order.id, order.filled_qty, o.request.qty));
    if (t_.logging()) {
      t_.Log(OrderUpdated{o.id, o.status, o.filled_qty, std::move(o.broker_order_id),
                          std::move(o.message), o.updated_ns});
    }
    t_.SetOrderStatus(o, order.status);
    o.filled_qty = order.filled_qty;
    o.broker_order_id = order.broker_order_id;
    o.message = order.message;
    o.updated_ns = order.updated_ns;
    return Status::Ok();
  }

 private:
  Tables& t_;
};

}  // namespace

std::unique_ptr<ports::OrderRepository> NewOrderRepository(Tables& t) {
  return std::make_unique<MemoryOrders>(t);
}

}  // namespace kairos::adapters::memory
