#include "adapters/http_client/testing/standin_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <fmt/core.h>

#include "adapters/http_client/curl_transport.h"

extern char** environ;

namespace kairos::http::testing {
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

StandinProcess::StandinProcess(std::string_view script, std::vector<std::string> args)
    : http_(MakeCurlTransport()) {
  std::string path = std::string(KAIROS_SOURCE_DIR) + "/" + std::string(script);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    error_ = "pipe failed";
    return;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  args.insert(args.begin(), {"python3", path});
  args.push_back("--parent-pid");
  args.push_back(std::to_string(::getpid()));
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int rc = ::posix_spawnp(&pid_, "python3", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  stdout_fd_ = fds[0];
  if (rc != 0) {
    pid_ = -1;
    error_ = fmt::format("cannot start python3 {}: error {}", path, rc);
    return;
  }
  std::string seen;
  port_ = ReadPort(stdout_fd_, std::chrono::seconds(10), &seen);
  if (port_ == 0) error_ = fmt::format("the stand-in printed no port: '{}'", seen);
}

StandinProcess::~StandinProcess() {
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

std::string StandinProcess::base_url() const { return fmt::format("http://127.0.0.1:{}", port_); }

HttpResponse StandinProcess::Send(std::string_view method, std::string_view path, std::string body,
                                  std::string content_type, std::vector<std::string> headers) {
  HttpRequest request;
  request.method = std::string(method);
  request.url = base_url() + std::string(path);
  request.headers = std::move(headers);
  request.body = std::move(body);
  request.content_type = std::move(content_type);
  request.timeout_ms = 5'000;
  return http_->Send(request);
}

nlohmann::json StandinProcess::Control(std::string_view name, const nlohmann::json& body) {
  HttpResponse r = Send("POST", fmt::format("/_test/{}", name), body.dump());
  if (r.status != 200) return nullptr;
  return nlohmann::json::parse(r.body, nullptr, false);
}

}  // namespace kairos::http::testing
