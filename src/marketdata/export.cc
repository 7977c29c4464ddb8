#include "marketdata/export.h"

#include <cerrno>
#include <cstring>
#include <functional>
#include <iterator>
#include <string_view>

#include <fmt/format.h>

#include "core/check.h"

namespace kairos::marketdata {

namespace {

constexpr size_t kChunk = 1 << 16;

void AppendDate(fmt::memory_buffer& buf, Date d) {
  fmt::format_to(std::back_inserter(buf), "{:04}-{:02}-{:02}", d.year(), d.month(), d.day());
}

// Formats the bars chunk by chunk; `sink` takes each chunk and says whether it was written.
bool Write(const BarSeries& bars, const std::function<bool(std::string_view)>& sink) {
  const size_t n = bars.size();
  KAIROS_CHECK(bars.close.size() == n) << "close column of " << bars.instrument.symbol;
  if (!bars.close_only) {
    KAIROS_CHECK(bars.open.size() == n && bars.high.size() == n && bars.low.size() == n &&
                 bars.volume.size() == n)
        << "columns of " << bars.instrument.symbol;
  }
  fmt::memory_buffer buf;
  auto out = std::back_inserter(buf);
  fmt::format_to(out, "{}\n", bars.close_only ? "date,close" : "date,open,high,low,close,volume");
  for (size_t i = 0; i < n; ++i) {
    AppendDate(buf, bars.dates[i]);
    if (bars.close_only) {
      fmt::format_to(out, ",{}\n", bars.close[i]);
    } else {
      fmt::format_to(out, ",{},{},{},{},{}\n", bars.open[i], bars.high[i], bars.low[i],
                     bars.close[i], bars.volume[i]);
    }
    if (buf.size() >= kChunk) {
      if (!sink(std::string_view(buf.data(), buf.size()))) return false;
      buf.clear();
    }
  }
  return buf.size() == 0 || sink(std::string_view(buf.data(), buf.size()));
}

}  // namespace

std::string FormatCsv(const BarSeries& bars) {
  std::string text;
  Write(bars, [&](std::string_view chunk) {
    text.append(chunk);
    return true;
  });
  return text;
}

Status ExportCsv(const BarSeries& bars, std::ostream& out) {
  bool ok = Write(bars, [&](std::string_view chunk) {
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    return out.good();
  });
  if (ok) out.flush();
  if (!ok || !out.good()) {
    return Status::IOError(fmt::format("writing the CSV of {} failed", bars.instrument.symbol));
  }
  return Status::Ok();
}

Status ExportCsv(const BarSeries& bars, std::FILE* out) {
  bool ok = Write(bars, [&](std::string_view chunk) {
    return std::fwrite(chunk.data(), 1, chunk.size(), out) == chunk.size();
  });
  if (!ok || std::fflush(out) != 0) {
    return Status::IOError(fmt::format("writing the CSV of {} failed: {}", bars.instrument.symbol,
                                       std::strerror(errno)));
  }
  return Status::Ok();
}

}  // namespace kairos::marketdata
