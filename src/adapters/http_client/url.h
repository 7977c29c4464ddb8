#pragma once

#include <string>
#include <string_view>

namespace kairos::http {

// Percent-encodes `value` for a URL query or a form body: every byte but A-Z a-z 0-9 - _ . ~.
std::string UrlEscape(std::string_view value);

}  // namespace kairos::http
