#include "rules/evaluator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <unordered_map>
#include <utility>

#include <fmt/core.h>

#include "core/check.h"
#include "rules/evaluator_kernels.h"
#include "rules/evaluator_window.h"
#include "rules/parser.h"

namespace kairos::rules {
namespace {

using indicators::IndicatorInfo;
using indicators::Input;

// One computation of the DAG. Nodes are stored in topological order (arguments first).
enum class Op : uint8_t {
  kConstant,   // a number; a buffer is filled only when some consumer needs a series
  kField,      // open/high/low/close/volume: a view of the column, nothing computed
  kDerived,    // hl2 hlc3 ohlc4 turnover
  kIndicator,  // one kernel call filling every output of the indicator
  kOutput,     // output `output` of the kIndicator node args[0]: a view, nothing computed
  kNegate,
  kNot,
  kBinary,
  kOffset,
  kBuiltin,
  kWeekly,  // args[0] (a weekly node) mapped to daily bars by last_completed
};

struct Node {
  Op op = Op::kConstant;
  Type type = Type::kNumber;
  bool weekly = false;  // computed on weekly bars
  double constant = 0;
  Field field = Field::kClose;
  const IndicatorInfo* indicator = nullptr;
  std::vector<double> params;
  size_t output = 0;
  BinaryOp binary_op = BinaryOp::kAdd;
  Builtin builtin = Builtin::kAbs;
  int window = 0;
  std::vector<int> args;
  // Index of the node's first buffer (numbers or booleans by `type`; a kIndicator node owns
  // outputs.size() consecutive number buffers); -1 when the node is a view or an unfilled constant.
  int buffer = -1;
  bool materialize = false;  // kConstant: fill a buffer (read as a series by a consumer)
  std::string canonical;
};

// Columns a node reads directly: bit per Field (open..volume).
constexpr uint32_t Bit(Field f) { return 1u << static_cast<uint32_t>(f); }
constexpr uint32_t kOptionalColumns =
    Bit(Field::kOpen) | Bit(Field::kHigh) | Bit(Field::kLow) | Bit(Field::kVolume);

uint32_t FieldColumns(Field f) {
  switch (f) {
    case Field::kHl2:
      return Bit(Field::kHigh) | Bit(Field::kLow);
    case Field::kHlc3:
      return Bit(Field::kHigh) | Bit(Field::kLow) | Bit(Field::kClose);
    case Field::kOhlc4:
      return Bit(Field::kOpen) | Bit(Field::kHigh) | Bit(Field::kLow) | Bit(Field::kClose);
    case Field::kTurnover:
      return Bit(Field::kClose) | Bit(Field::kVolume);
    default:
      return Bit(f);
  }
}

Field InputField(Input input) {
  switch (input) {
    case Input::kOpen:
      return Field::kOpen;
    case Input::kHigh:
      return Field::kHigh;
    case Input::kLow:
      return Field::kLow;
    case Input::kVolume:
      return Field::kVolume;
    default:
      return Field::kClose;
  }
}

std::span<const double> Column(const BarColumns& bars, Field f) {
  switch (f) {
    case Field::kOpen:
      return bars.open;
    case Field::kHigh:
      return bars.high;
    case Field::kLow:
      return bars.low;
    case Field::kVolume:
      return bars.volume;
    default:
      return bars.close;
  }
}

// "high, low and volume"
std::string FieldList(uint32_t mask) {
  std::vector<std::string_view> names;
  for (Field f : {Field::kOpen, Field::kHigh, Field::kLow, Field::kClose, Field::kVolume}) {
    if (mask & Bit(f)) names.push_back(FieldName(f));
  }
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
    out += names[i];
  }
  return out;
}

// ---- Terms -------------------------------------------------------------------------------------

std::string FormatNumber(double v) { return fmt::format("{}", v); }

// The short name of a node inside a term name: "close", "rsi", "sma_200", "highest_close_20";
// "expr" for anything else (the term's canonical text says what it is).
std::string Label(const BoundExpr& e) {
  switch (e.kind) {
    case BoundKind::kField:
      return std::string(FieldName(e.field));
    case BoundKind::kConstant:
      return FormatNumber(e.constant);
    case BoundKind::kIndicator: {
      const IndicatorInfo& info = *e.indicator;
      std::string name(info.name);
      if (!e.args.empty()) {
        const BoundExpr& series = *e.args[0];
        if (!(series.kind == BoundKind::kField && series.field == Field::kClose)) {
          name += '_' + Label(series);
        }
      }
      size_t last = 0;  // params up to the last one that differs from its default
      for (size_t i = 0; i < e.params.size() && i < info.params.size(); ++i) {
        if (e.params[i] != info.params[i].default_value) last = i + 1;
      }
      for (size_t i = 0; i < last; ++i) name += '_' + FormatNumber(e.params[i]);
      if (info.outputs.size() > 1) {
        name += '.';
        name += info.outputs[e.output];
      }
      return name;
    }
    case BoundKind::kBuiltin: {
      std::string name(BuiltinName(e.builtin));
      for (const auto& arg : e.args) name += '_' + Label(*arg);
      if (e.window > 0) name += '_' + std::to_string(e.window);
      return name;
    }
    default:
      return "expr";
  }
}

// ---- The program -------------------------------------------------------------------------------

class ProgramImpl final : public Program {
 public:
  const std::vector<Term>& terms() const override { return terms_; }
  size_t extra_count() const override { return extras_.size(); }
  int lookback() const override { return lookback_; }
  int window() const override { return window_; }
  bool needs_ohlcv() const override {
    return ((daily_columns_ | weekly_columns_) & kOptionalColumns) != 0;
  }
  bool needs_weekly() const override { return has_weekly_; }
  size_t node_count() const override {
    size_t count = 0;
    for (const Node& node : nodes_) {
      count += node.op != Op::kConstant && node.op != Op::kField && node.op != Op::kOutput;
    }
    return count;
  }

