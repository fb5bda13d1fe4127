#include "http/router.hpp"

#include <gtest/gtest.h>

namespace gatehouse::http {
namespace {

core::Result<Response> Nothing(Context&) { return Response{}; }

Router SeedLikeRouter() {
  Router router;
  const auto any = Access::Authenticated();
  router.Add(Method::kGet, "/v1/user/@me", any, Nothing);
  router.Add(Method::kPatch, "/v1/user/@me", any, Nothing);
  router.Add(Method::kGet, "/v1/user/users/:identifier", any, Nothing);
  router.Add(Method::kGet, "/v1/permissions/nodes", any, Nothing);
  router.Add(Method::kGet, "/v1/permissions/:category", any, Nothing);
  router.Add(Method::kGet, "/v1/credential/credentials/:id/fields", any, Nothing);
  router.Add(Method::kGet, "/v1/credential/credentials/company/:companyId", any, Nothing);
  router.Add(Method::kGet, "/health", Access::Public(), Nothing);
  return router;
}

TEST(Router, MatchesStaticAndParameterSegments) {
  Router router = SeedLikeRouter();
  auto m = router.Match(Method::kGet, "/v1/user/users/abc-123");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/v1/user/users/:identifier");
  EXPECT_EQ(m.params.at("identifier"), "abc-123");
}

TEST(Router, StaticSegmentsWinOverParameters) {
  Router router = SeedLikeRouter();
  auto nodes = router.Match(Method::kGet, "/v1/permissions/nodes");
  ASSERT_NE(nodes.route, nullptr);
  EXPECT_EQ(nodes.route->pattern, "/v1/permissions/nodes");
  auto category = router.Match(Method::kGet, "/v1/permissions/company");
  ASSERT_NE(category.route, nullptr);
  EXPECT_EQ(category.params.at("category"), "company");
  // Both patterns fit; the one static earlier ("company") wins.
  auto ambiguous = router.Match(Method::kGet, "/v1/credential/credentials/company/fields");
  ASSERT_NE(ambiguous.route, nullptr);
  EXPECT_EQ(ambiguous.route->pattern, "/v1/credential/credentials/company/:companyId");
}

TEST(Router, WrongMethodListsAllowedMethods) {
  Router router = SeedLikeRouter();
  auto m = router.Match(Method::kDelete, "/v1/user/@me");
  EXPECT_EQ(m.route, nullptr);
  ASSERT_EQ(m.allowed.size(), 3u);  // GET, PATCH and HEAD (implied by GET)
}

TEST(Router, UnknownPathHasNoAllowedMethods) {
  Router router = SeedLikeRouter();
  for (const char* path : {"/nope", "/v1/user", "/v1/user/users/", "/v1/user/users/a/b", "",
                           "/health/"}) {
    auto m = router.Match(Method::kGet, path);
    EXPECT_EQ(m.route, nullptr) << path;
    EXPECT_TRUE(m.allowed.empty()) << path;
  }
}

TEST(Router, HeadMatchesGet) {
  Router router = SeedLikeRouter();
  auto m = router.Match(Method::kHead, "/health");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->method, Method::kGet);
}

TEST(Router, ParametersArePercentDecoded) {
  Router router = SeedLikeRouter();
  auto m = router.Match(Method::kGet, "/v1/user/users/a%20b%2Fc");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params.at("identifier"), "a b/c");
  auto bad = router.Match(Method::kGet, "/v1/user/users/a%zz");
  ASSERT_NE(bad.route, nullptr);
  EXPECT_TRUE(bad.bad_path);
}

TEST(Router, RefusesDuplicatesAndRoutesWithoutAccessRules) {
  Router router = SeedLikeRouter();
  EXPECT_THROW(router.Add(Method::kGet, "/v1/user/users/:id", Access::Public(), Nothing),
               std::logic_error);
  EXPECT_THROW(router.Add(Method::kGet, "/v1/x", Access::Nodes({}), Nothing), std::logic_error);
}

}  // namespace
}  // namespace gatehouse::http
