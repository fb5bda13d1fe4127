// The vault's secrets at rest and in flight: a secret value is nowhere in the SQLite file, a
// pg_dump, the server's logs or the audit rows; tampered or moved ciphertext fails to open with
// a clear error (never wrong plaintext); master key rotation by the command line while a
// server runs, then across a restart; a wrong master key stops `serve` from starting; a secret
// whose read cannot be audited is not returned; many concurrent secure reads all get their
// secret, each with its own committed audit event. SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <array>
#include <boost/json.hpp>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/audit_log.hpp"
#include "support/backend.hpp"
#include "support/http_client.hpp"
#include "support/identity_helpers.hpp"
#include "support/scenario.hpp"
#include "support/server_process.hpp"

namespace gatehouse::testing {
namespace {

namespace json = boost::json;

constexpr const char* kCanary = "Canary-Secret-7f3a9c51e2-Do-Not-Leak";

std::string Text(const json::value& v) { return json::serialize(v); }

std::string NewKeyringLine(int version) {
  std::random_device rd;
  std::string bytes(32, '\0');
  for (auto& b : bytes) b = static_cast<char>(rd());
  return std::to_string(version) + ":" + Base64UrlEncode(bytes);
}

// Replaces one base64 character in the middle by another valid one: different bytes.
std::string FlipOne(std::string sealed) {
  const std::size_t i = sealed.size() / 2;
  sealed[i] = sealed[i] == 'A' ? 'B' : 'A';
  return sealed;
}

class VaultSecurity : public BackendTest {
 protected:
  // Runs a statement on the store behind the server's back.
  void Tamper(const ServerProcess& server, const std::string& sql) {
    ASSERT_EQ(backend().ExecSql(sql, server.data_dir()), "");
  }

  std::string One(const ServerProcess& server, const std::string& sql) {
    auto rows = QueryStore(server, sql);
    EXPECT_EQ(rows.size(), 1u) << sql;
    return rows.empty() ? std::string() : rows.front();
  }

  CommandResult Cli(const ServerProcess& server, std::vector<std::string> args,
                    const EnvVars& env = {}) {
    args.insert(args.end(), {"--data-dir", server.data_dir()});
    for (const auto& flag : backend().DatabaseFlags()) args.push_back(flag);
    return RunGatehouse(args, 60s, env);
  }

  // A company, a type with two secure fields and `count` credentials holding `secret`.
  struct Vault {
    std::string company, type;
    std::vector<std::string> credentials;
  };
  Vault Fill(HttpClient& client, const Account& super, const std::string& secret, int count) {
    Vault v;
    Response r =
        client.Post("/v1/company/companies", Text(json::object{{"name", "Acme"}}), super.Auth());
    EXPECT_EQ(r.status, 201) << r.Describe();
    v.company = std::string(At(r, "/data/id").as_string());
    json::array fields{{{"id", "username"},
                        {"name", "User"},
                        {"required", true},
                        {"secure", false},
                        {"valueType", "plain_text"}},
                       {{"id", "password"},
                        {"name", "Password"},
                        {"required", true},
                        {"secure", true},
                        {"valueType", "password"}},
                       {{"id", "token"},
                        {"name", "Token"},
                        {"required", false},
                        {"secure", true},
                        {"valueType", "generic_secret"}}};
    r = client.Post("/v1/credential-type",
                    Text(json::object{{"name", "Login"}, {"fields", fields}}), super.Auth());
    EXPECT_EQ(r.status, 201) << r.Describe();
    v.type = std::string(At(r, "/data/id").as_string());
    for (int i = 0; i < count; ++i) {
      r = client.Post(
          "/v1/credential/credentials",
          Text(json::object{
              {"name", "login " + std::to_string(i)},
              {"typeId", v.type},
              {"companyId", v.company},
              {"fields",
               json::array{{{"fieldId", "username"}, {"value", "root"}},
                           {{"fieldId", "password"}, {"value", secret + std::to_string(i)}},
                           {{"fieldId", "token"}, {"value", "tok-" + std::to_string(i)}}}}}),
          super.Auth());
      EXPECT_EQ(r.status, 201) << r.Describe();
      v.credentials.push_back(std::string(At(r, "/data/id").as_string()));
    }
    return v;
  }

