#include "marketdata/import.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <set>
#include <string_view>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "calendar/calendar.h"
#include "core/input_file.h"
#include "core/parallel_for.h"

namespace kairos::marketdata {

std::string ImportReport::Summary() const {
  return fmt::format(
      "{} file{}, {} rows read, {} stored for {} symbol{}, {} bad, {} without data, {} other "
      "series, {} error{}, {} warning{}",
      files, files == 1 ? "" : "s", rows_read, rows_stored, symbols.size(),
      symbols.size() == 1 ? "" : "s", rows_bad, rows_no_data, rows_other_series, errors.size(),
      errors.size() == 1 ? "" : "s", warnings.size(), warnings.size() == 1 ? "" : "s");
}

namespace fs = std::filesystem;

Result<std::vector<fs::path>> ListImportFiles(std::span<const fs::path> paths) {
  std::vector<fs::path> files;
  std::set<fs::path> seen;  // a file named twice (also through its directory) is read once
  auto add = [&](const fs::path& p) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(p, ec);
    if (seen.insert(ec ? p : canonical).second) files.push_back(p);
  };
  for (const fs::path& p : paths) {
    std::error_code ec;
    fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) return Status::NotFound(fmt::format("{}: no such file", p.string()));
    if (!fs::is_directory(st)) {
      KAIROS_RETURN_IF_ERROR(CheckRegularFile(p, "CSV file or a directory"));
      add(p);
      continue;
    }
    std::vector<fs::path> found;
    for (fs::directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
      std::string ext = UpperCase(it->path().extension().string());
      if (ext != ".CSV" || it->is_directory(ec)) continue;  // subdirectories are not read
      // A .csv entry that is no regular file (a fifo, a link to a device) is refused, not skipped.
      KAIROS_RETURN_IF_ERROR(CheckRegularFile(it->path(), "CSV file"));
      found.push_back(it->path());
    }
    if (ec) return Status::IOError(fmt::format("{}: {}", p.string(), ec.message()));
    if (found.empty()) {
      return Status::InvalidArgument(fmt::format("{}: no .csv files in the directory", p.string()));
    }
    std::sort(found.begin(), found.end());
    for (const fs::path& f : found) add(f);
  }
  return files;
}

namespace {

// The bytes of a whole regular file, memory-mapped (no copy, no zero-fill). Anything else is
// refused: opened without blocking, so a fifo swapped in after ListImportFiles cannot hang it.
class FileText {
 public:
  static Result<FileText> Open(const fs::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) return Status::IOError(fmt::format("cannot open: {}", std::strerror(errno)));
    FileText out;
    Status st = out.Load(fd);
    ::close(fd);
    if (!st.ok()) return st;
    return out;
  }
  FileText(FileText&& o) noexcept
      : map_(std::exchange(o.map_, nullptr)), size_(o.size_), buffer_(std::move(o.buffer_)) {}
  FileText& operator=(FileText&&) = delete;
  ~FileText() {
    if (map_ != nullptr) ::munmap(map_, size_);
  }
  std::string_view text() const {
    return map_ != nullptr ? std::string_view(static_cast<const char*>(map_), size_) : buffer_;
  }

