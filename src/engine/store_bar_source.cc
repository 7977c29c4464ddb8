#include "engine/store_bar_source.h"

#include <algorithm>

namespace kairos::engine {

Result<const marketdata::SeriesView*> StoreBarSource::Series(std::string_view symbol) {
  std::lock_guard<std::mutex> lock(mu_);
  return SeriesLocked(symbol);
}

Result<const marketdata::SeriesView*> StoreBarSource::SeriesLocked(std::string_view symbol) {
  auto it = cache_.find(symbol);
  if (it == cache_.end()) {
    std::unique_ptr<marketdata::SeriesView> view;
    auto info = bars_.Info(symbol);
    if (info.ok() && !(info->close_only && close_only_ == CloseOnly::kNoBar)) {
      KAIROS_ASSIGN_OR_RETURN(view, bars_.Read(symbol));
    } else if (!info.ok() && info.status().code() != StatusCode::kNotFound) {
      return info.status();
    }
    it = cache_.emplace(std::string(symbol), std::move(view)).first;
  }
  return it->second.get();
}

Result<std::optional<Bar>> StoreBarSource::BarOn(std::string_view symbol, Date session) {
  std::lock_guard<std::mutex> lock(mu_);
  KAIROS_ASSIGN_OR_RETURN(const marketdata::SeriesView* v, SeriesLocked(symbol));
  if (v == nullptr) return std::optional<Bar>();
  auto dates = v->dates();
  auto pos = std::lower_bound(dates.begin(), dates.end(), session);
  if (pos == dates.end() || *pos != session) return std::optional<Bar>();
  const size_t i = static_cast<size_t>(pos - dates.begin());
  const double close = v->close()[i];
  if (v->info().close_only) return std::optional<Bar>(Bar{session, close, close, close, close, 0});
  return std::optional<Bar>(
      Bar{session, v->open()[i], v->high()[i], v->low()[i], close, v->volume()[i]});
}

}  // namespace kairos::engine
