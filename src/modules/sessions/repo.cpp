#include "modules/sessions/repo.hpp"

#include "store/database.hpp"

namespace gatehouse::modules::sessions::repo {
namespace {

constexpr const char* kColumns =
    "id, user_id, provider, ip_address, user_agent, device_type, browser_name, os_name, "
    "created_at, last_activity_at, expires_at, revoked_at, revoked_reason";

struct SessionRow {
  std::string id, user_id, provider, ip, ua, device, browser, os, reason;
  long long created = 0, activity = 0, expires = 0, revoked = 0;
  soci::indicator ip_i{}, ua_i{}, device_i{}, browser_i{}, os_i{}, revoked_i{}, reason_i{};

  void Bind(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(user_id));
    st.exchange(soci::into(provider));
    st.exchange(soci::into(ip, ip_i));
    st.exchange(soci::into(ua, ua_i));
    st.exchange(soci::into(device, device_i));
    st.exchange(soci::into(browser, browser_i));
    st.exchange(soci::into(os, os_i));
    st.exchange(soci::into(created));
    st.exchange(soci::into(activity));
    st.exchange(soci::into(expires));
    st.exchange(soci::into(revoked, revoked_i));
    st.exchange(soci::into(reason, reason_i));
  }

  static std::optional<std::string> Opt(const std::string& v, soci::indicator i) {
    if (i == soci::i_null) return std::nullopt;
    return v;
  }

  Session ToSession() const {
    Session s;
    s.id = id;
    s.user_id = user_id;
    s.provider = provider;
    s.ip_address = Opt(ip, ip_i);
    s.user_agent = Opt(ua, ua_i);
    s.device_type = Opt(device, device_i);
    s.browser_name = Opt(browser, browser_i);
    s.os_name = Opt(os, os_i);
    s.created_at = created;
    s.last_activity_at = activity;
    s.expires_at = expires;
    if (revoked_i != soci::i_null) s.revoked_at = revoked;
    s.revoked_reason = Opt(reason, reason_i);
    return s;
  }
};

std::vector<Session> Query(soci::session& s, const std::string& tail,
                           const std::vector<std::string>& params,
                           const std::vector<long long>& numbers = {}) {
  SessionRow row;
  soci::statement st(s);
  row.Bind(st);
  for (const auto& p : params) st.exchange(soci::use(p));
  for (const auto& n : numbers) st.exchange(soci::use(n));
  st.alloc();
  st.prepare(std::string("SELECT ") + kColumns + " FROM sessions " + tail);
  st.define_and_bind();
  std::vector<Session> out;
  if (st.execute(true)) {
    do {
      out.push_back(row.ToSession());
    } while (st.fetch());
  }
  return out;
}

// The list behind GET /v1/sessions, kept prepared on each pooled connection.
struct ListLiveQuery {
  SessionRow row;
  std::string user_id;
  long long now = 0;
  soci::statement st;

  explicit ListLiveQuery(soci::session& s) : st(s) {
    row.Bind(st);
    st.exchange(soci::use(user_id));
    st.exchange(soci::use(now));
    st.alloc();
    st.prepare(std::string("SELECT ") + kColumns +
               " FROM sessions WHERE user_id = :u AND revoked_at IS NULL AND expires_at > :now "
               "ORDER BY last_activity_at DESC, id DESC");
    st.define_and_bind();
  }
};

soci::indicator Ind(const std::optional<std::string>& v) {
  return v ? soci::i_ok : soci::i_null;
}

}  // namespace

void InsertSession(soci::session& s, const Session& x, const std::string& refresh_hash) {
  const std::string ip = x.ip_address.value_or(""), ua = x.user_agent.value_or("");
  const std::string device = x.device_type.value_or(""), browser = x.browser_name.value_or("");
  const std::string os = x.os_name.value_or("");
  const long long created = x.created_at, activity = x.last_activity_at, expires = x.expires_at;
  soci::indicator ip_i = Ind(x.ip_address), ua_i = Ind(x.user_agent);
  soci::indicator device_i = Ind(x.device_type), browser_i = Ind(x.browser_name);
  soci::indicator os_i = Ind(x.os_name);
  s << "INSERT INTO sessions (id, user_id, refresh_hash, provider, ip_address, user_agent, "
       "device_type, browser_name, os_name, created_at, last_activity_at, expires_at) VALUES "
       "(:id, :u, :h, :p, :ip, :ua, :d, :b, :o, :c, :a, :e)",
      soci::use(x.id), soci::use(x.user_id), soci::use(refresh_hash), soci::use(x.provider),
      soci::use(ip, ip_i), soci::use(ua, ua_i), soci::use(device, device_i),
      soci::use(browser, browser_i), soci::use(os, os_i), soci::use(created), soci::use(activity),
      soci::use(expires);
}

