#include "modules/vault/service.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <set>

#include "audit/event_types.hpp"
#include "authz/matcher.hpp"
#include "authz/nodes.hpp"
#include "core/ids.hpp"
#include "core/json.hpp"
#include "modules/vault/value_types.hpp"
#include "security/aead.hpp"

namespace gatehouse::modules::vault {
namespace {

namespace json = boost::json;
namespace n = authz::nodes;
namespace t = audit::types;

constexpr std::int64_t kMaxFields = 50;

core::Error CompanyNotFound() { return core::NotFound("Company not found.", "CompanyNotFound"); }
core::Error TypeNotFound() {
  return core::NotFound("Credential type not found.", "CredentialTypeNotFound");
}
core::Error CredentialNotFound() {
  return core::NotFound("Credential not found.", "CredentialNotFound");
}
core::Error ConfigurationNotFound() {
  return core::NotFound("Configuration not found.", "ConfigurationNotFound");
}
core::Error Unreadable(const std::string& internal) {
  core::Error e = core::Internal(internal);
  e.name = "SecureValueUnreadable";
  e.public_message = "A secure value could not be decrypted";
  return e;
}

// The node a scoped type adds for `verb`; empty when the type has no scope.
std::string ScopeNode(const CredentialType& type, const char* verb) {
  if (!type.permission_scope || type.permission_scope->empty()) return {};
  return *type.permission_scope + "." + verb;
}

core::Status RequireScope(const core::Principal& actor, const CredentialType& type,
                          std::initializer_list<const char*> verbs) {
  for (const char* verb : verbs) {
    const std::string node = ScopeNode(type, verb);
    if (!node.empty() && !actor.Can(node)) return core::PermissionDenied();
  }
  return {};
}

bool IsFieldIdChar(char c, bool first) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (first) return alpha;
  return alpha || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool IsValidFieldId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (!IsFieldIdChar(id[i], i == 0)) return false;
  }
  return true;
}

json::array FieldIds(const std::vector<std::string>& ids) { return core::JsonStrings(ids); }

}  // namespace

bool IsValidScope(std::string_view scope) {
  if (scope.empty() || scope.size() > 100) return false;
  return authz::IsValidNode(scope) && scope.find('*') == std::string_view::npos;
}

std::string SealAad(std::string_view credential_id, std::string_view field_id,
                    std::int64_t generation) {
  std::string aad = "gatehouse.vault.v1|";
  aad += credential_id;
  aad += '|';
  aad += field_id;
  aad += '|';
  aad += std::to_string(generation);
  return aad;
}

core::Status ValidateFieldDefs(const std::vector<FieldDef>& fields) {
  std::vector<core::FieldError> problems;
  if (static_cast<std::int64_t>(fields.size()) > kMaxFields) {
    return core::Validation({{{"fields"}, "At most " + std::to_string(kMaxFields) + " fields"}});
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const auto& f = fields[i];
    const std::string index = std::to_string(i);
    if (!IsValidFieldId(f.id)) {
      problems.push_back({{"fields", index, "id"},
                          "Must be 1 to 64 letters, digits, '_' or '-', starting with a letter"});
    } else if (!seen.insert(f.id).second) {
      problems.push_back({{"fields", index, "id"}, "Duplicate field id '" + f.id + "'"});
    }
    auto length = core::Utf8Length(f.name);
    if (!length || *length < 1 || *length > 100) {
      problems.push_back({{"fields", index, "name"}, "Must be 1 to 100 characters"});
    }
    if (!IsValueType(f.value_type)) {
      problems.push_back({{"fields", index, "valueType"},
                          "Must be one of plain_text, license_key, ip_address, generic_secret, "
                          "bitlocker_key, password"});
    }
  }
  if (!problems.empty()) return core::Validation(std::move(problems));
  return {};
}

VaultService::VaultService(store::Database& db, const core::Clock& clock,
                           const audit::Recorder& recorder,
                           std::shared_ptr<security::MasterKeyring> keyring,
                           audit::GroupWriter* secret_reads,
                           std::shared_ptr<CompanyDirectory> directory)
    : db_(db),
      clock_(clock),
      recorder_(recorder),
      keyring_(std::move(keyring)),
      secret_reads_(secret_reads),
      directory_(std::move(directory)) {}

// --- master keys -----------------------------------------------------------------------------

