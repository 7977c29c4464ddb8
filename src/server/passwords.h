#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/status.h"

// The secrets of the accounts, over libsodium: passwords hashed with Argon2id, random tokens for
// sessions, CSRF and API access, and the SHA-256 under which tokens are stored (ports/accounts.h
// stores only hashes).
namespace kairos::server {

// Passwords shorter than this are refused; longer than kMaxPasswordLength too (a bound on the
// work a sign-in may ask for).
inline constexpr size_t kMinPasswordLength = 10;
inline constexpr size_t kMaxPasswordLength = 1024;
// InvalidArgument saying why `password` is refused; never echoes it.
Status CheckPassword(std::string_view password);

// "$argon2id$v=19$m=19456,t=2,p=1$..." (OWASP's minimum: 19 MiB, 2 passes, one lane: the daemon
// stays small). Internal when libsodium cannot allocate.
Result<std::string> HashPassword(std::string_view password);
// Whether `password` matches `hash` (false for a hash that is not Argon2id).
bool VerifyPassword(std::string_view hash, std::string_view password);
// Spends the time of a VerifyPassword against a fixed hash: a sign-in as an unknown user answers
// as slowly as one with a wrong password.
void VerifyAgainstDummy(std::string_view password);

// 32 random bytes as URL-safe base64 without padding (43 characters).
std::string RandomToken();
// An API token: "kairos_" + RandomToken(), so that secret scanners recognise a leaked one.
inline constexpr std::string_view kApiTokenPrefix = "kairos_";
std::string NewApiToken();
// SHA-256 of `text` as 64 lower-case hex digits: how tokens are stored and looked up.
std::string Sha256Hex(std::string_view text);
// Equality in time that depends only on the lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace kairos::server
