#include "indicators/testing/reference_data.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/check.h"

#ifndef KAIROS_SHARED_DIR
#error "KAIROS_SHARED_DIR is defined for test targets only (see cmake/Kairos.cmake)"
#endif

namespace kairos::indicators::testing {
namespace {

std::vector<std::string_view> SplitCsvLine(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::vector<std::string_view> cells;
  size_t start = 0;
  while (true) {
    size_t comma = line.find(',', start);
    std::string_view cell =
        line.substr(start, comma == std::string_view::npos ? line.npos : comma - start);
    if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"') {
      cell = cell.substr(1, cell.size() - 2);
    }
    cells.push_back(cell);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return cells;
}

Result<double> ParseCell(std::string_view cell, const std::string& where) {
  if (cell.empty()) return std::numeric_limits<double>::quiet_NaN();
  double v = 0;
  auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
  if (ec != std::errc() || ptr != cell.data() + cell.size()) {
    return Status::InvalidArgument(fmt::format("{}: not a number: '{}'", where, cell));
  }
  return v;
}

Result<std::vector<std::string>> ReadLines(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::IOError(fmt::format("cannot open {}", path));
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line != "\r") lines.push_back(line);
  }
  if (lines.empty()) return Status::InvalidArgument(fmt::format("{}: empty file", path));
  return lines;
}

}  // namespace

bool ReferenceTable::Has(std::string_view name) const {
  for (const std::string& n : names) {
    if (n == name) return true;
  }
  return false;
}

std::span<const double> ReferenceTable::Column(std::string_view name) const {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return columns[i];
  }
  KAIROS_CHECK(false) << "no reference column '" << std::string(name) << "'";
  return {};
}

std::string ReferencePath(std::string_view file_name) {
  return std::string(KAIROS_SHARED_DIR) + "/reference/" + std::string(file_name);
}

Result<OhlcvSeries> LoadOhlcv(const std::string& path) {
  KAIROS_ASSIGN_OR_RETURN(std::vector<std::string> lines, ReadLines(path));
  std::vector<std::string_view> header = SplitCsvLine(lines[0]);
  if (header.size() != 6 || header[0] != "Date" || header[4] != "Close") {
    return Status::InvalidArgument(fmt::format("{}: unexpected header '{}'", path, lines[0]));
  }
  OhlcvSeries s;
  for (size_t r = 1; r < lines.size(); ++r) {
    std::vector<std::string_view> cells = SplitCsvLine(lines[r]);
    std::string where = fmt::format("{}:{}", path, r + 1);
    if (cells.size() != 6) return Status::InvalidArgument(where + ": expected 6 cells");
    s.dates.emplace_back(cells[0]);
    std::vector<double>* cols[] = {&s.open, &s.high, &s.low, &s.close, &s.volume};
    for (size_t c = 0; c < 5; ++c) {
      KAIROS_ASSIGN_OR_RETURN(double v, ParseCell(cells[c + 1], where));
      cols[c]->push_back(v);
    }
  }
  return s;
}

Result<ReferenceTable> LoadReference(const std::string& path) {
  KAIROS_ASSIGN_OR_RETURN(std::vector<std::string> lines, ReadLines(path));
  std::vector<std::string_view> header = SplitCsvLine(lines[0]);
  if (header.empty() || header[0] != "date") {
    return Status::InvalidArgument(fmt::format("{}: first column must be 'date'", path));
  }
  ReferenceTable t;
  for (size_t c = 1; c < header.size(); ++c) t.names.emplace_back(header[c]);
  t.columns.resize(t.names.size());
  for (size_t r = 1; r < lines.size(); ++r) {
    std::vector<std::string_view> cells = SplitCsvLine(lines[r]);
    std::string where = fmt::format("{}:{}", path, r + 1);
    if (cells.size() != header.size()) {
      return Status::InvalidArgument(
          fmt::format("{}: {} cells, header has {}", where, cells.size(), header.size()));
    }
    t.dates.emplace_back(cells[0]);
    for (size_t c = 1; c < cells.size(); ++c) {
      KAIROS_ASSIGN_OR_RETURN(double v, ParseCell(cells[c], where));
      t.columns[c - 1].push_back(v);
    }
  }
  return t;
}

}  // namespace kairos::indicators::testing
