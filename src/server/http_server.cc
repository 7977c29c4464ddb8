#include "server/http_server.h"

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "server/wire.h"

namespace kairos::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// What Stop() needs of a connection: to be told, on its own strand, that the server stops.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual void Shutdown() = 0;
};

// The `id:`/`event:`/`data:` lines of one event. The data is one line of JSON; any newline in it
// starts another data line so the stream stays well formed.
std::string SseFrame(const Event& event) {
  std::string data;
  for (char c : event.data) {
    if (c == '\n') {
      data += "\ndata: ";
    } else if (c != '\r') {
      data += c;
    }
  }
  return fmt::format("id: {}\nevent: {}\ndata: {}\n\n", event.id, event.type, data);
}

std::string SseHead(const Response& response) {
  std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n";
  for (const auto& [name, value] : response.headers) {
    if (name == "Cache-Control") continue;
    head += fmt::format("{}: {}\r\n", name, value);
  }
  head += "Cache-Control: no-store\r\nX-Accel-Buffering: no\r\n\r\n";
  return head + response.body;
}

}  // namespace

struct HttpServer::Impl {
  Impl(const Api& a, EventHub* e, Options o) : api(a), events(e), options(std::move(o)) {}

  const Api& api;
  EventHub* events;
  Options options;
  WireLimits limits;
  asio::io_context ioc;
  std::optional<asio::ssl::context> ssl;
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::atomic<uint16_t> bound_port{0};

  std::mutex mu;
  std::condition_variable all_closed;
  int open = 0;                                        // guarded by mu
  std::vector<std::weak_ptr<Connection>> connections;  // guarded by mu

  void Accept();
  void OnAccept(tcp::socket socket);
  void Track(const std::shared_ptr<Connection>& c) {
    std::lock_guard lock(mu);
    std::erase_if(connections, [](const auto& w) { return w.expired(); });
    connections.push_back(c);
  }
  void Opened() {
    std::lock_guard lock(mu);
    ++open;
  }
  void Closed() {
    std::lock_guard lock(mu);
    if (--open == 0) all_closed.notify_all();
  }
  int Open() {
    std::lock_guard lock(mu);
    return open;
  }
};

namespace {

// One connection: read a request, handle it, write the answer, again while kept alive; or, once
// an answer is an event stream, write events until the client leaves. Every handler of a session
// runs on its socket's strand.
template <class Stream>
class Session : public Connection, public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(HttpServer::Impl& server, Stream stream, std::string remote)
      : server_(server),
        stream_(std::move(stream)),
        remote_(std::move(remote)),
        timer_(stream_.get_executor()) {
    server_.Opened();
  }
  ~Session() override { server_.Closed(); }

