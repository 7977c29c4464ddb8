#include "engine/session_index.h"

#include <algorithm>

namespace kairos::engine {

int SessionIndex::SessionsHeld(Date entry, Date session) {
  if (!(entry < session)) return 0;
  if (!known_ || entry < from_ || to_ < session) {
    from_ = known_ ? std::min(entry, from_) : entry;
    // A year ahead, so that a forward run lists the sessions once a year.
    to_ = (known_ ? std::max(session, to_) : session).AddDays(366);
    sessions_ = cal_.Sessions(from_, to_);
    known_ = true;
  }
  auto after = [&](Date d) { return std::upper_bound(sessions_.begin(), sessions_.end(), d); };
  return static_cast<int>(after(session) - after(entry));
}

}  // namespace kairos::engine
