// libFuzzer target: arbitrary bytes as a kairos.toml. ParseConfig must never crash, hang or throw
// (toml++ errors, bad values and unknown keys all become a Status), and a file it accepts must
// hold every built-in job and alert kind with settings in their ranges.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "app/config.h"
#include "core/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = kairos::app::ParseConfig(text, "kairos.toml", "/nonexistent-kairos-home");
  if (config.ok()) {
    KAIROS_CHECK(config->jobs.size() == kairos::jobs::BuiltinJobs().size());
    KAIROS_CHECK(config->alerts.size() == kairos::jobs::AlertKinds().size());
    for (const auto& job : config->jobs) {
      KAIROS_CHECK(job.schedule.cron.empty() != job.schedule.at.empty());
      KAIROS_CHECK(job.max_attempts >= 1 && job.backoff_ns > 0);
    }
    KAIROS_CHECK(config->backup_keep >= 1 && config->keep_history_days >= 1);
  } else {
    KAIROS_CHECK(!config.status().message().empty());
  }
  return 0;
}