core::Status VaultService::VerifyMasterKeys() {
  auto checks = db_.Read(
      [](soci::session& s) -> core::Result<std::vector<std::pair<std::uint32_t, std::string>>> {
        return repo::ListMasterChecks(s);
      });
  if (!checks) return checks.error();
  std::set<std::uint32_t> recorded;
  for (const auto& [version, check] : *checks) {
    recorded.insert(version);
    if (!keyring_->Has(version)) (void)keyring_->Reload();
    if (!keyring_->Has(version)) {
      return core::FailedPrecondition("vault master key version " + std::to_string(version) +
                                          " protects data in this database but is missing from " +
                                          keyring_->source() +
                                          "; configure the keyring that holds it",
                                      "MasterKeyMissing");
    }
    if (!keyring_->CheckMatches(version, check)) {
      return core::FailedPrecondition(
          "vault master key version " + std::to_string(version) + " from " + keyring_->source() +
              " does not match the key this database was encrypted with; refusing to start",
          "MasterKeyMismatch");
    }
  }
  const std::uint32_t current = keyring_->current_version();
  const std::int64_t now = core::ToUnixMillis(clock_.Now());
  return db_.Write([&](soci::session& s) -> core::Status {
    std::set<std::uint32_t> present;
    for (const auto& [version, check] : repo::ListMasterChecks(s)) present.insert(version);
    for (std::uint32_t v = 1; v <= current; ++v) {
      if (keyring_->Has(v) && !present.contains(v)) {
        repo::InsertMasterCheck(s, v, keyring_->MakeCheck(v), now);
      }
    }
    return {};
  });
}

core::Result<bool> VaultService::CurrentVersionRecorded() {
  const std::uint32_t current = keyring_->current_version();
  return db_.Read([&](soci::session& s) -> core::Result<bool> {
    for (const auto& [version, check] : repo::ListMasterChecks(s)) {
      if (version == current) return true;
    }
    return false;
  });
}

core::Result<std::int64_t> VaultService::CountAtVersion(std::uint32_t version) {
  return db_.Read([&](soci::session& s) -> core::Result<std::int64_t> {
    return repo::CountAtVersion(s, version);
  });
}

core::Result<std::int64_t> VaultService::RewrapAll(const core::RequestMeta& meta,
                                                   std::int64_t batch) {
  const std::uint32_t current = keyring_->current_version();
  const std::int64_t now = core::ToUnixMillis(clock_.Now());
  auto registered = db_.Write([&](soci::session& s) -> core::Status {
    std::set<std::uint32_t> present;
    for (const auto& [version, check] : repo::ListMasterChecks(s)) present.insert(version);
    if (!present.contains(current)) {
      repo::InsertMasterCheck(s, current, keyring_->MakeCheck(current), now);
      recorder_.Record(s, meta,
                       {.event_type = t::kVaultMasterKeyRotated,
                        .resource_type = "vault_master_key",
                        .resource_id = std::to_string(current),
                        .metadata = {{"version", current}}});
    }
    return {};
  });
  if (!registered) return registered.error();

  std::int64_t total = 0;
  for (;;) {
    auto done = db_.Write([&](soci::session& s) -> core::Result<std::int64_t> {
      auto rows = repo::ListWrappedNotAt(s, current, batch);
      std::int64_t changed = 0;
      for (const auto& row : rows) {
        auto dek = keyring_->Unwrap({.version = row.version, .blob = row.wrapped}, row.id);
        if (!dek) {
          core::Error e = dek.error();
          e.internal_message = "credential " + row.id + ": " + e.internal_message;
          return e;
        }
        const security::WrappedKey wrapped = keyring_->Wrap(*dek, row.id);
        changed += repo::ReplaceWrapped(s, row, wrapped.version, wrapped.blob);
      }
      if (rows.empty()) return std::int64_t{-1};
      return changed;
    });
    if (!done) return done.error();
    if (*done < 0) break;
    total += *done;
  }
  return total;
}

void VaultService::AdoptNewerKeyVersion(soci::session& s) {
  // A rotation run by the command line while this server runs recorded a newer version: adopt
  // it, so new data keys are wrapped under it too.
  long long newest = 0;
  soci::indicator ind{};
  s << "SELECT MAX(version) FROM vault_master_keys", soci::into(newest, ind);
  if (ind != soci::i_null && newest > static_cast<long long>(keyring_->current_version())) {
    (void)keyring_->Reload();
  }
}

core::Result<security::SecretKey> VaultService::DataKey(const CredentialRow& row) {
  auto dek = keyring_->Unwrap({.version = row.dek_master_version, .blob = row.dek_wrapped}, row.id);
  if (!dek) {
    return Unreadable("credential " + row.id + ": data key could not be unwrapped (" +
                      dek.error().Name() + ": " + dek.error().internal_message + ")");
  }
  return std::move(*dek);
}

// --- companies -------------------------------------------------------------------------------

