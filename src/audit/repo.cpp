#include "audit/repo.hpp"

#include <deque>
#include <variant>

#include "store/database.hpp"

namespace gatehouse::audit::repo {
namespace {

constexpr const char* kColumns =
    "id, seq, user_id, event_type, resource_type, resource_id, actor_id, ip_address, user_agent, "
    "description, metadata, status, error_message, country_code, country_name, city, region, "
    "source_service, request_id, severity, created_at, is_reported, prev_hash, hash";

// One row of kColumns bound into a statement.
struct Row {
  StoredEvent e;
  long long seq = 0, created = 0;
  int reported = 0;
  std::string user_id, resource_type, resource_id, actor_id, ip, ua, description, error, cc, cn,
      city, region, request_id;
  soci::indicator user_i{}, rtype_i{}, rid_i{}, actor_i{}, ip_i{}, ua_i{}, desc_i{}, error_i{},
      cc_i{}, cn_i{}, city_i{}, region_i{}, req_i{};

  void Bind(soci::statement& st) {
    st.exchange(soci::into(e.id));
    st.exchange(soci::into(seq));
    st.exchange(soci::into(user_id, user_i));
    st.exchange(soci::into(e.event_type));
    st.exchange(soci::into(resource_type, rtype_i));
    st.exchange(soci::into(resource_id, rid_i));
    st.exchange(soci::into(actor_id, actor_i));
    st.exchange(soci::into(ip, ip_i));
    st.exchange(soci::into(ua, ua_i));
    st.exchange(soci::into(description, desc_i));
    st.exchange(soci::into(e.metadata));
    st.exchange(soci::into(e.status));
    st.exchange(soci::into(error, error_i));
    st.exchange(soci::into(cc, cc_i));
    st.exchange(soci::into(cn, cn_i));
    st.exchange(soci::into(city, city_i));
    st.exchange(soci::into(region, region_i));
    st.exchange(soci::into(e.source_service));
    st.exchange(soci::into(request_id, req_i));
    st.exchange(soci::into(e.severity));
    st.exchange(soci::into(created));
    st.exchange(soci::into(reported));
    st.exchange(soci::into(e.prev_hash));
    st.exchange(soci::into(e.hash));
  }

  static std::optional<std::string> Opt(const std::string& v, soci::indicator i) {
    if (i == soci::i_null) return std::nullopt;
    return v;
  }

  StoredEvent Take() const {
    StoredEvent out = e;
    out.seq = seq;
    out.created_at = created;
    out.is_reported = reported != 0;
    out.user_id = Opt(user_id, user_i);
    out.resource_type = Opt(resource_type, rtype_i);
    out.resource_id = Opt(resource_id, rid_i);
    out.actor_id = Opt(actor_id, actor_i);
    out.ip_address = Opt(ip, ip_i);
    out.user_agent = Opt(ua, ua_i);
    out.description = Opt(description, desc_i);
    out.error_message = Opt(error, error_i);
    out.country_code = Opt(cc, cc_i);
    out.country_name = Opt(cn, cn_i);
    out.city = Opt(city, city_i);
    out.region = Opt(region, region_i);
    out.request_id = Opt(request_id, req_i);
    return out;
  }
};

// WHERE clause with its parameters, bound in order of appearance.
struct Where {
  std::string sql;
  std::deque<std::variant<std::string, long long>> params;

  std::string Next(std::variant<std::string, long long> value) {
    params.push_back(std::move(value));
    return ":p" + std::to_string(params.size());
  }
  void And(const std::string& clause) { sql += sql.empty() ? " WHERE " + clause : " AND " + clause; }

