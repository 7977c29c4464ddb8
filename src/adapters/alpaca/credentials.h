#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace kairos::alpaca {

// The key pair every Trading API request carries (APCA-API-KEY-ID, APCA-API-SECRET-KEY).
// Never logged and never put in an error message.
struct Credentials {
  std::string key_id;
  std::string secret_key;
};

// Reads an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;
EnvLookup ProcessEnv();

// One secret: the first line of `file` (blanks trimmed) or, when the path is empty, the
// environment variable `variable`. FailedPrecondition naming `file_key` ([broker] key) or the
// variable, prefixed with `vendor`, never the content. Shared by the brokers' wiring.
Result<std::string> ReadSecret(const std::string& file, std::string_view file_key,
                               std::string_view variable, const EnvLookup& env,
                               std::string_view vendor);

// The key id from `key_id_file` (its first line, blanks trimmed) or, when the path is empty, from
// APCA_API_KEY_ID; the secret likewise from `secret_key_file` or APCA_API_SECRET_KEY.
// FailedPrecondition naming the file or variable (never its content) when one is missing,
// unreadable or empty.
Result<Credentials> LoadCredentials(const std::string& key_id_file,
                                    const std::string& secret_key_file, const EnvLookup& env);

}  // namespace kairos::alpaca