 private:
  FileText() = default;
  Status Load(int fd) {
    struct stat st;
    if (::fstat(fd, &st) != 0)
      return Status::IOError(fmt::format("cannot stat: {}", std::strerror(errno)));
    if (!S_ISREG(st.st_mode)) return Status::InvalidArgument("not a regular file");
    if (st.st_size > 0) {
      size_ = static_cast<size_t>(st.st_size);
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (p != MAP_FAILED) {
        map_ = p;
        return Status::Ok();
      }
    }
    size_ = 0;
    char chunk[65536];
    while (true) {
      ssize_t n = ::read(fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::IOError(fmt::format("cannot read: {}", std::strerror(errno)));
      if (n == 0) return Status::Ok();
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  void* map_ = nullptr;
  size_t size_ = 0;
  std::string buffer_;
};

// The sessions of the exchange calendars, precomputed as one byte per day over the years most
// data falls in, so that checking ten million rows costs a table look-up each.
class CalendarSessions final : public SessionFilter {
 public:
  static constexpr int32_t kFirstDay = -25567;  // 1900-01-01
  static constexpr int32_t kDays = 73049;       // up to 2099-12-31
  static constexpr uint8_t kOpen = 1;           // a session
  static constexpr uint8_t kCovered = 2;        // the calendar covers the day

  // REQUIRES: every name is known to ExchangeCalendar::ForExchange.
  explicit CalendarSessions(const std::set<std::string>& exchanges) {
    for (const std::string& name : exchanges) {
      Result<const calendar::ExchangeCalendar*> cal = calendar::ExchangeCalendar::ForExchange(name);
      KAIROS_CHECK(cal.ok()) << cal.status().ToString();
      Entry e{name, *cal, std::vector<uint8_t>(kDays)};
      for (int32_t i = 0; i < kDays; ++i) {
        Date d = Day(i);
        e.open[static_cast<size_t>(i)] =
            ((*cal)->IsSession(d) ? kOpen : 0) | ((*cal)->Covers(d) ? kCovered : 0);
      }
      entries_.push_back(std::move(e));
    }
  }

  bool IsSession(std::string_view exchange, Date d) const override {
    const Entry* e = Find(exchange);
    if (e == nullptr) return WeekendFilter().IsSession(exchange, d);
    int32_t i = d.days() - kFirstDay;
    return (i >= 0 && i < kDays) ? (e->open[static_cast<size_t>(i)] & kOpen) != 0
                                 : e->cal->IsSession(d);
  }

  // The sessions strictly between the first and last of `dates` (sorted) that have no bar,
  // counting only days the calendar covers (elsewhere holidays are unknown), and the first one.
  struct Missing {
    int64_t count = 0;
    Date first;
  };
  Missing MissingSessions(std::string_view exchange, const std::vector<Date>& dates) const {
    Missing out;
    const Entry* e = Find(exchange);
    if (e == nullptr || dates.size() < 2) return out;
    size_t next = 1;
    for (Date d = dates.front().AddDays(1); d < dates.back(); d = d.AddDays(1)) {
      if (dates[next] == d) {
        ++next;
        continue;
      }
      int32_t i = d.days() - kFirstDay;
      if (i < 0 || i >= kDays) continue;
      if (e->open[static_cast<size_t>(i)] != (kOpen | kCovered)) continue;
      if (out.count++ == 0) out.first = d;
    }
    return out;
  }

  std::optional<std::string> ClosedReason(std::string_view exchange, Date d) const override {
    const Entry* e = Find(exchange);
    if (e == nullptr) return WeekendFilter().ClosedReason(exchange, d);
    if (IsSession(exchange, d)) return std::nullopt;
    return e->cal->ClosedReason(d).value_or("closed");
  }

  Status CheckCovers(std::string_view exchange, Date d) const override {
    const Entry* e = Find(exchange);
    return e == nullptr ? Status::Ok() : e->cal->CheckCovers(d);
  }

 private:
  struct Entry {
    std::string name;
    const calendar::ExchangeCalendar* cal;
    std::vector<uint8_t> open;
  };
  const Entry* Find(std::string_view exchange) const {
    for (const Entry& e : entries_) {
      if (e.name == exchange) return &e;
    }
    return nullptr;
  }
  static Date Day(int32_t i) { return Date::FromDays(kFirstDay + i); }
  std::vector<Entry> entries_;
};

// Where one bar of a merged series came from.
struct Origin {
  size_t file;
  int32_t line;
};

struct Contribution {
  size_t file;
  ParsedSeries* series;
};

// The series of every symbol, in symbol order, each in file order.
using SymbolGroups = std::map<std::string, std::vector<Contribution>>;

std::string FileName(const fs::path& p) { return p.string(); }

// Parses the files on a few threads; each result stays in its file's slot.
std::vector<ParsedFile> ParseFiles(std::span<const fs::path> files, const ImportOptions& options,
                                   const std::optional<std::string>& exchange,
                                   const CalendarSessions& sessions) {
  std::vector<ParsedFile> parsed(files.size());
  ParallelFor(files.size(), ThreadsFor(files.size(), std::max(options.threads, 1)),
              [&](size_t i, size_t /*worker*/) {
                ParseOptions po;
                po.file = FileName(files[i]);
                po.file_symbol = files[i].stem().string();
                po.symbol = options.symbol;
                po.exchange = exchange;
                po.sessions = &sessions;
                po.max_errors = options.max_errors_per_file;
                Result<FileText> file = FileText::Open(files[i]);
                if (!file.ok()) {
                  parsed[i].errors.push_back({po.file, 0, file.status().message()});
                  return;
                }
                parsed[i] = ParseCsv(file->text(), po);
              });
  return parsed;
}

// Cross-file errors (the same date of one symbol in two files, mixed kinds of series): every one
// is counted against its file, the first max_per_file of each file are listed.
struct CrossFileErrors {
  CrossFileErrors(std::span<const fs::path> files, size_t max_per_file)
      : files(files), max_per_file(max_per_file), listed(files.size()), bad(files.size()) {}

  void Add(size_t file, int64_t line, std::string reason) {
    if (bad[file]++ < static_cast<int64_t>(max_per_file)) {
      listed[file].push_back({FileName(files[file]), line, std::move(reason)});
    }
  }

  std::span<const fs::path> files;
  size_t max_per_file;
  std::vector<std::vector<ImportIssue>> listed;
  std::vector<int64_t> bad;
};

// The series of the files not rejected, grouped by symbol.
SymbolGroups GroupBySymbol(std::vector<ParsedFile>& parsed, const std::vector<bool>& rejected) {
  SymbolGroups groups;
  for (size_t i = 0; i < parsed.size(); ++i) {
    if (rejected[i]) continue;
    for (ParsedSeries& s : parsed[i].series) {
      groups[s.bars.instrument.symbol].push_back({i, &s});
    }
  }
  return groups;
}

// Why `b` cannot be merged with its symbol's first series `first` (read from `first_file`): a
// different kind of series or exchange. Empty when it can.
std::string KindConflict(const std::string& symbol, const BarSeries& b, const BarSeries& first,
                         const std::string& first_file) {
  if (b.close_only != first.close_only) {
    return fmt::format("{}: {} here but {} in {}", symbol,
                       b.close_only ? "close-only" : "open/high/low/close",
                       first.close_only ? "close-only" : "open/high/low/close", first_file);
  }
  if (b.instrument.exchange != first.instrument.exchange) {
    return fmt::format("{}: exchange {} here but {} in {}", symbol, b.instrument.exchange,
                       first.instrument.exchange, first_file);
  }
  return {};
}

// Records the conflicts between one symbol's contributions (kind, exchange, dates another file
// already has). Without skip_bad a conflicting file is rejected; returns whether one was.
bool CheckGroup(const std::string& symbol, const std::vector<Contribution>& contributions,
                bool skip_bad, CrossFileErrors& errors, std::vector<bool>& rejected) {
  bool rejected_one = false;
  const BarSeries& first = contributions.front().series->bars;
  const std::string first_file = FileName(errors.files[contributions.front().file]);
  std::map<Date, Origin> seen;
  for (const Contribution& c : contributions) {
    const BarSeries& b = c.series->bars;
    if (std::string conflict = KindConflict(symbol, b, first, first_file); !conflict.empty()) {
      errors.Add(c.file, c.series->lines.front(), std::move(conflict));
      if (!skip_bad) rejected[c.file] = rejected_one = true;
      continue;
    }
    for (size_t k = 0; k < b.dates.size(); ++k) {
      auto [it, inserted] = seen.emplace(b.dates[k], Origin{c.file, c.series->lines[k]});
      if (inserted) continue;
      errors.Add(c.file, c.series->lines[k],
                 fmt::format("{}: duplicated date {} (also in {}:{})", symbol, b.dates[k],
                             FileName(errors.files[it->second.file]), it->second.line));
      if (!skip_bad) rejected[c.file] = rejected_one = true;
    }
  }
  return rejected_one;
}

// Groups the accepted files' series by symbol. Without skip_bad, a file that conflicts with an
// earlier one is rejected as a whole, and the grouping is redone without it.
SymbolGroups GroupAccepted(std::vector<ParsedFile>& parsed, bool skip_bad, CrossFileErrors& errors,
                           std::vector<bool>& rejected) {
  while (true) {
    SymbolGroups groups = GroupBySymbol(parsed, rejected);
    bool again = false;
    for (auto& [symbol, contributions] : groups) {
      if (contributions.size() < 2) continue;
      if (CheckGroup(symbol, contributions, skip_bad, errors, rejected)) again = true;
    }
    if (!again) return groups;
  }
}

// Adds each file's counts, errors and warnings to the report, in file order.
void TallyFiles(const std::vector<ParsedFile>& parsed, CrossFileErrors& errors,
                const std::vector<bool>& rejected, bool skip_bad, ImportReport& report) {
  for (size_t i = 0; i < parsed.size(); ++i) {
    const ParsedFile& p = parsed[i];
    std::vector<ImportIssue>& merge_errors = errors.listed[i];
    const int64_t merge_bad = errors.bad[i];
    report.rows_read += p.rows_read;
    report.rows_bad += p.rows_bad + merge_bad;
    if (merge_bad > static_cast<int64_t>(merge_errors.size())) {
      merge_errors.push_back(
          {FileName(errors.files[i]), 0,
           fmt::format("{} more rows of dates already imported from other files not listed",
                       merge_bad - static_cast<int64_t>(merge_errors.size()))});
    }
    report.rows_no_data += p.rows_no_data;
    report.rows_other_series += p.rows_other_series;
    report.rows_other_symbols += p.rows_other_symbols;
    // With skip_bad a file is rejected only when every row of it was bad: it stored nothing.
    bool all_bad = skip_bad && (!p.errors.empty() || merge_bad > 0) &&
                   std::all_of(p.series.begin(), p.series.end(),
                               [](const ParsedSeries& s) { return s.bars.size() == 0; });
    report.files_rejected += rejected[i] || all_bad;
    report.errors.insert(report.errors.end(), p.errors.begin(), p.errors.end());
    report.errors.insert(report.errors.end(), merge_errors.begin(), merge_errors.end());
    report.warnings.insert(report.warnings.end(), p.warnings.begin(), p.warnings.end());
  }
}

// One symbol's bars, and where each came from.
struct MergedSeries {
  BarSeries bars;
  std::vector<Origin> origins;
};

MergedSeries TakeSingle(const Contribution& c) {
  MergedSeries out;
  out.bars = std::move(c.series->bars);
  out.origins.reserve(out.bars.size());
  for (int32_t line : c.series->lines) out.origins.push_back({c.file, line});
  return out;
}

// Several contributions interleaved in date order (the first file wins a duplicated date);
// those of another kind or exchange than the first are left out (reported when grouping).
MergedSeries Interleave(const std::vector<Contribution>& contributions) {
  MergedSeries out;
  BarSeries& merged = out.bars;
  const BarSeries& first = contributions.front().series->bars;
  merged.instrument = first.instrument;
  merged.close_only = first.close_only;
  struct Row {
    Date date;
    size_t contribution;
    size_t index;
  };
  std::vector<Row> rows;
  for (size_t c = 0; c < contributions.size(); ++c) {
    const BarSeries& b = contributions[c].series->bars;
    if (b.close_only != first.close_only || b.instrument.exchange != first.instrument.exchange) {
      continue;  // reported when grouping (skip_bad)
    }
    for (size_t k = 0; k < b.size(); ++k) rows.push_back({b.dates[k], c, k});
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.date < b.date; });
  for (const Row& r : rows) {
    if (!merged.dates.empty() && merged.dates.back() == r.date) continue;  // reported already
    const Contribution& c = contributions[r.contribution];
    const BarSeries& b = c.series->bars;
    if (merged.close_only) {
      merged.dates.push_back(b.dates[r.index]);
      merged.close.push_back(b.close[r.index]);
    } else {
      merged.Append(b.bar(r.index));
    }
    out.origins.push_back({c.file, c.series->lines[r.index]});
  }
  return out;
}

// Warns about suspected unadjusted splits in a merged series, and sessions without a bar.
void WarnAboutMerged(const std::string& symbol, const MergedSeries& series,
                     const CalendarSessions& sessions, std::span<const fs::path> files,
                     ImportReport& report) {
  const BarSeries& merged = series.bars;
  for (const SuspectedSplit& s : FindSuspectedSplits(merged)) {
    const Origin& o = series.origins[s.index];
    report.warnings.push_back({FileName(files[o.file]), o.line, DescribeSplit(merged, s)});
  }
  if (CalendarSessions::Missing gap =
          sessions.MissingSessions(merged.instrument.exchange, merged.dates);
      gap.count > 0) {
    report.warnings.push_back(
        {FileName(files[series.origins.front().file]), 0,
         fmt::format("{}: {} {} session{} without a bar between {} and {} (first {})", symbol,
                     gap.count, merged.instrument.exchange, gap.count == 1 ? "" : "s",
                     merged.dates.front(), merged.dates.back(), gap.first)});
  }
}

}  // namespace

Result<ParsedImport> ParsePaths(std::span<const fs::path> paths, const ImportOptions& options) {
  KAIROS_ASSIGN_OR_RETURN(std::vector<fs::path> files, ListImportFiles(paths));
  std::optional<std::string> exchange;
  std::set<std::string> exchanges = {"NYSE", "NSE", "BSE"};
  if (options.exchange) {
    exchange = UpperCase(*options.exchange);
    KAIROS_RETURN_IF_ERROR(calendar::ExchangeCalendar::ForExchange(*exchange).status());
    exchanges.insert(*exchange);
  }
  const CalendarSessions sessions(exchanges);
  std::vector<ParsedFile> parsed = ParseFiles(files, options, exchange, sessions);

  ParsedImport out;
  out.report.files = static_cast<int64_t>(files.size());
  CrossFileErrors errors(files, options.max_errors_per_file);
  std::vector<bool> rejected(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    rejected[i] = !options.skip_bad && !parsed[i].errors.empty();
  }
  SymbolGroups groups = GroupAccepted(parsed, options.skip_bad, errors, rejected);
  TallyFiles(parsed, errors, rejected, options.skip_bad, out.report);

  for (auto& [symbol, contributions] : groups) {
    MergedSeries merged =
        contributions.size() == 1 ? TakeSingle(contributions.front()) : Interleave(contributions);
    WarnAboutMerged(symbol, merged, sessions, files, out.report);
    if (!merged.bars.empty()) {
      out.series.push_back({std::move(merged.bars), FileName(files[contributions.front().file])});
    }
  }
  return out;
}

namespace {

// Upserts every series; a refused symbol (InvalidArgument) is an error in the report. Any other
// failure stops: the Status says which symbol and how many were left unstored.
Status StoreAll(BarStore& store, const std::vector<ImportedSeries>& series, ImportReport& report) {
  for (size_t i = 0; i < series.size(); ++i) {
    const ImportedSeries& imported = series[i];
    const BarSeries& s = imported.bars;
    Status st = store.Upsert(s);
    if (st.code() == StatusCode::kInvalidArgument) {
      report.errors.push_back(
          {imported.file, 0, fmt::format("{}: not stored: {}", s.instrument.symbol, st.message())});
      continue;
    }
    if (!st.ok()) {
      return st.WithContext(fmt::format("storing {} ({} of {} symbols not stored)",
                                        s.instrument.symbol, series.size() - i, series.size()));
    }
    report.rows_stored += static_cast<int64_t>(s.size());
    report.symbols[s.instrument.symbol] = {s.instrument.exchange, s.close_only,
                                           static_cast<int64_t>(s.size()), s.dates.front(),
                                           s.dates.back()};
  }
  return Status::Ok();
}

}  // namespace

Result<ImportReport> ImportPaths(BarStore& store, std::span<const fs::path> paths,
                                 const ImportOptions& options) {
  KAIROS_ASSIGN_OR_RETURN(ParsedImport parsed, ParsePaths(paths, options));
  if (parsed.series.empty()) return std::move(parsed.report);
  // One manifest write for the whole import.
  store.BeginBatch();
  Status stored = StoreAll(store, parsed.series, parsed.report);
  Status ended = store.EndBatch();
  parsed.report.stopped =
      stored.ok() ? ended.WithContext("writing the bar store manifest") : stored;
  return std::move(parsed.report);
}

}  // namespace kairos::marketdata
