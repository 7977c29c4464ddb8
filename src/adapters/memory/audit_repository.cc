#include "adapters/memory/repositories.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "adapters/memory/tables.h"

namespace kairos::adapters::memory {
namespace {

class MemoryAudit : public ports::AuditRepository {
 public:
  explicit MemoryAudit(Tables& t) : t_(t) {}

  Status Append(const AuditEntry& entry) override {
    std::lock_guard lock(t_.mu);
    t_.AppendAudit(entry);
    return Status::Ok();
  }

  // The prefix is literal (no wildcards): the subjects from the first one >= the prefix up to
  // the first that does not start with it.
  Result<std::vector<AuditEntry>> List(std::string_view subject_prefix) override {
    std::lock_guard lock(t_.mu);
    std::vector<AuditEntry> out;
    if (subject_prefix.empty()) {
      out.reserve(t_.audit.size());
      for (size_t i = 0; i < t_.audit.size(); ++i) out.push_back(t_.audit[i]);
      return out;
    }
    t_.IndexAudit();
    std::vector<int64_t> ids;
    bool sorted = true;
    for (auto it = t_.audit_by_subject.lower_bound(subject_prefix);
         it != t_.audit_by_subject.end() && it->first.starts_with(subject_prefix); ++it) {
      if (!ids.empty() && it->second < ids.back()) sorted = false;
      ids.push_back(it->second);
    }
    if (!sorted) std::sort(ids.begin(), ids.end());
    out.reserve(ids.size());
    for (int64_t id : ids) out.push_back(t_.audit[static_cast<size_t>(id - 1)]);
    return out;
  }

 private:
  Tables& t_;
};

}  // namespace

std::unique_ptr<ports::AuditRepository> NewAuditRepository(Tables& t) {
  return std::make_unique<MemoryAudit>(t);
}

}  // namespace kairos::adapters::memory
