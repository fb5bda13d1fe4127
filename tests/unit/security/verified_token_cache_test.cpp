#include "security/verified_token_cache.hpp"

#include <gtest/gtest.h>

namespace gatehouse::security {
namespace {

TEST(VerifiedTokenCache, ReturnsEntriesUntilTheyExpire) {
  VerifiedTokenCache cache;
  cache.Insert("token-a", {"user-1", "session-1", 1000});
  auto hit = cache.Find("token-a", 999);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->sub, "user-1");
  EXPECT_EQ(hit->sid, "session-1");
  EXPECT_FALSE(cache.Find("token-a", 1000).has_value());
  EXPECT_FALSE(cache.Find("token-b", 0).has_value());
}

TEST(VerifiedTokenCache, StaysBounded) {
  VerifiedTokenCache cache(32);
  for (int i = 0; i < 10000; ++i) cache.Insert("t" + std::to_string(i), {"u", "s", 1 << 30});
  int found = 0;
  for (int i = 0; i < 10000; ++i) found += cache.Find("t" + std::to_string(i), 0) ? 1 : 0;
  EXPECT_LE(found, 32 + 16);
  EXPECT_TRUE(cache.Find("t9999", 0).has_value());  // the newest survives
}

}  // namespace
}  // namespace gatehouse::security
