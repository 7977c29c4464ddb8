#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/sqlite/repositories.h"
#include "ports/store_errors.h"

namespace kairos::adapters::sqlite {
namespace {

using ports::OutboxFilter;
using ports::OutboxMessage;

constexpr std::string_view kOutboxSelect =
    "SELECT id, kind, text, silent, key, payload, created_ns, sent_ns, attempts, last_error, "
    "external_id FROM outbox ";

Result<OutboxMessage> ReadMessage(const Statement& s) {
  OutboxMessage m;
  m.id = s.Int(0);
  m.kind = s.Text(1);
  m.text = s.Text(2);
  m.silent = s.Int(3) != 0;
  m.key = s.Text(4);
  m.payload = s.Text(5);
  m.created_ns = s.Int(6);
  m.sent_ns = s.Int(7);
  m.attempts = static_cast<int>(s.Int(8));
  m.last_error = s.Text(9);
  m.external_id = s.Text(10);
  return m;
}

class SqliteOutbox : public ports::OutboxRepository {
 public:
  explicit SqliteOutbox(Connection& c) : c_(c) {}

  // Insert-or-nothing on the key, then read the stored message, in one transaction.
  Result<OutboxMessage> Enqueue(const OutboxMessage& m) override {
    if (m.kind.empty()) return ports::OutboxMessageWithoutKind();
    if (m.key.empty()) return ports::OutboxMessageWithoutKey();
    std::lock_guard lock(c_.mu());
    OutboxMessage out;
    KAIROS_RETURN_IF_ERROR(c_.Atomic([&]() -> Status {
      KAIROS_ASSIGN_OR_RETURN(
          auto insert,
          c_.db().Prepare("INSERT INTO outbox (kind, text, silent, key, payload, created_ns, "
                          "last_error, external_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                          "ON CONFLICT (key) DO NOTHING",
                          "enqueueing an outbox message"));
      KAIROS_RETURN_IF_ERROR(insert
                                 .Bind(m.kind, m.text, m.silent, m.key, m.payload, m.created_ns,
                                       m.last_error, m.external_id)
                                 .Run());
      KAIROS_ASSIGN_OR_RETURN(auto select,
                              c_.db().Prepare(std::string(kOutboxSelect) + "WHERE key = ?",
                                              "reading an enqueued outbox message"));
      KAIROS_ASSIGN_OR_RETURN(auto stored, ReadOne<OutboxMessage>(select.Bind(m.key), ReadMessage));
      if (!stored) return Status::Internal("an enqueued outbox message is not stored");
      out = std::move(*stored);
      return Status::Ok();
    }));
    return out;
  }

  Result<std::vector<OutboxMessage>> Pending(int limit) override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(auto s, c_.db().Prepare(std::string(kOutboxSelect) +
                                                        "WHERE sent_ns = 0 ORDER BY id LIMIT ?",
                                                    "listing pending outbox messages"));
    s.Bind(limit > 0 ? int64_t{limit} : int64_t{-1});
    return ReadAll<OutboxMessage>(s, ReadMessage);
  }

  Status MarkSent(int64_t id, int64_t sent_ns, std::string_view external_id) override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare("UPDATE outbox SET sent_ns = ?, external_id = ? WHERE id = ?",
                                "marking an outbox message sent"));
    KAIROS_RETURN_IF_ERROR(s.Bind(sent_ns, external_id, id).Run());
    if (c_.db().Changes() == 0) return ports::NoOutboxMessageWithId(id);
    return Status::Ok();
  }

  Status MarkFailed(int64_t id, std::string_view error) override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare("UPDATE outbox SET attempts = attempts + 1, last_error = ? "
                                "WHERE id = ?",
                                "marking an outbox message failed"));
    KAIROS_RETURN_IF_ERROR(s.Bind(error, id).Run());
    if (c_.db().Changes() == 0) return ports::NoOutboxMessageWithId(id);
    return Status::Ok();
  }

  Result<std::vector<OutboxMessage>> List(const OutboxFilter& f) override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare(std::string(kOutboxSelect) +
                                    "WHERE (?1 = 0 OR sent_ns = 0) AND (?2 = '' OR kind = ?2) "
                                    "AND created_ns >= ?3 ORDER BY CASE WHEN ?4 > 0 THEN -id "
                                    "ELSE id END LIMIT ?4",
                                "listing outbox messages"));
    s.Bind(f.unsent_only, f.kind, f.since_ns, f.limit > 0 ? int64_t{f.limit} : int64_t{-1});
    return ReadAll<OutboxMessage>(s, ReadMessage);
  }

 private:
  Connection& c_;
};

}  // namespace

std::unique_ptr<ports::OutboxRepository> NewOutboxRepository(Connection& c) {
  return std::make_unique<SqliteOutbox>(c);
}

}  // namespace kairos::adapters::sqlite
