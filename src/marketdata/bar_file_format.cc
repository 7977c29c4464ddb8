#include "marketdata/bar_file_format.h"

#include <bit>
#include <cstring>

#include <fmt/format.h>

#include "core/check.h"

namespace kairos::marketdata {

static_assert(std::endian::native == std::endian::little, "the bar file format is little-endian");
static_assert(sizeof(Date) == 4 && std::is_trivially_copyable_v<Date>);

namespace {

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
  out += internal::kExtension;
  return out;
}

namespace internal {

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

Status CorruptionIn(const std::filesystem::path& path, std::string_view what) {
  return Status::Corruption(fmt::format("{}: {}", path.string(), what));
}

namespace {

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

}  // namespace

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

// Branch-free over all rows (vectorises); the row is looked for only on failure.
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

}  // namespace internal
}  // namespace kairos::marketdata
