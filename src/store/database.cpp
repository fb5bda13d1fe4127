#include "store/database.hpp"

// soci-sqlite3.h includes <sqlite3.h> inside namespace sqlite_api; nothing in this file may
// include <sqlite3.h> directly before it, or the SQLite API would be declared twice.
#include <libpq-fe.h>
#include <poll.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string_view>
#include <system_error>
#include <vector>

namespace gatehouse::store {
namespace {

namespace fs = std::filesystem;

// How long Read/Write wait for a pooled connection before answering kUnavailable: long enough
// to ride out a burst, short enough that a request fails instead of hanging.
constexpr auto kLeaseTimeout = std::chrono::seconds(10);
constexpr int kSqliteBusyTimeoutMs = 5000;
constexpr int kSqliteSynchronousFull = 2;

// ---- native handles ---------------------------------------------------------------------------

sqlite_api::sqlite3* SqliteHandle(soci::session& session) {
  return static_cast<soci::sqlite3_session_backend*>(session.get_backend())->conn_;
}

PGconn* PgHandle(soci::session& session) {
  return static_cast<soci::postgresql_session_backend*>(session.get_backend())->conn_;
}

bool PgConnectionBad(soci::session* session) {
  if (session == nullptr || session->get_backend() == nullptr) return true;
  PGconn* conn = PgHandle(*session);
  return conn == nullptr || PQstatus(conn) != CONNECTION_OK;
}

// ---- driver errors -> core::Error ------------------------------------------------------------

core::Error WithInternal(core::Error error, std::string internal) {
  error.internal_message = std::move(internal);
  return error;
}

core::Error Classified(bool unavailable, bool duplicate, std::string internal) {
  if (duplicate) {
    return WithInternal(core::AlreadyExists("Resource already exists"), std::move(internal));
  }
  if (unavailable) return core::Unavailable(std::move(internal));
  return core::Internal(std::move(internal));
}

bool SqliteUnavailable(int code) {
  switch (code & 0xff) {  // primary code; extended result codes are enabled on every connection
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_PROTOCOL:
      return true;
    default:
      return false;
  }
}

bool SqliteUniqueViolation(int code, std::string_view message) {
  if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) return true;
  // Belt and braces in case a code path reports only the primary code.
  return (code & 0xff) == SQLITE_CONSTRAINT &&
         message.find("UNIQUE constraint failed") != std::string_view::npos;
}

bool PgUnavailable(std::string_view sqlstate) {
  if (sqlstate.size() != 5) return false;
  std::string_view cls = sqlstate.substr(0, 2);
  return cls == "08"              // connection exception
         || cls == "53"           // insufficient resources (too many connections, disk full)
         || sqlstate == "57P01"   // admin shutdown
         || sqlstate == "57P02"   // crash shutdown
         || sqlstate == "57P03"   // cannot connect now (starting up)
         || sqlstate == "57014"   // query canceled (statement timeout)
         || sqlstate == "40001"   // serialization failure: retryable
         || sqlstate == "40P01"   // deadlock detected: retryable
         || sqlstate == "55P03";  // lock not available
}

// Driver text plus the statement (not its bound values: SOCI's what() appends those, and they
// can be secrets or password hashes that must not reach the log).
std::string InternalText(std::string_view context, const std::string& message,
                         soci::session* session) {
  std::string text = "store: ";
  text += context;
  text += ": ";
  text += message;
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  if (session != nullptr && session->get_backend() != nullptr) {
    std::string query = session->get_last_query();
    if (!query.empty()) text += " [" + query + "]";
  }
  return text;
}

// Must be called from inside a catch block.
core::Error ConvertCurrentException(Dialect dialect, std::string_view context,
                                    soci::session* session) {
  try {
    throw;
  } catch (const soci::sqlite3_soci_error& e) {
    std::string message = e.get_error_message();
    return Classified(SqliteUnavailable(e.result()), SqliteUniqueViolation(e.result(), message),
                      InternalText(context, message, session));
  } catch (const soci::postgresql_soci_error& e) {
    std::string sqlstate = e.sqlstate();
    bool lost = dialect == Dialect::kPostgres && PgConnectionBad(session);
    // The server's DETAIL line quotes row values ("Key (email)=(a@b.c) already exists"): they
    // can be personal data or secrets, so only the primary message (with the constraint name)
    // is kept.
    std::string message = e.get_error_message();
    std::size_t detail = message.find("\nDETAIL:");
    if (detail != std::string::npos) message.erase(detail);
    return Classified(lost || PgUnavailable(sqlstate), sqlstate == "23505",
                      InternalText(context, "[" + sqlstate + "] " + message, session));
  } catch (const soci::soci_error& e) {
    bool lost = e.get_error_category() == soci::soci_error::connection_error ||
                (dialect == Dialect::kPostgres && PgConnectionBad(session));
    return Classified(lost, false, InternalText(context, e.get_error_message(), session));
  } catch (const std::exception& e) {
    return core::Internal(InternalText(context, e.what(), nullptr));
  } catch (...) {
    return core::Internal(InternalText(context, "unknown exception", nullptr));
  }
}

// ---- connections ------------------------------------------------------------------------------

using SessionPtr = std::unique_ptr<soci::session>;
using Connector = std::function<core::Result<SessionPtr>()>;

core::Error PragmaMismatch(const std::string& path, const std::string& pragma,
                           const std::string& actual, const std::string& expected) {
  std::string message =
      "SQLite setting " + pragma + " is '" + actual + "', expected '" + expected + "'";
  return WithInternal(
      core::FailedPrecondition(message, "StoreMisconfigured"),
      "store: " + path + ": " + message +
          (pragma == "journal_mode" ? " (WAL needs a local filesystem with shared-memory support)"
                                    : ""));
}

// Reads every required pragma back: a PRAGMA that SQLite does not support or cannot apply
// (WAL on some network filesystems, for instance) fails silently, so setting is not proof.
core::Status AssertSqlitePragmas(soci::session& session, const std::string& path, bool writer) {
  std::string journal_mode;
  session << "PRAGMA journal_mode", soci::into(journal_mode);
  std::transform(journal_mode.begin(), journal_mode.end(), journal_mode.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (journal_mode != "wal") return PragmaMismatch(path, "journal_mode", journal_mode, "wal");

  int value = -1;
  session << "PRAGMA foreign_keys", soci::into(value);
  if (value != 1) return PragmaMismatch(path, "foreign_keys", std::to_string(value), "1");
  session << "PRAGMA busy_timeout", soci::into(value);
  if (value != kSqliteBusyTimeoutMs) {
    return PragmaMismatch(path, "busy_timeout", std::to_string(value),
                          std::to_string(kSqliteBusyTimeoutMs));
  }
  if (writer) {
    session << "PRAGMA synchronous", soci::into(value);
    if (value != kSqliteSynchronousFull) {
      return PragmaMismatch(path, "synchronous", std::to_string(value), "2 (FULL)");
    }
  } else {
    session << "PRAGMA query_only", soci::into(value);
    if (value != 1) return PragmaMismatch(path, "query_only", std::to_string(value), "1");
  }
  return {};
}

core::Result<SessionPtr> ConnectSqlite(const std::string& path, bool writer) {
  auto session = std::make_unique<soci::session>();
  try {
    session->open(soci::sqlite3, path);
    // Extended codes let a UNIQUE violation be told apart from NOT NULL / CHECK / FOREIGN KEY.
    sqlite_api::sqlite3_extended_result_codes(SqliteHandle(*session), 1);
    *session << "PRAGMA busy_timeout = " + std::to_string(kSqliteBusyTimeoutMs);
    if (writer) {
      // journal_mode is stored in the file, so the writer (opened first) sets it for everyone.
      *session << "PRAGMA journal_mode = WAL";
      *session << "PRAGMA synchronous = FULL";
    }
    *session << "PRAGMA foreign_keys = ON";
    // Readers refuse writes: a write there would bypass the writer's serialisation and could
    // fail with SQLITE_BUSY under load instead of queueing.
    if (!writer) *session << "PRAGMA query_only = ON";
    core::Status checked = AssertSqlitePragmas(*session, path, writer);
    if (!checked.ok()) return std::move(checked).error();
  } catch (...) {
    return ConvertCurrentException(Dialect::kSqlite, "opening SQLite database " + path,
                                   session.get());
  }
  return session;
}

// libpq prints server notices (warnings, "terminating connection" messages) to stderr by
// default; they belong in the log.
void LogPostgresNotice(void* /*arg*/, const char* message) {
  std::string_view text = message;
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  if (text.starts_with("WARNING") || text.starts_with("FATAL") || text.starts_with("PANIC")) {
    spdlog::warn("store: PostgreSQL: {}", text);
  } else {
    spdlog::debug("store: PostgreSQL: {}", text);
  }
}

core::Result<SessionPtr> ConnectPostgres(const std::string& conninfo,
                                         const std::string& description) {
  auto session = std::make_unique<soci::session>();
  try {
    session->open(soci::postgresql, conninfo);
  } catch (...) {
    core::Error error =
        ConvertCurrentException(Dialect::kPostgres, "connecting to " + description, nullptr);
    // Whatever libpq said (refused, timeout, authentication), the store is not reachable now.
    return core::Unavailable(std::move(error.internal_message));
  }
  PQsetNoticeProcessor(PgHandle(*session), LogPostgresNotice, nullptr);
  return session;
}

// A connection worth handing out: SQLite not stuck in a transaction; PostgreSQL still connected.
// PQconsumeInput reads whatever the server sent without blocking (libpq sockets are always
// non-blocking), which is how a server restart or pg_terminate_backend is noticed here, before
// the caller's first statement fails on it.
bool Healthy(Dialect dialect, soci::session& session) {
  if (session.get_backend() == nullptr) return false;
  if (dialect == Dialect::kSqlite) {
    return sqlite_api::sqlite3_get_autocommit(SqliteHandle(session)) != 0;
  }
  PGconn* conn = PgHandle(session);
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) return false;
  // An idle connection receives nothing but the odd notice; a terminated one receives a FATAL
  // message and then end-of-file, possibly in separate reads, hence the loop.
  for (int i = 0; i < 8; ++i) {
    pollfd fd{PQsocket(conn), POLLIN, 0};
    if (poll(&fd, 1, 0) <= 0) break;  // nothing pending (a poll error is left to the query)
    if ((fd.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) return false;
    if (PQconsumeInput(conn) == 0 || PQstatus(conn) != CONNECTION_OK) return false;
    while (PGnotify* notify = PQnotifies(conn)) PQfreemem(notify);
  }
  return PQtransactionStatus(conn) == PQTRANS_IDLE;
}

bool InTransaction(Dialect dialect, soci::session& session) {
  if (session.get_backend() == nullptr) return false;
  if (dialect == Dialect::kSqlite) {
    return sqlite_api::sqlite3_get_autocommit(SqliteHandle(session)) == 0;
  }
  PGconn* conn = PgHandle(session);
  return conn != nullptr && PQtransactionStatus(conn) != PQTRANS_IDLE &&
         PQtransactionStatus(conn) != PQTRANS_UNKNOWN;
}

// Best effort: a failure here leaves the connection unhealthy, and Acquire() replaces it.
void RollbackIfOpen(Dialect dialect, soci::session& session) {
  if (!InTransaction(dialect, session)) return;
  try {
    session << "ROLLBACK";
  } catch (...) {
  }
}

// ---- statement caches --------------------------------------------------------------------------

using StatementCache = std::vector<std::pair<const void*, std::unique_ptr<CachedStatement>>>;

// Pooled connections lent to this thread's running Read/Write callbacks (innermost last), with
// their statement caches: how Prepared() finds the cache of the session it is given.
struct LentConnection {
  soci::session* session;
  StatementCache* cache;
};
thread_local std::vector<LentConnection> tls_lent;

class LentScope {
 public:
  LentScope(soci::session& session, StatementCache& cache) {
    tls_lent.push_back({&session, &cache});
  }
  ~LentScope() { tls_lent.pop_back(); }
  LentScope(const LentScope&) = delete;
  LentScope& operator=(const LentScope&) = delete;
};

// ---- pool -------------------------------------------------------------------------------------

class Pool;

// A borrowed connection; returned to the pool when destroyed.
class Lease {
 public:
  Lease(Pool* pool, std::size_t slot) : pool_(pool), slot_(slot) {}
  Lease(Lease&& other) noexcept : pool_(std::exchange(other.pool_, nullptr)), slot_(other.slot_) {}
  Lease& operator=(Lease&&) = delete;
  ~Lease();

  soci::session& session();
  StatementCache& cache();
  core::Status Reconnect();

 private:
  Pool* pool_;
  std::size_t slot_;
};

class Pool {
 public:
  Pool(Dialect dialect, std::string name, Connector connect)
      : dialect_(dialect), name_(std::move(name)), connect_(std::move(connect)) {}

  // Connects `size` sessions now, so configuration problems surface at Open.
  core::Status Fill(unsigned size) {
    for (unsigned i = 0; i < size; ++i) {
      auto session = connect_();
      if (!session.ok()) return std::move(session).error();
      std::lock_guard lock(mu_);
      sessions_.push_back(std::move(*session));
      caches_.emplace_back();
      idle_.push_back(sessions_.size() - 1);
    }
    return {};
  }

  core::Result<Lease> Acquire(std::chrono::milliseconds timeout) {
    std::size_t slot;
    {
      std::unique_lock lock(mu_);
      if (!cv_.wait_for(lock, timeout, [&] { return closed_ || !idle_.empty(); })) {
        return core::Unavailable("store: no " + name_ + " connection free after " +
                                 std::to_string(timeout.count()) + " ms");
      }
      if (closed_) return core::Unavailable("store: the database is closed");
      slot = idle_.back();
      idle_.pop_back();
      ++leased_;
    }
    Lease lease(this, slot);
    // The slot is ours alone until the lease is returned, so it is checked outside the lock.
    SessionPtr& session = sessions_[slot];
    if (session == nullptr || !Healthy(dialect_, *session)) {
      core::Status reconnected = lease.Reconnect();
      if (!reconnected.ok()) return std::move(reconnected).error();
    }
    return lease;
  }

  void CloseAndWait() {
    std::unique_lock lock(mu_);
    closed_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return leased_ == 0; });
    idle_.clear();
    caches_.clear();  // statements before the sessions they were prepared on
    sessions_.clear();
  }