  void BindTo(soci::statement& st) {
    for (auto& p : params) {
      if (auto* text = std::get_if<std::string>(&p)) {
        st.exchange(soci::use(*text));
      } else {
        st.exchange(soci::use(std::get<long long>(p)));
      }
    }
  }
};

std::string Like(const std::string& text) {
  std::string out = "%";
  for (char c : text) {
    const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == '%' || lower == '_' || lower == '\\') out.push_back('\\');
    out.push_back(lower);
  }
  return out + "%";
}

Where BuildWhere(const EventFilter& f, bool with_keyset) {
  Where w;
  if (f.user_id) w.And("user_id = " + w.Next(*f.user_id));
  if (!f.event_types.empty()) {
    std::string list;
    for (const auto& type : f.event_types) list += (list.empty() ? "" : ", ") + w.Next(type);
    w.And("event_type IN (" + list + ")");
  }
  if (f.user_search) {
    const std::string pattern = Like(*f.user_search);
    const std::string a = w.Next(pattern), b = w.Next(pattern), c = w.Next(pattern);
    w.And("user_id IN (SELECT id FROM users WHERE lower(email) LIKE " + a +
          " ESCAPE '\\' OR lower(coalesce(login, '')) LIKE " + b +
          " ESCAPE '\\' OR lower(coalesce(name, '')) LIKE " + c + " ESCAPE '\\')");
  }
  if (f.resource_type) w.And("resource_type = " + w.Next(*f.resource_type));
  if (f.status) w.And("status = " + w.Next(*f.status));
  if (f.source_service) w.And("source_service = " + w.Next(*f.source_service));
  if (f.severity) w.And("severity = " + w.Next(*f.severity));
  if (f.start_ms) w.And("created_at >= " + w.Next(static_cast<long long>(*f.start_ms)));
  if (f.end_ms) w.And("created_at <= " + w.Next(static_cast<long long>(*f.end_ms)));
  if (f.is_reported) w.And(std::string("is_reported = ") + (*f.is_reported ? "1" : "0"));
  if (with_keyset && f.after_created_at && f.after_seq) {
    // created_at <= X bounds the index range; the OR only trims ties.
    const long long at = *f.after_created_at, seq = *f.after_seq;
    const char* cmp = f.descending ? " < " : " > ";
    const std::string a = w.Next(at), b = w.Next(at), c = w.Next(seq);
    w.And(std::string("created_at ") + (f.descending ? "<= " : ">= ") + a + " AND (created_at" +
          cmp + b + " OR seq" + cmp + c + ")");
  }
  return w;
}

const char* SortColumn(const std::string& requested) {
  for (const char* column : kSortColumns) {
    if (requested == column) return column;
  }
  return "created_at";
}

std::vector<StoredEvent> Fetch(soci::session& s, const std::string& sql, Where& where) {
  Row row;
  soci::statement st(s);
  row.Bind(st);
  where.BindTo(st);
  st.alloc();
  st.prepare(sql);
  st.define_and_bind();
  std::vector<StoredEvent> out;
  if (st.execute(true)) {
    do {
      out.push_back(row.Take());
    } while (st.fetch());
  }
  return out;
}

soci::indicator Ind(const std::optional<std::string>& v) { return v ? soci::i_ok : soci::i_null; }

}  // namespace

ChainHead LockChainHead(soci::session& s) {
  ChainHead head;
  long long seq = 0;
  const char* sql = store::DialectOf(s) == store::Dialect::kPostgres
                        ? "SELECT last_seq, last_hash FROM audit_chain WHERE id = 1 FOR UPDATE"
                        : "SELECT last_seq, last_hash FROM audit_chain WHERE id = 1";
  s << sql, soci::into(seq), soci::into(head.last_hash);
  head.last_seq = seq;
  return head;
}

ChainHead ReadChainHead(soci::session& s) {
  ChainHead head;
  long long seq = 0;
  s << "SELECT last_seq, last_hash FROM audit_chain WHERE id = 1", soci::into(seq),
      soci::into(head.last_hash);
  head.last_seq = seq;
  return head;
}

void UpdateChainHead(soci::session& s, std::int64_t seq, const std::string& hash) {
  const long long value = seq;
  s << "UPDATE audit_chain SET last_seq = :s, last_hash = :h WHERE id = 1", soci::use(value),
      soci::use(hash);
}

