#pragma once

#include <filesystem>
#include <memory>
#include <string_view>

#include "adapters/alpaca/alpaca_broker.h"
#include "adapters/alpaca/credentials.h"
#include "adapters/kite/kite_broker.h"
#include "app/config.h"
#include "core/result.h"

namespace kairos::app {

// The Alpaca broker [broker] describes: base_url (default the paper host), the key pair from
// key_id_file / secret_key_file or APCA_API_KEY_ID / APCA_API_SECRET_KEY, over libcurl, paced to
// Alpaca's 200 requests per minute. FailedPrecondition (naming the file or variable, never a
// key) when the credentials are missing.
Result<std::unique_ptr<alpaca::AlpacaBroker>> MakeAlpacaBroker(const BrokerSettings& settings,
                                                               const alpaca::EnvLookup& env);

// HOME/kite_session: the day's Kite access token (mode 0600), written by `kairos broker login`.
inline constexpr std::string_view kKiteSessionFile = "kite_session";

// The Kite broker [broker] describes: the api key from api_key_file or KITE_API_KEY, the access
// token from HOME/kite_session ("" when nobody logged in yet: every call is then a
// TokenException, i.e. kUnavailable saying to log in).
Result<std::unique_ptr<kite::KiteBroker>> MakeKiteBroker(const BrokerSettings& settings,
                                                         const std::filesystem::path& home,
                                                         const alpaca::EnvLookup& env);

// `kairos broker login --request-token T`: exchanges the token (checksum with the api secret from
// api_secret_file or KITE_API_SECRET) and stores the access token in HOME/kite_session.
Status KiteLogin(const BrokerSettings& settings, const std::filesystem::path& home,
                 const alpaca::EnvLookup& env, std::string_view request_token);

}  // namespace kairos::app