  // Adds `e` (and its arguments) to the DAG, sharing by ShareKey; returns its node index.
  int Add(const BoundExpr& e) {
    std::string key = ShareKey(e);
    if (auto it = ids_.find(key); it != ids_.end()) return it->second;
    Node node;
    node.type = e.type;
    node.weekly = e.weekly;
    node.canonical = CanonicalText(e);
    for (const auto& arg : e.args) node.args.push_back(Add(*arg));
    switch (e.kind) {
      case BoundKind::kConstant:
        node.op = Op::kConstant;
        node.constant = e.constant;
        break;
      case BoundKind::kField:
        node.op = FieldColumns(e.field) == Bit(e.field) ? Op::kField : Op::kDerived;
        node.field = e.field;
        Need(e.weekly, FieldColumns(e.field), node.canonical);
        break;
      case BoundKind::kIndicator: {
        const IndicatorInfo& info = *e.indicator;
        for (Input input : info.inputs) {
          if (input != Input::kSeries) {
            Need(e.weekly, Bit(InputField(input)), node.canonical);
          }
        }
        if (info.outputs.size() == 1) {
          node.op = Op::kIndicator;
          node.indicator = &info;
          node.params = e.params;
          break;
        }
        // Several outputs: one call node shared by every output used (macd .signal and .hist
        // cost one kernel call), keyed by the ShareKey without ".output".
        std::string call_key = key.substr(0, key.size() - 1 - info.outputs[e.output].size());
        int call = -1;
        if (auto it = ids_.find(call_key); it != ids_.end()) {
          call = it->second;
        } else {
          Node call_node;
          call_node.op = Op::kIndicator;
          call_node.weekly = e.weekly;
          call_node.indicator = &info;
          call_node.params = e.params;
          call_node.args = node.args;
          call_node.canonical = call_key;
          call = Push(std::move(call_node), call_key);
        }
        node.op = Op::kOutput;
        node.output = e.output;
        node.args = {call};
        break;
      }
      case BoundKind::kUnary:
        node.op = e.unary_op == UnaryOp::kNegate ? Op::kNegate : Op::kNot;
        break;
      case BoundKind::kBinary:
        node.op = Op::kBinary;
        node.binary_op = e.binary_op;
        break;
      case BoundKind::kOffset:
        node.op = Op::kOffset;
        node.window = e.window;
        break;
      case BoundKind::kBuiltin:
        node.op = Op::kBuiltin;
        node.builtin = e.builtin;
        node.window = e.window;
        break;
      case BoundKind::kWeekly:
        node.op = Op::kWeekly;
        has_weekly_ = true;
        break;
    }
    return Push(std::move(node), key);
  }

