#include "marketdata/bar_store.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <system_error>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

#include "core/file_lock.h"
#include "marketdata/tail_file.h"

// File format, version 1 (all integers little-endian; the build refuses big-endian hosts):
//
//   [0, 256)   FileHeader (below)
//   columns    dates as int32 days since 1970-01-01, then close, open, high, low, volume as
//              float64, each starting at a multiple of 64 and zero-padded to a multiple of 64.
//              A close-only file holds only dates and close. The file ends after the last pad.
//              Closes come right after the dates so that a scan maps and touches one prefix.
//
// Checksums (Checksum64, "KH64"): one per column over its padded extent, stored in the header,
// and one over the header's first 248 bytes (which include the column checksums), so every byte
// of the file is covered. Why per column: a scan that needs only closes verifies dates + close
// (~a quarter of a 5,000-bar OHLCV file) instead of hashing the whole file on every read; each
// read verifies exactly what it serves, every time (no cache of "already verified" that could go
// stale). KH64 runs at ~17 GB/s on one core of the development VM, about a tenth of the cost of
// getting the bytes (bench/store_bench.cc: store/checksum64, store/read_close/*).
//
// Reads take the header (pread) first, then only the prefix of the file that holds the columns
// asked for, by pread into an owned buffer or mmap (BarStoreOptions::read_mode). A tail read
// (ReadTail) preads only the last rows of each column asked for and verifies the header but not
// the column checksums (they cover whole columns; see bar_store.h).
namespace kairos::marketdata {

static_assert(std::endian::native == std::endian::little, "the bar file format is little-endian");
static_assert(sizeof(Date) == 4 && std::is_trivially_copyable_v<Date>);

namespace {

constexpr char kMagic[8] = {'K', 'A', 'I', 'R', 'O', 'S', 'B', '\x1a'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kFlagCloseOnly = 1;
constexpr size_t kAlign = 64;
constexpr size_t kSlots = 6;  // dates, then the five Columns in enum order
constexpr size_t kDateSlot = 0;
constexpr const char* kSlotNames[kSlots] = {"dates", "open", "high", "low", "close", "volume"};
constexpr const char* kExtension = ".kbar";
constexpr const char* kManifestName = "manifest.tsv";
constexpr const char* kManifestHeader = "# kairos bar manifest v1";

struct FileHeader {
  char magic[8];
  uint32_t version;
  uint32_t flags;
  uint64_t bar_count;
  uint64_t file_size;
  int32_t first_date;
  int32_t last_date;
  char exchange[BarStore::kMaxExchangeBytes + 1];  // NUL-terminated
  char symbol[BarStore::kMaxSymbolBytes + 1];      // NUL-terminated
  uint64_t column_offset[kSlots];                  // 0 when the column is absent
  uint64_t column_hash[kSlots];
  uint8_t reserved[24];  // zero
  uint64_t header_hash;  // Checksum64 of the bytes before this field
};
static_assert(sizeof(FileHeader) == 256 && std::is_trivially_copyable_v<FileHeader>);
constexpr size_t kHeaderHashedBytes = offsetof(FileHeader, header_hash);

constexpr size_t SlotOf(Column c) { return 1 + static_cast<size_t>(c); }
// The order of the columns in a file (header arrays are indexed by slot).
constexpr size_t kDiskOrder[kSlots] = {kDateSlot,
                                       SlotOf(Column::kClose),
                                       SlotOf(Column::kOpen),
                                       SlotOf(Column::kHigh),
                                       SlotOf(Column::kLow),
                                       SlotOf(Column::kVolume)};
size_t AlignUp(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }
size_t ElementSize(size_t slot) { return slot == kDateSlot ? sizeof(int32_t) : sizeof(double); }
bool SlotPresent(size_t slot, bool close_only) {
  return slot == kDateSlot || slot == SlotOf(Column::kClose) || !close_only;
}

// The canonical layout for `bars` rows: offsets per slot (0 if absent) and the file size.
struct Layout {
  uint64_t offset[kSlots] = {};
  uint64_t file_size = 0;
};
Layout LayoutFor(uint64_t bars, bool close_only) {
  Layout layout;
  uint64_t at = sizeof(FileHeader);
  for (size_t slot : kDiskOrder) {
    if (!SlotPresent(slot, close_only)) continue;
    layout.offset[slot] = at;
    at += AlignUp(bars * ElementSize(slot));
  }
  layout.file_size = at;
  return layout;
}

constexpr uint64_t kK1 = 0x9E3779B97F4A7C15ull;
constexpr uint64_t kK2 = 0xBF58476D1CE4E5B9ull;
constexpr uint64_t kK3 = 0x94D049BB133111EBull;

uint64_t Load64(const std::byte* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
// Bijective in `acc` for a fixed `word` and in `word` for a fixed `acc` (odd multipliers).
inline uint64_t Round(uint64_t acc, uint64_t word) { return std::rotl(acc + word * kK2, 31) * kK1; }
// Bijective avalanche.
inline uint64_t Finalise(uint64_t x) {
  x ^= x >> 30;
  x *= kK2;
  x ^= x >> 27;
  x *= kK3;
  x ^= x >> 31;
  return x;
}

std::string PathString(const std::filesystem::path& p) { return p.string(); }

Status Errno(std::string_view what, const std::filesystem::path& path) {
  return Status::IOError(fmt::format("{} {}: {}", what, PathString(path), std::strerror(errno)));
}

Status CorruptionIn(const std::filesystem::path& path, std::string_view what) {
  return Status::Corruption(fmt::format("{}: {}", PathString(path), what));
}

// A file descriptor closed on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now and reports the error close() gives (write-back errors surface here).
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

Status SyncDir(const std::filesystem::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return Errno("cannot open directory", dir);
  if (::fsync(fd.get()) != 0) return Errno("cannot fsync directory", dir);
  return Status::Ok();
}

// Writes `bytes` to dir/name through dir/name.tmp: write, fsync (sync_file), rename, fsync the
// directory (sync_dir). A leftover .tmp from a crash is simply overwritten by the next write of
// the same name. Without the directory fsync the rename is atomic but may be undone by a crash
// (the old complete file comes back).
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

// Identifies one version of a file cheaply: a rename makes a new inode, a rewrite a new mtime.
struct FileStamp {
  uint64_t inode = 0;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};
FileStamp StampOf(const struct stat& st) {
  return {static_cast<uint64_t>(st.st_ino), static_cast<uint64_t>(st.st_size),
          static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}
std::optional<FileStamp> StatFile(const std::filesystem::path& p) {
  struct stat st;
  if (::stat(p.c_str(), &st) != 0) return std::nullopt;
  return StampOf(st);
}

Status CheckName(std::string_view what, std::string_view name, size_t max_bytes) {
  if (name.empty()) return Status::InvalidArgument(fmt::format("{} is empty", what));
  if (name.size() > max_bytes) {
    return Status::InvalidArgument(
        fmt::format("{} '{}' is longer than {} bytes", what, name, max_bytes));
  }
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return Status::InvalidArgument(
          fmt::format("{} '{}' holds a control character (0x{:02x})", what, name, u));
    }
  }
  return Status::Ok();
}

// Checks what a writer may store; says which row or column is wrong.
Status ValidateSeries(const BarSeries& s) {
  KAIROS_RETURN_IF_ERROR(CheckName("symbol", s.instrument.symbol, BarStore::kMaxSymbolBytes));
  KAIROS_RETURN_IF_ERROR(CheckName("exchange", s.instrument.exchange, BarStore::kMaxExchangeBytes));
  const size_t n = s.dates.size();
  auto check_column = [&](const char* name, const std::vector<double>& col) -> Status {
    size_t want = s.close_only && std::string_view(name) != "close" ? 0 : n;
    if (col.size() == want) return Status::Ok();
    return Status::InvalidArgument(fmt::format("{}: column '{}' has {} values, expected {}{}",
                                               s.instrument.symbol, name, col.size(), want,
                                               s.close_only ? " (close-only series)" : ""));
  };
  KAIROS_RETURN_IF_ERROR(check_column("open", s.open));
  KAIROS_RETURN_IF_ERROR(check_column("high", s.high));
  KAIROS_RETURN_IF_ERROR(check_column("low", s.low));
  KAIROS_RETURN_IF_ERROR(check_column("close", s.close));
  KAIROS_RETURN_IF_ERROR(check_column("volume", s.volume));
  for (size_t i = 1; i < n; ++i) {
    if (s.dates[i] <= s.dates[i - 1]) {
      return Status::InvalidArgument(
          fmt::format("{}: dates not strictly increasing at row {}: {} after {}",
                      s.instrument.symbol, i, s.dates[i], s.dates[i - 1]));
    }
  }
  return Status::Ok();
}

std::span<const double> ColumnOf(const BarSeries& s, size_t slot) {
  switch (slot) {
    case 1:
      return s.open;
    case 2:
      return s.high;
    case 3:
      return s.low;
    case 4:
      return s.close;
    case 5:
      return s.volume;
  }
  KAIROS_CHECK(false) << "bad slot " << slot;
  return {};
}

// REQUIRES: ValidateSeries(s).ok() and !s.empty().
std::vector<std::byte> Encode(const BarSeries& s) {
  const uint64_t n = s.size();
  Layout layout = LayoutFor(n, s.close_only);
  std::vector<std::byte> out(layout.file_size);  // zero-filled: the pads are zero
  FileHeader h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = kVersion;
  h.flags = s.close_only ? kFlagCloseOnly : 0;
  h.bar_count = n;
  h.file_size = layout.file_size;
  h.first_date = s.dates.front().days();
  h.last_date = s.dates.back().days();
  std::memcpy(h.exchange, s.instrument.exchange.data(), s.instrument.exchange.size());
  std::memcpy(h.symbol, s.instrument.symbol.data(), s.instrument.symbol.size());
  for (size_t slot = 0; slot < kSlots; ++slot) {
    if (!SlotPresent(slot, s.close_only)) continue;
    std::byte* at = out.data() + layout.offset[slot];
    if (slot == kDateSlot) {
      std::memcpy(at, s.dates.data(), n * sizeof(Date));
    } else {
      std::memcpy(at, ColumnOf(s, slot).data(), n * sizeof(double));
    }
    h.column_offset[slot] = layout.offset[slot];
    h.column_hash[slot] = Checksum64({at, AlignUp(n * ElementSize(slot))});
  }
  std::memcpy(out.data(), &h, sizeof h);
  h.header_hash = Checksum64({out.data(), kHeaderHashedBytes});
  std::memcpy(out.data(), &h, sizeof h);
  return out;
}

// Validates a header read from a file of `actual_size` bytes: magic, version, checksum, size,
// layout. Says what is wrong, naming the file.
Result<FileHeader> CheckHeader(const std::byte* bytes, uint64_t actual_size,
                               const std::filesystem::path& path) {
  if (actual_size < sizeof(FileHeader)) {
    return CorruptionIn(path, fmt::format("truncated: {} bytes, shorter than the {}-byte header",
                                          actual_size, sizeof(FileHeader)));
  }
  FileHeader h;
  std::memcpy(&h, bytes, sizeof h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) {
    return CorruptionIn(path, "bad magic: not a kairos bar file");
  }
  if (h.version != kVersion) {
    return CorruptionIn(path, fmt::format("unsupported format version {} (this build reads {})",
                                          h.version, kVersion));
  }
  if (Checksum64({bytes, kHeaderHashedBytes}) != h.header_hash) {
    return CorruptionIn(path, "header checksum mismatch");
  }
  // From here on the header is what the writer wrote; a mismatch below is damage to the rest.
  if (actual_size < h.file_size) {
    return CorruptionIn(
        path, fmt::format("truncated: {} bytes, the header says {}", actual_size, h.file_size));
  }
  if (actual_size > h.file_size) {
    return CorruptionIn(path, fmt::format("{} bytes, the header says {} (trailing garbage)",
                                          actual_size, h.file_size));
  }
  // A header with a valid checksum but an impossible layout means a writer bug; still never
  // serve it.
  bool close_only = (h.flags & kFlagCloseOnly) != 0;
  Layout layout = LayoutFor(h.bar_count, close_only);
  bool layout_ok = (h.flags & ~kFlagCloseOnly) == 0 && h.bar_count > 0 &&
                   h.bar_count < (uint64_t{1} << 32) && layout.file_size == h.file_size &&
                   h.symbol[sizeof h.symbol - 1] == '\0' &&
                   h.exchange[sizeof h.exchange - 1] == '\0' && h.first_date <= h.last_date;
  for (size_t slot = 0; slot < kSlots; ++slot) {
    layout_ok = layout_ok && h.column_offset[slot] == layout.offset[slot];
  }
  if (!layout_ok) return CorruptionIn(path, "inconsistent header (flags, count or layout)");
  return h;
}

// Corruption unless `dates` (rows first_row.. of the file) are strictly increasing. After a
// matching column checksum this only catches a writer bug (never serve it either way); in a tail
// read, which has no column checksum to check, it is also a guard against damage. Branch-free over
// all rows (vectorises); the row is looked for only on failure.
Status CheckIncreasing(std::span<const Date> dates, size_t first_row,
                       const std::filesystem::path& path) {
  const int32_t* days = reinterpret_cast<const int32_t*>(dates.data());
  const size_t n = dates.size();
  bool out_of_order = false;
  for (size_t i = 1; i < n; ++i) out_of_order |= days[i] <= days[i - 1];
  if (!out_of_order) return Status::Ok();
  size_t row = 1;
  while (days[row] > days[row - 1]) ++row;
  return CorruptionIn(path,
                      fmt::format("dates not strictly increasing at row {}", first_row + row));
}

SeriesInfo InfoOf(const FileHeader& h) {
  SeriesInfo info;
  info.instrument.symbol = h.symbol;
  info.instrument.exchange = h.exchange;
  info.close_only = (h.flags & kFlagCloseOnly) != 0;
  info.first = Date::FromDays(h.first_date);
  info.last = Date::FromDays(h.last_date);
  info.bars = static_cast<int64_t>(h.bar_count);
  return info;
}

// The bytes of a file prefix: a private read-only mapping, or a 64-byte aligned heap copy.
class FileBytes {
 public:
  static FileBytes Mapped(void* addr, size_t size) { return FileBytes(addr, size, true); }
  static FileBytes Copied(size_t size) {
    return FileBytes(std::aligned_alloc(kAlign, AlignUp(size)), size, false);
  }
  FileBytes(FileBytes&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(other.size_), mapped_(other.mapped_) {}
  FileBytes& operator=(FileBytes&&) = delete;
  ~FileBytes() {
    if (data_ == nullptr) return;
    if (mapped_) {
      ::munmap(data_, size_);
    } else {
      std::free(data_);
    }
  }
  std::byte* data() const { return static_cast<std::byte*>(data_); }

 private:
  FileBytes(void* data, size_t size, bool mapped) : data_(data), size_(size), mapped_(mapped) {
    KAIROS_CHECK(data_ != nullptr) << "out of memory for " << size << " bytes";
  }
  void* data_;
  size_t size_;
  bool mapped_;
};

// What StoredSeries and TailSeries share: dates and the columns a read asked for; any other
// column is a programming error naming the call (`asked_in`) that should have requested it.
class ServedSeries : public SeriesView {
 public:
  std::span<const Date> dates() const override { return dates_; }
  std::span<const double> open() const override { return Served(Column::kOpen); }
  std::span<const double> high() const override { return Served(Column::kHigh); }
  std::span<const double> low() const override { return Served(Column::kLow); }
  std::span<const double> close() const override { return Served(Column::kClose); }
  std::span<const double> volume() const override { return Served(Column::kVolume); }
  void set_dates(std::span<const Date> d) { dates_ = d; }
  void Serve(Column c, std::span<const double> values) {
    served_[static_cast<size_t>(c)] = true;
    columns_[static_cast<size_t>(c)] = values;
  }

 protected:
  explicit ServedSeries(const char* asked_in) : asked_in_(asked_in) {}

 private:
  std::span<const double> Served(Column c) const {
    KAIROS_CHECK(served_[static_cast<size_t>(c)])
        << "column '" << kSlotNames[SlotOf(c)] << "' of " << info().instrument.symbol
        << " was not asked for in " << asked_in_;
    return columns_[static_cast<size_t>(c)];
  }

  const char* asked_in_;
  std::span<const Date> dates_;
  std::span<const double> columns_[5];
  bool served_[5] = {};
};

class StoredSeries final : public ServedSeries {
 public:
  explicit StoredSeries(FileBytes bytes)
      : ServedSeries("ReadColumns()"), bytes_(std::move(bytes)) {}

  const SeriesInfo& info() const override { return info_; }
  const std::byte* base() const { return bytes_.data(); }
  // The header checksum of the file read (identifies its content).
  uint64_t source_hash() const { return source_hash_; }
  void set_source_hash(uint64_t hash) { source_hash_ = hash; }
  void set_info(SeriesInfo info) { info_ = std::move(info); }

 private:
  FileBytes bytes_;
  SeriesInfo info_;
  uint64_t source_hash_ = 0;
};

// Rows of the tail file (SeriesTails::Tail); holds the mapping alive.
class TailSeries final : public ServedSeries {
 public:
  TailSeries(std::shared_ptr<const internal::TailFile> file, const SeriesInfo& info)
      : ServedSeries("Tail()"), file_(std::move(file)), info_(info) {}
  const SeriesInfo& info() const override { return info_; }

 private:
  std::shared_ptr<const internal::TailFile> file_;
  const SeriesInfo& info_;  // in file_'s entry table
};

// A tail file paired with the manifest it was checked against: entry i is served only when
// current[i] (same bar file checksum and description as the manifest's entry).
class StoreTails final : public SeriesTails {
 public:
  StoreTails(std::shared_ptr<const internal::TailFile> file, std::vector<uint8_t> current)
      : file_(std::move(file)), current_(std::move(current)) {}

  size_t capacity() const override { return file_->capacity(); }

  Result<std::unique_ptr<SeriesView>> Tail(std::string_view symbol, ColumnSet columns,
                                           size_t last_rows) const override {
    if (last_rows == 0) return Status::InvalidArgument("a tail read needs at least one row");
    std::optional<size_t> found = file_->Find(symbol);
    if (!found) return Status::NotFound(fmt::format("{}: not in the tail file", symbol));
    const size_t i = *found;
    if (current_[i] == 0) {
      return Status::FailedPrecondition(fmt::format("{}: the tail file is stale for it", symbol));
    }
    const internal::TailFile::Entry& e = file_->entry(i);
    if (last_rows > e.rows) {
      return Status::OutOfRange(
          fmt::format("{}: the tail file keeps {} rows, {} asked for", symbol, e.rows, last_rows));
    }
    const size_t start = e.rows - last_rows;
    KAIROS_ASSIGN_OR_RETURN(std::span<const Date> dates, file_->Dates(i));
    auto view = std::make_unique<TailSeries>(file_, e.info);
    view->set_dates(dates.subspan(start));
    for (Column c : {Column::kOpen, Column::kHigh, Column::kLow, Column::kClose, Column::kVolume}) {
      if (!columns.contains(c)) continue;
      if (e.info.close_only && c != Column::kClose) {
        view->Serve(c, {});
        continue;
      }
      KAIROS_ASSIGN_OR_RETURN(std::span<const double> values, file_->Values(i, c));
      view->Serve(c, values.subspan(start));
    }
    return std::unique_ptr<SeriesView>(std::move(view));
  }

 private:
  std::shared_ptr<const internal::TailFile> file_;
  std::vector<uint8_t> current_;
};

// The manifest: what List() and Info() answer from, plus the stamp of each file it describes.
struct ManifestEntry {
  SeriesInfo info;
  uint64_t checksum = 0;  // the file's header checksum (which covers its column checksums)
  FileStamp stamp;
};
using Manifest = std::map<std::string, ManifestEntry, std::less<>>;  // by symbol

std::string FormatManifest(const Manifest& manifest) {
  std::string out = std::string(kManifestHeader) + "\n";
  out += "# symbol\texchange\tclose_only\tfirst\tlast\tbars\tchecksum\tinode\tsize\tmtime_ns\n";
  for (const auto& [symbol, e] : manifest) {
    out += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{:016x}\t{}\t{}\t{}\n", symbol,
                       e.info.instrument.exchange, e.info.close_only ? 1 : 0, e.info.first,
                       e.info.last, e.info.bars, e.checksum, e.stamp.inode, e.stamp.size,
                       e.stamp.mtime_ns);
  }
  uint64_t hash = Checksum64(std::as_bytes(std::span(out.data(), out.size())));
  out += fmt::format("# end {} {:016x}\n", manifest.size(), hash);
  return out;
}

template <typename T>
bool ParseInt(std::string_view text, T* out, int base = 10) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out, base);
  return ec == std::errc() && ptr == text.data() + text.size();
}

std::vector<std::string_view> SplitTabs(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab - start));
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  return fields;
}

