#include <mutex>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/memory/repositories.h"
#include "adapters/memory/tables.h"
#include "ports/store_errors.h"

namespace kairos::adapters::memory {
namespace {

using ports::JobRun;

class MemoryJobRuns : public ports::JobRunRepository {
 public:
  explicit MemoryJobRuns(Tables& t) : t_(t) {}

  Result<std::pair<JobRun, bool>> Claim(std::string_view job, int64_t scheduled_ns,
                                        int64_t now_ns) override {
    if (job.empty()) return ports::JobRunWithoutJob();
    std::lock_guard lock(t_.mu);
    if (auto by_job = t_.job_runs_by_job.find(job); by_job != t_.job_runs_by_job.end()) {
      if (auto it = by_job->second.find(scheduled_ns); it != by_job->second.end()) {
        return std::pair{Row(it->second), false};
      }
    }
    JobRun run;
    run.job = std::string(job);
    run.scheduled_ns = scheduled_ns;
    run.started_ns = now_ns;
    run.status = ports::JobRunStatus::kRunning;
    const int64_t id = t_.AppendJobRun(std::move(run));
    return std::pair{Row(id), true};
  }

  Status Update(const JobRun& run) override {
    if (run.attempts < 0) return ports::JobRunAttemptsNegative(run.id, run.attempts);
    std::lock_guard lock(t_.mu);
    if (run.id < 1 || run.id > static_cast<int64_t>(t_.job_runs.size())) {
      return ports::NoJobRunWithId(run.id);
    }
    t_.UpdateJobRun(run);
    return Status::Ok();
  }

  Result<std::vector<JobRun>> History(std::string_view job, int limit) override {
    std::lock_guard lock(t_.mu);
    std::vector<JobRun> out;
    auto full = [&] { return limit > 0 && out.size() >= static_cast<size_t>(limit); };
    if (job.empty()) {
      for (auto it = t_.job_runs_ordered.rbegin(); it != t_.job_runs_ordered.rend() && !full();
           ++it) {
        out.push_back(Row(it->second));
      }
      return out;
    }
    auto by_job = t_.job_runs_by_job.find(job);
    if (by_job == t_.job_runs_by_job.end()) return out;
    for (auto it = by_job->second.rbegin(); it != by_job->second.rend() && !full(); ++it) {
      out.push_back(Row(it->second));
    }
    return out;
  }

  Result<std::optional<JobRun>> Last(std::string_view job) override {
    std::lock_guard lock(t_.mu);
    auto by_job = t_.job_runs_by_job.find(job);
    if (by_job == t_.job_runs_by_job.end()) return std::optional<JobRun>();
    return std::optional(Row(by_job->second.rbegin()->second));
  }

  Result<std::vector<JobRun>> Unfinished() override {
    std::lock_guard lock(t_.mu);
    std::vector<JobRun> out;
    for (const auto& [scheduled_ns, id] : t_.job_runs_unfinished) out.push_back(Row(id));
    return out;
  }

 private:
  const JobRun& Row(int64_t id) const { return t_.job_runs[static_cast<size_t>(id - 1)]; }

  Tables& t_;
};

}  // namespace

std::unique_ptr<ports::JobRunRepository> NewJobRunRepository(Tables& t) {
  return std::make_unique<MemoryJobRuns>(t);
}

}  // namespace kairos::adapters::memory
