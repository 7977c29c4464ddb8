#include "marketdata/bar_manifest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <span>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "marketdata/bar_file_format.h"

namespace kairos::marketdata::internal {
namespace {

constexpr const char* kManifestHeader = "# kairos bar manifest v1";

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

}  // namespace

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

}  // namespace kairos::marketdata::internal
