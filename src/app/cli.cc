#include "app/cli.h"

#include <cstdlib>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "marketdata/csv_reader.h"

namespace kairos::app {

std::filesystem::path CliContext::Home() const {
  if (!home_flag.empty()) return home_flag;
  if (const char* env = std::getenv("KAIROS_HOME"); env != nullptr && *env != '\0') return env;
  if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0') {
    return std::filesystem::path(h) / ".kairos";
  }
  return ".kairos";
}

void CliContext::Fail(const Status& status) { Fail(status.message()); }

void CliContext::Fail(const std::string& message) {
  fmt::print(stderr, "kairos: error: {}\n", message);
  exit_code = 1;
}

void Table::Print(OutputFormat format, std::FILE* out) const {
  switch (format) {
    case OutputFormat::kCsv: {
      auto line = [&](const std::vector<std::string>& cells) {
        std::string s;
        for (size_t i = 0; i < cells.size(); ++i) {
          if (i) s += ',';
          bool quote = cells[i].find_first_of(",\"\n") != std::string::npos;
          if (quote) {
            s += '"';
            for (char c : cells[i]) s += c == '"' ? std::string("\"\"") : std::string(1, c);
            s += '"';
          } else {
            s += cells[i];
          }
        }
        fmt::print(out, "{}\n", s);
      };
      line(columns);
      for (const auto& r : rows) line(r);
      return;
    }
    case OutputFormat::kJson: {
      nlohmann::ordered_json arr = nlohmann::ordered_json::array();
      for (const auto& r : rows) {
        nlohmann::ordered_json obj = nlohmann::ordered_json::object();
        for (size_t i = 0; i < columns.size() && i < r.size(); ++i) {
          std::optional<double> num = marketdata::csv::ParseNumber(r[i]);
          if (num && std::isfinite(*num) &&
              r[i].find_first_not_of("+-0123456789.eE") == std::string::npos) {
            obj[columns[i]] = *num;
          } else {
            obj[columns[i]] = r[i];
          }
        }
        arr.push_back(std::move(obj));
      }
      fmt::print(out, "{}\n", arr.dump(2));
      return;
    }
    case OutputFormat::kTable: {
      std::vector<size_t> width(columns.size());
      for (size_t i = 0; i < columns.size(); ++i) width[i] = columns[i].size();
      for (const auto& r : rows) {
        for (size_t i = 0; i < r.size() && i < width.size(); ++i) {
          width[i] = std::max(width[i], r[i].size());
        }
      }
      auto line = [&](const std::vector<std::string>& cells) {
        std::string s;
        for (size_t i = 0; i < cells.size() && i < width.size(); ++i) {
          if (i) s += "  ";
          s += fmt::format("{:<{}}", cells[i], width[i]);
        }
        while (!s.empty() && s.back() == ' ') s.pop_back();
        fmt::print(out, "{}\n", s);
      };
      line(columns);
      for (const auto& r : rows) line(r);
      return;
    }
  }
}

void AddFormatOption(CLI::App* cmd, CliContext& ctx) {
  static const std::map<std::string, OutputFormat> kFormats = {
      {"table", OutputFormat::kTable}, {"csv", OutputFormat::kCsv}, {"json", OutputFormat::kJson}};
  cmd->add_option("--format", ctx.format, "Output format: table, csv or json")
      ->transform(CLI::CheckedTransformer(kFormats, CLI::ignore_case));
}

}  // namespace kairos::app
