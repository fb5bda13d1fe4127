#include "modules/vault/routes.hpp"

#include <boost/json.hpp>

#include <limits>

#include "authz/nodes.hpp"
#include "core/json.hpp"
#include "http/deferred.hpp"
#include "http/envelope.hpp"
#include "http/query.hpp"
#include "modules/vault/value_types.hpp"

namespace gatehouse::modules::vault {

using http::Access;
using http::Context;
using http::Method;
using http::Response;
namespace n = authz::nodes;
namespace json = boost::json;

namespace {

constexpr core::StringRule kName{.min = 1, .max = 200, .trim = true};
constexpr core::StringRule kShort{.min = 1, .max = 200};
constexpr core::StringRule kNotes{.min = 0, .max = 10000};
constexpr core::StringRule kUrl{.min = 1, .max = 2000};

// A body field that may be left out (keep), null (clear) or a string (set): `set` says whether
// the request names it at all.
void ReadClearable(core::FieldReader& in, std::string_view key, core::StringRule rule,
                   bool& set, std::optional<std::string>& value) {
  bool null = false;
  auto text = in.NullableString(key, null, rule);
  if (text || null) {
    set = true;
    value = std::move(text);
  }
}

// --- JSON shapes (seed 002) ------------------------------------------------------------------

json::value ParseObjectText(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return json::object{};
  return v;
}

json::object CompanySummary(const Company& c) {
  return {{"id", c.id},
          {"name", c.name},
          {"cw_CompanyId", c.cw_company_id ? json::value(*c.cw_company_id) : json::value(nullptr)},
          {"cw_Identifier", core::JsonOptional(c.cw_identifier)}};
}

json::object CompanyJson(const Company& c, bool with_address) {
  json::object out = CompanySummary(c);
  json::value data = ParseObjectText(c.cw_data);
  if (!with_address) data.as_object().erase("address");
  out.emplace("cw_Data", std::move(data));
  out.emplace("createdAt", core::JsonTime(c.created_at));
  out.emplace("updatedAt", core::JsonTime(c.updated_at));
  return out;
}

json::object ConfigurationJson(const Configuration& c) {
  return {{"id", c.id},
          {"companyId", c.company_id},
          {"name", c.name},
          {"type", core::JsonOptional(c.type)},
          {"data", ParseObjectText(c.data)},
          {"createdAt", core::JsonTime(c.created_at)},
          {"updatedAt", core::JsonTime(c.updated_at)}};
}

json::array FieldDefsJson(const std::vector<FieldDef>& fields) {
  json::array out;
  for (const auto& f : fields) {
    out.push_back({{"id", f.id},
                   {"name", f.name},
                   {"required", f.required},
                   {"secure", f.secure},
                   {"valueType", f.value_type}});
  }
  return out;
}

json::object TypeJson(const CredentialType& t, bool with_count = true) {
  json::object out{{"id", t.id},
                   {"name", t.name},
                   {"permissionScope", core::JsonOptional(t.permission_scope)},
                   {"icon", core::JsonOptional(t.icon)},
                   {"fields", FieldDefsJson(t.fields)}};
  if (with_count) out.emplace("credentialCount", t.credential_count);
  out.emplace("createdAt", core::JsonTime(t.created_at));
  out.emplace("updatedAt", core::JsonTime(t.updated_at));
  return out;
}

// Secure values are never in this shape: their "value" is null.
json::object CredentialJson(const CredentialView& v) {
  json::array fields;
  for (const auto& def : v.type.fields) {
    const StoredValue* stored = v.row.Value(def.id);
    const bool hidden = def.secure || stored == nullptr || stored->secure;
    fields.push_back({{"id", def.id},
                      {"name", def.name},
                      {"secure", def.secure},
                      {"required", def.required},
                      {"valueType", def.value_type},
                      {"value", hidden ? json::value(nullptr) : json::value(stored->value)}});
  }
  return {{"id", v.row.id},
          {"name", v.row.name},
          {"notes", core::JsonOptional(v.row.notes)},
          {"typeId", v.row.type_id},
          {"companyId", v.row.company_id},
          {"fields", std::move(fields)},
          {"type",
           {{"id", v.type.id},
            {"name", v.type.name},
            {"fields", FieldDefsJson(v.type.fields)},
            {"permissionScope", core::JsonOptional(v.type.permission_scope)},
            {"icon", core::JsonOptional(v.type.icon)}}},
          {"company", {{"id", v.company.id}, {"name", v.company.name}}},
          {"createdAt", core::JsonTime(v.row.created_at)},
          {"updatedAt", core::JsonTime(v.row.updated_at)}};
}

json::array CredentialsJson(const std::vector<CredentialView>& views) {
  json::array out;
  for (const auto& v : views) out.push_back(CredentialJson(v));
  return out;
}

// --- request bodies --------------------------------------------------------------------------

// Prefixes nested validation errors with the path of the nested object.
void Nest(const core::Status& status, const std::vector<std::string>& prefix,
          std::vector<core::FieldError>& problems) {
  if (status) return;
  for (auto field : status.error().details) {
    field.path.insert(field.path.begin(), prefix.begin(), prefix.end());
    problems.push_back(std::move(field));
  }
}

core::Status Finish(core::FieldReader& in, std::vector<core::FieldError> nested) {
  auto status = in.Finish();
  if (status && nested.empty()) return {};
  std::vector<core::FieldError> all;
  if (!status) all = status.error().details;
  for (auto& f : nested) all.push_back(std::move(f));
  return core::Validation(std::move(all));
}

std::optional<std::string> AddressJson(const json::value& value,
                                       std::vector<core::FieldError>& problems) {
  if (!value.is_object()) {
    problems.push_back({{"address"}, "Must be an object"});
    return std::nullopt;
  }
  core::FieldReader in(value.as_object());
  json::object out;
  for (const char* key : {"line1", "line2", "city", "state", "zip", "country"}) {
    bool null = false;
    auto text = in.NullableString(key, null, {.min = 0, .max = 200});
    out.emplace(key, text ? json::value(*text) : json::value(nullptr));
  }
  Nest(in.Finish(), {"address"}, problems);
  return json::serialize(out);
}

core::Result<CompanyInput> ParseCompany(std::string_view body, bool create) {
  auto object = core::ParseJsonObject(body);
  if (!object) return object.error();
  core::FieldReader in(*object);
  std::vector<core::FieldError> nested;
  CompanyInput input;
  input.name = create ? in.RequiredString("name", kName) : in.OptionalString("name", kName);
  if (const auto* v = in.OptionalValue("cw_CompanyId")) {
    input.cw_company_id_set = true;
    if (v->is_int64()) {
      input.cw_company_id = v->as_int64();
    } else if (v->is_uint64() && v->as_uint64() <= INT64_MAX) {
      input.cw_company_id = static_cast<std::int64_t>(v->as_uint64());
    } else if (!v->is_null()) {
      nested.push_back({{"cw_CompanyId"}, "Must be an integer or null"});
    }
  }
  ReadClearable(in, "cw_Identifier", kShort, input.cw_identifier_set, input.cw_identifier);
  if (const auto* v = in.OptionalValue("address")) {
    input.address_set = true;
    if (!v->is_null()) input.address_json = AddressJson(*v, nested);
  }
  if (auto st = Finish(in, std::move(nested)); !st) return st.error();
  return input;
}

core::Result<ConfigurationInput> ParseConfiguration(std::string_view body, bool create) {
  auto object = core::ParseJsonObject(body);
  if (!object) return object.error();
  core::FieldReader in(*object);
  std::vector<core::FieldError> nested;
  ConfigurationInput input;
  input.name = create ? in.RequiredString("name", kName) : in.OptionalString("name", kName);
  ReadClearable(in, "type", kShort, input.type_set, input.type);
  if (const auto* v = in.OptionalValue("data")) {
    if (!v->is_object()) {
      nested.push_back({{"data"}, "Must be an object"});
    } else {
      input.data_json = json::serialize(*v);
      if (input.data_json->size() > 64 * 1024) {
        nested.push_back({{"data"}, "Must be at most 64 KiB of JSON"});
      }
    }
  }
  if (auto st = Finish(in, std::move(nested)); !st) return st.error();
  return input;
}

// A body's "fields" array: each item an object that `read` turns into a T; a problem names the
// item's index in its path. nullopt when the array is absent or not an array.
template <typename T, typename Read>
std::optional<std::vector<T>> ParseFieldsArray(const json::value* v, std::size_t max_items,
                                               std::vector<core::FieldError>& problems,
                                               Read read) {
  if (v == nullptr) return std::nullopt;
  if (!v->is_array()) {
    problems.push_back({{"fields"}, "Must be an array"});
    return std::nullopt;
  }
  const auto& items = v->as_array();
  if (items.size() > max_items) {
    problems.push_back({{"fields"}, "At most " + std::to_string(max_items) + " items"});
    return std::nullopt;
  }
  std::vector<T> out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::vector<std::string> prefix{"fields", std::to_string(i)};
    if (!items[i].is_object()) {
      problems.push_back({prefix, "Must be an object"});
      continue;
    }
    core::FieldReader in(items[i].as_object());
    out.push_back(read(in));
    Nest(in.Finish(), prefix, problems);
  }
  return out;
}

// The type's own limit (50 fields) is the service's rule, with its own message.
std::optional<std::vector<FieldDef>> ParseFieldDefs(const json::value* v,
                                                    std::vector<core::FieldError>& problems) {
  return ParseFieldsArray<FieldDef>(
      v, std::numeric_limits<std::size_t>::max(), problems, [](core::FieldReader& in) {
        FieldDef f;
        f.id = in.RequiredString("id", {.min = 1, .max = 64}).value_or("");
        f.name = in.RequiredString("name", {.min = 1, .max = 100, .trim = true}).value_or("");
        f.required = in.OptionalBool("required").value_or(false);
        f.secure = in.OptionalBool("secure").value_or(false);
        f.value_type = in.RequiredString("valueType", {.min = 1, .max = 50}).value_or("");
        return f;
      });
}

core::Result<CredentialTypeInput> ParseType(std::string_view body, bool create) {
  auto object = core::ParseJsonObject(body);
  if (!object) return object.error();
  core::FieldReader in(*object);
  std::vector<core::FieldError> nested;
  CredentialTypeInput input;
  input.name = create ? in.RequiredString("name", kName) : in.OptionalString("name", kName);
  ReadClearable(in, "permissionScope", {.min = 1, .max = 100}, input.scope_set,
                input.permission_scope);
  if (input.permission_scope && !IsValidScope(*input.permission_scope)) {
    nested.push_back({{"permissionScope"},
                      "Must be dotted lower-case segments of a-z, 0-9 and _ (e.g. "
                      "aws.credentials)"});
  }
  ReadClearable(in, "icon", kUrl, input.icon_set, input.icon);
  const json::value* fields = in.OptionalValue("fields");
  if (create && fields == nullptr) nested.push_back({{"fields"}, "Required"});
  input.fields = ParseFieldDefs(fields, nested);
  if (auto st = Finish(in, std::move(nested)); !st) return st.error();
  return input;
}

std::optional<std::vector<FieldValueInput>> ParseFieldValues(
    const json::value* v, std::vector<core::FieldError>& problems) {
  return ParseFieldsArray<FieldValueInput>(v, 100, problems, [](core::FieldReader& in) {
    FieldValueInput f;
    // Seed 002's create body sends the value row's "id" as well; it is accepted and ignored
    // (ids are assigned by the server).
    (void)in.OptionalString("id", {.min = 0, .max = 200});
    f.field_id = in.RequiredString("fieldId", {.min = 1, .max = 64}).value_or("");
    if (const auto* value = in.OptionalValue("value"); value == nullptr) {
      in.Fail({"value"}, "Required");
    } else if (value->is_string()) {
      f.value = std::string(value->get_string());
    } else if (!value->is_null()) {
      in.Fail({"value"}, "Must be a string or null");
    }
    return f;
  });
}

core::Result<CredentialInput> ParseCredential(std::string_view body, bool create) {
  auto object = core::ParseJsonObject(body);
  if (!object) return object.error();
  core::FieldReader in(*object);
  std::vector<core::FieldError> nested;
  CredentialInput input;
  input.name = create ? in.RequiredString("name", kName) : in.OptionalString("name", kName);
  ReadClearable(in, "notes", kNotes, input.notes_set, input.notes);
  if (create) {
    input.type_id = in.RequiredString("typeId", {.min = 1, .max = 200});
    input.company_id = in.RequiredString("companyId", {.min = 1, .max = 200});
  }
  input.fields = ParseFieldValues(in.OptionalValue("fields"), nested);
  if (auto st = Finish(in, std::move(nested)); !st) return st.error();
  return input;
}

core::Result<CredentialInput> ParseFieldsOnly(std::string_view body) {
  auto object = core::ParseJsonObject(body);
  if (!object) return object.error();
  core::FieldReader in(*object);
  std::vector<core::FieldError> nested;
  CredentialInput input;
  const json::value* fields = in.OptionalValue("fields");
  if (fields == nullptr) nested.push_back({{"fields"}, "Required"});
  input.fields = ParseFieldValues(fields, nested);
  if (auto st = Finish(in, std::move(nested)); !st) return st.error();
  return input;
}

std::string P(const Context& c, std::string_view name) { return std::string(c.Param(name)); }

}  // namespace

