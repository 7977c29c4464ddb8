#include "ports/nested_transaction.h"

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

namespace kairos::ports {
namespace {

// Records what the helper asks the store to do, in order.
struct Store {
  NestedTransaction txn;
  std::string log;
  Status begin_status;
  Status commit_status;

  template <typename Body>
  Status Run(const Body& body) {
    return txn.Run(
        body,
        [&] {
          log += "begin ";
          return begin_status;
        },
        [&] {
          log += "commit ";
          return commit_status;
        },
        [&] { log += "rollback "; });
  }
};

TEST(NestedTransactionTest, ATopLevelBodyThatSucceedsCommits) {
  Store s;
  EXPECT_TRUE(s.Run([&] {
                 EXPECT_TRUE(s.txn.open());
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(s.log, "begin commit ");
  EXPECT_FALSE(s.txn.open());
}

TEST(NestedTransactionTest, ANestedCallJoinsTheOuterTransaction) {
  Store s;
  EXPECT_TRUE(s.Run([&] { return s.Run([] { return Status::Ok(); }); }).ok());
  EXPECT_EQ(s.log, "begin commit ");
}

TEST(NestedTransactionTest, AFailedBeginRunsNothing) {
  Store s;
  s.begin_status = Status::Unavailable("locked");
  bool ran = false;
  Status status = s.Run([&] {
    ran = true;
    return Status::Ok();
  });
  EXPECT_EQ(status.ToString(), Status::Unavailable("locked").ToString());
  EXPECT_FALSE(ran);
  EXPECT_EQ(s.log, "begin ");
  EXPECT_FALSE(s.txn.open());
}

TEST(NestedTransactionTest, AFailedCommitRollsBackAndIsReported) {
  Store s;
  s.commit_status = Status::Internal("disk full");
  Status status = s.Run([] { return Status::Ok(); });
  EXPECT_EQ(status.ToString(), Status::Internal("disk full").ToString());
  EXPECT_EQ(s.log, "begin commit rollback ");
}

TEST(NestedTransactionTest, AnInnerFailureTheOuterBodyIgnoresStillRollsBack) {
  Store s;
  Status inner;
  Status status = s.Run([&] {
    inner = s.Run([] { return Status::NotFound("gone"); });
    return Status::Ok();
  });
  EXPECT_EQ(inner.ToString(), Status::NotFound("gone").ToString());
  EXPECT_EQ(status.ToString(), Status::NotFound("gone")
                                   .WithContext("transaction rolled back after an inner failure")
                                   .ToString());
  EXPECT_EQ(s.log, "begin rollback ");
  // The doom ends with its transaction.
  s.log.clear();
  EXPECT_TRUE(s.Run([] { return Status::Ok(); }).ok());
  EXPECT_EQ(s.log, "begin commit ");
}

TEST(NestedTransactionTest, TheOuterBodysOwnFailureIsReportedOverTheInnerOne) {
  Store s;
  Status status = s.Run([&] {
    (void)s.Run([] { return Status::NotFound("inner"); });
    return Status::FailedPrecondition("outer");
  });
  EXPECT_EQ(status.ToString(), Status::FailedPrecondition("outer").ToString());
  EXPECT_EQ(s.log, "begin rollback ");
}

TEST(NestedTransactionTest, AStdExceptionBecomesInternalAndRollsBack) {
  Store s;
  Status status = s.Run(
      [&]() -> Status { return s.Run([]() -> Status { throw std::runtime_error("boom"); }); });
  EXPECT_EQ(status.ToString(), Status::Internal("exception in a transaction: boom").ToString());
  EXPECT_EQ(s.log, "begin rollback ");
  EXPECT_FALSE(s.txn.open());
}

TEST(NestedTransactionTest, AnyOtherExceptionRollsBackAndPassesOn) {
  Store s;
  EXPECT_THROW((void)s.Run([&]() -> Status { return s.Run([]() -> Status { throw 42; }); }), int);
  EXPECT_EQ(s.log, "begin rollback ");
  EXPECT_FALSE(s.txn.open());
  s.log.clear();
  EXPECT_TRUE(s.Run([] { return Status::Ok(); }).ok());
  EXPECT_EQ(s.log, "begin commit ");
}

TEST(NestedTransactionTest, RunGuardedTurnsAStdExceptionIntoInternal) {
  Status status = NestedTransaction::RunGuarded([]() -> Status { throw std::logic_error("bad"); });
  EXPECT_EQ(status.ToString(), Status::Internal("exception in a transaction: bad").ToString());
}

}  // namespace
}  // namespace kairos::ports
