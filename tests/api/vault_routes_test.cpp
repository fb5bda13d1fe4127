// The credential vault seen from outside (seed 002's Company, Credential and Credential Type
// routes; DESIGN.md §3 permission scopes): every route by anonymous, a plain user, holders of
// narrower roles, an admin (company.*, credential.*, credential_type.* but no scope nodes) and
// the super admin; the seed's messages and shapes; 400s for unknown and missing fields and bad
// values, 404s, and that a refused request changes nothing and writes no audit event.
// SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "support/audit_log.hpp"
#include "support/authz_helpers.hpp"
#include "support/backend.hpp"
#include "support/http_client.hpp"
#include "support/identity_helpers.hpp"
#include "support/scenario.hpp"
#include "support/server_process.hpp"

namespace gatehouse::testing {
namespace {

namespace json = boost::json;
using authz::CreateRole;
using authz::SetRoles;

constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr const char* kBitlocker = "123456-234567-345678-456789-567890-678901-789012-890123";

using authz::Caller;

// One row per caller; refused rows must write no audit event, successful ones `audit`.
void Rows(std::vector<Scenario>& table, const std::string& name, const std::string& method,
          const std::string& path, const std::string& body, const std::vector<Caller>& callers,
          std::vector<JsonFragment> fragments = {},
          std::function<void(const Response&)> on_success = {},
          std::vector<std::string> audit = {}) {
  const std::size_t first = table.size();
  authz::AddRows(table, name, method, path, body, callers, std::move(on_success),
                 std::move(fragments));
  for (std::size_t i = first; i < table.size(); ++i) {
    Scenario& row = table[i];
    const bool succeeds = row.expected_status >= 200 && row.expected_status < 300;
    if (succeeds) row.expected_audit_events = audit;
    row.no_audit_events = !succeeds || audit.empty();
  }
}

std::string Text(const json::value& v) { return json::serialize(v); }

json::value Field(const std::string& id, const std::string& name, bool required, bool secure,
                  const std::string& type) {
  return json::object{
      {"id", id}, {"name", name}, {"required", required}, {"secure", secure}, {"valueType", type}};
}

json::array PlainFields() {
  return {Field("username", "Username", true, false, "plain_text"),
          Field("password", "Password", true, true, "password"),
          Field("host", "Host", false, false, "ip_address"),
          Field("recovery", "Recovery Key", false, true, "bitlocker_key")};
}

json::array AwsFields() {
  return {Field("accessKeyId", "Access Key ID", true, false, "plain_text"),
          Field("secretAccessKey", "Secret Access Key", true, true, "password")};
}

json::object Value(const std::string& field, const json::value& value) {
  return {{"fieldId", field}, {"value", value}};
}

std::string Created(HttpClient& client, const Account& actor, const std::string& path,
                    const json::value& body) {
  Response r = client.Post(path, Text(body), actor.Auth());
  EXPECT_EQ(r.status, 201) << path << ": " << r.Describe();
  json::value id = At(r, "/data/id");
  return id.is_string() ? std::string(id.as_string()) : std::string();
}

// Everything a refused request might have changed, read as the super admin.
std::string Snapshot(HttpClient& client, const Account& super, const std::string& credential) {
  Response a = client.Get("/v1/credential/credentials/" + credential + "/fields", super.Auth());
  Response b = client.Get("/v1/credential/credentials/" + credential, super.Auth());
  return a.body + "|" + Text(At(b, "/data/name")) + Text(At(b, "/data/notes")) +
         Text(At(b, "/data/updatedAt"));
}

void ExpectCredentialShape(const json::value& v) {
  ASSERT_TRUE(v.is_object()) << Text(v);
  EXPECT_TRUE(KeysAre(v, {"id", "name", "notes", "typeId", "companyId", "fields", "type", "company",
                          "createdAt", "updatedAt"}));
  for (const auto& f : v.at("fields").as_array()) {
    EXPECT_TRUE(KeysAre(f, {"id", "name", "secure", "required", "valueType", "value"}));
    if (f.at("secure").as_bool()) {
      EXPECT_TRUE(f.at("value").is_null()) << Text(f);
    }
  }
  EXPECT_TRUE(KeysAre(v.at("company"), {"id", "name"}));
  EXPECT_TRUE(IsIsoTimestamp(v.at("createdAt")));
}

class VaultRoutes : public BackendTest {
 protected:
  struct World {
    Cast cast;
    Account reader;  // credential.fetch(.many), fields.fetch, secure_values.read, aws .fetch only,
                     // company.fetch (not .address)
    Account scoped;  // credential.fetch + aws.credentials.fetch|secure_values.read, no
                     // credential.secure_values.read
    std::string company, other_company, plain_type, aws_type, plain, aws;

    // One row per caller with the status each should get.
    std::vector<Caller> Callers(int anon, int user, int vault_reader, int admin, int super) const {
      return {{"anonymous", {}, anon},
              {"user", cast.alice.Auth(), user},
              {"vault reader", reader.Auth(), vault_reader},
              {"admin", cast.admin.Auth(), admin},
              {"super admin", cast.super.Auth(), super}};
    }
  };

