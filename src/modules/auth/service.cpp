#include "modules/auth/service.hpp"

#include <spdlog/spdlog.h>

#include <boost/json/array.hpp>

#include <algorithm>

#include "audit/event_types.hpp"

namespace gatehouse::modules::auth {
namespace {

core::Error InvalidCredentials() {
  core::Error error = core::Unauthenticated("Invalid email or password.");
  error.name = "InvalidCredentials";
  return error;
}

}  // namespace

core::Status ValidateEmail(std::string_view email) {
  const std::string normalized = users::NormalizeIdentifier(email);
  const auto at = normalized.find('@');
  const bool shape_ok = at != std::string::npos && at > 0 && at + 1 < normalized.size() &&
                        normalized.find('@', at + 1) == std::string::npos &&
                        normalized.size() <= 254;
  const bool chars_ok = std::none_of(normalized.begin(), normalized.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '<' || c == '>' || c == ',' ||
           c == ';' || c == '"' || static_cast<unsigned char>(c) < 0x20;
  });
  if (!shape_ok || !chars_ok) return core::Validation({{{"email"}, "Must be a valid email address"}});
  return {};
}

core::Status ValidateLogin(std::string_view login) {
  const std::string normalized = users::NormalizeIdentifier(login);
  const bool ok = normalized.size() >= 3 && normalized.size() <= 32 &&
                  std::all_of(normalized.begin(), normalized.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                           c == '_' || c == '-';
                  });
  if (!ok) {
    return core::Validation(
        {{{"login"}, "Must be 3 to 32 characters of a-z, 0-9, '.', '_' or '-'"}});
  }
  return {};
}

AuthService::AuthService(store::Database& db, users::UserService& users,
                         sessions::SessionService& sessions,
                         const security::PasswordHasher& hasher,
                         security::LoginThrottle& throttle,
                         const security::TokenService& tokens, const core::Clock& clock,
                         const audit::Recorder& recorder, AuthOptions options)
    : db_(db),
      users_(users),
      sessions_(sessions),
      hasher_(hasher),
      throttle_(throttle),
      tokens_(tokens),
      clock_(clock),
      recorder_(recorder),
      options_(options) {}

core::Result<std::string> AuthService::HashNewPassword(const std::string& password) const {
  if (auto status = security::ValidatePassword(password); !status) return status.error();
  return hasher_.Hash(password);
}

core::Result<users::User> AuthService::CreateUser(const RegisterInput& input,
                                                  std::vector<std::string> role_ids,
                                                  const sessions::ClientInfo* client,
                                                  sessions::IssuedTokens* tokens,
                                                  const core::RequestMeta& meta) {
  std::vector<core::FieldError> problems;
  if (auto s = ValidateEmail(input.email); !s) problems.push_back(s.error().details.front());
  if (input.login) {
    if (auto s = ValidateLogin(*input.login); !s) problems.push_back(s.error().details.front());
  }
  if (auto s = security::ValidatePassword(input.password); !s) {
    for (const auto& d : s.error().details) problems.push_back(d);
    if (s.error().details.empty()) problems.push_back({{"password"}, s.error().public_message});
  }
  if (!problems.empty()) return core::Validation(std::move(problems));

  // The slow hash runs before the transaction so the single SQLite writer is never held for it.
  auto hash = hasher_.Hash(input.password);
  if (!hash) return hash.error();

  auto created = db_.Write([&](soci::session& tx) -> core::Result<users::User> {
    users::NewUser user{.email = input.email,
                        .login = input.login,
                        .name = input.name,
                        .password_hash = *hash,
                        .role_ids = role_ids};
    auto made = users_.CreateIn(tx, std::move(user));
    if (!made) return made;
    boost::json::array roles;
    for (const auto& role : role_ids) roles.emplace_back(role);
    recorder_.Record(tx, meta, {.event_type = audit::types::kUserCreated,
                                .user_id = made->id,
                                .resource_type = "user",
                                .resource_id = made->id,
                                .metadata = {{"roles", std::move(roles)}}});
    if (client != nullptr && tokens != nullptr) {
      auto issued = sessions_.CreateIn(tx, made->id, *client, "email");
      if (!issued) return issued.error();
      *tokens = std::move(*issued);
      users_.TouchLastLoginIn(tx, made->id);
      recorder_.Record(tx, meta, {.event_type = audit::types::kSessionCreated,
                                  .user_id = made->id,
                                  .resource_type = "session",
                                  .resource_id = tokens->session.id});
    }
    return made;
  });
  if (!created && created.error().code == core::ErrorCode::kAlreadyExists) {
    // The UNIQUE constraint caught a race the pre-check could not see.
    return core::AlreadyExists("A user with this email or login already exists.",
                               "UserAlreadyExists");
  }
  return created;
}

