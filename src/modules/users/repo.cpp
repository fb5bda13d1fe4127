#include "modules/users/repo.hpp"

#include "store/database.hpp"
#include "store/json_column.hpp"

namespace gatehouse::modules::users::repo {
namespace {

constexpr const char* kUserColumns =
    "id, email, login, name, image, password_hash, status, primary_provider, permissions, "
    "created_at, updated_at, last_login_at";

// One result row of kUserColumns, bound into a statement.
struct UserRow {
  std::string id, email, login, name, image, hash, status, provider, permissions;
  long long created_at = 0, updated_at = 0, last_login_at = 0;
  soci::indicator login_i{}, name_i{}, image_i{}, hash_i{}, last_i{};

  void Bind(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(email));
    st.exchange(soci::into(login, login_i));
    st.exchange(soci::into(name, name_i));
    st.exchange(soci::into(image, image_i));
    st.exchange(soci::into(hash, hash_i));
    st.exchange(soci::into(status));
    st.exchange(soci::into(provider));
    st.exchange(soci::into(permissions));
    st.exchange(soci::into(created_at));
    st.exchange(soci::into(updated_at));
    st.exchange(soci::into(last_login_at, last_i));
  }

  static std::optional<std::string> Opt(const std::string& v, soci::indicator i) {
    if (i == soci::i_null) return std::nullopt;
    return v;
  }

  User ToUser() const {
    User u;
    u.id = id;
    u.email = email;
    u.login = Opt(login, login_i);
    u.name = Opt(name, name_i);
    u.image = Opt(image, image_i);
    u.password_hash = Opt(hash, hash_i);
    u.status = ParseStatus(status).value_or(UserStatus::kDeleted);
    u.primary_provider = provider;
    u.permissions = store::FromJsonArray(permissions);
    u.created_at = created_at;
    u.updated_at = updated_at;
    if (last_i != soci::i_null) u.last_login_at = last_login_at;
    return u;
  }
};

// Runs `sql` (which selects kUserColumns) with positional string parameters.
std::vector<User> QueryUsers(soci::session& s, const std::string& sql,
                             const std::vector<std::string>& params,
                             const std::vector<int>& int_params = {}) {
  UserRow row;
  soci::statement st(s);
  row.Bind(st);
  for (const auto& p : params) st.exchange(soci::use(p));
  for (const auto& p : int_params) st.exchange(soci::use(p));
  st.alloc();
  st.prepare(sql);
  st.define_and_bind();
  std::vector<User> out;
  if (st.execute(true)) {
    do {
      out.push_back(row.ToUser());
    } while (st.fetch());
  }
  return out;
}

std::optional<User> QueryOne(soci::session& s, const char* where, const std::string& value) {
  auto users = QueryUsers(s, std::string("SELECT ") + kUserColumns + " FROM users WHERE " + where,
                          {value});
  if (users.empty()) return std::nullopt;
  User user = std::move(users.front());
  user.roles = RolesOfUser(s, user.id);
  return user;
}

// The user load behind a bearer token (on a cache miss) and most /v1/user routes, kept prepared
// on each pooled connection.
struct UserByIdQuery {
  UserRow row;
  std::string id;
  soci::statement st;

  explicit UserByIdQuery(soci::session& s) : st(s) {
    row.Bind(st);
    st.exchange(soci::use(id));
    st.alloc();
    st.prepare(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = :id");
    st.define_and_bind();
  }
};

struct RolesOfUserQuery {
  RoleRef row;
  std::string permissions;
  std::string user_id;
  soci::statement st;

  explicit RolesOfUserQuery(soci::session& s)
      : st((s.prepare << "SELECT r.id, r.title, r.moniker, r.permissions FROM user_roles ur "
                         "JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = :u ORDER BY r.id",
            soci::into(row.id), soci::into(row.title), soci::into(row.moniker),
            soci::into(permissions), soci::use(user_id))) {}
};

std::string LikePattern(const std::string& search) {
  std::string out = "%";
  for (char c : search) {
    char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == '%' || lower == '_' || lower == '\\') out.push_back('\\');
    out.push_back(lower);
  }
  out.push_back('%');
  return out;
}

// Deleted users are kept (their audit trail refers to them) but never listed.
std::string SearchWhere(const std::string& search) {
  if (search.empty()) return " WHERE status <> 'deleted'";
  return " WHERE status <> 'deleted' AND (lower(email) LIKE :q1 ESCAPE '\\' OR "
         "lower(coalesce(login, '')) LIKE :q2 ESCAPE '\\' OR "
         "lower(coalesce(name, '')) LIKE :q3 ESCAPE '\\')";
}

}  // namespace

