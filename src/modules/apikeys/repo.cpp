#include "modules/apikeys/repo.hpp"

#include "store/database.hpp"

#include "modules/apikeys/key_format.hpp"
#include "store/json_column.hpp"

namespace gatehouse::modules::apikeys::repo {
namespace {

constexpr const char* kColumns =
    "id, public_id, user_id, name, description, scopes, secret_hash, is_active, expires_at, "
    "last_used_at, usage_count, rotated_from, grace_until, rate_limit, rate_window_seconds, "
    "created_at, updated_at";

// SOCI 4.0 has no std::optional: nullable columns go through indicators.
struct Row {
  std::string id, public_id, user_id, name, description, scopes, secret_hash, rotated_from;
  int is_active = 0;
  long long expires_at = 0, last_used_at = 0, usage_count = 0, grace_until = 0, created_at = 0,
            updated_at = 0;
  int rate_limit = 0, rate_window = 0;
  soci::indicator description_i{}, expires_i{}, last_used_i{}, rotated_i{}, grace_i{}, rate_i{},
      window_i{};

  ApiKey ToKey() const {
    ApiKey key;
    key.id = id;
    key.public_id = public_id;
    key.user_id = user_id;
    key.name = name;
    if (description_i != soci::i_null) key.description = description;
    key.scopes = store::FromJsonArray(scopes);
    key.secret_hash = secret_hash;
    key.is_active = is_active != 0;
    if (expires_i != soci::i_null) key.expires_at = expires_at;
    if (last_used_i != soci::i_null) key.last_used_at = last_used_at;
    key.usage_count = usage_count;
    if (rotated_i != soci::i_null) key.rotated_from = rotated_from;
    if (grace_i != soci::i_null) key.grace_until = grace_until;
    if (rate_i != soci::i_null && window_i != soci::i_null) {
      key.rate_limit = RateLimit{.limit = rate_limit, .window_seconds = rate_window};
    }
    key.created_at = created_at;
    key.updated_at = updated_at;
    return key;
  }
};

void BindRow(soci::statement& st, Row& row) {
  st.exchange(soci::into(row.id));
  st.exchange(soci::into(row.public_id));
  st.exchange(soci::into(row.user_id));
  st.exchange(soci::into(row.name));
  st.exchange(soci::into(row.description, row.description_i));
  st.exchange(soci::into(row.scopes));
  st.exchange(soci::into(row.secret_hash));
  st.exchange(soci::into(row.is_active));
  st.exchange(soci::into(row.expires_at, row.expires_i));
  st.exchange(soci::into(row.last_used_at, row.last_used_i));
  st.exchange(soci::into(row.usage_count));
  st.exchange(soci::into(row.rotated_from, row.rotated_i));
  st.exchange(soci::into(row.grace_until, row.grace_i));
  st.exchange(soci::into(row.rate_limit, row.rate_i));
  st.exchange(soci::into(row.rate_window, row.window_i));
  st.exchange(soci::into(row.created_at));
  st.exchange(soci::into(row.updated_at));
}

// The key load behind API-key authentication (on a cache miss), kept prepared on each pooled
// connection.
struct ByPublicIdQuery {
  Row row;
  std::string public_id;
  soci::statement st;

