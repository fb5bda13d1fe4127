#include "modules/vault/repo.hpp"

#include <boost/json.hpp>

namespace gatehouse::modules::vault::repo {
namespace {

namespace json = boost::json;

std::string FieldsToJson(const std::vector<FieldDef>& fields) {
  json::array out;
  for (const auto& f : fields) {
    out.push_back(json::object{{"id", f.id},
                               {"name", f.name},
                               {"required", f.required},
                               {"secure", f.secure},
                               {"valueType", f.value_type}});
  }
  return json::serialize(out);
}

std::vector<FieldDef> FieldsFromJson(const std::string& text) {
  std::vector<FieldDef> out;
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_array()) return out;
  for (const auto& item : parsed.as_array()) {
    if (!item.is_object()) continue;
    const auto& o = item.as_object();
    FieldDef f;
    if (const auto* v = o.if_contains("id"); v && v->is_string()) f.id = v->get_string();
    if (const auto* v = o.if_contains("name"); v && v->is_string()) f.name = v->get_string();
    if (const auto* v = o.if_contains("required"); v && v->is_bool()) f.required = v->get_bool();
    if (const auto* v = o.if_contains("secure"); v && v->is_bool()) f.secure = v->get_bool();
    if (const auto* v = o.if_contains("valueType"); v && v->is_string()) {
      f.value_type = v->get_string();
    }
    out.push_back(std::move(f));
  }
  return out;
}

// LIKE pattern for a case-insensitive "contains", with % _ and \ escaped.
std::string ContainsPattern(const std::string& search) {
  std::string out = "%";
  for (char c : search) {
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (lower == '%' || lower == '_' || lower == '\\') out += '\\';
    out += lower;
  }
  return out + "%";
}

constexpr const char* kCompanyColumns =
    "id, name, cw_company_id, cw_identifier, cw_data, created_at, updated_at";

std::vector<Company> QueryCompanies(soci::session& s, const std::string& tail,
                                    const std::vector<std::string>& text_params,
                                    const std::vector<long long>& int_params = {}) {
  Company row;
  long long cw_id = 0, created = 0, updated = 0;
  std::string cw_identifier;
  soci::indicator cw_id_i{}, cw_identifier_i{};
  soci::statement st(s);
  st.exchange(soci::into(row.id));
  st.exchange(soci::into(row.name));
  st.exchange(soci::into(cw_id, cw_id_i));
  st.exchange(soci::into(cw_identifier, cw_identifier_i));
  st.exchange(soci::into(row.cw_data));
  st.exchange(soci::into(created));
  st.exchange(soci::into(updated));
  for (const auto& p : text_params) st.exchange(soci::use(p));
  for (const auto& p : int_params) st.exchange(soci::use(p));
  st.alloc();
  st.prepare(std::string("SELECT ") + kCompanyColumns + " FROM companies " + tail);
  st.define_and_bind();
  std::vector<Company> out;
  if (st.execute(true)) {
    do {
      Company copy = row;
      copy.cw_company_id =
          cw_id_i == soci::i_null ? std::nullopt : std::optional<std::int64_t>(cw_id);
      copy.cw_identifier = cw_identifier_i == soci::i_null
                               ? std::nullopt
                               : std::optional<std::string>(cw_identifier);
      copy.created_at = created;
      copy.updated_at = updated;
      out.push_back(std::move(copy));
    } while (st.fetch());
  }
  return out;
}

std::vector<Configuration> QueryConfigurations(soci::session& s, const std::string& tail,
                                               const std::vector<std::string>& params) {
  Configuration row;
  std::string type;
  soci::indicator type_i{};
  long long created = 0, updated = 0;
  soci::statement st(s);
  st.exchange(soci::into(row.id));
  st.exchange(soci::into(row.company_id));
  st.exchange(soci::into(row.name));
  st.exchange(soci::into(type, type_i));
  st.exchange(soci::into(row.data));
  st.exchange(soci::into(created));
  st.exchange(soci::into(updated));
  for (const auto& p : params) st.exchange(soci::use(p));
  st.alloc();
  st.prepare(
      "SELECT id, company_id, name, type, data, created_at, updated_at FROM "
      "company_configurations " +
      tail);
  st.define_and_bind();
  std::vector<Configuration> out;
  if (st.execute(true)) {
    do {
      Configuration copy = row;
      copy.type = type_i == soci::i_null ? std::nullopt : std::optional<std::string>(type);
      copy.created_at = created;
      copy.updated_at = updated;
      out.push_back(std::move(copy));
    } while (st.fetch());
  }
  return out;
}

std::vector<CredentialType> QueryTypes(soci::session& s, const std::string& tail,
                                       const std::vector<std::string>& params) {
  CredentialType row;
  std::string scope, icon, fields;
  soci::indicator scope_i{}, icon_i{};
  long long count = 0, created = 0, updated = 0;
  soci::statement st(s);
  st.exchange(soci::into(row.id));
  st.exchange(soci::into(row.name));
  st.exchange(soci::into(scope, scope_i));
  st.exchange(soci::into(icon, icon_i));
  st.exchange(soci::into(fields));
  st.exchange(soci::into(count));
  st.exchange(soci::into(created));
  st.exchange(soci::into(updated));
  for (const auto& p : params) st.exchange(soci::use(p));
  st.alloc();
  st.prepare(
      "SELECT t.id, t.name, t.permission_scope, t.icon, t.fields, "
      "(SELECT COUNT(*) FROM credentials c WHERE c.type_id = t.id), t.created_at, t.updated_at "
      "FROM credential_types t " +
      tail);
  st.define_and_bind();
  std::vector<CredentialType> out;
  if (st.execute(true)) {
    do {
      CredentialType copy;
      copy.id = row.id;
      copy.name = row.name;
      copy.permission_scope =
          scope_i == soci::i_null ? std::nullopt : std::optional<std::string>(scope);
      copy.icon = icon_i == soci::i_null ? std::nullopt : std::optional<std::string>(icon);
      copy.fields = FieldsFromJson(fields);
      copy.credential_count = count;
      copy.created_at = created;
      copy.updated_at = updated;
      out.push_back(std::move(copy));
    } while (st.fetch());
  }
  return out;
}

void LoadValues(soci::session& s, CredentialRow& row) {
  StoredValue value;
  int secure = 0;
  soci::statement st = (s.prepare << "SELECT id, field_id, secure, value FROM credential_values "
                                     "WHERE credential_id = :c ORDER BY field_id",
                        soci::into(value.id), soci::into(value.field_id), soci::into(secure),
                        soci::into(value.value), soci::use(row.id));
  if (st.execute(true)) {
    do {
      StoredValue copy = value;
      copy.secure = secure != 0;
      row.values.push_back(std::move(copy));
    } while (st.fetch());
  }
}

std::vector<CredentialRow> QueryCredentials(soci::session& s, const std::string& tail,
                                            const std::vector<std::string>& params) {
  CredentialRow row;
  std::string notes;
  soci::indicator notes_i{};
  int version = 0;
  long long generation = 0, created = 0, updated = 0;
  soci::statement st(s);
  st.exchange(soci::into(row.id));
  st.exchange(soci::into(row.name));
  st.exchange(soci::into(notes, notes_i));
  st.exchange(soci::into(row.type_id));
  st.exchange(soci::into(row.company_id));
  st.exchange(soci::into(version));
  st.exchange(soci::into(row.dek_wrapped));
  st.exchange(soci::into(generation));
  st.exchange(soci::into(created));
  st.exchange(soci::into(updated));
  for (const auto& p : params) st.exchange(soci::use(p));
  st.alloc();
  st.prepare(
      "SELECT id, name, notes, type_id, company_id, dek_master_version, dek_wrapped, "
      "dek_generation, created_at, updated_at FROM credentials " +
      tail);
  st.define_and_bind();
  std::vector<CredentialRow> out;
  if (st.execute(true)) {
    do {
      CredentialRow copy;
      copy.id = row.id;
      copy.name = row.name;
      copy.notes = notes_i == soci::i_null ? std::nullopt : std::optional<std::string>(notes);
      copy.type_id = row.type_id;
      copy.company_id = row.company_id;
      copy.dek_master_version = static_cast<std::uint32_t>(version);
      copy.dek_wrapped = row.dek_wrapped;
      copy.dek_generation = generation;
      copy.created_at = created;
      copy.updated_at = updated;
      out.push_back(std::move(copy));
    } while (st.fetch());
  }
  for (auto& credential : out) LoadValues(s, credential);
  return out;
}

}  // namespace

