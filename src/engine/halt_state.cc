#include "engine/halt_state.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/date.h"
#include "domain/trading.h"
#include "engine/alerts.h"

namespace kairos::engine {

namespace {

// The audit row of a halt request: action "halt" on subject "system:halt".
Status AppendHaltAudit(ports::Store& store, int64_t time_ns, std::string_view actor,
                       std::string detail) {
  AuditEntry e;
  e.time_ns = time_ns;
  e.actor = std::string(actor);
  e.action = "halt";
  e.subject = "system:halt";
  e.detail = std::move(detail);
  return store.audit().Append(e);
}

}  // namespace

Result<std::optional<HaltRecord>> GetHalt(ports::Store& store) {
  KAIROS_ASSIGN_OR_RETURN(auto text, store.state().Get(kHaltKey));
  if (!text) return std::optional<HaltRecord>();
  HaltRecord record;
  // A halt whose text cannot be read is still a halt: only Resume lifts it.
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    record.time_ns = j.value("time_ns", int64_t{0});
    record.actor = j.value("actor", std::string());
    record.reason = j.value("reason", std::string());
  } else {
    record.reason = *text;
  }
  return std::optional<HaltRecord>(record);
}

bool IsHalted(ports::Store& store) {
  Result<std::optional<std::string>> text = store.state().Get(kHaltKey);
  return !text.ok() || text->has_value();
}

Result<bool> StoreHalt(ports::Store& store, int64_t time_ns, std::string_view actor,
                       std::string_view reason, Alerts* alerts) {
  bool already = false;
  KAIROS_RETURN_IF_ERROR(store.InTransaction([&]() -> Status {
    KAIROS_ASSIGN_OR_RETURN(std::optional<HaltRecord> before, GetHalt(store));
    already = before.has_value();
    if (already) {
      return AppendHaltAudit(store, time_ns, actor, fmt::format("already halted; {}", reason));
    }
    nlohmann::json j = {{"time_ns", time_ns},
                        {"time", Timestamp::FromNanos(time_ns).ToString()},
                        {"actor", std::string(actor)},
                        {"reason", std::string(reason)}};
    KAIROS_RETURN_IF_ERROR(store.state().Put(kHaltKey, j.dump()));
    if (alerts != nullptr) {
      KAIROS_RETURN_IF_ERROR(alerts->Halted(HaltRecord{
          .time_ns = time_ns, .actor = std::string(actor), .reason = std::string(reason)}));
    }
    return AppendHaltAudit(store, time_ns, actor, std::string(reason));
  }));
  return already;
}

}  // namespace kairos::engine
