#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "domain/trading.h"
#include "ports/store.h"

namespace kairos::engine {

// Each strategy's positions as the store last listed them, kept until something may have
// changed them (a new phase, the order manager's Sync or Submit, a position written other than
// through PutListed: each calls MarkStale), so that a phase consulting them several times lists
// them once. A reference stays valid until the next Of or Listed call.
class PositionList {
 public:
  explicit PositionList(ports::Store& store) : store_(store) {}

  void MarkStale() { stale_ = true; }

  Result<const std::vector<Position>*> Of(const std::string& strategy);

  // The kept list itself: a caller that writes one of its positions back through PutListed
  // keeps it current.
  Result<std::vector<Position>*> Listed(const std::string& strategy);

  // Writes `p`; the kept lists are stale after.
  Status Put(const Position& p);

  // Writes `p`, an open position of a kept list changed in place, which stays current.
  Status PutListed(const Position& p);

 private:
  ports::Store& store_;
  std::map<std::string, std::vector<Position>, std::less<>> read_;
  bool stale_ = true;
};

}  // namespace kairos::engine