core::Result<LoginResult> AuthService::Register(const RegisterInput& input,
                                                const sessions::ClientInfo& client,
                                                const core::RequestMeta& meta) {
  if (!options_.registration_enabled) {
    return core::PermissionDenied("Registration is disabled on this server.",
                                  "RegistrationDisabled");
  }
  LoginResult result;
  auto user = CreateUser(input, {users::kDefaultRole}, &client, &result.tokens, meta);
  if (!user) return user.error();
  result.user = std::move(*user);
  return result;
}

void AuthService::RecordLoginFailure(const std::optional<users::User>& user,
                                     const core::RequestMeta& meta, const std::string& why) {
  // Its own transaction: a failed login changes nothing else. The identifier typed is not
  // stored for unknown accounts (people type passwords into the wrong field).
  auto written = db_.Write([&](soci::session& tx) -> core::Status {
    recorder_.Record(tx, meta, {.event_type = audit::types::kLoginFailed,
                                .user_id = user ? user->id : std::string(),
                                .resource_type = "user",
                                .resource_id = user ? user->id : std::string(),
                                .metadata = {{"knownAccount", user.has_value()}},
                                .success = false,
                                .error_message = why});
    return {};
  });
  if (!written) spdlog::error("could not record a failed login: {}", written.error().internal_message);
}

core::Result<LoginResult> AuthService::Login(const std::string& identifier,
                                             const std::string& password,
                                             const sessions::ClientInfo& client,
                                             const core::RequestMeta& meta) {
  const std::string key = users::NormalizeIdentifier(identifier);
  auto ticket = throttle_.Begin(key, client.ip_address);
  if (!ticket) return ticket.error();

  auto found = users_.FindForLogin(key);
  if (!found) {
    throttle_.Finish(*ticket, false);
    return found.error();
  }
  const auto& user = *found;
  const bool usable = user && user->password_hash && user->status != users::UserStatus::kDeleted;
  bool match = false;
  if (usable) {
    auto verified = hasher_.Verify(password, *user->password_hash);
    if (!verified && verified.error().code == core::ErrorCode::kUnavailable) {
      throttle_.Finish(*ticket, false);
      return verified.error();
    }
    if (!verified) spdlog::error("user {} has a corrupt password hash", user->id);
    match = verified.ok() && *verified;
  } else {
    // Same argon2id work as a real check, so timing does not tell whether the account exists.
    if (auto dummy = hasher_.DummyVerify(password); !dummy) {
      throttle_.Finish(*ticket, false);
      return dummy.error();
    }
  }
  throttle_.Finish(*ticket, match);
  if (!match) {
    RecordLoginFailure(usable ? user : std::nullopt, meta, "invalid credentials");
    return InvalidCredentials();
  }
  if (user->status == users::UserStatus::kBanned) {
    RecordLoginFailure(user, meta, "account banned");
    return core::PermissionDenied("This account has been banned.", "AccountBanned");
  }

  // Parameters raised since this hash was made: store a fresh one while we have the password.
  std::optional<std::string> rehash;
  if (hasher_.NeedsRehash(*user->password_hash)) {
    if (auto fresh = hasher_.Hash(password)) rehash = std::move(*fresh);
  }
  LoginResult result;
  result.user = *user;
  auto written = db_.Write([&](soci::session& tx) -> core::Status {
    auto issued = sessions_.CreateIn(tx, user->id, client, "email");
    if (!issued) return issued.error();
    result.tokens = std::move(*issued);
    users_.TouchLastLoginIn(tx, user->id);
    recorder_.Record(tx, meta, {.event_type = audit::types::kLogin,
                                .user_id = user->id,
                                .resource_type = "session",
                                .resource_id = result.tokens.session.id,
                                .metadata = {{"provider", "email"}}});
    if (rehash) return users_.SetPasswordIn(tx, user->id, *rehash);
    return {};
  });
  if (!written) return written.error();
  users_.Invalidate(user->id);  // last_login_at changed
  return result;
}

core::Result<sessions::IssuedTokens> AuthService::Refresh(const std::string& refresh_token,
                                                          const sessions::ClientInfo& client,
                                                          const core::RequestMeta& meta) {
  return sessions_.Refresh(refresh_token, client, meta);
}

