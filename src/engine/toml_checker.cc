#include "engine/toml_checker.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <utility>

#include "rules/diagnostic.h"

namespace kairos::engine {

void TomlChecker::Add(const toml::source_region& where, std::string_view key, std::string message) {
  problems_.push_back({std::max<int>(1, static_cast<int>(where.begin.line)),
                       std::max<int>(1, static_cast<int>(where.begin.column)),
                       fmt::format("{}: {}", key, message)});
}

void TomlChecker::AddAt(int line, int column, std::string text) {
  problems_.push_back({line, column, std::move(text)});
}

std::string TomlChecker::Got(const toml::node& n) const {
  if (const auto* s = n.as_string()) return Quoted(s->get());
  if (n.is_table()) return "a table";
  if (const auto* a = n.as_array()) return a->empty() ? "an empty array" : "an array";
  std::string_view raw = RawText(text_, n.source());
  if (!raw.empty()) return std::string(raw);
  if (const auto* b = n.as_boolean()) return b->get() ? "true" : "false";
  return "a value";
}

void TomlChecker::Expected(const toml::node& n, std::string_view key, std::string_view what) {
  Add(n.source(), key, fmt::format("expected {}, got {}", what, Got(n)));
}

std::optional<std::string> TomlChecker::String(const toml::node& n, std::string_view key,
                                               std::string_view what) {
  if (const auto* s = n.as_string()) return s->get();
  Expected(n, key, what);
  return std::nullopt;
}

std::optional<bool> TomlChecker::Bool(const toml::node& n, std::string_view key) {
  if (const auto* b = n.as_boolean()) return b->get();
  Expected(n, key, "true or false");
  return std::nullopt;
}

std::optional<size_t> TomlChecker::Enum(const toml::node& n, std::string_view key,
                                        const std::vector<std::string_view>& names) {
  if (const auto* s = n.as_string()) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (s->get() == names[i]) return i;
    }
  }
  Expected(n, key, Alternatives(names));
  return std::nullopt;
}

std::optional<int64_t> TomlChecker::Integer(const toml::node& n, std::string_view key, int64_t lo,
                                            int64_t hi) {
  const auto* i = n.as_integer();
  if (i != nullptr && i->get() >= lo && i->get() <= hi) return i->get();
  const bool no_top =
      hi == std::numeric_limits<int64_t>::max() || hi == std::numeric_limits<int>::max();
  std::string what = fmt::format("an integer from {} to {}", lo, hi);
  if (no_top) {
    what = lo == std::numeric_limits<int64_t>::min() ? "an integer"
                                                     : fmt::format("an integer >= {}", lo);
  }
  Expected(n, key, what);
  return std::nullopt;
}

std::optional<double> TomlChecker::Number(const toml::node& n, std::string_view key, double lo,
                                          double hi) {
  std::optional<double> v;
  if (const auto* i = n.as_integer()) v = static_cast<double>(i->get());
  if (const auto* f = n.as_floating_point()) v = f->get();
  if (v && std::isfinite(*v) && *v >= lo && *v <= hi) return v;
  Expected(n, key, fmt::format("a number from {} to {}", lo, hi));
  return std::nullopt;
}

const toml::table* TomlChecker::Table(const toml::node& n, std::string_view key) {
  if (const auto* t = n.as_table()) return t;
  Expected(n, key, "a table");
  return nullptr;
}

void TomlChecker::UnknownKeys(const toml::table& table, std::string_view prefix,
                              const std::vector<std::string_view>& known, std::string_view what) {
  for (auto&& [k, v] : table) {
    std::string_view name = k.str();
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    Add(k.source(), Key(prefix, name),
        fmt::format("unknown {}{}", what,
                    rules::DidYouMean(name, std::span<const std::string_view>(known))));
  }
}

Status TomlChecker::Finish() {
  if (problems_.empty()) return Status::Ok();
  std::stable_sort(problems_.begin(), problems_.end(), [](const Problem& a, const Problem& b) {
    return std::pair(a.line, a.column) < std::pair(b.line, b.column);
  });
  std::string out;
  for (const auto& p : problems_) {
    if (!out.empty()) out += '\n';
    out += fmt::format("{}:{}:{}: {}", file_, p.line, p.column, p.text);
  }
  return Status::InvalidArgument(std::move(out));
}

std::string TomlChecker::Key(std::string_view prefix, std::string_view name) {
  bool bare = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
  std::string n = bare ? std::string(name) : Quoted(name);
  return prefix.empty() ? n : fmt::format("{}.{}", prefix, n);
}

Result<toml::table> ParseTomlText(std::string_view text, std::string_view file) {
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(fmt::format("{}:{}:{}: TOML syntax error: {}", file,
                                               e.source().begin.line, e.source().begin.column,
                                               e.description()));
  }
}

std::string Quoted(std::string_view s) {
  std::string out = "\"";
  size_t n = 0;
  for (char c : s) {
    if (++n > 60) {
      out += "...";
      break;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Alternatives(const std::vector<std::string_view>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += Quoted(names[i]);
  }
  return out;
}

size_t OffsetOf(std::string_view text, int line, int column) {
  size_t pos = 0;
  for (int l = 1; l < line; ++l) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) return text.size();
    pos = nl + 1;
  }
  for (int c = 1; c < column && pos < text.size() && text[pos] != '\n'; ++c) {
    ++pos;
    while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) ++pos;
  }
  return pos;
}

std::string_view LineText(std::string_view text, int line) {
  size_t start = OffsetOf(text, line, 1);
  size_t end = text.find('\n', start);
  std::string_view s = text.substr(start, end == std::string_view::npos ? end : end - start);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

std::string_view RawText(std::string_view text, const toml::source_region& r) {
  if (r.begin.line == 0 || r.end.line == 0) return {};
  size_t b = OffsetOf(text, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column));
  size_t e = OffsetOf(text, static_cast<int>(r.end.line), static_cast<int>(r.end.column));
  if (e < b) return {};
  return text.substr(b, e - b);
}

}  // namespace kairos::engine