void BindVaultRoutes(http::Router& router, VaultService& vault) {
  // --- companies ---
  router.Add(Method::kGet, "/v1/company/companies", Access::Nodes({n::kCompanyFetchMany}),
             [&vault](Context& c) -> core::Result<Response> {
               auto page = http::QueryInt(c.request, "page", 1, 1, 1000000);
               if (!page) return page.error();
               auto rpp = http::QueryInt(c.request, "rpp", 30, 1, 100);
               if (!rpp) return rpp.error();
               auto search = http::QueryString(c.request, "search", 200);
               if (!search) return search.error();
               auto list = vault.ListCompanies(*search, *page, *rpp);
               if (!list) return list.error();
               json::array data;
               for (const auto& company : list->items) data.push_back(CompanySummary(company));
               return http::OkPaged(
                   std::move(data), "Companies Fetched Successfully!",
                   {.current_page = *page,
                    .total_pages = (list->total + *rpp - 1) / *rpp,
                    .total_records = list->total,
                    .listed_records = static_cast<std::int64_t>(list->items.size())});
             });

  router.Add(Method::kGet, "/v1/company/companies/:identifier",
             Access::Nodes({n::kCompanyFetch}, {n::kCompanyFetchAddress}),
             [&vault](Context& c) -> core::Result<Response> {
               auto include = http::QueryBool(c.request, "includeAddress", false);
               if (!include) return include.error();
               if (*include && !c.principal.Can(n::kCompanyFetchAddress)) {
                 return core::PermissionDenied();
               }
               auto company = vault.GetCompany(P(c, "identifier"));
               if (!company) return company.error();
               return http::Ok(CompanyJson(*company, *include), "Company Fetched Successfully!");
             });

  router.Add(Method::kPost, "/v1/company/companies", Access::Nodes({n::kCompanyCreate}),
             [&vault](Context& c) -> core::Result<Response> {
               auto input = ParseCompany(c.request.body, /*create=*/true);
               if (!input) return input.error();
               auto company = vault.CreateCompany(c.principal, *input, c.Meta());
               if (!company) return company.error();
               return http::Ok(CompanyJson(*company, c.principal.Can(n::kCompanyFetchAddress)),
                               "Company Created Successfully!", 201);
             });

  router.Add(Method::kPatch, "/v1/company/companies/:identifier",
             Access::Nodes({n::kCompanyUpdate}), [&vault](Context& c) -> core::Result<Response> {
               auto input = ParseCompany(c.request.body, /*create=*/false);
               if (!input) return input.error();
               auto company =
                   vault.UpdateCompany(c.principal, P(c, "identifier"), *input, c.Meta());
               if (!company) return company.error();
               return http::Ok(CompanyJson(*company, c.principal.Can(n::kCompanyFetchAddress)),
                               "Company Updated Successfully!");
             });

  router.Add(Method::kDelete, "/v1/company/companies/:identifier",
             Access::Nodes({n::kCompanyDelete}), [&vault](Context& c) -> core::Result<Response> {
               auto done = vault.DeleteCompany(c.principal, P(c, "identifier"), c.Meta());
               if (!done) return done.error();
               return http::Ok(json::value(nullptr), "Company Deleted Successfully!");
             });

  router.Add(Method::kGet, "/v1/company/companies/:identifier/configurations",
             Access::Nodes({n::kCompanyFetch, n::kCompanyFetchConfigurations}),
             [&vault](Context& c) -> core::Result<Response> {
               auto list = vault.ListConfigurations(P(c, "identifier"));
               if (!list) return list.error();
               json::array data;
               for (const auto& item : *list) data.push_back(ConfigurationJson(item));
               return http::Ok(std::move(data), "Company Configurations Fetched Successfully!");
             });

  router.Add(Method::kPost, "/v1/company/companies/:identifier/configurations",
             Access::Nodes({n::kCompanyUpdate}), [&vault](Context& c) -> core::Result<Response> {
               auto input = ParseConfiguration(c.request.body, /*create=*/true);
               if (!input) return input.error();
               auto item =
                   vault.CreateConfiguration(c.principal, P(c, "identifier"), *input, c.Meta());
               if (!item) return item.error();
               return http::Ok(ConfigurationJson(*item),
                               "Company Configuration Created Successfully!", 201);
             });

  router.Add(Method::kPatch, "/v1/company/companies/:identifier/configurations/:configurationId",
             Access::Nodes({n::kCompanyUpdate}), [&vault](Context& c) -> core::Result<Response> {
               auto input = ParseConfiguration(c.request.body, /*create=*/false);
               if (!input) return input.error();
               auto item = vault.UpdateConfiguration(c.principal, P(c, "identifier"),
                                                     P(c, "configurationId"), *input, c.Meta());
               if (!item) return item.error();
               return http::Ok(ConfigurationJson(*item),
                               "Company Configuration Updated Successfully!");
             });

  router.Add(Method::kDelete, "/v1/company/companies/:identifier/configurations/:configurationId",
             Access::Nodes({n::kCompanyUpdate}), [&vault](Context& c) -> core::Result<Response> {
               auto done = vault.DeleteConfiguration(c.principal, P(c, "identifier"),
                                                     P(c, "configurationId"), c.Meta());
               if (!done) return done.error();
               return http::Ok(json::value(nullptr), "Company Configuration Deleted Successfully!");
             });

  // --- value types ---
  router.Add(Method::kGet, "/v1/credential/valuetypes", Access::Authenticated(),
             [](Context&) -> core::Result<Response> {
               return http::Ok(core::JsonStrings(ValueTypes()),
                               "Value Types Fetched Successfully!");
             });

  // --- credentials ---
  router.Add(Method::kGet, "/v1/credential/credentials/:id", Access::Nodes({n::kCredentialFetch}),
             [&vault](Context& c) -> core::Result<Response> {
               auto view = vault.GetCredential(c.principal, P(c, "id"));
               if (!view) return view.error();
               return http::Ok(CredentialJson(*view), "Credential Fetched Successfully!");
             });

  router.Add(Method::kGet, "/v1/credential/credentials/company/:companyId",
             Access::Nodes({n::kCredentialFetchMany}),
             [&vault](Context& c) -> core::Result<Response> {
               auto list = vault.CredentialsOfCompany(c.principal, P(c, "companyId"));
               if (!list) return list.error();
               return http::Ok(CredentialsJson(*list), "Company Credentials Fetched Successfully!");
             });

  router.Add(Method::kPost, "/v1/credential/credentials", Access::Nodes({n::kCredentialCreate}),
             [&vault](Context& c) -> core::Result<Response> {
               auto input = ParseCredential(c.request.body, /*create=*/true);
               if (!input) return input.error();
               auto view = vault.CreateCredential(c.principal, *input, c.Meta());
               if (!view) return view.error();
               return http::Ok(CredentialJson(*view), "Credential Created Successfully!", 201);
             });

  router.Add(Method::kPatch, "/v1/credential/credentials/:id",
             Access::Nodes({n::kCredentialUpdate}), [&vault](Context& c) -> core::Result<Response> {
               auto input = ParseCredential(c.request.body, /*create=*/false);
               if (!input) return input.error();
               auto view = vault.UpdateCredential(c.principal, P(c, "id"), *input, c.Meta());
               if (!view) return view.error();
               return http::Ok(CredentialJson(*view), "Credential Updated Successfully!");
             });

  router.Add(Method::kPut, "/v1/credential/credentials/:id/fields",
             Access::Nodes({n::kCredentialUpdate, n::kCredentialFieldsUpdate}),
             [&vault](Context& c) -> core::Result<Response> {
               auto input = ParseFieldsOnly(c.request.body);
               if (!input) return input.error();
               auto view = vault.UpdateCredential(c.principal, P(c, "id"), *input, c.Meta());
               if (!view) return view.error();
               return http::Ok(CredentialJson(*view), "Credential Fields Updated Successfully!");
             });

  router.Add(Method::kGet, "/v1/credential/credentials/:id/fields",
             Access::Nodes({n::kCredentialFetch, n::kCredentialFieldsFetch}),
             [&vault](Context& c) -> core::Result<Response> {
               auto view = vault.GetCredential(c.principal, P(c, "id"));
               if (!view) return view.error();
               json::array data;
               for (const auto& def : view->type.fields) {
                 if (const StoredValue* v = view->row.Value(def.id)) {
                   data.push_back({{"id", v->id}, {"fieldId", v->field_id}, {"value", v->value}});
                 }
               }
               return http::Ok(std::move(data), "Credential Fields Fetched Successfully!");
             });

  router.Add(Method::kGet, "/v1/credential/credentials/:id/secure-values",
             Access::Nodes({n::kCredentialFetch, n::kCredentialSecureValuesRead}),
             [&vault](Context& c) -> core::Result<Response> {
               // Answered once the read's audit event committed (never before).
               auto pending = http::Deferred::Make();
               vault.ReadSecureValues(
                   c.principal, P(c, "id"), std::nullopt, c.Meta(),
                   [pending](core::Result<SecureValues> values) {
                     if (!values) {
                       pending->Complete(std::move(values).error());
                       return;
                     }
                     json::object data;
                     for (auto& [field, value] : *values) data.emplace(field, std::move(value));
                     pending->Complete(
                         http::Ok(std::move(data), "Secure Values Fetched Successfully!"));
                   });
               return pending->Later();
             });

  router.Add(Method::kGet, "/v1/credential/credentials/:id/secure-values/:fieldId",
             Access::Nodes({n::kCredentialFetch, n::kCredentialSecureValuesRead}),
             [&vault](Context& c) -> core::Result<Response> {
               const std::string field = P(c, "fieldId");
               auto pending = http::Deferred::Make();
               vault.ReadSecureValues(
                   c.principal, P(c, "id"), field, c.Meta(),
                   [pending, field](core::Result<SecureValues> values) {
                     if (!values) {
                       pending->Complete(std::move(values).error());
                       return;
                     }
                     json::value value = nullptr;
                     for (auto& [id, text] : *values) {
                       if (id == field) value = json::value(std::move(text));
                     }
                     pending->Complete(
                         http::Ok(json::object{{"fieldId", field}, {"value", std::move(value)}},
                                  "Secure Value Fetched Successfully!"));
                   });
               return pending->Later();
             });

  router.Add(Method::kDelete, "/v1/credential/credentials/:id",
             Access::Nodes({n::kCredentialDelete}), [&vault](Context& c) -> core::Result<Response> {
               auto done = vault.DeleteCredential(c.principal, P(c, "id"), c.Meta());
               if (!done) return done.error();
               return http::Ok(json::value(nullptr), "Credential Deleted Successfully!");
             });

  // --- credential types ---
  router.Add(Method::kGet, "/v1/credential-type", Access::Nodes({n::kCredentialTypeFetchMany}),
             [&vault](Context&) -> core::Result<Response> {
               auto list = vault.ListTypes();
               if (!list) return list.error();
               json::array data;
               for (const auto& type : *list) data.push_back(TypeJson(type));
               return http::Ok(std::move(data), "Credential Types Fetched Successfully!");
             });

  router.Add(Method::kGet, "/v1/credential-type/:identifier",
             Access::Nodes({n::kCredentialTypeFetch}),
             [&vault](Context& c) -> core::Result<Response> {
               auto type = vault.GetType(P(c, "identifier"));
               if (!type) return type.error();
               return http::Ok(TypeJson(*type), "Credential Type Fetched Successfully!");
             });

  router.Add(Method::kPost, "/v1/credential-type", Access::Nodes({n::kCredentialTypeCreate}),
             [&vault](Context& c) -> core::Result<Response> {
               auto input = ParseType(c.request.body, /*create=*/true);
               if (!input) return input.error();
               auto type = vault.CreateType(c.principal, *input, c.Meta());
               if (!type) return type.error();
               return http::Ok(TypeJson(*type, /*with_count=*/false),
                               "Credential Type Created Successfully!", 201);
             });

  router.Add(Method::kPatch, "/v1/credential-type/:identifier",
             Access::Nodes({n::kCredentialTypeUpdate}),
             [&vault](Context& c) -> core::Result<Response> {
               auto input = ParseType(c.request.body, /*create=*/false);
               if (!input) return input.error();
               auto type = vault.UpdateType(c.principal, P(c, "identifier"), *input, c.Meta());
               if (!type) return type.error();
               return http::Ok(TypeJson(*type), "Credential Type Updated Successfully!");
             });

  router.Add(Method::kDelete, "/v1/credential-type/:identifier",
             Access::Nodes({n::kCredentialTypeDelete}),
             [&vault](Context& c) -> core::Result<Response> {
               auto done = vault.DeleteType(c.principal, P(c, "identifier"), c.Meta());
               if (!done) return done.error();
               return http::Ok(json::value(nullptr), "Credential Type Deleted Successfully!");
             });

  router.Add(Method::kGet, "/v1/credential-type/:identifier/credentials",
             Access::Nodes({n::kCredentialTypeFetch, n::kCredentialFetchMany}),
             [&vault](Context& c) -> core::Result<Response> {
               auto list = vault.CredentialsOfType(c.principal, P(c, "identifier"));
               if (!list) return list.error();
               return http::Ok(CredentialsJson(*list), "Credentials Fetched Successfully!");
             });
}

}  // namespace gatehouse::modules::vault
