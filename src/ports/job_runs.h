#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/status.h"

namespace kairos::ports {

// The life of one scheduled run. A run is claimed before it starts, so a (job, instant) pair
// runs at most once, across restarts too; a run found `kRunning` at start-up belongs to a
// process that died mid-run.
enum class JobRunStatus {
  kRunning,   // claimed; the body has started or is about to (attempts counts the starts)
  kRetrying,  // a transient failure; the next attempt is due at `retry_at_ns`
  kSucceeded,
  kFailed,   // a permanent failure, or transient failures until the attempts ran out
  kSkipped,  // not run: a misfire whose moment had passed, a disabled job, a halt
};

inline constexpr std::string_view JobRunStatusName(JobRunStatus status) {
  switch (status) {
    case JobRunStatus::kRunning:
      return "running";
    case JobRunStatus::kRetrying:
      return "retrying";
    case JobRunStatus::kSucceeded:
      return "succeeded";
    case JobRunStatus::kFailed:
      return "failed";
    case JobRunStatus::kSkipped:
      return "skipped";
  }
  return "unknown";
}

inline std::optional<JobRunStatus> ParseJobRunStatus(std::string_view name) {
  for (auto s : {JobRunStatus::kRunning, JobRunStatus::kRetrying, JobRunStatus::kSucceeded,
                 JobRunStatus::kFailed, JobRunStatus::kSkipped}) {
    if (JobRunStatusName(s) == name) return s;
  }
  return std::nullopt;
}

struct JobRun {
  int64_t id = 0;
  std::string job;           // "scan.daily"
  int64_t scheduled_ns = 0;  // the instant the schedule named (UTC ns): the claim key
  int64_t started_ns = 0;    // first start; 0 before
  int64_t finished_ns = 0;   // 0 while running or retrying
  int64_t retry_at_ns = 0;   // when kRetrying
  JobRunStatus status = JobRunStatus::kRunning;
  int attempts = 0;
  std::string message;  // the outcome in one line (error text on failure)
};

// Claims and history of scheduled runs. Store::InTransaction nests these calls like any other.
class JobRunRepository {
 public:
  virtual ~JobRunRepository() = default;
  // Claims (job, scheduled_ns): the stored run and true when this call created it (status
  // kRunning, attempts 0, started_ns = now_ns); the existing run and false when it was claimed
  // before (whatever its status). The pair is unique in the store, across processes sharing it.
  // InvalidArgument for an empty job name.
  virtual Result<std::pair<JobRun, bool>> Claim(std::string_view job, int64_t scheduled_ns,
                                                int64_t now_ns) = 0;
  // Writes status, attempts, finished_ns, retry_at_ns and message of the run `run.id` (job,
  // scheduled_ns and started_ns stay as claimed). NotFound for an unknown id, InvalidArgument for
  // negative attempts.
  virtual Status Update(const JobRun& run) = 0;
  // Runs newest first by scheduled instant (then id); `job` empty means every job; at most
  // `limit` (<= 0: every run).
  virtual Result<std::vector<JobRun>> History(std::string_view job, int limit) = 0;
  // The run of `job` with the latest scheduled instant.
  virtual Result<std::optional<JobRun>> Last(std::string_view job) = 0;
  // Runs in kRunning or kRetrying, oldest first: work a restart must resolve.
  virtual Result<std::vector<JobRun>> Unfinished() = 0;
};

}  // namespace kairos::ports
