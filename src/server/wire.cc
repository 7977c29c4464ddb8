#include "server/wire.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>
#include <boost/beast/core/flat_buffer.hpp>

#include "server/api.h"

namespace kairos::server {
namespace http = boost::beast::http;

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The query string split into decoded name/value pairs, or nullopt for a malformed escape.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto name = PercentDecode(pair.substr(0, eq), true);
    auto value = PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (!name || !value) return std::nullopt;
    out.emplace_back(std::move(*name), std::move(*value));
  }
  return out;
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = HexValue(text[i + 1]), lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<Response> CheckHeader(const WireRequest& header, const WireLimits& limits) {
  if (header.target().size() > limits.max_url_bytes) {
    return Error(414, "uri_too_long",
                 fmt::format("the request target is longer than {} bytes", limits.max_url_bytes));
  }
  auto length = header.find(http::field::content_length);
  if (length != header.end()) {
    uint64_t declared = 0;
    auto text = length->value();
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), declared);
    if (ec == std::errc() && end == text.data() + text.size() && declared > limits.max_body_bytes) {
      return Error(413, "payload_too_large",
                   fmt::format("the body is larger than {} bytes", limits.max_body_bytes));
    }
  }
  return std::nullopt;
}

Response ParseErrorResponse(const boost::system::error_code& error) {
  if (error == http::error::header_limit) {
    return Error(431, "header_too_large", "the request line and headers are too large");
  }
  if (error == http::error::body_limit) {
    return Error(413, "payload_too_large", "the body is larger than the server accepts");
  }
  return Error(400, "bad_request", fmt::format("malformed request: {}", error.message()));
}

std::variant<Request, Response> ToRequest(const WireRequest& wire, std::string remote_address,
                                          bool tls) {
  auto method = ParseMethod(std::string_view(wire.method_string()));
  if (!method) {
    return Error(
        405, "method_not_allowed",
        fmt::format("the method {} is not served", std::string_view(wire.method_string())));
  }
  std::string_view target = wire.target();
  if (target.empty() || target.front() != '/') {
    return Error(400, "bad_request", "the request target must be a path");
  }
  size_t question = target.find('?');
  auto path = PercentDecode(target.substr(0, question), false);
  auto query = ParseQuery(question == std::string_view::npos ? std::string_view()
                                                             : target.substr(question + 1));
  if (!path || !query) return Error(400, "bad_request", "malformed %-escape in the request target");
  Request request;
  request.method = *method;
  request.path = std::move(*path);
  request.query = std::move(*query);
  for (const auto& field : wire) {
    std::string name = Lower(field.name_string());
    auto [it, fresh] = request.headers.emplace(std::move(name), std::string(field.value()));
    if (!fresh) it->second.append(", ").append(field.value());
  }
  request.body = wire.body();
  request.remote_address = std::move(remote_address);
  request.tls = tls;
  return request;
}

WireResponse ToWire(const Response& response, bool keep_alive, unsigned version) {
  WireResponse wire{static_cast<http::status>(response.status), version};
  if (!response.content_type.empty()) wire.set(http::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) wire.insert(name, value);
  wire.body() = response.body;
  wire.keep_alive(keep_alive);
  wire.prepare_payload();
  return wire;
}

std::variant<Request, Response> ParseRequest(std::string_view bytes, const WireLimits& limits) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<uint32_t>(limits.max_header_bytes));
  parser.body_limit(limits.max_body_bytes);
  parser.eager(false);  // the header first, checked as the server checks it before the body
  boost::asio::const_buffer buffer(bytes.data(), bytes.size());
  bool checked = false;
  while (!parser.is_done()) {
    boost::system::error_code ec;
    size_t used = parser.put(buffer, ec);
    buffer += used;
    if (ec == http::error::need_more) {
      if (!parser.got_some()) return Error(400, "bad_request", "the request is empty");
      parser.put_eof(ec);
      if (ec || !parser.is_done()) return Error(400, "bad_request", "the request is incomplete");
    } else if (ec) {
      return ParseErrorResponse(ec);
    } else if (used == 0 && !parser.is_done()) {
      return Error(400, "bad_request", "the request is incomplete");
    }
    if (parser.is_header_done() && !checked) {
      if (auto error = CheckHeader(parser.get(), limits)) return *error;
      checked = true;
      parser.eager(true);
    }
  }
  return ToRequest(parser.get(), "192.0.2.1", false);
}

}  // namespace kairos::server
