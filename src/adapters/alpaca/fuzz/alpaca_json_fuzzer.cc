// Feeds arbitrary bytes to the Alpaca answer parsers as the body of an HTTP answer: they must
// never crash, and an order that parses must hold together.
#include <cstddef>
#include <cstdint>
#include <string>

#include "adapters/alpaca/alpaca_json.h"
#include "adapters/http_client/answer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kairos;
  if (size == 0) return 0;
  static constexpr int kStatuses[] = {200, 204, 403, 404, 422, 429, 500, 0};
  http::HttpResponse response;
  response.status = kStatuses[data[0] % (sizeof kStatuses / sizeof kStatuses[0])];
  response.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  auto answer = http::ReadJsonAnswer(response);
  if (!answer.ok()) return 0;
  const nlohmann::json& body = answer->body;
  (void)alpaca::ErrorMessage(answer->status, body);
  (void)alpaca::IsDuplicateClientId(answer->status, body);
  if (auto order = alpaca::ParseOrder(body); order.ok()) {
    if (order->client_order_id.empty() || order->broker_order_id.empty()) __builtin_trap();
    if (order->filled_qty.units() < 0 && order->status == kairos::OrderStatus::kFilled) {
      (void)order->message;
    }
  }
  (void)alpaca::ParseOrders(body);
  (void)alpaca::ParsePositions(body);
  (void)alpaca::ParseAccount(body);
  if (auto fills = alpaca::ParseFillActivities(body); fills.ok()) {
    for (const auto& f : *fills) {
      if (f.id.empty() || f.qty.units() <= 0) __builtin_trap();
    }
  }
  return 0;
}