 private:
  friend class Lease;

  void Release(std::size_t slot) {
    std::lock_guard lock(mu_);
    idle_.push_back(slot);
    --leased_;
    cv_.notify_all();  // a waiting Acquire, or CloseAndWait once leased_ reaches 0
  }

  core::Status Reconnect(std::size_t slot) {
    SessionPtr& session = sessions_[slot];
    if (session != nullptr) {
      spdlog::warn(
          "store: {} connection unusable (server restart or dropped connection); "
          "reconnecting",
          name_);
    }
    caches_[slot].clear();  // prepared on the old connection; destroyed while it still exists
    session.reset();
    auto fresh = connect_();
    if (!fresh.ok()) return std::move(fresh).error();
    session = std::move(*fresh);
    return {};
  }

  const Dialect dialect_;
  const std::string name_;
  const Connector connect_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<SessionPtr> sessions_;  // fixed after Fill; an entry is null while reconnecting
  // Per slot, statements prepared on that slot's session. Declared after sessions_ so that it
  // is destroyed first.
  std::vector<StatementCache> caches_;
  std::vector<std::size_t> idle_;     // LIFO: the warmest connection is reused first
  std::size_t leased_ = 0;
  bool closed_ = false;
};

Lease::~Lease() {
  if (pool_ != nullptr) pool_->Release(slot_);
}

