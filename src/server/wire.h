#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/beast/http.hpp>

#include "server/http.h"

// Between the bytes of HTTP/1.1 (Boost.Beast's messages) and the Request / Response the API
// works on. The server (http_server.cc) reads with Beast's parser and converts here; the fuzzer
// drives the same path from raw bytes (ParseRequest).
namespace kairos::server {

using WireRequest = boost::beast::http::request<boost::beast::http::string_body>;
using WireResponse = boost::beast::http::response<boost::beast::http::string_body>;

struct WireLimits {
  size_t max_header_bytes = 16 * 1024;  // the request line and headers; more: 431
  size_t max_url_bytes = 8 * 1024;      // the request target; more: 414
  uint64_t max_body_bytes = 1 << 20;    // more: 413
};

// `text` with its %XX escapes decoded ('+' as a space when `plus_is_space`, as in a query), or
// nullopt when an escape is malformed.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// The error to answer a request whose header was read (before its body is): 414 for a target
// longer than the limit, 413 for a declared Content-Length over it; nullopt when it may go on.
std::optional<Response> CheckHeader(const WireRequest& header, const WireLimits& limits);

// The error to answer a request Beast's parser refused: 431 for a header block over the limit,
// 413 for a body over it, 400 for anything malformed.
Response ParseErrorResponse(const boost::system::error_code& error);

// The Request of a message read whole, or the error to answer: 400 for a target that is not an
// origin-form path or has a malformed escape, 405 for a method the API does not know.
std::variant<Request, Response> ToRequest(const WireRequest& wire, std::string remote_address,
                                          bool tls);

// The message of `response`; `keep_alive` sets the Connection header.
WireResponse ToWire(const Response& response, bool keep_alive, unsigned version = 11);

// `bytes` parsed as one request the way the server parses it: the Request or the error to
// answer. Incomplete input is a 400.
std::variant<Request, Response> ParseRequest(std::string_view bytes, const WireLimits& limits);

}  // namespace kairos::server
