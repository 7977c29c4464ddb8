#pragma once

#include <memory>

#include "adapters/alpaca/alpaca_broker.h"
#include "adapters/alpaca/credentials.h"
#include "app/config.h"
#include "core/result.h"

namespace kairos::app {

// The Alpaca broker [broker] describes: base_url (default the paper host), the key pair from
// key_id_file / secret_key_file or APCA_API_KEY_ID / APCA_API_SECRET_KEY, over libcurl, paced to
// Alpaca's 200 requests per minute. FailedPrecondition (naming the file or variable, never a
// key) when the credentials are missing.
Result<std::unique_ptr<alpaca::AlpacaBroker>> MakeAlpacaBroker(const BrokerSettings& settings,
                                                               const alpaca::EnvLookup& env);

}  // namespace kairos::app
