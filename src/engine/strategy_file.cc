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
#include "engine/toml_checker.h"
#include "rules/binder.h"
#include "rules/diagnostic.h"
#include "rules/parser.h"

namespace kairos::engine {
namespace {

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

// The strategy file's own checks on top of the shared ones: percents, amounts of money, rules.
class Checker : public TomlChecker {
 public:
  using TomlChecker::TomlChecker;

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
      for (char c : RawText(this->text(), n.source())) {
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
    std::string_view raw = RawText(this->text(), n.source());
    const auto* s = n.as_string();
    bool mapped = s != nullptr && rl == 1 && rc >= 1 && raw.size() == s->get().size() + 2 &&
                  raw.substr(1, s->get().size()) == s->get() &&
                  s->get().find('\n') == std::string::npos;
    std::string text = fmt::format("{}: {}", key, message);
    if (mapped) {
      col += rc;  // past the opening quote
      std::string_view file_line = LineText(this->text(), line);
      std::string caret;
      size_t offset = OffsetOf(this->text(), line, col) - OffsetOf(this->text(), line, 1);
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

namespace {

// Reads one strategy file's root table into a StrategySpec, one section or concern at a time.
// Every problem goes to the Checker, so all of them are reported at once.
class StrategyReader {
 public:
  StrategyReader(Checker& c, const toml::table& root, StrategySpec& spec)
      : c_(c), root_(root), spec_(spec) {}

  void Read() {
    c_.UnknownKeys(root_, "", StrategyKeys());
    ReadIdentity();
    ReadExchange();  // first: the currency of every amount follows from it
    ReadUniverse();
    ReadSignals();
    ReadExits();
    ReadApproval();
    ReadOrderType();
    if (const toml::node* n = Require("allocation")) {
      if (auto v = c_.Amount(*n, "allocation", spec_.currency, false)) spec_.allocation = *v;
    }
    ReadSizing();
    ReadLimits();
    ReadFees();
    ReadCosts();
  }

 private:
  const toml::node* Get(std::string_view key) const { return root_.get(key); }
  const toml::node* Require(std::string_view key) {
    const toml::node* n = root_.get(key);
    if (n == nullptr) c_.AddAt(1, 1, fmt::format("{}: required key is missing", key));
    return n;
  }

  // name, description.
  void ReadIdentity() {
    if (const toml::node* n = Require("name")) {
      const auto* s = n->as_string();
      if (s != nullptr && IsLowerName(s->get())) {
        spec_.name = s->get();
      } else {
        c_.Expected(*n, "name", "1 to 64 lower-case letters, digits or '_'");
      }
    }
    if (const toml::node* n = Get("description")) {
      if (auto s = c_.String(*n, "description")) spec_.description = *s;
    }
  }

  // exchange, and the currency that follows from it (NYSE's when the exchange is wrong).
  void ReadExchange() {
    if (const toml::node* n = Get("exchange")) {
      if (auto i = c_.Enum(*n, "exchange", kExchangeNames)) {
        spec_.exchange = std::string(kExchangeNames[*i]);
      } else {
        exchange_ok_ = false;
      }
    }
    spec_.currency =
        *Currency::FromCode(FindExchange(exchange_ok_ ? spec_.exchange : "NYSE")->currency);
  }

  // universe: a universe's name or an array of distinct symbols.
  void ReadUniverse() {
    const toml::node* n = Require("universe");
    if (n == nullptr) return;
    if (const auto* s = n->as_string(); s != nullptr && IsLowerName(s->get())) {
      spec_.universe = s->get();
    } else if (const auto* a = n->as_array(); a != nullptr && !a->empty()) {
      ReadSymbols(*a);
    } else {
      c_.Expected(*n, "universe",
                  "a universe name (lower-case letters, digits, '_') or a non-empty array of "
                  "symbols");
    }
  }

  void ReadSymbols(const toml::array& a) {
    std::set<std::string> seen;
    for (size_t i = 0; i < a.size(); ++i) {
      const toml::node& item = *a.get(i);
      std::string key = fmt::format("universe[{}]", i);
      const auto* sym = item.as_string();
      if (sym == nullptr || !IsSymbol(sym->get())) {
        c_.Expected(item, key, "a symbol like \"GOOG\"");
        continue;
      }
      std::string upper = sym->get();
      std::transform(upper.begin(), upper.end(), upper.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
      if (!seen.insert(upper).second) {
        c_.Add(item.source(), key, fmt::format("{} is listed twice", Quoted(upper)));
        continue;
      }
      spec_.symbols.push_back(std::move(upper));
    }
  }

  // timeframe, side, entry, exit.
  void ReadSignals() {
    if (const toml::node* n = Get("timeframe")) {
      if (auto i = c_.Enum(*n, "timeframe", kTimeframes)) {
        spec_.timeframe = static_cast<Timeframe>(*i);
      }
    }
    if (const toml::node* n = Get("side")) {
      if (auto i = c_.Enum(*n, "side", kSides)) spec_.side = static_cast<PositionSide>(*i);
    }
    if (const toml::node* n = Require("entry")) CheckRule(c_, *n, "entry", &spec_.entry);
    if (const toml::node* n = Get("exit")) CheckRule(c_, *n, "exit", &spec_.exit);
  }

  // stop_loss, take_profit, trailing_stop, max_hold.
  void ReadExits() {
    if (const toml::node* n = Get("stop_loss")) {
      CheckLevel(c_, *n, "stop_loss", 100, true, &spec_.stop_loss);
    }
    if (const toml::node* n = Get("take_profit")) {
      CheckLevel(c_, *n, "take_profit", 1000, true, &spec_.take_profit);
    }
    if (const toml::node* n = Get("trailing_stop")) {
      CheckLevel(c_, *n, "trailing_stop", 100, true, &spec_.trailing_stop);
    }
    if (const toml::node* n = Get("max_hold")) {
      if (auto v = c_.Integer(*n, "max_hold", 1, 100000)) spec_.max_hold = static_cast<int>(*v);
    }
  }

  // approval, execution, review_cutoff.
  void ReadApproval() {
    if (const toml::node* n = Get("approval")) {
      if (auto i = c_.Enum(*n, "approval", kApprovals)) {
        spec_.approval = static_cast<Approval>(*i);
      }
    }
    if (const toml::node* n = Get("execution")) {
      if (auto i = c_.Enum(*n, "execution", kExecutions)) {
        spec_.execution = static_cast<Execution>(*i);
      } else {
        execution_ok_ = false;
      }
    }
    if (const toml::node* n = Get("review_cutoff")) ReadReviewCutoff(*n);
  }

  void ReadReviewCutoff(const toml::node& n) {
    std::optional<int> minute;
    if (const auto* s = n.as_string()) minute = ParseClock(s->get());
    if (!minute) {
      c_.Expected(n, "review_cutoff", "an exchange-local time \"HH:MM\" like \"09:00\"");
      return;
    }
    spec_.review_cutoff_minute = *minute;
    // A manual signal must be decided before the order it leads to is due.
    if (!exchange_ok_ || !execution_ok_ || spec_.approval != Approval::kManual) return;
    bool next_open = spec_.execution == Execution::kNextOpen;
    int limit = next_open ? RegularOpenMinute(spec_.exchange) : RegularCloseMinute(spec_.exchange);
    if (*minute >= limit) {
      c_.Expected(n, "review_cutoff",
                  fmt::format("a time before the {} {} ({}) for execution = {}", spec_.exchange,
                              next_open ? "open" : "close", FormatMinuteOfDay(limit),
                              Quoted(ExecutionName(spec_.execution))));
    }
  }

  // order_type, and limit_offset, which only a limit order has.
  void ReadOrderType() {
    const toml::node* order_type = Get("order_type");
    if (order_type != nullptr) {
      if (auto i = c_.Enum(*order_type, "order_type", kOrderTypes)) {
        spec_.order_type = static_cast<EntryOrderType>(*i);
      }
    }
    const toml::node* limit_offset = Get("limit_offset");
    if (limit_offset == nullptr) {
      if (spec_.order_type == EntryOrderType::kLimit) {
        c_.Add(order_type->source(), "order_type",
               "\"limit\" needs limit_offset (like \"0.5%\"), got none");
      }
      return;
    }
    if (auto v = c_.Percent(*limit_offset, "limit_offset", 100, false, false, "0.5%")) {
      spec_.limit_offset_percent = *v;
    }
    if (order_type != nullptr && spec_.order_type == EntryOrderType::kMarket &&
        order_type->as_string() != nullptr && order_type->as_string()->get() == "market") {
      c_.Add(limit_offset->source(), "limit_offset",
             "only used with order_type = \"limit\", got order_type = \"market\"");
    } else if (order_type == nullptr) {
      c_.Add(limit_offset->source(), "limit_offset",
             "only used with order_type = \"limit\", got no order_type (market)");
    }
  }

  // sizing: a table whose method names the one other key it needs.
  void ReadSizing() {
    const toml::node* n = Require("sizing");
    if (n == nullptr) return;
    const auto* t = n->as_table();
    if (t == nullptr) {
      c_.Expected(*n, "sizing", "a table like { method = \"fixed_qty\", qty = 10 }");
      return;
    }
    c_.UnknownKeys(*t, "sizing", kSizingKeys);
    const toml::node* m = t->get("method");
    if (m == nullptr) {
      c_.Add(n->source(), "sizing.method", "required key is missing");
      return;
    }
    std::optional<size_t> method = c_.Enum(*m, "sizing.method", kSizingMethods);
    if (!method) return;
    spec_.sizing.method = static_cast<SizingSpec::Method>(*method);
    std::string_view needed = *method == 0 ? "qty" : *method == 1 ? "amount" : "percent";
    CheckSizingKeys(*n, *t, needed, kSizingMethods[*method]);
    if (const toml::node* v = t->get(needed)) ReadSizingValue(*v);
    if (spec_.sizing.method == SizingSpec::Method::kRisk && Get("stop_loss") == nullptr) {
      c_.Add(m->source(), "sizing.method",
             "\"risk\" sizes by the distance to the stop and needs a stop_loss, got none");
    }
  }

  // Of qty, amount and percent: `needed` is present, the others are not.
  void CheckSizingKeys(const toml::node& n, const toml::table& t, std::string_view needed,
                       std::string_view method) {
    for (std::string_view k : {"qty", "amount", "percent"}) {
      const toml::node* v = t.get(k);
      if (k == needed) {
        if (v == nullptr) {
          c_.Add(n.source(), fmt::format("sizing.{}", k),
                 fmt::format("required by method = {}", Quoted(method)));
        }
      } else if (v != nullptr) {
        c_.Add(v->source(), fmt::format("sizing.{}", k),
               fmt::format("not used by method = {}", Quoted(method)));
      }
    }
  }

  // The value of the key the sizing method needs.
  void ReadSizingValue(const toml::node& v) {
    switch (spec_.sizing.method) {
      case SizingSpec::Method::kFixedQty:
        if (auto q = c_.Integer(v, "sizing.qty", 1, std::numeric_limits<int>::max())) {
          spec_.sizing.qty = *q;
        }
        break;
      case SizingSpec::Method::kFixedAmount:
        if (auto a = c_.Amount(v, "sizing.amount", spec_.currency, false)) spec_.sizing.amount = *a;
        break;
      case SizingSpec::Method::kPercent:
        if (auto p = c_.Percent(v, "sizing.percent", 100, true, true, "10%")) {
          spec_.sizing.percent = *p;
        }
        break;
      case SizingSpec::Method::kRisk:
        if (auto p = c_.Percent(v, "sizing.percent", 100, false, true, "1%")) {
          spec_.sizing.percent = *p;
        }
        break;
    }
  }

  // max_positions, max_new_per_day, rank.
  void ReadLimits() {
    if (const toml::node* n = Get("max_positions")) {
      if (auto v = c_.Integer(*n, "max_positions", 1, 100000)) {
        spec_.max_positions = static_cast<int>(*v);
      }
    }
    if (const toml::node* n = Get("max_new_per_day")) {
      if (auto v = c_.Integer(*n, "max_new_per_day", 1, 100000)) {
        spec_.max_new_per_day = static_cast<int>(*v);
      }
    }
    if (const toml::node* n = Get("rank")) {
      if (auto s = c_.String(*n, "rank", "a number expression (a string)")) {
        if (NumberExpr(c_, *n, "rank", *s) != nullptr) spec_.rank = *s;
      }
    }
  }

  // fees: a preset's name or a custom table.
  void ReadFees() {
    const toml::node* n = Get("fees");
    if (n == nullptr) return;
    if (const auto* t = n->as_table()) return ReadCustomFees(*n, *t);
    const auto* s = n->as_string();
    auto it = s == nullptr ? kFeePresets.end()
                           : std::find(kFeePresets.begin(), kFeePresets.end(), s->get());
    if (it == kFeePresets.end()) {
      c_.Expected(*n, "fees",
                  Alternatives(kFeePresets) + " or a table { per_order = 1.00, percent = 0.03 }");
    } else {
      spec_.fees.kind = static_cast<FeeSpec::Kind>(it - kFeePresets.begin());
    }
  }

  void ReadCustomFees(const toml::node& n, const toml::table& t) {
    c_.UnknownKeys(t, "fees", kFeeKeys);
    spec_.fees.kind = FeeSpec::Kind::kCustom;
    if (t.get("per_order") == nullptr && t.get("percent") == nullptr) {
      c_.Expected(n, "fees", "per_order and/or percent in a custom fee table");
    }
    if (const toml::node* v = t.get("per_order")) {
      if (auto a = c_.Amount(*v, "fees.per_order", spec_.currency, true)) spec_.fees.per_order = *a;
    }
    if (const toml::node* v = t.get("percent")) {
      std::optional<double> p;
      if (const auto* s = v->as_string()) p = ParsePercentText(s->get());
      if (const auto* i = v->as_integer()) p = static_cast<double>(i->get());
      if (const auto* f = v->as_floating_point()) p = f->get();
      if (p && std::isfinite(*p) && *p >= 0 && *p < 100) {
        spec_.fees.percent = *p;
      } else {
        c_.Expected(*v, "fees.percent",
                    "a percent of the notional from 0 to below 100 like 0.03 (0.03%)");
      }
    }
  }

  // slippage_bps, enabled.
  void ReadCosts() {
    if (const toml::node* n = Get("slippage_bps")) {
      if (auto v = c_.Number(*n, "slippage_bps", 0, 1000)) spec_.slippage_bps = *v;
    }
    if (const toml::node* n = Get("enabled")) {
      if (const auto* b = n->as_boolean()) {
        spec_.enabled = b->get();
      } else {
        c_.Expected(*n, "enabled", "true or false");
      }
    }
  }

  Checker& c_;
  const toml::table& root_;
  StrategySpec& spec_;
  bool exchange_ok_ = true;
  bool execution_ok_ = true;
};

}  // namespace

Result<StrategySpec> ParseStrategy(std::string_view toml_text, std::string_view file_name) {
  KAIROS_ASSIGN_OR_RETURN(toml::table root, ParseTomlText(toml_text, file_name));
  Checker c(toml_text, file_name);
  StrategySpec spec;
  StrategyReader(c, root, spec).Read();
  KAIROS_RETURN_IF_ERROR(c.Finish());
  return spec;
}

}  // namespace kairos::engine
