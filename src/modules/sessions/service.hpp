// Sessions: one per login. Issues access + refresh tokens, rotates refresh tokens (reuse of a
// rotated one revokes the whole session, RFC 9700), lists and revokes sessions, and keeps the
// in-memory set of revoked session ids that makes a revoked session's access tokens fail on
// the very next request.
//
//   auto issued = sessions.CreateIn(tx, user_id, client, "email");   // inside a Write
//   auto pair = sessions.Refresh(refresh_token, client);             // 401 on reuse
//   if (sessions.IsRevoked(claims.sid)) return core::Unauthenticated();
#pragma once

#include <soci/soci.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "audit/recorder.hpp"
#include "core/error.hpp"
#include "core/request_meta.hpp"
#include "events/bus.hpp"
#include "modules/sessions/model.hpp"
#include "security/token_service.hpp"
#include "store/database.hpp"

namespace gatehouse::audit {
class UserAgentParser;
}

namespace gatehouse::modules::sessions {

struct SessionOptions {
  std::chrono::seconds absolute_ttl{30 * 24 * 3600};
  std::chrono::seconds idle_ttl{7 * 24 * 3600};
  // A rotated refresh token presented again within this window is refused without revoking
  // the session (two tabs refreshing at once); 0 = strict reuse detection.
  std::chrono::seconds reuse_grace{0};
  std::chrono::seconds activity_interval{60};  // last_activity_at is written at most this often
};

struct IssuedTokens {
  Session session;
  std::string access_token;
  std::string refresh_token;
  std::int64_t expires_in = 0;  // access token lifetime in seconds
};

// Session ids revoked recently enough that access tokens issued for them may still be unexpired.
class RevocationList {
 public:
  void Add(const std::string& session_id, std::int64_t revoked_at_ms);
  bool Contains(const std::string& session_id) const;
  void PruneBefore(std::int64_t cutoff_ms);
  std::size_t size() const;

 private:
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::int64_t> revoked_;
};

class SessionService {
 public:
  // Subscribes to "session.revoked" on `bus`, so revocations made by any node take effect here.
  SessionService(store::Database& db, const core::Clock& clock,
                 const security::TokenService& tokens, SessionOptions options,
                 std::shared_ptr<const audit::UserAgentParser> user_agents, events::Bus& bus,
                 const audit::Recorder& recorder);

  // Loads sessions revoked within the access-token lifetime into the revocation list.
  core::Status LoadRevocations();

  // Creates a session and its tokens inside the caller's write transaction.
  core::Result<IssuedTokens> CreateIn(soci::session& tx, const std::string& user_id,
                                      const ClientInfo& client, const std::string& provider);

  // Rotates the refresh token. Unknown, expired, revoked or reused tokens: 401 (reuse also
  // revokes the session).
  core::Result<IssuedTokens> Refresh(const std::string& refresh_token, const ClientInfo& client,
                                     const core::RequestMeta& meta);

  core::Result<Session> Get(const std::string& session_id);
  core::Result<std::vector<Session>> ListActive(const std::string& user_id);

  // Revokes one session (audited as `event_type`, e.g. session_revoked or logout); false when
  // it was not live.
  core::Result<bool> Revoke(const std::string& session_id, const std::string& reason,
                            const core::RequestMeta& meta,
                            const char* event_type = "session_revoked");
  // Revokes every live session of a user except `except`; returns how many (audited as
  // sessions_revoked_all).
  core::Result<std::int64_t> RevokeAllForUser(const std::string& user_id,
                                              const std::optional<std::string>& except,
                                              const std::string& reason,
                                              const core::RequestMeta& meta);
  // Same, inside the caller's transaction (ban/delete); call Publish afterwards with the ids.
  std::vector<std::string> RevokeAllForUserIn(soci::session& tx, const std::string& user_id,
                                              const std::optional<std::string>& except,
                                              const std::string& reason);
  // Makes revocations committed by a caller's transaction effective in memory, on this node at
  // once and on the others through the bus.
  void PublishRevoked(const std::vector<std::string>& session_ids);

  bool IsRevoked(const std::string& session_id) const;
  // Records activity for a session; writes at most once per activity_interval.
  void NoteActivity(const std::string& session_id);

  // Called after revocations are committed (the realtime hub, issue 8, subscribes here).
  using RevokedListener = std::function<void(const std::vector<std::string>& session_ids)>;
  void OnRevoked(RevokedListener listener);

  const SessionOptions& options() const { return options_; }
  std::int64_t access_ttl_seconds() const;

 private:
  core::Result<IssuedTokens> IssueFor(Session session, std::string refresh_token);
  Session NewSession(const std::string& user_id, const ClientInfo& client,
                     const std::string& provider) const;
  void ApplyRevoked(const std::vector<std::string>& session_ids);

  store::Database& db_;
  const core::Clock& clock_;
  const security::TokenService& tokens_;
  SessionOptions options_;
  std::shared_ptr<const audit::UserAgentParser> user_agents_;
  events::Bus& bus_;
  const audit::Recorder& recorder_;
  RevocationList revoked_;

  std::shared_mutex activity_mutex_;
  std::unordered_map<std::string, std::int64_t> last_activity_write_;

  std::mutex listeners_mutex_;
  std::vector<RevokedListener> listeners_;
};

}  // namespace gatehouse::modules::sessions
