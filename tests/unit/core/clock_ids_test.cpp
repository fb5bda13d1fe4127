#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <random>
#include <set>
#include <string>

#include "core/clock.hpp"
#include "core/ids.hpp"

namespace gatehouse::core {
namespace {

TEST(Clock, FormatsIso8601WithMilliseconds) {
  EXPECT_EQ(FormatIso8601(FromUnixMillis(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601(FromUnixMillis(1771027200123)), "2026-02-14T00:00:00.123Z");
}

// The snprintf/<chrono> formatting FormatIso8601 used before its hand-written digits; the two
// must agree on every instant.
std::string ReferenceIso8601(TimePoint t) {
  using namespace std::chrono;
  const auto days = floor<std::chrono::days>(t);
  const year_month_day ymd{days};
  const hh_mm_ss hms{t - days};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()),
                int(hms.subseconds().count()));
  return buf;
}

std::int64_t MillisAt(int y, unsigned m, unsigned d) {
  using namespace std::chrono;
  const sys_days day{year{y} / month{m} / std::chrono::day{d}};
  return duration_cast<milliseconds>(day.time_since_epoch()).count();
}

TEST(Clock, FormatIso8601MatchesTheReferenceOnEdges) {
  constexpr std::int64_t kDay = 86'400'000;
  std::vector<std::int64_t> instants;
  // Year boundaries, leap days (2000 and 2400 are leap years, 1900 and 2100 are not), month
  // ends, the first and last millisecond of each day, and the ends of the four-digit range.
  for (int y : {0, 1, 4, 99, 100, 400, 1600, 1899, 1900, 1969, 1970, 1971, 1999, 2000, 2001,
                2024, 2025, 2026, 2038, 2099, 2100, 2400, 9998, 9999}) {
    for (unsigned m = 1; m <= 12; ++m) {
      for (unsigned d : {1u, 28u}) {
        const std::int64_t start = MillisAt(y, m, d);
        for (std::int64_t delta : std::initializer_list<std::int64_t>{
                 -kDay, -1, 0, 1, 999, 1000, 59'999, 3'599'999, kDay - 1000, kDay - 1, kDay,
                 kDay + 1, 2 * kDay - 1}) {
          instants.push_back(start + delta);
        }
      }
    }
  }
  instants.push_back(MillisAt(10000, 1, 1) - 1);   // 9999-12-31T23:59:59.999Z
  instants.push_back(MillisAt(10000, 1, 1));       // five-digit year
  instants.push_back(MillisAt(0, 1, 1) - 1);       // year -1
  instants.push_back(MillisAt(-2000, 2, 29) + 5);  // negative leap year
  instants.push_back(MillisAt(2000, 2, 29) + 43'200'000);
  instants.push_back(MillisAt(2100, 3, 1) - 1);  // 2100-02-28: no 29th
  for (std::int64_t ms : instants) {
    const TimePoint t = FromUnixMillis(ms);
    ASSERT_EQ(FormatIso8601(t), ReferenceIso8601(t)) << ms;
  }
  EXPECT_EQ(FormatIso8601(FromUnixMillis(MillisAt(2024, 2, 29) + kDay - 1)),
            "2024-02-29T23:59:59.999Z");
  EXPECT_EQ(FormatIso8601(FromUnixMillis(-1)), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatIso8601(FromUnixMillis(MillisAt(2000, 1, 1) - 1)), "1999-12-31T23:59:59.999Z");
}

TEST(Clock, FormatIso8601MatchesTheReferenceOnRandomInstants) {
  std::mt19937_64 rng(20260214);
  // Mostly 0000-9999 (the fast path), plus instants anywhere in +/- 30000 years.
  const std::int64_t lo = MillisAt(0, 1, 1), hi = MillisAt(10000, 1, 1) - 1;
  const std::int64_t wide = MillisAt(30000, 1, 1);
  std::uniform_int_distribution<std::int64_t> four_digit(lo, hi);
  std::uniform_int_distribution<std::int64_t> any(-wide, wide);
  std::uniform_int_distribution<std::int64_t> recent(MillisAt(1960, 1, 1), MillisAt(2110, 1, 1));
  for (int i = 0; i < 200'000; ++i) {
    const std::int64_t ms = i % 4 == 0 ? any(rng) : i % 4 == 1 ? four_digit(rng) : recent(rng);
    const TimePoint t = FromUnixMillis(ms);
    ASSERT_EQ(FormatIso8601(t), ReferenceIso8601(t)) << ms;
  }
}

TEST(Clock, FormattedInstantsParseBack) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::int64_t> four_digit(MillisAt(0, 1, 1),
                                                         MillisAt(10000, 1, 1) - 1);
  for (int i = 0; i < 20'000; ++i) {
    const std::int64_t ms = four_digit(rng);
    auto parsed = ParseIso8601(FormatIso8601(FromUnixMillis(ms)));
    ASSERT_TRUE(parsed.has_value()) << ms;
    ASSERT_EQ(ToUnixMillis(*parsed), ms);
  }
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
