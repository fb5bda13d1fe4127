#include "core/clock.hpp"

#include <cstdio>

namespace gatehouse::core {

TimePoint SystemClock::Now() const {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

std::int64_t ToUnixMillis(TimePoint t) { return t.time_since_epoch().count(); }

TimePoint FromUnixMillis(std::int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

namespace {

// The reference formatting through <chrono> and snprintf; kept for years outside 0000-9999,
// where the fixed-width fast path below does not apply.
std::string FormatIso8601Slow(TimePoint t) {
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

inline void Put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

}  // namespace

std::string FormatIso8601(TimePoint t) {
  constexpr std::int64_t kMsPerDay = 86'400'000;
  const std::int64_t ms = t.time_since_epoch().count();
  // Floor division, so instants before 1970 land on the previous day.
  std::int64_t days = ms / kMsPerDay;
  std::int64_t rem = ms % kMsPerDay;
  if (rem < 0) {
    rem += kMsPerDay;
    --days;
  }
  // Days since 1970-01-01 -> proleptic Gregorian civil date (400-year eras starting 0000-03-01).
  const std::int64_t z = days + 719'468;
  const std::int64_t era = (z >= 0 ? z : z - 146'096) / 146'097;
  const auto doe = static_cast<unsigned>(z - era * 146'097);                     // [0, 146096]
  const unsigned yoe = (doe - doe / 1'460 + doe / 36'524 - doe / 146'096) / 365;  // [0, 399]
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                  // [0, 365]
  const unsigned mp = (5 * doy + 2) / 153;                                       // [0, 11]
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;                             // [1, 31]
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;                              // [1, 12]
  const std::int64_t year = static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) return FormatIso8601Slow(t);

  const auto r = static_cast<unsigned>(rem);
  const unsigned milli = r % 1000;
  const unsigned secs = r / 1000;
  std::string out(24, '\0');
  char* p = out.data();
  const auto y = static_cast<unsigned>(year);
  Put2(p, y / 100);
  Put2(p + 2, y % 100);
  p[4] = '-';
  Put2(p + 5, month);
  p[7] = '-';
  Put2(p + 8, day);
  p[10] = 'T';
  Put2(p + 11, secs / 3600);
  p[13] = ':';
  Put2(p + 14, secs / 60 % 60);
  p[16] = ':';
  Put2(p + 17, secs % 60);
  p[19] = '.';
  p[20] = static_cast<char>('0' + milli / 100);
  Put2(p + 21, milli % 100);
  p[23] = 'Z';
  return out;
}

namespace {

bool Digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<TimePoint> ParseIso8601(std::string_view s) {
  using namespace std::chrono;
  int y, mo, d, h = 0, mi = 0, se = 0, ms = 0;
  if (!Digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, mo) ||
      s[7] != '-' || !Digits(s, 8, 2, d)) {
    return std::nullopt;
  }
  std::size_t pos = 10;
  int offset_minutes = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
    if (!Digits(s, pos + 1, 2, h) || s.size() < pos + 9 || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, mi) || s[pos + 6] != ':' || !Digits(s, pos + 7, 2, se)) {
      return std::nullopt;
    }
    pos += 9;
    if (pos < s.size() && s[pos] == '.') {
      std::size_t start = ++pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
      const std::size_t n = pos - start;
      if (n == 0 || n > 9) return std::nullopt;
      int frac = 0;
      Digits(s, start, n < 3 ? n : 3, frac);
      for (std::size_t i = n; i < 3; ++i) frac *= 10;
      ms = frac;
    }
    if (pos < s.size()) {
      if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
        pos = s.size();
      } else if ((s[pos] == '+' || s[pos] == '-') && s.size() == pos + 6 && s[pos + 3] == ':') {
        int oh, om;
        if (!Digits(s, pos + 1, 2, oh) || !Digits(s, pos + 4, 2, om)) return std::nullopt;
        offset_minutes = (s[pos] == '+' ? 1 : -1) * (oh * 60 + om);
        pos = s.size();
      } else {
        return std::nullopt;
      }
    }
  }
  if (h > 23 || mi > 59 || se > 59) return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  const auto t = sys_days{ymd} + hours{h} + minutes{mi} + seconds{se} + milliseconds{ms} -
                 minutes{offset_minutes};
  return time_point_cast<milliseconds>(t);
}

}  // namespace gatehouse::core
