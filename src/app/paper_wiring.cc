#include "app/paper_wiring.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "adapters/sqlite/sqlite_store.h"

namespace kairos::app {

Result<std::unique_ptr<ports::Store>> OpenTradingStore(const std::filesystem::path& home) {
  std::filesystem::path file = home / "kairos.db";
  std::error_code ec;
  std::filesystem::create_directories(home, ec);
  auto db = adapters::sqlite::OpenStore(file);
  if (!db.ok()) return db.status().WithContext(fmt::format("opening {}", file.string()));
  return db;
}

Result<std::optional<Bar>> BarStoreSource::BarOn(std::string_view symbol, Date session) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = views_.find(symbol);
  if (it == views_.end()) {
    auto v = bars_.Read(symbol);
    if (!v.ok()) {
      if (v.status().code() == StatusCode::kNotFound) {
        it = views_.emplace(std::string(symbol), nullptr).first;
      } else {
        return v.status();
      }
    } else {
      it = views_.emplace(std::string(symbol), std::move(*v)).first;
    }
  }
  const marketdata::SeriesView* v = it->second.get();
  if (v == nullptr) return std::optional<Bar>();
  auto dates = v->dates();
  auto pos = std::lower_bound(dates.begin(), dates.end(), session);
  if (pos == dates.end() || *pos != session) return std::optional<Bar>();
  size_t i = pos - dates.begin();
  Bar b;
  b.date = session;
  b.close = v->close()[i];
  if (v->info().close_only) {
    // A close-only series: the close stands for the whole bar (nothing else is known).
    b.open = b.high = b.low = b.close;
    b.volume = 0;
  } else {
    b.open = v->open()[i];
    b.high = v->high()[i];
    b.low = v->low()[i];
    b.volume = v->volume()[i];
  }
  return std::optional<Bar>(b);
}

Status PaperSession::SaveClock() {
  return store->state().Put(kPaperClockKey, std::to_string(clock->NowNs()));
}

Result<std::unique_ptr<PaperSession>> OpenPaper(const std::filesystem::path& home) {
  auto s = std::make_unique<PaperSession>();
  s->home = home;
  KAIROS_ASSIGN_OR_RETURN(s->store, OpenTradingStore(home));
  auto bars = marketdata::BarStore::Open(home);
  if (!bars.ok()) return bars.status().WithContext(fmt::format("opening {}", home.string()));
  s->bars = std::move(*bars);

  KAIROS_ASSIGN_OR_RETURN(std::vector<StrategyRecord> strategies, s->store->strategies().List());
  std::string exchange = "NYSE";
  std::string currency = "USD";
  int64_t starting_cash = 0;
  if (!strategies.empty()) {
    exchange = strategies.front().spec.exchange;
    currency = strategies.front().spec.currency;
  }
  for (const StrategyRecord& r : strategies) starting_cash += r.allocation;
  KAIROS_ASSIGN_OR_RETURN(s->calendar, calendar::ExchangeCalendar::ForExchange(exchange));
  if (!Currency::FromCode(currency).ok()) currency = "USD";
  s->currency = currency;
  s->starting_cash = starting_cash;
  return s;
}

Status PaperSession::StartBroker(const PaperOptions& options) {
  PaperSession* s = this;

  int64_t start = options.start_ns;
  KAIROS_ASSIGN_OR_RETURN(std::optional<std::string> saved, s->store->state().Get(kPaperClockKey));
  if (saved) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(saved->data(), saved->data() + saved->size(), v);
    if (ec == std::errc() && v > start) start = v;
  }
  s->clock = std::make_unique<ports::ManualClock>(start);
  s->bar_source = std::make_unique<BarStoreSource>(*s->bars);

  ports::Store* store = s->store.get();
  sim_broker::PaperBroker::Options bo;
  bo.currency = currency;
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
  s->orders = std::make_unique<engine::OrderManager>(*s->store, *s->broker, *s->clock);
  s->day = std::make_unique<engine::TradingDay>(*s->store, *s->broker, *s->clock, *s->bars,
                                                *s->calendar, *s->orders);
  return Status::Ok();
}

}  // namespace kairos::app
