// SQL for sessions and rotated refresh tokens. Functions take the caller's soci::session so the
// auth service can create a user and their first session in one transaction.
//
//   repo::InsertSession(s, session, Sha256Hex(refresh_token));
//   auto found = repo::FindByRefreshHash(s, hash);
#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>
#include <vector>

#include "modules/sessions/model.hpp"

namespace gatehouse::modules::sessions::repo {

void InsertSession(soci::session& s, const Session& session, const std::string& refresh_hash);
std::optional<Session> FindById(soci::session& s, const std::string& id);
std::optional<Session> FindByRefreshHash(soci::session& s, const std::string& refresh_hash);

// The session a rotated-away refresh token belonged to, and when it was rotated.
struct RotatedToken {
  std::string session_id;
  std::int64_t rotated_at = 0;
};
std::optional<RotatedToken> FindRotated(soci::session& s, const std::string& refresh_hash);

// Swaps the refresh hash if it is still `old_hash` and the session is live; false when another
// request won the race (or the session was revoked meanwhile).
bool RotateRefresh(soci::session& s, const std::string& session_id, const std::string& old_hash,
                   const std::string& new_hash, std::int64_t now);

// Marks live sessions revoked; returns the ids actually revoked.
bool RevokeSession(soci::session& s, const std::string& id, const std::string& reason,
                   std::int64_t now);
std::vector<std::string> RevokeUserSessions(soci::session& s, const std::string& user_id,
                                            const std::optional<std::string>& except_id,
                                            const std::string& reason, std::int64_t now);

// Live (not revoked, not past absolute expiry) sessions of a user, newest first.
std::vector<Session> ListLive(soci::session& s, const std::string& user_id, std::int64_t now);

// Ids of sessions revoked at or after `since`: the start-up load of the revocation list.
std::vector<std::pair<std::string, std::int64_t>> RevokedSince(soci::session& s,
                                                               std::int64_t since);

void TouchActivity(soci::session& s, const std::string& id, std::int64_t now);

}  // namespace gatehouse::modules::sessions::repo
