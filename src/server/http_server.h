#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "server/api.h"
#include "server/events.h"

namespace kairos::server {

// The HTTP/1.1 server of the API (Boost.Beast over Asio, TLS by OpenSSL): each request read off
// a connection becomes a Request for Api::Handle, its Response is written back, and the
// connection is kept alive for the next. Requests are read under limits (header block, target,
// body, a time within which a request must arrive whole) so that a slow or hostile client costs
// one connection and no more. A Response with event_stream set is answered text/event-stream and
// the connection then carries the events of the EventHub until the client leaves or the server
// stops.
class HttpServer {
 public:
  struct Options {
    std::string address = "127.0.0.1";
    uint16_t port = 8720;  // 0: an ephemeral port (port() says which)
    int threads = 2;
    uint64_t max_body_bytes = 1 << 20;               // a larger body: 413, before it is read
    size_t max_header_bytes = 16 * 1024;             // a larger request line + headers: 431
    size_t max_url_bytes = 8 * 1024;                 // a longer target: 414
    std::chrono::milliseconds read_timeout{10'000};  // a request must arrive whole within it
    std::chrono::milliseconds idle_timeout{60'000};  // a kept-alive connection idle this long ends
    int max_connections = 256;                       // more are answered 503 and closed
    std::string cert_file, key_file;                 // both set: TLS (PEM)
    std::chrono::milliseconds keepalive_interval{15'000};  // an SSE comment this often
  };

  // `api` and `events` (may be null: streams then carry only keepalives) outlive the server.
  HttpServer(const Api& api, EventHub* events, Options options);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Listens and starts the threads. A listen address in use is Unavailable ("127.0.0.1:8720 is
  // already in use"); a bad address or unreadable certificate is InvalidArgument.
  Status Start();
  // Stops accepting, lets requests being handled finish and their answers be written, closes idle
  // connections and ends event streams; returns when every connection is closed. Idempotent.
  void Stop();

  uint16_t port() const;  // the bound port once started
  bool tls() const;
  int connections() const;  // open right now

  struct Impl;  // the sockets and threads (http_server.cc)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kairos::server
