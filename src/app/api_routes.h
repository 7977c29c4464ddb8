#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "app/config.h"
#include "app/paper_wiring.h"
#include "core/result.h"
#include "core/status.h"
#include "ports/clock.h"
#include "ports/store.h"
#include "server/authenticator.h"
#include "server/events.h"
#include "server/router.h"

namespace kairos::app {

// What the resources of the HTTP API work with. The daemon fills it (api_server.cc); tests fill
// it with a home of their own. Handlers run on the server's threads, several at once.
struct ApiEnv {
  std::filesystem::path home;
  ServerSettings settings;
  std::string version;  // kairos's version, for /healthz
  // The calling thread's connection to the home's store (one per server thread).
  std::function<ports::Store&()> store;
  const ports::Clock* clock = nullptr;  // required: sessions, throttling and audit rows read it
  server::EventHub* events = nullptr;   // live updates; may be null (no /events stream)
  // Runs `work` on the home's paper session under the trading lock, its state saved after (a
  // halt with square-off, which reaches the broker). Empty: such routes answer 503.
  std::function<Status(const std::function<Status(PaperSession&)>& work)> with_paper;
  // Asks the daemon's scheduler to run job `name` now (an instance or a base name); the message
  // says what was started. Empty: 503.
  std::function<Result<std::string>(std::string_view name)> run_job_now;
};

// The API of a home: every route, and the authenticator the pipeline checks callers with.
struct ApiRoutes {
  server::Router router;
  std::unique_ptr<server::Authenticator> auth;
};

// Every route of the API over `env` (which outlives the result): health and the OpenAPI
// document, sign-in, accounts and tokens, and the resources. The one place routes are listed.
std::unique_ptr<ApiRoutes> BuildApiRoutes(ApiEnv& env);

}  // namespace kairos::app