soci::session& Lease::session() { return *pool_->sessions_[slot_]; }

StatementCache& Lease::cache() { return pool_->caches_[slot_]; }

core::Status Lease::Reconnect() { return pool_->Reconnect(slot_); }

// Databases the current thread is inside a Write on, to refuse a nested Write (which would
// wait forever for the connection its own caller holds).
thread_local std::vector<const void*> tls_writing;

class WritingScope {
 public:
  explicit WritingScope(const void* db) { tls_writing.push_back(db); }
  ~WritingScope() { tls_writing.pop_back(); }
};

// ---- url handling ------------------------------------------------------------------------------

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// Adds a libpq URI parameter unless the operator already set it.
std::string WithDefaultParam(std::string url, std::string_view key, std::string_view value) {
  std::string probe = std::string(key) + "=";
  if (url.find(probe) != std::string::npos) return url;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += probe;
  url += value;
  return url;
}

// "postgres://host:port/db" from libpq's own parse of the URL, so the password (and user) never
// reach logs or the status page.
core::Result<std::string> DescribePostgres(const std::string& url) {
  char* parse_error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &parse_error);
  if (options == nullptr) {
    std::string detail = parse_error != nullptr ? parse_error : "out of memory";
    PQfreemem(parse_error);
    return WithInternal(core::InvalidArgument("the PostgreSQL database url is malformed"),
                        "store: parsing the PostgreSQL url: " + detail);
  }
  std::string host, hostaddr, port, dbname, user;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    std::string_view key = o->keyword;
    if (key == "host") host = o->val;
    if (key == "hostaddr") hostaddr = o->val;
    if (key == "port") port = o->val;
    if (key == "dbname") dbname = o->val;
    if (key == "user") user = o->val;
  }
  PQconninfoFree(options);
  if (host.empty()) host = hostaddr.empty() ? "localhost" : hostaddr;
  if (port.empty()) port = "5432";
  if (dbname.empty()) dbname = user;  // libpq's default database is the user's name
  return "postgres://" + host + ":" + port + "/" + dbname;
}

