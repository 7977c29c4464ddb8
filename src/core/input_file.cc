#include "core/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include <fmt/core.h>

namespace kairos {
namespace {

std::string_view KindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a fifo";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

Status NotRegular(const std::filesystem::path& path, mode_t mode, std::string_view what) {
  return Status::InvalidArgument(fmt::format("{} is {}, not a {} (kairos reads only regular files)",
                                             path.string(), KindOf(mode), what));
}

Status Errno(std::string_view doing, const std::filesystem::path& path, int error) {
  std::string text = fmt::format("cannot {} {}: {}", doing, path.string(), std::strerror(error));
  if (error == ENOENT) return Status::NotFound(std::move(text));
  return Status::IOError(std::move(text));
}

Status TooLarge(const std::filesystem::path& path, std::string_view what, size_t max_bytes) {
  return Status::InvalidArgument(
      fmt::format("{} is larger than a {} may be ({})", path.string(), what, ByteSize(max_bytes)));
}

}  // namespace

std::string ByteSize(size_t bytes) {
  if (bytes >= (size_t{1} << 20) && bytes % (size_t{1} << 20) == 0) {
    return fmt::format("{} MiB", bytes >> 20);
  }
  if (bytes >= (size_t{1} << 10) && bytes % (size_t{1} << 10) == 0) {
    return fmt::format("{} KiB", bytes >> 10);
  }
  return fmt::format("{} bytes", bytes);
}

Status CheckRegularFile(const std::filesystem::path& path, std::string_view what) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Errno("read", path, errno);
  if (!S_ISREG(st.st_mode)) return NotRegular(path, st.st_mode, what);
  return Status::Ok();
}

Result<std::string> ReadInputFile(const std::filesystem::path& path, std::string_view what,
                                  size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    // open() of a directory for reading succeeds on Linux; EISDIR comes from elsewhere.
    if (errno == EISDIR) return NotRegular(path, S_IFDIR, what);
    return Errno("read", path, errno);
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0) return Errno("read", path, errno);
  if (!S_ISREG(st.st_mode)) return NotRegular(path, st.st_mode, what);
  if (static_cast<uint64_t>(st.st_size) > max_bytes) return TooLarge(path, what, max_bytes);
  std::string text;
  text.resize(static_cast<size_t>(st.st_size) + 1);  // one more byte tells a file that grew
  size_t got = 0;
  while (true) {
    if (got == text.size()) {
      if (text.size() > max_bytes) return TooLarge(path, what, max_bytes);
      text.resize(std::min(text.size() * 2, max_bytes + 1));
    }
    ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("read", path, errno);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got > max_bytes) return TooLarge(path, what, max_bytes);
  text.resize(got);
  return text;
}

}  // namespace kairos
