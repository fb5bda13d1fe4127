// Password authentication: registration, login (with brute-force throttling and no account
// enumeration), refresh, logout, password change, bearer-token authentication, and the
// operator's `admin create`.
//
//   auto result = auth.Login("alice@example.com", "correct horse", client);  // 401 on mismatch
//   auto who = auth.AuthenticateBearer(token);        // Principal, or 401
#pragma once

#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "audit/recorder.hpp"
#include "core/principal.hpp"
#include "core/request_meta.hpp"
#include "modules/sessions/service.hpp"
#include "modules/users/service.hpp"
#include "security/login_throttle.hpp"
#include "security/password_hasher.hpp"
#include "security/token_service.hpp"
#include "security/verified_token_cache.hpp"
#include "store/database.hpp"

namespace gatehouse::modules::auth {

struct AuthOptions {
  bool registration_enabled = true;
};

struct RegisterInput {
  std::string email;
  std::string password;
  std::optional<std::string> name;
  std::optional<std::string> login;
};

struct LoginResult {
  users::User user;
  sessions::IssuedTokens tokens;
};

class AuthService {
 public:
  AuthService(store::Database& db, users::UserService& users,
              sessions::SessionService& sessions, const security::PasswordHasher& hasher,
              security::LoginThrottle& throttle, const security::TokenService& tokens,
              const core::Clock& clock, const audit::Recorder& recorder, AuthOptions options);

  core::Result<LoginResult> Register(const RegisterInput& input,
                                     const sessions::ClientInfo& client,
                                     const core::RequestMeta& meta);
  // `identifier` is an email or a login. Unknown user and wrong password: the same 401, after
  // the same argon2id work.
  core::Result<LoginResult> Login(const std::string& identifier, const std::string& password,
                                  const sessions::ClientInfo& client,
                                  const core::RequestMeta& meta);
  core::Result<sessions::IssuedTokens> Refresh(const std::string& refresh_token,
                                               const sessions::ClientInfo& client,
                                               const core::RequestMeta& meta);
  core::Status Logout(const std::string& session_id, const core::RequestMeta& meta);
  core::Status ChangePassword(const std::string& user_id, const std::string& session_id,
                              const std::string& current_password,
                              const std::string& new_password, bool revoke_other_sessions,
                              const core::RequestMeta& meta);

  core::Result<core::Principal> AuthenticateBearer(std::string_view token);

  // `gatehouse admin create`: a user holding role_super_admin.
  core::Result<users::User> CreateSuperAdmin(const std::string& email,
                                             const std::string& password,
                                             const std::optional<std::string>& name);

 private:
  core::Result<std::string> HashNewPassword(const std::string& password) const;
  core::Result<users::User> CreateUser(const RegisterInput& input,
                                       std::vector<std::string> role_ids,
                                       const sessions::ClientInfo* client,
                                       sessions::IssuedTokens* tokens,
                                       const core::RequestMeta& meta);
  void RecordLoginFailure(const std::optional<users::User>& user, const core::RequestMeta& meta,
                          const std::string& why);

  store::Database& db_;
  users::UserService& users_;
  sessions::SessionService& sessions_;
  const security::PasswordHasher& hasher_;
  security::LoginThrottle& throttle_;
  const security::TokenService& tokens_;
  const core::Clock& clock_;
  const audit::Recorder& recorder_;
  AuthOptions options_;
  security::VerifiedTokenCache verified_;
};

// Validation shared by register and admin create (exposed for tests).
core::Status ValidateEmail(std::string_view email);
core::Status ValidateLogin(std::string_view login);

}  // namespace gatehouse::modules::auth
