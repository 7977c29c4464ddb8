#include "app/backtest_runs.h"

#include <algorithm>
#include <charconv>
#include <exception>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "app/daemon.h"
#include "backtest/report.h"

namespace kairos::app {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kPrefix = "run-";

// The number of an id "run-N" (N > 0, no leading zero), or 0 for anything else: an id from a
// request never reaches the file system unless it is one.
int64_t IdNumber(std::string_view id) {
  if (!id.starts_with(kPrefix)) return 0;
  std::string_view digits = id.substr(kPrefix.size());
  if (digits.empty() || digits.size() > 12 || digits[0] == '0') return 0;
  int64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  return ec == std::errc() && end == digits.data() + digits.size() ? n : 0;
}

Result<nlohmann::ordered_json> ReadRecord(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::NotFound(fmt::format("no run record {}", file.filename().string()));
  std::stringstream text;
  text << in.rdbuf();
  auto record = nlohmann::ordered_json::parse(text.str(), nullptr, false);
  if (record.is_discarded() || !record.is_object()) {
    return Status::Corruption(fmt::format("{}: not a run record", file.string()));
  }
  return record;
}

}  // namespace

BacktestRuns::BacktestRuns(fs::path home, const ports::Clock& clock)
    : root_(home / "backtests"), clock_(clock) {
  for (nlohmann::ordered_json& record : List()) {
    last_id_ = std::max(last_id_, IdNumber(record.value("id", "")));
    std::string status = record.value("status", "");
    if (status == "queued" || status == "running") {
      record["status"] = "failed";
      record["error"] = "interrupted: the server stopped before the run finished";
      (void)Write(record);
    }
  }
  worker_ = std::thread([this] { Work(); });
}

BacktestRuns::~BacktestRuns() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

fs::path BacktestRuns::Dir(std::string_view id) const { return root_ / std::string(id); }

Status BacktestRuns::Write(const nlohmann::ordered_json& record) const {
  const fs::path dir = Dir(record.at("id").get<std::string>());
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  // Written aside and renamed: a reader never sees half a record.
  const fs::path tmp = dir / "run.json.tmp";
  KAIROS_RETURN_IF_ERROR(backtest::WriteReportFile(tmp, record.dump(2) + "\n"));
  fs::rename(tmp, dir / "run.json", ec);
  if (ec) return Status::IOError(fmt::format("cannot write {}: {}", dir.string(), ec.message()));
  return Status::Ok();
}

Result<nlohmann::ordered_json> BacktestRuns::Start(LoadedStrategy strategy, BacktestMarket market) {
  std::unique_lock lock(mu_);
  if (waiting_.size() >= kMaxWaiting) {
    return Status::FailedPrecondition(
        fmt::format("{} backtests wait already; try again when one has finished", kMaxWaiting));
  }
  nlohmann::ordered_json record;
  record["id"] = fmt::format("{}{}", kPrefix, ++last_id_);
  record["status"] = busy_ || !waiting_.empty() ? "queued" : "running";
  record["strategy"] = strategy.spec.name;
  record["from"] = market.options.from.ToString();
  record["to"] = market.options.to.ToString();
  record["created_at"] = IsoTime(clock_.NowNs());
  record["started_at"] = nullptr;
  record["finished_at"] = nullptr;
  record["error"] = nullptr;
  record["notes"] = nlohmann::ordered_json::array();
  KAIROS_RETURN_IF_ERROR(Write(record));
  waiting_.push_back({record["id"].get<std::string>(), std::move(strategy), std::move(market)});
  lock.unlock();
  wake_.notify_all();
  return record;
}

void BacktestRuns::Work() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
    if (stopping_) return;
    Job job = std::move(waiting_.front());
    waiting_.pop_front();
    busy_ = true;
    lock.unlock();
    Run(job);
    lock.lock();
    busy_ = false;
  }
}

void BacktestRuns::Run(Job& job) {
  auto update = [&](const std::function<void(nlohmann::ordered_json&)>& change) {
    std::lock_guard lock(mu_);
    auto record = ReadRecord(Dir(job.id) / "run.json");
    if (!record.ok()) return;
    change(*record);
    (void)Write(*record);
  };
  update([&](auto& r) {
    r["status"] = "running";
    r["started_at"] = IsoTime(clock_.NowNs());
  });
  Status outcome;
  std::vector<std::string> notes;
  try {
    auto result = RunOne(job.market.context(), job.strategy.spec, job.strategy.expanded);
    if (result.ok()) {
      outcome = backtest::WriteReport(result->report, Dir(job.id));
      notes = result->notes;
      if (result->auto_approved > 0) {
        notes.push_back(fmt::format("{} signals needing review were approved by the backtest",
                                    result->auto_approved));
      }
    } else {
      outcome = result.status();
    }
  } catch (const std::exception& e) {
    outcome = Status::Internal(e.what());
  }
  std::string error;
  if (!outcome.ok()) {
    Log(LogLevel::kError, fmt::format("backtest {}: {}", job.id, outcome.ToString()));
    // Bad input is the caller's to see; a failure of the host may name its files.
    const bool input = outcome.code() == StatusCode::kInvalidArgument ||
                       outcome.code() == StatusCode::kNotFound ||
                       outcome.code() == StatusCode::kOutOfRange ||
                       outcome.code() == StatusCode::kFailedPrecondition;
    error = input ? outcome.message() : "internal error (the daemon's log has the cause)";
  }
  constexpr size_t kMaxNotes = 100;
  if (notes.size() > kMaxNotes) notes.resize(kMaxNotes);
  update([&](auto& r) {
    r["status"] = outcome.ok() ? "succeeded" : "failed";
    r["finished_at"] = IsoTime(clock_.NowNs());
    if (!outcome.ok()) r["error"] = error;
    for (auto& note : notes) r["notes"].push_back(note);
  });
}

Result<nlohmann::ordered_json> BacktestRuns::Get(std::string_view id) const {
  if (IdNumber(id) == 0) return Status::NotFound(fmt::format("no backtest '{}'", id));
  std::lock_guard lock(mu_);
  auto record = ReadRecord(Dir(id) / "run.json");
  if (!record.ok() && record.status().code() == StatusCode::kNotFound) {
    return Status::NotFound(fmt::format("no backtest '{}'", id));
  }
  return record;
}

std::vector<nlohmann::ordered_json> BacktestRuns::List() const {
  std::vector<std::pair<int64_t, nlohmann::ordered_json>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root_, ec)) {
    int64_t n = IdNumber(entry.path().filename().string());
    if (n == 0) continue;
    auto record = ReadRecord(entry.path() / "run.json");
    if (record.ok()) found.emplace_back(n, std::move(*record));
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<nlohmann::ordered_json> out;
  for (auto& [n, record] : found) out.push_back(std::move(record));
  return out;
}

Result<fs::path> BacktestRuns::ReportDir(std::string_view id) const {
  KAIROS_ASSIGN_OR_RETURN(auto record, Get(id));
  std::string status = record.value("status", "");
  if (status != "succeeded") {
    return Status::FailedPrecondition(fmt::format("backtest {} is {}", id, status));
  }
  return Dir(id);
}

}  // namespace kairos::app
