#include "app/paper_wiring.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "adapters/sqlite/sqlite_store.h"
#include "app/config.h"
#include "engine/strategy_file.h"

namespace kairos::app {

Result<std::unique_ptr<ports::Store>> OpenTradingStore(const std::filesystem::path& home,
                                                       Access access) {
  std::filesystem::path file = home / "kairos.db";
  adapters::sqlite::StoreOptions options;
  if (access == Access::kWrite && ::access(home.c_str(), W_OK) != 0 &&
      (errno == EACCES || errno == EROFS)) {
    return Status::FailedPrecondition(
        fmt::format("cannot write the kairos home {}: {} (listings still work)", home.string(),
                    std::strerror(errno)));
  }
  if (access == Access::kRead) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec) && !ec) return adapters::sqlite::OpenStore(":memory:");
    options.read_only = true;
  }
  auto db = adapters::sqlite::OpenStore(file, options);
  if (!db.ok()) return db.status().WithContext(fmt::format("opening {}", file.string()));
  return db;
}

Result<std::unique_ptr<ports::Store>> OpenSimulationStore(const std::filesystem::path& home) {
  KAIROS_RETURN_IF_ERROR(OpenTradingStore(home, Access::kWrite).status());  // the same checks
  std::filesystem::path file = home / "kairos.db";
  adapters::sqlite::StoreOptions options;
  options.sync_every_commit = false;
  auto db = adapters::sqlite::OpenStore(file, options);
  if (!db.ok()) return db.status().WithContext(fmt::format("opening {}", file.string()));
  return db;
}

Status CheckStoredAmounts(const std::vector<StrategyRecord>& strategies) {
  for (const StrategyRecord& r : strategies) {
    const Currency& currency = r.spec.currency;
    const int64_t max = engine::MaxAmountMinor(currency);
    auto check = [&](std::string_view what, int64_t minor) -> Status {
      if (minor >= 0 && minor <= max) return Status::Ok();
      return Status::FailedPrecondition(fmt::format(
          "strategy {}: the stored {} {} is outside 0 to {} {} (the limit of money inputs); "
          "nothing was run: fix it with `kairos strategy set-allocation` or import a corrected "
          "file",
          r.spec.name, what, Money(minor, currency).ToString(), engine::kMaxAmountUnits,
          currency.code()));
    };
    KAIROS_RETURN_IF_ERROR(check("allocation", r.allocation));
    KAIROS_RETURN_IF_ERROR(check("file allocation", r.spec.allocation));
    KAIROS_RETURN_IF_ERROR(check("sizing.amount", r.spec.sizing.amount));
    KAIROS_RETURN_IF_ERROR(check("fees.per_order", r.spec.fees.per_order));
  }
  return Status::Ok();
}

Status PaperSession::SaveClock() {
  return store->state().Put(kPaperClockKey, std::to_string(clock->NowNs()));
}

Result<std::unique_ptr<PaperSession>> OpenPaper(const std::filesystem::path& home) {
  auto s = std::make_unique<PaperSession>();
  s->home = home;
  KAIROS_ASSIGN_OR_RETURN(s->store, OpenTradingStore(home, Access::kWrite));
  auto bars = marketdata::BarStore::Open(home);
  if (!bars.ok()) return bars.status().WithContext(fmt::format("opening {}", home.string()));
  s->bars = std::move(*bars);

  KAIROS_ASSIGN_OR_RETURN(s->strategies, s->store->strategies().List());
  std::string exchange = "NYSE";
  if (!s->strategies.empty()) {
    exchange = s->strategies.front().spec.exchange;
    s->currency = s->strategies.front().spec.currency;
  }
  // Summed wide: an allocation above the input limit, stored before the limit existed, must not
  // overflow here (run-day refuses it with CheckStoredAmounts; halt still works).
  Int128 starting_cash = 0;
  for (const StrategyRecord& r : s->strategies) starting_cash += r.allocation;
  s->starting_cash =
      static_cast<int64_t>(std::min<Int128>(starting_cash, std::numeric_limits<int64_t>::max()));
  KAIROS_ASSIGN_OR_RETURN(s->calendar, calendar::ExchangeCalendar::ForExchange(exchange));
  s->markers = engine::MarkersOf(*s->calendar, /*adopt_unkeyed=*/true);
  return s;
}

Status PaperSession::StartBroker(const PaperOptions& options) {
  PaperSession* s = this;
  // The [alerts] levels of kairos.toml apply to the engine's alerts in paper mode too.
  KAIROS_ASSIGN_OR_RETURN(DaemonConfig config, LoadConfig(s->home));
  const engine::Alerts::Options alert_options = AlertOptions(config);

  int64_t start = options.start_ns;
  KAIROS_ASSIGN_OR_RETURN(std::optional<std::string> saved, s->store->state().Get(kPaperClockKey));
  if (saved) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(saved->data(), saved->data() + saved->size(), v);
    if (ec == std::errc() && v > start) start = v;
  }
  s->clock = std::make_unique<ports::ManualClock>(start);
  // Paper mode trades close-only series too: their close stands for the whole bar.
  s->bar_source = std::make_unique<engine::StoreBarSource>(
      *s->bars, engine::StoreBarSource::CloseOnly::kCloseAsBar);

  ports::Store* store = s->store.get();
  sim_broker::PaperBroker::Options bo;
  bo.currency = currency.code();
  bo.starting_cash = starting_cash;
  bo.max_participation = options.max_participation;
  bo.persist = [store](std::string_view json) { return store->state().Put(kPaperBrokerKey, json); };
  bo.costs = [store](const OrderRequest& request) {
    sim_broker::PaperBroker::CostModel cost;
    auto order = store->orders().GetByClientId(request.client_order_id);
    if (!order.ok() || !*order) return cost;
    auto rec = store->strategies().Get((*order)->strategy);
    if (!rec.ok() || !*rec) return cost;
    cost.fees = (*rec)->spec.fees;
    cost.slippage_bps = (*rec)->spec.slippage_bps;
    return cost;
  };
  KAIROS_ASSIGN_OR_RETURN(std::optional<std::string> state, s->store->state().Get(kPaperBrokerKey));
  if (state) {
    auto restored =
        sim_broker::PaperBroker::Restore(*state, *s->clock, *s->bar_source, *s->calendar, bo);
    if (!restored.ok()) {
      return restored.status().WithContext(
          "restoring the paper broker from the state 'paper_broker'");
    }
    s->broker = std::move(*restored);
  } else {
    s->broker =
        std::make_unique<sim_broker::PaperBroker>(*s->clock, *s->bar_source, *s->calendar, bo);
  }
  s->alerts = std::make_unique<engine::Alerts>(*s->store, *s->clock, alert_options);
  s->orders =
      std::make_unique<engine::OrderManager>(*s->store, *s->broker, *s->clock, s->alerts.get());
  engine::TradingDayOptions day_options;
  day_options.markers = s->markers;
  day_options.alerts = s->alerts.get();
  s->day = std::make_unique<engine::TradingDay>(*s->store, *s->broker, *s->clock, *s->bars,
                                                *s->calendar, *s->orders, nullptr, day_options);
  return Status::Ok();
}

}  // namespace kairos::app
