#include "app/api_server.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <stdexcept>

#include <fmt/format.h>

#include "app/change_feed.h"
#include "app/daemon.h"
#include "app/paper_wiring.h"

namespace kairos::app {
namespace {

std::chrono::milliseconds Millis(int64_t ns) { return std::chrono::milliseconds(ns / 1'000'000); }

// The calling thread's connection to `home`'s store, opened on first use. A handler that cannot
// have one fails with 500 (Api::Handle catches the exception and logs it).
ports::Store& ThreadStore(const std::filesystem::path& home) {
  thread_local std::map<std::string, std::unique_ptr<ports::Store>> stores;
  auto& store = stores[home.string()];
  if (!store) {
    auto opened = OpenTradingStore(home, Access::kWrite);
    if (!opened.ok()) throw std::runtime_error(opened.status().message());
    store = std::move(*opened);
  }
  return *store;
}

}  // namespace

Result<server::HttpServer::Options> HttpOptions(const ServerSettings& settings) {
  auto listen = ParseListen(settings.listen);
  if (!listen) {
    return Status::InvalidArgument(
        fmt::format("[server] listen: expected \"host:port\", got \"{}\"", settings.listen));
  }
  server::HttpServer::Options o;
  o.address = listen->host;
  o.port = listen->port;
  o.threads = settings.threads;
  o.max_body_bytes = static_cast<uint64_t>(settings.max_body_bytes);
  o.max_connections = settings.max_connections;
  o.read_timeout = Millis(settings.read_timeout_ns);
  o.idle_timeout = Millis(settings.idle_timeout_ns);
  o.cert_file = settings.cert_file;
  o.key_file = settings.key_file;
  return o;
}

Result<std::unique_ptr<ApiServer>> ApiServer::Start(ApiEnv env, int64_t poll_interval_ns) {
  KAIROS_ASSIGN_OR_RETURN(server::HttpServer::Options options, HttpOptions(env.settings));
  std::unique_ptr<ApiServer> s(new ApiServer());
  s->env_ = std::move(env);
  s->env_.events = &s->hub_;
  s->env_.store = [home = s->env_.home]() -> ports::Store& { return ThreadStore(home); };
  s->routes_ = BuildApiRoutes(s->env_);
  s->api_ = std::make_unique<server::Api>(
      s->routes_->router, *s->routes_->auth,
      server::ApiOptions{s->env_.version, s->env_.settings.cors_origins});
  s->http_ = std::make_unique<server::HttpServer>(*s->api_, &s->hub_, options);
  KAIROS_RETURN_IF_ERROR(s->http_->Start());
  bool v6 = options.address.find(':') != std::string::npos;
  s->address_ = fmt::format("{}://{}{}{}:{}", s->http_->tls() ? "https" : "http", v6 ? "[" : "",
                            options.address, v6 ? "]" : "", s->http_->port());
  ApiServer* self = s.get();
  s->feed_ = std::jthread(
      [self, poll_interval_ns](std::stop_token stop) { self->FeedLoop(stop, poll_interval_ns); });
  return s;
}

void ApiServer::FeedLoop(std::stop_token stop, int64_t poll_interval_ns) {
  ChangeFeed feed(env_.home, hub_);
  Status opened = feed.Open();
  if (!opened.ok()) {
    Log(LogLevel::kError, fmt::format("change feed: {}", opened.message()));
    return;
  }
  std::mutex mu;
  std::condition_variable_any cv;
  while (!stop.stop_requested()) {
    std::unique_lock lock(mu);
    cv.wait_for(lock, stop, std::chrono::nanoseconds(poll_interval_ns), [] { return false; });
    if (stop.stop_requested()) break;
    auto polled = feed.Poll();
    if (!polled.ok())
      Log(LogLevel::kWarn, fmt::format("change feed: {}", polled.status().message()));
  }
}

ApiServer::~ApiServer() { Stop(); }

void ApiServer::Stop() {
  if (http_) http_->Stop();
  if (feed_.joinable()) {
    feed_.request_stop();
    feed_.join();
  }
}

std::string ApiServer::url() const { return address_; }

}  // namespace kairos::app
