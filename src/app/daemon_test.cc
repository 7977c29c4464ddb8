#include "app/daemon.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/memory/memory_store.h"

namespace kairos::app {
namespace {

class RecordingNotifier final : public ports::Notifier {
 public:
  ports::Delivery Send(const ports::OutboxMessage& m) override {
    sent.push_back(m);
    ports::Delivery d;
    if (!failures.empty()) {
      d = failures.front();
      failures.erase(failures.begin());
      return d;
    }
    d.sent = true;
    d.external_id = "ext" + std::to_string(m.id);
    return d;
  }
  std::vector<ports::OutboxMessage> sent;
  std::vector<ports::Delivery> failures;
};

class DeliverPendingTest : public ::testing::Test {
 protected:
  DeliverPendingTest() : store_(adapters::memory::OpenStore()), clock_(5'000) {
    config_ = DefaultConfig();
  }
  void Enqueue(const std::string& kind, const std::string& key) {
    engine::Alerts alerts(*store_, clock_, AlertOptions(config_));
    ASSERT_TRUE(alerts.Notify(kind, key, key).ok());
  }
  std::vector<ports::OutboxMessage> All() { return *store_->outbox().List({}); }

  std::unique_ptr<ports::Store> store_;
  ports::ManualClock clock_;
  DaemonConfig config_;
  RecordingNotifier notifier_;
};

TEST_F(DeliverPendingTest, SendsInIdOrderAndMarksEachSent) {
  Enqueue("job.failed", "a");
  Enqueue("order.filled", "b");
  int delivered = 0;
  ASSERT_EQ(*DeliverPending(*store_, notifier_, clock_, &delivered), 0);
  EXPECT_EQ(delivered, 2);
  ASSERT_EQ(notifier_.sent.size(), 2u);
  EXPECT_EQ(notifier_.sent[0].key, "a");
  EXPECT_EQ(All()[1].external_id, "ext2");
  EXPECT_EQ(All()[1].sent_ns, 5'000);
  // Nothing is sent twice.
  ASSERT_EQ(*DeliverPending(*store_, notifier_, clock_), 0);
  EXPECT_EQ(notifier_.sent.size(), 2u);
}

TEST_F(DeliverPendingTest, OffIsStoredDeliveredWithoutSendingAndSilentHasNoSound) {
  config_.alerts["job.failed"] = jobs::AlertLevel::kOff;
  config_.alerts["order.filled"] = jobs::AlertLevel::kSilent;
  Enqueue("job.failed", "a");
  Enqueue("order.filled", "b");
  ASSERT_TRUE(DeliverPending(*store_, notifier_, clock_).ok());
  ASSERT_EQ(notifier_.sent.size(), 1u);
  EXPECT_EQ(notifier_.sent[0].key, "b");
  EXPECT_TRUE(notifier_.sent[0].silent);
  EXPECT_EQ(All()[0].external_id, "off");
  EXPECT_GT(All()[0].sent_ns, 0);
}

TEST_F(DeliverPendingTest, RetryAfterStopsTheQueueAndKeepsTheMessagePending) {
  Enqueue("job.failed", "a");
  Enqueue("job.failed", "b");
  ports::Delivery wait;
  wait.error = "429";
  wait.retry_after_ns = 7'000'000'000;
  notifier_.failures.push_back(wait);
  EXPECT_EQ(*DeliverPending(*store_, notifier_, clock_), 7'000'000'000);
  EXPECT_EQ(notifier_.sent.size(), 1u);  // b waits behind a
  auto pending = *store_->outbox().Pending(0);
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].attempts, 1);
  EXPECT_EQ(pending[0].last_error, "429");
  ASSERT_EQ(*DeliverPending(*store_, notifier_, clock_), 0);
  EXPECT_TRUE(store_->outbox().Pending(0)->empty());
}

TEST_F(DeliverPendingTest, PermanentFailureDoesNotHoldBackTheRest) {
  Enqueue("job.failed", "a");
  Enqueue("job.failed", "b");
  ports::Delivery bad;
  bad.error = "400 bad text";
  bad.permanent = true;
  notifier_.failures.push_back(bad);
  ASSERT_EQ(*DeliverPending(*store_, notifier_, clock_), 0);
  EXPECT_EQ(All()[0].external_id, "undeliverable");
  EXPECT_EQ(All()[0].last_error, "400 bad text");
  EXPECT_EQ(All()[1].external_id, "ext2");
}

TEST(JobInstancesTest, SessionJobsWithoutCalendarRunPerExchange) {
  DaemonConfig config = DefaultConfig();
  auto instances = JobInstances(config, {"NSE", "NYSE"});
  std::vector<std::string> names;
  for (const auto& s : instances) names.push_back(s.name);
  EXPECT_NE(std::find(names.begin(), names.end(), "orders.open@NSE"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "orders.open@NYSE"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "heartbeat"), names.end());
  for (const auto& s : instances) {
    if (s.name == "orders.open@NSE") EXPECT_EQ(s.schedule.calendar, "NSE");
  }
}

TEST(JobInstancesTest, EnabledStateFollowsTheInstanceThenTheBaseName) {
  auto store = adapters::memory::OpenStore();
  scheduler::JobSpec spec;
  spec.name = "orders.open@NSE";
  EXPECT_TRUE(*JobEnabled(*store, spec));
  ASSERT_TRUE(store->state().Put(JobEnabledKey("orders.open"), "false").ok());
  EXPECT_FALSE(*JobEnabled(*store, spec));
  ASSERT_TRUE(store->state().Put(JobEnabledKey("orders.open@NSE"), "true").ok());
  EXPECT_TRUE(*JobEnabled(*store, spec));
}

}  // namespace
}  // namespace kairos::app