  Response ReadSecrets(HttpClient& client, const Account& who, const std::string& id) {
    return client.Get("/v1/credential/credentials/" + id + "/secure-values", who.Auth());
  }
};

// --------------------------------------------------------------------------------------------
TEST_P(VaultSecurity, SecretAppearsNowhereAtRestOrInLogs) {
  ServerProcess& server = NewServer(FastHashFlags({"--log-level", "debug"}));
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  Vault v = Fill(client, cast.super, kCanary, 1);
  const std::string id = v.credentials[0];
  const std::string secret = std::string(kCanary) + "0";
  // Write it again through both update routes, read it back (audited), and fail a write.
  const std::string body =
      Text(json::object{{"fields", json::array{{{"fieldId", "password"}, {"value", secret}}}}});
  EXPECT_EQ(
      client.Request("PATCH", "/v1/credential/credentials/" + id, cast.super.Auth(), body).status,
      200);
  EXPECT_EQ(
      client.Request("PUT", "/v1/credential/credentials/" + id + "/fields", cast.super.Auth(), body)
          .status,
      200);
  EXPECT_EQ(
      client
          .Request(
              "PUT", "/v1/credential/credentials/" + id + "/fields", cast.super.Auth(),
              Text(json::object{{"fields", json::array{{{"fieldId", "nope"}, {"value", secret}}}}}))
          .status,
      400);
  Response read = ReadSecrets(client, cast.super, id);
  ASSERT_EQ(read.status, 200) << read.Describe();
  EXPECT_TRUE(HasJson(read, "/data/password", secret));
  ASSERT_EQ(server.Stop(), 0);  // flushes logs and the SQLite WAL

  EXPECT_EQ(FilesContaining(server.data_dir(), secret), std::vector<std::string>{});
  EXPECT_EQ(FilesContaining(server.data_dir(), kCanary), std::vector<std::string>{});
  EXPECT_EQ(server.StdoutLog().find(kCanary), std::string::npos);
  EXPECT_EQ(server.StderrLog().find(kCanary), std::string::npos);
  auto audit = QueryStore(server,
                          "SELECT event_type || ' ' || metadata || ' ' || "
                          "coalesce(description, '') FROM audit_events");
  ASSERT_FALSE(audit.empty());
  bool saw_read = false;
  for (const auto& row : audit) {
    EXPECT_EQ(row.find(kCanary), std::string::npos) << row;
    if (row.starts_with("credential_secret_read")) {
      saw_read = true;
      EXPECT_NE(row.find(id), std::string::npos) << row;
      EXPECT_NE(row.find(v.type), std::string::npos) << row;
      EXPECT_NE(row.find("password"), std::string::npos) << row;
    }
  }
  EXPECT_TRUE(saw_read);
  if (backend().kind() == BackendKind::kPostgres) {
    const std::string command =
        "/usr/lib/postgresql/15/bin/pg_dump --no-owner '" + backend().database_url() + "'";
    FILE* pipe = popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string dump;
    std::array<char, 65536> buffer{};
    for (std::size_t n; (n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) {
      dump.append(buffer.data(), n);
    }
    ASSERT_EQ(pclose(pipe), 0);
    EXPECT_NE(dump.find("credential_values"), std::string::npos);  // the dump has the data
    EXPECT_NE(dump.find(id), std::string::npos);
    EXPECT_EQ(dump.find(kCanary), std::string::npos);
  }
}

// --------------------------------------------------------------------------------------------
TEST_P(VaultSecurity, TamperedOrMovedCiphertextFailsClearly) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  Vault v = Fill(client, cast.super, kCanary, 3);
  const std::string& a = v.credentials[0];
  const std::string& b = v.credentials[1];
  const std::string& c = v.credentials[2];
  auto value_of = [&](const std::string& id, const std::string& field) {
    return One(server, "SELECT value FROM credential_values WHERE credential_id = '" + id +
                           "' AND field_id = '" + field + "'");
  };
  auto set_value = [&](const std::string& id, const std::string& field, const std::string& value) {
    Tamper(server, "UPDATE credential_values SET value = '" + value + "' WHERE credential_id = '" +
                       id + "' AND field_id = '" + field + "'");
  };
  auto expect_unreadable = [&](const std::string& path) {
    Response r = client.Get(path, cast.super.Auth());
    EXPECT_EQ(r.status, 500) << r.Describe();
    EXPECT_TRUE(HasJson(r, "/error", "SecureValueUnreadable"));
    EXPECT_TRUE(HasJson(r, "/message", "A secure value could not be decrypted"));
    EXPECT_TRUE(IsEnvelope(r));
    EXPECT_EQ(r.body.find(kCanary), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("tok-"), std::string::npos) << r.body;
  };
  const std::int64_t head = AuditHead(server);

  // One flipped character in A's password.
  set_value(a, "password", FlipOne(value_of(a, "password")));
  expect_unreadable("/v1/credential/credentials/" + a + "/secure-values");
  expect_unreadable("/v1/credential/credentials/" + a + "/secure-values/password");
  EXPECT_TRUE(server.WaitForLog("credential " + a + " field password"));
  // The other secure field of A still opens.
  Response token =
      client.Get("/v1/credential/credentials/" + a + "/secure-values/token", cast.super.Auth());
  EXPECT_EQ(token.status, 200) << token.Describe();
  EXPECT_TRUE(HasJson(token, "/data/value", "tok-0"));

  // B's password copied into C (same type, same field): bound to B, so C fails.
  set_value(c, "password", value_of(b, "password"));
  expect_unreadable("/v1/credential/credentials/" + c + "/secure-values/password");
  // B's password moved into B's own token field: bound to the field, so it fails.
  set_value(b, "token", value_of(b, "password"));
  expect_unreadable("/v1/credential/credentials/" + b + "/secure-values/token");
  // B's password itself is untouched.
  Response ok =
      client.Get("/v1/credential/credentials/" + b + "/secure-values/password", cast.super.Auth());
  EXPECT_TRUE(HasJson(ok, "/data/value", std::string(kCanary) + "1"));
  // Only the successful reads were audited.
  EXPECT_EQ(AuditTypesAfter(server, head),
            (std::vector<std::string>{"credential_secret_read", "credential_secret_read"}));

  // A tampered wrapped data key fails the same way.
  Tamper(server,
         "UPDATE credentials SET dek_wrapped = '" +
             FlipOne(One(server, "SELECT dek_wrapped FROM credentials WHERE id = '" + b + "'")) +
             "' WHERE id = '" + b + "'");
  expect_unreadable("/v1/credential/credentials/" + b + "/secure-values/password");
}

// --------------------------------------------------------------------------------------------
TEST_P(VaultSecurity, RotationWhileServingThenAcrossRestart) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  Vault v = Fill(client, cast.super, kCanary, 5);
  EXPECT_EQ(One(server, "SELECT COUNT(*) FROM credentials WHERE dek_master_version = 1"), "5");
  const std::string wrapped_before =
      One(server, "SELECT dek_wrapped FROM credentials WHERE id = '" + v.credentials[0] + "'");
  const std::string sealed_before =
      One(server, "SELECT value FROM credential_values WHERE credential_id = '" + v.credentials[0] +
                      "' AND field_id = 'password'");

