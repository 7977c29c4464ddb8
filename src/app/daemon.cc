#include "app/daemon.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "app/home_locks.h"
#include "calendar/calendar.h"
#include "core/html.h"
#include "engine/universe_manager.h"
#include "marketdata/import.h"
#include "ports/clock.h"

namespace kairos::app {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kSecondNs = 1'000'000'000;
constexpr int64_t kDayNs = 86'400 * kSecondNs;

std::shared_ptr<spdlog::logger> Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = spdlog::stderr_logger_mt("kairos");
    l->set_pattern("%Y-%m-%dT%H:%M:%S%z %l %v");
    return l;
  }();
  return logger;
}

std::string When(int64_t ns) { return Timestamp::FromNanos(ns).ToString(); }

// ---- home hooks ----

// Moves `file` into `dir` (created), with `report` beside it as <name>.report.txt.
Status FileAway(const fs::path& file, const fs::path& dir, const std::string& report) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  fs::rename(file, dir / file.filename(), ec);
  if (ec) return Status::IOError(fmt::format("cannot move {}: {}", file.string(), ec.message()));
  std::ofstream(dir / (file.filename().string() + ".report.txt")) << report;
  return Status::Ok();
}

// data.ingest: every regular .csv file directly in HOME/inbox/, imported one at a time as
// `kairos data import FILE` would, then moved to done/ or rejected/ with its report.
Result<std::string> IngestInbox(Daemon& d, Timestamp) {
  const fs::path inbox = d.home / "inbox";
  std::error_code ec;
  if (!fs::is_directory(inbox, ec)) return std::string("no inbox");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(inbox, ec)) {
    if (e.is_regular_file() && e.path().extension() == ".csv") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) return std::string("inbox empty");
  marketdata::BarStoreOptions options;
  KAIROS_ASSIGN_OR_RETURN(options.writer_wait, LockWait());
  KAIROS_ASSIGN_OR_RETURN(auto bars, marketdata::BarStore::Open(d.home, options));
  int done = 0, rejected = 0;
  for (const fs::path& file : files) {
    std::vector<fs::path> one = {file};
    Result<marketdata::ImportReport> r = marketdata::ImportPaths(*bars, one, {});
    if (r.ok() && !r->stopped.ok()) return r->stopped;  // the disk: try again later
    std::string report = r.ok() ? r->Summary() + "\n" : r.status().message() + "\n";
    if (r.ok()) {
      for (const auto& e : r->errors) report += "error: " + e.ToString() + "\n";
      for (const auto& w : r->warnings) report += "warning: " + w.ToString() + "\n";
    }
    const bool ok = r.ok() && r->ok();
    KAIROS_RETURN_IF_ERROR(FileAway(file, inbox / (ok ? "done" : "rejected"), report));
    const std::string name = file.filename().string();
    KAIROS_RETURN_IF_ERROR(d.alerts->Notify(
        ok ? "data.ingested" : "data.rejected",
        fmt::format("{}:{}:{}", ok ? "data.ingested" : "data.rejected", name, d.clock->NowNs()),
        fmt::format("{} <code>{}</code>: {}", ok ? "imported" : "rejected", EscapeHtml(name),
                    EscapeHtml(r.ok() ? r->Summary() : r.status().message()))));
    ++(ok ? done : rejected);
  }
  return fmt::format("{} file(s) imported, {} rejected", done, rejected);
}

// Runs `sql` on HOME/kairos.db with its own connection.
Status Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::IOError(fmt::format("sqlite: {}: {}", sql, m));
  }
  return Status::Ok();
}

// fsync(2) of a written file, so a backup that says it is done is on the disk.
Status SyncFile(const fs::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(fmt::format("cannot open {}", file.string()));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status::IOError(fmt::format("cannot sync {}", file.string()));
  return Status::Ok();
}

struct Db {
  sqlite3* db = nullptr;
  ~Db() { sqlite3_close(db); }
};