core::Result<CompanyPage> VaultService::ListCompanies(const std::string& search, std::int64_t page,
                                                      std::int64_t rpp) {
  return db_.Read([&](soci::session& s) -> core::Result<CompanyPage> {
    CompanyPage out;
    out.total = repo::CountCompanies(s, search);
    out.items = repo::ListCompanies(s, search, (page - 1) * rpp, rpp);
    return out;
  });
}

core::Result<Company> VaultService::GetCompany(const std::string& id) {
  auto company = db_.Read([&](soci::session& s) -> core::Result<Company> {
    auto found = repo::FindCompany(s, id);
    if (!found) return CompanyNotFound();
    return std::move(*found);
  });
  if (!company || directory_ == nullptr) return company;
  if (auto fresh = directory_->Refresh(*company)) return std::move(*fresh);
  return company;
}

core::Result<Company> VaultService::CreateCompany(const core::Principal& actor,
                                                  const CompanyInput& input,
                                                  const core::RequestMeta& meta) {
  Company company;
  company.id = core::NewUuidV7();
  company.name = input.name.value_or("");
  company.cw_company_id = input.cw_company_id;
  company.cw_identifier = input.cw_identifier;
  json::object data;
  if (input.address_json) data.emplace("address", json::parse(*input.address_json));
  company.cw_data = json::serialize(data);
  company.created_at = company.updated_at = core::ToUnixMillis(clock_.Now());
  return db_.Write([&](soci::session& s) -> core::Result<Company> {
    repo::InsertCompany(s, company);
    recorder_.Record(s, meta,
                     {.event_type = t::kCompanyCreated,
                      .user_id = actor.user_id,
                      .resource_type = "company",
                      .resource_id = company.id,
                      .metadata = {{"name", company.name}}});
    return company;
  });
}

core::Result<Company> VaultService::UpdateCompany(const core::Principal& actor,
                                                  const std::string& id, const CompanyInput& input,
                                                  const core::RequestMeta& meta) {
  return db_.Write([&](soci::session& s) -> core::Result<Company> {
    auto company = repo::FindCompany(s, id);
    if (!company) return CompanyNotFound();
    json::array changed;
    if (input.name) {
      company->name = *input.name;
      changed.emplace_back("name");
    }
    if (input.cw_company_id_set) {
      company->cw_company_id = input.cw_company_id;
      changed.emplace_back("cw_CompanyId");
    }
    if (input.cw_identifier_set) {
      company->cw_identifier = input.cw_identifier;
      changed.emplace_back("cw_Identifier");
    }
    if (input.address_set) {
      boost::system::error_code ec;
      json::value data = json::parse(company->cw_data, ec);
      if (ec || !data.is_object()) data = json::object{};
      if (input.address_json) {
        data.as_object()["address"] = json::parse(*input.address_json);
      } else {
        data.as_object().erase("address");
      }
      company->cw_data = json::serialize(data);
      changed.emplace_back("address");
    }
    company->updated_at = core::ToUnixMillis(clock_.Now());
    repo::UpdateCompany(s, *company);
    recorder_.Record(s, meta,
                     {.event_type = t::kCompanyUpdated,
                      .user_id = actor.user_id,
                      .resource_type = "company",
                      .resource_id = company->id,
                      .metadata = {{"changed", std::move(changed)}}});
    return std::move(*company);
  });
}

core::Status VaultService::DeleteCompany(const core::Principal& actor, const std::string& id,
                                         const core::RequestMeta& meta) {
  return db_.Write([&](soci::session& s) -> core::Status {
    auto company = repo::FindCompany(s, id);
    if (!company) return CompanyNotFound();
    if (repo::CountCredentialsOfCompany(s, id) > 0) {
      return core::FailedPrecondition(
          "The company still holds credentials; delete or move them first.",
          "CompanyHasCredentials");
    }
    repo::DeleteCompany(s, id);
    recorder_.Record(s, meta,
                     {.event_type = t::kCompanyDeleted,
                      .user_id = actor.user_id,
                      .resource_type = "company",
                      .resource_id = id,
                      .metadata = {{"name", company->name}}});
    return {};
  });
}

core::Result<std::vector<Configuration>> VaultService::ListConfigurations(
    const std::string& company_id) {
  return db_.Read([&](soci::session& s) -> core::Result<std::vector<Configuration>> {
    if (!repo::FindCompany(s, company_id)) return CompanyNotFound();
    return repo::ListConfigurations(s, company_id);
  });
}