core::Result<std::string> ResolveSqlitePath(const StoreOptions& options) {
  std::string path;
  if (options.url.empty()) {
    if (options.data_dir.empty()) {
      return core::InvalidArgument("a data directory is required for the default SQLite store");
    }
    path = (fs::path(options.data_dir) / "gatehouse.db").string();
  } else {
    path = options.url.substr(std::string_view("sqlite:").size());
  }
  if (path.empty() || path == ":memory:" || StartsWith(path, "file:")) {
    return core::InvalidArgument(
        "the SQLite url must name a file (sqlite:PATH); in-memory and URI forms are not "
        "supported because the writer and readers must share one database");
  }
  if (path.find('=') != std::string::npos) {
    // SOCI would parse "key=value" pairs out of such a connection string.
    return core::InvalidArgument("the SQLite database path must not contain '='");
  }
  std::error_code ec;
  fs::path absolute = fs::absolute(path, ec);
  if (ec) {
    return WithInternal(core::InvalidArgument("the SQLite database path is invalid"),
                        "store: " + path + ": " + ec.message());
  }
  return absolute.lexically_normal().string();
}

core::Status EnsureDataDir(const std::string& data_dir) {
  if (data_dir.empty()) return {};
  std::error_code ec;
  if (fs::is_directory(data_dir, ec)) return {};
  if (!fs::create_directories(data_dir, ec) && ec) {
    return core::Unavailable("store: creating data directory " + data_dir + ": " + ec.message(),
                             "The data directory could not be created");
  }
  // The database holds credentials: only the service user may enter the directory.
  fs::permissions(data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) {
    return core::Unavailable("store: chmod 0700 " + data_dir + ": " + ec.message(),
                             "The data directory could not be secured");
  }
  return {};
}

}  // namespace

