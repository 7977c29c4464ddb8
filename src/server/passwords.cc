#include "server/passwords.h"

#include <sodium.h>

#include <cstdlib>

#include <fmt/format.h>

namespace kairos::server {
namespace {

constexpr unsigned long long kOpsLimit = 2;        // passes
constexpr size_t kMemLimit = 19u * 1024u * 1024u;  // bytes

// sodium_init once, whatever thread asks first; kairos cannot work without it.
void EnsureSodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) {
      fmt::print(stderr, "kairos: libsodium failed to initialise\n");
      std::abort();
    }
    return true;
  }();
  (void)ready;
}

}  // namespace

Status CheckPassword(std::string_view password) {
  if (password.size() < kMinPasswordLength) {
    return Status::InvalidArgument(
        fmt::format("a password needs at least {} characters", kMinPasswordLength));
  }
  if (password.size() > kMaxPasswordLength) {
    return Status::InvalidArgument(
        fmt::format("a password may have at most {} characters", kMaxPasswordLength));
  }
  return Status::Ok();
}

Result<std::string> HashPassword(std::string_view password) {
  EnsureSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), kOpsLimit, kMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::Internal("hashing a password ran out of memory");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  EnsureSodium();
  if (hash.rfind("$argon2id$", 0) != 0 || hash.size() >= crypto_pwhash_STRBYTES) return false;
  std::string terminated(hash);  // crypto_pwhash_str_verify reads a C string
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

void VerifyAgainstDummy(std::string_view password) {
  static const std::string dummy = [] {
    auto hash = HashPassword(RandomToken());
    return hash.ok() ? *hash : std::string();
  }();
  (void)VerifyPassword(dummy, password);
}

std::string RandomToken() {
  EnsureSodium();
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  char out[sodium_base64_ENCODED_LEN(sizeof bytes, kVariant)];
  sodium_bin2base64(out, sizeof out, bytes, sizeof bytes, kVariant);
  sodium_memzero(bytes, sizeof bytes);
  return std::string(out);
}

std::string NewApiToken() { return std::string(kApiTokenPrefix) + RandomToken(); }

std::string Sha256Hex(std::string_view text) {
  EnsureSodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex, crypto_hash_sha256_BYTES * 2);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  EnsureSodium();
  if (a.size() != b.size()) return false;
  return a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace kairos::server
