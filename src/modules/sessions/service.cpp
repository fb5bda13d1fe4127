#include "modules/sessions/service.hpp"

#include <spdlog/spdlog.h>

#include <boost/json/array.hpp>

#include "audit/event_types.hpp"
#include "audit/user_agent.hpp"
#include "core/ids.hpp"
#include "modules/sessions/repo.hpp"
#include "security/digest.hpp"
#include "security/random.hpp"

namespace gatehouse::modules::sessions {

std::string ProviderDisplayName(std::string_view provider) {
  if (provider == "email") return "Email";
  if (provider == "github") return "GitHub";
  if (provider == "microsoft") return "Microsoft";
  if (provider.empty()) return "";
  std::string out(provider);
  out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

// --- RevocationList ---------------------------------------------------------------------------

void RevocationList::Add(const std::string& session_id, std::int64_t revoked_at_ms) {
  std::unique_lock lock(mutex_);
  revoked_[session_id] = revoked_at_ms;
}

bool RevocationList::Contains(const std::string& session_id) const {
  std::shared_lock lock(mutex_);
  return revoked_.contains(session_id);
}

void RevocationList::PruneBefore(std::int64_t cutoff_ms) {
  std::unique_lock lock(mutex_);
  std::erase_if(revoked_, [&](const auto& entry) { return entry.second < cutoff_ms; });
}

std::size_t RevocationList::size() const {
  std::shared_lock lock(mutex_);
  return revoked_.size();
}

// --- SessionService ---------------------------------------------------------------------------

SessionService::SessionService(store::Database& db, const core::Clock& clock,
                               const security::TokenService& tokens, SessionOptions options,
                               std::shared_ptr<const audit::UserAgentParser> user_agents,
                               events::Bus& bus, const audit::Recorder& recorder)
    : db_(db),
      clock_(clock),
      tokens_(tokens),
      options_(options),
      user_agents_(std::move(user_agents)),
      bus_(bus),
      recorder_(recorder) {
  bus_.Subscribe("session.revoked", [this](const events::Event& event) {
    std::vector<std::string> ids;
    if (const auto* list = event.data.if_contains("ids"); list != nullptr && list->is_array()) {
      for (const auto& id : list->as_array()) {
        if (id.is_string()) ids.emplace_back(id.as_string());
      }
    }
    ApplyRevoked(ids);
  });
  // Revocations published while the channel was down are re-read from the store.
  bus_.OnResync([this] {
    if (auto status = LoadRevocations(); !status) {
      spdlog::error("could not reload revoked sessions: {}", status.error().internal_message);
    }
  });
}

std::int64_t SessionService::access_ttl_seconds() const {
  return tokens_.options().access_ttl.count();
}

core::Status SessionService::LoadRevocations() {
  // A token lives at most access_ttl (+ leeway); older revocations cannot matter any more.
  const auto window = tokens_.options().access_ttl + tokens_.options().leeway;
  const std::int64_t since =
      core::ToUnixMillis(clock_.Now()) -
      std::chrono::duration_cast<std::chrono::milliseconds>(window).count();
  auto rows = db_.Read([&](soci::session& s) -> core::Result<
                                                 std::vector<std::pair<std::string, std::int64_t>>> {
    return repo::RevokedSince(s, since);
  });
  if (!rows) return rows.error();
  for (const auto& [id, at] : *rows) revoked_.Add(id, at);
  return {};
}

Session SessionService::NewSession(const std::string& user_id, const ClientInfo& client,
                                   const std::string& provider) const {
  const std::int64_t now = core::ToUnixMillis(clock_.Now());
  Session session;
  session.id = core::NewUuidV7();
  session.user_id = user_id;
  session.provider = provider;
  if (!client.ip_address.empty()) session.ip_address = client.ip_address;
  if (!client.user_agent.empty()) {
    // Stored user agents are bounded; the parser sees at most the same prefix.
    session.user_agent = client.user_agent.substr(0, 512);
    if (user_agents_ != nullptr) {
      const auto info = user_agents_->Parse(*session.user_agent);
      session.device_type = info.device_type;
      session.browser_name = info.browser_name;
      session.os_name = info.os_name;
    }
  }
  session.created_at = now;
  session.last_activity_at = now;
  session.expires_at =
      now + std::chrono::duration_cast<std::chrono::milliseconds>(options_.absolute_ttl).count();
  return session;
}

core::Result<IssuedTokens> SessionService::IssueFor(Session session, std::string refresh_token) {
  auto access = tokens_.Issue({.sub = session.user_id, .sid = session.id});
  if (!access) return access.error();
  IssuedTokens out;
  out.session = std::move(session);
  out.access_token = std::move(*access);
  out.refresh_token = std::move(refresh_token);
  out.expires_in = access_ttl_seconds();
  return out;
}

core::Result<IssuedTokens> SessionService::CreateIn(soci::session& tx, const std::string& user_id,
                                                    const ClientInfo& client,
                                                    const std::string& provider) {
  Session session = NewSession(user_id, client, provider);
  std::string refresh = security::RandomToken(32);
  repo::InsertSession(tx, session, security::Sha256Hex(refresh));
  return IssueFor(std::move(session), std::move(refresh));
}

core::Result<IssuedTokens> SessionService::Refresh(const std::string& refresh_token,
                                                   const ClientInfo& client,
                                                   const core::RequestMeta& meta) {
  if (refresh_token.empty() || refresh_token.size() > 512) {
    return core::Unauthenticated("Invalid refresh token");
  }
  const std::string old_hash = security::Sha256Hex(refresh_token);
  const std::int64_t now = core::ToUnixMillis(clock_.Now());
  const auto idle_ms = std::chrono::duration_cast<std::chrono::milliseconds>(options_.idle_ttl);
  const auto grace_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.reuse_grace).count();

  struct Outcome {
    std::optional<Session> session;        // rotated successfully
    std::string new_token;
    std::optional<std::string> revoked;    // session revoked for reuse
    std::string why;                       // internal reason for a refusal
  };
  auto outcome = db_.Write([&](soci::session& s) -> core::Result<Outcome> {
    Outcome o;
    if (auto session = repo::FindByRefreshHash(s, old_hash)) {
      std::string user_status;
      s << "SELECT status FROM users WHERE id = :id", soci::into(user_status),
          soci::use(session->user_id);
      if (session->revoked_at) {
        o.why = "session revoked";
      } else if (session->expires_at <= now) {
        o.why = "session expired";
      } else if (session->last_activity_at + idle_ms.count() <= now) {
        o.why = "session idle too long";
      } else if (user_status != "active") {
        o.why = "user not active";
      } else {
        o.new_token = security::RandomToken(32);
        if (repo::RotateRefresh(s, session->id, old_hash, security::Sha256Hex(o.new_token),
                                now)) {
          session->last_activity_at = now;
          o.session = std::move(*session);
          return o;
        }
        o.why = "lost a concurrent refresh";
      }
      if (!o.why.empty() && o.why != "lost a concurrent refresh") return o;
    }
    // Not the current token: a rotated one presented again is reuse — unless it was rotated
    // within the grace window (a concurrent refresh), which is refused but forgiven.
    if (auto rotated = repo::FindRotated(s, old_hash)) {
      if (grace_ms > 0 && now - rotated->rotated_at <= grace_ms) {
        o.why = "rotated token within reuse grace";
        return o;
      }
      if (repo::RevokeSession(s, rotated->session_id, "refresh_token_reused", now)) {
        o.revoked = rotated->session_id;
        const auto session = repo::FindById(s, rotated->session_id);
        recorder_.Record(s, meta,
                         {.event_type = audit::types::kRefreshTokenReused,
                          .user_id = session ? session->user_id : std::string(),
                          .resource_type = "session",
                          .resource_id = rotated->session_id,
                          .description = "A rotated refresh token was presented again; the "
                                         "session was revoked.",
                          .success = false,
                          .error_message = "refresh token reused"});
      }
      o.why = "refresh token reused";
      return o;
    }
    if (o.why.empty()) o.why = "unknown refresh token";
    return o;
  });
  if (!outcome) return outcome.error();
  if (outcome->revoked) {
    spdlog::warn("refresh token reuse: session {} revoked", *outcome->revoked);
    PublishRevoked({*outcome->revoked});
  }
  if (!outcome->session) {
    core::Error error = core::Unauthenticated("Invalid refresh token");
    error.internal_message = outcome->why;
    return error;
  }
  {
    std::unique_lock lock(activity_mutex_);
    last_activity_write_[outcome->session->id] = now;
  }
  (void)client;
  return IssueFor(std::move(*outcome->session), std::move(outcome->new_token));
}

core::Result<Session> SessionService::Get(const std::string& session_id) {
  auto found = db_.Read([&](soci::session& s) -> core::Result<std::optional<Session>> {
    return repo::FindById(s, session_id);
  });
  if (!found) return found.error();
  if (!found->has_value()) return core::NotFound("Session not found", "SessionNotFound");
  return std::move(**found);
}

core::Result<std::vector<Session>> SessionService::ListActive(const std::string& user_id) {
  const std::int64_t now = core::ToUnixMillis(clock_.Now());
  const auto idle_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.idle_ttl).count();
  auto rows = db_.Read([&](soci::session& s) -> core::Result<std::vector<Session>> {
    return repo::ListLive(s, user_id, now);
  });
  if (!rows) return rows;
  std::erase_if(*rows, [&](const Session& x) { return x.last_activity_at + idle_ms <= now; });
  return rows;
}