std::optional<User> FindUserById(soci::session& s, const std::string& id) {
  std::optional<User> user;
  {
    auto q = store::Prepared<UserByIdQuery>(s);
    q->id = id;
    // id is the primary key: at most one row, read to the end so the statement completes.
    if (q->st.execute(true)) {
      do {
        if (!user) user = q->row.ToUser();
      } while (q->st.fetch());
    }
  }
  if (user) user->roles = RolesOfUser(s, user->id);
  return user;
}

std::optional<User> FindUserByEmail(soci::session& s, const std::string& email) {
  return QueryOne(s, "email = :email", email);
}

std::optional<User> FindUserByLogin(soci::session& s, const std::string& login) {
  return QueryOne(s, "login = :login", login);
}

void InsertUser(soci::session& s, const User& u) {
  soci::indicator login_i = u.login ? soci::i_ok : soci::i_null;
  soci::indicator name_i = u.name ? soci::i_ok : soci::i_null;
  soci::indicator image_i = u.image ? soci::i_ok : soci::i_null;
  soci::indicator hash_i = u.password_hash ? soci::i_ok : soci::i_null;
  const std::string login = u.login.value_or(""), name = u.name.value_or("");
  const std::string image = u.image.value_or(""), hash = u.password_hash.value_or("");
  const std::string status = StatusName(u.status);
  const std::string permissions = store::ToJsonArray(u.permissions);
  const long long created = u.created_at, updated = u.updated_at;
  s << "INSERT INTO users (id, email, login, name, image, password_hash, status, "
       "primary_provider, permissions, created_at, updated_at) VALUES (:id, :email, :login, "
       ":name, :image, :hash, :status, :provider, :permissions, :created, :updated)",
      soci::use(u.id), soci::use(u.email), soci::use(login, login_i), soci::use(name, name_i),
      soci::use(image, image_i), soci::use(hash, hash_i), soci::use(status),
      soci::use(u.primary_provider), soci::use(permissions), soci::use(created),
      soci::use(updated);
}

void UpdateProfile(soci::session& s, const User& u) {
  soci::indicator name_i = u.name ? soci::i_ok : soci::i_null;
  soci::indicator image_i = u.image ? soci::i_ok : soci::i_null;
  const std::string name = u.name.value_or(""), image = u.image.value_or("");
  const long long updated = u.updated_at;
  s << "UPDATE users SET name = :name, image = :image, updated_at = :updated WHERE id = :id",
      soci::use(name, name_i), soci::use(image, image_i), soci::use(updated), soci::use(u.id);
}

void UpdateStatus(soci::session& s, const std::string& id, UserStatus status, std::int64_t now) {
  const std::string name = StatusName(status);
  const long long updated = now;
  s << "UPDATE users SET status = :status, updated_at = :updated WHERE id = :id",
      soci::use(name), soci::use(updated), soci::use(id);
}

void UpdatePassword(soci::session& s, const std::string& id, const std::string& hash,
                    std::int64_t now) {
  const long long updated = now;
  s << "UPDATE users SET password_hash = :hash, updated_at = :updated WHERE id = :id",
      soci::use(hash), soci::use(updated), soci::use(id);
}

void UpdatePermissions(soci::session& s, const std::string& id,
                       const std::vector<std::string>& permissions, std::int64_t now) {
  const std::string text = store::ToJsonArray(permissions);
  const long long updated = now;
  s << "UPDATE users SET permissions = :p, updated_at = :updated WHERE id = :id",
      soci::use(text), soci::use(updated), soci::use(id);
}

void TouchLastLogin(soci::session& s, const std::string& id, std::int64_t now) {
  const long long at = now;
  s << "UPDATE users SET last_login_at = :at WHERE id = :id", soci::use(at), soci::use(id);
}

std::vector<User> ListUsers(soci::session& s, const std::string& search, int limit, int offset) {
  const std::string q = LikePattern(search);
  std::vector<std::string> params;
  if (!search.empty()) params = {q, q, q};
  auto users = QueryUsers(s,
                          std::string("SELECT ") + kUserColumns + " FROM users" +
                              SearchWhere(search) +
                              " ORDER BY created_at, id LIMIT :limit OFFSET :offset",
                          params, {limit, offset});
  for (auto& u : users) u.roles = RolesOfUser(s, u.id);
  return users;
}

std::int64_t CountUsers(soci::session& s, const std::string& search) {
  const std::string q = LikePattern(search);
  long long count = 0;
  if (search.empty()) {
    s << "SELECT COUNT(*) FROM users" + SearchWhere(search), soci::into(count);
  } else {
    s << "SELECT COUNT(*) FROM users" + SearchWhere(search), soci::into(count), soci::use(q),
        soci::use(q), soci::use(q);
  }
  return count;
}

