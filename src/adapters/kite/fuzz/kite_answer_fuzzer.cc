// Feeds arbitrary bytes to KiteBroker as the answer to every request (the order book, trades,
// positions, margins): it must never crash, and what it accepts must hold together.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "adapters/kite/kite_broker.h"

namespace {

class FuzzTransport final : public kairos::http::HttpTransport {
 public:
  FuzzTransport(int status, std::string body) : status_(status), body_(std::move(body)) {}
  kairos::http::HttpResponse Send(const kairos::http::HttpRequest&) override {
    kairos::http::HttpResponse r;
    r.status = status_;
    r.body = body_;
    return r;
  }

 private:
  int status_;
  std::string body_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kairos;
  if (size == 0) return 0;
  static constexpr int kStatuses[] = {200, 400, 403, 429, 500, 502};
  int status = kStatuses[data[0] % (sizeof kStatuses / sizeof kStatuses[0])];
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  kite::KiteBroker broker(kite::KiteConfig{}, std::make_unique<FuzzTransport>(status, body));
  if (auto o = broker.OrderByClientId("sma-INFY-20261207-b-1"); o.ok() && *o) {
    if ((*o)->broker_order_id.empty() || (*o)->client_order_id.empty()) __builtin_trap();
  }
  (void)broker.OpenOrders();
  (void)broker.Positions();
  if (auto fills = broker.FillsSince(0); fills.ok()) {
    for (const Fill& f : *fills) {
      if (f.execution_id.empty()) __builtin_trap();
    }
  }
  (void)broker.GetAccount();
  return 0;
}