  void Run() {
    if constexpr (kTls) {
      Lowest().expires_after(server_.options.read_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->Close();
                                self->ReadRequest(true);
                              });
    } else {
      asio::dispatch(stream_.get_executor(),
                     [self = this->shared_from_this()] { self->ReadRequest(true); });
    }
  }

  void Shutdown() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      // A request being handled or answered finishes (its answer says Connection: close).
      if (self->state_ != State::kAnswering) self->Close();
    });
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  enum class State { kReading, kAnswering, kStreaming, kClosed };

  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  // Waits up to idle_timeout for the first byte of the next request (none on a fresh connection,
  // or when a pipelined one is already buffered), then gives the whole request read_timeout.
  void ReadRequest(bool fresh) {
    if (server_.stopping) return Close();
    state_ = State::kReading;
    if (!fresh && buffer_.size() == 0) {
      Lowest().expires_after(server_.options.idle_timeout);
      stream_.async_read_some(buffer_.prepare(4096),
                              [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                                if (ec) return self->Close();
                                self->buffer_.commit(n);
                                self->ReadHeader();
                              });
      return;
    }
    ReadHeader();
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(server_.limits.max_header_bytes));
    parser_->body_limit(server_.limits.max_body_bytes);
    Lowest().expires_after(server_.options.read_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    if (auto error = CheckHeader(parser_->get(), server_.limits)) {
      return Answer(std::move(*error), false);
    }
    if (parser_->is_done()) return Handle();
    // A client that asks (curl does for bodies over 1 KiB) is told to send its body now rather
    // than after a wait of its own.
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = this->shared_from_this()](beast::error_code ec, size_t) {
                          if (ec) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->OnReadError(ec);
                       self->Handle();
                     });
  }

  void OnReadError(beast::error_code ec) {
    if (state_ == State::kClosed || ec == http::error::end_of_stream ||
        ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof ||
        ec == http::error::partial_message) {
      return Close();
    }
    Answer(ParseErrorResponse(ec), false);
  }

  void Handle() {
    auto converted = ToRequest(parser_->get(), remote_, kTls);
    bool keep_alive = parser_->get().keep_alive();
    if (auto* error = std::get_if<Response>(&converted)) return Answer(std::move(*error), false);
    Request& request = std::get<Request>(converted);
    Response response = server_.api.Handle(request);
    if (response.event_stream) return StartStream(std::move(response));
    Answer(std::move(response), keep_alive);
  }

  // Writes `response`; an answer not kept alive is the last on the connection.
  void Answer(Response response, bool keep_alive) {
    state_ = State::kAnswering;
    AddSecurityHeadersOnce(response);
    keep_alive = keep_alive && !server_.stopping;
    unsigned version = parser_ && parser_->is_header_done() ? parser_->get().version() : 11;
    answer_ = std::make_unique<WireResponse>(ToWire(response, keep_alive, version));
    Lowest().expires_after(server_.options.read_timeout);
    http::async_write(stream_, *answer_,
                      [self = this->shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                        self->answer_.reset();
                        if (ec) return self->Close();
                        if (!keep_alive || self->server_.stopping) return self->Linger();
                        self->ReadRequest(false);
                      });
  }

  // Errors the server answers itself have not been through Api::Handle.
  static void AddSecurityHeadersOnce(Response& response) {
    for (const auto& [name, value] : response.headers) {
      if (name == "X-Content-Type-Options") return;
    }
    AddSecurityHeaders("/api/", response);
  }

  // After the last answer: stop sending, and read (and drop) what the client still sends for a
  // moment before closing, so that a client still sending a refused body reads the answer instead
  // of a reset.
  void Linger() {
    state_ = State::kClosed;
    beast::error_code ignored;
    if constexpr (kTls) {
      return CloseSocket();
    } else {
      Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      Lowest().expires_after(std::chrono::seconds(1));
      Drain(0);
    }
  }

  void Drain(size_t drained) {
    if (drained > (4u << 20)) return CloseSocket();
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(65536), [self = this->shared_from_this(), drained](
                                                        beast::error_code ec, size_t n) {
      if (ec) return self->CloseSocket();
      self->Drain(drained + n);
    });
  }

  // An event stream: the head and the first body, then the events of a subscription to the hub
  // and a keepalive comment when nothing was written for keepalive_interval. A read that ends
  // (the client closed) ends it, and so does Stop().
  void StartStream(Response response) {
    state_ = State::kStreaming;
    Lowest().expires_never();
    if (server_.events) subscription_ = server_.events->Subscribe();
    pending_ = SseHead(response);
    last_write_ = Clock::now();
    Flush();
    WatchClient();
    Tick();
  }

  void WatchClient() {
    buffer_.clear();
    stream_.async_read_some(
        buffer_.prepare(1024), [self = this->shared_from_this()](beast::error_code ec, size_t) {
          if (ec) return self->Close();
          self->WatchClient();  // a client has nothing to say on a stream: ignore it
        });
  }

  void Tick() {
    if (state_ != State::kStreaming) return;
    if (subscription_) {
      for (const Event& event : subscription_->Drain()) pending_ += SseFrame(event);
    }
    if (pending_.empty() && !writing_ &&
        Clock::now() - last_write_ >= server_.options.keepalive_interval) {
      pending_ = ": keepalive\n\n";
    }
    Flush();
    timer_.expires_after(std::chrono::milliseconds(50));
    timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec) self->Tick();
    });
  }

  void Flush() {
    if (writing_ || pending_.empty() || state_ != State::kStreaming) return;
    writing_ = true;
    sending_ = std::move(pending_);
    pending_.clear();
    asio::async_write(stream_, asio::buffer(sending_),
                      [self = this->shared_from_this()](beast::error_code ec, size_t) {
                        self->writing_ = false;
                        if (ec) return self->Close();
                        self->last_write_ = Clock::now();
                        self->Flush();
                      });
  }

  void Close() {
    if (state_ == State::kClosed && closed_) return;
    state_ = State::kClosed;
    CloseSocket();
  }

  void CloseSocket() {
    if (closed_) return;
    closed_ = true;
    timer_.cancel();
    beast::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Lowest().socket().close(ignored);
  }

  HttpServer::Impl& server_;
  Stream stream_;
  std::string remote_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::unique_ptr<WireResponse> answer_;
  State state_ = State::kReading;
  bool closed_ = false;
  std::shared_ptr<EventHub::Subscription> subscription_;
  std::string pending_, sending_;
  bool writing_ = false;
  Clock::time_point last_write_;
};

