#include "domain/signal_transition.h"

#include <gtest/gtest.h>

namespace kairos {
namespace {

TEST(SignalTransitionAuditTest, DecisionsHaveTheirOwnVerbs) {
  EXPECT_EQ(
      SignalTransitionAudit(1, SignalStatus::kPendingReview, SignalStatus::kApproved, "cli", "", 5)
          .action,
      "signal.approve");
  EXPECT_EQ(
      SignalTransitionAudit(1, SignalStatus::kPendingReview, SignalStatus::kRejected, "cli", "", 5)
          .action,
      "signal.reject");
  EXPECT_EQ(SignalTransitionAudit(1, SignalStatus::kPendingReview, SignalStatus::kExpired, "engine",
                                  "", 5)
                .action,
            "signal.expire");
}

TEST(SignalTransitionAuditTest, OtherStatusesAreNamedAfterTheNewStatus) {
  EXPECT_EQ(
      SignalTransitionAudit(1, SignalStatus::kApproved, SignalStatus::kOrdered, "engine", "", 5)
          .action,
      "signal.ordered");
  EXPECT_EQ(SignalTransitionAudit(1, SignalStatus::kOrdered, SignalStatus::kPartiallyFilled,
                                  "engine", "", 5)
                .action,
            "signal.partially_filled");
}

TEST(SignalTransitionAuditTest, RecordsWhoWhenWhatAndTheNote) {
  AuditEntry e = SignalTransitionAudit(12, SignalStatus::kPendingReview, SignalStatus::kRejected,
                                       "telegram:7", "too late", 1'700'000'000);
  EXPECT_EQ(e.id, 0);
  EXPECT_EQ(e.time_ns, 1'700'000'000);
  EXPECT_EQ(e.actor, "telegram:7");
  EXPECT_EQ(e.subject, "signal:12");
  EXPECT_EQ(e.detail, "pending_review -> rejected: too late");
}

TEST(SignalTransitionAuditTest, DetailWithoutANoteIsJustTheChange) {
  EXPECT_EQ(
      SignalTransitionAudit(3, SignalStatus::kApproved, SignalStatus::kFailed, "engine", "", 0)
          .detail,
      "approved -> failed");
}

TEST(SignalNotInStatusTest, NamesTheSignalItsStatusAndTheExpectedOne) {
  Status st = SignalNotInStatus(12, SignalStatus::kExpired, SignalStatus::kPendingReview);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "signal 12 is expired, not pending_review");
  EXPECT_EQ(SignalNotInStatus(4, "approved", SignalStatus::kPendingReview).message(),
            "signal 4 is approved, not pending_review");
}

}  // namespace
}  // namespace kairos
