#include "server/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace kairos::server {
namespace {

using namespace std::chrono_literals;

// A plain client on a raw socket: bytes out, bytes in, with a deadline on every read.
class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Client() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return connected_; }

  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Bytes until `predicate(received)` holds, the peer closes, or `timeout` passes.
  std::string ReadUntil(const std::function<bool(const std::string&)>& predicate,
                        std::chrono::milliseconds timeout = 5s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!predicate(buffer_)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char chunk[4096];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      buffer_.append(chunk, static_cast<size_t>(n));
    }
    return buffer_;
  }

  // One whole response (headers and Content-Length body), taken off the buffer.
  std::string ReadResponse(std::chrono::milliseconds timeout = 5s) {
    ReadUntil([](const std::string& b) { return Complete(b) != std::string::npos; }, timeout);
    size_t end = Complete(buffer_);
    if (end == std::string::npos) return std::exchange(buffer_, "");
    std::string response = buffer_.substr(0, end);
    buffer_.erase(0, end);
    return response;
  }

  // Whether the server closed the connection within `timeout`.
  bool ClosedWithin(std::chrono::milliseconds timeout) {
    ReadUntil([](const std::string&) { return false; }, timeout);
    return closed_;
  }

 private:
  static size_t Complete(const std::string& b) {
    size_t head = b.find("\r\n\r\n");
    if (head == std::string::npos) return std::string::npos;
    size_t length = 0;
    size_t at = b.find("Content-Length: ");
    if (at != std::string::npos && at < head) length = std::stoul(b.substr(at + 16));
    if (b.size() < head + 4 + length) return std::string::npos;
    return head + 4 + length;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  std::string buffer_;
};

int StatusOf(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0) return 0;
  return std::atoi(response.c_str() + 9);
}

std::string BodyOf(const std::string& response) {
  size_t head = response.find("\r\n\r\n");
  return head == std::string::npos ? "" : response.substr(head + 4);
}

std::string Get(std::string_view path, std::string_view extra = "") {
  return fmt::format("GET {} HTTP/1.1\r\nHost: localhost\r\n{}\r\n", path, extra);
}

class NobodyAuthenticator : public Authenticator {
 public:
  Result<std::optional<Principal>> Authenticate(const Request&) override {
    return std::optional<Principal>();
  }
  bool HasAccounts() override { return true; }
};

// A server on an ephemeral loopback port with a few public routes: /echo answers what it was
// sent, /slow takes a while, /events opens a stream.
class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AddRoute(Method::kGet, "/echo", [](Request& r) {
      nlohmann::ordered_json query = nlohmann::ordered_json::object();
      for (const auto& [k, v] : r.query) query[k] = v;
      return Json({{"path", r.path},
                   {"query", query},
                   {"agent", r.Header("user-agent")},
                   {"remote", r.remote_address},
                   {"tls", r.tls}});
    });
    AddRoute(Method::kPost, "/echo", [](Request& r) { return Json({{"body", r.body}}); });
    AddRoute(Method::kGet, "/slow", [this](Request&) {
      slow_started_.set_value();
      std::this_thread::sleep_for(500ms);
      return Json({{"slow", true}});
    });
    AddRoute(Method::kGet, "/events", [](Request&) {
      Response r;
      r.event_stream = true;
      r.content_type = "text/event-stream";
      r.body = ": hello\n\n";
      return r;
    });
    api_ = std::make_unique<Api>(router_, auth_, ApiOptions{"test", {}});
    options_.port = 0;
    options_.read_timeout = 1500ms;
    options_.idle_timeout = 3s;
    options_.max_body_bytes = 1024;
    options_.keepalive_interval = 300ms;
  }

  void AddRoute(Method method, std::string path, Handler handler) {
    Route route;
    route.method = method;
    route.path = std::move(path);
    route.access = Access::Public();
    route.handler = std::move(handler);
    router_.Add(std::move(route));
  }

  void StartServer() {
    server_ = std::make_unique<HttpServer>(*api_, &hub_, options_);
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_NE(server_->port(), 0);
  }

  Router router_;
  NobodyAuthenticator auth_;
  std::unique_ptr<Api> api_;
  EventHub hub_;
  HttpServer::Options options_;
  std::unique_ptr<HttpServer> server_;
  std::promise<void> slow_started_;
};

