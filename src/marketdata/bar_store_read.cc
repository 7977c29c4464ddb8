#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "marketdata/file_bar_store.h"

// Reads of bar files: the header (pread) first, then the columns asked for (ReadColumns) or their
// last rows (ReadTail).
namespace kairos::marketdata::internal {

Result<std::unique_ptr<SeriesView>> FileBarStore::Read(std::string_view symbol) const {
  return ReadColumns(symbol, ColumnSet::All());
}

Result<std::unique_ptr<SeriesView>> FileBarStore::ReadColumns(std::string_view symbol,
                                                              ColumnSet columns) const {
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
  std::span<const Date> dates(reinterpret_cast<const Date*>(base + h.column_offset[kDateSlot]), n);
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

Result<std::unique_ptr<SeriesView>> FileBarStore::ReadTail(std::string_view symbol,
                                                           ColumnSet columns,
                                                           size_t last_rows) const {
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

Result<FileBarStore::OpenFile> FileBarStore::OpenChecked(std::string_view symbol) const {
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

Result<FileBytes> FileBarStore::Load(int fd, const std::filesystem::path& path, size_t size,
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

}  // namespace kairos::marketdata::internal
