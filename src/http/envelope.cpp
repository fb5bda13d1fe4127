#include "http/envelope.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace gatehouse::http {

int HttpStatusFor(core::ErrorCode code) {
  switch (code) {
    case core::ErrorCode::kInvalidArgument: return 400;
    case core::ErrorCode::kUnauthenticated: return 401;
    case core::ErrorCode::kPermissionDenied: return 403;
    case core::ErrorCode::kNotFound: return 404;
    case core::ErrorCode::kMethodNotAllowed: return 405;
    case core::ErrorCode::kAlreadyExists: return 409;
    case core::ErrorCode::kFailedPrecondition: return 409;
    case core::ErrorCode::kPayloadTooLarge: return 413;
    case core::ErrorCode::kRateLimited: return 429;
    case core::ErrorCode::kInternal: return 500;
    case core::ErrorCode::kUnavailable: return 503;
  }
  return 500;
}

namespace {

Response Serialize(int status, const boost::json::object& body) {
  Response response;
  response.status = status;
  response.body = boost::json::serialize(body);
  return response;
}

}  // namespace

Response Ok(boost::json::value data, std::string_view message, int status) {
  boost::json::object body;
  body.reserve(4);
  body.emplace("status", status);
  body.emplace("message", message);
  body.emplace("data", std::move(data));
  body.emplace("successful", true);
  return Serialize(status, body);
}

Response OkPaged(boost::json::value data, std::string_view message, const Pagination& page) {
  boost::json::object pagination;
  pagination.emplace("previousPage", page.current_page > 1
                                         ? boost::json::value(page.current_page - 1)
                                         : boost::json::value(nullptr));
  pagination.emplace("currentPage", page.current_page);
  pagination.emplace("nextPage", page.current_page < page.total_pages
                                     ? boost::json::value(page.current_page + 1)
                                     : boost::json::value(nullptr));
  pagination.emplace("totalPages", page.total_pages);
  pagination.emplace("totalRecords", page.total_records);
  pagination.emplace("listedRecords", page.listed_records);

  boost::json::object body;
  body.emplace("status", 200);
  body.emplace("message", message);
  body.emplace("data", std::move(data));
  body.emplace("pagination", std::move(pagination));
  body.emplace("successful", true);
  return Serialize(200, body);
}

Response FromError(const core::Error& error) {
  const int status = HttpStatusFor(error.code);
  boost::json::object body;
  body.emplace("status", status);
  body.emplace("message", error.public_message.empty() ? "Error" : error.public_message);
  body.emplace("error", error.Name());
  if (!error.details.empty()) {
    boost::json::array errors;
    for (const auto& field : error.details) {
      boost::json::array path;
      for (const auto& segment : field.path) path.emplace_back(segment);
      errors.push_back(boost::json::object{{"path", std::move(path)},
                                           {"message", field.message}});
    }
    body.emplace("errors", std::move(errors));
  }
  body.emplace("successful", false);
  Response response = Serialize(status, body);
  if (error.retry_after_seconds > 0) {
    response.SetHeader("Retry-After", std::to_string(error.retry_after_seconds));
  }
  for (const auto& [name, value] : error.headers) response.SetHeader(name, value);
  return response;
}

Response Plain(int status, std::string_view message, std::optional<std::string_view> error_code,
               bool successful) {
  boost::json::object body;
  body.emplace("status", status);
  body.emplace("message", message);
  if (error_code) body.emplace("error", *error_code);
  body.emplace("successful", successful);
  return Serialize(status, body);
}

}  // namespace gatehouse::http