TEST_F(HttpServerTest, ARequestRoundTripsDecodedWithLowerCaseHeaders) {
  StartServer();
  Client client(server_->port());
  ASSERT_TRUE(client.Send(Get("/ec%68o?a=1&b=two+words&c=%26", "USER-AGENT: probe\r\n")));
  std::string response = client.ReadResponse();
  ASSERT_EQ(StatusOf(response), 200) << response;
  auto body = nlohmann::json::parse(BodyOf(response));
  EXPECT_EQ(body["path"], "/echo");
  EXPECT_EQ(body["query"], nlohmann::json({{"a", "1"}, {"b", "two words"}, {"c", "&"}}));
  EXPECT_EQ(body["agent"], "probe");
  EXPECT_EQ(body["remote"], "127.0.0.1");
  EXPECT_EQ(body["tls"], false);
  EXPECT_NE(response.find("X-Content-Type-Options: nosniff"), std::string::npos);
}

TEST_F(HttpServerTest, UnknownPathIs404AndWrongMethodIs405InTheErrorShape) {
  StartServer();
  Client client(server_->port());
  ASSERT_TRUE(client.Send(Get("/nowhere")));
  std::string missing = client.ReadResponse();
  EXPECT_EQ(StatusOf(missing), 404);
  EXPECT_EQ(nlohmann::json::parse(BodyOf(missing))["error"]["code"], "not_found");
  ASSERT_TRUE(client.Send("DELETE /echo HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string wrong = client.ReadResponse();
  EXPECT_EQ(StatusOf(wrong), 405);
  EXPECT_NE(wrong.find("Allow: GET, POST"), std::string::npos) << wrong;
  EXPECT_EQ(nlohmann::json::parse(BodyOf(wrong))["error"]["code"], "method_not_allowed");
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer();
  Client client(server_->port());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(client.Send(Get(fmt::format("/echo?i={}", i))));
    std::string response = client.ReadResponse();
    ASSERT_EQ(StatusOf(response), 200) << i;
    EXPECT_EQ(nlohmann::json::parse(BodyOf(response))["query"]["i"], std::to_string(i));
  }
  ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"));
  EXPECT_EQ(nlohmann::json::parse(BodyOf(client.ReadResponse()))["body"], "hello");
}

TEST_F(HttpServerTest, AClientExpectingContinueIsToldToSendItsBody) {
  StartServer();
  Client client(server_->port());
  ASSERT_TRUE(client.Send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  std::string interim = client.ReadUntil(
      [](const std::string& b) { return b.find("\r\n\r\n") != std::string::npos; }, 2s);
  EXPECT_EQ(interim.rfind("HTTP/1.1 100 Continue\r\n\r\n", 0), 0u) << interim;
  ASSERT_TRUE(client.Send("hello"));
  std::string response = client.ReadUntil(
      [](const std::string& b) { return b.find("hello\"}") != std::string::npos; });
  EXPECT_NE(response.find("HTTP/1.1 200 OK"), std::string::npos) << response;
}

TEST_F(HttpServerTest, ABodyOverTheLimitIs413BeforeItIsRead) {
  StartServer();
  Client client(server_->port());
  // Declares 10 MB and sends only the header: the answer comes without waiting for the body.
  ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n"));
  std::string response = client.ReadResponse(1s);
  EXPECT_EQ(StatusOf(response), 413) << response;
  EXPECT_EQ(nlohmann::json::parse(BodyOf(response))["error"]["code"], "payload_too_large");
  EXPECT_TRUE(client.ClosedWithin(3s));
}

TEST_F(HttpServerTest, AChunkedBodyOverTheLimitIs413) {
  StartServer();
  Client client(server_->port());
  std::string chunk(2000, 'x');
  ASSERT_TRUE(client.Send(fmt::format(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n7d0\r\n{}\r\n", chunk)));
  EXPECT_EQ(StatusOf(client.ReadResponse()), 413);
}

TEST_F(HttpServerTest, AnOversizedUrlIs414AndAnOversizedHeaderBlockIs431) {
  StartServer();
  {
    Client client(server_->port());
    ASSERT_TRUE(client.Send(Get("/echo?q=" + std::string(9000, 'a'))));
    std::string response = client.ReadResponse();
    EXPECT_EQ(StatusOf(response), 414) << response.substr(0, 200);
  }
  {
    Client client(server_->port());
    ASSERT_TRUE(client.Send(Get("/echo", "X-Big: " + std::string(20000, 'b') + "\r\n")));
    std::string response = client.ReadResponse();
    EXPECT_EQ(StatusOf(response), 431) << response.substr(0, 200);
  }
  Client after(server_->port());
  ASSERT_TRUE(after.Send(Get("/echo")));
  EXPECT_EQ(StatusOf(after.ReadResponse()), 200);
}

TEST_F(HttpServerTest, MalformedRequestLinesAre400AndTheServerLivesOn) {
  StartServer();
  for (std::string_view garbage :
       {"GARBAGE\r\n\r\n", "GET /echo HTTP/9.9\r\n\r\n", "GET  HTTP/1.1\r\n\r\n",
        "GET /echo HTTP/1.1\r\nNo colon here\r\n\r\n", "\x01\x02\x03\r\n\r\n",
        "GET http://evil/echo HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /e%zzcho HTTP/1.1\r\nHost: x\r\n\r\n"}) {
    Client client(server_->port());
    ASSERT_TRUE(client.Send(garbage));
    std::string response = client.ReadResponse();
    EXPECT_EQ(StatusOf(response), 400) << garbage << " -> " << response;
  }
  Client client(server_->port());
  ASSERT_TRUE(client.Send(Get("/echo")));
  EXPECT_EQ(StatusOf(client.ReadResponse()), 200);
}

TEST_F(HttpServerTest, ASlowlorisIsClosedAfterTheReadTimeoutWhileOthersAreServed) {
  options_.threads = 1;
  StartServer();
  Client slow(server_->port());
  std::atomic<bool> done{false};
  std::thread trickle([&] {
    std::string request = Get("/echo", "X-Padding: " + std::string(40, 'p') + "\r\n");
    for (char c : request) {
      if (done || !slow.Send(std::string_view(&c, 1))) return;
      std::this_thread::sleep_for(100ms);
    }
  });
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) {
    Client normal(server_->port());
    ASSERT_TRUE(normal.Send(Get("/echo")));
    EXPECT_EQ(StatusOf(normal.ReadResponse(1s)), 200);
  }
  bool closed = slow.ClosedWithin(4s);
  auto elapsed = std::chrono::steady_clock::now() - start;
  done = true;
  trickle.join();
  EXPECT_TRUE(closed);
  EXPECT_GE(elapsed, 1400ms);
  EXPECT_LT(elapsed, 3500ms);
}

TEST_F(HttpServerTest, AnIdleKeptAliveConnectionIsClosed) {
  options_.idle_timeout = 500ms;
  StartServer();
  Client client(server_->port());
  ASSERT_TRUE(client.Send(Get("/echo")));
  EXPECT_EQ(StatusOf(client.ReadResponse()), 200);
  EXPECT_TRUE(client.ClosedWithin(2s));
}

TEST_F(HttpServerTest, ConnectionsBeyondTheLimitAreRefusedWith503) {
  options_.max_connections = 2;
  StartServer();
  Client a(server_->port()), b(server_->port());
  ASSERT_TRUE(a.Send(Get("/echo")));
  ASSERT_TRUE(b.Send(Get("/echo")));
  EXPECT_EQ(StatusOf(a.ReadResponse()), 200);
  EXPECT_EQ(StatusOf(b.ReadResponse()), 200);
  Client c(server_->port());
  std::string refused = c.ReadResponse(2s);
  EXPECT_EQ(StatusOf(refused), 503) << refused;
  EXPECT_TRUE(c.ClosedWithin(2s));
  // A freed slot is served again.
  a.Send("GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(StatusOf(a.ReadResponse()), 200);
  ASSERT_TRUE(a.ClosedWithin(3s));
  for (int i = 0; i < 200 && server_->connections() > 1; ++i) std::this_thread::sleep_for(20ms);
  Client d(server_->port());
  ASSERT_TRUE(d.Send(Get("/echo")));
  EXPECT_EQ(StatusOf(d.ReadResponse()), 200);
}

TEST_F(HttpServerTest, AnEventStreamCarriesPublishedEventsAndKeepalives) {
  StartServer();
  Client client(server_->port());
  ASSERT_TRUE(client.Send(Get("/events")));
  client.ReadUntil([](const std::string& b) { return b.find(": hello") != std::string::npos; });
  for (int i = 0; i < 100 && hub_.subscribers() == 0; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(hub_.subscribers(), 1u);
  hub_.Publish("fill", R"({"qty":3})");
  std::string stream = client.ReadUntil([](const std::string& b) {
    return b.find(": keepalive") != std::string::npos && b.find("event: fill") != std::string::npos;
  });
  EXPECT_NE(stream.find("HTTP/1.1 200 OK"), std::string::npos);
  EXPECT_NE(stream.find("Content-Type: text/event-stream"), std::string::npos);
  EXPECT_NE(stream.find("id: 1\nevent: fill\ndata: {\"qty\":3}\n\n"), std::string::npos) << stream;
  EXPECT_NE(stream.find(": keepalive\n\n"), std::string::npos);
}

TEST_F(HttpServerTest, StopEndsStreamsAndLetsARequestInFlightFinish) {
  StartServer();
  Client stream(server_->port());
  ASSERT_TRUE(stream.Send(Get("/events")));
  stream.ReadUntil([](const std::string& b) { return b.find(": hello") != std::string::npos; });
  Client idle(server_->port());
  Client busy(server_->port());
  ASSERT_TRUE(busy.Send(Get("/slow")));
  slow_started_.get_future().wait();
  server_->Stop();
  std::string answer = busy.ReadResponse();
  EXPECT_EQ(StatusOf(answer), 200) << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos);
  EXPECT_TRUE(stream.ClosedWithin(1s));
  EXPECT_TRUE(idle.ClosedWithin(1s));
  EXPECT_EQ(server_->connections(), 0);
  EXPECT_FALSE(Client(server_->port()).connected());
}

TEST_F(HttpServerTest, AListenAddressInUseIsUnavailable) {
  StartServer();
  options_.port = server_->port();
  HttpServer second(*api_, &hub_, options_);
  Status started = second.Start();
  EXPECT_EQ(started.code(), StatusCode::kUnavailable);
  EXPECT_NE(started.message().find("already in use"), std::string::npos) << started.message();
}

// A throwaway self-signed certificate made with the openssl command line.
std::filesystem::path MakeCertificate() {
  auto dir = std::filesystem::temp_directory_path() /
             fmt::format("kairos-tls-{}-{}", ::getpid(), std::rand());
  std::filesystem::create_directories(dir);
  std::string command = fmt::format(
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout {0}/key.pem "
      "-out {0}/cert.pem >/dev/null 2>&1",
      dir.string());
  EXPECT_EQ(std::system(command.c_str()), 0);
  return dir;
}

TEST_F(HttpServerTest, TlsRoundTrip) {
  auto dir = MakeCertificate();
  options_.cert_file = (dir / "cert.pem").string();
  options_.key_file = (dir / "key.pem").string();
  StartServer();
  EXPECT_TRUE(server_->tls());
  namespace asio = boost::asio;
  namespace beast = boost::beast;
  asio::io_context ioc;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.set_verify_mode(asio::ssl::verify_none);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  beast::get_lowest_layer(stream).connect(
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
  stream.handshake(asio::ssl::stream_base::client);
  for (int i = 0; i < 2; ++i) {
    beast::http::request<beast::http::empty_body> req{beast::http::verb::get, "/echo?x=1", 11};
    req.set(beast::http::field::host, "localhost");
    beast::http::write(stream, req);
    beast::flat_buffer buffer;
    beast::http::response<beast::http::string_body> res;
    beast::http::read(stream, buffer, res);
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(nlohmann::json::parse(res.body())["tls"], true);
  }
  Client plain(server_->port());
  ASSERT_TRUE(plain.Send(Get("/echo")));
  EXPECT_NE(StatusOf(plain.ReadResponse(2s)), 200);
  server_->Stop();
  std::filesystem::remove_all(dir);
}

TEST_F(HttpServerTest, AnUnreadableCertificateIsInvalidArgument) {
  options_.cert_file = "/nonexistent/cert.pem";
  options_.key_file = "/nonexistent/key.pem";
  HttpServer server(*api_, &hub_, options_);
  Status started = server.Start();
  EXPECT_EQ(started.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(started.message().find("cert_file"), std::string::npos);
}

}  // namespace
}  // namespace kairos::server
