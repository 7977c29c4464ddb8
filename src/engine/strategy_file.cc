#include "engine/strategy_file.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <optional>
#include <set>
#include <utility>

#include <fmt/core.h>
#include <toml++/toml.h>

#include "core/fixed_point.h"
#include "rules/binder.h"
#include "rules/diagnostic.h"
#include "rules/parser.h"

namespace kairos::engine {
namespace {

struct Problem {
  int line = 1;
  int column = 1;
  std::string text;  // "key: message", possibly followed by "\n  ..." context lines
};

// The byte offset of (line, column) in `text`; toml++ counts columns in code points.
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

// The text a node was written as ("100000.10", "1_000", "\"5%\"").
std::string_view RawText(std::string_view text, const toml::source_region& r) {
  if (r.begin.line == 0 || r.end.line == 0) return {};
  size_t b = OffsetOf(text, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column));
  size_t e = OffsetOf(text, static_cast<int>(r.end.line), static_cast<int>(r.end.column));
  if (e < b) return {};
  return text.substr(b, e - b);
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

// A matching identifier list, e.g. "\"long\" or \"short\"".
std::string Alternatives(const std::vector<std::string_view>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += Quoted(names[i]);
  }
  return out;
}

bool IsLowerName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool IsSymbol(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '^' || c == '&' || c == '-' || c == '_';
  });
}