  explicit ByPublicIdQuery(soci::session& s) : st(s) {
    BindRow(st, row);
    st.exchange(soci::use(public_id));
    st.alloc();
    st.prepare(std::string("SELECT ") + kColumns + " FROM api_keys WHERE public_id = :p");
    st.define_and_bind();
  }
};

// Parameters are bound in order: strings first, then integers (as they appear in `tail`).
std::vector<ApiKey> Query(soci::session& s, const std::string& tail,
                          const std::vector<std::string>& strings,
                          const std::vector<long long>& numbers = {}) {
  Row row;
  soci::statement st(s);
  BindRow(st, row);
  for (const auto& p : strings) st.exchange(soci::use(p));
  for (const auto& n : numbers) st.exchange(soci::use(n));
  st.alloc();
  st.prepare(std::string("SELECT ") + kColumns + " FROM api_keys " + tail);
  st.define_and_bind();
  std::vector<ApiKey> out;
  if (st.execute(true)) {
    do {
      out.push_back(row.ToKey());
    } while (st.fetch());
  }
  return out;
}

// WHERE clause and its parameters for a list query (strings, then :now twice if filtering).
std::string Where(const ListQuery& q, std::vector<std::string>& strings,
                  std::vector<long long>& numbers) {
  std::string where = " WHERE 1 = 1";
  if (q.user_id) {
    where += " AND user_id = :u";
    strings.push_back(*q.user_id);
  }
  if (q.active) {
    where += *q.active ? " AND is_active = 1 AND (expires_at IS NULL OR expires_at > :n)"
                       : " AND (is_active = 0 OR (expires_at IS NOT NULL AND expires_at <= :n))";
    numbers.push_back(q.now);
  }
  return where;
}

}  // namespace

std::optional<ApiKey> FindKey(soci::session& s, const std::string& key_id) {
  std::string public_id = key_id;
  if (public_id.starts_with(kKeyPrefix)) public_id.erase(0, kKeyPrefix.size());
  auto rows = Query(s, "WHERE id = :a OR public_id = :b", {key_id, public_id});
  if (rows.empty()) return std::nullopt;
  for (auto& key : rows) {
    if (key.id == key_id) return std::move(key);
  }
  return std::move(rows.front());
}

std::optional<ApiKey> FindByPublicId(soci::session& s, const std::string& public_id) {
  auto q = store::Prepared<ByPublicIdQuery>(s);
  q->public_id = public_id;
  std::optional<ApiKey> found;
  if (q->st.execute(true)) {
    do {
      if (!found) found = q->row.ToKey();  // public_id is unique: at most one row
    } while (q->st.fetch());
  }
  return found;
}

std::vector<ApiKey> ListKeys(soci::session& s, const ListQuery& query) {
  std::vector<std::string> strings;
  std::vector<long long> numbers;
  std::string tail = Where(query, strings, numbers);
  tail += " ORDER BY created_at DESC, id DESC LIMIT :l OFFSET :o";
  numbers.push_back(query.limit);
  numbers.push_back(query.offset);
  return Query(s, tail, strings, numbers);
}

std::int64_t CountKeys(soci::session& s, const ListQuery& query) {
  std::vector<std::string> strings;
  std::vector<long long> numbers;
  const std::string where = Where(query, strings, numbers);
  long long count = 0;
  soci::statement st(s);
  st.exchange(soci::into(count));
  for (const auto& p : strings) st.exchange(soci::use(p));
  for (const auto& n : numbers) st.exchange(soci::use(n));
  st.alloc();
  st.prepare("SELECT COUNT(*) FROM api_keys" + where);
  st.define_and_bind();
  st.execute(true);
  return count;
}

void InsertKey(soci::session& s, const ApiKey& key) {
  const std::string scopes = store::ToJsonArray(key.scopes);
  const std::string description = key.description.value_or("");
  soci::indicator description_i = key.description ? soci::i_ok : soci::i_null;
  const int is_active = key.is_active ? 1 : 0;
  const long long expires = key.expires_at.value_or(0);
  soci::indicator expires_i = key.expires_at ? soci::i_ok : soci::i_null;
  const std::string rotated_from = key.rotated_from.value_or("");
  soci::indicator rotated_i = key.rotated_from ? soci::i_ok : soci::i_null;
  const long long grace = key.grace_until.value_or(0);
  soci::indicator grace_i = key.grace_until ? soci::i_ok : soci::i_null;
  const int rate_limit = key.rate_limit ? static_cast<int>(key.rate_limit->limit) : 0;
  const int rate_window = key.rate_limit ? static_cast<int>(key.rate_limit->window_seconds) : 0;
  soci::indicator rate_i = key.rate_limit ? soci::i_ok : soci::i_null;
  soci::indicator window_i = rate_i;
  const long long created = key.created_at, updated = key.updated_at;
  s << "INSERT INTO api_keys (id, public_id, user_id, name, description, scopes, secret_hash, "
       "is_active, expires_at, usage_count, rotated_from, grace_until, rate_limit, "
       "rate_window_seconds, created_at, updated_at) VALUES (:id, :pid, :uid, :name, :d, :sc, "
       ":h, :a, :e, 0, :rf, :g, :rl, :rw, :c, :u)",
      soci::use(key.id), soci::use(key.public_id), soci::use(key.user_id), soci::use(key.name),
      soci::use(description, description_i), soci::use(scopes), soci::use(key.secret_hash),
      soci::use(is_active), soci::use(expires, expires_i), soci::use(rotated_from, rotated_i),
      soci::use(grace, grace_i), soci::use(rate_limit, rate_i), soci::use(rate_window, window_i),
      soci::use(created), soci::use(updated);
}

void UpdateKey(soci::session& s, const ApiKey& key) {
  const std::string scopes = store::ToJsonArray(key.scopes);
  const std::string description = key.description.value_or("");
  soci::indicator description_i = key.description ? soci::i_ok : soci::i_null;
  const int is_active = key.is_active ? 1 : 0;
  const long long grace = key.grace_until.value_or(0);
  soci::indicator grace_i = key.grace_until ? soci::i_ok : soci::i_null;
  const int rate_limit = key.rate_limit ? static_cast<int>(key.rate_limit->limit) : 0;
  const int rate_window = key.rate_limit ? static_cast<int>(key.rate_limit->window_seconds) : 0;
  soci::indicator rate_i = key.rate_limit ? soci::i_ok : soci::i_null;
  soci::indicator window_i = rate_i;
  const long long updated = key.updated_at;
  s << "UPDATE api_keys SET name = :n, description = :d, scopes = :sc, is_active = :a, "
       "grace_until = :g, rate_limit = :rl, rate_window_seconds = :rw, updated_at = :u "
       "WHERE id = :id",
      soci::use(key.name), soci::use(description, description_i), soci::use(scopes),
      soci::use(is_active), soci::use(grace, grace_i), soci::use(rate_limit, rate_i),
      soci::use(rate_window, window_i), soci::use(updated), soci::use(key.id);
}

void AddUsage(soci::session& s, const UsageBatch& batch) {
  std::string id;
  long long count = 0, last_used = 0;
  soci::statement st =
      (s.prepare << "UPDATE api_keys SET usage_count = usage_count + :c, last_used_at = CASE "
                    "WHEN last_used_at IS NULL OR last_used_at < :t1 THEN :t2 "
                    "ELSE last_used_at END WHERE id = :id",
       soci::use(count), soci::use(last_used), soci::use(last_used), soci::use(id));
  for (const auto& [key_id, usage] : batch) {
    id = key_id;
    count = usage.count;
    last_used = usage.last_used_ms;
    st.execute(true);
  }
}

}  // namespace gatehouse::modules::apikeys::repo
