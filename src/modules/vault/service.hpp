// The credential vault (seed 002): companies and their configurations, credential types with
// field definitions, and credentials whose secure field values are sealed with a per-credential
// data key, itself stored only wrapped by the master keyring. Every change is audited in its
// transaction; every secure read is audited, and committed, before the secret is returned.
//
//   VaultService vault(db, clock, recorder, keyring);
//   if (auto s = vault.VerifyMasterKeys(); !s) return s.error();       // at start-up
//   auto secrets = vault.ReadSecureValues(principal, credential_id, std::nullopt, meta);
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/group_writer.hpp"
#include "audit/recorder.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/principal.hpp"
#include "core/request_meta.hpp"
#include "modules/vault/repo.hpp"
#include "security/master_keyring.hpp"
#include "store/database.hpp"

namespace gatehouse::modules::vault {

// Where a PSA connector (ConnectWise) could fill a company's cw_* fields. None is configured
// today: companies are created and changed through the API.
class CompanyDirectory {
 public:
  virtual ~CompanyDirectory() = default;
  // Fresh PSA data for `company` (cw_CompanyId, cw_Identifier, cw_Data), or nullopt to keep
  // what is stored.
  virtual std::optional<Company> Refresh(const Company& company) = 0;
};

struct CompanyInput {
  std::optional<std::string> name;
  bool cw_company_id_set = false;
  std::optional<std::int64_t> cw_company_id;
  bool cw_identifier_set = false;
  std::optional<std::string> cw_identifier;
  bool address_set = false;
  std::optional<std::string> address_json;  // JSON object text; nullopt clears it
};

struct ConfigurationInput {
  std::optional<std::string> name;
  bool type_set = false;
  std::optional<std::string> type;
  std::optional<std::string> data_json;  // JSON object text
};

struct CredentialTypeInput {
  std::optional<std::string> name;
  bool scope_set = false;
  std::optional<std::string> permission_scope;
  bool icon_set = false;
  std::optional<std::string> icon;
  std::optional<std::vector<FieldDef>> fields;
};

struct FieldValueInput {
  std::string field_id;
  std::optional<std::string> value;  // nullopt (JSON null): remove the stored value
};

struct CredentialInput {
  std::optional<std::string> name;
  bool notes_set = false;
  std::optional<std::string> notes;
  std::optional<std::string> type_id;     // create only
  std::optional<std::string> company_id;  // create only
  std::optional<std::vector<FieldValueInput>> fields;
};

struct CompanyPage {
  std::vector<Company> items;
  std::int64_t total = 0;
};

// A credential with its type and company, as the routes show it. Secure values stay sealed.
struct CredentialView {
  CredentialRow row;
  CredentialType type;
  Company company;
};

// Decrypted secure values, in the type's field order.
using SecureValues = std::vector<std::pair<std::string, std::string>>;

class VaultService {
 public:
  // `secret_reads`, when given (and started), group-commits credential_secret_read events:
  // each read still waits for its own event's COMMIT, but one fsync serves many readers.
  VaultService(store::Database& db, const core::Clock& clock, const audit::Recorder& recorder,
               std::shared_ptr<security::MasterKeyring> keyring,
               audit::GroupWriter* secret_reads = nullptr,
               std::shared_ptr<CompanyDirectory> directory = nullptr);

  // Start-up check: every master key version the database has used must be in the keyring and
  // match its stored check value (FailedPrecondition "MasterKeyMismatch" otherwise, one line
  // naming the version and the keyring's source); versions the keyring adds are recorded.
  core::Status VerifyMasterKeys();
  // `gatehouse vault rotate-master-key`, after the keyring gained a new current version:
  // records its check value (audited) and re-wraps every data key under it, `batch` rows per
  // transaction. Returns how many data keys were re-wrapped.
  core::Result<std::int64_t> RewrapAll(const core::RequestMeta& meta, std::int64_t batch = 200);
  // Whether the keyring's current version is already recorded in the database.
  core::Result<bool> CurrentVersionRecorded();
  core::Result<std::int64_t> CountAtVersion(std::uint32_t version);
  security::MasterKeyring& keyring() { return *keyring_; }

