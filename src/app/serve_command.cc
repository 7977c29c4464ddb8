// `kairos serve`: the daemon (one per home) that runs the jobs on their schedules and delivers the
// outbox; `kairos serve --simulate` runs the same jobs on a simulated clock over past sessions.
#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "adapters/telegram/bot_client.h"
#include "adapters/http_client/curl_transport.h"
#include "adapters/telegram/rate_limiter.h"
#include "adapters/telegram/telegram_notifier.h"
#include "app/api_server.h"
#include "app/cli.h"
#include "app/config.h"
#include "app/daemon.h"
#include "app/daemon_bot.h"
#include "app/home_locks.h"
#include "app/telegram_bot.h"

namespace kairos::app {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kDayNs = 86'400'000'000'000;

struct ServeArgs {
  bool simulate = false;
  std::string from, to;
};

// Exit statuses of `kairos serve` (README "The daemon"): 0 stopped by SIGTERM/SIGINT or the end
// of a simulation; 1 a failure (another daemon holds the home, the store failed); 2 a bad
// kairos.toml or bad arguments.
constexpr int kExitConfig = 2;

Result<Date> ParseDay(std::string_view flag, const std::string& text) {
  auto d = Date::Parse(text);
  if (!d.ok()) {
    return Status::InvalidArgument(
        fmt::format("bad {} '{}': expected a date YYYY-MM-DD", flag, text));
  }
  return *d;
}

int64_t MidnightUtc(Date d) { return static_cast<int64_t>(d.days()) * kDayNs; }

Status Simulate(const fs::path& home, const DaemonConfig& config, const ServeArgs& args) {
  if (args.from.empty() || args.to.empty()) {
    return Status::InvalidArgument("--simulate needs --from and --to");
  }
  KAIROS_ASSIGN_OR_RETURN(Date from, ParseDay("--from", args.from));
  KAIROS_ASSIGN_OR_RETURN(Date to, ParseDay("--to", args.to));
  if (from > to)
    return Status::InvalidArgument(fmt::format("--from {} is after --to {}", from, to));
  // The simulation trades: no run-day, halt or resume meanwhile.
  KAIROS_ASSIGN_OR_RETURN(FileLock trading_lock, LockTrading(home));
  DaemonOptions options;
  options.simulate = true;
  // Every exchange's jobs of a day fall between 00:00 UTC and the next midnight (NYSE's last is
  // 21:55 UTC, NSE's first 02:15 UTC), so the days run are exactly --from .. --to.
  options.sim_start_ns = MidnightUtc(from);
  KAIROS_ASSIGN_OR_RETURN(std::unique_ptr<Daemon> d, BuildDaemon(home, config, options));
  Log(LogLevel::kInfo, fmt::format("simulating {} .. {} on {}", from, to, home.string()));
  KAIROS_RETURN_IF_ERROR(
      d->scheduler->RunUntil(*d->manual, Timestamp::FromNanos(MidnightUtc(to.AddDays(1)) - 1)));
  Log(LogLevel::kInfo, fmt::format("simulation ended at {}", to));
  return Status::Ok();
}

// The thread that turns SIGTERM and SIGINT (blocked in every thread) into a stop request.
class SignalWatcher {
 public:
  SignalWatcher(std::stop_source& stop, std::function<void()> wake) {
    thread_ = std::thread([this, &stop, wake = std::move(wake)] {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGTERM);
      sigaddset(&set, SIGINT);
      sigaddset(&set, SIGUSR1);
      int sig = 0;
      sigwait(&set, &sig);
      if (sig != SIGUSR1) {
        Log(LogLevel::kInfo, fmt::format("{}: stopping after the work in progress",
                                         sig == SIGTERM ? "SIGTERM" : "SIGINT"));
      }
      stop.request_stop();
      wake();
    });
  }
  // Ends the thread when no signal came (the scheduler stopped by itself).
  ~SignalWatcher() {
    pthread_kill(thread_.native_handle(), SIGUSR1);
    thread_.join();
  }

 private:
  std::thread thread_;
};

