#include "http/dispatcher.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/string.hpp>
#include <gtest/gtest.h>

#include "http/envelope.hpp"

namespace gatehouse::http {
namespace {

class AllowList final : public core::PermissionSet {
 public:
  explicit AllowList(std::vector<std::string> nodes) : nodes_(std::move(nodes)) {}
  bool Grants(std::string_view node) const override {
    for (const auto& n : nodes_) {
      if (n == node) return true;
    }
    return false;
  }
  bool CoversGrant(std::string_view grant) const override { return Grants(grant); }

 private:
  std::vector<std::string> nodes_;
};

// Callers identify with "Authorization: Bearer <node>"; that node is all they may do.
core::Result<core::Principal> FakeAuth(const Request& request) {
  const auto header = request.Header("authorization");
  if (header.empty()) return core::Principal{};
  if (header == "Bearer bad") return core::Unauthenticated();
  core::Principal p;
  p.kind = core::Principal::Kind::kUser;
  p.user_id = "u1";
  p.permissions = std::make_shared<AllowList>(
      std::vector<std::string>{std::string(header.substr(7))});
  return p;
}

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest() : dispatcher_(router_, {.cors_origins = {"https://app.example"},
                                           .trusted_proxies = {"10.0.0.1"}}, FakeAuth) {
    router_.Add(Method::kGet, "/open", Access::Public(),
                [](Context&) -> core::Result<Response> { return Ok("hi", "Hello"); });
    router_.Add(Method::kGet, "/secret", Access::Nodes({"secret.read"}),
                [](Context& c) -> core::Result<Response> { return Ok(boost::json::string(c.principal.user_id), "ok"); });
    router_.Add(Method::kPost, "/fail", Access::Public(),
                [](Context&) -> core::Result<Response> {
                  return core::NotFound("User with identifier 'x' was not found.", "UserNotFound");
                });
    router_.Add(Method::kPost, "/boom", Access::Public(),
                [](Context&) -> core::Result<Response> { return core::Internal("db file /x"); });
  }

  Response Send(Method method, std::string path, std::vector<std::pair<std::string, std::string>>
                                                     headers = {}) {
    request_ = Request{};
    request_.method = method;
    request_.method_text = MethodName(method);
    request_.path = std::move(path);
    request_.headers = std::move(headers);
    request_.peer_ip = "10.0.0.1";
    auto match = dispatcher_.Route(request_);
    return dispatcher_.Run(request_, match);
  }

  static boost::json::object Body(const Response& r) {
    return boost::json::parse(r.body).as_object();
  }

  static std::string HeaderOf(const Response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return {};
  }