// "5%", "0.5%" -> 5, 0.5. Digits with at most one '.', then '%'. nullopt otherwise.
std::optional<double> ParsePercentText(std::string_view s) {
  if (s.size() < 2 || s.back() != '%') return std::nullopt;
  s.remove_suffix(1);
  int dots = 0;
  for (char c : s) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return std::nullopt;
    }
  }
  if (dots > 1 || s.front() == '.' || s.back() == '.') return std::nullopt;
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// "09:00" -> 540.
std::optional<int> ParseClock(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (size_t i : {0u, 1u, 3u, 4u}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  int h = (s[0] - '0') * 10 + (s[1] - '0');
  int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

struct Exchange {
  std::string_view name;
  std::string_view currency;
  int open_minute;
  int close_minute;
};

// Regular hours as in data/calendars/*.toml (engine/strategy_file_test.cc checks they agree).
constexpr Exchange kExchanges[] = {
    {"NYSE", "USD", 9 * 60 + 30, 16 * 60},
    {"NASDAQ", "USD", 9 * 60 + 30, 16 * 60},
    {"NSE", "INR", 9 * 60 + 15, 15 * 60 + 30},
};

const Exchange* FindExchange(std::string_view name) {
  for (const auto& e : kExchanges) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

// Fields a price expression reads directly (outside an indicator's own inputs).
bool ReadsPriceOutsideIndicators(const rules::BoundExpr& e) {
  if (e.kind == rules::BoundKind::kField) {
    return e.field != rules::Field::kVolume && e.field != rules::Field::kTurnover;
  }
  if (e.kind == rules::BoundKind::kIndicator) return false;
  for (const auto& a : e.args) {
    if (ReadsPriceOutsideIndicators(*a)) return true;
  }
  return false;
}

class Checker {
 public:
  Checker(std::string_view text, std::string_view file) : text_(text), file_(file) {}

  void Add(const toml::source_region& r, std::string_view key, std::string message) {
    problems_.push_back({std::max<int>(1, static_cast<int>(r.begin.line)),
                         std::max<int>(1, static_cast<int>(r.begin.column)),
                         fmt::format("{}: {}", key, message)});
  }
  void AddAt(int line, int column, std::string text) {
    problems_.push_back({line, column, std::move(text)});
  }

  // What a node holds, for "got ...": the value as written for scalars.
  std::string Got(const toml::node& n) const {
    if (const auto* s = n.as_string()) return Quoted(s->get());
    if (n.is_table()) return "a table";
    if (const auto* a = n.as_array()) return a->empty() ? "an empty array" : "an array";
    std::string_view raw = RawText(text_, n.source());
    if (!raw.empty()) return std::string(raw);
    if (const auto* b = n.as_boolean()) return b->get() ? "true" : "false";
    return "a value";
  }

  void Expected(const toml::node& n, std::string_view key, std::string_view what) {
    Add(n.source(), key, fmt::format("expected {}, got {}", what, Got(n)));
  }

  std::optional<std::string> String(const toml::node& n, std::string_view key,
                                    std::string_view what = "a string") {
    if (const auto* s = n.as_string()) return s->get();
    Expected(n, key, what);
    return std::nullopt;
  }

  // One of `names`: its index.
  std::optional<size_t> Enum(const toml::node& n, std::string_view key,
                             const std::vector<std::string_view>& names) {
    const auto* s = n.as_string();
    if (s != nullptr) {
      for (size_t i = 0; i < names.size(); ++i) {
        if (s->get() == names[i]) return i;
      }
    }
    Expected(n, key, Alternatives(names));
    return std::nullopt;
  }

  std::optional<int64_t> Integer(const toml::node& n, std::string_view key, int64_t lo,
                                 int64_t hi) {
    const auto* i = n.as_integer();
    if (i != nullptr && i->get() >= lo && i->get() <= hi) return i->get();
    std::string what = hi == std::numeric_limits<int>::max()
                           ? fmt::format("an integer >= {}", lo)
                           : fmt::format("an integer from {} to {}", lo, hi);
    Expected(n, key, what);
    return std::nullopt;
  }

  // An integer or a float in [lo, hi].
  std::optional<double> Number(const toml::node& n, std::string_view key, double lo, double hi) {
    std::optional<double> v;
    if (const auto* i = n.as_integer()) v = static_cast<double>(i->get());
    if (const auto* f = n.as_floating_point()) v = f->get();
    if (v && std::isfinite(*v) && *v >= lo && *v <= hi) return v;
    Expected(n, key, fmt::format("a number from {} to {}", lo, hi));
    return std::nullopt;
  }

  // "5%" with 0 < value < hi (hi_inclusive: <= hi); also a bare number when allow_number.
  std::optional<double> Percent(const toml::node& n, std::string_view key, double hi,
                                bool hi_inclusive, bool allow_number, std::string_view example) {
    std::optional<double> v;
    if (const auto* s = n.as_string()) v = ParsePercentText(s->get());
    if (allow_number) {
      if (const auto* i = n.as_integer()) v = static_cast<double>(i->get());
      if (const auto* f = n.as_floating_point()) v = f->get();
    }
    if (v && std::isfinite(*v) && *v > 0 && (hi_inclusive ? *v <= hi : *v < hi)) return v;
    Expected(n, key,
             fmt::format("a percent {} 0 and {} {} like {}", "above",
                         hi_inclusive ? "at most" : "below", hi, Quoted(example)));
    return std::nullopt;
  }

  // An amount of money in `currency`, exact: an integer, a decimal written as a TOML float (read
  // from its source text, not from the double) or a decimal string. Must be > 0 (>= 0 when
  // allow_zero).
  std::optional<int64_t> Amount(const toml::node& n, std::string_view key, Currency currency,
                                bool allow_zero) {
    std::string text;
    if (const auto* i = n.as_integer()) {
      text = std::to_string(i->get());
    } else if (n.is_floating_point()) {
      for (char c : RawText(text_, n.source())) {
        if (c != '_') text += c;
      }
      if (!text.empty() && text.front() == '+') text.erase(0, 1);
    } else if (const auto* s = n.as_string()) {
      text = s->get();
    }
    if (!text.empty()) {
      auto money = Money::Parse(text, currency);
      if (money.ok() && money->minor() > MaxAmountMinor(currency)) {
        Expected(n, key,
                 fmt::format("an amount of at most {} {} (the limit of money inputs)",
                             kMaxAmountUnits, currency.code()));
        return std::nullopt;
      }
      if (money.ok() && (money->minor() > 0 || (allow_zero && money->minor() == 0))) {
        return money->minor();
      }
    }
    Expected(n, key,
             fmt::format("an amount {} 0 in {} with at most {} decimals like 100000 or 2500.50",
                         allow_zero ? "of at least" : "above", currency.code(),
                         currency.minor_digits()));
    return std::nullopt;
  }

  // A rule or expression error from rules:: (message "L:C: msg\n<line>\n<caret>"), reported at
  // the place in the file the rule's column points to, with the file's line and a caret.
  void RuleProblem(const toml::node& n, std::string_view key, const Status& status) {
    const std::string& m = status.message();
    int rl = 0, rc = 0, consumed = 0;
    std::string first = m.substr(0, m.find('\n'));
    std::string rest = m.find('\n') == std::string::npos ? "" : m.substr(m.find('\n') + 1);
    std::string message = first;
    if (std::sscanf(first.c_str(), "%d:%d: %n", &rl, &rc, &consumed) == 2 && consumed > 0) {
      message = first.substr(static_cast<size_t>(consumed));
    }
    int line = std::max<int>(1, static_cast<int>(n.source().begin.line));
    int col = std::max<int>(1, static_cast<int>(n.source().begin.column));
    // A one-line string written without escapes: the rule's column maps onto the file's.
    std::string_view raw = RawText(text_, n.source());
    const auto* s = n.as_string();
    bool mapped = s != nullptr && rl == 1 && rc >= 1 && raw.size() == s->get().size() + 2 &&
                  raw.substr(1, s->get().size()) == s->get() &&
                  s->get().find('\n') == std::string::npos;
    std::string text = fmt::format("{}: {}", key, message);
    if (mapped) {
      col += rc;  // past the opening quote
      std::string_view file_line = LineText(text_, line);
      std::string caret;
      size_t offset = OffsetOf(text_, line, col) - OffsetOf(text_, line, 1);
      for (size_t i = 0; i < offset && i < file_line.size(); ++i) {
        caret += file_line[i] == '\t' ? '\t' : ' ';
      }
      text += fmt::format("\n  {}\n  {}^", file_line, caret);
    } else if (!rest.empty()) {
      // The rule's own text and caret (a multi-line or escaped string).
      size_t nl = rest.find('\n');
      text += fmt::format(" (rule {}:{})\n  {}", rl, rc, rest.substr(0, nl));
      if (nl != std::string::npos) text += fmt::format("\n  {}", rest.substr(nl + 1));
    }
    AddAt(line, col, std::move(text));
  }

  // Keys of `table` not in `known`: "unknown key" with a suggestion.
  void UnknownKeys(const toml::table& table, std::string_view prefix,
                   const std::vector<std::string_view>& known) {
    for (auto&& [k, v] : table) {
      std::string_view name = k.str();
      if (std::find(known.begin(), known.end(), name) != known.end()) continue;
      std::string full = prefix.empty() ? std::string(name) : fmt::format("{}.{}", prefix, name);
      Add(k.source(), full,
          "unknown key" + rules::DidYouMean(name, std::span<const std::string_view>(known)));
    }
  }

  Status Finish() {
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

  std::string_view text() const { return text_; }

 private:
  std::string_view text_;
  std::string_view file_;
  std::vector<Problem> problems_;
};

const std::vector<std::string_view> kTimeframes = {"daily", "weekly"};
const std::vector<std::string_view> kSides = {"long", "short"};
const std::vector<std::string_view> kApprovals = {"manual", "auto"};
const std::vector<std::string_view> kExecutions = {"next_open", "same_close"};
const std::vector<std::string_view> kOrderTypes = {"market", "limit"};
const std::vector<std::string_view> kSizingMethods = {"fixed_qty", "fixed_amount", "percent",
                                                      "risk"};
const std::vector<std::string_view> kFeePresets = {"none", "us_equity", "india_delivery",
                                                   "india_intraday"};
const std::vector<std::string_view> kExchangeNames = {"NYSE", "NASDAQ", "NSE"};
const std::vector<std::string_view> kSizingKeys = {"method", "qty", "amount", "percent"};
const std::vector<std::string_view> kFeeKeys = {"per_order", "percent"};
const std::vector<std::string_view> kLevelKeys = {"distance", "price"};

// Compiles a boolean rule; reports its error.
void CheckRule(Checker& c, const toml::node& n, std::string_view key, std::string* out) {
  auto text = c.String(n, key, "a rule (a string)");
  if (!text) return;
  auto compiled = rules::CompileRule(*text);
  if (!compiled.ok()) {
    c.RuleProblem(n, key, compiled.status());
    return;
  }
  *out = *text;
}

// Parses and binds a number expression; nullptr after reporting a problem.
std::unique_ptr<rules::BoundExpr> NumberExpr(Checker& c, const toml::node& n, std::string_view key,
                                             const std::string& text) {
  auto parsed = rules::Parse(text);
  if (!parsed.ok()) {
    c.RuleProblem(n, key, parsed.status());
    return nullptr;
  }
  auto bound = rules::Bind(**parsed, text);
  if (!bound.ok()) {
    c.RuleProblem(n, key, bound.status());
    return nullptr;
  }
  if ((*bound)->type != rules::Type::kNumber) {
    c.Expected(n, key, "a number expression");
    return nullptr;
  }
  return std::move(bound).value();
}

// stop_loss / take_profit / trailing_stop: "5%", an expression (a distance, or a price when it
// reads a price field outside an indicator's inputs), or {distance = "..."} / {price = "..."}.
void CheckLevel(Checker& c, const toml::node& n, std::string_view key, double percent_hi,
                bool allow_expression, LevelSpec* out) {
  std::string_view example = key == "take_profit" ? "10%" : "5%";
  if (const auto* t = n.as_table()) {
    c.UnknownKeys(*t, key, kLevelKeys);
    if (!allow_expression || t->size() != 1 ||
        (t->get("distance") == nullptr && t->get("price") == nullptr)) {
      c.Expected(n, key,
                 allow_expression
                     ? fmt::format("a percent like {} or one of {{ distance = \"...\" }}, "
                                   "{{ price = \"...\" }}",
                                   Quoted(example))
                     : fmt::format("a percent like {}", Quoted(example)));
      return;
    }
    bool distance = t->get("distance") != nullptr;
    const toml::node& e = *t->get(distance ? "distance" : "price");
    std::string sub = fmt::format("{}.{}", key, distance ? "distance" : "price");
    auto text = c.String(e, sub, "an expression (a string)");
    if (!text) return;
    if (NumberExpr(c, e, sub, *text) == nullptr) return;
    out->kind = distance ? LevelSpec::Kind::kDistance : LevelSpec::Kind::kPrice;
    out->expr = *text;
    return;
  }
  const auto* s = n.as_string();
  if (s != nullptr && !s->get().empty() && s->get().back() == '%') {
    auto v = c.Percent(n, key, percent_hi, false, false, example);
    if (v) {
      out->kind = LevelSpec::Kind::kPercent;
      out->percent = *v;
    }
    return;
  }
  if (s == nullptr || !allow_expression) {
    c.Expected(
        n, key,
        allow_expression
            ? fmt::format("a percent like {} or an expression like \"2*atr(14)\"", Quoted(example))
            : fmt::format("a percent like {}", Quoted(example)));
    return;
  }
  auto bound = NumberExpr(c, n, key, s->get());
  if (bound == nullptr) return;
  out->kind =
      ReadsPriceOutsideIndicators(*bound) ? LevelSpec::Kind::kPrice : LevelSpec::Kind::kDistance;
  out->expr = s->get();
}

}  // namespace

const std::vector<std::string_view>& StrategyKeys() {
  static const std::vector<std::string_view> kKeys = {
      "name",        "description",   "exchange",
      "universe",    "timeframe",     "side",
      "entry",       "exit",          "stop_loss",
      "take_profit", "trailing_stop", "max_hold",
      "approval",    "review_cutoff", "execution",
      "order_type",  "limit_offset",  "allocation",
      "sizing",      "max_positions", "max_new_per_day",
      "rank",        "fees",          "slippage_bps",
      "enabled"};
  return kKeys;
}

int RegularOpenMinute(std::string_view exchange) {
  const Exchange* e = FindExchange(exchange);
  KAIROS_CHECK(e != nullptr) << "unknown exchange " << exchange;
  return e->open_minute;
}

int RegularCloseMinute(std::string_view exchange) {
  const Exchange* e = FindExchange(exchange);
  KAIROS_CHECK(e != nullptr) << "unknown exchange " << exchange;
  return e->close_minute;
}

std::string FormatMinuteOfDay(int minute) {
  return fmt::format("{:02}:{:02}", minute / 60, minute % 60);
}

std::string_view TimeframeName(Timeframe t) { return kTimeframes[static_cast<size_t>(t)]; }
std::string_view PositionSideName(PositionSide s) { return kSides[static_cast<size_t>(s)]; }
std::string_view ApprovalName(Approval a) { return kApprovals[static_cast<size_t>(a)]; }
std::string_view ExecutionName(Execution e) { return kExecutions[static_cast<size_t>(e)]; }
std::string_view EntryOrderTypeName(EntryOrderType t) {
  return kOrderTypes[static_cast<size_t>(t)];
}
std::string_view SizingMethodName(SizingSpec::Method m) {
  return kSizingMethods[static_cast<size_t>(m)];
}
std::string_view FeeKindName(FeeSpec::Kind k) {
  return k == FeeSpec::Kind::kCustom ? "custom" : kFeePresets[static_cast<size_t>(k)];
}

std::string DescribeLevel(const LevelSpec& level) {
  switch (level.kind) {
    case LevelSpec::Kind::kNone:
      return "";
    case LevelSpec::Kind::kPercent:
      return fmt::format("{}%", level.percent);
    case LevelSpec::Kind::kDistance:
      return level.expr;
    case LevelSpec::Kind::kPrice:
      return "price: " + level.expr;
  }
  return "";
}

int64_t MaxAmountMinor(const Currency& currency) {
  return kMaxAmountUnits * currency.minor_per_unit();
}

Result<StrategySpec> ParseStrategy(std::string_view toml_text, std::string_view file_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, file_name);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(fmt::format("{}:{}:{}: TOML syntax error: {}", file_name,
                                               e.source().begin.line, e.source().begin.column,
                                               e.description()));
  }

  Checker c(toml_text, file_name);
  StrategySpec spec;
  c.UnknownKeys(root, "", StrategyKeys());

  auto get = [&](std::string_view key) -> const toml::node* { return root.get(key); };
  auto require = [&](std::string_view key) -> const toml::node* {
    const toml::node* n = root.get(key);
    if (n == nullptr) c.AddAt(1, 1, fmt::format("{}: required key is missing", key));
    return n;
  };

  if (const toml::node* n = require("name")) {
    const auto* s = n->as_string();
    if (s != nullptr && IsLowerName(s->get())) {
      spec.name = s->get();
    } else {
      c.Expected(*n, "name", "1 to 64 lower-case letters, digits or '_'");
    }
  }
  if (const toml::node* n = get("description")) {
    if (auto s = c.String(*n, "description")) spec.description = *s;
  }

  // The exchange comes first: the currency of every amount follows from it.
  bool exchange_ok = true;
  if (const toml::node* n = get("exchange")) {
    if (auto i = c.Enum(*n, "exchange", kExchangeNames)) {
      spec.exchange = std::string(kExchangeNames[*i]);
    } else {
      exchange_ok = false;
    }
  }
  spec.currency = std::string(FindExchange(exchange_ok ? spec.exchange : "NYSE")->currency);
  Currency currency = *Currency::FromCode(spec.currency);

  if (const toml::node* n = require("universe")) {
    if (const auto* s = n->as_string(); s != nullptr && IsLowerName(s->get())) {
      spec.universe = s->get();
    } else if (const auto* a = n->as_array(); a != nullptr && !a->empty()) {
      std::set<std::string> seen;
      for (size_t i = 0; i < a->size(); ++i) {
        const toml::node& item = *a->get(i);
        std::string key = fmt::format("universe[{}]", i);
        const auto* sym = item.as_string();
        if (sym == nullptr || !IsSymbol(sym->get())) {
          c.Expected(item, key, "a symbol like \"GOOG\"");
          continue;
        }
        std::string upper = sym->get();
        std::transform(upper.begin(), upper.end(), upper.begin(),
                       [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
        if (!seen.insert(upper).second) {
          c.Add(item.source(), key, fmt::format("{} is listed twice", Quoted(upper)));
          continue;
        }
        spec.symbols.push_back(std::move(upper));
      }
    } else {
      c.Expected(*n, "universe",
                 "a universe name (lower-case letters, digits, '_') or a non-empty array of "
                 "symbols");
    }
  }
  if (const toml::node* n = get("timeframe")) {
    if (auto i = c.Enum(*n, "timeframe", kTimeframes)) spec.timeframe = static_cast<Timeframe>(*i);
  }
  if (const toml::node* n = get("side")) {
    if (auto i = c.Enum(*n, "side", kSides)) spec.side = static_cast<PositionSide>(*i);
  }
  if (const toml::node* n = require("entry")) CheckRule(c, *n, "entry", &spec.entry);
  if (const toml::node* n = get("exit")) CheckRule(c, *n, "exit", &spec.exit);
  if (const toml::node* n = get("stop_loss")) {
    CheckLevel(c, *n, "stop_loss", 100, true, &spec.stop_loss);
  }
  if (const toml::node* n = get("take_profit")) {
    CheckLevel(c, *n, "take_profit", 1000, true, &spec.take_profit);
  }
  if (const toml::node* n = get("trailing_stop")) {
    CheckLevel(c, *n, "trailing_stop", 100, true, &spec.trailing_stop);
  }
  if (const toml::node* n = get("max_hold")) {
    if (auto v = c.Integer(*n, "max_hold", 1, 100000)) spec.max_hold = static_cast<int>(*v);
  }
  if (const toml::node* n = get("approval")) {
    if (auto i = c.Enum(*n, "approval", kApprovals)) spec.approval = static_cast<Approval>(*i);
  }
  bool execution_ok = true;
  if (const toml::node* n = get("execution")) {
    if (auto i = c.Enum(*n, "execution", kExecutions)) {
      spec.execution = static_cast<Execution>(*i);
    } else {
      execution_ok = false;
    }
  }
  if (const toml::node* n = get("review_cutoff")) {
    std::optional<int> minute;
    if (const auto* s = n->as_string()) minute = ParseClock(s->get());
    if (!minute) {
      c.Expected(*n, "review_cutoff", "an exchange-local time \"HH:MM\" like \"09:00\"");
    } else {
      spec.review_cutoff_minute = *minute;
      // A manual signal must be decided before the order it leads to is due.
      if (exchange_ok && execution_ok && spec.approval == Approval::kManual) {
        bool next_open = spec.execution == Execution::kNextOpen;
        int limit =
            next_open ? RegularOpenMinute(spec.exchange) : RegularCloseMinute(spec.exchange);
        if (*minute >= limit) {
          c.Expected(*n, "review_cutoff",
                     fmt::format("a time before the {} {} ({}) for execution = {}", spec.exchange,
                                 next_open ? "open" : "close", FormatMinuteOfDay(limit),
                                 Quoted(ExecutionName(spec.execution))));
        }
      }
    }
  }
  const toml::node* order_type = get("order_type");
  if (order_type != nullptr) {
    if (auto i = c.Enum(*order_type, "order_type", kOrderTypes)) {
      spec.order_type = static_cast<EntryOrderType>(*i);
    }
  }
  const toml::node* limit_offset = get("limit_offset");
  if (limit_offset != nullptr) {
    if (auto v = c.Percent(*limit_offset, "limit_offset", 100, false, false, "0.5%")) {
      spec.limit_offset_percent = *v;
    }
    if (order_type != nullptr && spec.order_type == EntryOrderType::kMarket &&
        order_type->as_string() != nullptr && order_type->as_string()->get() == "market") {
      c.Add(limit_offset->source(), "limit_offset",
            "only used with order_type = \"limit\", got order_type = \"market\"");
    } else if (order_type == nullptr) {
      c.Add(limit_offset->source(), "limit_offset",
            "only used with order_type = \"limit\", got no order_type (market)");
    }
  } else if (spec.order_type == EntryOrderType::kLimit) {
    c.Add(order_type->source(), "order_type",
          "\"limit\" needs limit_offset (like \"0.5%\"), got none");
  }
  if (const toml::node* n = require("allocation")) {
    if (auto v = c.Amount(*n, "allocation", currency, false)) spec.allocation = *v;
  }
  if (const toml::node* n = require("sizing")) {
    const auto* t = n->as_table();
    if (t == nullptr) {
      c.Expected(*n, "sizing", "a table like { method = \"fixed_qty\", qty = 10 }");
    } else {
      c.UnknownKeys(*t, "sizing", kSizingKeys);
      const toml::node* m = t->get("method");
      std::optional<size_t> method;
      if (m == nullptr) {
        c.Add(n->source(), "sizing.method", "required key is missing");
      } else {
        method = c.Enum(*m, "sizing.method", kSizingMethods);
      }
      if (method) {
        spec.sizing.method = static_cast<SizingSpec::Method>(*method);
        std::string_view needed = *method == 0 ? "qty" : *method == 1 ? "amount" : "percent";
        for (std::string_view k : {"qty", "amount", "percent"}) {
          const toml::node* v = t->get(k);
          if (k == needed) {
            if (v == nullptr) {
              c.Add(n->source(), fmt::format("sizing.{}", k),
                    fmt::format("required by method = {}", Quoted(kSizingMethods[*method])));
            }
          } else if (v != nullptr) {
            c.Add(v->source(), fmt::format("sizing.{}", k),
                  fmt::format("not used by method = {}", Quoted(kSizingMethods[*method])));
          }
        }
        if (const toml::node* v = t->get(needed)) {
          switch (spec.sizing.method) {
            case SizingSpec::Method::kFixedQty:
              if (auto q = c.Integer(*v, "sizing.qty", 1, std::numeric_limits<int>::max())) {
                spec.sizing.qty = *q;
              }
              break;
            case SizingSpec::Method::kFixedAmount:
              if (auto a = c.Amount(*v, "sizing.amount", currency, false)) spec.sizing.amount = *a;
              break;
            case SizingSpec::Method::kPercent:
              if (auto p = c.Percent(*v, "sizing.percent", 100, true, true, "10%")) {
                spec.sizing.percent = *p;
              }
              break;
            case SizingSpec::Method::kRisk:
              if (auto p = c.Percent(*v, "sizing.percent", 100, false, true, "1%")) {
                spec.sizing.percent = *p;
              }
              break;
          }
        }
        if (spec.sizing.method == SizingSpec::Method::kRisk && get("stop_loss") == nullptr) {
          c.Add(m->source(), "sizing.method",
                "\"risk\" sizes by the distance to the stop and needs a stop_loss, got none");
        }
      }
    }
  }
  if (const toml::node* n = get("max_positions")) {
    if (auto v = c.Integer(*n, "max_positions", 1, 100000)) {
      spec.max_positions = static_cast<int>(*v);
    }
  }
  if (const toml::node* n = get("max_new_per_day")) {
    if (auto v = c.Integer(*n, "max_new_per_day", 1, 100000)) {
      spec.max_new_per_day = static_cast<int>(*v);
    }
  }
  if (const toml::node* n = get("rank")) {
    if (auto s = c.String(*n, "rank", "a number expression (a string)")) {
      if (NumberExpr(c, *n, "rank", *s) != nullptr) spec.rank = *s;
    }
  }
  if (const toml::node* n = get("fees")) {
    if (const auto* t = n->as_table()) {
      c.UnknownKeys(*t, "fees", kFeeKeys);
      spec.fees.kind = FeeSpec::Kind::kCustom;
      if (t->get("per_order") == nullptr && t->get("percent") == nullptr) {
        c.Expected(*n, "fees", "per_order and/or percent in a custom fee table");
      }
      if (const toml::node* v = t->get("per_order")) {
        if (auto a = c.Amount(*v, "fees.per_order", currency, true)) spec.fees.per_order = *a;
      }
      if (const toml::node* v = t->get("percent")) {
        std::optional<double> p;
        if (const auto* s = v->as_string()) p = ParsePercentText(s->get());
        if (const auto* i = v->as_integer()) p = static_cast<double>(i->get());
        if (const auto* f = v->as_floating_point()) p = f->get();
        if (p && std::isfinite(*p) && *p >= 0 && *p < 100) {
          spec.fees.percent = *p;
        } else {
          c.Expected(*v, "fees.percent",
                     "a percent of the notional from 0 to below 100 like 0.03 (0.03%)");
        }
      }
    } else {
      const auto* s = n->as_string();
      auto it = s == nullptr ? kFeePresets.end()
                             : std::find(kFeePresets.begin(), kFeePresets.end(), s->get());
      if (it == kFeePresets.end()) {
        c.Expected(*n, "fees",
                   Alternatives(kFeePresets) + " or a table { per_order = 1.00, percent = 0.03 }");
      } else {
        spec.fees.kind = static_cast<FeeSpec::Kind>(it - kFeePresets.begin());
      }
    }
  }
  if (const toml::node* n = get("slippage_bps")) {
    if (auto v = c.Number(*n, "slippage_bps", 0, 1000)) spec.slippage_bps = *v;
  }
  if (const toml::node* n = get("enabled")) {
    if (const auto* b = n->as_boolean()) {
      spec.enabled = b->get();
    } else {
      c.Expected(*n, "enabled", "true or false");
    }
  }

  KAIROS_RETURN_IF_ERROR(c.Finish());
  return spec;
}

}  // namespace kairos::engine
