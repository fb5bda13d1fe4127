#include "modules/roles/repo.hpp"

#include "store/json_column.hpp"

namespace gatehouse::modules::roles::repo {
namespace {

constexpr const char* kColumns =
    "id, title, moniker, permissions, built_in, created_at, updated_at";

std::vector<Role> Query(soci::session& s, const std::string& tail,
                        const std::vector<std::string>& params) {
  Role row;
  std::string permissions;
  int built_in = 0;
  long long created = 0, updated = 0;
  soci::statement st(s);
  st.exchange(soci::into(row.id));
  st.exchange(soci::into(row.title));
  st.exchange(soci::into(row.moniker));
  st.exchange(soci::into(permissions));
  st.exchange(soci::into(built_in));
  st.exchange(soci::into(created));
  st.exchange(soci::into(updated));
  for (const auto& p : params) st.exchange(soci::use(p));
  st.alloc();
  st.prepare(std::string("SELECT ") + kColumns + " FROM roles " + tail);
  st.define_and_bind();
  std::vector<Role> out;
  if (st.execute(true)) {
    do {
      Role copy = row;
      copy.permissions = store::FromJsonArray(permissions);
      copy.built_in = built_in != 0;
      copy.created_at = created;
      copy.updated_at = updated;
      out.push_back(std::move(copy));
    } while (st.fetch());
  }
  return out;
}

}  // namespace

std::optional<Role> FindRole(soci::session& s, const std::string& id_or_moniker) {
  auto rows = Query(s, "WHERE id = :a OR moniker = :b", {id_or_moniker, id_or_moniker});
  if (rows.empty()) return std::nullopt;
  // An id match wins over a moniker that happens to equal another role's id.
  for (auto& role : rows) {
    if (role.id == id_or_moniker) return std::move(role);
  }
  return std::move(rows.front());
}

std::optional<Role> FindRoleByMoniker(soci::session& s, const std::string& moniker) {
  auto rows = Query(s, "WHERE moniker = :m", {moniker});
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::vector<Role> ListRoles(soci::session& s) {
  return Query(s, "ORDER BY built_in DESC, created_at, id", {});
}

void InsertRole(soci::session& s, const Role& role) {
  const std::string permissions = store::ToJsonArray(role.permissions);
  const int built_in = role.built_in ? 1 : 0;
  const long long created = role.created_at, updated = role.updated_at;
  s << "INSERT INTO roles (id, title, moniker, permissions, built_in, created_at, updated_at) "
       "VALUES (:id, :t, :m, :p, :b, :c, :u)",
      soci::use(role.id), soci::use(role.title), soci::use(role.moniker), soci::use(permissions),
      soci::use(built_in), soci::use(created), soci::use(updated);
}

void UpdateRole(soci::session& s, const Role& role) {
  const std::string permissions = store::ToJsonArray(role.permissions);
  const long long updated = role.updated_at;
  s << "UPDATE roles SET title = :t, moniker = :m, permissions = :p, updated_at = :u "
       "WHERE id = :id",
      soci::use(role.title), soci::use(role.moniker), soci::use(permissions), soci::use(updated),
      soci::use(role.id);
}

void DeleteRole(soci::session& s, const std::string& id) {
  // user_roles rows go with the role (ON DELETE CASCADE); deleted explicitly as well so the
  // outcome does not depend on the connection's foreign_keys setting.
  s << "DELETE FROM user_roles WHERE role_id = :id", soci::use(id);
  s << "DELETE FROM roles WHERE id = :id", soci::use(id);
}

std::vector<RoleHolder> HoldersOf(soci::session& s, const std::string& role_id) {
  RoleHolder row;
  std::string name, login;
  soci::indicator name_i{}, login_i{};
  long long created = 0, updated = 0;
  soci::statement st =
      (s.prepare << "SELECT u.id, u.name, u.login, u.created_at, u.updated_at FROM user_roles ur "
                    "JOIN users u ON u.id = ur.user_id WHERE ur.role_id = :r "
                    "AND u.status <> 'deleted' ORDER BY u.created_at, u.id",
       soci::into(row.id), soci::into(name, name_i), soci::into(login, login_i),
       soci::into(created), soci::into(updated), soci::use(role_id));
  std::vector<RoleHolder> out;
  if (st.execute(true)) {
    do {
      RoleHolder copy;
      copy.id = row.id;
      if (name_i != soci::i_null) copy.name = name;
      if (login_i != soci::i_null) copy.login = login;
      copy.created_at = created;
      copy.updated_at = updated;
      out.push_back(std::move(copy));
    } while (st.fetch());
  }
  for (auto& holder : out) {
    std::string role;
    soci::statement roles = (s.prepare << "SELECT role_id FROM user_roles WHERE user_id = :u "
                                          "ORDER BY role_id",
                             soci::into(role), soci::use(holder.id));
    if (roles.execute(true)) {
      do {
        holder.role_ids.push_back(role);
      } while (roles.fetch());
    }
  }
  return out;
}

}  // namespace gatehouse::modules::roles::repo
