#include "app/ohlcv_file.h"

#include <filesystem>

#include <fmt/core.h>

#include "core/input_file.h"
#include "marketdata/csv_import.h"

namespace kairos::app {
namespace {

class AnyDay final : public marketdata::SessionFilter {
 public:
  std::optional<std::string> ClosedReason(std::string_view, Date) const override {
    return std::nullopt;
  }
};

}  // namespace

Result<BarSeries> ReadOhlcvFile(const std::string& path) {
  KAIROS_ASSIGN_OR_RETURN(std::string text, ReadInputFile(path, "CSV file", kMaxOhlcvFileBytes));
  AnyDay any_day;
  marketdata::ParseOptions options;
  options.file = path;
  options.file_symbol = std::filesystem::path(path).stem().string();
  options.sessions = &any_day;
  marketdata::ParsedFile parsed = marketdata::ParseCsv(text, options);
  if (!parsed.errors.empty()) {
    std::string msg = parsed.errors[0].ToString();
    if (parsed.rows_bad > 1) msg += fmt::format(" (and {} more bad rows)", parsed.rows_bad - 1);
    return Status::InvalidArgument(msg);
  }
  if (parsed.series.empty()) return Status::InvalidArgument(fmt::format("{}: no bars", path));
  if (parsed.series.size() > 1) {
    return Status::InvalidArgument(
        fmt::format("{}: holds {} symbols; give a file with one", path, parsed.series.size()));
  }
  return std::move(parsed.series[0].bars);
}

}  // namespace kairos::app
