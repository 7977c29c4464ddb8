#pragma once

#include <variant>

#include <nlohmann/json.hpp>

#include "server/http.h"

namespace kairos::server {

// The JSON body of `request`, checked against `schema` (the route's body_schema), or the error to
// send:
//   415 unsupported_media_type  Content-Type is not application/json;
//   400 malformed_json          the text is not JSON ("malformed JSON at line 2, column 7: ...",
//                               details {"line","column","offset"});
//   400 unknown_field           a property the schema does not list (details {"field"});
//   422 invalid                 a missing required property or one of the wrong type (details
//                               {"field","expected"}).
// The schema subset understood: {"type":"object","properties":{NAME:{"type":T}},"required":[…]}
// with T one of string, integer, number, boolean, object, array (objects are not checked
// further). Every body of the API is an object at the top.
std::variant<nlohmann::json, Response> ReadBody(const Request& request,
                                                const nlohmann::json& schema);

// A schema of that subset, for route tables: ObjectSchema({{"note","string"}}, {"note"}).
nlohmann::json ObjectSchema(std::initializer_list<std::pair<const char*, const char*>> properties,
                            std::initializer_list<const char*> required = {});

}  // namespace kairos::server
