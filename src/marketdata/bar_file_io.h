#pragma once

// File I/O for the bar store: descriptors, atomic writes, file stamps, owned or mapped bytes.
// Internal to marketdata.

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "core/result.h"

namespace kairos::marketdata::internal {

// IOError "<what> <path>: <strerror(errno)>".
Status Errno(std::string_view what, const std::filesystem::path& path);

// A file descriptor closed on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&&) = delete;
  ~Fd();
  int get() const { return fd_; }
  // Closes now and reports the error close() gives (write-back errors surface here).
  int Close();

 private:
  int fd_;
};

// fsyncs a directory (makes the renames and unlinks in it durable).
Status SyncDir(const std::filesystem::path& dir);

// Writes `bytes` to dir/name through dir/name.tmp: write, fsync (sync_file), rename, fsync the
// directory (sync_dir). A leftover .tmp from a crash is simply overwritten by the next write of
// the same name. Without the directory fsync the rename is atomic but may be undone by a crash
// (the old complete file comes back).
Status WriteAtomically(const std::filesystem::path& dir, const std::string& name,
                       std::span<const std::byte> bytes, bool sync_file, bool sync_dir);

// Identifies one version of a file cheaply: a rename makes a new inode, a rewrite a new mtime.
struct FileStamp {
  uint64_t inode = 0;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};
FileStamp StampOf(const struct stat& st);
// The stamp of the file at `p`, or nullopt when it cannot be stat()ed.
std::optional<FileStamp> StatFile(const std::filesystem::path& p);

// The whole file; NotFound when it does not exist.
Result<std::string> ReadWholeFile(const std::filesystem::path& path);

// The bytes of a file prefix: a private read-only mapping, or a 64-byte aligned heap copy.
class FileBytes {
 public:
  static FileBytes Mapped(void* addr, size_t size) { return FileBytes(addr, size, true); }
  static FileBytes Copied(size_t size);
  FileBytes(FileBytes&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(other.size_), mapped_(other.mapped_) {}
  FileBytes& operator=(FileBytes&&) = delete;
  ~FileBytes();
  std::byte* data() const { return static_cast<std::byte*>(data_); }

 private:
  FileBytes(void* data, size_t size, bool mapped);
  void* data_;
  size_t size_;
  bool mapped_;
};

}  // namespace kairos::marketdata::internal
