// Database: the only way gatehouse reaches SQL. A pool of SOCI sessions on SQLite (WAL, one
// serialised writer, pooled readers) or PostgreSQL (pooled, reconnecting), transactions, and the
// conversion of driver exceptions into core::Error so nothing above store/ sees SOCI errors.
//
//   auto db = Database::Open({.data_dir = "/var/lib/gatehouse"});  // SQLite by default
//   core::Status st = (*db)->Write([&](soci::session& s) -> core::Status {
//     s << "INSERT INTO notes (id) VALUES (:id)", soci::use(id); return {}; });
#pragma once

#include <soci/soci.h>

#include <functional>
#include <vector>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "core/error.hpp"

namespace gatehouse::store {

enum class Dialect { kSqlite, kPostgres };

struct StoreOptions {
  // "" = SQLite at <data_dir>/gatehouse.db; "sqlite:PATH"; "postgres://user:pass@host:port/db"
  // or "postgresql://..." (any libpq URI, query parameters included).
  // (The {} initialisers let callers use designated initialisers without -Wextra warnings.)
  std::string url{};
  std::string data_dir{};  // created (0700) if missing when SQLite is used
  unsigned pool_size = 4;  // connections (SQLite: 1 writer + pool_size readers)
};

namespace internal {
template <typename T>
struct IsResult : std::false_type {};
template <typename T>
struct IsResult<core::Result<T>> : std::true_type {};
}  // namespace internal

class Database {
 public:
  // Connects every pooled connection up front so a bad URL, an unreachable server or a SQLite
  // file where WAL/foreign keys/synchronous=FULL cannot be enabled fails at start-up, not on the
  // first request. SQLite pragmas are read back and asserted (kFailedPrecondition if not in
  // effect); connection failures are kUnavailable; a malformed url is kInvalidArgument.
  static core::Result<std::unique_ptr<Database>> Open(const StoreOptions& options);

  ~Database();  // Close()
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Dialect dialect() const;

  // fn: core::Result<T>(soci::session&) (core::Status included). Runs on a pooled read connection
  // without an explicit transaction; on SQLite readers are query_only, so a write there fails.
  // SOCI/driver exceptions thrown by fn become errors: connection, busy, locked, serialisation
  // problems -> kUnavailable (retry later), unique violation -> kAlreadyExists, anything else ->
  // kInternal. internal_message carries the driver text; public_message never does.
  template <typename F>
  auto Read(F&& fn) -> std::invoke_result_t<F&, soci::session&>;

  // Same, inside a write transaction: SQLite takes the single writer connection (serialised by
  // the pool) and BEGIN IMMEDIATE, so writers queue in-process instead of failing SQLITE_BUSY;
  // PostgreSQL uses BEGIN on a pooled connection. Commits if fn returns ok, rolls back if it
  // returns an error or throws. A failed COMMIT, or a PostgreSQL transaction that a swallowed
  // statement error aborted, is returned as an error, never as success. fn's own error is
  // returned unchanged. fn must not call Write on the same Database (refused: it would
  // deadlock) and should not block on anything slow: on SQLite it holds the only writer.
  template <typename F>
  auto Write(F&& fn) -> std::invoke_result_t<F&, soci::session&>;

  core::Status Ping();  // SELECT 1 on a read connection

  // Idempotent. Refuses new work (kUnavailable), waits for borrowed connections to be returned,
  // then disconnects. Must not be called from inside a Read/Write callback.
  void Close();

  // "sqlite:/abs/path/gatehouse.db" or "postgres://host:port/db" (never user or password).
  std::string Describe() const;

 private:
  struct Impl;
  using Body = std::function<core::Status(soci::session&)>;

  explicit Database(std::unique_ptr<Impl> impl);
  core::Status RunRead(const Body& body);
  core::Status RunWrite(const Body& body);