std::optional<Session> FindById(soci::session& s, const std::string& id) {
  auto rows = Query(s, "WHERE id = :id", {id});
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::optional<Session> FindByRefreshHash(soci::session& s, const std::string& refresh_hash) {
  auto rows = Query(s, "WHERE refresh_hash = :h", {refresh_hash});
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::optional<RotatedToken> FindRotated(soci::session& s, const std::string& refresh_hash) {
  RotatedToken token;
  long long at = 0;
  s << "SELECT session_id, rotated_at FROM rotated_refresh_tokens WHERE token_hash = :h",
      soci::into(token.session_id), soci::into(at), soci::use(refresh_hash);
  if (!s.got_data()) return std::nullopt;
  token.rotated_at = at;
  return token;
}

bool RotateRefresh(soci::session& s, const std::string& session_id, const std::string& old_hash,
                   const std::string& new_hash, std::int64_t now) {
  const long long at = now;
  soci::statement st =
      (s.prepare << "UPDATE sessions SET refresh_hash = :n, last_activity_at = :at "
                    "WHERE id = :id AND refresh_hash = :o AND revoked_at IS NULL",
       soci::use(new_hash), soci::use(at), soci::use(session_id), soci::use(old_hash));
  st.execute(true);
  if (st.get_affected_rows() != 1) return false;
  s << "INSERT INTO rotated_refresh_tokens (token_hash, session_id, rotated_at) "
       "VALUES (:h, :s, :at)",
      soci::use(old_hash), soci::use(session_id), soci::use(at);
  return true;
}

bool RevokeSession(soci::session& s, const std::string& id, const std::string& reason,
                   std::int64_t now) {
  const long long at = now;
  soci::statement st =
      (s.prepare << "UPDATE sessions SET revoked_at = :at, revoked_reason = :r "
                    "WHERE id = :id AND revoked_at IS NULL",
       soci::use(at), soci::use(reason), soci::use(id));
  st.execute(true);
  return st.get_affected_rows() == 1;
}

std::vector<std::string> RevokeUserSessions(soci::session& s, const std::string& user_id,
                                            const std::optional<std::string>& except_id,
                                            const std::string& reason, std::int64_t now) {
  std::vector<std::string> ids;
  {
    std::string id;
    const std::string except = except_id.value_or("");
    soci::statement st =
        (s.prepare << "SELECT id FROM sessions WHERE user_id = :u AND revoked_at IS NULL "
                      "AND id <> :x",
         soci::into(id), soci::use(user_id), soci::use(except));
    if (st.execute(true)) {
      do {
        ids.push_back(id);
      } while (st.fetch());
    }
  }
  for (const auto& id : ids) RevokeSession(s, id, reason, now);
  return ids;
}

std::vector<Session> ListLive(soci::session& s, const std::string& user_id, std::int64_t now) {
  auto q = store::Prepared<ListLiveQuery>(s);
  q->user_id = user_id;
  q->now = now;
  std::vector<Session> out;
  if (q->st.execute(true)) {
    do {
      out.push_back(q->row.ToSession());
    } while (q->st.fetch());
  }
  return out;
}

std::vector<std::pair<std::string, std::int64_t>> RevokedSince(soci::session& s,
                                                               std::int64_t since) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  std::string id;
  long long at = 0;
  const long long from = since;
  soci::statement st = (s.prepare << "SELECT id, revoked_at FROM sessions WHERE revoked_at >= :s",
                        soci::into(id), soci::into(at), soci::use(from));
  if (st.execute(true)) {
    do {
      out.emplace_back(id, at);
    } while (st.fetch());
  }
  return out;
}

void TouchActivity(soci::session& s, const std::string& id, std::int64_t now) {
  const long long at = now;
  s << "UPDATE sessions SET last_activity_at = :at WHERE id = :id AND last_activity_at < :at2",
      soci::use(at), soci::use(id), soci::use(at);
}

}  // namespace gatehouse::modules::sessions::repo
