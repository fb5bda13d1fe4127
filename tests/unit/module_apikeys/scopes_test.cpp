// Scope presets, validation, the no-escalation rule for key scopes, and the intersection of a
// key's scopes with its owner's permissions.
#include "modules/apikeys/scopes.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "authz/matcher.hpp"

namespace gatehouse::modules::apikeys {
namespace {

using Grants = std::vector<std::string>;

std::shared_ptr<const authz::GrantSet> Set(const Grants& grants) {
  return std::make_shared<const authz::GrantSet>(authz::GrantSet::Compile(grants));
}

core::Principal User(const std::string& id, const Grants& grants) {
  core::Principal p;
  p.kind = core::Principal::Kind::kUser;
  p.user_id = id;
  p.permissions = Set(grants);
  return p;
}

const Grants kRoleUser = {"user.read",      "user.write",  "user.search",   "session.read",
                          "session.revoke", "apikey.read", "apikey.create", "apikey.revoke"};
const Grants kRoleAdmin = {"user.*",   "session.*", "role.read",    "role.list",        "audit.*",
                           "apikey.*", "company.*", "credential.*", "credential_type.*"};

TEST(Scopes, PresetsAreKnownAndExpandToValidGrants) {
  for (const char* preset : {"read", "write", "admin"}) {
    EXPECT_TRUE(IsPreset(preset));
    EXPECT_FALSE(PresetGrants(preset).empty()) << preset;
    for (const char* grant : PresetGrants(preset)) {
      EXPECT_TRUE(authz::IsValidGrant(grant)) << preset << ": " << grant;
    }
  }
  EXPECT_FALSE(IsPreset("Read"));
  EXPECT_FALSE(IsPreset("user.read"));
  EXPECT_TRUE(PresetGrants("user.read").empty());
}

TEST(Scopes, PresetsNestAndNeverHoldOtherUsersNodes) {
  auto read = Set(ExpandScopes({"read"}));
  auto write = Set(ExpandScopes({"write"}));
  auto admin = Set(ExpandScopes({"admin"}));
  for (const char* grant : PresetGrants("read")) {
    EXPECT_TRUE(write->CoversGrant(grant)) << "write lacks read's " << grant;
    EXPECT_TRUE(admin->CoversGrant(grant)) << "admin lacks read's " << grant;
  }
  for (const char* grant : PresetGrants("write")) {
    EXPECT_TRUE(admin->CoversGrant(grant)) << "admin lacks write's " << grant;
  }
  for (const auto& set : {read, write}) {
    EXPECT_FALSE(set->Grants("user.read.other"));
    EXPECT_FALSE(set->Grants("apikey.create.other"));
    EXPECT_FALSE(set->Grants("role.modify"));
    EXPECT_FALSE(set->Grants("credential.secure_values.read"));
  }
  EXPECT_FALSE(read->Grants("user.write"));
  EXPECT_TRUE(write->Grants("user.write"));
  EXPECT_TRUE(admin->Grants("apikey.rotate.other"));
  EXPECT_FALSE(admin->Grants("role.modify")) << "admin is the Admin role, not super admin";
  // The admin role holds every grant of the admin preset.
  auto role_admin = Set(kRoleAdmin);
  for (const char* grant : PresetGrants("admin")) EXPECT_TRUE(role_admin->CoversGrant(grant));
}

TEST(Scopes, ExpandKeepsOrderAndDropsDuplicates) {
  EXPECT_EQ(ExpandScopes({"company.fetch", "company.fetch", "-user.write"}),
            (Grants{"company.fetch", "-user.write"}));
  Grants both = ExpandScopes({"read", "write"});
  Grants write = ExpandScopes({"write"});
  std::sort(both.begin(), both.end());
  std::sort(write.begin(), write.end());
  EXPECT_EQ(both, write);
}

TEST(Scopes, Validation) {
  EXPECT_TRUE(
      ValidateScopes({"read", "user.read", "company.*", "-user.write", "*"}, "scopes").ok());
  auto empty = ValidateScopes({}, "scopes");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, core::ErrorCode::kInvalidArgument);
  auto bad = ValidateScopes({"read", "User.Read", "a..b", "ok.node"}, "scopes");
  ASSERT_FALSE(bad.ok());
  ASSERT_EQ(bad.error().details.size(), 2u);
  EXPECT_EQ(bad.error().details[0].path, (std::vector<std::string>{"scopes", "1"}));
  EXPECT_EQ(bad.error().details[1].path, (std::vector<std::string>{"scopes", "2"}));
  EXPECT_FALSE(ValidateScopes(Grants(101, "user.read"), "scopes").ok());
}

TEST(Scopes, IntersectionNeedsBothSides) {
  IntersectionSet set(Set({"user.*", "company.fetch"}), Set({"user.read", "company.*"}));
  EXPECT_TRUE(set.Grants("user.read"));
  EXPECT_FALSE(set.Grants("user.write"));  // key yes, owner no
  EXPECT_TRUE(set.Grants("company.fetch"));
  EXPECT_FALSE(set.Grants("company.create"));  // owner yes, key no
  EXPECT_TRUE(set.CoversGrant("user.read"));
  EXPECT_FALSE(set.CoversGrant("user.*"));
  EXPECT_FALSE(set.CoversGrant("company.*"));
  // Negations on either side win.
  IntersectionSet negated(Set({"*", "-user.write"}), Set({"*"}));
  EXPECT_FALSE(negated.Grants("user.write"));
  EXPECT_TRUE(negated.Grants("user.read"));
  IntersectionSet none(nullptr, Set({"*"}));
  EXPECT_FALSE(none.Grants("user.read"));
}

TEST(Scopes, UsersMayGiveTheirOwnKeysOnlyWhatTheyHold) {
  const auto alice = User("alice", kRoleUser);
  auto grants = Set(kRoleUser);
  EXPECT_TRUE(CheckScopesAllowed(alice, "alice", grants.get(), {"user.read", "apikey.read"}).ok());
  auto beyond = CheckScopesAllowed(alice, "alice", grants.get(), {"user.read", "company.fetch"});
  ASSERT_FALSE(beyond.ok());
  EXPECT_EQ(beyond.error().code, core::ErrorCode::kPermissionDenied);
  EXPECT_FALSE(CheckScopesAllowed(alice, "alice", grants.get(), {"user.*"}).ok());
  EXPECT_FALSE(CheckScopesAllowed(alice, "alice", grants.get(), {"*"}).ok());
  // Presets filter the owner's own permissions: always fine for oneself.
  EXPECT_TRUE(CheckScopesAllowed(alice, "alice", grants.get(), {"read", "write", "admin"}).ok());
}

TEST(Scopes, AdminsNeedTheScopesAndSoDoesTheOwner) {
  const auto admin = User("admin", kRoleAdmin);
  auto alice = Set(kRoleUser);
  EXPECT_TRUE(CheckScopesAllowed(admin, "alice", alice.get(), {"user.read", "read"}).ok());
  EXPECT_TRUE(CheckScopesAllowed(admin, "alice", alice.get(), {"admin"}).ok());
  // alice does not hold company.fetch, however powerful the admin.
  EXPECT_FALSE(CheckScopesAllowed(admin, "alice", alice.get(), {"company.fetch"}).ok());
  // The admin does not hold role.modify, however powerful the owner.
  auto super = Set({"*"});
  EXPECT_FALSE(CheckScopesAllowed(admin, "root", super.get(), {"role.modify"}).ok());
  // A plain user creating a preset key for someone else needs every node of the preset.
  const auto bob = User("bob", kRoleUser);
  EXPECT_FALSE(CheckScopesAllowed(bob, "alice", alice.get(), {"read"}).ok());
  // Without owner grants (rotation) only the actor is checked.
  EXPECT_TRUE(CheckScopesAllowed(admin, "alice", nullptr, {"company.fetch"}).ok());
}

TEST(Scopes, AKeyCannotMintAKeyWiderThanItself) {
  core::Principal key;
  key.kind = core::Principal::Kind::kApiKey;
  key.user_id = "alice";
  key.permissions =
      std::make_shared<const IntersectionSet>(Set({"apikey.create", "user.read"}), Set(kRoleUser));
  auto alice = Set(kRoleUser);
  EXPECT_TRUE(CheckScopesAllowed(key, "alice", alice.get(), {"user.read"}).ok());
  EXPECT_FALSE(CheckScopesAllowed(key, "alice", alice.get(), {"user.write"}).ok());
  EXPECT_FALSE(CheckScopesAllowed(key, "alice", alice.get(), {"write"}).ok())
      << "a preset is not a filter when the actor is a narrower key";
}

TEST(Scopes, RootMayGiveAnythingTheOwnerHolds) {
  core::Principal root;
  root.kind = core::Principal::Kind::kRoot;
  auto alice = Set(kRoleUser);
  EXPECT_TRUE(CheckScopesAllowed(root, "alice", alice.get(), {"admin", "user.write"}).ok());
  EXPECT_FALSE(CheckScopesAllowed(root, "alice", alice.get(), {"company.fetch"}).ok());
}

}  // namespace
}  // namespace gatehouse::modules::apikeys
