#include "audit/report_repo.hpp"

namespace gatehouse::audit::repo {
namespace {

constexpr const char* kReportColumns =
    "id, audit_event_id, user_id, reason, description, status, reviewed_by, reviewed_at, "
    "resolution_notes, created_at, updated_at";

// One row of kReportColumns bound into a statement.
struct ReportRow {
  Report r;
  std::string description, reviewed_by, notes;
  long long reviewed_at = 0, created = 0, updated = 0;
  soci::indicator desc_i{}, by_i{}, at_i{}, notes_i{};

  void Bind(soci::statement& st) {
    st.exchange(soci::into(r.id));
    st.exchange(soci::into(r.audit_event_id));
    st.exchange(soci::into(r.user_id));
    st.exchange(soci::into(r.reason));
    st.exchange(soci::into(description, desc_i));
    st.exchange(soci::into(r.status));
    st.exchange(soci::into(reviewed_by, by_i));
    st.exchange(soci::into(reviewed_at, at_i));
    st.exchange(soci::into(notes, notes_i));
    st.exchange(soci::into(created));
    st.exchange(soci::into(updated));
  }

  Report Take() const {
    Report out = r;
    if (desc_i != soci::i_null) out.description = description;
    if (by_i != soci::i_null) out.reviewed_by = reviewed_by;
    if (at_i != soci::i_null) out.reviewed_at = reviewed_at;
    if (notes_i != soci::i_null) out.resolution_notes = notes;
    out.created_at = created;
    out.updated_at = updated;
    return out;
  }
};

// "WHERE ..." for a filter, with its text parameters in order.
std::string WhereOf(const ReportFilter& f, std::vector<std::string>& params) {
  std::string sql;
  auto add = [&](const char* clause, const std::string& value) {
    params.push_back(value);
    sql += (sql.empty() ? " WHERE " : " AND ") + std::string(clause) + " = :p" +
           std::to_string(params.size());
  };
  if (f.user_id) add("user_id", *f.user_id);
  if (f.status) add("status", *f.status);
  return sql;
}

soci::indicator Ind(bool present) { return present ? soci::i_ok : soci::i_null; }

}  // namespace

void InsertReport(soci::session& s, const Report& r) {
  const std::string description = r.description.value_or("");
  const long long created = r.created_at, updated = r.updated_at;
  soci::indicator desc_i = Ind(r.description.has_value());
  s << "INSERT INTO audit_reports (id, audit_event_id, user_id, reason, description, status, "
       "created_at, updated_at) VALUES (:id, :e, :u, :r, :d, :s, :c, :up)",
      soci::use(r.id), soci::use(r.audit_event_id), soci::use(r.user_id), soci::use(r.reason),
      soci::use(description, desc_i), soci::use(r.status), soci::use(created), soci::use(updated);
}

std::optional<Report> FindReport(soci::session& s, const std::string& id) {
  ReportRow row;
  std::string key = id;
  soci::statement st(s);
  row.Bind(st);
  st.exchange(soci::use(key));
  st.alloc();
  st.prepare(std::string("SELECT ") + kReportColumns + " FROM audit_reports WHERE id = :id");
  st.define_and_bind();
  if (!st.execute(true)) return std::nullopt;
  return row.Take();
}

bool HasOpenReport(soci::session& s, const std::string& audit_event_id) {
  long long count = 0;
  s << "SELECT COUNT(*) FROM audit_reports WHERE audit_event_id = :e AND status IN "
       "('pending', 'reviewed')",
      soci::into(count), soci::use(audit_event_id);
  return count > 0;
}

void UpdateReport(soci::session& s, const Report& r) {
  const std::string by = r.reviewed_by.value_or(""), notes = r.resolution_notes.value_or("");
  const long long at = r.reviewed_at.value_or(0), updated = r.updated_at;
  soci::indicator by_i = Ind(r.reviewed_by.has_value()), at_i = Ind(r.reviewed_at.has_value()),
                  notes_i = Ind(r.resolution_notes.has_value());
  s << "UPDATE audit_reports SET status = :s, reviewed_by = :b, reviewed_at = :a, "
       "resolution_notes = :n, updated_at = :u WHERE id = :id",
      soci::use(r.status), soci::use(by, by_i), soci::use(at, at_i), soci::use(notes, notes_i),
      soci::use(updated), soci::use(r.id);
}

std::vector<Report> ListReports(soci::session& s, const ReportFilter& f) {
  std::vector<std::string> params;
  const std::string where = WhereOf(f, params);
  long long limit = f.limit, offset = f.offset;
  ReportRow row;
  soci::statement st(s);
  row.Bind(st);
  for (auto& p : params) st.exchange(soci::use(p));
  st.exchange(soci::use(limit));
  st.exchange(soci::use(offset));
  const std::string n = std::to_string(params.size());
  st.alloc();
  st.prepare(std::string("SELECT ") + kReportColumns + " FROM audit_reports" + where +
             " ORDER BY created_at DESC, id DESC LIMIT :l" + n + " OFFSET :o" + n);
  st.define_and_bind();
  std::vector<Report> out;
  if (st.execute(true)) {
    do {
      out.push_back(row.Take());
    } while (st.fetch());
  }
  return out;
}

std::int64_t CountReports(soci::session& s, const ReportFilter& f) {
  std::vector<std::string> params;
  const std::string where = WhereOf(f, params);
  long long count = 0;
  soci::statement st(s);
  st.exchange(soci::into(count));
  for (auto& p : params) st.exchange(soci::use(p));
  st.alloc();
  st.prepare("SELECT COUNT(*) FROM audit_reports" + where);
  st.define_and_bind();
  st.execute(true);
  return count;
}

}  // namespace gatehouse::audit::repo