core::Result<Configuration> VaultService::CreateConfiguration(const core::Principal& actor,
                                                              const std::string& company_id,
                                                              const ConfigurationInput& input,
                                                              const core::RequestMeta& meta) {
  Configuration configuration;
  configuration.id = core::NewUuidV7();
  configuration.company_id = company_id;
  configuration.name = input.name.value_or("");
  configuration.type = input.type;
  configuration.data = input.data_json.value_or("{}");
  configuration.created_at = configuration.updated_at = core::ToUnixMillis(clock_.Now());
  return db_.Write([&](soci::session& s) -> core::Result<Configuration> {
    if (!repo::FindCompany(s, company_id)) return CompanyNotFound();
    repo::InsertConfiguration(s, configuration);
    recorder_.Record(
        s, meta,
        {.event_type = t::kCompanyUpdated,
         .user_id = actor.user_id,
         .resource_type = "company",
         .resource_id = company_id,
         .metadata = {{"configurationId", configuration.id}, {"action", "configuration_created"}}});
    return configuration;
  });
}

core::Result<Configuration> VaultService::UpdateConfiguration(const core::Principal& actor,
                                                              const std::string& company_id,
                                                              const std::string& id,
                                                              const ConfigurationInput& input,
                                                              const core::RequestMeta& meta) {
  return db_.Write([&](soci::session& s) -> core::Result<Configuration> {
    if (!repo::FindCompany(s, company_id)) return CompanyNotFound();
    auto configuration = repo::FindConfiguration(s, company_id, id);
    if (!configuration) return ConfigurationNotFound();
    if (input.name) configuration->name = *input.name;
    if (input.type_set) configuration->type = input.type;
    if (input.data_json) configuration->data = *input.data_json;
    configuration->updated_at = core::ToUnixMillis(clock_.Now());
    repo::UpdateConfiguration(s, *configuration);
    recorder_.Record(s, meta,
                     {.event_type = t::kCompanyUpdated,
                      .user_id = actor.user_id,
                      .resource_type = "company",
                      .resource_id = company_id,
                      .metadata = {{"configurationId", id}, {"action", "configuration_updated"}}});
    return std::move(*configuration);
  });
}

core::Status VaultService::DeleteConfiguration(const core::Principal& actor,
                                               const std::string& company_id, const std::string& id,
                                               const core::RequestMeta& meta) {
  return db_.Write([&](soci::session& s) -> core::Status {
    if (!repo::FindCompany(s, company_id)) return CompanyNotFound();
    if (!repo::FindConfiguration(s, company_id, id)) return ConfigurationNotFound();
    repo::DeleteConfiguration(s, id);
    recorder_.Record(s, meta,
                     {.event_type = t::kCompanyUpdated,
                      .user_id = actor.user_id,
                      .resource_type = "company",
                      .resource_id = company_id,
                      .metadata = {{"configurationId", id}, {"action", "configuration_deleted"}}});
    return {};
  });
}

// --- credential types ------------------------------------------------------------------------

core::Result<std::vector<CredentialType>> VaultService::ListTypes() {
  return db_.Read([](soci::session& s) -> core::Result<std::vector<CredentialType>> {
    return repo::ListTypes(s);
  });
}

core::Result<CredentialType> VaultService::GetType(const std::string& id_or_name) {
  return db_.Read([&](soci::session& s) -> core::Result<CredentialType> {
    auto type = repo::FindType(s, id_or_name);
    if (!type) return TypeNotFound();
    return std::move(*type);
  });
}

namespace {

core::Error NameTaken(const std::string& name) {
  return core::AlreadyExists("A credential type named '" + name + "' already exists.",
                             "CredentialTypeAlreadyExists");
}

}  // namespace

core::Result<CredentialType> VaultService::CreateType(const core::Principal& actor,
                                                      const CredentialTypeInput& input,
                                                      const core::RequestMeta& meta) {
  CredentialType type;
  type.id = core::NewUuidV7();
  type.name = input.name.value_or("");
  type.permission_scope = input.permission_scope;
  type.icon = input.icon;
  type.fields = input.fields.value_or(std::vector<FieldDef>{});
  if (auto st = ValidateFieldDefs(type.fields); !st) return st.error();
  type.created_at = type.updated_at = core::ToUnixMillis(clock_.Now());
  auto created = db_.Write([&](soci::session& s) -> core::Result<CredentialType> {
    if (repo::FindTypeByName(s, type.name)) return NameTaken(type.name);
    repo::InsertType(s, type);
    json::array fields;
    for (const auto& f : type.fields) fields.emplace_back(f.id);
    recorder_.Record(s, meta,
                     {.event_type = t::kCredentialTypeCreated,
                      .user_id = actor.user_id,
                      .resource_type = "credential_type",
                      .resource_id = type.id,
                      .metadata = {{"name", type.name},
                                   {"permissionScope", core::JsonOptional(type.permission_scope)},
                                   {"fieldIds", std::move(fields)}}});
    return type;
  });
  if (!created && created.error().code == core::ErrorCode::kAlreadyExists) {
    return NameTaken(type.name);
  }
  return created;
}