core::Status AuthService::Logout(const std::string& session_id, const core::RequestMeta& meta) {
  auto revoked = sessions_.Revoke(session_id, "logout", meta, audit::types::kLogout);
  if (!revoked) return revoked.error();
  return {};
}

core::Status AuthService::ChangePassword(const std::string& user_id,
                                         const std::string& session_id,
                                         const std::string& current_password,
                                         const std::string& new_password,
                                         bool revoke_other_sessions,
                                         const core::RequestMeta& meta) {
  if (auto status = security::ValidatePassword(new_password, "newPassword"); !status) {
    return status;
  }
  // Keyed by the user on both counters: one user's typos must not slow anyone else down.
  const std::string key = "password-change:" + user_id;
  auto ticket = throttle_.Begin(key, key);
  if (!ticket) return ticket.error();
  auto user = users_.Get(user_id);
  if (!user) {
    throttle_.Finish(*ticket, false);
    return user.error();
  }
  bool match = false;
  if (user->password_hash) {
    auto verified = hasher_.Verify(current_password, *user->password_hash);
    if (!verified && verified.error().code == core::ErrorCode::kUnavailable) {
      throttle_.Finish(*ticket, false);
      return verified.error();
    }
    match = verified.ok() && *verified;
  }
  throttle_.Finish(*ticket, match);
  if (!match) {
    core::Error error = core::Validation({{{"currentPassword"}, "Current password is incorrect"}});
    error.public_message = "Current password is incorrect";
    error.name = "InvalidCredentials";
    return error;
  }
  auto hash = hasher_.Hash(new_password);
  if (!hash) return hash.error();
  std::vector<std::string> revoked;
  auto written = db_.Write([&](soci::session& tx) -> core::Status {
    if (auto s = users_.SetPasswordIn(tx, user_id, *hash); !s) return s;
    if (revoke_other_sessions) {
      revoked = sessions_.RevokeAllForUserIn(tx, user_id, session_id, "password_changed");
    }
    recorder_.Record(tx, meta,
                     {.event_type = audit::types::kPasswordChanged,
                      .user_id = user_id,
                      .resource_type = "user",
                      .resource_id = user_id,
                      .metadata = {{"revokedSessions", static_cast<std::int64_t>(revoked.size())}}});
    return {};
  });
  if (!written) return written;
  users_.Invalidate(user_id);
  sessions_.PublishRevoked(revoked);
  return {};
}

core::Result<core::Principal> AuthService::AuthenticateBearer(std::string_view token) {
  const std::int64_t now = core::ToUnixMillis(clock_.Now());
  std::optional<security::CachedClaims> claims = verified_.Find(token, now);
  if (!claims) {
    auto verified = tokens_.Verify(token);
    if (!verified) return verified.error();
    // Cached only until exp minus the leeway Verify allows, never beyond what Verify accepts.
    claims = security::CachedClaims{verified->sub, verified->sid,
                                    core::ToUnixMillis(verified->expires_at)};
    verified_.Insert(token, *claims);
  }
  if (sessions_.IsRevoked(claims->sid)) {
    core::Error error = core::Unauthenticated();
    error.internal_message = "session revoked";
    return error;
  }
  auto profile = users_.Access(claims->sub);
  if (!profile) {
    if (profile.error().code == core::ErrorCode::kNotFound) return core::Unauthenticated();
    return profile.error();
  }
  if ((*profile)->status != users::UserStatus::kActive) {
    core::Error error = core::Unauthenticated();
    error.internal_message = "user not active";
    return error;
  }
  sessions_.NoteActivity(claims->sid);
  core::Principal principal;
  principal.kind = core::Principal::Kind::kUser;
  principal.user_id = std::move(claims->sub);
  principal.session_id = std::move(claims->sid);
  principal.permissions = (*profile)->grants;
  return principal;
}

core::Result<users::User> AuthService::CreateSuperAdmin(const std::string& email,
                                                        const std::string& password,
                                                        const std::optional<std::string>& name) {
  RegisterInput input{.email = email, .password = password, .name = name, .login = std::nullopt};
  core::RequestMeta meta;
  meta.source_service = "backend";  // the operator's command line, not an API call
  return CreateUser(input, {users::kSuperAdminRole, users::kDefaultRole}, nullptr, nullptr, meta);
}

}  // namespace gatehouse::modules::auth
