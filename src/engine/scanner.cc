#include "engine/scanner.h"

#include <algorithm>
#include <functional>
#include <map>
#include <tuple>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "core/parallel_for.h"
#include "marketdata/resample.h"
#include "rules/binder.h"
#include "rules/parser.h"

namespace kairos::engine {
namespace {

using marketdata::Column;
using marketdata::ColumnSet;
using marketdata::SeriesInfo;
using marketdata::SeriesView;

// Monday-based week number (1970-01-01 was a Thursday), equal for the days of one ISO week.
int32_t WeekKey(Date d) {
  int32_t x = d.days() + 3;
  return x >= 0 ? x / 7 : (x - 6) / 7;
}

// Resolves the calendar a symbol's weekly bars are built over; nullptr when it has none.
using CalendarFor = std::function<const calendar::ExchangeCalendar*(const SeriesInfo&)>;

// Everything one worker thread reuses from symbol to symbol.
struct Worker {
  explicit Worker(std::shared_ptr<const rules::Program> program) : evaluator(std::move(program)) {}
  rules::Evaluator evaluator;
  rules::Evaluation evaluation;
  WeeklyData weekly;
  std::vector<ScanMatch> matches;
  int64_t bars_read = 0;
};

struct Plan {
  const marketdata::BarStore* store;
  const ScanRequest* request;
  const rules::Program* program;
  const CalendarFor* calendar_for;
  ColumnSet columns;
  // The program's, read once per scan: whether it reads weekly bars, and its window.
  bool weekly = false;
  int window = 0;
  // Weekly rules read up to a week more so that the first (partial) week can be dropped.
  int64_t extra = 0;
  // as-of mode: the session; range mode: nullopt.
  std::optional<Date> as_of;
  // as-of mode: the store's tail file, when it has one (nullptr: read every bar file).
  std::shared_ptr<const marketdata::SeriesTails> tails;
  std::optional<Date> from, to;
  // ScanRangeEach: each symbol's rows go here instead of into ScanMatch objects.
  const RangeSink* sink = nullptr;
};

// The rows [begin, end) of a view as evaluator columns.
// Only the columns read are asked for (a view refuses the others).
rules::BarColumns ColumnsOf(const SeriesView& view, ColumnSet columns, size_t begin, size_t end) {
  auto cut = [&](std::span<const double> c) {
    return c.empty() ? c : c.subspan(begin, end - begin);
  };
  rules::BarColumns out;
  out.close = cut(view.close());
  if (columns.contains(Column::kOpen)) out.open = cut(view.open());
  if (columns.contains(Column::kHigh)) out.high = cut(view.high());
  if (columns.contains(Column::kLow)) out.low = cut(view.low());
  if (columns.contains(Column::kVolume)) out.volume = cut(view.volume());
  return out;
}

// The rows of a symbol a scan reads: every bar, or as of the series' last bar only the last
// window (+ a week) of them.
Result<std::unique_ptr<SeriesView>> ReadSeries(const Plan& plan, const std::string& symbol,
                                               const SeriesInfo& info) {
  const bool whole = !plan.as_of || plan.window == rules::kWindowAll ||
                     plan.window + plan.extra >= info.bars || info.last != *plan.as_of;
  if (whole) return plan.store->ReadColumns(symbol, plan.columns);
  // As of the series' last bar: the tail file when it holds a current, intact copy of the
  // rows; anything else it says (stale, too short, damaged) means the bar file is read.
  const auto rows = static_cast<size_t>(plan.window + plan.extra);
  Result<std::unique_ptr<SeriesView>> read = Status::Internal("not read");
  if (plan.tails != nullptr) read = plan.tails->Tail(symbol, plan.columns, rows);
  if (plan.tails == nullptr || !read.ok()) {
    read = plan.store->ReadTail(symbol, plan.columns, rows);
  }
  return read;
}

// The rows [begin, end) of a symbol's dates that are evaluated, or none (`evaluate` false)
// with the reason the symbol is skipped ("" when it has no rows in the range scanned).
struct RowSpan {
  size_t begin = 0;
  size_t end = 0;
  bool evaluate = false;
  std::string skipped;
};

RowSpan RowsToEvaluate(const Plan& plan, const std::string& symbol, const SeriesInfo& info,
                       std::span<const Date> dates) {
  RowSpan rows;
  const Date last_wanted = plan.as_of ? *plan.as_of : plan.to.value_or(dates.back());
  rows.end = std::upper_bound(dates.begin(), dates.end(), last_wanted) - dates.begin();
  if (rows.end == 0) {
    if (plan.as_of) {
      rows.skipped = fmt::format("{}: no bar on {} (first: {})", symbol, *plan.as_of, info.first);
    }
    return rows;
  }
  if (!plan.as_of) {
    rows.evaluate = !(plan.from && dates[rows.end - 1] < *plan.from);  // anything in the range
    return rows;
  }
  if (dates[rows.end - 1] != *plan.as_of) {
    rows.skipped = fmt::format("{}: no bar on {}", symbol, *plan.as_of);
    return rows;
  }
  if (plan.window != rules::kWindowAll &&
      static_cast<int64_t>(rows.end) > plan.window + plan.extra) {
    rows.begin = rows.end - static_cast<size_t>(plan.window + plan.extra);
  }
  // Unless the rows start at the series' first bar, their first week may be partial (its
  // earlier days are not read): drop it so that no weekly bar is built from part of a week.
  const bool at_series_start = rows.begin == 0 && static_cast<int64_t>(dates.size()) == info.bars;
  if (plan.weekly && !at_series_start) {
    const int32_t first_week = WeekKey(dates[rows.begin]);
    while (rows.begin + 1 < rows.end && WeekKey(dates[rows.begin]) == first_week) ++rows.begin;
  }
  rows.evaluate = true;
  return rows;
}

// The first row of `dates[0, end)` on or after the range's start (0 without one).
size_t FirstInRange(const Plan& plan, std::span<const Date> dates, size_t end) {
  return plan.from
             ? static_cast<size_t>(
                   std::lower_bound(dates.begin(), dates.begin() + end, *plan.from) - dates.begin())
             : 0;
}

// ScanRangeEach: evaluates the rows [0, end) and hands them to the plan's sink.
std::string StreamRows(const Plan& plan, const std::string& symbol, size_t index,
                       const SeriesView& view, size_t end, const rules::BarColumns& daily,
                       const rules::WeeklyColumns* weekly_columns, Worker& w) {
  rules::Evaluation& e = w.evaluation;
  Status evaluated = w.evaluator.EvaluateMatches(daily, weekly_columns, &e.match);
  if (!evaluated.ok()) return fmt::format("{}: {}", symbol, evaluated.message());
  std::span<const Date> dates = view.dates();
  RangeRows rows;
  rows.index = index;
  rows.symbol = symbol;
  rows.dates = dates.subspan(0, end);
  rows.close = daily.close;
  rows.match = e.match;
  rows.first = FirstInRange(plan, dates, end);
  rows.values = &w.evaluator;
  rows.view = &view;
  (*plan.sink)(rows);
  return std::string();
}

// Appends the match of evaluated row `row` (at `at` of the evaluation's vectors).
void AppendMatch(const std::string& symbol, Date date, double close, size_t at, Worker& w) {
  const rules::Evaluation& e = w.evaluation;
  ScanMatch m;
  m.date = date;
  m.symbol = symbol;
  m.terms.reserve(e.terms.size());
  for (const auto& t : e.terms) m.terms.push_back(t[at]);
  m.extras.reserve(e.extras.size());
  for (const auto& x : e.extras) m.extras.push_back(x[at]);
  m.close = close;
  w.matches.push_back(std::move(m));
}

// Evaluates the rows (as of: the last only) and appends the matches to the worker.
std::string CollectMatches(const Plan& plan, const std::string& symbol, std::span<const Date> dates,
                           const RowSpan& rows, const rules::BarColumns& daily,
                           const rules::WeeklyColumns* weekly_columns, Worker& w) {
  rules::Evaluation& e = w.evaluation;
  Status evaluated = plan.as_of ? w.evaluator.EvaluateLast(daily, weekly_columns, &e)
                                : w.evaluator.EvaluateAll(daily, weekly_columns, &e);
  if (!evaluated.ok()) return fmt::format("{}: {}", symbol, evaluated.message());
  if (plan.as_of) {
    const size_t row = rows.end - rows.begin - 1;
    if (!e.match.empty() && e.match[0] != 0) {
      AppendMatch(symbol, dates[rows.begin + row], daily.close[row], 0, w);
    }
    return std::string();
  }
  for (size_t row = FirstInRange(plan, dates, rows.end); row < rows.end; ++row) {
    if (e.match[row] != 0) AppendMatch(symbol, dates[rows.begin + row], daily.close[row], row, w);
  }
  return std::string();
}

// Scans one symbol; returns the reason it was skipped, or "" (matches appended to the worker).
std::string ScanSymbol(const Plan& plan, const std::string& symbol, size_t index,
                       const SeriesInfo& info, Worker& w) {
  const calendar::ExchangeCalendar* cal = nullptr;
  if (plan.weekly) {
    cal = (*plan.calendar_for)(info);
    if (cal == nullptr) {
      return fmt::format("{}: no calendar for exchange '{}' to build weekly bars", symbol,
                         info.instrument.exchange);
    }
  }
  if (plan.as_of && info.last < *plan.as_of) {
    return fmt::format("{}: no bar on {} (last: {})", symbol, *plan.as_of, info.last);
  }
  Result<std::unique_ptr<SeriesView>> read = ReadSeries(plan, symbol, info);
  if (!read.ok()) return fmt::format("{}: {}", symbol, read.status().message());
  const SeriesView& view = **read;
  std::span<const Date> dates = view.dates();
  w.bars_read += static_cast<int64_t>(dates.size());

  RowSpan rows = RowsToEvaluate(plan, symbol, info, dates);
  if (!rows.evaluate) return std::move(rows.skipped);
  rules::BarColumns daily = ColumnsOf(view, plan.columns, rows.begin, rows.end);
  const rules::WeeklyColumns* weekly_columns = nullptr;
  rules::WeeklyColumns wc;
  if (plan.weekly) {
    std::span<const Date> evaluated = dates.subspan(rows.begin, rows.end - rows.begin);
    Status built = BuildWeekly(evaluated, daily, *cal, &w.weekly);
    if (!built.ok()) return fmt::format("{}: {}", symbol, built.message());
    wc = w.weekly.columns();
    weekly_columns = &wc;
  }
  if (plan.sink != nullptr) {
    return StreamRows(plan, symbol, index, view, rows.end, daily, weekly_columns, w);
  }
  return CollectMatches(plan, symbol, dates, rows, daily, weekly_columns, w);
}

// OK if every calendar of the symbols scanned covers the session scanned (as of) or the ends
// given of the range; otherwise the first calendar's OutOfRange message, prefixed "scan: ".
Status CheckCovered(const Plan& plan, const std::vector<const SeriesInfo*>& info_of) {
  std::vector<const calendar::ExchangeCalendar*> checked;
  std::string_view last_exchange;
  for (const SeriesInfo* info : info_of) {
    if (info == nullptr || info->instrument.exchange == last_exchange) continue;
    last_exchange = info->instrument.exchange;
    const calendar::ExchangeCalendar* cal = (*plan.calendar_for)(*info);
    if (cal == nullptr || std::find(checked.begin(), checked.end(), cal) != checked.end()) continue;
    checked.push_back(cal);
    for (std::optional<Date> d : {plan.as_of, plan.from, plan.to}) {
      if (d) KAIROS_RETURN_IF_ERROR(cal->CheckCovers(*d).WithContext("scan"));
    }
  }
  return Status::Ok();
}

Status CheckRequest(const ScanRequest& request) {
  if (request.program == nullptr) return Status::InvalidArgument("scan: no rule given");
  const bool range = request.from.has_value() || request.to.has_value();
  if (range && request.as_of) {
    return Status::InvalidArgument("scan: give either one session (as of) or a range, not both");
  }
  if (request.from && request.to && *request.to < *request.from) {
    return Status::InvalidArgument(
        fmt::format("scan: the range ends ({}) before it starts ({})", *request.to, *request.from));
  }
  return Status::Ok();
}

// The symbols scanned: symbols[i] is described by *info_of[i] (nullptr: not in the store).
struct Targets {
  std::vector<std::string> symbols;
  std::vector<const SeriesInfo*> info_of;
  std::vector<size_t> position;  // symbols[i] is request.symbols[position[i]]; empty: every symbol
  size_t RequestIndex(size_t i) const { return position.empty() ? i : position[i]; }
};

// The symbols of the request, or every symbol of `listed` when it names none.
Targets TargetsOf(const ScanRequest& request, const std::vector<SeriesInfo>& listed) {
  Targets t;
  if (request.symbols.empty()) {
    // Every symbol: no lookups (the daily scan of a whole market spends its time elsewhere).
    t.symbols.reserve(listed.size());
    t.info_of.reserve(listed.size());
    for (const SeriesInfo& info : listed) {
      t.symbols.push_back(info.instrument.symbol);
      t.info_of.push_back(&info);
    }
    return t;
  }
  std::unordered_map<std::string_view, const SeriesInfo*> by_symbol;
  by_symbol.reserve(listed.size());
  for (const SeriesInfo& info : listed) by_symbol.emplace(info.instrument.symbol, &info);
  // Duplicates are scanned once.
  std::unordered_map<std::string_view, bool> seen;
  for (size_t k = 0; k < request.symbols.size(); ++k) {
    const std::string& s = request.symbols[k];
    if (!seen.emplace(s, true).second) continue;
    t.symbols.push_back(s);
    t.position.push_back(k);
    auto it = by_symbol.find(s);
    t.info_of.push_back(it == by_symbol.end() ? nullptr : it->second);
  }
  return t;
}

// The plan of a scan, without its session (as-of mode) or tail file.
Plan PlanOf(const marketdata::BarStore& store, const ScanRequest& request,
            const CalendarFor& calendar_for, const RangeSink* sink) {
  Plan plan;
  plan.store = &store;
  plan.request = &request;
  plan.program = request.program.get();
  plan.calendar_for = &calendar_for;
  plan.columns = request.columns.value_or(
      request.program->needs_ohlcv() ? ColumnSet::All() : ColumnSet{Column::kClose});
  plan.columns.Add(Column::kClose);
  // Weekly bars are resampled from all of open/high/low/close/volume or from closes alone.
  if (request.program->needs_weekly() && request.program->needs_ohlcv()) {
    plan.columns = ColumnSet::All();
  }
  plan.weekly = request.program->needs_weekly();
  plan.window = request.program->window();
  plan.extra = plan.weekly ? 7 : 0;
  plan.from = request.from;
  plan.to = request.to;
  plan.sink = sink;
  return plan;
}

// The session an as-of scan is of: the one asked for, else the latest last bar of the symbols
// asked for; nullopt when none of them is in the store.
std::optional<Date> SessionScanned(const ScanRequest& request,
                                   const std::vector<const SeriesInfo*>& info_of) {
  if (request.as_of) return request.as_of;
  std::optional<Date> as_of;
  for (const SeriesInfo* info : info_of) {
    if (info != nullptr && (!as_of || info->last > *as_of)) as_of = info->last;
  }
  return as_of;
}

// Scans every target on the worker pool; reasons[i] says why target i was skipped ("" if not).
std::vector<std::string> ScanTargets(const Plan& plan, const Targets& targets, size_t threads,
                                     std::vector<Worker>& workers) {
  const size_t n = targets.symbols.size();
  std::vector<std::string> reasons(n);
  workers.reserve(threads);
  for (size_t t = 0; t < threads; ++t) workers.emplace_back(plan.request->program);
  ParallelFor(n, threads, [&](size_t i, size_t worker) {
    const std::string& symbol = targets.symbols[i];
    reasons[i] = targets.info_of[i] == nullptr ? symbol + ": not in the store"
                                               : ScanSymbol(plan, symbol, targets.RequestIndex(i),
                                                            *targets.info_of[i], workers[worker]);
  });
  return reasons;
}

// The workers' matches, by date then symbol, and the bars they read.
void GatherMatches(std::vector<Worker>& workers, ScanResult& result) {
  size_t total = 0;
  for (const Worker& w : workers) total += w.matches.size();
  result.matches.reserve(total);
  for (Worker& w : workers) {
    result.bars_read += w.bars_read;
    std::move(w.matches.begin(), w.matches.end(), std::back_inserter(result.matches));
  }
  std::sort(result.matches.begin(), result.matches.end(),
            [](const ScanMatch& a, const ScanMatch& b) {
              return std::tie(a.date, a.symbol) < std::tie(b.date, b.symbol);
            });
}

Result<ScanResult> RunScan(const marketdata::BarStore& store, const ScanRequest& request,
                           const CalendarFor& calendar_for, const RangeSink* sink = nullptr,
                           std::vector<std::pair<size_t, std::string>>* skipped_at = nullptr) {
  KAIROS_RETURN_IF_ERROR(CheckRequest(request));
  const std::vector<SeriesInfo> listed = store.List();
  const Targets targets = TargetsOf(request, listed);

  ScanResult result;
  result.terms = request.program->terms();
  Plan plan = PlanOf(store, request, calendar_for, sink);
  if (!request.from && !request.to) {
    plan.as_of = SessionScanned(request, targets.info_of);
    if (!plan.as_of) {
      result.skipped.reserve(targets.symbols.size());
      for (const std::string& s : targets.symbols)
        result.skipped.push_back(s + ": not in the store");
      return result;
    }
    result.as_of = *plan.as_of;
    plan.tails = store.Tails();
  }
  KAIROS_RETURN_IF_ERROR(CheckCovered(plan, targets.info_of));

  std::vector<Worker> workers;
  std::vector<std::string> reasons =
      ScanTargets(plan, targets, ThreadsFor(targets.symbols.size(), request.threads), workers);
  GatherMatches(workers, result);
  for (size_t i = 0; i < reasons.size(); ++i) {
    if (reasons[i].empty()) continue;
    if (skipped_at != nullptr) {
      skipped_at->emplace_back(targets.RequestIndex(i), std::move(reasons[i]));
    } else {
      result.skipped.push_back(std::move(reasons[i]));
    }
  }
  return result;
}

void CollectColumns(const rules::BoundExpr& e, ColumnSet& out) {
  using rules::Field;
  if (e.kind == rules::BoundKind::kField) {
    switch (e.field) {
      case Field::kOpen:
        out.Add(Column::kOpen);
        break;
      case Field::kHigh:
        out.Add(Column::kHigh);
        break;
      case Field::kLow:
        out.Add(Column::kLow);
        break;
      case Field::kClose:
        break;
      case Field::kVolume:
        out.Add(Column::kVolume);
        break;
      case Field::kOhlc4:
        out.Add(Column::kOpen);
        [[fallthrough]];
      case Field::kHl2:
      case Field::kHlc3:
        out.Add(Column::kHigh).Add(Column::kLow);
        break;
      case Field::kTurnover:
        out.Add(Column::kVolume);
        break;
    }
  }
  if (e.kind == rules::BoundKind::kIndicator && e.indicator != nullptr) {
    for (indicators::Input input : e.indicator->inputs) {
      switch (input) {
        case indicators::Input::kOpen:
          out.Add(Column::kOpen);
          break;
        case indicators::Input::kHigh:
          out.Add(Column::kHigh);
          break;
        case indicators::Input::kLow:
          out.Add(Column::kLow);
          break;
        case indicators::Input::kVolume:
          out.Add(Column::kVolume);
          break;
        case indicators::Input::kSeries:  // args[0], visited below
        case indicators::Input::kClose:
          break;
      }
    }
  }
  for (const auto& arg : e.args) CollectColumns(*arg, out);
}

}  // namespace

Result<ColumnSet> ColumnsRead(std::string_view rule, std::span<const std::string> extras) {
  ColumnSet out{Column::kClose};
  KAIROS_ASSIGN_OR_RETURN(rules::BoundRule bound, rules::CompileRule(rule));
  CollectColumns(*bound.root, out);
  for (const std::string& extra : extras) {
    KAIROS_ASSIGN_OR_RETURN(std::unique_ptr<rules::Expr> expr, rules::Parse(extra));
    KAIROS_ASSIGN_OR_RETURN(std::unique_ptr<rules::BoundExpr> e, rules::Bind(*expr, extra));
    CollectColumns(*e, out);
  }
  return out;
}

rules::WeeklyColumns WeeklyData::columns() const {
  rules::WeeklyColumns out;
  out.bars.open = bars.open;
  out.bars.high = bars.high;
  out.bars.low = bars.low;
  out.bars.close = bars.close;
  out.bars.volume = bars.volume;
  out.last_completed = last_completed;
  return out;
}

Status BuildWeekly(std::span<const Date> dates, const rules::BarColumns& daily,
                   const calendar::ExchangeCalendar& cal, WeeklyData* out) {
  const size_t n = dates.size();
  const bool close_only =
      daily.open.empty() || daily.high.empty() || daily.low.empty() || daily.volume.empty();
  // The daily bars that make up weeks: all but those after their week's last session.
  BarSeries kept;
  kept.close_only = close_only;
  kept.dates.reserve(n);
  kept.close.reserve(n);
  int32_t week = 0;
  std::optional<Date> last_session;
  for (size_t i = 0; i < n; ++i) {
    if (i == 0 || WeekKey(dates[i]) != week) {
      week = WeekKey(dates[i]);
      last_session = cal.LastSessionOfWeek(dates[i]);
    }
    // A week without sessions is kept so that ResampleWeekly reports it.
    if (last_session && dates[i] > *last_session) continue;
    kept.dates.push_back(dates[i]);
    kept.close.push_back(daily.close[i]);
    if (!close_only) {
      kept.open.push_back(daily.open[i]);
      kept.high.push_back(daily.high[i]);
      kept.low.push_back(daily.low[i]);
      kept.volume.push_back(daily.volume[i]);
    }
  }
  KAIROS_ASSIGN_OR_RETURN(marketdata::WeeklyBars weekly, marketdata::ResampleWeekly(kept, cal));
  out->bars = std::move(weekly.bars);
  const std::vector<Date>& wd = out->bars.dates;
  out->last_completed.assign(n, -1);
  size_t j = 0;  // weekly bars of weeks before day i's week
  for (size_t i = 0; i < n; ++i) {
    const int32_t key = WeekKey(dates[i]);
    while (j < wd.size() && WeekKey(wd[j]) < key) ++j;
    const bool this_week_done = j < wd.size() && WeekKey(wd[j]) == key && dates[i] >= wd[j];
    out->last_completed[i] = static_cast<int32_t>(j) - (this_week_done ? 0 : 1);
  }
  return Status::Ok();
}

Result<ScanResult> Scan(const marketdata::BarStore& store, const calendar::ExchangeCalendar& cal,
                        const ScanRequest& request) {
  CalendarFor fixed = [&cal](const SeriesInfo&) { return &cal; };
  return RunScan(store, request, fixed);
}

Result<std::vector<std::pair<size_t, std::string>>> ScanRangeEach(
    const marketdata::BarStore& store, const calendar::ExchangeCalendar& cal,
    const ScanRequest& request, const RangeSink& sink) {
  if (request.as_of || !(request.from || request.to)) {
    return Status::InvalidArgument("scan: a streaming scan needs a range (from and/or to)");
  }
  CalendarFor fixed = [&cal](const SeriesInfo&) { return &cal; };
  std::vector<std::pair<size_t, std::string>> skipped;
  KAIROS_ASSIGN_OR_RETURN(ScanResult r, RunScan(store, request, fixed, &sink, &skipped));
  (void)r;
  return skipped;
}

Result<ScanResult> Scan(const marketdata::BarStore& store, const ScanRequest& request) {
  CalendarFor own = [](const SeriesInfo& info) -> const calendar::ExchangeCalendar* {
    Result<const calendar::ExchangeCalendar*> cal =
        calendar::ExchangeCalendar::ForExchange(info.instrument.exchange);
    return cal.ok() ? *cal : nullptr;
  };
  return RunScan(store, request, own);
}

}  // namespace kairos::engine