core::Result<CredentialType> VaultService::UpdateType(const core::Principal& actor,
                                                      const std::string& id,
                                                      const CredentialTypeInput& input,
                                                      const core::RequestMeta& meta) {
  if (input.fields) {
    if (auto st = ValidateFieldDefs(*input.fields); !st) return st.error();
  }
  auto updated = db_.Write([&](soci::session& s) -> core::Result<CredentialType> {
    auto type = repo::FindType(s, id);
    if (!type || type->id != id) return TypeNotFound();
    json::array changed, removed;
    if (input.name && *input.name != type->name) {
      if (repo::FindTypeByName(s, *input.name)) return NameTaken(*input.name);
      type->name = *input.name;
      changed.emplace_back("name");
    }
    // A scope protects the type's credentials: only someone holding all of it may lift or
    // move it, and only someone who may update those credentials may change their fields.
    if (input.fields && type->credential_count > 0) {
      if (auto st = RequireScope(actor, *type, {n::kScopeUpdate}); !st) return st.error();
    }
    const std::optional<std::string> old_scope = type->permission_scope;
    if (input.scope_set && input.permission_scope != old_scope) {
      if (old_scope && !actor.CanGrant(*old_scope + ".*")) {
        return core::PermissionDenied(
            "Changing a credential type's permissionScope needs every node of its current "
            "scope (" +
            *old_scope + ".*).");
      }
      type->permission_scope = input.permission_scope;
      changed.emplace_back("permissionScope");
    }
    if (input.icon_set) {
      type->icon = input.icon;
      changed.emplace_back("icon");
    }
    if (input.fields) {
      // Field-definition change rules (docs/api.md): a removed field's stored values are
      // deleted; a field's secure flag or value type may change only while no credential holds
      // a value for it; newly required fields are enforced on the next write of a credential's
      // fields.
      for (const auto& old_field : type->fields) {
        const FieldDef* next = nullptr;
        for (const auto& f : *input.fields) {
          if (f.id == old_field.id) next = &f;
        }
        if (next == nullptr) {
          repo::DeleteFieldValues(s, type->id, old_field.id);
          removed.emplace_back(old_field.id);
          continue;
        }
        if ((next->secure != old_field.secure || next->value_type != old_field.value_type) &&
            repo::CountFieldValues(s, type->id, old_field.id) > 0) {
          return core::FailedPrecondition(
              "Field '" + old_field.id +
                  "' holds values: its secure flag and value type cannot change. Remove the "
                  "field and add a new one instead.",
              "FieldInUse");
        }
      }
      type->fields = *input.fields;
      changed.emplace_back("fields");
    }
    type->updated_at = core::ToUnixMillis(clock_.Now());
    repo::UpdateType(s, *type);
    recorder_.Record(
        s, meta,
        {.event_type = t::kCredentialTypeUpdated,
         .user_id = actor.user_id,
         .resource_type = "credential_type",
         .resource_id = type->id,
         .metadata = {{"changed", std::move(changed)}, {"removedFieldIds", std::move(removed)}}});
    return std::move(*type);
  });
  if (!updated && updated.error().code == core::ErrorCode::kAlreadyExists &&
      updated.error().name != "CredentialTypeAlreadyExists") {
    return NameTaken(input.name.value_or(""));
  }
  return updated;
}

core::Status VaultService::DeleteType(const core::Principal& actor, const std::string& id,
                                      const core::RequestMeta& meta) {
  return db_.Write([&](soci::session& s) -> core::Status {
    auto type = repo::FindType(s, id);
    if (!type || type->id != id) return TypeNotFound();
    // Deleting credentials of a scoped type also needs <scope>.delete.
    if (type->credential_count > 0) {
      if (auto st = RequireScope(actor, *type, {n::kScopeDelete}); !st) return st;
    }
    auto deleted = repo::DeleteType(s, id);
    for (const auto& credential_id : deleted) {
      recorder_.Record(s, meta,
                       {.event_type = t::kCredentialDeleted,
                        .user_id = actor.user_id,
                        .resource_type = "credential",
                        .resource_id = credential_id,
                        .metadata = {{"typeId", id}, {"reason", "type_deleted"}}});
    }
    recorder_.Record(
        s, meta,
        {.event_type = t::kCredentialTypeDeleted,
         .user_id = actor.user_id,
         .resource_type = "credential_type",
         .resource_id = id,
         .metadata = {{"name", type->name},
                      {"deletedCredentials", static_cast<std::int64_t>(deleted.size())}}});
    return {};
  });
}

