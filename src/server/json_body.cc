#include "server/json_body.h"

#include <fmt/format.h>

namespace kairos::server {
namespace {

bool HasType(const nlohmann::json& value, std::string_view type) {
  if (type == "string") return value.is_string();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  if (type == "boolean") return value.is_boolean();
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  return true;
}

// The line and column (1-based) of byte `offset` of `text`.
std::pair<size_t, size_t> LineColumn(std::string_view text, size_t offset) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line, column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

std::variant<nlohmann::json, Response> Parse(std::string_view text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based: the byte at which parsing failed.
    size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    auto [line, column] = LineColumn(text, offset);
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..." ->
    // the part after the position.
    if (auto colon = what.find(": "); colon != std::string::npos) what = what.substr(colon + 2);
    return Error(400, "malformed_json",
                 fmt::format("malformed JSON at line {}, column {}: {}", line, column, what),
                 {{"line", line}, {"column", column}, {"offset", offset}});
  } catch (const nlohmann::json::exception& e) {
    // A number beyond a double ("1e999") is out_of_range, not a parse_error.
    std::string what = e.what();
    if (auto end = what.find("] "); end != std::string::npos) what = what.substr(end + 2);
    return Error(400, "malformed_json", fmt::format("malformed JSON: {}", what));
  }
}

}  // namespace

std::variant<nlohmann::json, Response> ReadBody(const Request& request,
                                                const nlohmann::json& schema) {
  std::string_view type = request.Header("content-type");
  std::string_view media = type.substr(0, type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  if (media != "application/json") {
    return Error(415, "unsupported_media_type",
                 fmt::format("the body must be application/json, not '{}'",
                             type.empty() ? "(none)" : std::string(media)));
  }
  auto parsed = Parse(request.body);
  if (auto* error = std::get_if<Response>(&parsed)) return std::move(*error);
  nlohmann::json body = std::move(std::get<nlohmann::json>(parsed));
  if (!body.is_object()) return Error(400, "malformed_json", "the body must be a JSON object");
  const auto& properties =
      schema.contains("properties") ? schema["properties"] : nlohmann::json::object();
  for (const auto& [name, value] : body.items()) {
    if (!properties.contains(name)) {
      return Error(400, "unknown_field", fmt::format("unknown field '{}'", name),
                   {{"field", name}});
    }
    std::string expected = properties[name].value("type", "");
    if (!HasType(value, expected)) {
      return Error(422, "invalid", fmt::format("field '{}' must be {}", name, expected),
                   {{"field", name}, {"expected", expected}});
    }
  }
  if (schema.contains("required")) {
    for (const auto& name : schema["required"]) {
      if (!body.contains(name.get<std::string>())) {
        return Error(
            422, "invalid", fmt::format("field '{}' is required", name.get<std::string>()),
            {{"field", name}, {"expected", properties[name.get<std::string>()].value("type", "")}});
      }
    }
  }
  return body;
}

nlohmann::json ObjectSchema(std::initializer_list<std::pair<const char*, const char*>> properties,
                            std::initializer_list<const char*> required) {
  nlohmann::json schema = {{"type", "object"}, {"additionalProperties", false}};
  schema["properties"] = nlohmann::json::object();
  for (const auto& [name, type] : properties) schema["properties"][name] = {{"type", type}};
  if (required.size() > 0) {
    schema["required"] = nlohmann::json::array();
    for (const char* name : required) schema["required"].push_back(name);
  }
  return schema;
}

}  // namespace kairos::server
