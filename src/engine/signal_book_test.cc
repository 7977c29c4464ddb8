#include "engine/signal_book.h"

#include <gtest/gtest.h>

#include "engine/testing/fakes.h"

namespace kairos::engine {
namespace {

using testing::FakeStore;

int64_t At(std::string_view iso) { return Timestamp::Parse(iso).value().nanos(); }
Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

const calendar::ExchangeCalendar& Nyse() {
  return *calendar::ExchangeCalendar::ForExchange("NYSE").value();
}

Signal Entry(std::string symbol, Date session, Date execute_on) {
  Signal s;
  s.strategy = "rsi_dip";
  s.strategy_version = 1;
  s.symbol = std::move(symbol);
  s.session = session;
  s.execute_on = execute_on;
  s.side = Side::kBuy;
  s.kind = SignalKind::kEntry;
  s.terms = {{"rsi", 27.5}};
  s.reason = "entry_rule";
  return s;
}

class SignalBookTest : public ::testing::Test {
 protected:
  FakeStore store_;
  ports::ManualClock clock_{At("2024-03-01T21:00:00Z")};
  SignalBook book_{store_, clock_};

  Signal Get(int64_t id) { return store_.signals().Get(id).value().value(); }
};

TEST_F(SignalBookTest, ManualSignalIsPendingAndStoredOnce) {
  auto a = book_.Record(Entry("GOOG", D(2024, 3, 1), D(2024, 3, 4)), Approval::kManual).value();
  EXPECT_TRUE(a.second);
  EXPECT_EQ(a.first.status, SignalStatus::kPendingReview);
  EXPECT_EQ(a.first.decided_by, "");
  EXPECT_EQ(a.first.created_ns, clock_.NowNs());
  auto b = book_.Record(Entry("GOOG", D(2024, 3, 1), D(2024, 3, 4)), Approval::kManual).value();
  EXPECT_FALSE(b.second);
  EXPECT_EQ(b.first.id, a.first.id);
  EXPECT_EQ(store_.signals().List({}).value().size(), 1u);
  // One audit row (the creation), not two.
  EXPECT_EQ(store_.audit().List("signal:").value().size(), 1u);
}

TEST_F(SignalBookTest, AutoAndExitSignalsAreApprovedByAutoWithAudit) {
  auto a = book_.Record(Entry("GOOG", D(2024, 3, 1), D(2024, 3, 4)), Approval::kAuto).value();
  EXPECT_EQ(a.first.status, SignalStatus::kApproved);
  EXPECT_EQ(a.first.decided_by, "auto");
  Signal exit = Entry("MSFT", D(2024, 3, 1), D(2024, 3, 4));
  exit.kind = SignalKind::kExit;
  exit.side = Side::kSell;
  exit.reason = "stop_loss";
  auto e = book_.Record(exit, Approval::kManual).value();
  EXPECT_EQ(e.first.status, SignalStatus::kApproved);
  auto audit = store_.audit().List("signal:").value();
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].action, "signal.approve");
  EXPECT_EQ(audit[0].actor, "auto");
  EXPECT_EQ(audit[0].subject, "signal:" + std::to_string(a.first.id));
}

TEST_F(SignalBookTest, ApproveAndRejectAreCompareAndSetWithAudit) {
  int64_t id =
      book_.Record(Entry("GOOG", D(2024, 3, 1), D(2024, 3, 4)), Approval::kManual)->first.id;
  int64_t id2 =
      book_.Record(Entry("MSFT", D(2024, 3, 1), D(2024, 3, 4)), Approval::kManual)->first.id;
  clock_.AdvanceTo(At("2024-03-01T22:00:00Z"));
  ASSERT_TRUE(book_.Approve(id, "cli", "looks good").ok());
  Signal s = Get(id);
  EXPECT_EQ(s.status, SignalStatus::kApproved);
  EXPECT_EQ(s.decided_by, "cli");
  EXPECT_EQ(s.decided_ns, At("2024-03-01T22:00:00Z"));
  EXPECT_EQ(s.note, "looks good");

  // Deciding twice: the second loses and changes nothing.
  Status again = book_.Reject(id, "telegram:7", "");
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(again.message(), "signal " + std::to_string(id) + " is approved, not pending_review");
  EXPECT_EQ(Get(id).status, SignalStatus::kApproved);
  EXPECT_EQ(Get(id).decided_by, "cli");

  ASSERT_TRUE(book_.Reject(id2, "cli", "too late in the trend").ok());
  EXPECT_EQ(Get(id2).status, SignalStatus::kRejected);

  auto audit = store_.audit().List("signal:" + std::to_string(id)).value();
  ASSERT_EQ(audit.size(), 2u);  // created, approved
  EXPECT_EQ(audit[1].action, "signal.approve");
  EXPECT_EQ(audit[1].actor, "cli");
  EXPECT_EQ(audit[1].detail, "pending_review -> approved: looks good");
}