  // Terms of the rule, pre-order (the order they appear in the text).
  void CollectTerms(const BoundExpr& e, bool comparison_operand,
                    std::unordered_map<std::string, int>& used_names) {
    const bool is_term = e.kind == BoundKind::kIndicator ||
                         (e.kind == BoundKind::kBuiltin && e.type == Type::kNumber) ||
                         (e.kind == BoundKind::kField && comparison_operand);
    if (is_term) {
      std::string key = ShareKey(e);
      if (!term_keys_.contains(key)) {
        std::string base = (e.weekly ? "weekly." : "") + Label(e);
        std::string name = base;
        for (int k = 2; used_names.contains(name); ++k) name = fmt::format("{}_{}", base, k);
        used_names[name] = 1;
        term_keys_[key] = static_cast<int>(terms_.size());
        terms_.push_back(Term{name, CanonicalText(e)});
        term_nodes_.push_back(ids_.at(key));
      }
    }
    // weekly(close) > x: the close inside is as much a comparison operand as the weekly node.
    const bool compares = (e.kind == BoundKind::kBinary && IsComparison(e.binary_op)) ||
                          (e.kind == BoundKind::kWeekly && comparison_operand);
    for (const auto& arg : e.args) CollectTerms(*arg, compares, used_names);
  }

  // Buffers and the "constant read as a series" flags, once the DAG is complete.
  void Finish() {
    for (Node& node : nodes_) {
      for (int arg : node.args) {
        if (nodes_[arg].op == Op::kConstant && node.op != Op::kBinary) {
          nodes_[arg].materialize = true;
        }
      }
    }
    for (Node& node : nodes_) {
      switch (node.op) {
        case Op::kField:
        case Op::kOutput:
          break;
        case Op::kConstant:
          if (node.materialize) node.buffer = number_buffers_++;
          break;
        case Op::kIndicator:
          node.buffer = number_buffers_;
          number_buffers_ += static_cast<int>(node.indicator->outputs.size());
          break;
        default:
          node.buffer = node.type == Type::kNumber ? number_buffers_++ : bool_buffers_++;
          break;
      }
    }
  }

  void Need(bool weekly, uint32_t columns, const std::string& canonical) {
    uint32_t& mask = weekly ? weekly_columns_ : daily_columns_;
    std::array<std::string, 8>& first = weekly ? weekly_first_ : daily_first_;
    for (Field f : {Field::kOpen, Field::kHigh, Field::kLow, Field::kClose, Field::kVolume}) {
      if ((columns & Bit(f)) && first[static_cast<size_t>(f)].empty()) {
        first[static_cast<size_t>(f)] = canonical;
      }
    }
    mask |= columns;
  }

  int Push(Node node, const std::string& key) {
    nodes_.push_back(std::move(node));
    const int id = static_cast<int>(nodes_.size()) - 1;
    ids_.emplace(key, id);
    return id;
  }

  std::vector<Node> nodes_;
  std::unordered_map<std::string, int> ids_;
  int root_ = -1;
  std::vector<int> extras_;
  std::vector<Term> terms_;
  std::vector<int> term_nodes_;
  std::unordered_map<std::string, int> term_keys_;
  int lookback_ = 0;
  int window_ = 0;
  bool has_weekly_ = false;
  uint32_t daily_columns_ = 0;
  uint32_t weekly_columns_ = 0;
  std::array<std::string, 8> daily_first_;  // [Field]: the first node reading that column
  std::array<std::string, 8> weekly_first_;
  int number_buffers_ = 0;
  int bool_buffers_ = 0;
};

}  // namespace

