#include "marketdata/tail_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <type_traits>

#include <fmt/format.h>

#include "core/check.h"

// Tail file format, version 1 (little-endian, like the bar files):
//
//   [0, 128)        TailHeader
//   [128, ...)      `count` TailEntry records (192 bytes each), sorted by symbol, then zero pad
//                   to a multiple of 64
//   six blocks      dates (int32 days), open, high, low, close, volume (float64), in that order;
//                   block s holds count * capacity values: entry i's rows at [i * capacity,
//                   i * capacity + rows), the rest zero. Close-only entries leave their
//                   open/high/low/volume pieces zero.
//
// Checksums (Checksum64): the header over its first 120 bytes (which include the entry table's
// checksum), the entry table over its records, and each piece (entry i, block s) over its `rows`
// values, stored in the entry. A reader verifies the header and entry table when it opens the
// file and each piece every time it serves it, so a damaged byte in anything served is caught.
// Each entry also carries the header checksum of the bar file it was taken from (source_hash):
// BarStore compares it with its manifest to tell a current entry from a stale one.
namespace kairos::marketdata::internal {

static_assert(std::endian::native == std::endian::little, "the tail file format is little-endian");

namespace {

constexpr char kTailMagic[8] = {'K', 'A', 'I', 'R', 'O', 'S', 'T', 'L'};
constexpr uint32_t kTailVersion = 1;
constexpr uint32_t kCloseOnly = 1;
constexpr size_t kSlots = 6;  // dates, then the five Columns in enum order

struct TailHeader {
  char magic[8];
  uint32_t version;
  uint32_t capacity;
  uint64_t count;
  uint64_t file_size;
  uint64_t entries_hash;
  uint8_t reserved[80];  // zero
  uint64_t header_hash;  // Checksum64 of the bytes before this field
};
static_assert(sizeof(TailHeader) == 128 && std::is_trivially_copyable_v<TailHeader>);

struct TailEntry {
  char symbol[BarStore::kMaxSymbolBytes + 1];      // NUL-terminated
  char exchange[BarStore::kMaxExchangeBytes + 1];  // NUL-terminated
  uint32_t flags;
  uint32_t rows;
  uint64_t bars;
  int32_t first_date;
  int32_t last_date;
  uint64_t source_hash;
  uint64_t piece_hash[kSlots];
  uint8_t reserved[24];  // zero
};
static_assert(sizeof(TailEntry) == 192 && std::is_trivially_copyable_v<TailEntry>);

size_t AlignUp(size_t n) { return (n + 63) / 64 * 64; }
size_t ElementSize(size_t slot) { return slot == 0 ? sizeof(int32_t) : sizeof(double); }

struct TailLayout {
  size_t block[kSlots] = {};
  size_t file_size = 0;
};
TailLayout LayoutOf(size_t count, size_t capacity) {
  TailLayout layout;
  size_t at = AlignUp(sizeof(TailHeader) + count * sizeof(TailEntry));
  for (size_t slot = 0; slot < kSlots; ++slot) {
    layout.block[slot] = at;
    at += count * capacity * ElementSize(slot);
  }
  layout.file_size = at;
  return layout;
}

std::span<const std::byte> Bytes(const void* p, size_t n) {
  return {static_cast<const std::byte*>(p), n};
}

Status Corrupt(const std::filesystem::path& path, std::string_view what) {
  return Status::Corruption(fmt::format("{}: {}", path.string(), what));
}

}  // namespace

std::vector<std::byte> EncodeTails(std::span<const TailSource> sources, size_t capacity) {
  KAIROS_CHECK(capacity > 0 && capacity % 16 == 0) << "bad tail capacity " << capacity;
  const size_t count = sources.size();
  TailLayout layout = LayoutOf(count, capacity);
  std::vector<std::byte> out(layout.file_size);  // zero-filled: pads and unused rows are zero
  std::byte* entries = out.data() + sizeof(TailHeader);
  for (size_t i = 0; i < count; ++i) {
    const TailSource& s = sources[i];
    const size_t rows = s.dates.size();
    KAIROS_CHECK(rows > 0 && rows <= capacity) << s.info.instrument.symbol << ": " << rows;
    KAIROS_CHECK(i == 0 || sources[i - 1].info.instrument.symbol < s.info.instrument.symbol)
        << "tail sources not sorted by symbol";
    TailEntry e{};
    std::memcpy(e.symbol, s.info.instrument.symbol.data(),
                std::min(s.info.instrument.symbol.size(), sizeof e.symbol - 1));
    std::memcpy(e.exchange, s.info.instrument.exchange.data(),
                std::min(s.info.instrument.exchange.size(), sizeof e.exchange - 1));
    e.flags = s.info.close_only ? kCloseOnly : 0;
    e.rows = static_cast<uint32_t>(rows);
    e.bars = static_cast<uint64_t>(s.info.bars);
    e.first_date = s.info.first.days();
    e.last_date = s.info.last.days();
    e.source_hash = s.source_hash;
    for (size_t slot = 0; slot < kSlots; ++slot) {
      std::byte* at = out.data() + layout.block[slot] + i * capacity * ElementSize(slot);
      if (slot == 0) {
        std::memcpy(at, s.dates.data(), rows * sizeof(Date));
      } else {
        std::span<const double> values = s.columns[slot - 1];
        if (values.empty()) continue;  // close-only
        KAIROS_CHECK(values.size() == rows) << s.info.instrument.symbol << ": column sizes";
        std::memcpy(at, values.data(), rows * sizeof(double));
      }
      e.piece_hash[slot] = Checksum64(Bytes(at, rows * ElementSize(slot)));
    }
    std::memcpy(entries + i * sizeof(TailEntry), &e, sizeof e);
  }
  TailHeader h{};
  std::memcpy(h.magic, kTailMagic, sizeof kTailMagic);
  h.version = kTailVersion;
  h.capacity = static_cast<uint32_t>(capacity);
  h.count = count;
  h.file_size = layout.file_size;
  h.entries_hash = Checksum64(Bytes(entries, count * sizeof(TailEntry)));
  h.header_hash = Checksum64(Bytes(&h, offsetof(TailHeader, header_hash)));
  std::memcpy(out.data(), &h, sizeof h);
  return out;
}

Result<std::shared_ptr<const TailFile>> TailFile::Open(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound(fmt::format("{} does not exist", path.string()));
    return Status::IOError(fmt::format("cannot open {}: {}", path.string(), std::strerror(errno)));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return Status::IOError(fmt::format("cannot stat {}: {}", path.string(), std::strerror(errno)));
  }
  const auto size = static_cast<size_t>(st.st_size);
  if (size < sizeof(TailHeader)) {
    ::close(fd);
    return Corrupt(path, fmt::format("truncated: {} bytes, shorter than the header", size));
  }
  // No MAP_POPULATE: a scan touches only the blocks and rows it asks for.
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) {
    return Status::IOError(fmt::format("cannot mmap {}: {}", path.string(), std::strerror(errno)));
  }
  std::shared_ptr<TailFile> file(new TailFile());
  file->path_ = path;
  file->map_ = map;
  file->map_size_ = size;
  const auto* base = static_cast<const std::byte*>(map);

  TailHeader h;
  std::memcpy(&h, base, sizeof h);
  if (std::memcmp(h.magic, kTailMagic, sizeof kTailMagic) != 0) {
    return Corrupt(path, "bad magic: not a kairos tail file");
  }
  if (h.version != kTailVersion) {
    return Corrupt(path, fmt::format("unsupported tail file version {}", h.version));
  }
  if (Checksum64(Bytes(base, offsetof(TailHeader, header_hash))) != h.header_hash) {
    return Corrupt(path, "header checksum mismatch");
  }
  if (h.capacity == 0 || h.capacity % 16 != 0 || h.count > (uint64_t{1} << 24)) {
    return Corrupt(path, "inconsistent header (capacity or count)");
  }
  TailLayout layout = LayoutOf(h.count, h.capacity);
  if (h.file_size != layout.file_size || size != h.file_size) {
    return Corrupt(path, fmt::format("{} bytes, the header says {} and its layout {}", size,
                                     h.file_size, layout.file_size));
  }
  const std::byte* entries = base + sizeof(TailHeader);
  if (Checksum64(Bytes(entries, h.count * sizeof(TailEntry))) != h.entries_hash) {
    return Corrupt(path, "entry table checksum mismatch");
  }
  file->capacity_ = h.capacity;
  for (size_t slot = 0; slot < kSlots; ++slot) file->block_[slot] = base + layout.block[slot];
  file->entries_.resize(h.count);
  file->piece_hash_.resize(h.count * kSlots);
  for (size_t i = 0; i < h.count; ++i) {
    TailEntry e;
    std::memcpy(&e, entries + i * sizeof(TailEntry), sizeof e);
    // A checksummed table with impossible values means a writer bug; still never serve it.
    const bool ok =
        e.symbol[sizeof e.symbol - 1] == '\0' && e.exchange[sizeof e.exchange - 1] == '\0' &&
        (e.flags & ~kCloseOnly) == 0 && e.rows > 0 && e.rows <= h.capacity && e.rows <= e.bars &&
        e.first_date <= e.last_date &&
        (i == 0 || file->entries_[i - 1].info.instrument.symbol < std::string_view(e.symbol));
    if (!ok) return Corrupt(path, fmt::format("inconsistent entry {}", i));
    Entry& out = file->entries_[i];
    out.info.instrument.symbol = e.symbol;
    out.info.instrument.exchange = e.exchange;
    out.info.close_only = (e.flags & kCloseOnly) != 0;
    out.info.first = Date::FromDays(e.first_date);
    out.info.last = Date::FromDays(e.last_date);
    out.info.bars = static_cast<int64_t>(e.bars);
    out.source_hash = e.source_hash;
    out.rows = e.rows;
    std::copy(std::begin(e.piece_hash), std::end(e.piece_hash),
              file->piece_hash_.begin() + static_cast<ptrdiff_t>(i * kSlots));
  }
  file->index_.reserve(file->entries_.size());
  for (size_t i = 0; i < file->entries_.size(); ++i) {
    file->index_.emplace(file->entries_[i].info.instrument.symbol, i);
  }
  return std::shared_ptr<const TailFile>(std::move(file));
}

