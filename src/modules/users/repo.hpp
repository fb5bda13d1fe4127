// SQL for users, their roles and platform accounts. Functions take the caller's soci::session so
// a service can combine several in one transaction; SOCI exceptions propagate to
// store::Database, which turns them into core::Error.
//
//   db.Write([&](soci::session& s) -> core::Status { InsertUser(s, user); return {}; });
//   std::optional<User> u = FindUserById(s, id);
#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>
#include <vector>

#include "modules/users/model.hpp"

namespace gatehouse::modules::users::repo {

std::optional<User> FindUserById(soci::session& s, const std::string& id);
std::optional<User> FindUserByEmail(soci::session& s, const std::string& email);
std::optional<User> FindUserByLogin(soci::session& s, const std::string& login);

void InsertUser(soci::session& s, const User& user);
void UpdateProfile(soci::session& s, const User& user);  // name, image, updated_at
void UpdateStatus(soci::session& s, const std::string& id, UserStatus status, std::int64_t now);
void UpdatePassword(soci::session& s, const std::string& id, const std::string& hash,
                    std::int64_t now);
void UpdatePermissions(soci::session& s, const std::string& id,
                       const std::vector<std::string>& permissions, std::int64_t now);
void TouchLastLogin(soci::session& s, const std::string& id, std::int64_t now);

// Page of users ordered by creation; `search` matches email, login or name (case-insensitive).
std::vector<User> ListUsers(soci::session& s, const std::string& search, int limit, int offset);
std::int64_t CountUsers(soci::session& s, const std::string& search);

std::vector<RoleRef> RolesOfUser(soci::session& s, const std::string& user_id);
std::optional<RoleRef> FindRole(soci::session& s, const std::string& id_or_moniker);
void ReplaceUserRoles(soci::session& s, const std::string& user_id,
                      const std::vector<std::string>& role_ids, std::int64_t now);
std::int64_t CountActiveHolders(soci::session& s, const std::string& role_id);
// Serialises transactions that count a role's holders before taking it away (PostgreSQL row
// lock; SQLite transactions are serial already).
void LockRole(soci::session& s, const std::string& role_id);

void InsertAccount(soci::session& s, const PlatformAccount& account);
std::vector<PlatformAccount> AccountsOfUser(soci::session& s, const std::string& user_id);

}  // namespace gatehouse::modules::users::repo
