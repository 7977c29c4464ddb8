#include "rules/binder.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <utility>

#include <fmt/core.h>

#include "rules/parser.h"

namespace kairos::rules {
namespace {

using indicators::IndicatorInfo;
using indicators::Input;
using BoundPtr = std::unique_ptr<BoundExpr>;

// Windows and offsets: whole bars, at most this many (the registry's period limit).
constexpr int kMaxWindow = 100000;
// A rule needing more history than this (about 40,000 years of daily bars) is a mistake.
constexpr int kMaxLookback = 10'000'000;

struct FieldEntry {
  std::string_view name;
  Field field;
};
constexpr std::array<FieldEntry, 9> kFields = {{{"open", Field::kOpen},
                                                {"high", Field::kHigh},
                                                {"low", Field::kLow},
                                                {"close", Field::kClose},
                                                {"volume", Field::kVolume},
                                                {"hl2", Field::kHl2},
                                                {"hlc3", Field::kHlc3},
                                                {"ohlc4", Field::kOhlc4},
                                                {"turnover", Field::kTurnover}}};

// One argument of a builtin: a number series, a boolean series, or a constant window.
enum class Arg : uint8_t { kNumber, kBool, kWindow };

struct BuiltinEntry {
  std::string_view name;
  Builtin builtin;
  std::vector<Arg> args;
  Type result;
  std::string_view signature;
};

const std::vector<BuiltinEntry>& Builtins() {
  static const std::vector<BuiltinEntry> builtins = {
      {"crossover",
       Builtin::kCrossover,
       {Arg::kNumber, Arg::kNumber},
       Type::kBool,
       "crossover(a, b)"},
      {"crossunder",
       Builtin::kCrossunder,
       {Arg::kNumber, Arg::kNumber},
       Type::kBool,
       "crossunder(a, b)"},
      {"highest",
       Builtin::kHighest,
       {Arg::kNumber, Arg::kWindow},
       Type::kNumber,
       "highest(series, n)"},
      {"lowest",
       Builtin::kLowest,
       {Arg::kNumber, Arg::kWindow},
       Type::kNumber,
       "lowest(series, n)"},
      {"change",
       Builtin::kChange,
       {Arg::kNumber, Arg::kWindow},
       Type::kNumber,
       "change(series, n)"},
      {"pct_change",
       Builtin::kPctChange,
       {Arg::kNumber, Arg::kWindow},
       Type::kNumber,
       "pct_change(series, n)"},
      {"abs", Builtin::kAbs, {Arg::kNumber}, Type::kNumber, "abs(x)"},
      {"min", Builtin::kMin, {Arg::kNumber, Arg::kNumber}, Type::kNumber, "min(a, b)"},
      {"max", Builtin::kMax, {Arg::kNumber, Arg::kNumber}, Type::kNumber, "max(a, b)"},
      {"count", Builtin::kCount, {Arg::kBool, Arg::kWindow}, Type::kNumber, "count(condition, n)"},
      {"bars_since", Builtin::kBarsSince, {Arg::kBool}, Type::kNumber, "bars_since(condition)"},
      {"rising", Builtin::kRising, {Arg::kNumber, Arg::kWindow}, Type::kBool, "rising(series, n)"},
      {"falling",
       Builtin::kFalling,
       {Arg::kNumber, Arg::kWindow},
       Type::kBool,
       "falling(series, n)"},
      {"median",
       Builtin::kMedian,
       {Arg::kNumber, Arg::kWindow},
       Type::kNumber,
       "median(series, n)"},
  };
  return builtins;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const FieldEntry* FindField(std::string_view lower) {
  for (const FieldEntry& f : kFields) {
    if (f.name == lower) return &f;
  }
  return nullptr;
}

const BuiltinEntry* FindBuiltin(std::string_view lower) {
  for (const BuiltinEntry& b : Builtins()) {
    if (b.name == lower) return &b;
  }
  return nullptr;
}

// Every name a rule can use: for did-you-mean.
const std::vector<std::string_view>& AllNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> all;
    for (const IndicatorInfo& info : indicators::AllIndicators()) all.push_back(info.name);
    for (const BuiltinEntry& b : Builtins()) all.push_back(b.name);
    all.push_back("weekly");
    for (const FieldEntry& f : kFields) all.push_back(f.name);
    return all;
  }();
  return names;
}

std::string Signature(const IndicatorInfo& info) {
  std::string s = fmt::format("{}(", info.name);
  bool first = true;
  if (std::find(info.inputs.begin(), info.inputs.end(), Input::kSeries) != info.inputs.end()) {
    s += "series";
    first = false;
  }
  for (const indicators::ParamSpec& p : info.params) {
    s += fmt::format("{}{}={}", first ? "" : ", ", p.name, p.default_value);
    first = false;
  }
  return s + ")";
}

std::string OutputList(const IndicatorInfo& info) {
  std::string s;
  for (size_t i = 0; i < info.outputs.size(); ++i) {
    s += fmt::format("{}.{}", i == 0 ? "" : (i + 1 == info.outputs.size() ? " or " : ", "),
                     info.outputs[i]);
  }
  return s;
}

std::string_view Article(Type type) { return type == Type::kBool ? "a boolean" : "a number"; }

class Binder {
 public:
  explicit Binder(std::string_view source) : source_(source) {}

