#pragma once
// A vendor stand-in server (tests/standins/*.py) as a test fixture: a python3 child process on
// 127.0.0.1 that prints "port N" once it listens, killed when the fixture ends. It exits by
// itself when the test process is gone (--parent-pid), so a crashed test leaves no server.
#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/http_client/http_transport.h"

namespace kairos::http::testing {

class StandinProcess {
 public:
  // Starts python3 `script` (a path relative to the source tree) with `args` and
  // --parent-pid, and waits (up to 10 s) for its port. On failure ok() is false and error()
  // says why.
  StandinProcess(std::string_view script, std::vector<std::string> args);
  ~StandinProcess();
  StandinProcess(const StandinProcess&) = delete;
  StandinProcess& operator=(const StandinProcess&) = delete;

  bool ok() const { return port_ > 0; }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  std::string base_url() const;

  // A request of `method` to `path` with a JSON `body` (5 s timeout).
  HttpResponse Send(std::string_view method, std::string_view path, std::string body,
                    std::string content_type = "application/json",
                    std::vector<std::string> headers = {});
  // POST /_test/<name> with `body`; the decoded JSON answer, or null when the call failed.
  nlohmann::json Control(std::string_view name,
                         const nlohmann::json& body = nlohmann::json::object());

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int port_ = 0;
  std::string error_;
  std::unique_ptr<HttpTransport> http_;
};

}  // namespace kairos::http::testing
