#include "app/cli.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "marketdata/csv_reader.h"

namespace kairos::app {

namespace {

namespace fs = std::filesystem;

// The commands that store new data and so may create a missing home ("init" sets up an empty one).
constexpr std::string_view kCommandsCreatingHome[] = {"data import", "data synth",
                                                      "strategy import", "init", "user add"};

// The chosen command path below the root, e.g. "data import".
std::string RunningCommand(const CLI::App* root) {
  std::string path;
  for (const CLI::App* app = root; app != nullptr;) {
    std::vector<CLI::App*> chosen = app->get_subcommands();
    if (chosen.empty()) break;
    app = chosen.front();
    if (!path.empty()) path += ' ';
    path += app->get_name();
  }
  return path;
}

Result<fs::path> ResolveHome(const CliContext& ctx) {
  if (ctx.home_option != nullptr && ctx.home_option->count() > 0) {
    if (ctx.home_flag.empty()) {
      return Status::InvalidArgument("--home is empty: give the directory of a kairos home");
    }
    return fs::path(ctx.home_flag);
  }
  if (const char* env = std::getenv("KAIROS_HOME"); env != nullptr) {
    if (*env == '\0') {
      return Status::InvalidArgument(
          "KAIROS_HOME is set but empty: set it to the directory of a kairos home or unset it");
    }
    return fs::path(env);
  }
  const char* h = std::getenv("HOME");
  if (h == nullptr || *h == '\0' || fs::path(h).is_relative()) {
    return Status::InvalidArgument(fmt::format(
        "no usable HOME ({}) for the default home ~/.kairos: give --home DIR or set KAIROS_HOME",
        h == nullptr ? "not set"
        : *h == '\0' ? "empty"
                     : fmt::format("'{}' is not absolute", h)));
  }
  return fs::path(h) / ".kairos";
}

// The length of the UTF-8 sequence `text` starts with, or 0 when its first byte starts none.
size_t ValidUtf8Length(std::string_view text) {
  auto byte = [&](size_t i) { return i < text.size() ? static_cast<unsigned char>(text[i]) : 0; };
  unsigned char c = byte(0);
  size_t len = c >= 0xC2 && c <= 0xDF   ? 2
               : c >= 0xE0 && c <= 0xEF ? 3
               : c >= 0xF0 && c <= 0xF4 ? 4
                                        : 0;
  if (len == 0 || text.size() < len) return 0;
  for (size_t i = 1; i < len; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
  }
  unsigned char second = byte(1);
  if ((c == 0xE0 && second < 0xA0) || (c == 0xED && second >= 0xA0) ||
      (c == 0xF0 && second < 0x90) || (c == 0xF4 && second >= 0x90)) {
    return 0;  // overlong, a surrogate or beyond U+10FFFF
  }
  return len;
}

}  // namespace

bool CommandCreatesHome(std::string_view command) {
  for (std::string_view c : kCommandsCreatingHome) {
    if (c == command) return true;
  }
  return false;
}

Result<std::filesystem::path> CliContext::Home() const {
  KAIROS_ASSIGN_OR_RETURN(fs::path home, ResolveHome(*this));
  std::error_code ec;
  fs::file_status st = fs::status(home, ec);
  if (fs::exists(st)) {
    if (!fs::is_directory(st)) {
      return Status::FailedPrecondition(
          fmt::format("the kairos home {} is not a directory", home.string()));
    }
    return home;
  }
  if (!CommandCreatesHome(RunningCommand(root))) {
    return Status::NotFound(fmt::format(
        "no kairos home at {} (create one with `kairos data import` or `kairos strategy "
        "import`, or give --home DIR)",
        home.string()));
  }
  fs::create_directories(home, ec);
  if (ec) {
    return Status::IOError(
        fmt::format("cannot create the kairos home {}: {}", home.string(), ec.message()));
  }
  return home;
}

std::string TerminalSafe(std::string_view text, bool keep_newlines) {
  auto plain = [&](unsigned char c) {
    return (c >= 0x20 && c < 0x7f) || (c == '\n' && keep_newlines);
  };
  if (std::all_of(text.begin(), text.end(), [&](char c) { return plain(c); })) {
    return std::string(text);
  }
  std::string out;
  out.reserve(text.size() + 16);
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (plain(c)) {
      out += static_cast<char>(c);
      ++i;
    } else if (c == '\t' || c == '\n' || c == '\r') {
      out += c == '\t' ? "\\t" : c == '\n' ? "\\n" : "\\r";
      ++i;
    } else if (size_t len = ValidUtf8Length(text.substr(i)); len == 0 || c < 0x80) {
      out += fmt::format("\\x{:02x}", c);
      ++i;
    } else if (c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(text[i + 1]));  // C1 control
      i += 2;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

void CliContext::Fail(const Status& status) { Fail(status.message()); }

void CliContext::Fail(const std::string& message) {
  fmt::print(stderr, "kairos: error: {}\n", TerminalSafe(message));
  exit_code = 1;
}

nlohmann::ordered_json TableJson(const Table& table) {
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  for (const auto& r : table.rows) {
    nlohmann::ordered_json obj = nlohmann::ordered_json::object();
    for (size_t i = 0; i < table.columns.size() && i < r.size(); ++i) {
      const std::string& cell = r[i];
      int64_t whole = 0;
      auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), whole);
      std::optional<double> num = marketdata::csv::ParseNumber(cell);
      if (!cell.empty() && ec == std::errc() && end == cell.data() + cell.size()) {
        obj[table.columns[i]] = whole;  // an id or a count stays an integer ("id": 12)
      } else if (num && std::isfinite(*num) &&
                 cell.find_first_not_of("+-0123456789.eE") == std::string::npos) {
        obj[table.columns[i]] = *num;
      } else {
        obj[table.columns[i]] = r[i];
      }
    }
    arr.push_back(std::move(obj));
  }
  return arr;
}

