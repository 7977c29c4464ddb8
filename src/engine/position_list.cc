#include "engine/position_list.h"

namespace kairos::engine {

Result<const std::vector<Position>*> PositionList::Of(const std::string& strategy) {
  KAIROS_ASSIGN_OR_RETURN(std::vector<Position> * all, Listed(strategy));
  return all;
}

Result<std::vector<Position>*> PositionList::Listed(const std::string& strategy) {
  if (stale_) {
    read_.clear();
    stale_ = false;
  }
  auto it = read_.find(strategy);
  if (it == read_.end()) {
    KAIROS_ASSIGN_OR_RETURN(std::vector<Position> all, store_.ledger().Positions(strategy));
    it = read_.emplace(strategy, std::move(all)).first;
  }
  return &it->second;
}

Status PositionList::Put(const Position& p) {
  stale_ = true;
  return store_.ledger().PutPosition(p);
}

Status PositionList::PutListed(const Position& p) {
  Status st = store_.ledger().PutPosition(p);
  if (!st.ok()) stale_ = true;
  return st;
}

}  // namespace kairos::engine