Result<std::shared_ptr<const Program>> Program::Compile(std::string_view rule,
                                                        std::span<const std::string> extras) {
  KAIROS_ASSIGN_OR_RETURN(BoundRule bound, CompileRule(rule));
  std::vector<std::unique_ptr<BoundExpr>> bound_extras;
  for (const std::string& text : extras) {
    Result<std::unique_ptr<Expr>> parsed = Parse(text);
    Result<std::unique_ptr<BoundExpr>> extra =
        parsed.ok() ? Bind(**parsed, text) : Result<std::unique_ptr<BoundExpr>>(parsed.status());
    if (!extra.ok()) {
      return Status::InvalidArgument(fmt::format("in '{}': {}", text, extra.status().message()));
    }
    if ((*extra)->type != Type::kNumber) {
      return Status::InvalidArgument(fmt::format(
          "'{}' must be a number (a ranking value such as median(turnover, 20)), but it is a "
          "condition",
          text));
    }
    bound_extras.push_back(std::move(*extra));
  }

  auto program = std::make_shared<ProgramImpl>();
  program->root_ = program->Add(*bound.root);
  int64_t lookback = bound.lookback;
  int64_t history = HistoryBars(*bound.root);
  for (const auto& extra : bound_extras) {
    program->extras_.push_back(program->Add(*extra));
    lookback = std::max<int64_t>(lookback, extra->lookback);
    history = std::max(history, HistoryBars(*extra));
  }
  std::unordered_map<std::string, int> used_names;
  program->CollectTerms(*bound.root, false, used_names);
  program->Finish();
  program->lookback_ = static_cast<int>(lookback);
  program->window_ = history >= kWindowAll - 1 ? kWindowAll : static_cast<int>(history + 1);
  return std::shared_ptr<const Program>(std::move(program));
}

// ---- The evaluator -----------------------------------------------------------------------------

struct Evaluator::Impl {
  std::shared_ptr<const ProgramImpl> program;
  std::vector<std::vector<double>> numbers;          // [buffer]
  std::vector<std::vector<uint8_t>> bools;           // [buffer]
  std::vector<std::span<const double>> number_view;  // [node]
  std::vector<std::span<const uint8_t>> bool_view;   // [node]
  std::vector<double> median_scratch;
  std::vector<size_t> extreme_scratch;
  std::span<const int32_t> last_completed;  // of the bars being evaluated; empty without weekly
  int64_t indicator_calls = 0;

  void Fill(size_t from, size_t to, Evaluation* out) const;
  // The value of number node `id` on daily bar `bar` of the last run.
  double Value(int id, size_t bar) const {
    const Node& node = program->nodes_[static_cast<size_t>(id)];
    if (node.op == Op::kConstant && !node.materialize) return node.constant;
    std::span<const double> values = number_view[static_cast<size_t>(id)];
    if (node.weekly) {
      KAIROS_CHECK(bar < last_completed.size());
      const int32_t k = last_completed[bar];
      return k >= 0 ? values[static_cast<size_t>(k)] : eval::kNaN;
    }
    KAIROS_CHECK(bar < values.size());
    return values[bar];
  }