core::Result<bool> SessionService::Revoke(const std::string& session_id,
                                          const std::string& reason,
                                          const core::RequestMeta& meta,
                                          const char* event_type) {
  const std::int64_t now = core::ToUnixMillis(clock_.Now());
  auto revoked = db_.Write([&](soci::session& s) -> core::Result<bool> {
    const auto session = repo::FindById(s, session_id);
    if (!session || !repo::RevokeSession(s, session_id, reason, now)) return false;
    recorder_.Record(s, meta,
                     {.event_type = event_type,
                      .user_id = session->user_id,
                      .resource_type = "session",
                      .resource_id = session_id,
                      .metadata = {{"reason", reason}}});
    return true;
  });
  if (revoked && *revoked) PublishRevoked({session_id});
  return revoked;
}

std::vector<std::string> SessionService::RevokeAllForUserIn(
    soci::session& tx, const std::string& user_id, const std::optional<std::string>& except,
    const std::string& reason) {
  return repo::RevokeUserSessions(tx, user_id, except, reason,
                                  core::ToUnixMillis(clock_.Now()));
}

core::Result<std::int64_t> SessionService::RevokeAllForUser(
    const std::string& user_id, const std::optional<std::string>& except,
    const std::string& reason, const core::RequestMeta& meta) {
  auto ids = db_.Write([&](soci::session& s) -> core::Result<std::vector<std::string>> {
    auto revoked = RevokeAllForUserIn(s, user_id, except, reason);
    recorder_.Record(s, meta,
                     {.event_type = audit::types::kSessionsRevokedAll,
                      .user_id = user_id,
                      .resource_type = "session",
                      .metadata = {{"reason", reason},
                                   {"revokedCount", static_cast<std::int64_t>(revoked.size())}}});
    return revoked;
  });
  if (!ids) return ids.error();
  PublishRevoked(*ids);
  return static_cast<std::int64_t>(ids->size());
}