// ---- Database ---------------------------------------------------------------------------------

struct Database::Impl {
  Dialect dialect = Dialect::kSqlite;
  std::string description;
  std::unique_ptr<Pool> writer;  // SQLite only; PostgreSQL writes on `readers`
  std::unique_ptr<Pool> readers;
  std::once_flag closed;
};

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Database::~Database() { Close(); }

core::Result<std::unique_ptr<Database>> Database::Open(const StoreOptions& options) {
  if (options.pool_size == 0) return core::InvalidArgument("the store pool size must be >= 1");
  auto impl = std::make_unique<Impl>();
  const std::string& url = options.url;

  if (url.empty() || StartsWith(url, "sqlite:")) {
    auto path = ResolveSqlitePath(options);
    if (!path.ok()) return std::move(path).error();
    core::Status dir = EnsureDataDir(options.data_dir);
    if (!dir.ok()) return std::move(dir).error();
    impl->dialect = Dialect::kSqlite;
    impl->description = "sqlite:" + *path;
    std::string file = *path;
    impl->writer = std::make_unique<Pool>(Dialect::kSqlite, "SQLite writer",
                                          [file] { return ConnectSqlite(file, true); });
    impl->readers = std::make_unique<Pool>(Dialect::kSqlite, "SQLite reader",
                                           [file] { return ConnectSqlite(file, false); });
    // Writer first: it switches the file to WAL, which the readers then assert.
    core::Status filled = impl->writer->Fill(1);
    if (filled.ok()) filled = impl->readers->Fill(options.pool_size);
    if (!filled.ok()) return std::move(filled).error();
  } else if (StartsWith(url, "postgres://") || StartsWith(url, "postgresql://")) {
    auto description = DescribePostgres(url);
    if (!description.ok()) return std::move(description).error();
    impl->dialect = Dialect::kPostgres;
    impl->description = *description;
    // The URI goes to libpq as is, through SOCI 4.0's connect-string filter, which splits on
    // whitespace and appends "=" to any token without one (turning ".../db" into ".../db=").
    // A URI never contains raw whitespace, and the parameters added here guarantee an "=".
    if (std::any_of(url.begin(), url.end(), [](unsigned char c) { return std::isspace(c); })) {
      return core::InvalidArgument(
          "the PostgreSQL database url must not contain whitespace (percent-encode it as %20)");
    }
    std::string conninfo = WithDefaultParam(url, "connect_timeout", "10");
    conninfo = WithDefaultParam(conninfo, "fallback_application_name", "gatehouse");
    std::string shown = impl->description;
    impl->readers = std::make_unique<Pool>(Dialect::kPostgres, "PostgreSQL", [conninfo, shown] {
      return ConnectPostgres(conninfo, shown);
    });
    core::Status filled = impl->readers->Fill(options.pool_size);
    if (!filled.ok()) return std::move(filled).error();
  } else {
    // The url itself is not echoed: it may carry a password.
    return core::InvalidArgument(
        "unsupported database url; expected \"\", \"sqlite:PATH\" or \"postgres://...\"");
  }
  return std::unique_ptr<Database>(new Database(std::move(impl)));
}

