#include "adapters/http_client/url.h"

#include <fmt/core.h>

#include <cctype>

namespace kairos::http {

std::string UrlEscape(std::string_view value) {
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

}  // namespace kairos::http