  // Binds `e` and refuses a lookback past kMaxLookback (which also keeps every lookback sum far
  // from int overflow: each step adds at most a window, a registry lookback or a factor of 5).
  Result<BoundPtr> BindExpr(const Expr& e) {
    KAIROS_ASSIGN_OR_RETURN(BoundPtr node, BindNode(e));
    if (node->lookback > kMaxLookback) {
      return Error(e.pos, fmt::format("this needs {} bars of history, more than the limit of {}",
                                      node->lookback, kMaxLookback));
    }
    return node;
  }

 private:
  Result<BoundPtr> BindNode(const Expr& e) {
    switch (e.kind) {
      case ExprKind::kNumber:
        return Constant(e.pos, e.number);
      case ExprKind::kIdentifier:
        return BindIdentifier(e);
      case ExprKind::kUnary:
        return BindUnary(e);
      case ExprKind::kBinary:
        return BindBinary(e);
      case ExprKind::kCall:
        return BindCall(e, nullptr);
      case ExprKind::kMember:
        if (e.children[0]->kind == ExprKind::kCall &&
            FindBuiltin(Lower(e.children[0]->name)) == nullptr &&
            Lower(e.children[0]->name) != "weekly") {
          return BindCall(*e.children[0], &e);
        }
        return Error(e.op_pos, fmt::format("'.{}' selects an output of an indicator call, such as "
                                           "macd(close).signal; it cannot follow this expression",
                                           e.name));
      case ExprKind::kIndex:
        return BindIndex(e);
    }
    return Error(e.pos, "unsupported expression");
  }

  Status Error(SourcePos pos, std::string_view message) const {
    return RuleError(source_, pos, message);
  }

  BoundPtr Node(BoundKind kind, Type type, SourcePos pos) const {
    auto node = std::make_unique<BoundExpr>();
    node->kind = kind;
    node->type = type;
    node->pos = pos;
    node->weekly = weekly_depth_ > 0;
    return node;
  }

  BoundPtr Constant(SourcePos pos, double value) const {
    BoundPtr node = Node(BoundKind::kConstant, Type::kNumber, pos);
    node->constant = value;
    return node;
  }

  Result<BoundPtr> BindIdentifier(const Expr& e) {
    std::string name = Lower(e.name);
    if (const FieldEntry* f = FindField(name)) {
      BoundPtr node = Node(BoundKind::kField, Type::kNumber, e.pos);
      node->field = f->field;
      return node;
    }
    if (FindBuiltin(name) != nullptr || indicators::FindIndicator(name) != nullptr ||
        name == "weekly") {
      return Error(e.pos, fmt::format("'{}' is a function: call it, as in {}(...)", e.name, name));
    }
    return Error(e.pos, fmt::format("unknown name '{}'{}", e.name, DidYouMean(name, AllNames())));
  }

  Result<BoundPtr> BindUnary(const Expr& e) {
    KAIROS_ASSIGN_OR_RETURN(BoundPtr operand, BindExpr(*e.children[0]));
    if (e.unary_op == UnaryOp::kNegate) {
      if (operand->type != Type::kNumber) {
        return Error(e.children[0]->pos, "unary '-' needs a number, but this is a boolean");
      }
      if (operand->kind == BoundKind::kConstant) return Constant(e.pos, -operand->constant);
    } else if (operand->type != Type::kBool) {
      return Error(e.children[0]->pos, "'not' needs a boolean, but this is a number");
    }
    BoundPtr node = Node(BoundKind::kUnary, operand->type, e.pos);
    node->unary_op = e.unary_op;
    node->lookback = operand->lookback;
    node->args.push_back(std::move(operand));
    return node;
  }