// Delivers the outbox through `notifier` (if any) and tells the scheduler about jobs enabled or
// disabled from the CLI, every poll_interval, on its own store connection.
void PollLoop(std::stop_token stop, const fs::path& home, Daemon& d, ports::Notifier* notifier) {
  auto store = OpenTradingStore(home, Access::kWrite);
  if (!store.ok()) {
    Log(LogLevel::kError, fmt::format("delivery worker: {}", store.status().message()));
    return;
  }
  std::map<std::string, bool> enabled;
  for (const auto& spec : d.instances) enabled[spec.name] = spec.enabled;
  std::mutex mu;
  std::condition_variable_any cv;
  while (!stop.stop_requested()) {
    int64_t wait_ns = d.config.daemon.poll_interval_ns;
    if (notifier != nullptr) {
      auto r = DeliverPending(**store, *notifier, *d.clock);
      if (!r.ok()) Log(LogLevel::kError, fmt::format("delivery: {}", r.status().message()));
      if (r.ok() && *r > 0) wait_ns = std::max(wait_ns, *r);
    }
    for (const auto& spec : d.instances) {
      auto on = JobEnabled(**store, spec);
      if (!on.ok() || *on == enabled[spec.name]) continue;
      enabled[spec.name] = *on;
      Log(LogLevel::kInfo, fmt::format("job {} {}", spec.name, *on ? "enabled" : "disabled"));
      std::string name = spec.name;
      bool value = *on;
      scheduler::Scheduler* s = d.scheduler.get();
      s->Post([s, name, value] { (void)s->SetEnabled(name, value); });
    }
    std::unique_lock lock(mu);
    cv.wait_for(lock, stop, std::chrono::nanoseconds(wait_ns), [] { return false; });
  }
}

// The HTTP API over the daemon: its paper trading and its scheduler. A listen address that
// cannot be had is a configuration problem (exit 2).
Result<std::unique_ptr<ApiServer>> StartApi(const fs::path& home, const DaemonConfig& config,
                                            Daemon& d) {
  ApiEnv env;
  env.home = home;
  env.settings = config.server;
  env.version = std::string(kKairosVersion);
  env.clock = d.clock;
  PaperTrading* trading = d.trading.get();
  env.with_paper = [trading](const std::function<Status(PaperSession&)>& work) {
    return trading->WithSession(work);
  };
  scheduler::Scheduler* s = d.scheduler.get();
  const ports::Clock* clock = d.clock;
  const std::vector<scheduler::JobSpec>* instances = &d.instances;
  env.run_job_now = [s, clock, instances](std::string_view name) -> Result<std::string> {
    KAIROS_ASSIGN_OR_RETURN(scheduler::JobSpec spec, FindJobInstance(*instances, name));
    Timestamp now = Timestamp::FromNanos(clock->NowNs());
    s->Post([s, job = spec.name, now] { (void)s->RunNow(job, now); });
    return fmt::format("job {} started", spec.name);
  };
  auto api = ApiServer::Start(std::move(env), config.daemon.poll_interval_ns);
  if (!api.ok()) {
    return Status::InvalidArgument(fmt::format(
        "cannot serve the API: {} (set [server] listen, or enabled = false, in kairos.toml)",
        api.status().message()));
  }
  return std::move(*api);
}