  // Companies.
  core::Result<CompanyPage> ListCompanies(const std::string& search, std::int64_t page,
                                          std::int64_t rpp);
  core::Result<Company> GetCompany(const std::string& id);
  core::Result<Company> CreateCompany(const core::Principal& actor, const CompanyInput& input,
                                      const core::RequestMeta& meta);
  core::Result<Company> UpdateCompany(const core::Principal& actor, const std::string& id,
                                      const CompanyInput& input, const core::RequestMeta& meta);
  core::Status DeleteCompany(const core::Principal& actor, const std::string& id,
                             const core::RequestMeta& meta);
  core::Result<std::vector<Configuration>> ListConfigurations(const std::string& company_id);
  core::Result<Configuration> CreateConfiguration(const core::Principal& actor,
                                                  const std::string& company_id,
                                                  const ConfigurationInput& input,
                                                  const core::RequestMeta& meta);
  core::Result<Configuration> UpdateConfiguration(const core::Principal& actor,
                                                  const std::string& company_id,
                                                  const std::string& id,
                                                  const ConfigurationInput& input,
                                                  const core::RequestMeta& meta);
  core::Status DeleteConfiguration(const core::Principal& actor, const std::string& company_id,
                                   const std::string& id, const core::RequestMeta& meta);

  // Credential types.
  core::Result<std::vector<CredentialType>> ListTypes();
  core::Result<CredentialType> GetType(const std::string& id_or_name);
  core::Result<CredentialType> CreateType(const core::Principal& actor,
                                          const CredentialTypeInput& input,
                                          const core::RequestMeta& meta);
  core::Result<CredentialType> UpdateType(const core::Principal& actor, const std::string& id,
                                          const CredentialTypeInput& input,
                                          const core::RequestMeta& meta);
  core::Status DeleteType(const core::Principal& actor, const std::string& id,
                          const core::RequestMeta& meta);

  // Credentials. Each checks the type's permissionScope for `actor`; lists leave out the
  // credentials whose <scope>.fetch the actor lacks.
  core::Result<CredentialView> GetCredential(const core::Principal& actor, const std::string& id);
  core::Result<std::vector<CredentialView>> CredentialsOfCompany(const core::Principal& actor,
                                                                 const std::string& company_id);
  core::Result<std::vector<CredentialView>> CredentialsOfType(const core::Principal& actor,
                                                              const std::string& type_id);
  core::Result<CredentialView> CreateCredential(const core::Principal& actor,
                                                const CredentialInput& input,
                                                const core::RequestMeta& meta);
  core::Result<CredentialView> UpdateCredential(const core::Principal& actor, const std::string& id,
                                                const CredentialInput& input,
                                                const core::RequestMeta& meta);
  core::Status DeleteCredential(const core::Principal& actor, const std::string& id,
                                const core::RequestMeta& meta);
  // Decrypts the secure values (all, or only `field_id`), writes credential_secret_read and
  // commits it, and only then returns them. Audit failure: Unavailable "AuditUnavailable".
  core::Result<SecureValues> ReadSecureValues(const core::Principal& actor, const std::string& id,
                                              const std::optional<std::string>& field_id,
                                              const core::RequestMeta& meta);
  // The same without blocking on the audit commit: `done` is called exactly once, with the
  // values only after their credential_secret_read event committed, otherwise with the error
  // (at once for errors found before the audit write; on the audit writer's thread after it).
  using SecureValuesDone = std::function<void(core::Result<SecureValues>)>;
  void ReadSecureValues(const core::Principal& actor, const std::string& id,
                        const std::optional<std::string>& field_id, const core::RequestMeta& meta,
                        SecureValuesDone done);

 private:
  core::Result<security::SecretKey> DataKey(const CredentialRow& row);
  core::Result<std::vector<CredentialView>> Views(const core::Principal& actor,
                                                  std::vector<CredentialRow> rows,
                                                  soci::session& s);
  // Validates `fields` against `type` and applies them to `row` (sealing secure values).
  core::Status ApplyFields(const CredentialType& type, const std::vector<FieldValueInput>& fields,
                           const security::SecretKey& dek, CredentialRow& row,
                           std::vector<std::string>* changed);
  void AdoptNewerKeyVersion(soci::session& s);
  // Everything a secure read does before its audit event: checks, decryption, the event.
  struct SecretRead {
    std::string credential_id;
    SecureValues values;
    audit::Entry entry;
  };
  core::Result<SecretRead> PrepareSecretRead(const core::Principal& actor, const std::string& id,
                                             const std::optional<std::string>& field_id);

  store::Database& db_;
  const core::Clock& clock_;
  const audit::Recorder& recorder_;
  std::shared_ptr<security::MasterKeyring> keyring_;
  audit::GroupWriter* secret_reads_;
  std::shared_ptr<CompanyDirectory> directory_;
};

// Input rules shared with the routes and tests.
core::Status ValidateFieldDefs(const std::vector<FieldDef>& fields);
bool IsValidScope(std::string_view scope);  // dotted lower-case segments, like a node
std::string SealAad(std::string_view credential_id, std::string_view field_id,
                    std::int64_t generation);

}  // namespace gatehouse::modules::vault