  Result<BoundPtr> BindBinary(const Expr& e) {
    KAIROS_ASSIGN_OR_RETURN(BoundPtr left, BindExpr(*e.children[0]));
    KAIROS_ASSIGN_OR_RETURN(BoundPtr right, BindExpr(*e.children[1]));
    const BinaryOp op = e.binary_op;
    Type result = Type::kNumber;
    if (op == BinaryOp::kAnd || op == BinaryOp::kOr) {
      result = Type::kBool;
      for (int side = 0; side < 2; ++side) {
        const BoundPtr& operand = side == 0 ? left : right;
        if (operand->type != Type::kBool) {
          return Error(e.children[side]->pos,
                       fmt::format("'{}' needs booleans, but its {} side is a number (compare it, "
                                   "e.g. with '>')",
                                   OpText(op), side == 0 ? "left" : "right"));
        }
      }
    } else if ((op == BinaryOp::kEqual || op == BinaryOp::kNotEqual) && left->type == Type::kBool &&
               right->type == Type::kBool) {
      result = Type::kBool;
    } else {
      result = IsComparison(op) ? Type::kBool : Type::kNumber;
      for (int side = 0; side < 2; ++side) {
        const BoundPtr& operand = side == 0 ? left : right;
        if (operand->type != Type::kNumber) {
          return Error(e.children[side]->pos,
                       fmt::format("'{}' needs numbers, but its {} side is a boolean", OpText(op),
                                   side == 0 ? "left" : "right"));
        }
      }
      if (!IsComparison(op) && left->kind == BoundKind::kConstant &&
          right->kind == BoundKind::kConstant) {
        double a = left->constant;
        double b = right->constant;
        double v = op == BinaryOp::kAdd        ? a + b
                   : op == BinaryOp::kSubtract ? a - b
                   : op == BinaryOp::kMultiply ? a * b
                                               : a / b;
        return Constant(e.pos, v);
      }
    }
    BoundPtr node = Node(BoundKind::kBinary, result, e.pos);
    node->binary_op = op;
    node->lookback = std::max(left->lookback, right->lookback);
    node->args.push_back(std::move(left));
    node->args.push_back(std::move(right));
    return node;
  }

  // A constant integer in [lo, hi]: a window, an offset.
  Result<int> BindWindow(const Expr& e, std::string_view what, int lo) {
    KAIROS_ASSIGN_OR_RETURN(BoundPtr bound, BindExpr(e));
    if (bound->kind != BoundKind::kConstant) {
      return Error(e.pos, fmt::format("{} must be a constant number, such as 20", what));
    }
    double v = bound->constant;
    if (!(v == std::floor(v) && v >= lo && v <= kMaxWindow)) {
      return Error(
          e.pos, fmt::format("{} must be an integer in [{}, {}], got {}", what, lo, kMaxWindow, v));
    }
    return static_cast<int>(v);
  }

  Result<BoundPtr> BindIndex(const Expr& e) {
    KAIROS_ASSIGN_OR_RETURN(BoundPtr series, BindExpr(*e.children[0]));
    KAIROS_ASSIGN_OR_RETURN(int n, BindWindow(*e.children[1], "an offset [n]", 0));
    BoundPtr node = Node(BoundKind::kOffset, series->type, e.pos);
    node->window = n;
    node->lookback = series->lookback + n;
    node->args.push_back(std::move(series));
    return node;
  }

  Result<BoundPtr> BindCall(const Expr& call, const Expr* member) {
    std::string name = Lower(call.name);
    if (name == "weekly") return BindWeekly(call);
    if (const BuiltinEntry* b = FindBuiltin(name)) return BindBuiltin(call, *b);
    if (const IndicatorInfo* info = indicators::FindIndicator(name)) {
      return BindIndicator(call, *info, member);
    }
    if (FindField(name) != nullptr) {
      return Error(call.pos, fmt::format("'{}' is a bar field, not a function; write {}[1] for "
                                         "the value one bar ago",
                                         call.name, name));
    }
    return Error(call.pos,
                 fmt::format("unknown indicator '{}'{}", call.name, DidYouMean(name, AllNames())));
  }

  Result<BoundPtr> BindWeekly(const Expr& call) {
    if (call.children.size() != 1) {
      return Error(call.pos, fmt::format("weekly expects 1 argument (an expression), got {}",
                                         call.children.size()));
    }
    if (weekly_depth_ > 0) return Error(call.pos, "weekly(...) cannot be nested");
    ++weekly_depth_;
    Result<BoundPtr> inner = BindExpr(*call.children[0]);
    --weekly_depth_;
    if (!inner.ok()) return inner.status();
    BoundPtr node = Node(BoundKind::kWeekly, (*inner)->type, call.pos);
    // inner->lookback + 1 completed weeks, each at most 5 daily bars.
    node->lookback = 5 * ((*inner)->lookback + 1);
    node->args.push_back(std::move(*inner));
    return node;
  }