Status Serve(const fs::path& home, const DaemonConfig& config) {
  // SIGTERM and SIGINT reach only the watcher thread: every thread made from here inherits this.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  KAIROS_ASSIGN_OR_RETURN(std::unique_ptr<Daemon> d, BuildDaemon(home, config, {}));
  // The API first: a listen address in use stops the daemon before anything has run.
  std::unique_ptr<ApiServer> api;
  if (config.server.enabled) {
    KAIROS_ASSIGN_OR_RETURN(api, StartApi(home, config, *d));
    Log(LogLevel::kInfo, fmt::format("serving the API on {}", api->url()));
  }
  KAIROS_RETURN_IF_ERROR(d->scheduler->Start());
  // The broker against the ledger before anything trades (reconcile's instants come later).
  if (auto r = d->env.reconcile(Timestamp::FromNanos(d->clock->NowNs())); r.ok()) {
    Log(LogLevel::kInfo, fmt::format("reconcile at start: {}", *r));
  } else {
    Log(LogLevel::kWarn, fmt::format("reconcile at start: {}", r.status().message()));
  }
  std::unique_ptr<ports::Notifier> notifier = NotifierFromEnvironment();
  // Telegram, when kairos.toml has a token and a chat: the notifier and the bot.
  std::unique_ptr<telegram::BotClient> client;
  std::unique_ptr<telegram::RateLimiter> limiter;
  std::unique_ptr<ports::Store> bot_store;
  std::unique_ptr<DaemonBotActions> actions;
  std::unique_ptr<TelegramBot> bot;
  if (!notifier && !config.telegram.token.empty() && config.telegram.chat_id != 0) {
    telegram::BotConfig bc;
    bc.api_base = config.telegram.api_base;
    bc.token = config.telegram.token;
    client = std::make_unique<telegram::BotClient>(bc, http::MakeCurlTransport());
    limiter = std::make_unique<telegram::RateLimiter>(*d->clock);
    notifier = std::make_unique<telegram::TelegramNotifier>(*client, *limiter, *d->clock,
                                                            config.telegram.chat_id);
    KAIROS_ASSIGN_OR_RETURN(bot_store, OpenTradingStore(home, Access::kWrite));
    actions = std::make_unique<DaemonBotActions>(*d, *bot_store, d->clock->NowNs());
    TelegramBotOptions options = BotOptionsFromConfig(config);
    options.log = [](std::string_view line) { Log(LogLevel::kInfo, line); };
    bot = std::make_unique<TelegramBot>(options, *client, *bot_store, *d->clock, *actions);
    bot->Start();
  }
  Log(LogLevel::kInfo,
      fmt::format("kairos serve on {}: {} job(s); {}", home.string(), d->instances.size(),
                  notifier ? "delivering alerts" : "no notifier: alerts stay in the outbox"));
  (void)d->alerts->Notify("daemon.started", fmt::format("daemon.started:{}", d->clock->NowNs()),
                          fmt::format("kairos serve started on {}", home.string()));
  std::stop_source stop;
  scheduler::Scheduler* s = d->scheduler.get();
  Status result;
  {
    // A stop ends the API first (its requests in flight finish), then the scheduler's loop.
    SignalWatcher watcher(stop, [s, &api] {
      if (api) api->Stop();
      s->Wake();
    });
    std::jthread poller(
        [&](std::stop_token) { PollLoop(stop.get_token(), home, *d, notifier.get()); });
    result = s->Run(stop.get_token());
    stop.request_stop();
    d->stopping = true;
    if (bot) bot->Stop();
  }
  (void)d->alerts->Notify("daemon.stopped", fmt::format("daemon.stopped:{}", d->clock->NowNs()),
                          "kairos serve stopped");
  Log(LogLevel::kInfo, result.ok() ? std::string("stopped")
                                   : fmt::format("stopped on an error: {}", result.message()));
  return result;
}

void RunServe(const ServeArgs& args, CliContext& ctx) {
  if (!args.simulate && (!args.from.empty() || !args.to.empty())) {
    ctx.Fail("--from and --to are for --simulate");
    ctx.exit_code = kExitConfig;
    return;
  }
  auto home = ctx.Home();
  if (!home.ok()) return ctx.Fail(home.status());
  auto config = LoadConfig(*home);
  if (!config.ok()) {
    ctx.Fail(config.status());
    ctx.exit_code = kExitConfig;
    return;
  }
  SetLogLevel(config->daemon.log_level);
  auto lock =
      FileLock::Acquire(DaemonLockPath(*home), fmt::format("the daemon lock on {}", home->string()),
                        std::chrono::milliseconds(0));
  if (!lock.ok()) return ctx.Fail(lock.status());
  Status st = args.simulate ? Simulate(*home, *config, args) : Serve(*home, *config);
  if (!st.ok()) {
    ctx.Fail(st);
    if (st.code() == StatusCode::kInvalidArgument) ctx.exit_code = kExitConfig;
  }
}

}  // namespace

void AddServeCommand(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* serve = app.add_subcommand(
      "serve", "Run the daemon: the jobs of kairos.toml on their schedules, alerts delivered");
  serve->add_flag("--simulate", args->simulate,
                  "Run the jobs on a simulated clock over --from .. --to, then exit");
  serve->add_option("--from", args->from, "First day simulated (YYYY-MM-DD)");
  serve->add_option("--to", args->to, "Last day simulated (YYYY-MM-DD)");
  serve->callback([args, &ctx] { RunServe(*args, ctx); });
}

}  // namespace kairos::app