void InsertEvent(soci::session& s, const StoredEvent& e) {
  const long long seq = e.seq, created = e.created_at;
  const std::string user = e.user_id.value_or(""), rtype = e.resource_type.value_or("");
  const std::string rid = e.resource_id.value_or(""), actor = e.actor_id.value_or("");
  const std::string ip = e.ip_address.value_or(""), ua = e.user_agent.value_or("");
  const std::string desc = e.description.value_or(""), error = e.error_message.value_or("");
  const std::string cc = e.country_code.value_or(""), cn = e.country_name.value_or("");
  const std::string city = e.city.value_or(""), region = e.region.value_or("");
  const std::string req = e.request_id.value_or("");
  soci::indicator user_i = Ind(e.user_id), rtype_i = Ind(e.resource_type),
                  rid_i = Ind(e.resource_id), actor_i = Ind(e.actor_id), ip_i = Ind(e.ip_address),
                  ua_i = Ind(e.user_agent), desc_i = Ind(e.description),
                  error_i = Ind(e.error_message), cc_i = Ind(e.country_code),
                  cn_i = Ind(e.country_name), city_i = Ind(e.city), region_i = Ind(e.region),
                  req_i = Ind(e.request_id);
  s << "INSERT INTO audit_events (id, seq, user_id, event_type, resource_type, resource_id, "
       "actor_id, ip_address, user_agent, description, metadata, status, error_message, "
       "country_code, country_name, city, region, source_service, request_id, severity, "
       "created_at, is_reported, prev_hash, hash) VALUES (:id, :seq, :u, :t, :rt, :ri, :a, :ip, "
       ":ua, :d, :m, :st, :er, :cc, :cn, :ci, :re, :ss, :rq, :sv, :c, 0, :ph, :h)",
      soci::use(e.id), soci::use(seq), soci::use(user, user_i), soci::use(e.event_type),
      soci::use(rtype, rtype_i), soci::use(rid, rid_i), soci::use(actor, actor_i),
      soci::use(ip, ip_i), soci::use(ua, ua_i), soci::use(desc, desc_i), soci::use(e.metadata),
      soci::use(e.status), soci::use(error, error_i), soci::use(cc, cc_i), soci::use(cn, cn_i),
      soci::use(city, city_i), soci::use(region, region_i), soci::use(e.source_service),
      soci::use(req, req_i), soci::use(e.severity), soci::use(created), soci::use(e.prev_hash),
      soci::use(e.hash);
}

std::vector<StoredEvent> QueryEvents(soci::session& s, const EventFilter& f) {
  Where where = BuildWhere(f, /*with_keyset=*/true);
  const std::string direction = f.descending ? " DESC" : " ASC";
  const std::string limit = where.Next(static_cast<long long>(f.limit));
  const std::string offset = where.Next(static_cast<long long>(f.offset));
  const std::string column = SortColumn(f.sort_column);
  // user_id and resource_type may be NULL: sort those as SQLite does (smallest) on PostgreSQL
  // too, so both backends page identically.
  std::string nulls;
  if (store::DialectOf(s) == store::Dialect::kPostgres &&
      (column == "user_id" || column == "resource_type")) {
    nulls = f.descending ? " NULLS LAST" : " NULLS FIRST";
  }
  const std::string sql = std::string("SELECT ") + kColumns + " FROM audit_events" + where.sql +
                          " ORDER BY " + column + direction + nulls + ", seq" + direction +
                          " LIMIT " + limit + " OFFSET " + offset;
  return Fetch(s, sql, where);
}

std::int64_t CountEvents(soci::session& s, const EventFilter& f) {
  Where where = BuildWhere(f, /*with_keyset=*/false);
  long long count = 0;
  soci::statement st(s);
  st.exchange(soci::into(count));
  where.BindTo(st);
  st.alloc();
  st.prepare("SELECT COUNT(*) FROM audit_events" + where.sql);
  st.define_and_bind();
  st.execute(true);
  return count;
}

