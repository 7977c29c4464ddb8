#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "adapters/sqlite/repositories.h"
#include "ports/store_errors.h"

namespace kairos::adapters::sqlite {
namespace {

using ports::JobRun;
using ports::JobRunStatus;

constexpr std::string_view kJobRunSelect =
    "SELECT id, job, scheduled_ns, started_ns, finished_ns, retry_at_ns, status, attempts, "
    "message FROM job_runs ";

Result<JobRun> ReadJobRun(const Statement& s) {
  JobRun r;
  r.id = s.Int(0);
  r.job = s.Text(1);
  r.scheduled_ns = s.Int(2);
  r.started_ns = s.Int(3);
  r.finished_ns = s.Int(4);
  r.retry_at_ns = s.Int(5);
  std::string status = s.Text(6);
  std::optional<JobRunStatus> parsed = ports::ParseJobRunStatus(status);
  if (!parsed) {
    return Status::Corruption(
        fmt::format("stored job run status '{}' is not one kairos knows", status));
  }
  r.status = *parsed;
  r.attempts = static_cast<int>(s.Int(7));
  r.message = s.Text(8);
  return r;
}

class SqliteJobRuns : public ports::JobRunRepository {
 public:
  explicit SqliteJobRuns(Connection& c) : c_(c) {}

  // Insert-or-nothing, then read, in one transaction: the UNIQUE (job, scheduled_ns) index
  // decides between two processes claiming together, and the loser reads the winner's row.
  Result<std::pair<JobRun, bool>> Claim(std::string_view job, int64_t scheduled_ns,
                                        int64_t now_ns) override {
    if (job.empty()) return ports::JobRunWithoutJob();
    std::lock_guard lock(c_.mu());
    std::pair<JobRun, bool> out;
    KAIROS_RETURN_IF_ERROR(c_.Atomic([&]() -> Status {
      KAIROS_ASSIGN_OR_RETURN(
          auto insert,
          c_.db().Prepare("INSERT INTO job_runs (job, scheduled_ns, started_ns, status) "
                          "VALUES (?, ?, ?, 'running') ON CONFLICT (job, scheduled_ns) DO NOTHING",
                          "claiming a job run"));
      KAIROS_RETURN_IF_ERROR(insert.Bind(job, scheduled_ns, now_ns).Run());
      out.second = c_.db().Changes() == 1;
      KAIROS_ASSIGN_OR_RETURN(auto select, c_.db().Prepare(std::string(kJobRunSelect) +
                                                               "WHERE job = ? AND scheduled_ns = ?",
                                                           "reading a claimed job run"));
      KAIROS_ASSIGN_OR_RETURN(auto run,
                              ReadOne<JobRun>(select.Bind(job, scheduled_ns), ReadJobRun));
      if (!run) return Status::Internal("a claimed job run is not stored");
      out.first = std::move(*run);
      return Status::Ok();
    }));
    return out;
  }

  Status Update(const JobRun& run) override {
    if (run.attempts < 0) return ports::JobRunAttemptsNegative(run.id, run.attempts);
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare("UPDATE job_runs SET status = ?, attempts = ?, finished_ns = ?, "
                                "retry_at_ns = ?, message = ? WHERE id = ?",
                                "updating a job run"));
    KAIROS_RETURN_IF_ERROR(s.Bind(std::string_view(ports::JobRunStatusName(run.status)),
                                  run.attempts, run.finished_ns, run.retry_at_ns, run.message,
                                  run.id)
                               .Run());
    if (c_.db().Changes() == 0) return ports::NoJobRunWithId(run.id);
    return Status::Ok();
  }

  Result<std::vector<JobRun>> History(std::string_view job, int limit) override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare(std::string(kJobRunSelect) +
                                    "WHERE ?1 = '' OR job = ?1 ORDER BY scheduled_ns DESC, id "
                                    "DESC LIMIT ?2",
                                "listing job runs"));
    s.Bind(job, limit > 0 ? int64_t{limit} : int64_t{-1});
    return ReadAll<JobRun>(s, ReadJobRun);
  }

  Result<std::optional<JobRun>> Last(std::string_view job) override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(
        auto s, c_.db().Prepare(std::string(kJobRunSelect) +
                                    "WHERE job = ? ORDER BY scheduled_ns DESC, id DESC LIMIT 1",
                                "reading the last job run"));
    return ReadOne<JobRun>(s.Bind(job), ReadJobRun);
  }

  Result<std::vector<JobRun>> Unfinished() override {
    std::lock_guard lock(c_.mu());
    KAIROS_ASSIGN_OR_RETURN(auto s, c_.db().Prepare(std::string(kJobRunSelect) +
                                                        "WHERE status IN ('running', 'retrying') "
                                                        "ORDER BY scheduled_ns, id",
                                                    "listing unfinished job runs"));
    return ReadAll<JobRun>(s, ReadJobRun);
  }

 private:
  Connection& c_;
};

}  // namespace

std::unique_ptr<ports::JobRunRepository> NewJobRunRepository(Connection& c) {
  return std::make_unique<SqliteJobRuns>(c);
}

}  // namespace kairos::adapters::sqlite
