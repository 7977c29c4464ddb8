#include "domain/signal_transition.h"

#include <string>

#include <fmt/format.h>

namespace kairos {
namespace {

std::string TransitionAction(SignalStatus to) {
  switch (to) {
    case SignalStatus::kApproved:
      return "signal.approve";
    case SignalStatus::kRejected:
      return "signal.reject";
    case SignalStatus::kExpired:
      return "signal.expire";
    default:
      return fmt::format("signal.{}", SignalStatusName(to));
  }
}

}  // namespace

AuditEntry SignalTransitionAudit(int64_t id, SignalStatus from, SignalStatus to,
                                 std::string_view by, std::string_view note, int64_t time_ns) {
  AuditEntry entry;
  entry.time_ns = time_ns;
  entry.actor = std::string(by);
  entry.action = TransitionAction(to);
  entry.subject = fmt::format("signal:{}", id);
  entry.detail = fmt::format("{} -> {}", SignalStatusName(from), SignalStatusName(to));
  if (!note.empty()) entry.detail += fmt::format(": {}", note);
  return entry;
}

Status SignalNotInStatus(int64_t id, std::string_view actual, SignalStatus expected) {
  return Status::FailedPrecondition(
      fmt::format("signal {} is {}, not {}", id, actual, SignalStatusName(expected)));
}

Status SignalNotInStatus(int64_t id, SignalStatus actual, SignalStatus expected) {
  return SignalNotInStatus(id, SignalStatusName(actual), expected);
}

}  // namespace kairos