// --- credentials -----------------------------------------------------------------------------

core::Result<std::vector<CredentialView>> VaultService::Views(const core::Principal& actor,
                                                              std::vector<CredentialRow> rows,
                                                              soci::session& s) {
  std::map<std::string, std::optional<CredentialType>> types;
  std::map<std::string, std::optional<Company>> companies;
  std::vector<CredentialView> out;
  for (auto& row : rows) {
    if (!types.contains(row.type_id)) types[row.type_id] = repo::FindType(s, row.type_id);
    if (!companies.contains(row.company_id)) {
      companies[row.company_id] = repo::FindCompany(s, row.company_id);
    }
    const auto& type = types[row.type_id];
    const auto& company = companies[row.company_id];
    if (!type || !company) continue;
    if (!RequireScope(actor, *type, {n::kScopeFetch})) continue;
    out.push_back({std::move(row), *type, *company});
  }
  return out;
}

core::Result<CredentialView> VaultService::GetCredential(const core::Principal& actor,
                                                         const std::string& id) {
  return db_.Read([&](soci::session& s) -> core::Result<CredentialView> {
    auto row = repo::FindCredential(s, id);
    if (!row) return CredentialNotFound();
    auto type = repo::FindType(s, row->type_id);
    auto company = repo::FindCompany(s, row->company_id);
    if (!type || !company) return CredentialNotFound();
    if (auto st = RequireScope(actor, *type, {n::kScopeFetch}); !st) return st.error();
    return CredentialView{std::move(*row), std::move(*type), std::move(*company)};
  });
}

core::Result<std::vector<CredentialView>> VaultService::CredentialsOfCompany(
    const core::Principal& actor, const std::string& company_id) {
  return db_.Read([&](soci::session& s) -> core::Result<std::vector<CredentialView>> {
    if (!repo::FindCompany(s, company_id)) return CompanyNotFound();
    return Views(actor, repo::ListCredentialsOfCompany(s, company_id), s);
  });
}

core::Result<std::vector<CredentialView>> VaultService::CredentialsOfType(
    const core::Principal& actor, const std::string& type_id) {
  return db_.Read([&](soci::session& s) -> core::Result<std::vector<CredentialView>> {
    auto type = repo::FindType(s, type_id);
    if (!type) return TypeNotFound();
    return Views(actor, repo::ListCredentialsOfType(s, type->id), s);
  });
}

core::Status VaultService::ApplyFields(const CredentialType& type,
                                       const std::vector<FieldValueInput>& fields,
                                       const security::SecretKey& dek, CredentialRow& row,
                                       std::vector<std::string>* changed) {
  std::vector<core::FieldError> problems;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const auto& input = fields[i];
    const std::string index = std::to_string(i);
    const FieldDef* def = type.Field(input.field_id);
    if (def == nullptr) {
      problems.push_back(
          {{"fields", index, "fieldId"},
           "Unknown field '" + input.field_id + "' for credential type '" + type.name + "'"});
      continue;
    }
    if (!seen.insert(input.field_id).second) {
      problems.push_back(
          {{"fields", index, "fieldId"}, "Duplicate field '" + input.field_id + "'"});
      continue;
    }
    if (!input.value) {
      if (def->required) {
        problems.push_back({{"fields", index, "value"}, "Field '" + def->id + "' is required"});
      }
      continue;
    }
    if (auto why = CheckValue(def->value_type, *input.value)) {
      problems.push_back({{"fields", index, "value"}, *why});
    }
  }
  if (problems.empty()) {
    for (const auto& input : fields) {
      const FieldDef* def = type.Field(input.field_id);
      if (changed) changed->push_back(def->id);
      std::erase_if(row.values, [&](const StoredValue& v) { return v.field_id == def->id; });
      if (!input.value) continue;
      StoredValue value;
      value.id = core::NewUuidV7();
      value.field_id = def->id;
      value.secure = def->secure;
      value.value = def->secure
                        ? Base64Encode(security::Seal(dek, *input.value,
                                                      SealAad(row.id, def->id, row.dek_generation)))
                        : *input.value;
      row.values.push_back(std::move(value));
    }
    for (const auto& def : type.fields) {
      if (def.required && row.Value(def.id) == nullptr) {
        problems.push_back({{"fields"}, "Missing required field '" + def.id + "'"});
      }
    }
  }
  if (!problems.empty()) return core::Validation(std::move(problems));
  return {};
}