  ::testing::AssertionResult Setup(ServerProcess& server, World* w) {
    if (auto ok = StartWithCast(server, &w->cast); !ok) return ok;
    HttpClient client(server.port());
    const Account& super = w->cast.super;
    w->reader = w->cast.bob;
    if (auto ok = CreateRole(client, super, "vault_reader",
                             {"credential.fetch", "credential.fetch.many", "credential_type.fetch",
                              "credential.fields.fetch", "credential.secure_values.read",
                              "aws.credentials.fetch", "company.fetch"});
        !ok) {
      return ok;
    }
    if (auto ok = SetRoles(client, super, w->reader.id, {"user", "vault_reader"}); !ok) return ok;
    if (auto ok = Register(client, "carol@example.com", kPassword, &w->scoped); !ok) return ok;
    if (auto ok = CreateRole(
            client, super, "aws_secrets",
            {"credential.fetch", "aws.credentials.fetch", "aws.credentials.secure_values.read"});
        !ok) {
      return ok;
    }
    if (auto ok = SetRoles(client, super, w->scoped.id, {"user", "aws_secrets"}); !ok) return ok;
    w->company = Created(client, super, "/v1/company/companies",
                         json::object{{"name", "Acme Corp"},
                                      {"cw_CompanyId", 12345},
                                      {"cw_Identifier", "AcmeCorp"},
                                      {"address",
                                       {{"line1", "123 Main St"},
                                        {"line2", nullptr},
                                        {"city", "Springfield"},
                                        {"state", "IL"},
                                        {"zip", "62701"},
                                        {"country", "United States"}}}});
    w->other_company =
        Created(client, super, "/v1/company/companies", json::object{{"name", "Globex"}});
    w->plain_type = Created(client, super, "/v1/credential-type",
                            json::object{{"name", "Server"}, {"fields", PlainFields()}});
    w->aws_type = Created(client, super, "/v1/credential-type",
                          json::object{{"name", "AWS"},
                                       {"permissionScope", "aws.credentials"},
                                       {"icon", "https://aws.amazon.com/favicon.ico"},
                                       {"fields", AwsFields()}});
    w->plain = Created(client, super, "/v1/credential/credentials",
                       json::object{{"name", "Web server"},
                                    {"typeId", w->plain_type},
                                    {"companyId", w->company},
                                    {"fields", json::array{Value("username", "root"),
                                                           Value("password", "hunter2-plain"),
                                                           Value("host", "10.0.0.1")}}});
    w->aws =
        Created(client, super, "/v1/credential/credentials",
                json::object{{"name", "Production AWS"},
                             {"notes", "S3 access"},
                             {"typeId", w->aws_type},
                             {"companyId", w->company},
                             {"fields", json::array{Value("accessKeyId", "AKIAIOSFODNN7EXAMPLE"),
                                                    Value("secretAccessKey", kSecret)}}});
    if (w->company.empty() || w->plain.empty() || w->aws.empty()) {
      return ::testing::AssertionFailure() << "setup failed";
    }
    return ::testing::AssertionSuccess();
  }
};

// --------------------------------------------------------------------------------------------
TEST_P(VaultRoutes, CompaniesByEveryCaller) {
  ServerProcess& server = NewServer(FastHashFlags());
  World w;
  ASSERT_TRUE(Setup(server, &w));
  const Cast& c = w.cast;
  auto five = [&](int anon, int user, int reader, int admin, int super) {
    return w.Callers(anon, user, reader, admin, super);
  };
  std::vector<Scenario> t;
  Rows(t, "list companies", "GET", "/v1/company/companies", "", five(401, 403, 403, 200, 200),
       {{"/message", "Companies Fetched Successfully!"},
        {"/pagination",
         {{"previousPage", nullptr},
          {"currentPage", 1},
          {"nextPage", nullptr},
          {"totalPages", 1},
          {"totalRecords", 2},
          {"listedRecords", 2}}},
        {"/data/0/name", "Acme Corp"},
        {"/data/0/cw_CompanyId", 12345},
        {"/data/0/cw_Identifier", "AcmeCorp"},
        {"/data/1/name", "Globex"},
        {"/data/1/cw_CompanyId", nullptr}},
       [](const Response& r) {
         EXPECT_TRUE(KeysAre(At(r, "/data/0"), {"id", "name", "cw_CompanyId", "cw_Identifier"}));
       });
  Rows(t, "page 2 of 1 per page", "GET", "/v1/company/companies?page=2&rpp=1", "",
       {{"admin", c.admin.Auth(), 200}},
       {{"/pagination",
         {{"previousPage", 1},
          {"currentPage", 2},
          {"nextPage", nullptr},
          {"totalPages", 2},
          {"totalRecords", 2},
          {"listedRecords", 1}}},
        {"/data/0/name", "Globex"}});
  Rows(t, "search", "GET", "/v1/company/companies?search=acme", "",
       {{"admin", c.admin.Auth(), 200}},
       {{"/pagination/totalRecords", 1}, {"/data/0/id", w.company}});
  Rows(t, "search with a LIKE wildcard matches literally", "GET",
       "/v1/company/companies?search=%25", "", {{"admin", c.admin.Auth(), 200}},
       {{"/pagination/totalRecords", 0}, {"/data", json::array{}}});
  Rows(t, "rpp over 100", "GET", "/v1/company/companies?rpp=101", "",
       {{"admin", c.admin.Auth(), 400}}, {{"/error", "ValidationError"}});
  Rows(t, "page 0", "GET", "/v1/company/companies?page=0", "", {{"admin", c.admin.Auth(), 400}},
       {{"/error", "ValidationError"}});
  Rows(t, "get company", "GET", "/v1/company/companies/" + w.company, "",
       five(401, 403, 200, 200, 200),
       {{"/message", "Company Fetched Successfully!"},
        {"/data/id", w.company},
        {"/data/cw_Data", json::object{}}});
  Rows(t, "get company with address", "GET",
       "/v1/company/companies/" + w.company + "?includeAddress=true", "",
       five(401, 403, 403, 200, 200),  // the reader lacks company.fetch.address
       {{"/data/cw_Data/address",
         {{"line1", "123 Main St"},
          {"line2", nullptr},
          {"city", "Springfield"},
          {"state", "IL"},
          {"zip", "62701"},
          {"country", "United States"}}}});
  Rows(t, "get unknown company", "GET", "/v1/company/companies/nope", "",
       {{"admin", c.admin.Auth(), 404}}, {{"/error", "CompanyNotFound"}});
  Rows(t, "configurations (none yet)", "GET",
       "/v1/company/companies/" + w.company + "/configurations", "", five(401, 403, 403, 200, 200),
       {{"/message", "Company Configurations Fetched Successfully!"}, {"/data", json::array{}}});
  Rows(t, "create company", "POST", "/v1/company/companies",
       Text(json::object{{"name", "Initech"}, {"cw_CompanyId", 7}}), five(401, 403, 403, 201, 201),
       {{"/message", "Company Created Successfully!"},
        {"/data/name", "Initech"},
        {"/data/cw_CompanyId", 7}},
       {}, {"company_created"});
  Rows(t, "create company with an unknown field", "POST", "/v1/company/companies",
       Text(json::object{{"name", "X"}, {"owner", "me"}}), {{"admin", c.admin.Auth(), 400}},
       {{"/error", "ValidationError"}, {"/errors/0/path", json::array{"owner"}}});
  Rows(t, "create company without a name", "POST", "/v1/company/companies", "{}",
       {{"admin", c.admin.Auth(), 400}},
       {{"/error", "ValidationError"}, {"/errors/0/path", json::array{"name"}}});
  Rows(t, "create company with a bad address", "POST", "/v1/company/companies",
       Text(json::object{{"name", "X"}, {"address", {{"street", "x"}}}}),
       {{"admin", c.admin.Auth(), 400}}, {{"/errors/0/path", json::array{"address", "street"}}});
  Rows(t, "rename company", "PATCH", "/v1/company/companies/" + w.other_company,
       Text(json::object{{"name", "Globex Corporation"}}), five(401, 403, 403, 200, 200),
       {{"/message", "Company Updated Successfully!"}, {"/data/name", "Globex Corporation"}}, {},
       {"company_updated"});
  Rows(t, "patch unknown company", "PATCH", "/v1/company/companies/nope",
       Text(json::object{{"name", "X"}}), {{"admin", c.admin.Auth(), 404}},
       {{"/error", "CompanyNotFound"}});
  RunScenarios(server, t);

  // Configurations: create, change, list, delete.
  HttpClient client(server.port());
  std::vector<Scenario> cfg;
  const std::string base = "/v1/company/companies/" + w.company + "/configurations";
  Rows(cfg, "create configuration", "POST", base,
       Text(json::object{{"name", "Firewall"}, {"type", "Network"}, {"data", {{"model", "X1"}}}}),
       five(401, 403, 403, 201, 201),
       {{"/message", "Company Configuration Created Successfully!"},
        {"/data/name", "Firewall"},
        {"/data/data/model", "X1"}},
       {}, {"company_updated"});
  Rows(cfg, "create configuration with data not an object", "POST", base,
       Text(json::object{{"name", "Bad"}, {"data", "x"}}), {{"admin", c.admin.Auth(), 400}},
       {{"/errors/0/path", json::array{"data"}}});
  RunScenarios(server, cfg);
  Response list = client.Get(base, c.admin.Auth());
  ASSERT_EQ(ArrayAt(list, "/data").size(), 2u) << list.body;
  const std::string cfg_id(At(list, "/data/0/id").as_string());
  std::vector<Scenario> cfg2;
  Rows(cfg2, "patch configuration", "PATCH", base + "/" + cfg_id,
       Text(json::object{{"type", nullptr}}), {{"admin", c.admin.Auth(), 200}},
       {{"/data/type", nullptr}, {"/data/name", "Firewall"}}, {}, {"company_updated"});
  Rows(cfg2, "patch unknown configuration", "PATCH", base + "/nope",
       Text(json::object{{"name", "x"}}), {{"admin", c.admin.Auth(), 404}},
       {{"/error", "ConfigurationNotFound"}});
  Rows(cfg2, "delete configuration", "DELETE", base + "/" + cfg_id, "",
       {{"user", c.alice.Auth(), 403}, {"admin", c.admin.Auth(), 200}},
       {{"/data", nullptr}, {"/message", "Company Configuration Deleted Successfully!"}}, {},
       {"company_updated"});
  Rows(cfg2, "delete it again", "DELETE", base + "/" + cfg_id, "", {{"admin", c.admin.Auth(), 404}},
       {{"/error", "ConfigurationNotFound"}});
  Rows(cfg2, "delete a company holding credentials", "DELETE", "/v1/company/companies/" + w.company,
       "", {{"admin", c.admin.Auth(), 409}}, {{"/error", "CompanyHasCredentials"}});
  Rows(cfg2, "delete a company", "DELETE", "/v1/company/companies/" + w.other_company, "",
       {{"anonymous", {}, 401},
        {"user", c.alice.Auth(), 403},
        {"vault reader", w.reader.Auth(), 403},
        {"admin", c.admin.Auth(), 200}},
       {{"/message", "Company Deleted Successfully!"}, {"/data", nullptr}}, {},
       {"company_deleted"});
  Rows(cfg2, "delete a deleted company", "DELETE", "/v1/company/companies/" + w.other_company, "",
       {{"super admin", c.super.Auth(), 404}}, {{"/error", "CompanyNotFound"}});
  RunScenarios(server, cfg2);
  EXPECT_EQ(ArrayAt(client.Get(base, c.admin.Auth()), "/data").size(), 1u);
}

// --------------------------------------------------------------------------------------------
TEST_P(VaultRoutes, CredentialTypesByEveryCaller) {
  ServerProcess& server = NewServer(FastHashFlags());
  World w;
  ASSERT_TRUE(Setup(server, &w));
  const Cast& c = w.cast;
  auto five = [&](int anon, int user, int reader, int admin, int super) {
    return w.Callers(anon, user, reader, admin, super);
  };
  std::vector<Scenario> t;
  Rows(t, "value types", "GET", "/v1/credential/valuetypes", "", five(401, 200, 200, 200, 200),
       {{"/message", "Value Types Fetched Successfully!"},
        {"/data", json::array{"plain_text", "license_key", "ip_address", "generic_secret",
                              "bitlocker_key", "password"}}});
  Rows(t, "list types", "GET", "/v1/credential-type", "", five(401, 403, 403, 200, 200),
       {{"/message", "Credential Types Fetched Successfully!"},
        {"/data/0/name", "AWS"},
        {"/data/0/permissionScope", "aws.credentials"},
        {"/data/0/icon", "https://aws.amazon.com/favicon.ico"},
        {"/data/0/credentialCount", 1},
        {"/data/0/fields", AwsFields()},
        {"/data/1/name", "Server"},
        {"/data/1/permissionScope", nullptr}});
  Rows(t, "get type by id", "GET", "/v1/credential-type/" + w.aws_type, "",
       five(401, 403, 200, 200, 200),
       {{"/message", "Credential Type Fetched Successfully!"},
        {"/data/name", "AWS"},
        {"/data/credentialCount", 1}},
       [](const Response& r) {
         EXPECT_TRUE(KeysAre(At(r, "/data"), {"id", "name", "permissionScope", "icon", "fields",
                                              "credentialCount", "createdAt", "updatedAt"}));
       });
  Rows(t, "get type by name", "GET", "/v1/credential-type/Server", "",
       {{"reader", w.reader.Auth(), 200}}, {{"/data/id", w.plain_type}});
  Rows(t, "get unknown type", "GET", "/v1/credential-type/Nope", "",
       {{"reader", w.reader.Auth(), 404}}, {{"/error", "CredentialTypeNotFound"}});
  Rows(t, "credentials of a type", "GET", "/v1/credential-type/" + w.aws_type + "/credentials", "",
       five(401, 403, 200, 200, 200), {{"/message", "Credentials Fetched Successfully!"}});
  // admin lacks aws.credentials.fetch: the list leaves the AWS credential out.
  Rows(t, "credentials of a scoped type without the scope", "GET",
       "/v1/credential-type/" + w.aws_type + "/credentials", "", {{"admin", c.admin.Auth(), 200}},
       {{"/data", json::array{}}});
  Rows(t, "credentials of a scoped type with the scope", "GET",
       "/v1/credential-type/" + w.aws_type + "/credentials", "", {{"reader", w.reader.Auth(), 200}},
       {{"/data/0/id", w.aws}, {"/data/0/fields/1/value", nullptr}});
  const std::string github = Text(
      json::object{{"name", "GitHub"},
                   {"permissionScope", "github.credentials"},
                   {"icon", "https://github.com/favicon.ico"},
                   {"fields", json::array{Field("username", "Username", true, false, "plain_text"),
                                          Field("personalAccessToken", "Personal Access Token",
                                                true, true, "password")}}});
  Rows(t, "create type", "POST", "/v1/credential-type", github,
       {{"anonymous", {}, 401},
        {"user", c.alice.Auth(), 403},
        {"vault reader", w.reader.Auth(), 403},
        {"admin", c.admin.Auth(), 201}},
       {{"/message", "Credential Type Created Successfully!"},
        {"/data/name", "GitHub"},
        {"/data/permissionScope", "github.credentials"}},
       {}, {"credential_type_created"});
  Rows(t, "create type with a taken name", "POST", "/v1/credential-type", github,
       {{"admin", c.admin.Auth(), 409}}, {{"/error", "CredentialTypeAlreadyExists"}});
  Rows(
      t, "create type with a bad value type", "POST", "/v1/credential-type",
      Text(json::object{{"name", "X"},
                        {"fields", json::array{Field("a", "A", false, false, "secret")}}}),
      {{"admin", c.admin.Auth(), 400}},
      {{"/error", "ValidationError"}, {"/errors/0/path", json::array{"fields", "0", "valueType"}}});
  Rows(t, "create type with duplicate field ids", "POST", "/v1/credential-type",
       Text(json::object{{"name", "X"},
                         {"fields", json::array{Field("a", "A", false, false, "password"),
                                                Field("a", "B", false, false, "password")}}}),
       {{"admin", c.admin.Auth(), 400}}, {{"/errors/0/path", json::array{"fields", "1", "id"}}});
  Rows(t, "create type with an unknown field property", "POST", "/v1/credential-type",
       Text(json::object{
           {"name", "X"},
           {"fields",
            json::array{
                {{"id", "a"}, {"name", "A"}, {"valueType", "password"}, {"encrypted", true}}}}}),
       {{"admin", c.admin.Auth(), 400}},
       {{"/errors/0/path", json::array{"fields", "0", "encrypted"}}});
  Rows(t, "create type with a wildcard scope", "POST", "/v1/credential-type",
       Text(json::object{{"name", "X"}, {"permissionScope", "aws.*"}, {"fields", json::array{}}}),
       {{"admin", c.admin.Auth(), 400}}, {{"/errors/0/path", json::array{"permissionScope"}}});
  Rows(t, "create type without fields", "POST", "/v1/credential-type",
       Text(json::object{{"name", "X"}}), {{"admin", c.admin.Auth(), 400}},
       {{"/errors/0/path", json::array{"fields"}}});
  // A scope protects its credentials from holders of credential_type.update alone.
  const std::string aws_path = "/v1/credential-type/" + w.aws_type;
  t.push_back({.name = "lift a scope without holding it",
               .method = "PATCH",
               .path = aws_path,
               .headers = c.admin.Auth(),
               .body = Text(json::object{{"permissionScope", nullptr}}),
               .expected_status = 403,
               .expected_fragments = {{"/error", "InsufficientPermission"}},
               .no_audit_events = true});
  t.push_back({.name = "move a scope without holding it",
               .method = "PATCH",
               .path = aws_path,
               .headers = c.admin.Auth(),
               .body = Text(json::object{{"permissionScope", "open.credentials"}}),
               .expected_status = 403,
               .no_audit_events = true});
  Rows(t, "change the fields of a scoped type with credentials", "PATCH", aws_path,
       Text(json::object{{"fields", AwsFields()}}), {{"admin", c.admin.Auth(), 403}});
  Rows(t, "rename a scoped type", "PATCH", aws_path, Text(json::object{{"name", "Amazon"}}),
       {{"admin", c.admin.Auth(), 200}},
       {{"/data/name", "Amazon"}, {"/data/permissionScope", "aws.credentials"}}, {},
       {"credential_type_updated"});
  Rows(t, "the scoped credential is still closed to the admin", "GET",
       "/v1/credential/credentials/" + w.aws, "", {{"admin", c.admin.Auth(), 403}});
  Rows(t, "lift a scope holding it", "PATCH", aws_path,
       Text(json::object{{"permissionScope", nullptr}}), {{"super", c.super.Auth(), 200}},
       {{"/data/permissionScope", nullptr}}, {}, {"credential_type_updated"});
  Rows(t, "now open to the admin", "GET", "/v1/credential/credentials/" + w.aws, "",
       {{"admin", c.admin.Auth(), 200}}, {{"/data/id", w.aws}});
  RunScenarios(server, t);
}

// --------------------------------------------------------------------------------------------
// Field-definition changes on a type with credentials (docs/api.md's rules).
TEST_P(VaultRoutes, TypeFieldChangesFollowTheDocumentedRules) {
  ServerProcess& server = NewServer(FastHashFlags());
  World w;
  ASSERT_TRUE(Setup(server, &w));
  const Cast& c = w.cast;
  HttpClient client(server.port());
  const std::string type_path = "/v1/credential-type/" + w.plain_type;
  auto with = [](json::array fields) { return Text(json::object{{"fields", std::move(fields)}}); };

  json::array secure_host = PlainFields();
  secure_host[2].as_object()["secure"] = true;
  json::array host_as_text = PlainFields();
  host_as_text[2].as_object()["valueType"] = "plain_text";
  json::array recovery_as_password = PlainFields();  // no credential holds "recovery"
  recovery_as_password[3].as_object()["valueType"] = "password";
  json::array without_host = recovery_as_password;
  without_host.erase(without_host.begin() + 2);
  json::array with_required_port = without_host;
  with_required_port.push_back(Field("port", "Port", true, false, "plain_text"));

  std::vector<Scenario> t;
  // Removing username (its values deleted first) and relabelling host in one request: the 409
  // rolls the whole change back.
  json::array drop_username_and_relabel_host = secure_host;
  drop_username_and_relabel_host.erase(drop_username_and_relabel_host.begin());
  Rows(t, "remove one field and relabel another with values", "PATCH", type_path,
       with(drop_username_and_relabel_host), {{"admin", c.admin.Auth(), 409}},
       {{"/error", "FieldInUse"}});
  Rows(t, "nothing changed", "GET", "/v1/credential/credentials/" + w.plain, "",
       {{"admin", c.admin.Auth(), 200}},
       {{"/data/fields/0/id", "username"},
        {"/data/fields/0/value", "root"},
        {"/data/fields/2/secure", false},
        {"/data/fields/2/value", "10.0.0.1"}});
  Rows(t, "secure flag of a field with values", "PATCH", type_path, with(secure_host),
       {{"admin", c.admin.Auth(), 409}}, {{"/error", "FieldInUse"}});
  Rows(t, "value type of a field with values", "PATCH", type_path, with(host_as_text),
       {{"admin", c.admin.Auth(), 409}}, {{"/error", "FieldInUse"}});
  Rows(t, "patch type by a user", "PATCH", type_path, with(recovery_as_password),
       {{"anonymous", {}, 401}, {"user", c.alice.Auth(), 403}, {"reader", w.reader.Auth(), 403}});
  Rows(t, "value type of a field without values", "PATCH", type_path, with(recovery_as_password),
       {{"admin", c.admin.Auth(), 200}},
       {{"/message", "Credential Type Updated Successfully!"},
        {"/data/fields/3/valueType", "password"}},
       {}, {"credential_type_updated"});
  Rows(t, "remove a field", "PATCH", type_path, with(without_host),
       {{"admin", c.admin.Auth(), 200}}, {{"/data/fields/2/id", "recovery"}}, {},
       {"credential_type_updated"});
  Rows(t, "add a required field", "PATCH", type_path,
       Text(json::object{{"name", "Linux server"}, {"fields", with_required_port}}),
       {{"admin", c.admin.Auth(), 200}}, {{"/data/name", "Linux server"}}, {},
       {"credential_type_updated"});
  Rows(t, "patch with an unknown property", "PATCH", type_path, Text(json::object{{"title", "x"}}),
       {{"admin", c.admin.Auth(), 400}}, {{"/errors/0/path", json::array{"title"}}});
  Rows(t, "patch unknown type", "PATCH", "/v1/credential-type/nope",
       Text(json::object{{"name", "x"}}), {{"admin", c.admin.Auth(), 404}},
       {{"/error", "CredentialTypeNotFound"}});
  // The removed field's value is gone; the new required field reads as null until written.
  Rows(t, "credential after the changes", "GET", "/v1/credential/credentials/" + w.plain, "",
       {{"admin", c.admin.Auth(), 200}},
       {{"/data/fields/0/value", "root"},
        {"/data/fields/2/id", "recovery"},
        {"/data/fields/3/id", "port"},
        {"/data/fields/3/value", nullptr}},
       [](const Response& r) { EXPECT_EQ(ArrayAt(r, "/data/fields").size(), 4u); });
  Rows(t, "renaming alone needs no fields", "PATCH", "/v1/credential/credentials/" + w.plain,
       Text(json::object{{"name", "Web 1"}}), {{"admin", c.admin.Auth(), 200}},
       {{"/data/name", "Web 1"}}, {}, {"credential_updated"});
  Rows(t, "a field write must now supply the new required field", "PUT",
       "/v1/credential/credentials/" + w.plain + "/fields",
       Text(json::object{{"fields", json::array{Value("username", "admin")}}}),
       {{"admin", c.admin.Auth(), 400}},
       {{"/error", "ValidationError"},
        {"/errors/0/path", json::array{"fields"}},
        {"/errors/0/message", "Missing required field 'port'"}});
  Rows(t, "with it, the write succeeds", "PUT", "/v1/credential/credentials/" + w.plain + "/fields",
       Text(json::object{{"fields", json::array{Value("port", "22")}}}),
       {{"admin", c.admin.Auth(), 200}}, {{"/data/fields/3/value", "22"}}, {},
       {"credential_updated"});
  RunScenarios(server, t);
  auto host = QueryStore(server, "SELECT COUNT(*) FROM credential_values WHERE field_id = 'host'");
  ASSERT_EQ(host.size(), 1u);
  EXPECT_EQ(host[0], "0");
}

// --------------------------------------------------------------------------------------------
TEST_P(VaultRoutes, CredentialsByEveryCallerAndScope) {
  ServerProcess& server = NewServer(FastHashFlags());
  World w;
  ASSERT_TRUE(Setup(server, &w));
  const Cast& c = w.cast;
  HttpClient client(server.port());
  // anonymous, user, reader (aws .fetch, no aws .secure_values.read), scoped (aws scope, no
  // credential.secure_values.read), admin (no aws scope), super.
  auto six = [&](int anon, int user, int reader, int scoped, int admin, int super) {
    return std::vector<Caller>{{"anonymous", {}, anon},
                               {"user", c.alice.Auth(), user},
                               {"vault reader", w.reader.Auth(), reader},
                               {"aws scoped", w.scoped.Auth(), scoped},
                               {"admin", c.admin.Auth(), admin},
                               {"super admin", c.super.Auth(), super}};
  };
  const std::string plain = "/v1/credential/credentials/" + w.plain;
  const std::string aws = "/v1/credential/credentials/" + w.aws;
  std::vector<Scenario> t;
  Rows(t, "get plain credential", "GET", plain, "", six(401, 403, 200, 200, 200, 200),
       {{"/message", "Credential Fetched Successfully!"},
        {"/data/fields/0/value", "root"},
        {"/data/fields/1/id", "password"},
        {"/data/fields/1/value", nullptr},
        {"/data/fields/2/value", "10.0.0.1"},
        {"/data/fields/3/value", nullptr},
        {"/data/type/name", "Server"},
        {"/data/company", {{"id", w.company}, {"name", "Acme Corp"}}}},
       [](const Response& r) { ExpectCredentialShape(At(r, "/data")); });
  Rows(t, "get scoped credential", "GET", aws, "", six(401, 403, 200, 200, 403, 200),
       {{"/data/fields/0/value", "AKIAIOSFODNN7EXAMPLE"},
        {"/data/fields/1/value", nullptr},
        {"/data/type/permissionScope", "aws.credentials"},
        {"/data/notes", "S3 access"}});
  Rows(t, "get unknown credential", "GET", "/v1/credential/credentials/nope", "",
       {{"admin", c.admin.Auth(), 404}}, {{"/error", "CredentialNotFound"}});
  Rows(t, "credentials of a company", "GET", "/v1/credential/credentials/company/" + w.company, "",
       six(401, 403, 200, 403, 200, 200),
       {{"/message", "Company Credentials Fetched Successfully!"}});
  Rows(t, "company list leaves out scoped credentials without the scope", "GET",
       "/v1/credential/credentials/company/" + w.company, "", {{"admin", c.admin.Auth(), 200}},
       {{"/data/0/id", w.plain}},
       [](const Response& r) { EXPECT_EQ(ArrayAt(r, "/data").size(), 1u); });
  Rows(t, "company list with the scope", "GET", "/v1/credential/credentials/company/" + w.company,
       "", {{"super", c.super.Auth(), 200}}, {},
       [](const Response& r) { EXPECT_EQ(ArrayAt(r, "/data").size(), 2u); });
  Rows(t, "credentials of an unknown company", "GET", "/v1/credential/credentials/company/nope", "",
       {{"admin", c.admin.Auth(), 404}}, {{"/error", "CompanyNotFound"}});
  Rows(t, "fields of plain credential", "GET", plain + "/fields", "",
       six(401, 403, 200, 403, 200, 200), {{"/message", "Credential Fields Fetched Successfully!"}},
       [](const Response& r) {
         json::array data = ArrayAt(r, "/data");
         ASSERT_EQ(data.size(), 3u) << r.body;
         for (const auto& item : data) {
           EXPECT_TRUE(KeysAre(item, {"id", "fieldId", "value"}));
           if (item.at("fieldId") == "password") {
             // base64 of nonce || ciphertext || tag, never the value
             const std::string sealed(item.at("value").as_string());
             EXPECT_EQ(sealed.find("hunter2"), std::string::npos);
             EXPECT_EQ(sealed.size(), 4u * ((13 + 40 + 2) / 3));  // 13 bytes + nonce + tag
           }
           if (item.at("fieldId") == "username") {
             EXPECT_EQ(item.at("value"), "root");
           }
         }
       });
  Rows(t, "secure values of plain credential", "GET", plain + "/secure-values", "",
       six(401, 403, 200, 403, 200, 200),
       {{"/message", "Secure Values Fetched Successfully!"},
        {"/data", {{"password", "hunter2-plain"}}}},
       {}, {"credential_secret_read"});
  Rows(t, "secure values of scoped credential", "GET", aws + "/secure-values", "",
       six(401, 403, 403, 403, 403, 200), {{"/data", {{"secretAccessKey", kSecret}}}}, {},
       {"credential_secret_read"});
  Rows(t, "one secure value", "GET", aws + "/secure-values/secretAccessKey", "",
       six(401, 403, 403, 403, 403, 200),
       {{"/message", "Secure Value Fetched Successfully!"},
        {"/data", {{"fieldId", "secretAccessKey"}, {"value", kSecret}}}},
       {}, {"credential_secret_read"});
  Rows(t, "a plain field is not a secure value", "GET", aws + "/secure-values/accessKeyId", "",
       {{"super", c.super.Auth(), 404}},
       {{"/error", "SecureFieldNotFound"}, {"/message", "Secure field not found: accessKeyId"}});
  Rows(t, "unknown secure field", "GET", aws + "/secure-values/unknownField", "",
       {{"super", c.super.Auth(), 404}},
       {{"/status", 404},
        {"/error", "SecureFieldNotFound"},
        {"/message", "Secure field not found: unknownField"},
        {"/successful", false}});
  Rows(t, "secure value not set", "GET", plain + "/secure-values/recovery", "",
       {{"admin", c.admin.Auth(), 200}}, {{"/data", {{"fieldId", "recovery"}, {"value", nullptr}}}},
       {}, {"credential_secret_read"});
  RunScenarios(server, t);

  // The secret-read event names the credential, type and fields, never the value.
  auto meta = QueryStore(server,
                         "SELECT metadata FROM audit_events WHERE event_type = "
                         "'credential_secret_read' ORDER BY seq");
  ASSERT_FALSE(meta.empty());
  for (const auto& m : meta) {
    EXPECT_EQ(m.find(kSecret), std::string::npos) << m;
    EXPECT_EQ(m.find("hunter2"), std::string::npos) << m;
  }
  EXPECT_NE(meta.back().find(w.plain), std::string::npos) << meta.back();
  EXPECT_NE(meta.back().find(w.plain_type), std::string::npos) << meta.back();
  EXPECT_NE(meta.back().find("recovery"), std::string::npos) << meta.back();
}

// --------------------------------------------------------------------------------------------
TEST_P(VaultRoutes, WritesValidateAndRefusedWritesChangeNothing) {
  ServerProcess& server = NewServer(FastHashFlags());
  World w;
  ASSERT_TRUE(Setup(server, &w));
  const Cast& c = w.cast;
  HttpClient client(server.port());
  const std::string plain = "/v1/credential/credentials/" + w.plain;
  const std::string before = Snapshot(client, c.super, w.plain);
  auto fields = [](json::array items) { return Text(json::object{{"fields", std::move(items)}}); };

  std::vector<Scenario> t;
  Rows(t, "unknown field id", "PATCH", plain, fields({Value("nope", "x")}),
       {{"admin", c.admin.Auth(), 400}},
       {{"/error", "ValidationError"}, {"/errors/0/path", json::array{"fields", "0", "fieldId"}}});
  Rows(t, "unknown field id (PUT)", "PUT", plain + "/fields",
       fields({Value("password", "new-pass"), Value("nope", "x")}),
       {{"admin", c.admin.Auth(), 400}},
       {{"/errors/0/path", json::array{"fields", "1", "fieldId"}}});
  Rows(t, "invalid ip address", "PUT", plain + "/fields", fields({Value("host", "10.0.0.256")}),
       {{"admin", c.admin.Auth(), 400}},
       {{"/errors/0/path", json::array{"fields", "0", "value"}},
        {"/errors/0/message", "Must be an IPv4 or IPv6 address"}});
  Rows(t, "invalid bitlocker key", "PUT", plain + "/fields",
       fields({Value("recovery", "123456-123456")}), {{"admin", c.admin.Auth(), 400}},
       {{"/errors/0/path", json::array{"fields", "0", "value"}}});
  Rows(t, "clearing a required field", "PUT", plain + "/fields",
       fields({Value("password", nullptr)}), {{"admin", c.admin.Auth(), 400}},
       {{"/errors/0/path", json::array{"fields", "0", "value"}}});
  Rows(t, "empty password", "PUT", plain + "/fields", fields({Value("password", "")}),
       {{"admin", c.admin.Auth(), 400}}, {{"/errors/0/path", json::array{"fields", "0", "value"}}});
  Rows(t, "value not a string", "PUT", plain + "/fields", fields({Value("username", 5)}),
       {{"admin", c.admin.Auth(), 400}}, {{"/errors/0/path", json::array{"fields", "0", "value"}}});
  Rows(t, "unknown body field", "PATCH", plain, Text(json::object{{"typeId", w.aws_type}}),
       {{"admin", c.admin.Auth(), 400}}, {{"/errors/0/path", json::array{"typeId"}}});
  Rows(t, "unknown property in a field item", "PUT", plain + "/fields",
       fields({{{"fieldId", "username"}, {"value", "x"}, {"secure", false}}}),
       {{"admin", c.admin.Auth(), 400}},
       {{"/errors/0/path", json::array{"fields", "0", "secure"}}});
  Rows(t, "PUT without fields", "PUT", plain + "/fields", "{}", {{"admin", c.admin.Auth(), 400}},
       {{"/errors/0/path", json::array{"fields"}}});
  Rows(t, "malformed JSON", "PATCH", plain, "{", {{"admin", c.admin.Auth(), 400}});
  Rows(t, "PUT fields without credential.fields.update", "PUT", plain + "/fields",
       fields({Value("username", "x")}),
       {{"vault reader", w.reader.Auth(), 403}, {"aws scoped", w.scoped.Auth(), 403}});
  Rows(t, "patch unknown credential", "PATCH", "/v1/credential/credentials/nope",
       Text(json::object{{"name", "x"}}), {{"admin", c.admin.Auth(), 404}},
       {{"/error", "CredentialNotFound"}});
  RunScenarios(server, t);
  EXPECT_EQ(Snapshot(client, c.super, w.plain), before);
  Response secret = client.Get(plain + "/secure-values/password", c.super.Auth());
  EXPECT_TRUE(HasJson(secret, "/data/value", "hunter2-plain"));

  // Creating: missing required field, unknown type, unknown company, scope needed.
  auto create = [&](json::array items, const std::string& type) {
    return Text(json::object{
        {"name", "New"}, {"typeId", type}, {"companyId", w.company}, {"fields", std::move(items)}});
  };
  std::vector<Scenario> c2;
  Rows(c2, "missing required field", "POST", "/v1/credential/credentials",
       create({Value("username", "u")}, w.plain_type), {{"admin", c.admin.Auth(), 400}},
       {{"/errors/0/path", json::array{"fields"}},
        {"/errors/0/message", "Missing required field 'password'"}});
  Rows(c2, "unknown type", "POST", "/v1/credential/credentials",
       create({Value("username", "u")}, "nope"), {{"admin", c.admin.Auth(), 400}},
       {{"/errors/0/path", json::array{"typeId"}}});
  Rows(c2, "unknown company", "POST", "/v1/credential/credentials",
       Text(json::object{{"name", "n"}, {"typeId", w.plain_type}, {"companyId", "nope"}}),
       {{"admin", c.admin.Auth(), 400}}, {{"/errors/0/path", json::array{"companyId"}}});
  Rows(c2, "scoped type without <scope>.create", "POST", "/v1/credential/credentials",
       create({Value("accessKeyId", "A"), Value("secretAccessKey", "s")}, w.aws_type),
       {{"user", c.alice.Auth(), 403}, {"admin", c.admin.Auth(), 403}});
  Rows(c2, "create credential", "POST", "/v1/credential/credentials",
       create({{{"id", "ckx1"}, {"fieldId", "username"}, {"value", "u"}},
               {{"id", "ckx2"}, {"fieldId", "password"}, {"value", "p4ss"}},
               Value("recovery", kBitlocker),
               Value("host", "2001:db8::1")},
              w.plain_type),
       {{"anonymous", {}, 401}, {"admin", c.admin.Auth(), 201}},
       {{"/message", "Credential Created Successfully!"},
        {"/status", 201},
        {"/data/fields/1/value", nullptr},
        {"/data/fields/2/value", "2001:db8::1"},
        {"/data/fields/3/value", nullptr}},
       [](const Response& r) { ExpectCredentialShape(At(r, "/data")); }, {"credential_created"});
  Rows(c2, "update with name, notes and fields", "PATCH", plain,
       Text(json::object{
           {"name", "Renamed"},
           {"notes", nullptr},
           {"fields", json::array{Value("password", "rotated!"), Value("host", nullptr)}}}),
       {{"admin", c.admin.Auth(), 200}},
       {{"/message", "Credential Updated Successfully!"},
        {"/data/name", "Renamed"},
        {"/data/notes", nullptr},
        {"/data/fields/2/value", nullptr}},
       {}, {"credential_updated"});
  Rows(c2, "put fields", "PUT", plain + "/fields", fields({Value("username", "admin")}),
       {{"admin", c.admin.Auth(), 200}},
       {{"/message", "Credential Fields Updated Successfully!"}, {"/data/fields/0/value", "admin"}},
       {}, {"credential_updated"});
  Rows(c2, "the new secret reads back", "GET", plain + "/secure-values", "",
       {{"admin", c.admin.Auth(), 200}}, {{"/data", {{"password", "rotated!"}}}}, {},
       {"credential_secret_read"});
  Rows(c2, "delete scoped credential without <scope>.delete", "DELETE",
       "/v1/credential/credentials/" + w.aws, "",
       {{"user", c.alice.Auth(), 403}, {"admin", c.admin.Auth(), 403}});
  Rows(c2, "delete credential", "DELETE", plain, "",
       {{"anonymous", {}, 401},
        {"vault reader", w.reader.Auth(), 403},
        {"admin", c.admin.Auth(), 200}},
       {{"/message", "Credential Deleted Successfully!"}, {"/data", nullptr}}, {},
       {"credential_deleted"});
  Rows(c2, "deleted credential is gone", "GET", plain, "", {{"admin", c.admin.Auth(), 404}},
       {{"/error", "CredentialNotFound"}});
  Rows(c2, "delete scoped type without its scope", "DELETE", "/v1/credential-type/" + w.aws_type,
       "", {{"user", c.alice.Auth(), 403}, {"admin", c.admin.Auth(), 403}});
  Rows(c2, "delete type cascades to its credentials", "DELETE", "/v1/credential-type/" + w.aws_type,
       "", {{"super", c.super.Auth(), 200}},
       {{"/message", "Credential Type Deleted Successfully!"}, {"/data", nullptr}}, {},
       {"credential_deleted", "credential_type_deleted"});
  Rows(c2, "its credential is gone", "GET", "/v1/credential/credentials/" + w.aws, "",
       {{"super", c.super.Auth(), 404}}, {{"/error", "CredentialNotFound"}});
  Rows(c2, "delete unknown type", "DELETE", "/v1/credential-type/nope", "",
       {{"super", c.super.Auth(), 404}}, {{"/error", "CredentialTypeNotFound"}});
  RunScenarios(server, c2);
  auto left = QueryStore(server, "SELECT COUNT(*) FROM credential_values WHERE credential_id = '" +
                                     w.aws + "' OR credential_id = '" + w.plain + "'");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0], "0");
}