  Status Validate(const BarColumns& bars, uint32_t needed, const std::array<std::string, 8>& first,
                  std::string_view which) const;
  Status Run(const BarColumns& daily, const WeeklyColumns* weekly);
  // Points the node's view at its values over `n` bars, computed into its buffer (a column is
  // viewed as is); one step per kind of node. Its arguments come earlier in the program and
  // have run already.
  Status RunNode(const Node& node, const BarColumns& bars, const WeeklyColumns* weekly, size_t n);
  Status RunIndicator(const Node& node, size_t id, const BarColumns& bars, size_t n);
  void RunBinary(const Node& node, size_t id, size_t n);
  void RunOffset(const Node& node, size_t id, size_t n);
  void RunBuiltin(const Node& node, size_t id, size_t n);
  void RunNumberBuiltin(const Node& node, std::span<double> out);
  void RunWeekly(const Node& node, size_t id, const WeeklyColumns& weekly, size_t n);
  eval::NumArg Arg(int id) const {
    const Node& node = program->nodes_[static_cast<size_t>(id)];
    if (node.op == Op::kConstant && !node.materialize) return {nullptr, node.constant};
    return {number_view[static_cast<size_t>(id)].data(), 0};
  }
  const double* Series(int id) const { return number_view[static_cast<size_t>(id)].data(); }
  const uint8_t* Bools(int id) const { return bool_view[static_cast<size_t>(id)].data(); }
  std::span<double> NumberOut(const Node& node, size_t n, size_t output = 0) {
    std::vector<double>& buffer = numbers[static_cast<size_t>(node.buffer) + output];
    buffer.resize(n);
    return buffer;
  }
  std::span<uint8_t> BoolOut(const Node& node, size_t n) {
    std::vector<uint8_t>& buffer = bools[static_cast<size_t>(node.buffer)];
    buffer.resize(n);
    return buffer;
  }
};

Evaluator::Evaluator(std::shared_ptr<const Program> program) : impl_(std::make_unique<Impl>()) {
  impl_->program = std::dynamic_pointer_cast<const ProgramImpl>(program);
  KAIROS_CHECK(impl_->program != nullptr) << "Evaluator needs a Program from Program::Compile";
  impl_->numbers.resize(static_cast<size_t>(impl_->program->number_buffers_));
  impl_->bools.resize(static_cast<size_t>(impl_->program->bool_buffers_));
  impl_->number_view.resize(impl_->program->nodes_.size());
  impl_->bool_view.resize(impl_->program->nodes_.size());
}
Evaluator::~Evaluator() = default;
Evaluator::Evaluator(Evaluator&&) noexcept = default;
Evaluator& Evaluator::operator=(Evaluator&&) noexcept = default;

int64_t Evaluator::indicator_calls() const { return impl_->indicator_calls; }

Status Evaluator::Impl::Validate(const BarColumns& bars, uint32_t needed,
                                 const std::array<std::string, 8>& first,
                                 std::string_view which) const {
  const size_t n = bars.close.size();
  uint32_t missing = 0;
  std::string first_node;
  for (Field f : {Field::kOpen, Field::kHigh, Field::kLow, Field::kVolume}) {
    std::span<const double> column = Column(bars, f);
    if (!column.empty() && column.size() != n) {
      return Status::InvalidArgument(
          fmt::format("{} bar columns differ in length: close has {} bars, {} has {}", which, n,
                      FieldName(f), column.size()));
    }
    if (column.empty() && n > 0 && (needed & Bit(f))) {
      missing |= Bit(f);
      if (first_node.empty()) first_node = first[static_cast<size_t>(f)];
    }
  }
  if (missing != 0) {
    const bool closes_only =
        bars.open.empty() && bars.high.empty() && bars.low.empty() && bars.volume.empty();
    return Status::FailedPrecondition(fmt::format(
        "the rule reads {} (first in '{}'), but the {} bars have {}", FieldList(missing),
        first_node, which, closes_only ? std::string("closes only") : "no " + FieldList(missing)));
  }
  return Status::Ok();
}