Dialect Database::dialect() const { return impl_->dialect; }

std::string Database::Describe() const { return impl_->description; }

void Database::Close() {
  std::call_once(impl_->closed, [this] {
    if (impl_->writer) impl_->writer->CloseAndWait();
    impl_->readers->CloseAndWait();
  });
}

core::Status Database::Ping() {
  return Read([](soci::session& session) -> core::Status {
    int one = 0;
    session << "SELECT 1", soci::into(one);
    if (one != 1) return core::Internal("store: SELECT 1 returned " + std::to_string(one));
    return {};
  });
}

core::Status Database::RunRead(const Body& body) {
  auto lease = impl_->readers->Acquire(kLeaseTimeout);
  if (!lease.ok()) return std::move(lease).error();
  soci::session& session = lease->session();
  core::Status status;
  try {
    LentScope lent(session, lease->cache());
    status = body(session);
  } catch (...) {
    status = ConvertCurrentException(impl_->dialect, "read", &session);
  }
  // A callback that opened a transaction must not hand it to the next borrower.
  RollbackIfOpen(impl_->dialect, session);
  return status;
}

core::Status Database::RunWrite(const Body& body) {
  if (std::find(tls_writing.begin(), tls_writing.end(), this) != tls_writing.end()) {
    return core::Internal(
        "store: Write called inside a Write on the same database; it would "
        "wait forever for the connection its caller holds");
  }
  const Dialect dialect = impl_->dialect;
  Pool& pool = dialect == Dialect::kSqlite ? *impl_->writer : *impl_->readers;
  auto lease = pool.Acquire(kLeaseTimeout);
  if (!lease.ok()) return std::move(lease).error();
  WritingScope scope(this);

  // IMMEDIATE takes SQLite's write lock now, so a second process waits in busy_timeout here
  // rather than failing with SQLITE_BUSY halfway through the callback.
  const char* begin_sql = dialect == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN";
  auto begin = [&]() -> core::Status {
    try {
      lease->session() << begin_sql;
      return {};
    } catch (...) {
      return ConvertCurrentException(dialect, "BEGIN", &lease->session());
    }
  };
  core::Status began = begin();
  if (!began.ok() && dialect == Dialect::kPostgres &&
      began.error().code == core::ErrorCode::kUnavailable) {
    // The connection died between the health check and BEGIN; nothing has run yet, so one
    // retry on a fresh connection is safe.
    if (lease->Reconnect().ok()) began = begin();
  }
  if (!began.ok()) return began;

  soci::session& session = lease->session();
  core::Status status;
  try {
    LentScope lent(session, lease->cache());
    status = body(session);
  } catch (...) {
    status = ConvertCurrentException(dialect, "write", &session);
  }

  if (status.ok()) {
    if (dialect == Dialect::kPostgres &&
        PQtransactionStatus(PgHandle(session)) == PQTRANS_INERROR) {
      // PostgreSQL would answer this COMMIT with ROLLBACK and no error: a statement failed and
      // the callback swallowed the exception. Report it rather than pretend it committed.
      status = core::Internal(
          "store: a statement failed inside the transaction but the "
          "callback returned success; the transaction was rolled back");
    } else if (!InTransaction(dialect, session)) {
      status = core::Internal(
          "store: the transaction ended inside the callback (SQLite rolls "
          "back by itself on some errors, or the callback ran "
          "COMMIT/ROLLBACK); nothing was committed by Write");
    } else {
      try {
        session << "COMMIT";
        if (!InTransaction(dialect, session)) return {};
        status = core::Internal("store: COMMIT returned but the transaction is still open");
      } catch (...) {
        status = ConvertCurrentException(dialect, "COMMIT", &session);
      }
    }
  }
  // On SQLite a failed COMMIT (e.g. SQLITE_BUSY) leaves the transaction open: end it here so
  // the writer is not handed out mid-transaction.
  RollbackIfOpen(dialect, session);
  return status;
}