  CommandResult rotated = Cli(server, {"vault", "rotate-master-key", "--batch", "2"});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.Describe();
  EXPECT_NE(rotated.out.find("re-wrapped 5 data key(s) under master key version 2"),
            std::string::npos)
      << rotated.out;
  EXPECT_EQ(One(server, "SELECT COUNT(*) FROM credentials WHERE dek_master_version <> 2"), "0");
  EXPECT_EQ(One(server, "SELECT COUNT(*) FROM vault_master_keys"), "2");
  EXPECT_NE(
      One(server, "SELECT dek_wrapped FROM credentials WHERE id = '" + v.credentials[0] + "'"),
      wrapped_before);
  // Field values are not re-encrypted: only the data key's wrapping changed.
  EXPECT_EQ(One(server, "SELECT value FROM credential_values WHERE credential_id = '" +
                            v.credentials[0] + "' AND field_id = 'password'"),
            sealed_before);
  EXPECT_EQ(QueryStore(server,
                       "SELECT event_type FROM audit_events WHERE event_type = "
                       "'vault_master_key_rotated'")
                .size(),
            1u);

  // The running server reads data keys wrapped under the version it did not start with.
  for (std::size_t i = 0; i < v.credentials.size(); ++i) {
    Response r = ReadSecrets(client, cast.super, v.credentials[i]);
    EXPECT_EQ(r.status, 200) << r.Describe();
    EXPECT_TRUE(HasJson(r, "/data/password", std::string(kCanary) + std::to_string(i)));
  }
  // New credentials made after the rotation are wrapped under version 2.
  Response created = client.Post(
      "/v1/credential/credentials",
      Text(json::object{{"name", "new"},
                        {"typeId", v.type},
                        {"companyId", v.company},
                        {"fields", json::array{{{"fieldId", "username"}, {"value", "u"}},
                                               {{"fieldId", "password"}, {"value", "pw-new"}}}}}),
      cast.super.Auth());
  ASSERT_EQ(created.status, 201) << created.Describe();
  const std::string fresh(At(created, "/data/id").as_string());
  EXPECT_EQ(One(server, "SELECT dek_master_version FROM credentials WHERE id = '" + fresh + "'"),
            "2");

