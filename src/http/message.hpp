// The request and response types handlers see: plain structs, no Beast, so only src/http/
// pays Beast's compile time.
//
//   std::string_view auth = request.Header("authorization");
//   std::optional<std::string> page = request.Query("page");
//   Response response{.status = 204};
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gatehouse::http {

class Deferred;  // deferred.hpp

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

const char* MethodName(Method method);
Method ParseMethod(std::string_view name);

struct Request {
  Method method = Method::kGet;
  std::string method_text;  // as received, for logs
  std::string target;       // path and query as received
  std::string path;         // target without the query
  std::string query;        // raw query, without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string peer_ip;      // the TCP peer
  std::string client_ip;    // peer, or X-Forwarded-For when the peer is a trusted proxy
  std::string request_id;   // set by the dispatcher

  // Case-insensitive lookup of the first header called `name`; empty if absent.
  std::string_view Header(std::string_view name) const;
  // Percent-decoded query parameter; nullopt if absent. The query is parsed on first use.
  std::optional<std::string> Query(std::string_view name) const;
  const std::multimap<std::string, std::string>& QueryParams() const;

 private:
  mutable bool query_parsed_ = false;
  mutable std::multimap<std::string, std::string> query_params_;
};

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  bool close = false;  // close the connection after sending
  // Set by Deferred::Later(): the real answer comes later; the rest is a placeholder.
  std::shared_ptr<Deferred> deferred;

  void SetHeader(std::string name, std::string value);
};

// Decodes %XX and (when `plus_is_space`) '+'; nullopt for malformed escapes.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace gatehouse::http