void SessionService::PublishRevoked(const std::vector<std::string>& session_ids) {
  // In chunks, so each notification stays well under PostgreSQL's NOTIFY payload limit.
  constexpr std::size_t kChunk = 100;
  for (std::size_t i = 0; i < session_ids.size(); i += kChunk) {
    boost::json::array ids;
    for (std::size_t j = i; j < std::min(session_ids.size(), i + kChunk); ++j) {
      ids.emplace_back(session_ids[j]);
    }
    bus_.Publish("session.revoked", {{"ids", std::move(ids)}});
  }
}

void SessionService::ApplyRevoked(const std::vector<std::string>& session_ids) {
  if (session_ids.empty()) return;
  const std::int64_t now = core::ToUnixMillis(clock_.Now());
  for (const auto& id : session_ids) revoked_.Add(id, now);
  // Keep the list bounded: entries older than a token's lifetime no longer matter.
  const auto window = tokens_.options().access_ttl + tokens_.options().leeway;
  revoked_.PruneBefore(now - std::chrono::duration_cast<std::chrono::milliseconds>(window).count());
  std::vector<RevokedListener> listeners;
  {
    std::lock_guard lock(listeners_mutex_);
    listeners = listeners_;
  }
  for (const auto& listener : listeners) listener(session_ids);
}

bool SessionService::IsRevoked(const std::string& session_id) const {
  return revoked_.Contains(session_id);
}

void SessionService::NoteActivity(const std::string& session_id) {
  const std::int64_t now = core::ToUnixMillis(clock_.Now());
  const std::int64_t interval_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.activity_interval).count();
  {
    // Nearly every call is a recent session: check under a shared lock first.
    std::shared_lock read(activity_mutex_);
    auto it = last_activity_write_.find(session_id);
    if (it != last_activity_write_.end() && now - it->second < interval_ms) return;
  }
  {
    std::unique_lock lock(activity_mutex_);
    auto [it, inserted] = last_activity_write_.try_emplace(session_id, 0);
    if (!inserted && now - it->second < interval_ms) return;
    it->second = now;
    if (last_activity_write_.size() > 100000) last_activity_write_.clear();  // bounded memory
  }
  auto written = db_.Write([&](soci::session& s) -> core::Status {
    repo::TouchActivity(s, session_id, now);
    return {};
  });
  if (!written) {
    spdlog::warn("could not record session activity: {}", written.error().internal_message);
  }
}

void SessionService::OnRevoked(RevokedListener listener) {
  std::lock_guard lock(listeners_mutex_);
  listeners_.push_back(std::move(listener));
}

}  // namespace gatehouse::modules::sessions
