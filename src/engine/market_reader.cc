#include "engine/market_reader.h"

#include <algorithm>
#include <set>

namespace kairos::engine {

Result<ScanResult> StoreMarketReader::ScanAsOf(const ScanRequest& request,
                                               std::string_view rule_key) {
  (void)rule_key;
  return Scan(bars_, cal_, request);
}

Result<std::vector<uint8_t>> MarketReader::MatchFlags(const ScanRequest& request,
                                                      std::string_view rule_key) {
  KAIROS_ASSIGN_OR_RETURN(ScanResult result, ScanAsOf(request, rule_key));
  std::set<std::string_view> matched;
  for (const ScanMatch& m : result.matches) {
    if (request.as_of && m.date == *request.as_of) matched.insert(m.symbol);
  }
  std::vector<uint8_t> out(request.symbols.size(), 0);
  for (size_t i = 0; i < out.size(); ++i) out[i] = matched.count(request.symbols[i]) ? 1 : 0;
  return out;
}

Result<std::optional<double>> StoreMarketReader::Close(const std::string& symbol, Date day,
                                                       bool at_or_before) {
  auto it = closes_.find(symbol);
  if (it == closes_.end()) {
    KAIROS_ASSIGN_OR_RETURN(auto view, bars_.ReadColumns(symbol, {marketdata::Column::kClose}));
    it = closes_.emplace(symbol, std::move(view)).first;
  }
  const marketdata::SeriesView& v = *it->second;
  auto dates = v.dates();
  auto at = std::upper_bound(dates.begin(), dates.end(), day);
  if (at == dates.begin()) return std::optional<double>();
  --at;
  if (!at_or_before && *at != day) return std::optional<double>();
  return std::optional<double>(v.close()[at - dates.begin()]);
}

}  // namespace kairos::engine