  Router router_;
  Dispatcher dispatcher_;
  Request request_;
};

TEST_F(DispatcherTest, SuccessUsesTheSeedEnvelope) {
  auto r = Send(Method::kGet, "/open");
  EXPECT_EQ(r.status, 200);
  auto body = Body(r);
  EXPECT_EQ(body.at("status").as_int64(), 200);
  EXPECT_EQ(body.at("message").as_string(), "Hello");
  EXPECT_EQ(body.at("data").as_string(), "hi");
  EXPECT_EQ(body.at("successful").as_bool(), true);
}

TEST_F(DispatcherTest, UnknownRouteIs404AndWrongMethodIs405WithAllow) {
  auto missing = Send(Method::kGet, "/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Body(missing).at("error").as_string(), "NotFound");
  auto wrong = Send(Method::kDelete, "/open");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(Body(wrong).at("error").as_string(), "MethodNotAllowed");
  EXPECT_EQ(HeaderOf(wrong, "Allow"), "GET, HEAD");
}

TEST_F(DispatcherTest, ProtectedRoutesNeedCredentialsAndNodes) {
  EXPECT_EQ(Send(Method::kGet, "/secret").status, 401);
  EXPECT_EQ(Send(Method::kGet, "/secret", {{"authorization", "Bearer bad"}}).status, 401);
  auto denied = Send(Method::kGet, "/secret", {{"authorization", "Bearer other.node"}});
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(Body(denied).at("error").as_string(), "InsufficientPermission");
  auto allowed = Send(Method::kGet, "/secret", {{"authorization", "Bearer secret.read"}});
  EXPECT_EQ(allowed.status, 200);
  EXPECT_EQ(Body(allowed).at("data").as_string(), "u1");
}

TEST_F(DispatcherTest, DomainErrorsKeepTheirCodeAndInternalsStayHidden) {
  auto r = Send(Method::kPost, "/fail");
  EXPECT_EQ(r.status, 404);
  auto body = Body(r);
  EXPECT_EQ(body.at("error").as_string(), "UserNotFound");
  EXPECT_EQ(body.at("message").as_string(), "User with identifier 'x' was not found.");
  EXPECT_EQ(body.at("successful").as_bool(), false);

  auto boom = Send(Method::kPost, "/boom");
  EXPECT_EQ(boom.status, 500);
  EXPECT_EQ(boom.body.find("/x"), std::string::npos);
}

TEST_F(DispatcherTest, RequestIdIsGeneratedOrPropagated) {
  auto generated = Send(Method::kGet, "/open");
  EXPECT_EQ(HeaderOf(generated, "X-Request-Id").size(), 16u);
  auto kept = Send(Method::kGet, "/open", {{"x-request-id", "abc-123"}});
  EXPECT_EQ(HeaderOf(kept, "X-Request-Id"), "abc-123");
  auto forged = Send(Method::kGet, "/open", {{"x-request-id", "bad\"id\n"}});
  EXPECT_NE(HeaderOf(forged, "X-Request-Id"), "bad\"id\n");
}

TEST_F(DispatcherTest, CorsAllowsOnlyConfiguredOrigins) {
  auto preflight = Send(Method::kOptions, "/secret",
                        {{"origin", "https://app.example"},
                         {"access-control-request-method", "GET"}});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(HeaderOf(preflight, "Access-Control-Allow-Origin"), "https://app.example");
  EXPECT_NE(HeaderOf(preflight, "Access-Control-Allow-Methods").find("GET"), std::string::npos);

  auto stranger = Send(Method::kOptions, "/secret",
                       {{"origin", "https://evil.example"},
                        {"access-control-request-method", "GET"}});
  EXPECT_EQ(HeaderOf(stranger, "Access-Control-Allow-Origin"), "");

  auto simple = Send(Method::kGet, "/open", {{"origin", "https://app.example"}});
  EXPECT_EQ(HeaderOf(simple, "Access-Control-Allow-Origin"), "https://app.example");
}

TEST_F(DispatcherTest, ForwardedForIsBelievedOnlyFromTrustedProxies) {
  Send(Method::kGet, "/open", {{"x-forwarded-for", "203.0.113.9, 10.0.0.1"}});
  EXPECT_EQ(request_.client_ip, "203.0.113.9");

  request_ = Request{};
  request_.path = "/open";
  request_.peer_ip = "198.51.100.7";
  request_.headers = {{"x-forwarded-for", "203.0.113.9"}};
  dispatcher_.Route(request_);
  EXPECT_EQ(request_.client_ip, "198.51.100.7");
}

TEST(Envelope, ValidationErrorsCarryPaths) {
  auto r = FromError(core::Validation({{{"roles", "1"}, "Must be a string"}}));
  EXPECT_EQ(r.status, 400);
  auto body = boost::json::parse(r.body).as_object();
  EXPECT_EQ(body.at("error").as_string(), "ValidationError");
  EXPECT_EQ(body.at("errors").as_array()[0].at("path").as_array()[1].as_string(), "1");
}

TEST(Envelope, PaginationBlockMatchesSeed002) {
  auto r = OkPaged(boost::json::array{}, "Companies Fetched Successfully!",
                   {.current_page = 1, .total_pages = 10, .total_records = 300,
                    .listed_records = 30});
  auto p = boost::json::parse(r.body).at("pagination").as_object();
  EXPECT_TRUE(p.at("previousPage").is_null());
  EXPECT_EQ(p.at("nextPage").as_int64(), 2);
  EXPECT_EQ(p.at("totalRecords").as_int64(), 300);
}

TEST(Envelope, RetryAfterIsSentWhenKnown) {
  core::Error busy = core::Unavailable("queue full");
  busy.retry_after_seconds = 1;
  auto r = FromError(busy);
  EXPECT_EQ(r.status, 503);
  bool found = false;
  for (const auto& [k, v] : r.headers) found = found || (k == "Retry-After" && v == "1");
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace gatehouse::http
