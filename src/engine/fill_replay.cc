#include "engine/fill_replay.h"

#include "engine/ledger.h"

namespace kairos::engine {

Result<const FillReplay*> FillReplays::UpTo(const std::string& strategy, const Currency& currency,
                                            Date up_to, bool fresh) {
  FillReplay& r = replays_[strategy];
  if (fresh || (r.last && up_to < *r.last)) r = FillReplay{};
  ports::FillFilter f;
  f.strategy = strategy;
  f.from = r.last;
  f.to = up_to;
  KAIROS_ASSIGN_OR_RETURN(auto fills, store_.ledger().ListFills(f));
  std::set<std::string> ids_on_up_to;
  if (r.last && *r.last == up_to) ids_on_up_to = r.ids_on_last;
  for (const auto& [owner, fill] : fills) {
    if (r.last && fill.session == *r.last && r.ids_on_last.count(fill.execution_id)) continue;
    Position& p = r.positions[fill.symbol];
    p.strategy = owner;
    p.symbol = fill.symbol;
    Result<FillEffect> e = ApplyFill(p, fill, currency);
    if (!e.ok()) {
      r = FillReplay{};
      return e.status();
    }
    if (p.qty.units() == 0) r.positions.erase(fill.symbol);
    r.realized_cum += e->realized;
    r.fees_cum += e->fees;
    r.realized_on[fill.session] += e->realized;
    r.fees_on[fill.session] += e->fees;
    r.net_of[fill.symbol] += fill.side == Side::kBuy ? fill.qty.units() : -fill.qty.units();
    ++r.fills;
    if (fill.session == up_to) ids_on_up_to.insert(fill.execution_id);
  }
  r.last = up_to;
  r.ids_on_last = std::move(ids_on_up_to);
  return &r;
}

}  // namespace kairos::engine
