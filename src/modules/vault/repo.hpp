// SQL for the vault: companies and their configurations, credential types, credentials, their
// field values and the master key check values. Functions take the caller's soci::session so
// the service can check, change and audit in one transaction.
//
//   auto type = repo::FindType(s, "AWS");                 // by id or name
//   auto credential = repo::FindCredential(s, id);        // with its stored values
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gatehouse::modules::vault {

struct FieldDef {
  std::string id;
  std::string name;
  bool required = false;
  bool secure = false;
  std::string value_type;
};

struct CredentialType {
  std::string id;
  std::string name;
  std::optional<std::string> permission_scope;
  std::optional<std::string> icon;
  std::vector<FieldDef> fields;
  std::int64_t credential_count = 0;  // filled by reads
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;

  const FieldDef* Field(std::string_view field_id) const {
    for (const auto& f : fields) {
      if (f.id == field_id) return &f;
    }
    return nullptr;
  }
};

struct Company {
  std::string id;
  std::string name;
  std::optional<std::int64_t> cw_company_id;
  std::optional<std::string> cw_identifier;
  std::string cw_data = "{}";  // JSON object text
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

struct Configuration {
  std::string id;
  std::string company_id;
  std::string name;
  std::optional<std::string> type;
  std::string data = "{}";  // JSON object text
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

struct StoredValue {
  std::string id;
  std::string field_id;
  bool secure = false;
  std::string value;  // plain text, or base64 of the sealed bytes when secure
};

struct CredentialRow {
  std::string id;
  std::string name;
  std::optional<std::string> notes;
  std::string type_id;
  std::string company_id;
  std::uint32_t dek_master_version = 0;
  std::string dek_wrapped;  // base64url (MasterKeyring::Wrap)
  std::int64_t dek_generation = 1;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::vector<StoredValue> values;

  const StoredValue* Value(std::string_view field_id) const {
    for (const auto& v : values) {
      if (v.field_id == field_id) return &v;
    }
    return nullptr;
  }
};

namespace repo {

// Companies. `search` matches name or cw_Identifier, case-insensitively, anywhere.
std::optional<Company> FindCompany(soci::session& s, const std::string& id);
std::vector<Company> ListCompanies(soci::session& s, const std::string& search, std::int64_t offset,
                                   std::int64_t limit);
std::int64_t CountCompanies(soci::session& s, const std::string& search);
void InsertCompany(soci::session& s, const Company& company);
void UpdateCompany(soci::session& s, const Company& company);
void DeleteCompany(soci::session& s, const std::string& id);  // and its configurations

std::vector<Configuration> ListConfigurations(soci::session& s, const std::string& company_id);
std::optional<Configuration> FindConfiguration(soci::session& s, const std::string& company_id,
                                               const std::string& id);
void InsertConfiguration(soci::session& s, const Configuration& configuration);
void UpdateConfiguration(soci::session& s, const Configuration& configuration);
void DeleteConfiguration(soci::session& s, const std::string& id);

// Credential types (credential_count filled).
std::optional<CredentialType> FindType(soci::session& s, const std::string& id_or_name);
std::optional<CredentialType> FindTypeByName(soci::session& s, const std::string& name);
std::vector<CredentialType> ListTypes(soci::session& s);
void InsertType(soci::session& s, const CredentialType& type);
void UpdateType(soci::session& s, const CredentialType& type);
// Deletes the type, its credentials and their values; returns the deleted credential ids.
std::vector<std::string> DeleteType(soci::session& s, const std::string& id);
// How many credentials of `type_id` hold a value for `field_id`.
std::int64_t CountFieldValues(soci::session& s, const std::string& type_id,
                              const std::string& field_id);
void DeleteFieldValues(soci::session& s, const std::string& type_id, const std::string& field_id);

// Credentials, with their values.
std::optional<CredentialRow> FindCredential(soci::session& s, const std::string& id);
std::vector<CredentialRow> ListCredentialsOfCompany(soci::session& s,
                                                    const std::string& company_id);
std::vector<CredentialRow> ListCredentialsOfType(soci::session& s, const std::string& type_id);
std::int64_t CountCredentialsOfCompany(soci::session& s, const std::string& company_id);
void InsertCredential(soci::session& s, const CredentialRow& row);  // and its values
void UpdateCredential(soci::session& s, const CredentialRow& row);  // name, notes, updated_at
void UpsertValue(soci::session& s, const std::string& credential_id, const StoredValue& value);
void DeleteValue(soci::session& s, const std::string& credential_id, const std::string& field_id);
void DeleteCredential(soci::session& s, const std::string& id);

// Master key versions.
std::vector<std::pair<std::uint32_t, std::string>> ListMasterChecks(soci::session& s);
void InsertMasterCheck(soci::session& s, std::uint32_t version, const std::string& check,
                       std::int64_t now);

// Rotation: up to `limit` credentials whose data key is wrapped under a version other than
// `version`: (id, version, wrapped).
struct WrappedRow {
  std::string id;
  std::uint32_t version = 0;
  std::string wrapped;
};
std::vector<WrappedRow> ListWrappedNotAt(soci::session& s, std::uint32_t version,
                                         std::int64_t limit);
// Replaces the wrapped key only if it is still the one that was read (returns rows changed).
long long ReplaceWrapped(soci::session& s, const WrappedRow& before, std::uint32_t version,
                         const std::string& wrapped);
std::int64_t CountAtVersion(soci::session& s, std::uint32_t version);

}  // namespace repo
}  // namespace gatehouse::modules::vault