TailFile::~TailFile() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
}

std::optional<size_t> TailFile::Find(std::string_view symbol) const {
  auto it = index_.find(symbol);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

Status TailFile::Verify(size_t i, size_t slot, std::span<const std::byte> piece) const {
  if (Checksum64(piece) == piece_hash_[i * kSlots + slot]) return Status::Ok();
  static constexpr const char* kNames[kSlots] = {"dates", "open", "high", "low", "close", "volume"};
  return Corrupt(path_, fmt::format("checksum mismatch in the {} of {}", kNames[slot],
                                    entries_[i].info.instrument.symbol));
}

Result<std::span<const Date>> TailFile::Dates(size_t i) const {
  const Entry& e = entries_[i];
  const std::byte* at = block_[0] + i * capacity_ * sizeof(Date);
  KAIROS_RETURN_IF_ERROR(Verify(i, 0, {at, e.rows * sizeof(Date)}));
  std::span<const Date> dates(reinterpret_cast<const Date*>(at), e.rows);
  // Branch-free (vectorises); only a writer bug could fail it after a matching checksum.
  const int32_t* days = reinterpret_cast<const int32_t*>(at);
  bool out_of_order = false;
  for (size_t r = 1; r < e.rows; ++r) out_of_order |= days[r] <= days[r - 1];
  if (out_of_order || dates.back() != e.info.last) {
    return Corrupt(path_,
                   fmt::format("dates of {} disagree with its entry", e.info.instrument.symbol));
  }
  return dates;
}

Result<std::span<const double>> TailFile::Values(size_t i, Column c) const {
  const Entry& e = entries_[i];
  const size_t slot = 1 + static_cast<size_t>(c);
  KAIROS_CHECK(!e.info.close_only || c == Column::kClose) << "close-only tail";
  const std::byte* at = block_[slot] + i * capacity_ * sizeof(double);
  KAIROS_RETURN_IF_ERROR(Verify(i, slot, {at, e.rows * sizeof(double)}));
  return std::span<const double>(reinterpret_cast<const double*>(at), e.rows);
}

}  // namespace kairos::marketdata::internal
