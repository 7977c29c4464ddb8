#include "core/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

#include <fmt/format.h>

namespace kairos {
namespace {

constexpr std::chrono::milliseconds kRetryEvery{50};

Status Errno(std::string_view what, const std::filesystem::path& path) {
  return Status::IOError(fmt::format("{} {}: {}", what, path.string(), std::strerror(errno)));
}

// This process' command line, arguments joined by spaces, argv[0] reduced to its file name.
std::string OwnCommand() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\0', start);
    if (end == std::string::npos) end = text.size();
    std::string arg = text.substr(start, end - start);
    if (out.empty()) arg = std::filesystem::path(arg).filename().string();
    if (!out.empty()) out += ' ';
    out += arg;
    start = end + 1;
  }
  return out;
}

std::string UtcNow() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// One line each: "pid <n>", "command <text>", "since <time>". Control characters in the command
// become spaces so the file stays three lines.
std::string FormatHolder(const FileLock::Holder& h) {
  std::string command = h.command;
  for (char& c : command) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return fmt::format("pid {}\ncommand {}\nsince {}\n", h.pid, command, h.since);
}

Status WriteHolder(int fd, const std::filesystem::path& path, std::string_view command) {
  FileLock::Holder h{::getpid(), command.empty() ? OwnCommand() : std::string(command), UtcNow()};
  std::string text = FormatHolder(h);
  if (::ftruncate(fd, 0) != 0) return Errno("cannot truncate", path);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::pwrite(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("cannot write", path);
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

std::string Describe(const Result<FileLock::Holder>& h) {
  if (!h.ok()) return "holder unknown";
  return fmt::format("pid {}, `{}`, since {}", h->pid, h->command, h->since);
}

}  // namespace

Result<FileLock> FileLock::Acquire(const std::filesystem::path& path, std::string_view what,
                                   std::chrono::milliseconds wait, std::string_view command) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) {
    return Status::IOError(
        fmt::format("cannot create {}: {}", path.parent_path().string(), ec.message()));
  }
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot open lock file", path);
  FileLock lock(path, fd);  // closes fd on every early return
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) break;
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) return Errno("cannot lock", path);
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::FailedPrecondition(
          fmt::format("another kairos command holds {}: {}; try again when it ends", what,
                      Describe(ReadHolder(path))));
    }
    std::this_thread::sleep_for(kRetryEvery);
  }
  KAIROS_RETURN_IF_ERROR(WriteHolder(fd, path, command));
  return lock;
}

Result<FileLock::Holder> FileLock::ReadHolder(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(fmt::format("no lock file {}", path.string()));
  Holder h;
  bool pid = false, command = false, since = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("pid ")) {
      std::string_view v = std::string_view(line).substr(4);
      pid = std::from_chars(v.data(), v.data() + v.size(), h.pid).ec == std::errc();
    } else if (line.starts_with("command ")) {
      h.command = line.substr(8);
      command = true;
    } else if (line.starts_with("since ")) {
      h.since = line.substr(6);
      since = true;
    }
  }
  if (!pid || !command || !since) {
    return Status::NotFound(fmt::format("no holder recorded in {}", path.string()));
  }
  return h;
}

FileLock::FileLock(FileLock&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    Release();
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

FileLock::~FileLock() { Release(); }

// Closing the file releases the flock. The holder lines stay: a stale description is harmless
// because only the flock says whether the lock is held.
void FileLock::Release() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace kairos
