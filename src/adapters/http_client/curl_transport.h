#pragma once

#include <cstdint>
#include <memory>

#include "adapters/http_client/http_transport.h"

namespace kairos::http {

struct CurlTransportOptions {
  int64_t connect_timeout_ms = 10'000;
};

// HttpTransport over libcurl. Keeps idle easy handles (and so their connections) for reuse;
// each request takes one, so concurrent requests never share a handle. Thread-safe.
std::unique_ptr<HttpTransport> MakeCurlTransport(CurlTransportOptions options = {});

}  // namespace kairos::http