// --------------------------------------------------------------------------------------------
// API keys: a key's effective permissions are its scopes intersected with its owner's.
TEST_P(VaultRoutes, ApiKeysReadSecretsOnlyWithinScopesAndOwner) {
  ServerProcess& server = NewServer(FastHashFlags());
  World w;
  ASSERT_TRUE(Setup(server, &w));
  const Cast& c = w.cast;
  HttpClient client(server.port());
  auto key_for = [&](const Account& owner, std::vector<std::string> scopes) {
    json::array s;
    for (auto& x : scopes) s.emplace_back(x);
    Response r = client.Post(
        "/v1/admin/keys",
        Text(json::object{{"userId", owner.id}, {"name", "vault"}, {"scopes", std::move(s)}}),
        c.super.Auth());
    EXPECT_EQ(r.status, 201) << r.Describe();
    json::value key = At(r, "/data/key");
    return key.is_string() ? std::string(key.as_string()) : std::string();
  };
  const std::string narrow = key_for(c.admin, {"credential.fetch"});
  const std::string wide = key_for(c.admin, {"credential.*"});
  const std::string super_key = key_for(c.super, {"credential.*", "aws.credentials.*"});
  const std::string readers =
      key_for(w.reader, {"credential.fetch", "credential.secure_values.read"});
  const std::string plain = "/v1/credential/credentials/" + w.plain + "/secure-values";
  const std::string aws = "/v1/credential/credentials/" + w.aws + "/secure-values";
  std::vector<Scenario> t;
  Rows(t, "plain secret", "GET", plain, "",
       {{"key without secure_values.read", {{"X-API-Key", narrow}}, 403},
        {"admin key with credential.*", {{"X-API-Key", wide}}, 200},
        {"reader's key", {{"X-API-Key", readers}}, 200}},
       {{"/data/password", "hunter2-plain"}}, {}, {"credential_secret_read"});
  // The admin owner lacks aws.credentials.*, so an admin key never reaches scoped secrets.
  Rows(t, "scoped secret", "GET", aws, "",
       {{"admin key with credential.*", {{"X-API-Key", wide}}, 403},
        {"reader's key (owner lacks the scope's secure read)", {{"X-API-Key", readers}}, 403},
        {"super key with the aws scope", {{"X-API-Key", super_key}}, 200}},
       {{"/data/secretAccessKey", kSecret}}, {}, {"credential_secret_read"});
  RunScenarios(server, t);
  // The owner loses the role: the key's scopes no longer help.
  ASSERT_TRUE(SetRoles(client, c.super, w.reader.id, {"user"}));
  std::vector<Scenario> after;
  Rows(after, "plain secret after the owner lost the role", "GET", plain, "",
       {{"reader's key", {{"X-API-Key", readers}}, 403}});
  RunScenarios(server, after);
}

GATEHOUSE_INSTANTIATE_BACKENDS(VaultRoutes);

}  // namespace
}  // namespace gatehouse::testing