// Parses what FormatManifest wrote; nullopt if anything is off (the caller rebuilds).
std::optional<Manifest> ParseManifest(std::string_view text) {
  size_t end_line = text.rfind("# end ");
  if (end_line == std::string_view::npos || text.empty() || text.back() != '\n') return {};
  std::string_view body = text.substr(0, end_line);
  std::string_view trailer = text.substr(end_line + 6, text.size() - end_line - 7);
  size_t space = trailer.find(' ');
  if (space == std::string_view::npos) return {};
  size_t count = 0;
  uint64_t hash = 0;
  if (!ParseInt(trailer.substr(0, space), &count) ||
      !ParseInt(trailer.substr(space + 1), &hash, 16) ||
      Checksum64(std::as_bytes(std::span(body.data(), body.size()))) != hash) {
    return {};
  }
  Manifest manifest;
  size_t pos = 0;
  bool first_line = true;
  while (pos < body.size()) {
    size_t nl = body.find('\n', pos);
    if (nl == std::string_view::npos) return {};
    std::string_view line = body.substr(pos, nl - pos);
    pos = nl + 1;
    if (first_line) {
      if (line != kManifestHeader) return {};
      first_line = false;
      continue;
    }
    if (line.starts_with("#")) continue;
    std::vector<std::string_view> f = SplitTabs(line);
    if (f.size() != 10) return {};
    ManifestEntry e;
    e.info.instrument.symbol = std::string(f[0]);
    e.info.instrument.exchange = std::string(f[1]);
    e.info.close_only = f[2] == "1";
    Result<Date> first = Date::Parse(f[3]);
    Result<Date> last = Date::Parse(f[4]);
    if (!first.ok() || !last.ok() || (f[2] != "0" && f[2] != "1")) return {};
    e.info.first = *first;
    e.info.last = *last;
    if (!ParseInt(f[5], &e.info.bars) || !ParseInt(f[6], &e.checksum, 16) ||
        !ParseInt(f[7], &e.stamp.inode) || !ParseInt(f[8], &e.stamp.size) ||
        !ParseInt(f[9], &e.stamp.mtime_ns)) {
      return {};
    }
    std::string symbol = e.info.instrument.symbol;
    manifest.emplace(std::move(symbol), std::move(e));
  }
  if (first_line || manifest.size() != count) return {};
  return manifest;
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

// Reads and checks just the header of a bar file (for manifest rebuilds).
Result<ManifestEntry> ReadEntry(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Errno("cannot open", path);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return Errno("cannot stat", path);
  std::byte bytes[sizeof(FileHeader)] = {};
  ssize_t n = ::pread(fd.get(), bytes, sizeof bytes, 0);
  if (n < 0) return Errno("cannot read", path);
  KAIROS_ASSIGN_OR_RETURN(FileHeader h,
                          CheckHeader(bytes, static_cast<uint64_t>(st.st_size), path));
  return ManifestEntry{InfoOf(h), h.header_hash, StampOf(st)};
}

class FileBarStore final : public BarStore {
 public:
  FileBarStore(std::filesystem::path dir, std::filesystem::path lock_path, BarStoreOptions options)
      : dir_(std::move(dir)), lock_path_(std::move(lock_path)), options_(options) {}
  ~FileBarStore() override {
    // Best effort, and only by the writer (a batch left open): a manifest left stale here is
    // rebuilt in memory by the next Open() and written by the next write.
    std::lock_guard lock(mu_);
    if (dirty_ && writer_lock_) (void)WriteManifestLocked();
  }

  Status Load() {
    std::lock_guard lock(mu_);
    return LoadLocked().status();
  }

  // Loads the manifest and reconciles it with the files in the directory: entries whose file
  // is gone are dropped, files that are new or changed since (inode, size, mtime) are described
  // from their headers; a missing or unreadable manifest is rebuilt whole. Files whose header is
  // corrupt are left out (Read() reports them). Writes nothing: the reconciled manifest is kept
  // in memory (readers never write) and written by the next write. A missing directory is an
  // empty store. Returns whether the manifest on disk differs from the reconciled one.
  Result<bool> LoadLocked() {
    std::filesystem::path manifest_path = dir_ / kManifestName;
    manifest_stamp_ = StatFile(manifest_path);
    Result<std::string> text = ReadWholeFile(manifest_path);
    std::optional<Manifest> loaded;
    if (text.ok()) loaded = ParseManifest(*text);
    bool changed = !loaded.has_value();
    Manifest old = loaded.value_or(Manifest{});
    std::map<std::string, const ManifestEntry*> old_by_file;
    for (const auto& [symbol, e] : old) old_by_file[SymbolFileName(symbol)] = &e;

    std::error_code ec;
    std::filesystem::directory_iterator it(dir_, ec);
    if (ec == std::errc::no_such_file_or_directory) {
      manifest_.clear();
      return !old.empty();
    }
    if (ec) return Status::IOError(fmt::format("cannot list {}: {}", dir_.string(), ec.message()));
    Manifest fresh;
    for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
      std::string name = it->path().filename().string();
      if (!name.ends_with(kExtension)) continue;  // temp files, the manifest
      std::optional<FileStamp> stamp = StatFile(it->path());
      if (!stamp) continue;
      auto known = old_by_file.find(name);
      if (known != old_by_file.end() && known->second->stamp == *stamp) {
        fresh.emplace(known->second->info.instrument.symbol, *known->second);
        continue;
      }
      changed = true;
      Result<ManifestEntry> entry = ReadEntry(it->path());
      if (!entry.ok() || SymbolFileName(entry->info.instrument.symbol) != name) continue;
      fresh.emplace(entry->info.instrument.symbol, *entry);
    }
    if (ec) return Status::IOError(fmt::format("cannot list {}: {}", dir_.string(), ec.message()));
    changed = changed || fresh.size() != old.size();
    manifest_ = std::move(fresh);
    return changed;
  }

  Status Upsert(const BarSeries& bars) override {
    KAIROS_RETURN_IF_ERROR(ValidateSeries(bars));
    return Writing([&] { return UpsertWriting(bars); });
  }

  Status Replace(const BarSeries& bars) override {
    KAIROS_RETURN_IF_ERROR(ValidateSeries(bars));
    if (bars.empty()) {
      return Status::InvalidArgument(
          fmt::format("{}: cannot store an empty series (use Remove)", bars.instrument.symbol));
    }
    return Writing([&] { return Write(bars); });
  }

  Status Remove(std::string_view symbol) override {
    return Writing([&] { return RemoveWriting(symbol); });
  }

  // REQUIRES: ValidateSeries(bars).ok(), the writer lock held.
  Status UpsertWriting(const BarSeries& bars) {
    Result<std::unique_ptr<SeriesView>> stored = Read(bars.instrument.symbol);
    if (!stored.ok() && stored.status().code() != StatusCode::kNotFound) {
      return stored.status().WithContext(
          fmt::format("cannot merge into the stored bars of {}", bars.instrument.symbol));
    }
    if (!stored.ok()) return bars.empty() ? Status::Ok() : Write(bars);
    const SeriesInfo& info = (*stored)->info();
    if (info.close_only != bars.close_only) {
      return Status::InvalidArgument(fmt::format(
          "{} is stored {}, the new bars are {}; use Replace to change it", bars.instrument.symbol,
          info.close_only ? "close-only" : "with open/high/low/volume",
          bars.close_only ? "close-only" : "with open/high/low/volume"));
    }
    if (info.instrument.exchange != bars.instrument.exchange) {
      return Status::InvalidArgument(fmt::format(
          "{} is stored with exchange {}, the new bars say {}; use Replace to change it",
          bars.instrument.symbol, info.instrument.exchange, bars.instrument.exchange));
    }
    if (bars.empty()) return Status::Ok();
    return Write(Merge(**stored, bars));
  }

  // REQUIRES: the writer lock held.
  Status RemoveWriting(std::string_view symbol) {
    std::filesystem::path path = dir_ / SymbolFileName(symbol);
    if (::unlink(path.c_str()) != 0) {
      if (errno == ENOENT) return Status::NotFound(fmt::format("no bars stored for '{}'", symbol));
      return Errno("cannot remove", path);
    }
    std::lock_guard lock(mu_);
    if (options_.sync && batch_depth_ == 0) KAIROS_RETURN_IF_ERROR(SyncDir(dir_));
    auto it = manifest_.find(symbol);
    if (it != manifest_.end()) manifest_.erase(it);
    return ManifestChangedLocked();
  }

  Result<std::unique_ptr<SeriesView>> Read(std::string_view symbol) const override {
    return ReadColumns(symbol, ColumnSet::All());
  }

  Result<std::unique_ptr<SeriesView>> ReadColumns(std::string_view symbol,
                                                  ColumnSet columns) const override {
    KAIROS_ASSIGN_OR_RETURN(OpenFile file, OpenChecked(symbol));
    const std::filesystem::path& path = file.path;
    const FileHeader& h = file.header;
    const std::byte* header_bytes = file.header_bytes;
    Fd& fd = file.fd;
    const size_t n = h.bar_count;
    const bool close_only = (h.flags & kFlagCloseOnly) != 0;
    // Read only the prefix that holds the columns asked for.
    size_t mapped = 0;
    for (size_t slot = 0; slot < kSlots; ++slot) {
      bool wanted = slot == kDateSlot || columns.contains(static_cast<Column>(slot - 1));
      if (wanted && SlotPresent(slot, close_only)) {
        mapped = std::max<size_t>(mapped, h.column_offset[slot] + AlignUp(n * ElementSize(slot)));
      }
    }
    KAIROS_ASSIGN_OR_RETURN(FileBytes bytes, Load(fd.get(), path, mapped, header_bytes));
    auto view = std::make_unique<StoredSeries>(std::move(bytes));
    const std::byte* base = view->base();
    auto verify = [&](size_t slot) -> Status {
      if (Checksum64({base + h.column_offset[slot], AlignUp(n * ElementSize(slot))}) ==
          h.column_hash[slot]) {
        return Status::Ok();
      }
      return CorruptionIn(path, fmt::format("checksum mismatch in column '{}'", kSlotNames[slot]));
    };
    KAIROS_RETURN_IF_ERROR(verify(kDateSlot));
    std::span<const Date> dates(reinterpret_cast<const Date*>(base + h.column_offset[kDateSlot]),
                                n);
    KAIROS_RETURN_IF_ERROR(CheckIncreasing(dates, 0, path));
    if (dates.front().days() != h.first_date || dates.back().days() != h.last_date) {
      return CorruptionIn(path, "first/last date in the header disagree with the dates column");
    }
    view->set_dates(dates);
    for (Column c : {Column::kOpen, Column::kHigh, Column::kLow, Column::kClose, Column::kVolume}) {
      if (!columns.contains(c)) continue;
      size_t slot = SlotOf(c);
      if (!SlotPresent(slot, close_only)) {
        view->Serve(c, {});
        continue;
      }
      KAIROS_RETURN_IF_ERROR(verify(slot));
      view->Serve(c, {reinterpret_cast<const double*>(base + h.column_offset[slot]), n});
    }
    view->set_info(InfoOf(h));
    view->set_source_hash(h.header_hash);
    return std::unique_ptr<SeriesView>(std::move(view));
  }

  Result<std::unique_ptr<SeriesView>> ReadTail(std::string_view symbol, ColumnSet columns,
                                               size_t last_rows) const override {
    if (last_rows == 0) return Status::InvalidArgument("a tail read needs at least one row");
    KAIROS_ASSIGN_OR_RETURN(OpenFile file, OpenChecked(symbol));
    const FileHeader& h = file.header;
    const size_t n = h.bar_count;
    // The whole series: the full read, which also verifies the column checksums.
    if (last_rows >= n) return ReadColumns(symbol, columns);
    const bool close_only = (h.flags & kFlagCloseOnly) != 0;
    const size_t start = n - last_rows;
    // One pread per column into one aligned buffer, each tail at a multiple of 64.
    struct Piece {
      size_t slot;
      uint64_t file_offset;
      size_t length;
      size_t at;
    };
    Piece pieces[kSlots];
    size_t count = 0;
    size_t total = 0;
    for (size_t slot = 0; slot < kSlots; ++slot) {
      bool wanted = slot == kDateSlot || columns.contains(static_cast<Column>(slot - 1));
      if (!wanted || !SlotPresent(slot, close_only)) continue;
      const size_t es = ElementSize(slot);
      pieces[count++] = {slot, h.column_offset[slot] + start * es, last_rows * es, total};
      total += AlignUp(last_rows * es);
    }
    FileBytes bytes = FileBytes::Copied(total);
    for (size_t i = 0; i < count; ++i) {
      const Piece& p = pieces[i];
      size_t done = 0;
      while (done < p.length) {
        ssize_t got = ::pread(file.fd.get(), bytes.data() + p.at + done, p.length - done,
                              static_cast<off_t>(p.file_offset + done));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return Errno("cannot read", file.path);
        if (got == 0) return CorruptionIn(file.path, "truncated while being read");
        done += static_cast<size_t>(got);
      }
    }
    auto view = std::make_unique<StoredSeries>(std::move(bytes));
    const std::byte* base = view->base();
    std::span<const Date> dates(reinterpret_cast<const Date*>(base + pieces[0].at), last_rows);
    KAIROS_RETURN_IF_ERROR(CheckIncreasing(dates, start, file.path));
    if (dates.back().days() != h.last_date) {
      return CorruptionIn(file.path, "last date in the header disagrees with the dates column");
    }
    view->set_dates(dates);
    for (size_t i = 1; i < count; ++i) {
      view->Serve(static_cast<Column>(pieces[i].slot - 1),
                  {reinterpret_cast<const double*>(base + pieces[i].at), last_rows});
    }
    for (Column c : {Column::kOpen, Column::kHigh, Column::kLow, Column::kClose, Column::kVolume}) {
      if (columns.contains(c) && !SlotPresent(SlotOf(c), close_only)) view->Serve(c, {});
    }
    view->set_info(InfoOf(h));
    return std::unique_ptr<SeriesView>(std::move(view));
  }

  std::vector<SeriesInfo> List() const override {
    std::lock_guard lock(mu_);
    RefreshLocked();
    std::vector<SeriesInfo> out;
    out.reserve(manifest_.size());
    for (const auto& [symbol, e] : manifest_) out.push_back(e.info);
    return out;
  }

  Result<SeriesInfo> Info(std::string_view symbol) const override {
    std::lock_guard lock(mu_);
    RefreshLocked();
    auto it = manifest_.find(symbol);
    if (it == manifest_.end()) {
      return Status::NotFound(fmt::format("no bars stored for '{}'", symbol));
    }
    return it->second.info;
  }

  // The outermost batch holds the writer lock until its EndBatch; when the lock cannot be
  // taken, every write inside the batch and EndBatch fail with that status.
  void BeginBatch() override {
    bool outermost;
    {
      std::lock_guard lock(mu_);
      outermost = batch_depth_ == 0;
    }
    Status writer = outermost ? EnterWrite() : Status::Ok();
    std::lock_guard lock(mu_);
    if (outermost) batch_writer_ = writer;
    ++batch_depth_;
  }

  Status EndBatch() override {
    std::lock_guard lock(mu_);
    KAIROS_CHECK(batch_depth_ > 0) << "EndBatch() without BeginBatch()";
    --batch_depth_;
    if (batch_depth_ > 0) return Status::Ok();
    if (Status writer = std::exchange(batch_writer_, Status::Ok()); !writer.ok()) return writer;
    // The manifest write ends with an fsync of the directory, which makes every rename and
    // unlink of the batch durable too.
    const bool changed = dirty_;
    Status written = changed ? WriteManifestLocked() : Status::Ok();
    // Best effort: the tail file is a cache whose stale entries are never served.
    if (changed && written.ok()) (void)RebuildTailsLocked();
    LeaveWriteLocked();
    return written;
  }

  std::shared_ptr<const SeriesTails> Tails() const override {
    std::lock_guard lock(mu_);
    RefreshLocked();
    std::shared_ptr<const internal::TailFile> file = TailFileLocked();
    if (file == nullptr) return nullptr;
    // Entries and manifest are both sorted by symbol: one merge marks the current entries.
    std::vector<uint8_t> current(file->size(), 0);
    auto m = manifest_.begin();
    for (size_t i = 0; i < file->size(); ++i) {
      const internal::TailFile::Entry& e = file->entry(i);
      while (m != manifest_.end() && m->first < e.info.instrument.symbol) ++m;
      current[i] =
          m != manifest_.end() && m->first == e.info.instrument.symbol &&
          m->second.checksum == e.source_hash && m->second.info == e.info &&
          e.rows == std::min<uint64_t>(static_cast<uint64_t>(e.info.bars), file->capacity());
    }
    return std::make_shared<StoreTails>(std::move(file), std::move(current));
  }

  Status RebuildTails() override {
    return Writing([&] {
      std::lock_guard lock(mu_);
      return RebuildTailsLocked();
    });
  }

 private:
  // Runs `write` holding the writer lock (EnterWrite), then leaves it.
  template <typename F>
  Status Writing(F&& write) {
    KAIROS_RETURN_IF_ERROR(EnterWrite());
    Status status = write();
    std::lock_guard lock(mu_);
    LeaveWriteLocked();
    return status;
  }

  // Takes the writer lock (one writer process per store, waiting up to options_.writer_wait), or
  // joins the write or batch of this store that holds it. On taking it: the directory is
  // created when missing, leftover temp files of a killed writer are removed, and the manifest
  // is reloaded from disk and the files (another process may have written since Open), to be
  // written back with this write when it was stale.
  Status EnterWrite() {
    std::lock_guard lock(mu_);
    if (writer_depth_ > 0) {
      ++writer_depth_;
      return Status::Ok();
    }
    if (batch_depth_ > 0) return batch_writer_;  // the batch could not take the lock
    Result<FileLock> taken =
        FileLock::Acquire(lock_path_, fmt::format("the bar store writer lock on {}", dir_.string()),
                          options_.writer_wait);
    if (!taken.ok()) return taken.status();
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec)
      return Status::IOError(fmt::format("cannot create {}: {}", dir_.string(), ec.message()));
    RemoveTempFilesLocked();
    KAIROS_ASSIGN_OR_RETURN(bool stale, LoadLocked());
    if (stale) dirty_ = true;
    writer_lock_ = std::move(*taken);
    writer_depth_ = 1;
    return Status::Ok();
  }

  void LeaveWriteLocked() {
    KAIROS_CHECK(writer_depth_ > 0) << "leaving a bar store write that was not entered";
    if (--writer_depth_ == 0) writer_lock_.reset();
  }

  // Temp files (*.tmp) left by a writer killed between creating and renaming them. Only the
  // holder of the writer lock creates them, so under the lock every one is a leftover.
  void RemoveTempFilesLocked() {
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir_, ec), end; !ec && it != end;
         it.increment(ec)) {
      if (it->path().extension() == ".tmp") ::unlink(it->path().c_str());
    }
  }

  // An open bar file whose header is checked and names the symbol asked for.
  struct OpenFile {
    Fd fd;
    std::filesystem::path path;
    FileHeader header;
    std::byte header_bytes[sizeof(FileHeader)];
  };
  Result<OpenFile> OpenChecked(std::string_view symbol) const {
    std::filesystem::path path = dir_ / SymbolFileName(symbol);
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
      if (errno == ENOENT) return Status::NotFound(fmt::format("no bars stored for '{}'", symbol));
      return Errno("cannot open", path);
    }
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) return Errno("cannot stat", path);
    const auto size = static_cast<uint64_t>(st.st_size);
    std::byte header_bytes[sizeof(FileHeader)] = {};
    if (size >= sizeof(FileHeader) &&
        ::pread(fd.get(), header_bytes, sizeof header_bytes, 0) != sizeof header_bytes) {
      return Errno("cannot read", path);
    }
    KAIROS_ASSIGN_OR_RETURN(FileHeader h, CheckHeader(header_bytes, size, path));
    if (std::string_view(h.symbol) != symbol) {
      return CorruptionIn(path, fmt::format("holds symbol '{}', expected '{}'", h.symbol, symbol));
    }
    OpenFile file{std::move(fd), std::move(path), h, {}};
    std::memcpy(file.header_bytes, header_bytes, sizeof header_bytes);
    return file;
  }

  // The first `size` bytes of the open file, mapped or copied (options_.read_mode). The first 256
  // (already read and checked) are `header`.
  Result<FileBytes> Load(int fd, const std::filesystem::path& path, size_t size,
                         const std::byte* header) const {
    if (options_.read_mode == BarStoreOptions::ReadMode::kMmap) {
      // MAP_POPULATE: page tables filled in one call rather than a fault per page.
      void* addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (addr == MAP_FAILED) return Errno("cannot mmap", path);
      return FileBytes::Mapped(addr, size);
    }
    FileBytes bytes = FileBytes::Copied(size);
    std::memcpy(bytes.data(), header, sizeof(FileHeader));
    size_t done = sizeof(FileHeader);
    while (done < size) {
      ssize_t n = ::pread(fd, bytes.data() + done, size - done, static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Errno("cannot read", path);
      if (n == 0) return CorruptionIn(path, "truncated while being read");
      done += static_cast<size_t>(n);
    }
    return bytes;
  }

  // REQUIRES: both validated, same close_only. New rows win on equal dates.
  static BarSeries Merge(const SeriesView& old, const BarSeries& add) {
    BarSeries out;
    out.instrument = add.instrument;
    out.close_only = add.close_only;
    std::span<const Date> od = old.dates();
    std::span<const double> oc = old.close();
    std::span<const double> oo, oh, ol, ov;
    if (!out.close_only) {
      oo = old.open();
      oh = old.high();
      ol = old.low();
      ov = old.volume();
    }
    const size_t capacity = od.size() + add.size();
    out.dates.reserve(capacity);
    out.close.reserve(capacity);
    if (!out.close_only) {
      for (auto* col : {&out.open, &out.high, &out.low, &out.volume}) col->reserve(capacity);
    }
    auto take_old = [&](size_t i) {
      out.dates.push_back(od[i]);
      out.close.push_back(oc[i]);
      if (out.close_only) return;
      out.open.push_back(oo[i]);
      out.high.push_back(oh[i]);
      out.low.push_back(ol[i]);
      out.volume.push_back(ov[i]);
    };
    auto take_new = [&](size_t j) {
      out.dates.push_back(add.dates[j]);
      out.close.push_back(add.close[j]);
      if (out.close_only) return;
      out.open.push_back(add.open[j]);
      out.high.push_back(add.high[j]);
      out.low.push_back(add.low[j]);
      out.volume.push_back(add.volume[j]);
    };
    size_t i = 0, j = 0;
    while (i < od.size() || j < add.size()) {
      if (j == add.size() || (i < od.size() && od[i] < add.dates[j])) {
        take_old(i++);
      } else {
        if (i < od.size() && od[i] == add.dates[j]) ++i;
        take_new(j++);
      }
    }
    return out;
  }

  // REQUIRES: ValidateSeries(bars).ok(), !bars.empty().
  Status Write(const BarSeries& bars) {
    std::vector<std::byte> bytes = Encode(bars);
    std::string name = SymbolFileName(bars.instrument.symbol);
    bool in_batch;
    {
      std::lock_guard lock(mu_);
      in_batch = batch_depth_ > 0;
    }
    // Inside a batch the directory is fsynced once, at EndBatch.
    KAIROS_RETURN_IF_ERROR(
        WriteAtomically(dir_, name, bytes, options_.sync, options_.sync && !in_batch));
    FileHeader h;
    std::memcpy(&h, bytes.data(), sizeof h);
    ManifestEntry entry{InfoOf(h), h.header_hash, StatFile(dir_ / name).value_or(FileStamp{})};
    // The rows the tail file will take, so that rewriting it need not read this file back.
    PendingTail pending{h.header_hash, LastRows(bars, internal::kTailRows)};
    std::lock_guard lock(mu_);
    manifest_[bars.instrument.symbol] = std::move(entry);
    pending_tails_[bars.instrument.symbol] = std::move(pending);
    return ManifestChangedLocked();
  }

  Status ManifestChangedLocked() {
    dirty_ = true;
    if (batch_depth_ > 0) return Status::Ok();
    KAIROS_RETURN_IF_ERROR(WriteManifestLocked());
    (void)RebuildTailsLocked();  // best effort, as in EndBatch
    return Status::Ok();
  }

  static BarSeries LastRows(const BarSeries& bars, size_t rows) {
    const auto start = static_cast<ptrdiff_t>(bars.size() - std::min(rows, bars.size()));
    BarSeries out;
    out.instrument = bars.instrument;
    out.close_only = bars.close_only;
    auto cut = [&](const std::vector<double>& from, std::vector<double>* to) {
      if (!from.empty()) to->assign(from.begin() + start, from.end());
    };
    out.dates.assign(bars.dates.begin() + start, bars.dates.end());
    cut(bars.open, &out.open);
    cut(bars.high, &out.high);
    cut(bars.low, &out.low);
    cut(bars.close, &out.close);
    cut(bars.volume, &out.volume);
    return out;
  }

  // The tail file as it is on disk now (reopened when it changed), or nullptr.
  std::shared_ptr<const internal::TailFile> TailFileLocked() const {
    std::filesystem::path path = dir_ / internal::kTailFileName;
    std::optional<FileStamp> stamp = StatFile(path);
    if (!stamp) {
      tail_file_.reset();
      tail_stamp_.reset();
      return nullptr;
    }
    if (stamp != tail_stamp_) {
      Result<std::shared_ptr<const internal::TailFile>> opened = internal::TailFile::Open(path);
      tail_file_ = opened.ok() ? *opened : nullptr;
      tail_stamp_ = stamp;  // a damaged file is not reopened until it changes
    }
    return tail_file_;
  }

  // Rewrites the tail file for the series in manifest_: rows written since the last rewrite
  // (pending_tails_) when their checksum is the manifest's, else the old tail file's verified
  // rows when its entry is current, else the bar file read whole and verified. A series whose
  // file cannot be read is left out (its scans read the file and report the error).
  Status RebuildTailsLocked() {
    const size_t capacity = internal::kTailRows;
    std::shared_ptr<const internal::TailFile> old = TailFileLocked();
    std::vector<internal::TailSource> sources;
    sources.reserve(manifest_.size());
    std::vector<BarSeries> owned;  // rows read from bar files; spans in `sources` point here
    owned.reserve(manifest_.size());
    bool all_reused =
        old != nullptr && old->capacity() == capacity && old->size() == manifest_.size();
    auto add = [&](const SeriesInfo& info, uint64_t hash, const BarSeries& rows) {
      internal::TailSource src;
      src.info = info;
      src.source_hash = hash;
      src.dates = rows.dates;
      src.columns[static_cast<size_t>(Column::kClose)] = rows.close;
      if (!rows.close_only) {
        src.columns[static_cast<size_t>(Column::kOpen)] = rows.open;
        src.columns[static_cast<size_t>(Column::kHigh)] = rows.high;
        src.columns[static_cast<size_t>(Column::kLow)] = rows.low;
        src.columns[static_cast<size_t>(Column::kVolume)] = rows.volume;
      }
      sources.push_back(std::move(src));
    };
    for (const auto& [symbol, m] : manifest_) {
      const size_t want = std::min<uint64_t>(static_cast<uint64_t>(m.info.bars), capacity);
      auto pending = pending_tails_.find(symbol);
      if (pending != pending_tails_.end() && pending->second.source_hash == m.checksum &&
          pending->second.rows.size() == want) {
        add(m.info, m.checksum, pending->second.rows);
        all_reused = false;
        continue;
      }
      if (old != nullptr && old->capacity() == capacity) {
        std::optional<size_t> j = old->Find(symbol);
        if (j && old->entry(*j).source_hash == m.checksum && old->entry(*j).info == m.info &&
            old->entry(*j).rows == want) {
          internal::TailSource src;
          src.info = m.info;
          src.source_hash = m.checksum;
          bool intact = true;
          if (Result<std::span<const Date>> d = old->Dates(*j); d.ok()) {
            src.dates = *d;
          } else {
            intact = false;
          }
          for (Column c :
               {Column::kOpen, Column::kHigh, Column::kLow, Column::kClose, Column::kVolume}) {
            if (!intact || (m.info.close_only && c != Column::kClose)) continue;
            Result<std::span<const double>> v = old->Values(*j, c);
            intact = v.ok();
            if (intact) src.columns[static_cast<size_t>(c)] = *v;
          }
          if (intact) {
            sources.push_back(std::move(src));
            continue;
          }
        }
      }
      all_reused = false;
      Result<std::unique_ptr<SeriesView>> read = ReadColumns(symbol, ColumnSet::All());
      if (!read.ok()) continue;
      const auto& stored = static_cast<const StoredSeries&>(**read);
      // The manifest may be behind the file (another writer); describe what was read, and the
      // entry is then served only once the manifest agrees.
      owned.push_back(LastRows((*read)->Copy(), capacity));
      add(stored.info(), stored.source_hash(), owned.back());
    }
    if (all_reused) {
      pending_tails_.clear();
      return Status::Ok();
    }
    std::vector<std::byte> bytes = internal::EncodeTails(sources, capacity);
    sources.clear();  // it points into pending_tails_
    pending_tails_.clear();
    KAIROS_RETURN_IF_ERROR(
        WriteAtomically(dir_, internal::kTailFileName, bytes, options_.sync, options_.sync));
    tail_stamp_.reset();  // reopen on the next Tails()
    tail_file_.reset();
    return Status::Ok();
  }

  Status WriteManifestLocked() const {
    std::string text = FormatManifest(manifest_);
    KAIROS_RETURN_IF_ERROR(WriteAtomically(dir_, kManifestName, std::as_bytes(std::span(text)),
                                           options_.sync, options_.sync));
    dirty_ = false;
    manifest_stamp_ = StatFile(dir_ / kManifestName);
    return Status::Ok();
  }

  // Picks up a manifest another process wrote since we last read or wrote ours.
  void RefreshLocked() const {
    if (dirty_ || batch_depth_ > 0) return;
    std::filesystem::path path = dir_ / kManifestName;
    std::optional<FileStamp> stamp = StatFile(path);
    if (!stamp || stamp == manifest_stamp_) return;
    Result<std::string> text = ReadWholeFile(path);
    if (!text.ok()) return;
    std::optional<Manifest> loaded = ParseManifest(*text);
    if (!loaded) return;
    manifest_ = std::move(*loaded);
    manifest_stamp_ = stamp;
  }

  const std::filesystem::path dir_;
  const std::filesystem::path lock_path_;
  const BarStoreOptions options_;
  mutable std::mutex mu_;
  // The writer lock while this store writes: held for one write, or for the outermost batch.
  std::optional<FileLock> writer_lock_;  // guarded by mu_
  int writer_depth_ = 0;                 // writes and batches inside the lock; guarded by mu_
  Status batch_writer_;                  // why the open batch has no lock; guarded by mu_
  mutable Manifest manifest_;            // guarded by mu_
  mutable std::optional<FileStamp> manifest_stamp_;  // guarded by mu_
  mutable bool dirty_ = false;                       // guarded by mu_
  int batch_depth_ = 0;                              // guarded by mu_
  struct PendingTail {
    uint64_t source_hash = 0;
    BarSeries rows;
  };
  // Rows written since the tail file was last rewritten, by symbol. Guarded by mu_.
  std::map<std::string, PendingTail, std::less<>> pending_tails_;
  // The tail file last opened and the stamp it had. Guarded by mu_.
  mutable std::shared_ptr<const internal::TailFile> tail_file_;
  mutable std::optional<FileStamp> tail_stamp_;
};

}  // namespace

