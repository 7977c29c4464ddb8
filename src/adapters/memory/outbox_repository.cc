#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/memory/repositories.h"
#include "adapters/memory/tables.h"
#include "ports/store_errors.h"

namespace kairos::adapters::memory {
namespace {

using ports::OutboxFilter;
using ports::OutboxMessage;

class MemoryOutbox : public ports::OutboxRepository {
 public:
  explicit MemoryOutbox(Tables& t) : t_(t) {}

  Result<OutboxMessage> Enqueue(const OutboxMessage& m) override {
    if (m.kind.empty()) return ports::OutboxMessageWithoutKind();
    if (m.key.empty()) return ports::OutboxMessageWithoutKey();
    std::lock_guard lock(t_.mu);
    if (auto it = t_.outbox_by_key.find(m.key); it != t_.outbox_by_key.end()) {
      return Row(it->second);
    }
    OutboxMessage stored = m;
    stored.sent_ns = 0;
    stored.attempts = 0;
    return Row(t_.AppendOutbox(std::move(stored)));
  }

  Result<std::vector<OutboxMessage>> Pending(int limit) override {
    std::lock_guard lock(t_.mu);
    std::vector<OutboxMessage> out;
    for (int64_t id : t_.outbox_unsent) {
      if (limit > 0 && out.size() >= static_cast<size_t>(limit)) break;
      out.push_back(Row(id));
    }
    return out;
  }

  Status MarkSent(int64_t id, int64_t sent_ns, std::string_view external_id) override {
    std::lock_guard lock(t_.mu);
    if (!Exists(id)) return ports::NoOutboxMessageWithId(id);
    const OutboxMessage& m = Row(id);
    t_.MarkOutbox(id, sent_ns, m.attempts, m.last_error, std::string(external_id));
    return Status::Ok();
  }

  Status MarkFailed(int64_t id, std::string_view error) override {
    std::lock_guard lock(t_.mu);
    if (!Exists(id)) return ports::NoOutboxMessageWithId(id);
    const OutboxMessage& m = Row(id);
    t_.MarkOutbox(id, m.sent_ns, m.attempts + 1, std::string(error), m.external_id);
    return Status::Ok();
  }

  // Walks the smallest index the filter names (unsent ids, ids of the kind, else every id),
  // newest first when a limit is set.
  Result<std::vector<OutboxMessage>> List(const OutboxFilter& f) override {
    std::lock_guard lock(t_.mu);
    std::vector<OutboxMessage> out;
    const std::vector<int64_t>* by_kind = nullptr;
    if (!f.kind.empty()) {
      by_kind = FindIds(t_.outbox_by_kind, f.kind);
      if (by_kind == nullptr) return out;
    }
    std::vector<int64_t> ids;
    if (f.unsent_only && (by_kind == nullptr || t_.outbox_unsent.size() < by_kind->size())) {
      ids.assign(t_.outbox_unsent.begin(), t_.outbox_unsent.end());
    } else if (by_kind != nullptr) {
      ids = *by_kind;
    } else {
      ids.reserve(t_.outbox.size());
      for (size_t i = 1; i <= t_.outbox.size(); ++i) ids.push_back(static_cast<int64_t>(i));
    }
    auto visit = [&](int64_t id) {
      const OutboxMessage& m = Row(id);
      if ((f.unsent_only && m.sent_ns != 0) || (!f.kind.empty() && m.kind != f.kind) ||
          m.created_ns < f.since_ns) {
        return;
      }
      out.push_back(m);
    };
    if (f.limit > 0) {
      for (auto it = ids.rbegin(); it != ids.rend() && out.size() < static_cast<size_t>(f.limit);
           ++it) {
        visit(*it);
      }
    } else {
      for (int64_t id : ids) visit(id);
    }
    return out;
  }

 private:
  bool Exists(int64_t id) const { return id >= 1 && id <= static_cast<int64_t>(t_.outbox.size()); }
  const OutboxMessage& Row(int64_t id) const { return t_.outbox[static_cast<size_t>(id - 1)]; }

  Tables& t_;
};

}  // namespace

std::unique_ptr<ports::OutboxRepository> NewOutboxRepository(Tables& t) {
  return std::make_unique<MemoryOutbox>(t);
}

}  // namespace kairos::adapters::memory