std::optional<StoredEvent> FindEvent(soci::session& s, const std::string& id) {
  Where where;
  where.And("id = " + where.Next(id));
  auto rows = Fetch(s, std::string("SELECT ") + kColumns + " FROM audit_events" + where.sql, where);
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

void MarkReported(soci::session& s, const std::string& id) {
  s << "UPDATE audit_events SET is_reported = 1 WHERE id = :id", soci::use(id);
}

void WalkChain(soci::session& s, std::int64_t after_seq,
               const std::function<bool(const StoredEvent&)>& visit) {
  // In pages, so a large log never sits in memory at once.
  constexpr long long kPage = 5000;
  long long from = after_seq;
  while (true) {
    Where where;
    where.And("seq > " + where.Next(from));
    const std::string limit = where.Next(kPage);
    auto rows = Fetch(s, std::string("SELECT ") + kColumns + " FROM audit_events" + where.sql +
                             " ORDER BY seq LIMIT " + limit, where);
    for (const auto& row : rows) {
      if (!visit(row)) return;
      from = row.seq;
    }
    if (static_cast<long long>(rows.size()) < kPage) return;
  }
}

std::optional<Checkpoint> LatestCheckpoint(soci::session& s) {
  Checkpoint checkpoint;
  long long seq = 0;
  s << "SELECT last_seq, last_hash FROM audit_checkpoints ORDER BY last_seq DESC LIMIT 1",
      soci::into(seq), soci::into(checkpoint.last_hash);
  if (!s.got_data()) return std::nullopt;
  checkpoint.last_seq = seq;
  return checkpoint;
}

std::int64_t Prune(soci::session& s, std::int64_t before_ms, std::int64_t now_ms,
                   const std::string& checkpoint_id) {
  LockChainHead(s);
  long long last_seq = 0;
  std::string last_hash;
  soci::indicator seq_i{};
  const long long before = before_ms;
  // The newest event always stays, so the chain head keeps a row to point at.
  s << "SELECT seq, hash FROM audit_events WHERE created_at < :b AND seq < "
       "(SELECT MAX(seq) FROM audit_events) ORDER BY seq DESC LIMIT 1",
      soci::into(last_seq, seq_i), soci::into(last_hash), soci::use(before);
  if (!s.got_data() || seq_i == soci::i_null) return 0;
  long long pruned = 0;
  s << "SELECT COUNT(*) FROM audit_events WHERE seq <= :s", soci::into(pruned),
      soci::use(last_seq);
  s << "DELETE FROM audit_reports WHERE audit_event_id IN "
       "(SELECT id FROM audit_events WHERE seq <= :s)",
      soci::use(last_seq);
  s << "DELETE FROM audit_events WHERE seq <= :s", soci::use(last_seq);
  const long long now = now_ms;
  s << "INSERT INTO audit_checkpoints (id, before_time, last_seq, last_hash, pruned, created_at) "
       "VALUES (:id, :b, :s, :h, :p, :c)",
      soci::use(checkpoint_id), soci::use(before), soci::use(last_seq), soci::use(last_hash),
      soci::use(pruned), soci::use(now);
  return pruned;
}

std::vector<Count> CountBy(soci::session& s, const char* column, std::int64_t since_ms) {
  std::vector<Count> out;
  std::string key;
  long long count = 0;
  const long long since = since_ms;
  soci::statement st =
      (s.prepare << std::string("SELECT ") + column + ", COUNT(*) FROM audit_events WHERE "
                        "created_at >= :s GROUP BY " + column + " ORDER BY 2 DESC",
       soci::into(key), soci::into(count), soci::use(since));
  if (st.execute(true)) {
    do {
      out.push_back({key, count});
    } while (st.fetch());
  }
  return out;
}

std::vector<Count> CountByDay(soci::session& s, std::int64_t since_ms) {
  std::vector<Count> out;
  long long day = 0, count = 0;
  const long long since = since_ms;
  soci::statement st =
      (s.prepare << "SELECT created_at / 86400000 AS day, COUNT(*) FROM audit_events "
                    "WHERE created_at >= :s GROUP BY created_at / 86400000 ORDER BY 1",
       soci::into(day), soci::into(count), soci::use(since));
  if (st.execute(true)) {
    do {
      out.push_back({std::to_string(day), count});
    } while (st.fetch());
  }
  return out;
}

}  // namespace gatehouse::audit::repo
