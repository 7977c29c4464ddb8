#pragma once

#include <cstdint>
#include <string_view>

#include "core/status.h"
#include "domain/trading.h"

namespace kairos {

// The rules of a signal's status change (ports::SignalRepository::Transition) that every store
// and the signal book apply, so that their audit rows and refusals read the same.

// The audit row of moving signal `id` from `from` to `to`: actor `by`; action signal.approve,
// signal.reject or signal.expire, else "signal.<to>"; subject "signal:ID"; detail
// "from -> to[: note]". The id is the store's to assign.
AuditEntry SignalTransitionAudit(int64_t id, SignalStatus from, SignalStatus to,
                                 std::string_view by, std::string_view note, int64_t time_ns);

// The refusal of a transition from `expected` when the signal is `actual`: FailedPrecondition
// "signal 12 is expired, not pending_review". `actual` is a status name as stored.
Status SignalNotInStatus(int64_t id, std::string_view actual, SignalStatus expected);
Status SignalNotInStatus(int64_t id, SignalStatus actual, SignalStatus expected);

}  // namespace kairos
