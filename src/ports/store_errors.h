#pragma once

#include <cstdint>
#include <string_view>

#include <fmt/format.h>

#include "core/status.h"

namespace kairos::ports {

// The refusals of ports/store.h that every Store words the same (the store contract,
// ports/testing/store_contract_test.h, pins the texts).

inline Status StrategyWithoutName() { return Status::InvalidArgument("a strategy needs a name"); }
inline Status NoStrategyNamed(std::string_view name) {
  return Status::NotFound(fmt::format("no strategy named '{}'", name));
}
inline Status NoSignalWithId(int64_t id) {
  return Status::NotFound(fmt::format("no signal with id {}", id));
}
inline Status OrderAlreadyStored(std::string_view client_order_id) {
  return Status::AlreadyExists(
      fmt::format("an order with client order id '{}' is already stored", client_order_id));
}
inline Status NoOrderWithId(int64_t id) {
  return Status::NotFound(fmt::format("no order with id {}", id));
}
inline Status UniverseWithoutName() { return Status::InvalidArgument("a universe needs a name"); }
inline Status NoUniverseNamed(std::string_view name) {
  return Status::NotFound(fmt::format("no universe named '{}'", name));
}

inline Status JobRunWithoutJob() { return Status::InvalidArgument("a job run needs a job name"); }
inline Status NoJobRunWithId(int64_t id) {
  return Status::NotFound(fmt::format("no job run with id {}", id));
}
inline Status JobRunAttemptsNegative(int64_t id, int attempts) {
  return Status::InvalidArgument(fmt::format("job run {}: attempts {} is negative", id, attempts));
}
inline Status OutboxMessageWithoutKey() {
  return Status::InvalidArgument("an outbox message needs a key");
}
inline Status OutboxMessageWithoutKind() {
  return Status::InvalidArgument("an outbox message needs a kind");
}
inline Status NoOutboxMessageWithId(int64_t id) {
  return Status::NotFound(fmt::format("no outbox message with id {}", id));
}

inline Status UserWithoutName() { return Status::InvalidArgument("a user needs a name"); }
inline Status UserWithoutPasswordHash() {
  return Status::InvalidArgument("a user needs a password hash");
}
inline Status UnknownAccountRole(std::string_view role) {
  return Status::InvalidArgument(
      fmt::format("role '{}' is not one of viewer, trader, admin", role));
}
inline Status NoUserNamed(std::string_view name) {
  return Status::NotFound(fmt::format("no user named '{}'", name));
}
inline Status UserAlreadyExists(std::string_view name) {
  return Status::AlreadyExists(fmt::format("a user named '{}' exists already", name));
}
inline Status SessionWithoutHash() { return Status::InvalidArgument("a session needs a hash"); }
inline Status SessionAlreadyStored() {
  return Status::AlreadyExists("a session with this token is stored already");
}
inline Status NoSuchSession() { return Status::NotFound("no such session"); }
inline Status TokenWithoutName() { return Status::InvalidArgument("an API token needs a name"); }
inline Status TokenWithoutHash() { return Status::InvalidArgument("an API token needs a hash"); }
inline Status NoTokenNamed(std::string_view name) {
  return Status::NotFound(fmt::format("no API token named '{}'", name));
}
inline Status TokenAlreadyExists(std::string_view name) {
  return Status::AlreadyExists(fmt::format("an API token named '{}' exists already", name));
}
inline Status TokenHashAlreadyStored() {
  return Status::AlreadyExists("an API token with this hash is stored already");
}
inline Status TokenAlreadyRevoked(std::string_view name) {
  return Status::FailedPrecondition(fmt::format("API token '{}' is revoked already", name));
}

}  // namespace kairos::ports
