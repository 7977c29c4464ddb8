#include "adapters/telegram/signal_buttons.h"

#include <charconv>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

namespace kairos::telegram {
namespace {

constexpr std::string_view kApprovePrefix = "sig:approve:";
constexpr std::string_view kRejectPrefix = "sig:reject:";

std::optional<int64_t> PositiveId(std::string_view digits) {
  if (digits.empty() || digits.front() < '1' || digits.front() > '9') return std::nullopt;
  int64_t id = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return id;
}

}  // namespace

std::string SignalCallbackData(const SignalDecision& decision) {
  return fmt::format("{}{}", decision.approve ? kApprovePrefix : kRejectPrefix, decision.signal_id);
}

std::optional<SignalDecision> ParseSignalCallbackData(std::string_view data) {
  for (bool approve : {true, false}) {
    std::string_view prefix = approve ? kApprovePrefix : kRejectPrefix;
    if (!data.starts_with(prefix)) continue;
    auto id = PositiveId(data.substr(prefix.size()));
    if (!id) return std::nullopt;
    return SignalDecision{*id, approve};
  }
  return std::nullopt;
}

InlineKeyboard SignalButtons(int64_t signal_id) {
  return {{{"\u2705 Approve", SignalCallbackData({signal_id, true})},
           {"\u274c Reject", SignalCallbackData({signal_id, false})}}};
}

std::optional<int64_t> PayloadSignalId(std::string_view payload) {
  if (payload.empty()) return std::nullopt;
  nlohmann::json doc = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return std::nullopt;
  auto it = doc.find("signal");
  if (it == doc.end() || !it->is_number_integer()) return std::nullopt;
  int64_t id = it->get<int64_t>();
  if (id <= 0) return std::nullopt;
  return id;
}

}  // namespace kairos::telegram