core::Result<CredentialView> VaultService::CreateCredential(const core::Principal& actor,
                                                            const CredentialInput& input,
                                                            const core::RequestMeta& meta) {
  const std::int64_t now = core::ToUnixMillis(clock_.Now());
  return db_.Write([&](soci::session& s) -> core::Result<CredentialView> {
    std::vector<core::FieldError> problems;
    auto type = repo::FindType(s, input.type_id.value_or(""));
    if (!type || type->id != input.type_id) {
      problems.push_back({{"typeId"}, "Credential type not found"});
    }
    auto company = repo::FindCompany(s, input.company_id.value_or(""));
    if (!company) problems.push_back({{"companyId"}, "Company not found"});
    if (!problems.empty()) return core::Validation(std::move(problems));
    if (auto st = RequireScope(actor, *type, {n::kScopeCreate}); !st) return st.error();

    AdoptNewerKeyVersion(s);
    CredentialRow row;
    row.id = core::NewUuidV7();
    row.name = input.name.value_or("");
    row.notes = input.notes;
    row.type_id = type->id;
    row.company_id = company->id;
    row.dek_generation = 1;
    row.created_at = row.updated_at = now;
    const security::SecretKey dek = security::NewSecretKey();
    const security::WrappedKey wrapped = keyring_->Wrap(dek, row.id);
    row.dek_master_version = wrapped.version;
    row.dek_wrapped = wrapped.blob;
    std::vector<std::string> field_ids;
    if (auto st = ApplyFields(*type, input.fields.value_or(std::vector<FieldValueInput>{}), dek,
                              row, &field_ids);
        !st) {
      return st.error();
    }
    repo::InsertCredential(s, row);
    recorder_.Record(s, meta,
                     {.event_type = t::kCredentialCreated,
                      .user_id = actor.user_id,
                      .resource_type = "credential",
                      .resource_id = row.id,
                      .metadata = {{"typeId", row.type_id},
                                   {"companyId", row.company_id},
                                   {"fieldIds", FieldIds(field_ids)}}});
    return CredentialView{std::move(row), std::move(*type), std::move(*company)};
  });
}

core::Result<CredentialView> VaultService::UpdateCredential(const core::Principal& actor,
                                                            const std::string& id,
                                                            const CredentialInput& input,
                                                            const core::RequestMeta& meta) {
  return db_.Write([&](soci::session& s) -> core::Result<CredentialView> {
    auto row = repo::FindCredential(s, id);
    if (!row) return CredentialNotFound();
    auto type = repo::FindType(s, row->type_id);
    auto company = repo::FindCompany(s, row->company_id);
    if (!type || !company) return CredentialNotFound();
    if (auto st = RequireScope(actor, *type, {n::kScopeUpdate}); !st) return st.error();
    std::vector<std::string> changed;
    std::vector<std::string> field_ids;
    if (input.fields) {
      auto dek = DataKey(*row);
      if (!dek) return dek.error();
      if (auto st = ApplyFields(*type, *input.fields, *dek, *row, &field_ids); !st) {
        return st.error();
      }
      for (const auto& field_id : field_ids) {
        if (const StoredValue* value = row->Value(field_id)) {
          repo::UpsertValue(s, row->id, *value);
        } else {
          repo::DeleteValue(s, row->id, field_id);
        }
      }
      changed.emplace_back("fields");
    }
    if (input.name) {
      row->name = *input.name;
      changed.emplace_back("name");
    }
    if (input.notes_set) {
      row->notes = input.notes;
      changed.emplace_back("notes");
    }
    row->updated_at = core::ToUnixMillis(clock_.Now());
    repo::UpdateCredential(s, *row);
    recorder_.Record(s, meta,
                     {.event_type = t::kCredentialUpdated,
                      .user_id = actor.user_id,
                      .resource_type = "credential",
                      .resource_id = row->id,
                      .metadata = {{"typeId", row->type_id},
                                   {"changed", core::JsonStrings(changed)},
                                   {"fieldIds", FieldIds(field_ids)}}});
    return CredentialView{std::move(*row), std::move(*type), std::move(*company)};
  });
}

core::Status VaultService::DeleteCredential(const core::Principal& actor, const std::string& id,
                                            const core::RequestMeta& meta) {
  return db_.Write([&](soci::session& s) -> core::Status {
    auto row = repo::FindCredential(s, id);
    if (!row) return CredentialNotFound();
    if (auto type = repo::FindType(s, row->type_id)) {
      if (auto st = RequireScope(actor, *type, {n::kScopeDelete}); !st) return st;
    }
    repo::DeleteCredential(s, id);
    recorder_.Record(s, meta,
                     {.event_type = t::kCredentialDeleted,
                      .user_id = actor.user_id,
                      .resource_type = "credential",
                      .resource_id = id,
                      .metadata = {{"typeId", row->type_id}, {"companyId", row->company_id}}});
    return {};
  });
}