uint64_t Checksum64(std::span<const std::byte> data) {
  uint64_t lanes[4] = {kK1, kK2, kK3, kK1 ^ kK3};
  const std::byte* p = data.data();
  size_t n = data.size();
  while (n >= 32) {
    lanes[0] = Round(lanes[0], Load64(p));
    lanes[1] = Round(lanes[1], Load64(p + 8));
    lanes[2] = Round(lanes[2], Load64(p + 16));
    lanes[3] = Round(lanes[3], Load64(p + 24));
    p += 32;
    n -= 32;
  }
  uint64_t h = Finalise(static_cast<uint64_t>(data.size()) * kK3 + kK2);
  for (uint64_t lane : lanes) h = Finalise(h ^ lane);
  while (n >= 8) {
    h = Round(h, Load64(p));
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t tail = uint64_t{n} << 56;
    for (size_t i = 0; i < n; ++i) tail |= static_cast<uint64_t>(p[i]) << (8 * i);
    h = Round(h, tail);
  }
  return Finalise(h);
}

std::string SymbolFileName(std::string_view symbol) {
  std::string out;
  out.reserve(symbol.size() + 8);
  for (size_t i = 0; i < symbol.size(); ++i) {
    char c = symbol[i];
    bool safe = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                (c == '.' && i > 0);
    if (safe) {
      out += c;
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  out += kExtension;
  return out;
}

BarSeries SeriesView::Copy(std::optional<Date> from, std::optional<Date> to) const {
  std::span<const Date> d = dates();
  size_t begin = from ? std::lower_bound(d.begin(), d.end(), *from) - d.begin() : 0;
  size_t end = to ? std::upper_bound(d.begin(), d.end(), *to) - d.begin() : d.size();
  end = std::max(begin, end);
  BarSeries out;
  out.instrument = info().instrument;
  out.close_only = info().close_only;
  auto copy = [&](std::span<const double> col, std::vector<double>* dst) {
    dst->assign(col.begin() + static_cast<ptrdiff_t>(begin),
                col.begin() + static_cast<ptrdiff_t>(end));
  };
  out.dates.assign(d.begin() + static_cast<ptrdiff_t>(begin),
                   d.begin() + static_cast<ptrdiff_t>(end));
  copy(close(), &out.close);
  if (!out.close_only) {
    copy(open(), &out.open);
    copy(high(), &out.high);
    copy(low(), &out.low);
    copy(volume(), &out.volume);
  }
  return out;
}

namespace {

// The last rows of another view (BarStore::ReadTail's default implementation).
class TailView final : public SeriesView {
 public:
  TailView(std::unique_ptr<SeriesView> whole, size_t start)
      : whole_(std::move(whole)), start_(start) {}
  const SeriesInfo& info() const override { return whole_->info(); }
  std::span<const Date> dates() const override { return whole_->dates().subspan(start_); }
  std::span<const double> open() const override { return Tail(whole_->open()); }
  std::span<const double> high() const override { return Tail(whole_->high()); }
  std::span<const double> low() const override { return Tail(whole_->low()); }
  std::span<const double> close() const override { return Tail(whole_->close()); }
  std::span<const double> volume() const override { return Tail(whole_->volume()); }

 private:
  // Close-only series serve empty columns.
  std::span<const double> Tail(std::span<const double> column) const {
    return column.empty() ? column : column.subspan(start_);
  }
  std::unique_ptr<SeriesView> whole_;
  size_t start_;
};

}  // namespace

Result<std::unique_ptr<SeriesView>> BarStore::ReadTail(std::string_view symbol, ColumnSet columns,
                                                       size_t last_rows) const {
  if (last_rows == 0) return Status::InvalidArgument("a tail read needs at least one row");
  KAIROS_ASSIGN_OR_RETURN(std::unique_ptr<SeriesView> whole, ReadColumns(symbol, columns));
  const size_t n = whole->dates().size();
  if (last_rows >= n) return whole;
  return std::unique_ptr<SeriesView>(std::make_unique<TailView>(std::move(whole), n - last_rows));
}

std::shared_ptr<const SeriesTails> BarStore::Tails() const { return nullptr; }

Status BarStore::RebuildTails() { return Status::Ok(); }

Result<std::unique_ptr<BarStore>> BarStore::Open(const std::filesystem::path& home) {
  return Open(home, BarStoreOptions{});
}

Result<std::unique_ptr<BarStore>> BarStore::Open(const std::filesystem::path& home,
                                                 const BarStoreOptions& options) {
  auto store = std::make_unique<FileBarStore>(home / "bars", home / "locks" / "bars.lock", options);
  KAIROS_RETURN_IF_ERROR(store->Load());
  return std::unique_ptr<BarStore>(std::move(store));
}

}  // namespace kairos::marketdata