  Result<BoundPtr> BindBuiltin(const Expr& call, const BuiltinEntry& b) {
    if (call.children.size() != b.args.size()) {
      return Error(call.pos,
                   fmt::format("{} expects {} argument{} ({}), got {}", b.name, b.args.size(),
                               b.args.size() == 1 ? "" : "s", b.signature, call.children.size()));
    }
    BoundPtr node = Node(BoundKind::kBuiltin, b.result, call.pos);
    node->builtin = b.builtin;
    int lookback = 0;
    for (size_t i = 0; i < b.args.size(); ++i) {
      const Expr& arg = *call.children[i];
      if (b.args[i] == Arg::kWindow) {
        KAIROS_ASSIGN_OR_RETURN(node->window,
                                BindWindow(arg, fmt::format("{}: the window n", b.name), 1));
        continue;
      }
      KAIROS_ASSIGN_OR_RETURN(BoundPtr bound, BindExpr(arg));
      Type want = b.args[i] == Arg::kBool ? Type::kBool : Type::kNumber;
      if (bound->type != want) {
        return Error(arg.pos, fmt::format("{}: argument {} must be {}, but this is {}", b.name,
                                          i + 1, Article(want), Article(bound->type)));
      }
      lookback = std::max(lookback, bound->lookback);
      node->args.push_back(std::move(bound));
    }
    const int n = node->window;
    switch (b.builtin) {
      case Builtin::kCrossover:
      case Builtin::kCrossunder:
        lookback += 1;
        break;
      case Builtin::kChange:
      case Builtin::kPctChange:
      case Builtin::kRising:
      case Builtin::kFalling:
        lookback += n;
        break;
      case Builtin::kHighest:
      case Builtin::kLowest:
      case Builtin::kCount:
      case Builtin::kMedian:
        lookback += n - 1;
        break;
      case Builtin::kAbs:
      case Builtin::kMin:
      case Builtin::kMax:
      case Builtin::kBarsSince:
        break;
    }
    node->lookback = lookback;
    return node;
  }

  Result<BoundPtr> BindIndicator(const Expr& call, const IndicatorInfo& info, const Expr* member) {
    const bool reads_series =
        std::find(info.inputs.begin(), info.inputs.end(), Input::kSeries) != info.inputs.end();
    const size_t min_args = reads_series ? 1 : 0;
    const size_t max_args = min_args + info.params.size();
    const size_t got = call.children.size();
    if (got < min_args || got > max_args) {
      std::string expected = min_args == max_args ? fmt::format("{}", min_args)
                                                  : fmt::format("{} to {}", min_args, max_args);
      return Error(call.pos, fmt::format("{} expects {} argument{} ({}), got {}", info.name,
                                         expected, max_args == 1 ? "" : "s", Signature(info), got));
    }
    BoundPtr node = Node(BoundKind::kIndicator, Type::kNumber, call.pos);
    node->indicator = &info;
    int input_lookback = 0;
    if (reads_series) {
      const Expr& arg = *call.children[0];
      KAIROS_ASSIGN_OR_RETURN(BoundPtr series, BindExpr(arg));
      if (series->type != Type::kNumber) {
        return Error(arg.pos, fmt::format("{}: the series must be a number, but this is a boolean",
                                          info.name));
      }
      input_lookback = series->lookback;
      node->args.push_back(std::move(series));
    }
    for (size_t i = 0; i < info.params.size(); ++i) {
      size_t arg_index = min_args + i;
      if (arg_index >= got) {
        node->params.push_back(info.params[i].default_value);
        continue;
      }
      const Expr& arg = *call.children[arg_index];
      KAIROS_ASSIGN_OR_RETURN(BoundPtr bound, BindExpr(arg));
      if (bound->kind != BoundKind::kConstant) {
        return Error(arg.pos, fmt::format("{}: {} must be a constant number, such as {}", info.name,
                                          info.params[i].name, info.params[i].default_value));
      }
      node->params.push_back(bound->constant);
    }
    if (Status s = indicators::ValidateParams(info, node->params); !s.ok()) {
      // Point at the offending argument when there is one, else at the call.
      SourcePos where = call.pos;
      for (size_t i = 0; i < info.params.size(); ++i) {
        size_t arg_index = min_args + i;
        std::string needle = fmt::format(": {} must", info.params[i].name);
        if (arg_index < got && s.message().find(needle) != std::string::npos) {
          where = call.children[arg_index]->pos;
          break;
        }
      }
      return Error(where, s.message());
    }
    if (member != nullptr) {
      std::string output = Lower(member->name);
      auto it = std::find(info.outputs.begin(), info.outputs.end(), output);
      if (it == info.outputs.end()) {
        return Error(member->op_pos,
                     fmt::format("'{}' has no output '{}'{} (outputs: {})", info.name, member->name,
                                 DidYouMean(output, info.outputs), OutputList(info)));
      }
      node->output = static_cast<size_t>(it - info.outputs.begin());
    } else if (info.outputs.size() > 1) {
      return Error(call.pos, fmt::format("'{}' has {} outputs; choose one with {}", info.name,
                                         info.outputs.size(), OutputList(info)));
    }
    node->lookback = info.lookback(node->params) + input_lookback;
    return node;
  }