core::Result<VaultService::SecretRead> VaultService::PrepareSecretRead(
    const core::Principal& actor, const std::string& id,
    const std::optional<std::string>& field_id) {
  auto view = GetCredential(actor, id);
  if (!view) return view.error();
  if (auto st = RequireScope(actor, view->type, {n::kScopeSecureValuesRead}); !st) {
    return st.error();
  }
  if (field_id) {
    const FieldDef* def = view->type.Field(*field_id);
    if (def == nullptr || !def->secure) {
      return core::NotFound("Secure field not found: " + *field_id, "SecureFieldNotFound");
    }
  }
  auto dek = DataKey(view->row);
  if (!dek) {
    spdlog::error("vault: credential {} data key unreadable", view->row.id);
    return dek.error();
  }
  SecureValues out;
  std::vector<std::string> read;
  for (const auto& def : view->type.fields) {
    if (!def.secure || (field_id && def.id != *field_id)) continue;
    const StoredValue* stored = view->row.Value(def.id);
    if (stored == nullptr) continue;
    auto sealed = Base64Decode(stored->value);
    core::Result<std::string> plain =
        sealed
            ? security::Open(*dek, *sealed, SealAad(view->row.id, def.id, view->row.dek_generation))
            : core::Result<std::string>(core::Internal("not base64"));
    if (!plain || !stored->secure) {
      spdlog::error("vault: secure value of credential {} field {} could not be decrypted",
                    view->row.id, def.id);
      return Unreadable("credential " + view->row.id + " field " + def.id +
                        ": secure value could not be decrypted");
    }
    read.push_back(def.id);
    out.emplace_back(def.id, std::move(*plain));
  }
  if (field_id && read.empty()) read.push_back(*field_id);  // asked for, not set
  audit::Entry entry{.event_type = t::kCredentialSecretRead,
                     .user_id = actor.user_id,
                     .resource_type = "credential",
                     .resource_id = view->row.id,
                     .metadata = {{"credentialId", view->row.id},
                                  {"typeId", view->row.type_id},
                                  {"companyId", view->row.company_id},
                                  {"fieldIds", FieldIds(read)}}};
  return SecretRead{view->row.id, std::move(out), std::move(entry)};
}

namespace {

// The secret is not returned when its read could not be recorded.
core::Error AuditFailed(const std::string& credential_id, const core::Error& cause) {
  spdlog::error("vault: secret read of credential {} not returned: audit write failed ({})",
                credential_id, cause.internal_message);
  core::Error e = core::Unavailable(cause.internal_message,
                                    "The secret was not returned because its read could not "
                                    "be recorded in the audit log; try again later");
  e.name = "AuditUnavailable";
  return e;
}

}  // namespace

core::Result<SecureValues> VaultService::ReadSecureValues(
    const core::Principal& actor, const std::string& id, const std::optional<std::string>& field_id,
    const core::RequestMeta& meta) {
  auto read = PrepareSecretRead(actor, id, field_id);
  if (!read) return read.error();
  // Fail closed: the read is on record before anyone sees the secret.
  core::Status audited;
  if (secret_reads_ != nullptr) {
    auto stored = secret_reads_->Write(meta, read->entry);  // returns after its COMMIT
    if (!stored) audited = stored.error();
  } else {
    audited = db_.Write([&](soci::session& s) -> core::Status {
      recorder_.Record(s, meta, read->entry);
      return {};
    });
  }
  if (!audited) return AuditFailed(read->credential_id, audited.error());
  return std::move(read->values);
}

void VaultService::ReadSecureValues(const core::Principal& actor, const std::string& id,
                                    const std::optional<std::string>& field_id,
                                    const core::RequestMeta& meta, SecureValuesDone done) {
  if (secret_reads_ == nullptr) {
    done(ReadSecureValues(actor, id, field_id, meta));
    return;
  }
  auto read = PrepareSecretRead(actor, id, field_id);
  if (!read) {
    done(read.error());
    return;
  }
  // Fail closed: the values travel with the callback and reach `done` only after the COMMIT.
  auto values = std::make_shared<SecureValues>(std::move(read->values));
  const std::string credential_id = read->credential_id;
  auto callback = std::make_shared<SecureValuesDone>(std::move(done));
  auto queued = secret_reads_->Submit(
      meta, std::move(read->entry),
      [values, credential_id, callback](core::Result<audit::StoredEvent> stored) {
        if (!stored) {
          (*callback)(AuditFailed(credential_id, stored.error()));
          return;
        }
        (*callback)(std::move(*values));
      });
  if (!queued) (*callback)(AuditFailed(credential_id, queued.error()));
}

}  // namespace gatehouse::modules::vault