std::vector<RoleRef> RolesOfUser(soci::session& s, const std::string& user_id) {
  auto q = store::Prepared<RolesOfUserQuery>(s);
  q->user_id = user_id;
  std::vector<RoleRef> out;
  if (q->st.execute(true)) {
    do {
      RoleRef copy = q->row;
      copy.permissions = store::FromJsonArray(q->permissions);
      out.push_back(std::move(copy));
    } while (q->st.fetch());
  }
  return out;
}

std::optional<RoleRef> FindRole(soci::session& s, const std::string& id_or_moniker) {
  RoleRef role;
  std::string permissions;
  s << "SELECT id, title, moniker, permissions FROM roles WHERE id = :a OR moniker = :b",
      soci::into(role.id), soci::into(role.title), soci::into(role.moniker),
      soci::into(permissions), soci::use(id_or_moniker), soci::use(id_or_moniker);
  if (!s.got_data()) return std::nullopt;
  role.permissions = store::FromJsonArray(permissions);
  return role;
}

void ReplaceUserRoles(soci::session& s, const std::string& user_id,
                      const std::vector<std::string>& role_ids, std::int64_t now) {
  s << "DELETE FROM user_roles WHERE user_id = :u", soci::use(user_id);
  const long long at = now;
  for (const auto& role_id : role_ids) {
    s << "INSERT INTO user_roles (user_id, role_id, created_at) VALUES (:u, :r, :at)",
        soci::use(user_id), soci::use(role_id), soci::use(at);
  }
}

std::int64_t CountActiveHolders(soci::session& s, const std::string& role_id) {
  long long count = 0;
  s << "SELECT COUNT(*) FROM user_roles ur JOIN users u ON u.id = ur.user_id "
       "WHERE ur.role_id = :r AND u.status = 'active'",
      soci::into(count), soci::use(role_id);
  return count;
}

void LockRole(soci::session& s, const std::string& role_id) {
  if (store::DialectOf(s) != store::Dialect::kPostgres) return;
  std::string id;
  s << "SELECT id FROM roles WHERE id = :id FOR UPDATE", soci::into(id), soci::use(role_id);
}

void InsertAccount(soci::session& s, const PlatformAccount& a) {
  soci::indicator email_i = a.email ? soci::i_ok : soci::i_null;
  soci::indicator avatar_i = a.avatar_url ? soci::i_ok : soci::i_null;
  const std::string email = a.email.value_or(""), avatar = a.avatar_url.value_or("");
  const int is_oauth = a.is_oauth ? 1 : 0, is_primary = a.is_primary ? 1 : 0;
  const long long created = a.created_at;
  s << "INSERT INTO platform_accounts (id, user_id, platform_slug, platform_id, username, "
       "email, avatar_url, is_oauth, is_primary, created_at) VALUES (:id, :u, :slug, :pid, "
       ":username, :email, :avatar, :oauth, :primary, :created)",
      soci::use(a.id), soci::use(a.user_id), soci::use(a.platform_slug),
      soci::use(a.platform_id), soci::use(a.username), soci::use(email, email_i),
      soci::use(avatar, avatar_i), soci::use(is_oauth), soci::use(is_primary),
      soci::use(created);
}

std::vector<PlatformAccount> AccountsOfUser(soci::session& s, const std::string& user_id) {
  PlatformAccount row;
  std::string email, avatar;
  soci::indicator email_i{}, avatar_i{};
  int is_oauth = 0, is_primary = 0;
  long long created = 0;
  soci::statement st =
      (s.prepare << "SELECT id, user_id, platform_slug, platform_id, username, email, "
                    "avatar_url, is_oauth, is_primary, created_at FROM platform_accounts "
                    "WHERE user_id = :u ORDER BY created_at, id",
       soci::into(row.id), soci::into(row.user_id), soci::into(row.platform_slug),
       soci::into(row.platform_id), soci::into(row.username), soci::into(email, email_i),
       soci::into(avatar, avatar_i), soci::into(is_oauth), soci::into(is_primary),
       soci::into(created), soci::use(user_id));
  std::vector<PlatformAccount> out;
  if (st.execute(true)) {
    do {
      PlatformAccount copy = row;
      if (email_i != soci::i_null) copy.email = email;
      if (avatar_i != soci::i_null) copy.avatar_url = avatar;
      copy.is_oauth = is_oauth != 0;
      copy.is_primary = is_primary != 0;
      copy.created_at = created;
      out.push_back(std::move(copy));
    } while (st.fetch());
  }
  return out;
}

}  // namespace gatehouse::modules::users::repo