  std::string_view source_;
  int weekly_depth_ = 0;
};

void AppendCanonical(const BoundExpr& e, std::string& out) {
  switch (e.kind) {
    case BoundKind::kConstant:
      out += fmt::format("{}", e.constant);
      return;
    case BoundKind::kField:
      out += FieldName(e.field);
      return;
    case BoundKind::kIndicator: {
      out += e.indicator->name;
      out += '(';
      bool first = true;
      for (const auto& arg : e.args) {
        AppendCanonical(*arg, out);
        first = false;
      }
      for (double p : e.params) {
        out += fmt::format("{}{}", first ? "" : ", ", p);
        first = false;
      }
      out += ')';
      if (e.indicator->outputs.size() > 1) {
        out += '.';
        out += e.indicator->outputs[e.output];
      }
      return;
    }
    case BoundKind::kUnary:
      out += e.unary_op == UnaryOp::kNegate ? "(-" : "(not ";
      AppendCanonical(*e.args[0], out);
      out += ')';
      return;
    case BoundKind::kBinary:
      out += '(';
      AppendCanonical(*e.args[0], out);
      out += fmt::format(" {} ", OpText(e.binary_op));
      AppendCanonical(*e.args[1], out);
      out += ')';
      return;
    case BoundKind::kOffset:
      AppendCanonical(*e.args[0], out);
      out += fmt::format("[{}]", e.window);
      return;
    case BoundKind::kBuiltin: {
      out += BuiltinName(e.builtin);
      out += '(';
      for (size_t i = 0; i < e.args.size(); ++i) {
        if (i > 0) out += ", ";
        AppendCanonical(*e.args[i], out);
      }
      if (e.window > 0) out += fmt::format(", {}", e.window);
      out += ')';
      return;
    }
    case BoundKind::kWeekly:
      out += "weekly(";
      AppendCanonical(*e.args[0], out);
      out += ')';
      return;
  }
}

}  // namespace

std::string_view FieldName(Field field) {
  for (const FieldEntry& f : kFields) {
    if (f.field == field) return f.name;
  }
  return "?";
}

std::string_view BuiltinName(Builtin builtin) {
  for (const BuiltinEntry& b : Builtins()) {
    if (b.builtin == builtin) return b.name;
  }
  return "?";
}

std::string_view TypeName(Type type) { return type == Type::kBool ? "bool" : "number"; }

Result<std::unique_ptr<BoundExpr>> Bind(const Expr& expr, std::string_view source) {
  return Binder(source).BindExpr(expr);
}

Result<BoundRule> CompileRule(std::string_view source) {
  KAIROS_ASSIGN_OR_RETURN(std::unique_ptr<Expr> expr, Parse(source));
  KAIROS_ASSIGN_OR_RETURN(std::unique_ptr<BoundExpr> bound, Bind(*expr, source));
  if (bound->type != Type::kBool) {
    return RuleError(source, expr->pos,
                     "a rule must be a condition (true or false), but this is a number; compare "
                     "it, e.g. 'rsi(close) < 30'");
  }
  BoundRule rule;
  rule.lookback = bound->lookback;
  rule.root = std::move(bound);
  return rule;
}

std::string CanonicalText(const BoundExpr& expr) {
  std::string out;
  AppendCanonical(expr, out);
  return out;
}

std::string ShareKey(const BoundExpr& expr) {
  return expr.weekly ? "weekly:" + CanonicalText(expr) : CanonicalText(expr);
}

}  // namespace kairos::rules