  std::unique_ptr<Impl> impl_;
};

// The few statements whose text differs between dialects keep both spellings side by side:
//   s << Sql(db, "INSERT OR IGNORE INTO t ...", "INSERT INTO t ... ON CONFLICT DO NOTHING");
inline const char* Sql(Dialect dialect, const char* sqlite_text, const char* postgres_text) {
  return dialect == Dialect::kSqlite ? sqlite_text : postgres_text;
}
inline const char* Sql(const Database& db, const char* sqlite_text, const char* postgres_text) {
  return Sql(db.dialect(), sqlite_text, postgres_text);
}

// Dialect of a session handed to a Read/Write callback (by its SOCI backend name).
Dialect DialectOf(soci::session& session);

// Runs a script of several ';'-separated statements with the driver's native multi-statement
// call (sqlite3_exec; PQexec, PostgreSQL's simple-query protocol), so semicolons inside string
// literals, comments and function bodies are handled by the database's own parser, not ours.
// Runs inside whatever transaction the session is in. Throws the same SOCI error types as
// ordinary statements, so inside Read/Write failures are converted like any other.
void ExecuteScript(soci::session& session, const std::string& sql);

// ---- statements prepared once per pooled connection ------------------------------------------
//
// A read path that runs the same query on every request can keep it prepared on the connection
// instead of preparing (SQLite: sqlite3_prepare_v2; PostgreSQL: PREPARE/DEALLOCATE round trips)
// each time. T owns a `soci::statement st` and the variables it is bound to, and prepares it in
// its constructor from the session:
//
//   struct ListByUser {
//     std::string user_id; std::string id; soci::statement st;
//     explicit ListByUser(soci::session& s)
//         : st((s.prepare << "SELECT id FROM t WHERE user_id = :u", soci::into(id),
//               soci::use(user_id))) {}
//   };
//   auto q = store::Prepared<ListByUser>(session);  // cached, or built now
//   q->user_id = user;
//   if (q->st.execute(true)) do { ... q->id ... } while (q->st.fetch());
//
// Inside a Read/Write callback on a pooled connection the T is built on first use and kept
// with that connection; its cache is dropped (before the connection) when the pool reconnects
// it or closes. Anywhere else (a session not from the pool) a fresh T is built and destroyed
// with the handle. When the handle goes away the statement is reset, so a SQLite statement
// never keeps a read snapshot open between borrowers. Values bound by reference are re-read on
// every execute; set them before each execute. Use one handle of a given T at a time.
class CachedStatement {
 public:
  virtual ~CachedStatement() = default;
};

namespace internal {
// The statement cache of `session` if it is a pooled connection lent to the current thread;
// lookup by a per-type tag address.
CachedStatement* FindCached(soci::session& session, const void* tag, bool& cacheable);
void StoreCached(soci::session& session, const void* tag, std::unique_ptr<CachedStatement> st);
void ResetStatement(soci::session& session, soci::statement& st) noexcept;

template <typename T>
struct CachedHolder final : CachedStatement {
  explicit CachedHolder(soci::session& s) : value(s) {}
  T value;
};
template <typename T>
inline constexpr char kStatementTag = 0;
}  // namespace internal

template <typename T>
class PreparedHandle {
 public:
  PreparedHandle(soci::session& session, T* value,
                 std::unique_ptr<internal::CachedHolder<T>> owned)
      : session_(&session), value_(value), owned_(std::move(owned)) {}
  PreparedHandle(const PreparedHandle&) = delete;
  PreparedHandle& operator=(const PreparedHandle&) = delete;
  ~PreparedHandle() { internal::ResetStatement(*session_, value_->st); }

  T* operator->() const { return value_; }
  T& operator*() const { return *value_; }

 private:
  soci::session* session_;
  T* value_;
  std::unique_ptr<internal::CachedHolder<T>> owned_;  // set when not cached
};

template <typename T>
PreparedHandle<T> Prepared(soci::session& session) {
  const void* tag = &internal::kStatementTag<T>;
  bool cacheable = false;
  if (CachedStatement* found = internal::FindCached(session, tag, cacheable)) {
    return PreparedHandle<T>(session, &static_cast<internal::CachedHolder<T>*>(found)->value,
                             nullptr);
  }
  auto made = std::make_unique<internal::CachedHolder<T>>(session);
  T* value = &made->value;
  if (!cacheable) return PreparedHandle<T>(session, value, std::move(made));
  internal::StoreCached(session, tag, std::move(made));
  return PreparedHandle<T>(session, value, nullptr);
}

// --- implementation of the templates -------------------------------------------------------

template <typename F>
auto Database::Read(F&& fn) -> std::invoke_result_t<F&, soci::session&> {
  using R = std::invoke_result_t<F&, soci::session&>;
  static_assert(internal::IsResult<R>::value, "fn must return core::Result<T> or core::Status");
  std::optional<R> result;
  core::Status status = RunRead([&](soci::session& session) -> core::Status {
    result.emplace(fn(session));
    if (result->ok()) return {};
    return core::Error{};  // placeholder: fn's own error is returned below, uncopied
  });
  if (result.has_value() && !result->ok()) return std::move(*result);
  if (!status.ok()) return R(std::move(status).error());
  return std::move(*result);
}

template <typename F>
auto Database::Write(F&& fn) -> std::invoke_result_t<F&, soci::session&> {
  using R = std::invoke_result_t<F&, soci::session&>;
  static_assert(internal::IsResult<R>::value, "fn must return core::Result<T> or core::Status");
  std::optional<R> result;
  core::Status status = RunWrite([&](soci::session& session) -> core::Status {
    result.emplace(fn(session));
    if (result->ok()) return {};
    return core::Error{};  // placeholder: fn's own error is returned below, uncopied
  });
  if (result.has_value() && !result->ok()) return std::move(*result);
  if (!status.ok()) return R(std::move(status).error());
  return std::move(*result);
}

}  // namespace gatehouse::store