// --- companies -------------------------------------------------------------------------------

std::optional<Company> FindCompany(soci::session& s, const std::string& id) {
  auto rows = QueryCompanies(s, "WHERE id = :id", {id});
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::vector<Company> ListCompanies(soci::session& s, const std::string& search, std::int64_t offset,
                                   std::int64_t limit) {
  if (search.empty()) {
    return QueryCompanies(s, "ORDER BY name, id LIMIT :l OFFSET :o", {}, {limit, offset});
  }
  const std::string pattern = ContainsPattern(search);
  return QueryCompanies(s,
                        "WHERE LOWER(name) LIKE :a ESCAPE '\\' OR LOWER(COALESCE(cw_identifier, "
                        "'')) LIKE :b ESCAPE '\\' ORDER BY name, id LIMIT :l OFFSET :o",
                        {pattern, pattern}, {limit, offset});
}

std::int64_t CountCompanies(soci::session& s, const std::string& search) {
  long long count = 0;
  if (search.empty()) {
    s << "SELECT COUNT(*) FROM companies", soci::into(count);
  } else {
    const std::string pattern = ContainsPattern(search);
    s << "SELECT COUNT(*) FROM companies WHERE LOWER(name) LIKE :a ESCAPE '\\' OR "
         "LOWER(COALESCE(cw_identifier, '')) LIKE :b ESCAPE '\\'",
        soci::into(count), soci::use(pattern), soci::use(pattern);
  }
  return count;
}

void InsertCompany(soci::session& s, const Company& c) {
  long long cw_id = c.cw_company_id.value_or(0);
  soci::indicator cw_id_i = c.cw_company_id ? soci::i_ok : soci::i_null;
  std::string cw_identifier = c.cw_identifier.value_or("");
  soci::indicator cw_identifier_i = c.cw_identifier ? soci::i_ok : soci::i_null;
  long long created = c.created_at, updated = c.updated_at;
  s << "INSERT INTO companies (id, name, cw_company_id, cw_identifier, cw_data, created_at, "
       "updated_at) VALUES (:id, :n, :ci, :cd, :data, :c, :u)",
      soci::use(c.id), soci::use(c.name), soci::use(cw_id, cw_id_i),
      soci::use(cw_identifier, cw_identifier_i), soci::use(c.cw_data), soci::use(created),
      soci::use(updated);
}

void UpdateCompany(soci::session& s, const Company& c) {
  long long cw_id = c.cw_company_id.value_or(0);
  soci::indicator cw_id_i = c.cw_company_id ? soci::i_ok : soci::i_null;
  std::string cw_identifier = c.cw_identifier.value_or("");
  soci::indicator cw_identifier_i = c.cw_identifier ? soci::i_ok : soci::i_null;
  long long updated = c.updated_at;
  s << "UPDATE companies SET name = :n, cw_company_id = :ci, cw_identifier = :cd, "
       "cw_data = :data, updated_at = :u WHERE id = :id",
      soci::use(c.name), soci::use(cw_id, cw_id_i), soci::use(cw_identifier, cw_identifier_i),
      soci::use(c.cw_data), soci::use(updated), soci::use(c.id);
}

void DeleteCompany(soci::session& s, const std::string& id) {
  s << "DELETE FROM company_configurations WHERE company_id = :id", soci::use(id);
  s << "DELETE FROM companies WHERE id = :id", soci::use(id);
}

std::vector<Configuration> ListConfigurations(soci::session& s, const std::string& company_id) {
  return QueryConfigurations(s, "WHERE company_id = :c ORDER BY created_at, id", {company_id});
}

std::optional<Configuration> FindConfiguration(soci::session& s, const std::string& company_id,
                                               const std::string& id) {
  auto rows = QueryConfigurations(s, "WHERE company_id = :c AND id = :id", {company_id, id});
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

void InsertConfiguration(soci::session& s, const Configuration& c) {
  std::string type = c.type.value_or("");
  soci::indicator type_i = c.type ? soci::i_ok : soci::i_null;
  long long created = c.created_at, updated = c.updated_at;
  s << "INSERT INTO company_configurations (id, company_id, name, type, data, created_at, "
       "updated_at) VALUES (:id, :co, :n, :t, :d, :c, :u)",
      soci::use(c.id), soci::use(c.company_id), soci::use(c.name), soci::use(type, type_i),
      soci::use(c.data), soci::use(created), soci::use(updated);
}

void UpdateConfiguration(soci::session& s, const Configuration& c) {
  std::string type = c.type.value_or("");
  soci::indicator type_i = c.type ? soci::i_ok : soci::i_null;
  long long updated = c.updated_at;
  s << "UPDATE company_configurations SET name = :n, type = :t, data = :d, updated_at = :u "
       "WHERE id = :id",
      soci::use(c.name), soci::use(type, type_i), soci::use(c.data), soci::use(updated),
      soci::use(c.id);
}

void DeleteConfiguration(soci::session& s, const std::string& id) {
  s << "DELETE FROM company_configurations WHERE id = :id", soci::use(id);
}

// --- credential types ------------------------------------------------------------------------

std::optional<CredentialType> FindType(soci::session& s, const std::string& id_or_name) {
  auto rows = QueryTypes(s, "WHERE t.id = :a OR t.name = :b", {id_or_name, id_or_name});
  if (rows.empty()) return std::nullopt;
  for (auto& type : rows) {
    if (type.id == id_or_name) return std::move(type);
  }
  return std::move(rows.front());
}

std::optional<CredentialType> FindTypeByName(soci::session& s, const std::string& name) {
  auto rows = QueryTypes(s, "WHERE t.name = :n", {name});
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::vector<CredentialType> ListTypes(soci::session& s) {
  return QueryTypes(s, "ORDER BY t.name, t.id", {});
}

void InsertType(soci::session& s, const CredentialType& t) {
  std::string scope = t.permission_scope.value_or(""), icon = t.icon.value_or("");
  soci::indicator scope_i = t.permission_scope ? soci::i_ok : soci::i_null;
  soci::indicator icon_i = t.icon ? soci::i_ok : soci::i_null;
  const std::string fields = FieldsToJson(t.fields);
  long long created = t.created_at, updated = t.updated_at;
  s << "INSERT INTO credential_types (id, name, permission_scope, icon, fields, created_at, "
       "updated_at) VALUES (:id, :n, :s, :i, :f, :c, :u)",
      soci::use(t.id), soci::use(t.name), soci::use(scope, scope_i), soci::use(icon, icon_i),
      soci::use(fields), soci::use(created), soci::use(updated);
}

void UpdateType(soci::session& s, const CredentialType& t) {
  std::string scope = t.permission_scope.value_or(""), icon = t.icon.value_or("");
  soci::indicator scope_i = t.permission_scope ? soci::i_ok : soci::i_null;
  soci::indicator icon_i = t.icon ? soci::i_ok : soci::i_null;
  const std::string fields = FieldsToJson(t.fields);
  long long updated = t.updated_at;
  s << "UPDATE credential_types SET name = :n, permission_scope = :s, icon = :i, fields = :f, "
       "updated_at = :u WHERE id = :id",
      soci::use(t.name), soci::use(scope, scope_i), soci::use(icon, icon_i), soci::use(fields),
      soci::use(updated), soci::use(t.id);
}

std::vector<std::string> DeleteType(soci::session& s, const std::string& id) {
  std::vector<std::string> ids;
  std::string credential_id;
  soci::statement st = (s.prepare << "SELECT id FROM credentials WHERE type_id = :t ORDER BY id",
                        soci::into(credential_id), soci::use(id));
  if (st.execute(true)) {
    do {
      ids.push_back(credential_id);
    } while (st.fetch());
  }
  // Explicit deletes as well as ON DELETE CASCADE, so the outcome does not depend on the
  // connection's foreign_keys setting.
  s << "DELETE FROM credential_values WHERE credential_id IN "
       "(SELECT id FROM credentials WHERE type_id = :t)",
      soci::use(id);
  s << "DELETE FROM credentials WHERE type_id = :t", soci::use(id);
  s << "DELETE FROM credential_types WHERE id = :t", soci::use(id);
  return ids;
}

std::int64_t CountFieldValues(soci::session& s, const std::string& type_id,
                              const std::string& field_id) {
  long long count = 0;
  s << "SELECT COUNT(*) FROM credential_values v JOIN credentials c ON c.id = v.credential_id "
       "WHERE c.type_id = :t AND v.field_id = :f",
      soci::into(count), soci::use(type_id), soci::use(field_id);
  return count;
}

void DeleteFieldValues(soci::session& s, const std::string& type_id, const std::string& field_id) {
  s << "DELETE FROM credential_values WHERE field_id = :f AND credential_id IN "
       "(SELECT id FROM credentials WHERE type_id = :t)",
      soci::use(field_id), soci::use(type_id);
}

// --- credentials -----------------------------------------------------------------------------

std::optional<CredentialRow> FindCredential(soci::session& s, const std::string& id) {
  auto rows = QueryCredentials(s, "WHERE id = :id", {id});
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::vector<CredentialRow> ListCredentialsOfCompany(soci::session& s,
                                                    const std::string& company_id) {
  return QueryCredentials(s, "WHERE company_id = :c ORDER BY created_at, id", {company_id});
}

std::vector<CredentialRow> ListCredentialsOfType(soci::session& s, const std::string& type_id) {
  return QueryCredentials(s, "WHERE type_id = :t ORDER BY created_at, id", {type_id});
}

std::int64_t CountCredentialsOfCompany(soci::session& s, const std::string& company_id) {
  long long count = 0;
  s << "SELECT COUNT(*) FROM credentials WHERE company_id = :c", soci::into(count),
      soci::use(company_id);
  return count;
}

void InsertCredential(soci::session& s, const CredentialRow& r) {
  std::string notes = r.notes.value_or("");
  soci::indicator notes_i = r.notes ? soci::i_ok : soci::i_null;
  const int version = static_cast<int>(r.dek_master_version);
  long long generation = r.dek_generation, created = r.created_at, updated = r.updated_at;
  s << "INSERT INTO credentials (id, name, notes, type_id, company_id, dek_master_version, "
       "dek_wrapped, dek_generation, created_at, updated_at) VALUES (:id, :n, :no, :t, :co, :v, "
       ":w, :g, :c, :u)",
      soci::use(r.id), soci::use(r.name), soci::use(notes, notes_i), soci::use(r.type_id),
      soci::use(r.company_id), soci::use(version), soci::use(r.dek_wrapped), soci::use(generation),
      soci::use(created), soci::use(updated);
  for (const auto& value : r.values) UpsertValue(s, r.id, value);
}

void UpdateCredential(soci::session& s, const CredentialRow& r) {
  std::string notes = r.notes.value_or("");
  soci::indicator notes_i = r.notes ? soci::i_ok : soci::i_null;
  long long updated = r.updated_at;
  s << "UPDATE credentials SET name = :n, notes = :no, updated_at = :u WHERE id = :id",
      soci::use(r.name), soci::use(notes, notes_i), soci::use(updated), soci::use(r.id);
}

void UpsertValue(soci::session& s, const std::string& credential_id, const StoredValue& value) {
  const int secure = value.secure ? 1 : 0;
  s << "DELETE FROM credential_values WHERE credential_id = :c AND field_id = :f",
      soci::use(credential_id), soci::use(value.field_id);
  s << "INSERT INTO credential_values (id, credential_id, field_id, secure, value) "
       "VALUES (:id, :c, :f, :s, :v)",
      soci::use(value.id), soci::use(credential_id), soci::use(value.field_id), soci::use(secure),
      soci::use(value.value);
}

void DeleteValue(soci::session& s, const std::string& credential_id, const std::string& field_id) {
  s << "DELETE FROM credential_values WHERE credential_id = :c AND field_id = :f",
      soci::use(credential_id), soci::use(field_id);
}

void DeleteCredential(soci::session& s, const std::string& id) {
  s << "DELETE FROM credential_values WHERE credential_id = :id", soci::use(id);
  s << "DELETE FROM credentials WHERE id = :id", soci::use(id);
}

// --- master keys -----------------------------------------------------------------------------

std::vector<std::pair<std::uint32_t, std::string>> ListMasterChecks(soci::session& s) {
  std::vector<std::pair<std::uint32_t, std::string>> out;
  int version = 0;
  std::string check;
  soci::statement st = (s.prepare << "SELECT version, check_value FROM vault_master_keys "
                                     "ORDER BY version",
                        soci::into(version), soci::into(check));
  if (st.execute(true)) {
    do {
      out.emplace_back(static_cast<std::uint32_t>(version), check);
    } while (st.fetch());
  }
  return out;
}

void InsertMasterCheck(soci::session& s, std::uint32_t version, const std::string& check,
                       std::int64_t now) {
  const int v = static_cast<int>(version);
  long long created = now;
  s << "INSERT INTO vault_master_keys (version, check_value, created_at) VALUES (:v, :c, :t)",
      soci::use(v), soci::use(check), soci::use(created);
}

std::vector<WrappedRow> ListWrappedNotAt(soci::session& s, std::uint32_t version,
                                         std::int64_t limit) {
  std::vector<WrappedRow> out;
  WrappedRow row;
  int v = 0;
  const int current = static_cast<int>(version);
  long long l = limit;
  soci::statement st = (s.prepare << "SELECT id, dek_master_version, dek_wrapped FROM credentials "
                                     "WHERE dek_master_version <> :v ORDER BY id LIMIT :l",
                        soci::into(row.id), soci::into(v), soci::into(row.wrapped),
                        soci::use(current), soci::use(l));
  if (st.execute(true)) {
    do {
      WrappedRow copy = row;
      copy.version = static_cast<std::uint32_t>(v);
      out.push_back(std::move(copy));
    } while (st.fetch());
  }
  return out;
}

long long ReplaceWrapped(soci::session& s, const WrappedRow& before, std::uint32_t version,
                         const std::string& wrapped) {
  const int v = static_cast<int>(version), old_v = static_cast<int>(before.version);
  soci::statement st = (s.prepare << "UPDATE credentials SET dek_master_version = :v, "
                                     "dek_wrapped = :w WHERE id = :id AND dek_master_version = "
                                     ":ov AND dek_wrapped = :ow",
                        soci::use(v), soci::use(wrapped), soci::use(before.id), soci::use(old_v),
                        soci::use(before.wrapped));
  st.execute(true);
  return st.get_affected_rows();
}

std::int64_t CountAtVersion(soci::session& s, std::uint32_t version) {
  long long count = 0;
  const int v = static_cast<int>(version);
  s << "SELECT COUNT(*) FROM credentials WHERE dek_master_version = :v", soci::into(count),
      soci::use(v);
  return count;
}

}  // namespace gatehouse::modules::vault::repo
