#include <gtest/gtest.h>

#include <set>

#include "core/clock.hpp"
#include "core/ids.hpp"

namespace gatehouse::core {
namespace {

TEST(Clock, FormatsIso8601WithMilliseconds) {
  EXPECT_EQ(FormatIso8601(FromUnixMillis(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601(FromUnixMillis(1771027200123)), "2026-02-14T00:00:00.123Z");
}

TEST(Clock, ParsesTheFormsClientsSend) {
  EXPECT_EQ(ToUnixMillis(*ParseIso8601("2026-02-14T00:00:00.123Z")), 1771027200123);
  EXPECT_EQ(ToUnixMillis(*ParseIso8601("2026-02-14")), 1771027200000);
  EXPECT_EQ(ToUnixMillis(*ParseIso8601("2026-02-14T01:00:00+01:00")), 1771027200000);
  EXPECT_EQ(ToUnixMillis(*ParseIso8601("2024-01-31T23:59:59Z")), 1706745599000);
  for (const char* bad : {"", "2026", "2026-13-01", "2026-02-30", "2026-02-14T25:00:00Z",
                          "2026-02-14T00:00:00Zjunk", "yesterday"}) {
    EXPECT_FALSE(ParseIso8601(bad)) << bad;
  }
}

TEST(Ids, UuidV7IsVersionedUniqueAndTimeOrdered) {
  std::set<std::string> seen;
  std::string previous;
  for (int i = 0; i < 5000; ++i) {
    const std::string id = NewUuidV7();
    ASSERT_TRUE(IsUuid(id));
    ASSERT_EQ(id[14], '7');
    ASSERT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b');
    ASSERT_GT(id, previous);
    previous = id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 5000u);
}

TEST(Ids, RandomHexHasRequestedLength) {
  EXPECT_EQ(RandomHex(16).size(), 32u);
  EXPECT_NE(RandomHex(16), RandomHex(16));
  EXPECT_FALSE(IsUuid("not-a-uuid"));
}

}  // namespace
}  // namespace gatehouse::core