void Table::Print(OutputFormat format, std::FILE* out) const {
  if (format != OutputFormat::kJson) {
    Table safe;
    bool keep_newlines =
        format == OutputFormat::kCsv;  // quoted in CSV; a table cell stays on its line
    for (const auto& c : columns) safe.columns.push_back(TerminalSafe(c, keep_newlines));
    safe.rows.reserve(rows.size());
    for (const auto& r : rows) {
      std::vector<std::string>& cells = safe.rows.emplace_back();
      cells.reserve(r.size());
      for (const auto& c : r) cells.push_back(TerminalSafe(c, keep_newlines));
    }
    return safe.PrintSafe(format, out);
  }
  PrintSafe(format, out);
}

std::string Table::Render(OutputFormat format) const {
  char* buffer = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&buffer, &size);
  if (out == nullptr) return {};
  Print(format, out);
  std::fclose(out);
  std::string text(buffer, size);
  std::free(buffer);
  return text;
}

Table Table::Select(const std::vector<std::string_view>& names) const {
  std::vector<size_t> index;
  Table out;
  for (std::string_view name : names) {
    auto it = std::find(columns.begin(), columns.end(), name);
    if (it == columns.end()) continue;
    index.push_back(static_cast<size_t>(it - columns.begin()));
    out.columns.emplace_back(name);
  }
  out.rows.reserve(rows.size());
  for (const auto& r : rows) {
    std::vector<std::string>& cells = out.rows.emplace_back();
    for (size_t i : index) cells.push_back(i < r.size() ? r[i] : std::string());
  }
  return out;
}

void Table::PrintSafe(OutputFormat format, std::FILE* out) const {
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
    case OutputFormat::kJson:
      fmt::print(
          out, "{}\n",
          TableJson(*this).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
      return;
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

void RefuseEmptyValues(CLI::App& app) {
  static const CLI::Validator kNonEmpty(
      [](std::string& value) { return value.empty() ? std::string("empty value") : std::string(); },
      "");
  for (CLI::Option* option : app.get_options()) {
    if (option->get_type_size_max() > 0) option->check(kNonEmpty);
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    RefuseEmptyValues(*sub);
  }
}

void AddFormatOption(CLI::App* cmd, CliContext& ctx) {
  static const std::map<std::string, OutputFormat> kFormats = {
      {"table", OutputFormat::kTable}, {"csv", OutputFormat::kCsv}, {"json", OutputFormat::kJson}};
  cmd->add_option("--format", ctx.format, "Output format: table, csv or json")
      ->transform(CLI::CheckedTransformer(kFormats, CLI::ignore_case));
}

}  // namespace kairos::app
