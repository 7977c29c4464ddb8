#include "adapters/alpaca/credentials.h"

#include <fmt/core.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace kairos::alpaca {
namespace {

std::string Trim(std::string s) {
  size_t end = s.find_first_of("\r\n");
  if (end != std::string::npos) s.resize(end);
  size_t a = s.find_first_not_of(" \t");
  size_t b = s.find_last_not_of(" \t");
  return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

}  // namespace

Result<std::string> ReadSecret(const std::string& file, std::string_view file_key,
                               std::string_view variable, const EnvLookup& env,
                               std::string_view vendor) {
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) {
      return Status::FailedPrecondition(fmt::format("alpaca: cannot read {} '{}'", file_key, file));
    }
    std::stringstream content;
    content << in.rdbuf();
    std::string value = Trim(content.str());
    if (value.empty()) {
      return Status::FailedPrecondition(
          fmt::format("{}: {} '{}' is empty", vendor, file_key, file));
    }
    return value;
  }
  std::optional<std::string> value = env(variable);
  if (!value || Trim(*value).empty()) {
    return Status::FailedPrecondition(
        fmt::format("{}: no credentials: set [broker] {} or the environment variable {}", vendor,
                    file_key, variable));
  }
  return Trim(*value);
}

EnvLookup ProcessEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<Credentials> LoadCredentials(const std::string& key_id_file,
                                    const std::string& secret_key_file, const EnvLookup& env) {
  Credentials c;
  KAIROS_ASSIGN_OR_RETURN(c.key_id,
                          ReadSecret(key_id_file, "key_id_file", "APCA_API_KEY_ID", env, "alpaca"));
  KAIROS_ASSIGN_OR_RETURN(c.secret_key, ReadSecret(secret_key_file, "secret_key_file",
                                                   "APCA_API_SECRET_KEY", env, "alpaca"));
  return c;
}

}  // namespace kairos::alpaca