namespace internal {

CachedStatement* FindCached(soci::session& session, const void* tag, bool& cacheable) {
  cacheable = false;
  for (auto it = tls_lent.rbegin(); it != tls_lent.rend(); ++it) {
    if (it->session != &session) continue;
    cacheable = true;
    for (auto& [key, statement] : *it->cache) {
      if (key == tag) return statement.get();
    }
    return nullptr;
  }
  return nullptr;
}

void StoreCached(soci::session& session, const void* tag, std::unique_ptr<CachedStatement> st) {
  for (auto it = tls_lent.rbegin(); it != tls_lent.rend(); ++it) {
    if (it->session == &session) {
      it->cache->emplace_back(tag, std::move(st));
      return;
    }
  }
}

void ResetStatement(soci::session& session, soci::statement& st) noexcept {
  // SQLite: a statement stopped before SQLITE_DONE keeps its read transaction (and WAL
  // snapshot) open; reset it, as SOCI's own reset does. PostgreSQL keeps nothing open on the
  // server between executions of a prepared statement. (The backend's type is told by the
  // session: SOCI's libraries do not export the backends' RTTI, so no dynamic_cast.)
  if (session.get_backend() == nullptr || DialectOf(session) != Dialect::kSqlite) return;
  auto* backend = static_cast<soci::sqlite3_statement_backend*>(st.get_backend());
  if (backend == nullptr || backend->stmt_ == nullptr) return;
  sqlite_api::sqlite3_reset(backend->stmt_);
  backend->databaseReady_ = true;
}

}  // namespace internal

Dialect DialectOf(soci::session& session) {
  return session.get_backend_name() == "sqlite3" ? Dialect::kSqlite : Dialect::kPostgres;
}

void ExecuteScript(soci::session& session, const std::string& sql) {
  if (DialectOf(session) == Dialect::kSqlite) {
    char* message = nullptr;
    int rc =
        sqlite_api::sqlite3_exec(SqliteHandle(session), sql.c_str(), nullptr, nullptr, &message);
    if (rc == SQLITE_OK) return;
    std::string text = message != nullptr ? message : sqlite_api::sqlite3_errstr(rc);
    sqlite_api::sqlite3_free(message);
    throw soci::sqlite3_soci_error("script failed: " + text, rc);
  }
  PGconn* conn = PgHandle(session);
  PGresult* result = PQexec(conn, sql.c_str());
  ExecStatusType status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
    PQclear(result);
    return;
  }
  std::string text = result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn);
  const char* field = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = field != nullptr                   ? field
                         : PQstatus(conn) == CONNECTION_BAD ? "08006"   // connection failure
                                                            : "XX000";  // internal error
  PQclear(result);
  throw soci::postgresql_soci_error("script failed: " + text, sqlstate.c_str());
}

}  // namespace gatehouse::store