Status Evaluator::Impl::Run(const BarColumns& daily, const WeeklyColumns* weekly) {
  const ProgramImpl& p = *program;
  KAIROS_RETURN_IF_ERROR(Validate(daily, p.daily_columns_, p.daily_first_, "daily"));
  const size_t n = daily.size();
  size_t weeks = 0;
  last_completed = {};
  if (p.has_weekly_) {
    if (weekly == nullptr) {
      return Status::InvalidArgument(
          "the rule uses weekly(...), but no weekly bars were given (WeeklyColumns is null)");
    }
    KAIROS_RETURN_IF_ERROR(Validate(weekly->bars, p.weekly_columns_, p.weekly_first_, "weekly"));
    weeks = weekly->bars.size();
    if (weekly->last_completed.size() != n) {
      return Status::InvalidArgument(
          fmt::format("weekly: last_completed has {} entries for {} daily bars",
                      weekly->last_completed.size(), n));
    }
    for (size_t i = 0; i < n; ++i) {
      const int32_t k = weekly->last_completed[i];
      if (k < -1 || k >= static_cast<int64_t>(weeks)) {
        return Status::InvalidArgument(
            fmt::format("weekly: last_completed[{}] = {} is outside [-1, {}] ({} weekly bars)", i,
                        k, static_cast<int64_t>(weeks) - 1, weeks));
      }
    }
    last_completed = weekly->last_completed;
  }
  for (const Node& node : p.nodes_) {
    const bool on_weekly = node.weekly;
    KAIROS_RETURN_IF_ERROR(
        RunNode(node, on_weekly ? weekly->bars : daily, weekly, on_weekly ? weeks : n));
  }
  return Status::Ok();
}

Status Evaluator::Impl::RunNode(const Node& node, const BarColumns& bars,
                                const WeeklyColumns* weekly, size_t n) {
  const size_t id = static_cast<size_t>(&node - program->nodes_.data());
  switch (node.op) {
    case Op::kConstant:
      if (node.materialize) {
        std::span<double> out = NumberOut(node, n);
        eval::Fill(node.constant, out);
        number_view[id] = out;
      }
      return Status::Ok();
    case Op::kField:
      number_view[id] = Column(bars, node.field);
      return Status::Ok();
    case Op::kDerived: {
      std::span<double> out = NumberOut(node, n);
      eval::Derived(node.field, bars, out);
      number_view[id] = out;
      return Status::Ok();
    }
    case Op::kIndicator:
      return RunIndicator(node, id, bars, n);
    case Op::kOutput: {
      const Node& call = program->nodes_[static_cast<size_t>(node.args[0])];
      number_view[id] = numbers[static_cast<size_t>(call.buffer) + node.output];
      return Status::Ok();
    }
    case Op::kNegate: {
      std::span<double> out = NumberOut(node, n);
      eval::Negate(Series(node.args[0]), out);
      number_view[id] = out;
      return Status::Ok();
    }
    case Op::kNot: {
      std::span<uint8_t> out = BoolOut(node, n);
      eval::Not(Bools(node.args[0]), out);
      bool_view[id] = out;
      return Status::Ok();
    }
    case Op::kBinary:
      RunBinary(node, id, n);
      return Status::Ok();
    case Op::kOffset:
      RunOffset(node, id, n);
      return Status::Ok();
    case Op::kBuiltin:
      RunBuiltin(node, id, n);
      return Status::Ok();
    case Op::kWeekly:
      RunWeekly(node, id, *weekly, n);
      return Status::Ok();
  }
  return Status::Ok();
}

Status Evaluator::Impl::RunIndicator(const Node& node, size_t id, const BarColumns& bars,
                                     size_t n) {
  const IndicatorInfo& info = *node.indicator;
  std::array<std::span<const double>, 8> inputs;
  std::array<std::span<double>, 8> outputs;
  KAIROS_CHECK(info.inputs.size() <= inputs.size() && info.outputs.size() <= outputs.size());
  for (size_t k = 0; k < info.inputs.size(); ++k) {
    inputs[k] = info.inputs[k] == Input::kSeries ? std::span<const double>(Series(node.args[0]), n)
                                                 : Column(bars, InputField(info.inputs[k]));
  }
  for (size_t k = 0; k < info.outputs.size(); ++k) outputs[k] = NumberOut(node, n, k);
  ++indicator_calls;
  KAIROS_RETURN_IF_ERROR(info.batch(
      std::span<const std::span<const double>>(inputs.data(), info.inputs.size()), node.params,
      std::span<const std::span<double>>(outputs.data(), info.outputs.size())));
  number_view[id] = outputs[0];
  return Status::Ok();
}