  ASSERT_TRUE(server.Restart());
  HttpClient again(server.port());
  Account super;
  ASSERT_TRUE(Login(again, cast.super.email, kPassword, &super));
  for (std::size_t i = 0; i < v.credentials.size(); ++i) {
    Response r = ReadSecrets(again, super, v.credentials[i]);
    EXPECT_EQ(r.status, 200) << r.Describe();
    EXPECT_TRUE(HasJson(r, "/data/password", std::string(kCanary) + std::to_string(i)));
  }
  EXPECT_TRUE(HasJson(ReadSecrets(again, super, fresh), "/data/password", "pw-new"));
  EXPECT_EQ(One(server, "SELECT COUNT(*) FROM credentials WHERE dek_master_version <> 2"), "0");
}

// --------------------------------------------------------------------------------------------
TEST_P(VaultSecurity, WrongMasterKeyRefusesToStart) {
  const std::string right = NewKeyringLine(1);
  ServerOptions options = backend().Options(FastHashFlags());
  options.env = {{"GATEHOUSE_MASTER_KEY", right}};
  ServerProcess server(options);
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  Vault v = Fill(client, cast.super, kCanary, 1);
  ASSERT_EQ(server.Stop(), 0);

  std::vector<std::string> serve = {"serve", "--listen", "127.0.0.1:0"};
  CommandResult wrong = Cli(server, serve, {{"GATEHOUSE_MASTER_KEY", NewKeyringLine(1)}});
  EXPECT_NE(wrong.exit_code, 0) << wrong.Describe();
  EXPECT_NE(wrong.err.find("vault master key version 1"), std::string::npos) << wrong.err;
  EXPECT_NE(wrong.err.find("does not match"), std::string::npos) << wrong.err;
  EXPECT_EQ(wrong.err.find(right.substr(2)), std::string::npos);  // never prints a key
  EXPECT_EQ(wrong.out.find("listening on"), std::string::npos);
  // A keyring without version 1 at all.
  CommandResult missing = Cli(server, serve, {{"GATEHOUSE_MASTER_KEY", NewKeyringLine(2)}});
  EXPECT_NE(missing.exit_code, 0) << missing.Describe();
  EXPECT_NE(missing.err.find("missing"), std::string::npos) << missing.err;
  // Rotation with an environment keyring prints the new keyring and changes nothing.
  CommandResult env_rotate =
      Cli(server, {"vault", "rotate-master-key"}, {{"GATEHOUSE_MASTER_KEY", right}});
  EXPECT_EQ(env_rotate.exit_code, 3) << env_rotate.Describe();
  EXPECT_NE(env_rotate.out.find("GATEHOUSE_MASTER_KEY"), std::string::npos) << env_rotate.out;
  EXPECT_NE(env_rotate.out.find("2:"), std::string::npos) << env_rotate.out;
  EXPECT_EQ(One(server, "SELECT COUNT(*) FROM vault_master_keys"), "1");

  // The right key still works.
  ASSERT_TRUE(server.Start());
  HttpClient back(server.port());
  Account super;
  ASSERT_TRUE(Login(back, cast.super.email, kPassword, &super));
  EXPECT_TRUE(HasJson(ReadSecrets(back, super, v.credentials[0]), "/data/password",
                      std::string(kCanary) + "0"));
}

// --------------------------------------------------------------------------------------------
TEST_P(VaultSecurity, ConcurrentSecureReadsAllSucceedAndEachWroteItsEvent) {
  // One handler thread: the readers' audit events must share commits without holding it.
  ServerProcess& server = NewServer(FastHashFlags({"--workers", "1"}));
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient setup(server.port());
  constexpr int kCredentials = 4;
  constexpr int kReaders = 24;
  constexpr int kReadsEach = 10;
  Vault v = Fill(setup, cast.super, kCanary, kCredentials);
  ASSERT_EQ(v.credentials.size(), static_cast<std::size_t>(kCredentials));

  std::vector<std::vector<std::string>> failures(kReaders);
  std::vector<std::thread> readers;
  for (int reader = 0; reader < kReaders; ++reader) {
    readers.emplace_back([&, reader] {
      HttpClient client(server.port());
      for (int i = 0; i < kReadsEach; ++i) {
        const int which = (reader + i) % kCredentials;
        const std::string base = "/v1/credential/credentials/" + v.credentials[which];
        const bool one_field = i % 2 == 1;
        Response r = client.Get(base + (one_field ? "/secure-values/password" : "/secure-values"),
                                cast.super.Auth());
        const std::string expected = std::string(kCanary) + std::to_string(which);
        if (r.status != 200 ||
            !HasJson(r, one_field ? "/data/value" : "/data/password", expected)) {
          failures[reader].push_back(r.Describe());
        }
      }
    });
  }
  for (auto& t : readers) t.join();
  for (const auto& list : failures) {
    for (const auto& failure : list) ADD_FAILURE() << failure;
  }
  for (int which = 0; which < kCredentials; ++which) {
    EXPECT_EQ(One(server, "SELECT COUNT(*) FROM audit_events WHERE event_type = "
                          "'credential_secret_read' AND resource_id = '" +
                              v.credentials[which] + "'"),
              std::to_string(kReaders * kReadsEach / kCredentials))
        << v.credentials[which];
  }
}

// --------------------------------------------------------------------------------------------
TEST_P(VaultSecurity, SecretIsNotReturnedWhenItsReadCannotBeAudited) {
  ServerProcess& server = NewServer(FastHashFlags());
  Cast cast;
  ASSERT_TRUE(StartWithCast(server, &cast));
  HttpClient client(server.port());
  Vault v = Fill(client, cast.super, kCanary, 1);
  if (backend().kind() == BackendKind::kPostgres) {
    Tamper(server,
           "CREATE FUNCTION refuse_secret_reads() RETURNS trigger AS $$ BEGIN "
           "IF NEW.event_type = 'credential_secret_read' THEN RAISE EXCEPTION 'audit sink down'; "
           "END IF; RETURN NEW; END $$ LANGUAGE plpgsql; "
           "CREATE TRIGGER refuse_secret_reads BEFORE INSERT ON audit_events FOR EACH ROW "
           "EXECUTE FUNCTION refuse_secret_reads()");
  } else {
    Tamper(server,
           "CREATE TRIGGER refuse_secret_reads BEFORE INSERT ON audit_events "
           "WHEN NEW.event_type = 'credential_secret_read' "
           "BEGIN SELECT RAISE(ABORT, 'audit sink down'); END");
  }
  for (const std::string path : {"/secure-values", "/secure-values/password"}) {
    Response r =
        client.Get("/v1/credential/credentials/" + v.credentials[0] + path, cast.super.Auth());
    EXPECT_EQ(r.status, 503) << r.Describe();
    EXPECT_TRUE(HasJson(r, "/error", "AuditUnavailable"));
    EXPECT_TRUE(IsEnvelope(r));
    EXPECT_EQ(r.body.find(kCanary), std::string::npos) << r.body;
  }
  // Other audited changes still work (only secret reads are refused by the trigger).
  Response renamed = client.Request("PATCH", "/v1/credential/credentials/" + v.credentials[0],
                                    cast.super.Auth(), Text(json::object{{"name", "renamed"}}));
  EXPECT_EQ(renamed.status, 200) << renamed.Describe();
  EXPECT_EQ(QueryStore(server,
                       "SELECT id FROM audit_events WHERE event_type = "
                       "'credential_secret_read'")
                .size(),
            0u);
}

GATEHOUSE_INSTANTIATE_BACKENDS(VaultSecurity);

}  // namespace
}  // namespace gatehouse::testing
