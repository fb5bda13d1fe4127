#include "authz/matcher.hpp"

#include <gtest/gtest.h>

namespace gatehouse::authz {
namespace {

struct Row {
  std::vector<std::string> grants;
  const char* node;
  bool expected;
};

TEST(GrantSet, TruthTable) {
  const std::vector<Row> table = {
      {{"*"}, "anything.at.all", true},
      {{"company.fetch"}, "company.fetch", true},
      {{"company.fetch"}, "company.fetch.address", false},  // holding a node is not its children
      {{"company.fetch"}, "company", false},
      {{"company.*"}, "company.fetch", true},
      {{"company.*"}, "company.fetch.address", true},
      {{"company.*"}, "companyx.fetch", false},              // prefix trap
      {{"company.*"}, "company", false},
      {{"users.read"}, "users.readall", false},              // prefix trap
      {{"users.readall"}, "users.read", false},
      {{"users.read.*"}, "users.readall.x", false},
      {{"*", "-credential.delete"}, "credential.delete", false},  // negation wins
      {{"*", "-credential.delete"}, "credential.fetch", true},
      {{"credential.*", "-credential.secure_values.*"}, "credential.secure_values.read", false},
      {{"credential.*", "-credential.secure_values.*"}, "credential.fetch", true},
      {{"-credential.delete", "credential.delete"}, "credential.delete", false},  // order-free
      {{}, "user.read", false},
      {{"ROOT"}, "root", false},                             // invalid grants never match
      {{"*."}, "x", false},
      {{"Admin"}, "admin", false},
  };
  for (const auto& row : table) {
    const auto set = GrantSet::Compile(row.grants);
    std::string label;
    for (const auto& g : row.grants) label += g + " ";
    EXPECT_EQ(set.Grants(row.node), row.expected) << "grants [" << label << "] node " << row.node;
  }
}

TEST(Grants, ValidationAcceptsOnlyTheGrammar) {
  for (const char* ok : {"*", "a", "a.b", "a_b.c9", "a.*", "-a.b", "-a.*", "credential.secure_values.read"}) {
    EXPECT_TRUE(IsValidGrant(ok)) << ok;
  }
  for (const char* bad : {"", "ROOT", "Admin", "*.", "a..b", ".a", "a.", "a.*.b", "a b", "-",
                          "--a", "a.**", "**", "a-b", "é"}) {
    EXPECT_FALSE(IsValidGrant(bad)) << bad;
  }
  EXPECT_TRUE(IsValidNode("user.read"));
  EXPECT_FALSE(IsValidNode("user.*"));
  EXPECT_FALSE(IsValidNode("-user.read"));
}

TEST(Grants, CoversIsTheNoEscalationRelation) {
  EXPECT_TRUE(Covers("*", "*"));
  EXPECT_TRUE(Covers("*", "a.b"));
  EXPECT_TRUE(Covers("a.*", "a.b"));
  EXPECT_TRUE(Covers("a.*", "a.b.*"));
  EXPECT_FALSE(Covers("a.*", "*"));
  EXPECT_FALSE(Covers("a.b", "a.*"));
  EXPECT_FALSE(Covers("a.*", "ab.c"));
}

}  // namespace
}  // namespace gatehouse::authz

namespace gatehouse::authz {
namespace {

TEST(GrantSet, CoversGrantRefusesEscalation) {
  const auto admin = GrantSet::Compile({"user.*", "role.read"});
  EXPECT_TRUE(admin.CoversGrant("user.read.other"));
  EXPECT_TRUE(admin.CoversGrant("user.*"));
  EXPECT_TRUE(admin.CoversGrant("user.roles.*"));
  EXPECT_TRUE(admin.CoversGrant("role.read"));
  EXPECT_TRUE(admin.CoversGrant("-user.delete.other"));  // it may take away what it holds
  EXPECT_FALSE(admin.CoversGrant("-credential.delete"));  // not what it lacks
  EXPECT_FALSE(admin.CoversGrant("-*"));
  EXPECT_FALSE(admin.CoversGrant("*"));
  EXPECT_FALSE(admin.CoversGrant("role.*"));
  EXPECT_FALSE(admin.CoversGrant("role.modify"));
  EXPECT_FALSE(admin.CoversGrant("ROOT"));

  const auto root = GrantSet::Compile({"*"});
  EXPECT_TRUE(root.CoversGrant("*"));
  const auto fenced = GrantSet::Compile({"*", "-credential.delete"});
  EXPECT_FALSE(fenced.CoversGrant("*"));
  EXPECT_FALSE(fenced.CoversGrant("credential.*"));
  EXPECT_TRUE(fenced.CoversGrant("company.*"));
  EXPECT_FALSE(fenced.CoversGrant("credential.delete"));
}

}  // namespace
}  // namespace gatehouse::authz
