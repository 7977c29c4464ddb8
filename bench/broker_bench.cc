// Orders through the Alpaca adapter against its stand-in (tests/standins/alpaca_api.py), which
// bench/broker_bench.sh starts. Prints a SUMMARY of:
//   - orders placed per second with every rate limit off (client pacing and the stand-in's);
//   - the time from the start of a 50-order batch to the last order acknowledged with the
//     published limit on (200 requests per minute, client side and stand-in).
// Usage: broker_bench BASE_URL KEY_ID SECRET [ORDERS]   (ORDERS default 500)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "adapters/alpaca/alpaca_broker.h"
#include "adapters/http_client/curl_transport.h"

namespace {

using namespace kairos;
using Clock = std::chrono::steady_clock;

bool Control(http::HttpTransport& http, const std::string& base, const nlohmann::json& body) {
  http::HttpRequest r;
  r.url = base + "/_test/config";
  r.body = body.dump();
  return http.Send(r).status == 200;
}

// Places `n` market orders with ids prefix-0..n-1; seconds taken, or -1 on a failed order.
double PlaceBatch(alpaca::AlpacaBroker& broker, const std::string& prefix, int n) {
  auto start = Clock::now();
  for (int i = 0; i < n; ++i) {
    OrderRequest r;
    r.client_order_id = fmt::format("{}-{}", prefix, i);
    r.symbol = "AAPL";
    r.qty = Quantity::FromUnits(1);
    auto placed = broker.Submit(r);
    if (!placed.ok()) {
      std::fprintf(stderr, "order %s: %s\n", r.client_order_id.c_str(),
                   placed.status().ToString().c_str());
      return -1;
    }
  }
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: broker_bench BASE_URL KEY_ID SECRET [ORDERS]\n");
    return 2;
  }
  const std::string base = argv[1];
  const int orders = argc > 4 ? std::atoi(argv[4]) : 500;
  auto control = http::MakeCurlTransport();
  alpaca::AlpacaConfig config;
  config.base_url = base;
  config.credentials = {argv[2], argv[3]};

  // Limits off: the adapter's own cost plus one loopback round trip per order.
  if (!Control(*control, base, {{"rate_limit_per_min", 0}, {"buying_power", "1000000000"}})) {
    std::fprintf(stderr, "the stand-in at %s does not answer\n", base.c_str());
    return 1;
  }
  config.requests_per_minute = 0;
  alpaca::AlpacaBroker unpaced(config, http::MakeCurlTransport());
  (void)PlaceBatch(unpaced, "warm", 20);
  double free_s = PlaceBatch(unpaced, "free", orders);

  // The published limit on both sides: a 50-order batch as a job would send it.
  (void)Control(*control, base, {{"rate_limit_per_min", 200}});
  config.requests_per_minute = 200;
  alpaca::AlpacaBroker paced(config, http::MakeCurlTransport());
  double batch_s = PlaceBatch(paced, "batch", 50);
  if (free_s < 0 || batch_s < 0) return 1;

  std::printf("SUMMARY broker (Alpaca adapter against tests/standins/alpaca_api.py, loopback)\n");
  std::printf("  orders/s, rate limits off:            %8.0f  (%d orders in %.2f s)\n",
              orders / free_s, orders, free_s);
  std::printf("  50-order batch, limits on (200/min):  %8.0f ms to the last acknowledgement\n",
              batch_s * 1000);
  return 0;
}