TEST_F(SignalBookTest, UnknownIdIsNotFound) {
  Status st = book_.Approve(99, "cli", "");
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_EQ(st.message(), "no signal 99");
  EXPECT_TRUE(store_.audit().List("").value().empty());
}

TEST(ReviewCutoffTest, LocalTimeOfTheExecuteSessionThroughTheCalendar) {
  // 09:00 New York: 14:00 UTC in winter (EST), 13:00 UTC in summer (EDT).
  EXPECT_EQ(ReviewCutoffNs(Nyse(), D(2024, 3, 4), 9 * 60).value(), At("2024-03-04T14:00:00Z"));
  EXPECT_EQ(ReviewCutoffNs(Nyse(), D(2024, 7, 1), 9 * 60).value(), At("2024-07-01T13:00:00Z"));
  EXPECT_EQ(ReviewCutoffNs(Nyse(), D(2024, 3, 2), 9 * 60).status().code(), StatusCode::kNotFound);
}

TEST_F(SignalBookTest, ExpiresExactlyAtTheCutoff) {
  StrategySpec spec;
  spec.name = "rsi_dip";
  spec.review_cutoff_minute = 9 * 60;
  ASSERT_TRUE(store_.strategies().Import(spec, "name = \"rsi_dip\"").ok());
  int64_t id =
      book_.Record(Entry("GOOG", D(2024, 3, 1), D(2024, 3, 4)), Approval::kManual)->first.id;
  int64_t later =
      book_.Record(Entry("GOOG", D(2024, 3, 4), D(2024, 3, 5)), Approval::kManual)->first.id;
  clock_.AdvanceTo(At("2024-03-04T13:59:59Z"));
  EXPECT_EQ(book_.ExpireDue(Nyse()).value(), 0);
  EXPECT_EQ(Get(id).status, SignalStatus::kPendingReview);
  clock_.AdvanceTo(At("2024-03-04T14:00:00Z"));
  EXPECT_EQ(book_.ExpireDue(Nyse()).value(), 1);
  Signal s = Get(id);
  EXPECT_EQ(s.status, SignalStatus::kExpired);
  EXPECT_EQ(s.decided_by, "expiry");
  EXPECT_EQ(s.note, "review cut-off 2024-03-04T14:00:00Z passed");
  EXPECT_EQ(Get(later).status, SignalStatus::kPendingReview);
  // Approving an expired signal is refused and changes nothing.
  Status st = book_.Approve(id, "cli", "");
  EXPECT_EQ(st.message(), "signal " + std::to_string(id) + " is expired, not pending_review");
  EXPECT_EQ(Get(id).status, SignalStatus::kExpired);
  // Running the expiry again changes nothing.
  EXPECT_EQ(book_.ExpireDue(Nyse()).value(), 0);
}

TEST_F(SignalBookTest, ApprovedBeforeTheCutoffDoesNotExpire) {
  int64_t id =
      book_.Record(Entry("GOOG", D(2024, 3, 1), D(2024, 3, 4)), Approval::kManual)->first.id;
  clock_.AdvanceTo(At("2024-03-04T13:30:00Z"));
  ASSERT_TRUE(book_.Approve(id, "cli", "").ok());
  clock_.AdvanceTo(At("2024-03-04T14:29:00Z"));
  EXPECT_EQ(book_.ExpireDue(Nyse()).value(), 0);
  EXPECT_EQ(Get(id).status, SignalStatus::kApproved);
}

}  // namespace
}  // namespace kairos::engine
