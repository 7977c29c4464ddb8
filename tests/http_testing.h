#pragma once
// A plain HTTP client for the end-to-end tests of the API: libcurl, one request per call, the
// answer's status, headers (names in lower case) and body.
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <vector>

namespace kairos::testing {

struct HttpAnswer {
  long status = 0;  // 0: no answer (connection refused, timeout)
  std::multimap<std::string, std::string> headers;
  std::string body;

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// `method` `url` with `body` (sent as application/json unless a Content-Type header is given) and
// extra `headers` ("Name: value").
inline HttpAnswer Http(const std::string& method, const std::string& url,
                       const std::string& body = "", const std::vector<std::string>& headers = {}) {
  HttpAnswer answer;
  CURL* curl = curl_easy_init();
  if (!curl) return answer;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 20000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_slist* list = nullptr;
  bool typed = std::any_of(headers.begin(), headers.end(), [](const std::string& h) {
    return h.size() > 13 &&
           std::equal(h.begin(), h.begin() + 13, "Content-Type:", [](char a, char b) {
             return std::tolower(a) == std::tolower(b);
           });
  });
  if (!body.empty() || method != "GET") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    if (!typed) list = curl_slist_append(list, "Content-Type: application/json");
  }
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  auto write = +[](char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
  };
  auto header = +[](char* data, size_t size, size_t n, void* out) {
    std::string line(data, size * n);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
      static_cast<std::multimap<std::string, std::string>*>(out)->emplace(name, value);
    }
    return size * n;
  };
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &answer.headers);
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
  }
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return answer;
}

}  // namespace kairos::testing
