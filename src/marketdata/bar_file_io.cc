#include "marketdata/bar_file_io.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "core/check.h"
#include "marketdata/bar_file_format.h"

namespace kairos::marketdata::internal {

Status Errno(std::string_view what, const std::filesystem::path& path) {
  return Status::IOError(fmt::format("{} {}: {}", what, path.string(), std::strerror(errno)));
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

int Fd::Close() {
  int rc = ::close(fd_);
  fd_ = -1;
  return rc;
}

Status SyncDir(const std::filesystem::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return Errno("cannot open directory", dir);
  if (::fsync(fd.get()) != 0) return Errno("cannot fsync directory", dir);
  return Status::Ok();
}

Status WriteAtomically(const std::filesystem::path& dir, const std::string& name,
                       std::span<const std::byte> bytes, bool sync_file, bool sync_dir) {
  std::filesystem::path target = dir / name;
  std::filesystem::path temp = dir / (name + ".tmp");
  Status status = [&]() -> Status {
    Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.get() < 0) return Errno("cannot create", temp);
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Errno("cannot write", temp);
      done += static_cast<size_t>(n);
    }
    if (sync_file && ::fsync(fd.get()) != 0) return Errno("cannot fsync", temp);
    if (fd.Close() != 0) return Errno("cannot close", temp);
    if (::rename(temp.c_str(), target.c_str()) != 0) return Errno("cannot rename into", target);
    return Status::Ok();
  }();
  if (!status.ok()) {
    ::unlink(temp.c_str());
    return status;
  }
  return sync_dir ? SyncDir(dir) : Status::Ok();
}

FileStamp StampOf(const struct stat& st) {
  return {static_cast<uint64_t>(st.st_ino), static_cast<uint64_t>(st.st_size),
          static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}
std::optional<FileStamp> StatFile(const std::filesystem::path& p) {
  struct stat st;
  if (::stat(p.c_str(), &st) != 0) return std::nullopt;
  return StampOf(st);
}

Result<std::string> ReadWholeFile(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return Status::NotFound(fmt::format("{} does not exist", path.string()));
    return Errno("cannot open", path);
  }
  std::string out;
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("cannot read", path);
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

FileBytes FileBytes::Copied(size_t size) {
  return FileBytes(std::aligned_alloc(kAlign, AlignUp(size)), size, false);
}

FileBytes::FileBytes(void* data, size_t size, bool mapped)
    : data_(data), size_(size), mapped_(mapped) {
  KAIROS_CHECK(data_ != nullptr) << "out of memory for " << size << " bytes";
}

FileBytes::~FileBytes() {
  if (data_ == nullptr) return;
  if (mapped_) {
    ::munmap(data_, size_);
  } else {
    std::free(data_);
  }
}

}  // namespace kairos::marketdata::internal