void Evaluator::Impl::RunBinary(const Node& node, size_t id, size_t n) {
  const BinaryOp op = node.binary_op;
  if (op == BinaryOp::kAnd || op == BinaryOp::kOr ||
      program->nodes_[static_cast<size_t>(node.args[0])].type == Type::kBool) {
    std::span<uint8_t> out = BoolOut(node, n);
    eval::Logic(op, Bools(node.args[0]), Bools(node.args[1]), out);
    bool_view[id] = out;
  } else if (IsComparison(op)) {
    std::span<uint8_t> out = BoolOut(node, n);
    eval::Compare(op, Arg(node.args[0]), Arg(node.args[1]), out);
    bool_view[id] = out;
  } else {
    std::span<double> out = NumberOut(node, n);
    eval::Arithmetic(op, Arg(node.args[0]), Arg(node.args[1]), out);
    number_view[id] = out;
  }
}

void Evaluator::Impl::RunOffset(const Node& node, size_t id, size_t n) {
  if (node.type == Type::kBool) {
    std::span<uint8_t> out = BoolOut(node, n);
    eval::ShiftBool(Bools(node.args[0]), node.window, out);
    bool_view[id] = out;
  } else {
    std::span<double> out = NumberOut(node, n);
    eval::ShiftNumber(Series(node.args[0]), node.window, out);
    number_view[id] = out;
  }
}

void Evaluator::Impl::RunBuiltin(const Node& node, size_t id, size_t n) {
  const Builtin b = node.builtin;
  if (b == Builtin::kCrossover || b == Builtin::kCrossunder) {
    std::span<uint8_t> out = BoolOut(node, n);
    eval::CrossOver(b == Builtin::kCrossover, Series(node.args[0]), Series(node.args[1]), out);
    bool_view[id] = out;
    return;
  }
  if (b == Builtin::kRising || b == Builtin::kFalling) {
    std::span<uint8_t> out = BoolOut(node, n);
    eval::Rising(b == Builtin::kRising, Series(node.args[0]), node.window, out);
    bool_view[id] = out;
    return;
  }
  std::span<double> out = NumberOut(node, n);
  RunNumberBuiltin(node, out);
  number_view[id] = out;
}

void Evaluator::Impl::RunNumberBuiltin(const Node& node, std::span<double> out) {
  const int w = node.window;
  const Builtin b = node.builtin;
  switch (b) {
    case Builtin::kHighest:
    case Builtin::kLowest:
      eval::Extreme(b == Builtin::kHighest, Series(node.args[0]), w, extreme_scratch, out);
      break;
    case Builtin::kMedian:
      if (w == 1) {
        eval::FiniteCopy(Series(node.args[0]), out);
      } else {
        eval::Median(Series(node.args[0]), w, median_scratch, out);
      }
      break;
    case Builtin::kChange:
    case Builtin::kPctChange:
      eval::Change(b == Builtin::kPctChange, Series(node.args[0]), w, out);
      break;
    case Builtin::kAbs:
      eval::Abs(Series(node.args[0]), out);
      break;
    case Builtin::kMin:
    case Builtin::kMax:
      eval::MinMax(b == Builtin::kMax, Series(node.args[0]), Series(node.args[1]), out);
      break;
    case Builtin::kCount:
      eval::Count(Bools(node.args[0]), w, out);
      break;
    case Builtin::kBarsSince:
      eval::BarsSince(Bools(node.args[0]), out);
      break;
    default:
      break;
  }
}