Status OpenDb(const fs::path& file, Db& out) {
  if (sqlite3_open_v2(file.c_str(), &out.db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    return Status::IOError(fmt::format("cannot open {}: {}", file.string(),
                                       out.db ? sqlite3_errmsg(out.db) : "out of memory"));
  }
  sqlite3_busy_timeout(out.db, 10'000);
  return Status::Ok();
}

// backup: the online backup API into HOME/backups/<stamp>/kairos.db, the bar manifest beside it;
// the newest `keep` backups are kept.
Result<std::string> Backup(Daemon& d, Timestamp scheduled) {
  std::string stamp = scheduled.ToString();
  std::replace(stamp.begin(), stamp.end(), ':', '-');
  const fs::path root = d.home / "backups";
  const fs::path dir = root / stamp;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  Db src, dst;
  KAIROS_RETURN_IF_ERROR(OpenDb(d.home / "kairos.db", src));
  if (sqlite3_open((dir / "kairos.db").c_str(), &dst.db) != SQLITE_OK) {
    return Status::IOError(fmt::format("cannot create {}", (dir / "kairos.db").string()));
  }
  // The copy is written once, then synced once (SyncFile): no journal, no sync per page.
  KAIROS_RETURN_IF_ERROR(Exec(dst.db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF"));
  sqlite3_backup* b = sqlite3_backup_init(dst.db, "main", src.db, "main");
  if (b == nullptr) return Status::IOError(fmt::format("backup: {}", sqlite3_errmsg(dst.db)));
  int rc;
  do {
    rc = sqlite3_backup_step(b, 256);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(50);
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) return Status::IOError(fmt::format("backup: {}", sqlite3_errstr(rc)));
  sqlite3_close(dst.db);
  dst.db = nullptr;
  KAIROS_RETURN_IF_ERROR(SyncFile(dir / "kairos.db"));
  if (fs::exists(d.home / "bars" / "manifest.tsv", ec)) {
    fs::copy_file(d.home / "bars" / "manifest.tsv", dir / "manifest.tsv",
                  fs::copy_options::overwrite_existing, ec);
  }
  std::vector<fs::path> all;
  for (const auto& e : fs::directory_iterator(root, ec)) {
    if (e.is_directory()) all.push_back(e.path());
  }
  std::sort(all.begin(), all.end());
  int removed = 0;
  for (size_t i = 0; i + d.config.backup_keep < all.size(); ++i) {
    fs::remove_all(all[i], ec);
    ++removed;
  }
  return fmt::format("backed up to backups/{}; {} old backup(s) removed", stamp, removed);
}

// maintenance: WAL checkpoint, then job runs and sent outbox messages older than
// keep_history_days removed.
Result<std::string> Maintenance(Daemon& d, Timestamp scheduled) {
  Db db;
  KAIROS_RETURN_IF_ERROR(OpenDb(d.home / "kairos.db", db));
  const int64_t cutoff = scheduled.nanos() - d.config.keep_history_days * kDayNs;
  KAIROS_RETURN_IF_ERROR(
      Exec(db.db, fmt::format("DELETE FROM job_runs WHERE finished_ns > 0 AND finished_ns < {} AND "
                              "status IN ('succeeded','failed','skipped')",
                              cutoff)));
  const int runs = sqlite3_changes(db.db);
  KAIROS_RETURN_IF_ERROR(
      Exec(db.db, fmt::format("DELETE FROM outbox WHERE sent_ns > 0 AND sent_ns < {}", cutoff)));
  const int sent = sqlite3_changes(db.db);
  // A reader holding an old snapshot (another connection of this daemon or a CLI listing) keeps
  // the WAL from being truncated; waiting for it is not worth a stalled job: the checkpoint copies
  // what it can and says so, and the next maintenance finishes it.
  sqlite3_busy_timeout(db.db, 200);
  int busy = 0, log_frames = 0, copied = 0;
  auto row = [](void* out, int n, char** values, char**) {
    int* v = static_cast<int*>(out);
    for (int i = 0; i < n && i < 3; ++i) v[i] = values[i] ? std::atoi(values[i]) : 0;
    return 0;
  };
  int result[3] = {0, 0, 0};
  char* err = nullptr;
  if (sqlite3_exec(db.db, "PRAGMA wal_checkpoint(TRUNCATE)", row, result, &err) != SQLITE_OK) {
    std::string m = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::IOError(fmt::format("sqlite: wal_checkpoint: {}", m));
  }
  busy = result[0];
  log_frames = result[1];
  copied = result[2];
  std::string checkpoint =
      busy ? fmt::format("checkpoint partial ({} of {} WAL frames copied; a reader was busy)",
                         copied, log_frames)
           : std::string("checkpointed");
  return fmt::format("{}; pruned {} job run(s) and {} sent message(s)", checkpoint, runs, sent);
}

// reconcile: the ledger's positions against the paper broker's, per symbol.
Result<std::string> Reconcile(Daemon& d, Timestamp scheduled) {
  std::map<std::string, int64_t> ledger, broker;
  KAIROS_RETURN_IF_ERROR(d.trading->WithSession([&](PaperSession& paper) -> Status {
    KAIROS_ASSIGN_OR_RETURN(auto broker_positions, paper.broker->Positions());
    KAIROS_ASSIGN_OR_RETURN(auto ledger_positions, paper.store->ledger().Positions(""));
    for (const Position& p : ledger_positions) ledger[p.symbol] += p.qty.units();
    for (const auto& p : broker_positions) broker[p.symbol] += p.qty.units();
    return Status::Ok();
  }));
  std::set<std::string> symbols;
  for (const auto& [s, q] : ledger) symbols.insert(s);
  for (const auto& [s, q] : broker) symbols.insert(s);
  std::vector<std::string> diffs;
  for (const std::string& s : symbols) {
    if (ledger[s] != broker[s]) {
      diffs.push_back(fmt::format("{}: ledger {}, broker {}", s, ledger[s], broker[s]));
    }
  }
  if (diffs.empty()) return fmt::format("{} symbol(s) agree", symbols.size());
  std::string text = "<b>the broker and the ledger disagree</b>";
  for (const auto& line : diffs) text += "\n" + EscapeHtml(line);
  KAIROS_RETURN_IF_ERROR(d.alerts->Notify("reconcile.difference",
                                          fmt::format("reconcile:{}", scheduled.nanos()), text));
  return fmt::format("{} difference(s)", diffs.size());
}

// The bar store for a job that reads it: opened per job on the wall clock (an import by another
// process since the last job is seen), once for a whole simulation (nothing else writes then).
Result<const marketdata::BarStore*> ReadBars(Daemon& d,
                                             std::unique_ptr<marketdata::BarStore>& own) {
  if (d.manual != nullptr && d.sim_bars) return d.sim_bars.get();
  KAIROS_ASSIGN_OR_RETURN(own, marketdata::BarStore::Open(d.home));
  if (d.manual == nullptr) return own.get();
  d.sim_bars = std::move(own);
  return d.sim_bars.get();
}

// data.stale_check: the symbols of the enabled strategies with no bar for the session of the
// instant (on each strategy's calendar).
Result<std::string> StaleCheck(Daemon& d, Timestamp scheduled) {
  std::unique_ptr<marketdata::BarStore> own;
  KAIROS_ASSIGN_OR_RETURN(const marketdata::BarStore* bars, ReadBars(d, own));
  std::map<std::string, Date> last;
  for (const auto& info : bars->List()) last[info.instrument.symbol] = info.last;
  KAIROS_ASSIGN_OR_RETURN(std::vector<StrategyRecord> strategies, d.store->strategies().List());
  std::set<std::string> stale;
  std::optional<Date> session;
  for (const StrategyRecord& r : strategies) {
    if (!r.enabled) continue;
    auto cal = calendar::ExchangeCalendar::ForExchange(r.spec.exchange);
    if (!cal.ok()) continue;
    auto day = jobs::SessionOfInstant(**cal, scheduled);
    if (!day.ok()) continue;
    session = *day;
    std::vector<std::string> symbols = r.spec.symbols;
    if (!r.spec.universe.empty()) {
      KAIROS_ASSIGN_OR_RETURN(auto u, d.store->universes().Get(r.spec.universe));
      if (u) symbols = u->members;
    }
    for (const std::string& s : symbols) {
      auto it = last.find(s);
      if (it == last.end() || it->second < *day) stale.insert(s);
    }
  }
  if (!session) return std::string("no strategy trades on a session near this instant");
  if (stale.empty()) return fmt::format("every symbol has a bar for {}", *session);
  std::string list;
  for (const auto& s : stale) {
    if (!list.empty()) list += ", ";
    list += s;
  }
  KAIROS_RETURN_IF_ERROR(d.alerts->Notify("data.stale", fmt::format("data.stale:{}", *session),
                                          fmt::format("<b>{} symbol(s) have no bar for {}</b>\n{}",
                                                      stale.size(), *session, EscapeHtml(list))));
  return fmt::format("{} symbol(s) have no bar for {}", stale.size(), *session);
}

// universe.refresh: every stored universe recomputed as of the last session in the bar store.
Result<std::string> RefreshUniverses(Daemon& d, Timestamp) {
  std::unique_ptr<marketdata::BarStore> own;
  KAIROS_ASSIGN_OR_RETURN(const marketdata::BarStore* bars, ReadBars(d, own));
  engine::UniverseManager manager(d.store->universes(), *bars, *d.clock);
  KAIROS_ASSIGN_OR_RETURN(std::vector<Universe> done, manager.RefreshAll());
  return fmt::format("{} universe(s) refreshed", done.size());
}

}  // namespace

fs::path DaemonLockPath(const fs::path& home) { return home / "locks" / "daemon.lock"; }

std::string JobEnabledKey(std::string_view name) { return fmt::format("job.enabled:{}", name); }

Result<std::vector<std::string>> StrategyExchanges(ports::Store& store, std::string_view fallback) {
  KAIROS_ASSIGN_OR_RETURN(std::vector<StrategyRecord> list, store.strategies().List());
  std::set<std::string> names;
  for (const StrategyRecord& r : list) {
    if (!r.enabled) continue;
    auto cal = calendar::ExchangeCalendar::ForExchange(r.spec.exchange);
    if (cal.ok()) names.insert(std::string((*cal)->name()));
  }
  if (names.empty()) names.insert(std::string(fallback));
  return std::vector<std::string>(names.begin(), names.end());
}

std::vector<scheduler::JobSpec> JobInstances(const DaemonConfig& config,
                                             const std::vector<std::string>& exchanges) {
  std::vector<scheduler::JobSpec> out;
  for (const scheduler::JobSpec& spec : config.jobs) {
    if (spec.schedule.at.empty() || !spec.schedule.calendar.empty()) {
      out.push_back(spec);
      continue;
    }
    for (const std::string& exchange : exchanges) {
      scheduler::JobSpec one = spec;
      one.name = fmt::format("{}@{}", spec.name, exchange);
      one.schedule.calendar = exchange;
      out.push_back(std::move(one));
    }
  }
  return out;
}

Result<bool> JobEnabled(ports::Store& store, const scheduler::JobSpec& spec) {
  for (std::string_view name : {std::string_view(spec.name), jobs::BaseJobName(spec.name)}) {
    KAIROS_ASSIGN_OR_RETURN(auto v, store.state().Get(JobEnabledKey(name)));
    if (v) return *v == "true";
  }
  return spec.enabled;
}

void SetLogLevel(LogLevel level) {
  static constexpr spdlog::level::level_enum kLevels[] = {spdlog::level::debug, spdlog::level::info,
                                                          spdlog::level::warn, spdlog::level::err};
  Logger()->set_level(kLevels[static_cast<int>(level)]);
}

void Log(LogLevel level, std::string_view message) {
  switch (level) {
    case LogLevel::kDebug:
      return Logger()->debug("{}", message);
    case LogLevel::kInfo:
      return Logger()->info("{}", message);
    case LogLevel::kWarn:
      return Logger()->warn("{}", message);
    case LogLevel::kError:
      return Logger()->error("{}", message);
  }
}

// ---- events ----

void AlertingEvents::Alert(std::string_view kind, std::string key, std::string text) {
  Status st = alerts_.Notify(kind, std::move(key), std::move(text));
  if (!st.ok()) Log(LogLevel::kError, fmt::format("cannot store alert {}: {}", kind, st.message()));
}

void AlertingEvents::OnStarted(const ports::JobRun& run) {
  Log(LogLevel::kDebug, fmt::format("job {} started for {} (attempt {})", run.job,
                                    When(run.scheduled_ns), run.attempts));
}

void AlertingEvents::OnSucceeded(const ports::JobRun& run) {
  Log(LogLevel::kInfo,
      fmt::format("job {} succeeded for {}: {}", run.job, When(run.scheduled_ns), run.message));
}

void AlertingEvents::OnRecovered(const ports::JobRun& run) {
  Log(LogLevel::kInfo, fmt::format("job {} recovered", run.job));
  Alert("job.recovered", fmt::format("job.recovered:{}:{}", run.job, run.scheduled_ns),
        fmt::format("job <b>{}</b> succeeded again: {}", EscapeHtml(run.job),
                    EscapeHtml(run.message)));
}

void AlertingEvents::OnRetry(const ports::JobRun& run) {
  Log(LogLevel::kWarn, fmt::format("job {} failed (attempt {}), retry at {}: {}", run.job,
                                   run.attempts, When(run.retry_at_ns), run.message));
}

void AlertingEvents::OnFailed(const ports::JobRun& run) {
  Log(LogLevel::kError, fmt::format("job {} failed for {} after {} attempt(s): {}", run.job,
                                    When(run.scheduled_ns), run.attempts, run.message));
  Alert("job.failed", fmt::format("job.failed:{}:{}", run.job, run.scheduled_ns),
        fmt::format("job <b>{}</b> failed ({} attempt(s)): {}", EscapeHtml(run.job), run.attempts,
                    EscapeHtml(run.message)));
}

void AlertingEvents::OnMisfire(const scheduler::MissedRuns& missed) {
  Log(LogLevel::kWarn, fmt::format("job {} missed {} run(s) {} .. {}{}", missed.job, missed.count,
                                   missed.first.ToString(), missed.last.ToString(),
                                   missed.caught_up ? "; the latest runs now" : ""));
  Alert("job.misfire", fmt::format("job.misfire:{}:{}", missed.job, missed.last.nanos()),
        fmt::format("job <b>{}</b> missed {} run(s) ({} .. {}){}", EscapeHtml(missed.job),
                    missed.count, missed.first.ToString(), missed.last.ToString(),
                    missed.caught_up ? "; the latest ran late" : "; skipped"));
}

// ---- paper trading ----

PaperTrading::PaperTrading(std::unique_ptr<PaperSession> session) : session_(std::move(session)) {}

PaperTrading::PaperTrading(fs::path home, const ports::Clock& wall)
    : home_(std::move(home)), wall_(&wall) {}

Status PaperTrading::WithSession(const std::function<Status(PaperSession&)>& work) {
  if (session_) {
    KAIROS_RETURN_IF_ERROR(work(*session_));
    return session_->SaveClock();
  }
  KAIROS_ASSIGN_OR_RETURN(FileLock lock, LockTrading(home_));
  KAIROS_ASSIGN_OR_RETURN(std::unique_ptr<PaperSession> paper, OpenPaper(home_));
  KAIROS_RETURN_IF_ERROR(CheckStoredAmounts(paper->strategies));
  PaperOptions po;
  po.start_ns = wall_->NowNs();
  KAIROS_RETURN_IF_ERROR(paper->StartBroker(po));
  paper->clock->AdvanceTo(wall_->NowNs());
  KAIROS_RETURN_IF_ERROR(work(*paper));
  return paper->SaveClock();
}

Status PaperTrading::Run(std::string_view exchange, const jobs::JobEnv::TradingStep& step) {
  return WithSession([&](PaperSession& paper) -> Status {
    if (!exchange.empty() && exchange != paper.calendar->name()) {
      return Status::FailedPrecondition(fmt::format(
          "paper trading runs on the {} calendar (the first strategy's exchange), not {}",
          paper.calendar->name(), exchange));
    }
    return step(*paper.day);
  });
}

// ---- the daemon ----

void WireHomeHooks(Daemon& d) {
  Daemon* p = &d;
  d.env.ingest_inbox = [p](Timestamp t) { return IngestInbox(*p, t); };
  d.env.backup = [p](Timestamp t) { return Backup(*p, t); };
  d.env.maintenance = [p](Timestamp t) { return Maintenance(*p, t); };
  d.env.reconcile = [p](Timestamp t) { return Reconcile(*p, t); };
  d.env.stale_check = [p](Timestamp t) { return StaleCheck(*p, t); };
  d.env.refresh_universes = [p](Timestamp t) { return RefreshUniverses(*p, t); };
}

Result<std::unique_ptr<Daemon>> BuildDaemon(const fs::path& home, const DaemonConfig& config,
                                            const DaemonOptions& options) {
  auto d = std::make_unique<Daemon>();
  d->home = home;
  d->config = config;
  KAIROS_ASSIGN_OR_RETURN(d->store, options.simulate ? OpenSimulationStore(home)
                                                     : OpenTradingStore(home, Access::kWrite));
  if (options.simulate) {
    KAIROS_ASSIGN_OR_RETURN(std::unique_ptr<PaperSession> paper, OpenPaper(home));
    KAIROS_RETURN_IF_ERROR(CheckStoredAmounts(paper->strategies));
    PaperOptions po;
    po.start_ns = options.sim_start_ns;
    KAIROS_RETURN_IF_ERROR(paper->StartBroker(po));
    d->clock = paper->clock.get();
    d->manual = paper->clock.get();
    d->trading = std::make_unique<PaperTrading>(std::move(paper));
  } else {
    d->wall = std::make_unique<ports::WallClock>();
    d->clock = d->wall.get();
    d->trading = std::make_unique<PaperTrading>(home, *d->wall);
  }
  d->env.home = home;
  d->env.store = d->store.get();
  d->env.clock = d->clock;
  d->alerts = std::make_unique<engine::Alerts>(*d->store, *d->clock, AlertOptions(config));
  d->env.alerts = d->alerts.get();
  PaperTrading* trading = d->trading.get();
  d->env.with_trading = [trading](std::string_view exchange,
                                  const jobs::JobEnv::TradingStep& step) {
    return trading->Run(exchange, step);
  };
  WireHomeHooks(*d);
  d->events = std::make_unique<AlertingEvents>(*d->alerts, *d->clock);
  d->scheduler =
      std::make_unique<scheduler::Scheduler>(*d->clock, d->store->job_runs(), d->events.get());
  KAIROS_ASSIGN_OR_RETURN(std::vector<std::string> exchanges,
                          StrategyExchanges(*d->store, config.daemon.calendar));
  d->instances = JobInstances(config, exchanges);
  for (scheduler::JobSpec& spec : d->instances) {
    KAIROS_ASSIGN_OR_RETURN(spec.enabled, JobEnabled(*d->store, spec));
    scheduler::JobBody body = jobs::MakeJobBody(spec.name, d->env);
    if (!body) return Status::Internal(fmt::format("no body for job {}", spec.name));
    KAIROS_RETURN_IF_ERROR(d->scheduler->Add(spec, std::move(body)));
  }
  return d;
}

// ---- delivery ----

Result<int64_t> DeliverPending(ports::Store& store, ports::Notifier& notifier,
                               const ports::Clock& clock, int* delivered) {
  KAIROS_ASSIGN_OR_RETURN(std::vector<ports::OutboxMessage> pending, store.outbox().Pending(100));
  for (const ports::OutboxMessage& m : pending) {
    ports::Delivery r = notifier.Send(m);
    if (r.sent) {
      KAIROS_RETURN_IF_ERROR(store.outbox().MarkSent(m.id, clock.NowNs(), r.external_id));
      if (delivered) ++*delivered;
      continue;
    }
    KAIROS_RETURN_IF_ERROR(store.outbox().MarkFailed(m.id, r.error));
    if (r.permanent) {
      // Sending it again cannot succeed; it must not hold back the messages after it.
      KAIROS_RETURN_IF_ERROR(store.outbox().MarkSent(m.id, clock.NowNs(), "undeliverable"));
      Log(LogLevel::kError, fmt::format("outbox message {} undeliverable: {}", m.id, r.error));
      continue;
    }
    // A wait the channel asked for (its rate limit) is routine; anything else is worth a warning.
    Log(r.retry_after_ns > 0 ? LogLevel::kDebug : LogLevel::kWarn,
        fmt::format("outbox message {} not sent: {}", m.id, r.error));
    return std::max<int64_t>(r.retry_after_ns, kSecondNs);
  }
  return int64_t{0};
}

namespace {

class FileNotifier final : public ports::Notifier {
 public:
  explicit FileNotifier(std::string path) : path_(std::move(path)) {}
  ports::Delivery Send(const ports::OutboxMessage& m) override {
    std::ofstream out(path_, std::ios::app);
    out << m.id << '\t' << m.kind << '\t' << (m.silent ? "silent" : "sound") << '\t' << m.key
        << '\n';
    out.flush();
    ports::Delivery d;
    d.sent = static_cast<bool>(out);
    d.external_id = std::to_string(m.id);
    if (!d.sent) d.error = "cannot write " + path_;
    return d;
  }

 private:
  std::string path_;
};

}  // namespace

std::unique_ptr<ports::Notifier> NotifierFromEnvironment() {
  const char* file = std::getenv("KAIROS_TEST_NOTIFIER_FILE");
  if (file == nullptr || *file == '\0') return nullptr;
  return std::make_unique<FileNotifier>(file);
}

}  // namespace kairos::app