constexpr std::string_view kBusy =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: "
    "close\r\nRetry-After: 1\r\nContent-Length: 80\r\n\r\n"
    "{\"error\":{\"code\":\"unavailable\",\"message\":\"too many connections; retry later\"}}";

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor->async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
    if (!ec) OnAccept(std::move(socket));
    Accept();
  });
}

void HttpServer::Impl::OnAccept(tcp::socket socket) {
  beast::error_code ec;
  if (stopping || Open() >= options.max_connections) {
    if (!ssl) asio::write(socket, asio::buffer(kBusy.data(), kBusy.size()), ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
    return;
  }
  socket.set_option(tcp::no_delay(true), ec);
  auto endpoint = socket.remote_endpoint(ec);
  std::string remote = ec ? std::string() : endpoint.address().to_string();
  std::shared_ptr<Connection> connection;
  if (ssl) {
    auto session = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
        *this, beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *ssl),
        std::move(remote));
    connection = session;
    Track(connection);
    session->Run();
  } else {
    auto session = std::make_shared<Session<beast::tcp_stream>>(
        *this, beast::tcp_stream(std::move(socket)), std::move(remote));
    connection = session;
    Track(connection);
    session->Run();
  }
}

HttpServer::HttpServer(const Api& api, EventHub* events, Options options)
    : impl_(std::make_unique<Impl>(api, events, std::move(options))) {
  impl_->limits = {impl_->options.max_header_bytes, impl_->options.max_url_bytes,
                   impl_->options.max_body_bytes};
}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  Impl& s = *impl_;
  const Options& o = s.options;
  std::string where = fmt::format("{}:{}", o.address, o.port);
  beast::error_code ec;
  auto address = asio::ip::make_address(o.address, ec);
  if (ec)
    return Status::InvalidArgument(fmt::format("listen address {}: not an IP address", where));
  if (!o.cert_file.empty() || !o.key_file.empty()) {
    if (o.cert_file.empty() || o.key_file.empty()) {
      return Status::InvalidArgument("TLS needs both cert_file and key_file");
    }
    s.ssl.emplace(asio::ssl::context::tls_server);
    s.ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1);
    s.ssl->use_certificate_chain_file(o.cert_file, ec);
    if (ec) {
      return Status::InvalidArgument(fmt::format("cert_file {}: {}", o.cert_file, ec.message()));
    }
    s.ssl->use_private_key_file(o.key_file, asio::ssl::context::pem, ec);
    if (ec) {
      return Status::InvalidArgument(fmt::format("key_file {}: {}", o.key_file, ec.message()));
    }
  }
  tcp::endpoint endpoint(address, o.port);
  s.acceptor.emplace(asio::make_strand(s.ioc));
  s.acceptor->open(endpoint.protocol(), ec);
  if (!ec) s.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor->bind(endpoint, ec);
  if (ec == asio::error::address_in_use) {
    return Status::Unavailable(fmt::format("{} is already in use (another kairos serve?)", where));
  }
  if (!ec) s.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::Unavailable(fmt::format("cannot listen on {}: {}", where, ec.message()));
  s.bound_port = s.acceptor->local_endpoint().port();
  s.work.emplace(s.ioc.get_executor());
  s.Accept();
  for (int i = 0; i < std::max(1, o.threads); ++i) {
    s.threads.emplace_back([&s] { s.ioc.run(); });
  }
  return Status::Ok();
}

void HttpServer::Stop() {
  Impl& s = *impl_;
  if (s.threads.empty() || s.stopping.exchange(true)) return;
  std::promise<void> closed;
  asio::post(s.acceptor->get_executor(), [&s, &closed] {
    beast::error_code ignored;
    s.acceptor->close(ignored);
    closed.set_value();
  });
  closed.get_future().wait();
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(s.mu);
    for (const auto& weak : s.connections) {
      if (auto c = weak.lock()) open.push_back(std::move(c));
    }
    s.connections.clear();
  }
  for (const auto& c : open) c->Shutdown();
  open.clear();
  {
    std::unique_lock lock(s.mu);
    s.all_closed.wait_for(lock, std::chrono::seconds(30), [&s] { return s.open == 0; });
  }
  s.work.reset();
  s.ioc.stop();
  for (auto& t : s.threads) t.join();
  s.threads.clear();
}

uint16_t HttpServer::port() const { return impl_->bound_port; }
bool HttpServer::tls() const { return impl_->ssl.has_value(); }
int HttpServer::connections() const { return impl_->Open(); }

}  // namespace kairos::server
