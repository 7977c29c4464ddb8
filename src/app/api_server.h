#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "app/api_routes.h"
#include "app/config.h"
#include "core/result.h"
#include "server/api.h"
#include "server/events.h"
#include "server/http_server.h"

namespace kairos::app {

// The HTTP server's options from [server] of kairos.toml (listen split into address and port).
Result<server::HttpServer::Options> HttpOptions(const ServerSettings& settings);

// The HTTP API of `kairos serve`: the routes of BuildApiRoutes over the home, served by an
// HttpServer, and a change feed (change_feed.h) publishing what the store records to the event
// streams every poll interval.
class ApiServer {
 public:
  // `env` comes with home, settings, version, clock and the daemon's with_paper and run_job_now;
  // the store (one connection per server thread, opened on first use) and the event hub are
  // filled here. A listen address in use is Unavailable.
  static Result<std::unique_ptr<ApiServer>> Start(ApiEnv env, int64_t poll_interval_ns);
  ~ApiServer();  // Stop()
  // Stops the server (requests in flight finish, streams end) and the change feed. Idempotent.
  void Stop();

  std::string url() const;  // "http://127.0.0.1:8720", with the bound port
  uint16_t port() const { return http_->port(); }
  server::EventHub& events() { return hub_; }

 private:
  ApiServer() = default;
  void FeedLoop(std::stop_token stop, int64_t poll_interval_ns);

  ApiEnv env_;
  server::EventHub hub_;
  std::unique_ptr<ApiRoutes> routes_;
  std::unique_ptr<server::Api> api_;
  std::unique_ptr<server::HttpServer> http_;
  std::string address_;
  std::jthread feed_;
};

}  // namespace kairos::app