void Evaluator::Impl::RunWeekly(const Node& node, size_t id, const WeeklyColumns& weekly,
                                size_t n) {
  const int32_t* last = weekly.last_completed.data();
  if (node.type == Type::kBool) {
    const uint8_t* in = Bools(node.args[0]);
    std::span<uint8_t> out = BoolOut(node, n);
    for (size_t i = 0; i < n; ++i) out[i] = last[i] >= 0 ? in[last[i]] : eval::kNone;
    bool_view[id] = out;
  } else {
    const double* in = Series(node.args[0]);
    std::span<double> out = NumberOut(node, n);
    for (size_t i = 0; i < n; ++i) out[i] = last[i] >= 0 ? in[last[i]] : eval::kNaN;
    number_view[id] = out;
  }
}

namespace {

// Copies daily bars [from, to) of a number node into `out`: a constant is the same on every bar,
// and a node inside weekly(...) is seen through last_completed like the weekly node itself.
void CopyNumbers(const ProgramImpl& p, const std::vector<std::span<const double>>& view, int id,
                 std::span<const int32_t> last_completed, size_t from, size_t to,
                 std::vector<double>& out) {
  out.resize(to - from);
  const Node& node = p.nodes_[static_cast<size_t>(id)];
  if (node.op == Op::kConstant && !node.materialize) {
    std::fill(out.begin(), out.end(), node.constant);
    return;
  }
  const double* data = view[static_cast<size_t>(id)].data();
  if (node.weekly) {
    for (size_t i = from; i < to; ++i) {
      const int32_t k = last_completed[i];
      out[i - from] = k >= 0 ? data[k] : eval::kNaN;
    }
    return;
  }
  std::copy(data + from, data + to, out.begin());
}

}  // namespace

void Evaluator::Impl::Fill(size_t from, size_t to, Evaluation* out) const {
  const ProgramImpl& p = *program;
  const uint8_t* root = bool_view[static_cast<size_t>(p.root_)].data();
  out->match.resize(to - from);
  for (size_t i = from; i < to; ++i) out->match[i - from] = root[i] == eval::kTrue;
  out->terms.resize(p.term_nodes_.size());
  for (size_t t = 0; t < p.term_nodes_.size(); ++t) {
    CopyNumbers(p, number_view, p.term_nodes_[t], last_completed, from, to, out->terms[t]);
  }
  out->extras.resize(p.extras_.size());
  for (size_t e = 0; e < p.extras_.size(); ++e) {
    CopyNumbers(p, number_view, p.extras_[e], last_completed, from, to, out->extras[e]);
  }
}

Status Evaluator::EvaluateAll(const BarColumns& daily, const WeeklyColumns* weekly,
                              Evaluation* out) {
  KAIROS_RETURN_IF_ERROR(impl_->Run(daily, weekly));
  impl_->Fill(0, daily.size(), out);
  return Status::Ok();
}

Status Evaluator::EvaluateMatches(const BarColumns& daily, const WeeklyColumns* weekly,
                                  std::vector<uint8_t>* match) {
  KAIROS_RETURN_IF_ERROR(impl_->Run(daily, weekly));
  const uint8_t* root = impl_->bool_view[static_cast<size_t>(impl_->program->root_)].data();
  const size_t n = daily.size();
  match->resize(n);
  for (size_t i = 0; i < n; ++i) (*match)[i] = root[i] == eval::kTrue;
  return Status::Ok();
}

double Evaluator::TermValue(size_t term, size_t bar) const {
  return impl_->Value(impl_->program->term_nodes_.at(term), bar);
}

double Evaluator::ExtraValue(size_t extra, size_t bar) const {
  return impl_->Value(impl_->program->extras_.at(extra), bar);
}

Status Evaluator::EvaluateLast(const BarColumns& daily, const WeeklyColumns* weekly,
                               Evaluation* out) {
  const size_t n = daily.size();
  if (n == 0) return Status::InvalidArgument("EvaluateLast needs at least one bar, got none");
  KAIROS_RETURN_IF_ERROR(impl_->Run(daily, weekly));
  impl_->Fill(n - 1, n, out);
  return Status::Ok();
}

}  // namespace kairos::rules
