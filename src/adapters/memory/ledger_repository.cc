#include "adapters/memory/repositories.h"

#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/memory/tables.h"
#include "domain/record_checks.h"

namespace kairos::adapters::memory {
namespace {

using ports::FillFilter;

class MemoryLedger : public ports::LedgerRepository {
 public:
  explicit MemoryLedger(Tables& t) : t_(t) {}

  // The schema's CHECK constraints come first (SQLite tests them before the upsert's conflict).
  Result<bool> RecordFill(const Fill& f, std::string_view strategy) override {
    KAIROS_RETURN_IF_ERROR(CheckNewFill(f));
    std::lock_guard lock(t_.mu);
    if (t_.fills_by_execution_id.contains(f.execution_id)) return false;
    t_.AppendFill(f, strategy);
    return true;
  }

  Result<std::vector<std::pair<std::string, Fill>>> ListFills(const FillFilter& f) override {
    std::lock_guard lock(t_.mu);
    std::vector<std::pair<std::string, Fill>> out;
    const std::set<FillOrder>* index = &t_.fills_ordered;
    for (const auto* key : {&f.strategy, &f.symbol}) {
      if (key->empty()) continue;
      auto& map = key == &f.strategy ? t_.fills_by_strategy : t_.fills_by_symbol;
      auto it = map.find(*key);
      if (it == map.end()) return out;
      if (it->second.size() < index->size()) index = &it->second;
    }
    auto it = f.from ? index->lower_bound(FillOrder{*f.from, std::numeric_limits<int64_t>::min(),
                                                    std::numeric_limits<int64_t>::min()})
                     : index->begin();
    for (; it != index->end() && (!f.to || it->session <= *f.to); ++it) {
      const StoredFill& stored = t_.fills[static_cast<size_t>(it->id - 1)];
      if (!f.strategy.empty() && stored.strategy != f.strategy) continue;
      if (!f.symbol.empty() && stored.fill.symbol != f.symbol) continue;
      out.emplace_back(stored.strategy, stored.fill);
    }
    return out;
  }

  Result<std::vector<Position>> Positions(std::string_view strategy) override {
    std::lock_guard lock(t_.mu);
    std::vector<Position> out;
    auto it = strategy.empty() ? t_.positions.begin()
                               : t_.positions.lower_bound(NameView(strategy, std::string_view()));
    for (; it != t_.positions.end(); ++it) {
      if (!strategy.empty() && it->first.first != strategy) break;
      out.push_back(it->second);
    }
    return out;
  }

  Result<std::optional<Position>> GetPosition(std::string_view strategy,
                                              std::string_view symbol) override {
    std::lock_guard lock(t_.mu);
    auto it = t_.positions.find(NameView(strategy, symbol));
    if (it == t_.positions.end()) return std::optional<Position>();
    return std::optional(it->second);
  }

  Status PutPosition(const Position& p) override {
    std::lock_guard lock(t_.mu);
    if (p.qty.units() == 0) {
      t_.ReplacePosition(NameView(p.strategy, p.symbol), std::nullopt);
      return Status::Ok();
    }
    KAIROS_RETURN_IF_ERROR(CheckOpenPosition(p));
    t_.ReplacePosition(NameView(p.strategy, p.symbol), p);
    return Status::Ok();
  }

  Status PutDailyPnl(const DailyPnl& d) override {
    std::lock_guard lock(t_.mu);
    t_.ReplaceDailyPnl(d.strategy, d.session, d);
    return Status::Ok();
  }

  Result<std::vector<DailyPnl>> ListDailyPnl(std::string_view strategy, std::optional<Date> from,
                                             std::optional<Date> to) override {
    std::lock_guard lock(t_.mu);
    std::vector<DailyPnl> out;
    if (!strategy.empty()) {
      auto outer = t_.pnl_by_strategy.find(strategy);
      if (outer == t_.pnl_by_strategy.end()) return out;
      const auto& rows = outer->second;
      auto it = from ? rows.lower_bound(*from) : rows.begin();
      for (; it != rows.end() && (!to || it->first <= *to); ++it) out.push_back(it->second);
      return out;
    }
    auto it = from ? t_.pnl_ordered.lower_bound({*from, std::string()}) : t_.pnl_ordered.begin();
    for (; it != t_.pnl_ordered.end() && (!to || it->first <= *to); ++it) {
      out.push_back(t_.pnl_by_strategy.find(it->second)->second.find(it->first)->second);
    }
    return out;
  }

 private:
  Tables& t_;
};

}  // namespace

std::unique_ptr<ports::LedgerRepository> NewLedgerRepository(Tables& t) {
  return std::make_unique<MemoryLedger>(t);
}

}  // namespace kairos::adapters::memory
