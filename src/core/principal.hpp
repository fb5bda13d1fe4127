// Principal: who is making a request, as established by authentication, and what they may do.
// Lives in core so http/ (which enforces route nodes) and authz/ (which computes permission
// sets) can share it without depending on each other.
//
//   if (!ctx.principal.Can("user.read.other")) return core::PermissionDenied();
//   const std::string& me = ctx.principal.user_id;
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gatehouse::core {

// The effective permission nodes of a principal; authz/ provides the implementation.
class PermissionSet {
 public:
  virtual ~PermissionSet() = default;
  virtual bool Grants(std::string_view node) const = 0;
  // True when everything `grant` ("a.b", "a.*", "*") would give is already held; for a
  // negation "-x", when "x" is held. The no-escalation rule for adding or removing a grant.
  virtual bool CoversGrant(std::string_view grant) const = 0;
};

struct Principal {
  enum class Kind { kAnonymous, kUser, kApiKey, kRoot };

  Kind kind = Kind::kAnonymous;
  std::string user_id;     // empty for anonymous and root
  std::string session_id;  // set for bearer-token callers
  std::string api_key_id;  // set for API-key callers
  std::shared_ptr<const PermissionSet> permissions;
  // Headers the dispatcher adds to whatever answer this request gets (X-RateLimit-*).
  std::vector<std::pair<std::string, std::string>> response_headers{};

  bool authenticated() const { return kind != Kind::kAnonymous; }
  bool Can(std::string_view node) const {
    return kind == Kind::kRoot || (permissions != nullptr && permissions->Grants(node));
  }
  bool CanGrant(std::string_view grant) const {
    return kind == Kind::kRoot || (permissions != nullptr && permissions->CoversGrant(grant));
  }
};

}  // namespace gatehouse::core
