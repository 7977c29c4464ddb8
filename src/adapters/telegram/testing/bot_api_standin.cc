#include "adapters/telegram/testing/bot_api_standin.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include <fmt/core.h>

#include "adapters/http_client/curl_transport.h"

extern char** environ;

namespace kairos::telegram::testing {
namespace {

// Reads the child's stdout until a line "port N" (or the deadline); the port or 0.
int ReadPort(int fd, std::chrono::milliseconds wait, std::string* seen) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  while (std::chrono::steady_clock::now() < deadline) {
    if (size_t nl = seen->find('\n'); nl != std::string::npos) {
      int port = 0;
      if (std::sscanf(seen->c_str(), "port %d", &port) == 1) return port;
      return 0;
    }
    pollfd p{fd, POLLIN, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (::poll(&p, 1, static_cast<int>(std::max<int64_t>(left.count(), 1))) <= 0) continue;
    char buffer[256];
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return 0;  // the child exited
    seen->append(buffer, static_cast<size_t>(n));
  }
  return 0;
}

}  // namespace

BotApiStandin::BotApiStandin() : http_(http::MakeCurlTransport()) {
  std::string script = std::string(KAIROS_SOURCE_DIR) + "/tests/standins/telegram_bot_api.py";
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    error_ = "pipe failed";
    return;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  std::string token(kToken);
  std::string parent = std::to_string(::getpid());
  std::vector<char*> argv = {const_cast<char*>("python3"),
                             script.data(),
                             const_cast<char*>("--token"),
                             token.data(),
                             const_cast<char*>("--parent-pid"),
                             parent.data(),
                             nullptr};
  int rc = ::posix_spawnp(&pid_, "python3", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  stdout_fd_ = fds[0];
  if (rc != 0) {
    pid_ = -1;
    error_ = fmt::format("cannot start python3 {}: error {}", script, rc);
    return;
  }
  std::string seen;
  port_ = ReadPort(stdout_fd_, std::chrono::seconds(10), &seen);
  if (port_ == 0) error_ = fmt::format("the stand-in printed no port: '{}'", seen);
}

BotApiStandin::~BotApiStandin() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100; ++i) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

std::string BotApiStandin::api_base() const { return fmt::format("http://127.0.0.1:{}", port_); }

BotConfig BotApiStandin::Config(std::string_view token) const {
  BotConfig config;
  config.api_base = api_base();
  config.token = std::string(token);
  config.request_timeout_ms = 5'000;
  config.poll_grace_ms = 5'000;
  return config;
}

http::HttpResponse BotApiStandin::Post(std::string_view path, std::string body,
                                       std::string content_type) {
  http::HttpRequest request;
  request.url = api_base() + std::string(path);
  request.body = std::move(body);
  request.content_type = std::move(content_type);
  request.timeout_ms = 5'000;
  return http_->Send(request);
}

nlohmann::json BotApiStandin::Control(std::string_view name, const nlohmann::json& body) {
  http::HttpResponse r = Post(fmt::format("/_test/{}", name), body.dump(), "application/json");
  if (r.status != 200) return nullptr;
  return nlohmann::json::parse(r.body, nullptr, false);
}

}  // namespace kairos::telegram::testing
