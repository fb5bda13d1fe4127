#include "store/database.hpp"

#include <gtest/gtest.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <latch>
#include <stdexcept>
#include <thread>
#include <vector>

#include "store_test_env.hpp"

namespace gatehouse::store {
namespace {

using core::ErrorCode;
using testing::DialectName;
using testing::TestDatabase;

std::string Text(const core::Error& e) {
  return std::string(core::CodeName(e.code)) + " public='" + e.public_message + "' internal='" +
         e.internal_message + "'";
}
template <typename R>
std::string Text(const R& result) {
  return result.ok() ? std::string("ok") : Text(result.error());
}

core::Status Insert(Database& db, int id, std::string text) {
  return db.Write([&](soci::session& s) -> core::Status {
    s << "INSERT INTO notes (id, text) VALUES (:id, :text)", soci::use(id), soci::use(text);
    return {};
  });
}

core::Result<int> Count(Database& db) {
  return db.Read([](soci::session& s) -> core::Result<int> {
    int n = -1;
    s << "SELECT COUNT(*) FROM notes", soci::into(n);
    return n;
  });
}

// A fresh database of one dialect with a `notes` table, for each test.

// A prepared statement for store::Prepared: counts how often it is built (prepared).
std::atomic<int> g_note_queries_built{0};

struct NoteTextsFrom {
  int from = 0;
  std::string text;
  soci::statement st;
  explicit NoteTextsFrom(soci::session& s)
      : st((s.prepare << "SELECT text FROM notes WHERE id >= :f ORDER BY id", soci::into(text),
            soci::use(from))) {
    ++g_note_queries_built;
  }
};

std::vector<std::string> TextsFrom(soci::session& s, int from, std::size_t limit = 100) {
  auto q = Prepared<NoteTextsFrom>(s);
  q->from = from;
  std::vector<std::string> out;
  if (q->st.execute(true)) {
    do {
      out.push_back(q->text);
    } while (out.size() < limit && q->st.fetch());
  }
  return out;
}

class StoreTest : public ::testing::Test {
 protected:
  void Start(Dialect dialect) {
    dialect_ = dialect;
    env_ = std::make_unique<TestDatabase>(dialect);
    if (!env_->available()) GTEST_SKIP() << testing::kNoPostgresMessage;
    auto db = Database::Open(env_->options());
    ASSERT_TRUE(db.ok()) << Text(db);
    db_ = std::move(*db);
    core::Status created = db_->Write([](soci::session& s) -> core::Status {
      s << "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)";
      return {};
    });
    ASSERT_TRUE(created.ok()) << Text(created);
  }

  void TearDown() override {
    if (db_) db_->Close();
    db_.reset();
    env_.reset();
  }

  bool IsSqlite() const { return dialect_ == Dialect::kSqlite; }

  Dialect dialect_ = Dialect::kSqlite;
  std::unique_ptr<TestDatabase> env_;
  std::unique_ptr<Database> db_;
};

// Behaviour both dialects must share.
class DatabaseTest : public StoreTest, public ::testing::WithParamInterface<Dialect> {
 protected:
  void SetUp() override { Start(GetParam()); }
};

class SqliteDatabaseTest : public StoreTest {
 protected:
  void SetUp() override { Start(Dialect::kSqlite); }
};

class PostgresDatabaseTest : public StoreTest {
 protected:
  void SetUp() override { Start(Dialect::kPostgres); }
};

TEST_P(DatabaseTest, OpensPingsAndDescribesItself) {
  EXPECT_EQ(db_->dialect(), dialect_);
  core::Status ping = db_->Ping();
  EXPECT_TRUE(ping.ok()) << Text(ping);
  if (IsSqlite()) {
    auto expected = std::filesystem::absolute(env_->options().data_dir) / "gatehouse.db";
    EXPECT_EQ(db_->Describe(), "sqlite:" + expected.lexically_normal().string());
  } else {
    EXPECT_EQ(db_->Describe().rfind("postgres://", 0), 0u) << db_->Describe();
    EXPECT_TRUE(db_->Describe().ends_with("/" + env_->pg_name())) << db_->Describe();
    EXPECT_EQ(db_->Describe().find('@'), std::string::npos) << db_->Describe();
  }
}

TEST_P(DatabaseTest, WriteCommitsAndReadSeesIt) {
  ASSERT_TRUE(Insert(*db_, 1, "hello").ok());
  auto text = db_->Read([](soci::session& s) -> core::Result<std::string> {
    std::string value;
    soci::indicator ind = soci::i_null;
    s << "SELECT text FROM notes WHERE id = 1", soci::into(value, ind);
    if (!s.got_data() || ind != soci::i_ok) return core::NotFound("note 1");
    return value;
  });
  ASSERT_TRUE(text.ok()) << Text(text);
  EXPECT_EQ(*text, "hello");
}

TEST_P(DatabaseTest, WriteRollsBackWhenCallbackReturnsError) {
  core::Status status = db_->Write([](soci::session& s) -> core::Status {
    s << "INSERT INTO notes (id, text) VALUES (1, 'doomed')";
    return core::NotFound("the parent vanished", "ParentNotFound");
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kNotFound);  // the callback's own error, unchanged
  EXPECT_STREQ(status.error().Name(), "ParentNotFound");
  EXPECT_EQ(*Count(*db_), 0);
}

TEST_P(DatabaseTest, WriteReturnsTheCallbacksValue) {
  auto value = db_->Write([](soci::session& s) -> core::Result<int> {
    s << "INSERT INTO notes (id, text) VALUES (7, 'seven')";
    return 7;
  });
  ASSERT_TRUE(value.ok()) << Text(value);
  EXPECT_EQ(*value, 7);
  EXPECT_EQ(*Count(*db_), 1);
}

TEST_P(DatabaseTest, WriteRollsBackWhenCallbackThrows) {
  core::Status status = db_->Write([](soci::session& s) -> core::Status {
    s << "INSERT INTO notes (id, text) VALUES (1, 'doomed')";
    throw std::runtime_error("bug in the callback");
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kInternal) << Text(status);
  EXPECT_NE(status.error().internal_message.find("bug in the callback"), std::string::npos);
  EXPECT_EQ(*Count(*db_), 0);
}

TEST_P(DatabaseTest, UniqueViolationIsAlreadyExistsWithoutDriverTextInPublicMessage) {
  ASSERT_TRUE(Insert(*db_, 1, "same").ok());
  core::Status duplicate_text = Insert(*db_, 2, "same");
  ASSERT_FALSE(duplicate_text.ok());
  EXPECT_EQ(duplicate_text.error().code, ErrorCode::kAlreadyExists) << Text(duplicate_text);
  core::Status duplicate_key = Insert(*db_, 1, "other");
  ASSERT_FALSE(duplicate_key.ok());
  EXPECT_EQ(duplicate_key.error().code, ErrorCode::kAlreadyExists) << Text(duplicate_key);

  const core::Error& e = duplicate_text.error();
  EXPECT_EQ(e.public_message.find("notes"), std::string::npos) << e.public_message;
  EXPECT_EQ(e.public_message.find("constraint"), std::string::npos) << e.public_message;
  EXPECT_NE(e.internal_message.find(IsSqlite() ? "UNIQUE constraint failed" : "duplicate key"),
            std::string::npos)
      << e.internal_message;
  // The statement is logged, its bound values (possibly secrets) are not.
  EXPECT_NE(e.internal_message.find("INSERT INTO notes"), std::string::npos);
  EXPECT_EQ(e.internal_message.find("same"), std::string::npos) << e.internal_message;
  EXPECT_EQ(*Count(*db_), 1);
}

TEST_P(DatabaseTest, OtherConstraintViolationsAreInternal) {
  core::Status status = db_->Write([](soci::session& s) -> core::Status {
    s << "INSERT INTO notes (id, text) VALUES (1, NULL)";
    return {};
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kInternal) << Text(status);
}

TEST_P(DatabaseTest, SwallowedStatementErrorIsNeverReportedAsCommitted) {
  core::Status status = db_->Write([](soci::session& s) -> core::Status {
    s << "INSERT INTO notes (id, text) VALUES (1, 'kept?')";
    try {
      s << "INSERT INTO notes (id, text) VALUES (1, 'duplicate')";
    } catch (const soci::soci_error&) {
      // swallowed on purpose
    }
    return {};
  });
  if (IsSqlite()) {
    // SQLite undoes only the failed statement; the transaction itself is still good.
    EXPECT_TRUE(status.ok()) << Text(status);
    EXPECT_EQ(*Count(*db_), 1);
  } else {
    // PostgreSQL aborted the whole transaction; its COMMIT would silently roll back.
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::kInternal) << Text(status);
    EXPECT_EQ(*Count(*db_), 0);
  }
}

TEST_P(DatabaseTest, NestedWriteOnTheSameDatabaseIsRefusedInsteadOfDeadlocking) {
  core::Status inner;
  core::Status outer = db_->Write([&](soci::session& s) -> core::Status {
    s << "INSERT INTO notes (id, text) VALUES (1, 'outer')";
    inner = Insert(*db_, 2, "inner");
    return {};
  });
  EXPECT_TRUE(outer.ok()) << Text(outer);
  ASSERT_FALSE(inner.ok());
  EXPECT_EQ(inner.error().code, ErrorCode::kInternal);
  EXPECT_EQ(*Count(*db_), 1);
}

TEST_P(DatabaseTest, ConcurrentWritesFromManyThreadsAllCommit) {
  constexpr int kThreads = 8;
  constexpr int kWritesPerThread = 25;
  std::vector<std::thread> threads;
  std::vector<core::Status> failures[kThreads];
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWritesPerThread; ++i) {
        int id = t * 1000 + i;
        core::Status status = Insert(*db_, id, "note " + std::to_string(id));
        if (!status.ok()) failures[t].push_back(status);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    for (const auto& failure : failures[t])
      ADD_FAILURE() << "thread " << t << ": " << Text(failure);
  }
  EXPECT_EQ(*Count(*db_), kThreads * kWritesPerThread);
}

TEST_P(DatabaseTest, ReadsProceedWhileAWriteIsOpenAndSeeOnlyCommittedData) {
  std::promise<void> inserted;
  std::promise<void> finish;
  std::shared_future<void> finish_signal = finish.get_future().share();
  std::thread writer([&] {
    core::Status status = db_->Write([&](soci::session& s) -> core::Status {
      s << "INSERT INTO notes (id, text) VALUES (1, 'pending')";
      inserted.set_value();
      finish_signal.wait();
      return {};
    });
    EXPECT_TRUE(status.ok()) << Text(status);
  });
  inserted.get_future().wait();
  auto during = Count(*db_);  // must not block on the open write transaction
  finish.set_value();
  writer.join();
  ASSERT_TRUE(during.ok()) << Text(during);
  EXPECT_EQ(*during, 0);
  EXPECT_EQ(*Count(*db_), 1);
}

TEST_P(DatabaseTest, CloseWaitsForBorrowedConnectionsAndIsIdempotent) {
  std::promise<void> started;
  std::atomic<bool> read_finished{false};
  std::thread reader([&] {
    core::Status status = db_->Read([&](soci::session& s) -> core::Status {
      started.set_value();
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      int one = 0;
      s << "SELECT 1", soci::into(one);
      read_finished = true;
      return {};
    });
    EXPECT_TRUE(status.ok()) << Text(status);
  });
  started.get_future().wait();
  db_->Close();
  EXPECT_TRUE(read_finished);
  reader.join();

  core::Status after = db_->Ping();
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code, ErrorCode::kUnavailable);
  core::Status write_after = Insert(*db_, 1, "late");
  ASSERT_FALSE(write_after.ok());
  EXPECT_EQ(write_after.error().code, ErrorCode::kUnavailable);
  db_->Close();  // again: no effect, no hang
}

TEST_P(DatabaseTest, ExecuteScriptRunsSeveralStatementsWithSemicolonsInLiterals) {
  core::Status status = db_->Write([](soci::session& s) -> core::Status {
    ExecuteScript(s,
                  "-- a comment; with a semicolon\n"
                  "INSERT INTO notes (id, text) VALUES (1, 'a;b');\n"
                  "INSERT INTO notes (id, text) VALUES (2, 'c');\n");
    return {};
  });
  ASSERT_TRUE(status.ok()) << Text(status);
  EXPECT_EQ(*Count(*db_), 2);
  auto text = db_->Read([](soci::session& s) -> core::Result<std::string> {
    std::string value;
    s << "SELECT text FROM notes WHERE id = 1", soci::into(value);
    return value;
  });
  EXPECT_EQ(*text, "a;b");
}

TEST_P(DatabaseTest, ExecuteScriptFailureIsConvertedAndRolledBack) {
  core::Status status = db_->Write([](soci::session& s) -> core::Status {
    ExecuteScript(s,
                  "INSERT INTO notes (id, text) VALUES (1, 'x');"
                  "INSERT INTO notes (id, text) VALUES (1, 'y');");
    return {};
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kAlreadyExists) << Text(status);
  EXPECT_EQ(*Count(*db_), 0);
}

TEST_P(DatabaseTest, SqlPicksTheDialectsText) {
  EXPECT_STREQ(Sql(*db_, "lite", "pg"), IsSqlite() ? "lite" : "pg");
  EXPECT_STREQ(Sql(Dialect::kPostgres, "lite", "pg"), "pg");
}

TEST_P(DatabaseTest, PreparedStatementIsKeptPerConnectionAndRebindsItsValues) {
  ASSERT_TRUE(Insert(*db_, 1, "one").ok());
  ASSERT_TRUE(Insert(*db_, 2, "two").ok());
  ASSERT_TRUE(Insert(*db_, 3, "three").ok());
  const int built_before = g_note_queries_built;
  for (int round = 0; round < 20; ++round) {
    auto texts = db_->Read([&](soci::session& s) -> core::Result<std::vector<std::string>> {
      auto all = TextsFrom(s, 1);
      auto tail = TextsFrom(s, 3);  // same connection, same statement, new bound value
      all.insert(all.end(), tail.begin(), tail.end());
      return all;
    });
    ASSERT_TRUE(texts.ok()) << Text(texts);
    EXPECT_EQ(*texts, (std::vector<std::string>{"one", "two", "three", "three"}));
  }
  // Built at most once per pooled reader connection, not once per call.
  const int built = g_note_queries_built - built_before;
  EXPECT_GE(built, 1);
  EXPECT_LE(built, static_cast<int>(env_->options().pool_size));

  // Inside a write transaction too, and the new row is seen by the cached statement.
  core::Status wrote = db_->Write([&](soci::session& s) -> core::Status {
    s << "INSERT INTO notes (id, text) VALUES (4, 'four')";
    auto texts = TextsFrom(s, 3);
    if (texts != std::vector<std::string>{"three", "four"}) return core::Internal("stale");
    return {};
  });
  EXPECT_TRUE(wrote.ok()) << Text(wrote);
  auto after = db_->Read([&](soci::session& s) -> core::Result<std::vector<std::string>> {
    return TextsFrom(s, 2);
  });
  ASSERT_TRUE(after.ok()) << Text(after);
  EXPECT_EQ(*after, (std::vector<std::string>{"two", "three", "four"}));
}

TEST_P(DatabaseTest, PreparedStatementStoppedEarlyDoesNotHideLaterWrites) {
  ASSERT_TRUE(Insert(*db_, 1, "one").ok());
  ASSERT_TRUE(Insert(*db_, 2, "two").ok());
  // Every reader connection left with a statement that returned one row of two.
  constexpr int kPool = 4;
  ASSERT_EQ(env_->options().pool_size, static_cast<unsigned>(kPool));
  std::latch all_borrowed(kPool);
  std::vector<std::thread> readers;
  std::vector<core::Status> results(kPool);
  for (int i = 0; i < kPool; ++i) {
    readers.emplace_back([&, i] {
      results[i] = db_->Read([&](soci::session& s) -> core::Status {
        all_borrowed.arrive_and_wait();
        if (TextsFrom(s, 1, 1) != std::vector<std::string>{"one"}) return core::Internal("x");
        if (IsSqlite()) {
          // No statement of this connection is still stepping (holding a read snapshot).
          auto* db = static_cast<soci::sqlite3_session_backend*>(s.get_backend())->conn_;
          for (auto* st = sqlite_api::sqlite3_next_stmt(db, nullptr); st != nullptr;
               st = sqlite_api::sqlite3_next_stmt(db, st)) {
            if (sqlite_api::sqlite3_stmt_busy(st)) return core::Internal("statement busy");
          }
        }
        return {};
      });
    });
  }
  for (auto& reader : readers) reader.join();
  for (const auto& result : results) EXPECT_TRUE(result.ok()) << Text(result);

  ASSERT_TRUE(Insert(*db_, 3, "three").ok());
  for (int i = 0; i < kPool; ++i) {
    auto texts = db_->Read([&](soci::session& s) -> core::Result<std::vector<std::string>> {
      std::vector<std::string> all;
      all.push_back(std::to_string(*Count(*db_)));  // another connection, while this one is held
      auto rows = TextsFrom(s, 1);
      all.insert(all.end(), rows.begin(), rows.end());
      return all;
    });
    ASSERT_TRUE(texts.ok()) << Text(texts);
    EXPECT_EQ(*texts, (std::vector<std::string>{"3", "one", "two", "three"}));
  }
}

TEST_P(DatabaseTest, PreparedOnASessionOutsideThePoolIsBuiltEachTime) {
  ASSERT_TRUE(Insert(*db_, 1, "one").ok());
  std::unique_ptr<soci::session> own;
  if (IsSqlite()) {
    own = std::make_unique<soci::session>(
        soci::sqlite3, (std::filesystem::path(env_->options().data_dir) / "gatehouse.db").string());
  } else {
    own = std::make_unique<soci::session>(soci::postgresql,
                                          testing::SociSafeUrl(env_->options().url));
  }
  const int built_before = g_note_queries_built;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(TextsFrom(*own, 1), std::vector<std::string>{"one"});
  EXPECT_EQ(g_note_queries_built - built_before, 3);
  // A pooled session's cache is not used for another session, even inside a callback.
  core::Status st = db_->Read([&](soci::session&) -> core::Status {
    if (TextsFrom(*own, 1) != std::vector<std::string>{"one"}) return core::Internal("x");
    return {};
  });
  EXPECT_TRUE(st.ok()) << Text(st);
  EXPECT_EQ(g_note_queries_built - built_before, 4);
}

TEST_F(SqliteDatabaseTest, ConnectionsHaveTheRequiredPragmas) {
  struct Pragmas {
    std::string journal_mode;
    int synchronous = -1, foreign_keys = -1, busy_timeout = -1, query_only = -1;
  };
  auto read_pragmas = [](soci::session& s) -> core::Result<Pragmas> {
    Pragmas p;
    s << "PRAGMA journal_mode", soci::into(p.journal_mode);
    s << "PRAGMA synchronous", soci::into(p.synchronous);
    s << "PRAGMA foreign_keys", soci::into(p.foreign_keys);
    s << "PRAGMA busy_timeout", soci::into(p.busy_timeout);
    s << "PRAGMA query_only", soci::into(p.query_only);
    return p;
  };
  auto writer = db_->Write(read_pragmas);
  ASSERT_TRUE(writer.ok()) << Text(writer);
  EXPECT_EQ(writer->journal_mode, "wal");
  EXPECT_EQ(writer->synchronous, 2);
  EXPECT_EQ(writer->foreign_keys, 1);
  EXPECT_EQ(writer->busy_timeout, 5000);
  EXPECT_EQ(writer->query_only, 0);

  auto reader = db_->Read(read_pragmas);
  ASSERT_TRUE(reader.ok()) << Text(reader);
  EXPECT_EQ(reader->journal_mode, "wal");
  EXPECT_EQ(reader->foreign_keys, 1);
  EXPECT_EQ(reader->busy_timeout, 5000);
  EXPECT_EQ(reader->query_only, 1);
}

TEST_F(SqliteDatabaseTest, ReadersRefuseWrites) {
  core::Status status = db_->Read([](soci::session& s) -> core::Status {
    s << "INSERT INTO notes (id, text) VALUES (1, 'sneaky')";
    return {};
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kInternal) << Text(status);
  EXPECT_EQ(*Count(*db_), 0);
}

TEST_F(SqliteDatabaseTest, ForeignKeysAreEnforced) {
  core::Status status = db_->Write([](soci::session& s) -> core::Status {
    s << "CREATE TABLE children (id INTEGER PRIMARY KEY, note_id INTEGER NOT NULL "
         "REFERENCES notes (id))";
    s << "INSERT INTO children (id, note_id) VALUES (1, 42)";
    return {};
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kInternal) << Text(status);
  EXPECT_NE(status.error().internal_message.find("FOREIGN KEY"), std::string::npos);
}

TEST_F(SqliteDatabaseTest, CreatesTheDataDirectoryOwnerOnly) {
  auto perms = std::filesystem::status(env_->options().data_dir).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all, std::filesystem::perms::owner_all);
}

TEST_F(PostgresDatabaseTest, ReconnectsAfterTheServerDropsItsConnections) {
  ASSERT_TRUE(Insert(*db_, 1, "before").ok());
  // Statements prepared on the connections that are about to be dropped.
  {
    constexpr int kPool = 4;
    std::latch all_borrowed(kPool);
    std::vector<std::thread> readers;
    for (int i = 0; i < kPool; ++i) {
      readers.emplace_back([&] {
        auto texts = db_->Read([&](soci::session& s) -> core::Result<std::vector<std::string>> {
          all_borrowed.arrive_and_wait();
          return TextsFrom(s, 1);
        });
        EXPECT_TRUE(texts.ok() && *texts == std::vector<std::string>{"before"}) << Text(texts);
      });
    }
    for (auto& reader : readers) reader.join();
  }
  // What a server restart looks like to the pool: every connection closed under it.
  soci::session admin(soci::postgresql, testing::SociSafeUrl(env_->server_url()));
  std::string name = env_->pg_name();
  admin << "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name",
      soci::use(name);
  int remaining = 1;
  for (int i = 0; i < 100 && remaining > 0; ++i) {
    admin << "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = :name", soci::use(name),
        soci::into(remaining);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(remaining, 0);

  // As many simultaneous reads as the pool holds, so every pooled connection must recover.
  constexpr int kPool = 4;
  ASSERT_EQ(env_->options().pool_size, static_cast<unsigned>(kPool));
  std::latch all_borrowed(kPool);
  std::vector<std::thread> readers;
  std::vector<core::Status> results(kPool);
  for (int i = 0; i < kPool; ++i) {
    readers.emplace_back([&, i] {
      results[i] = db_->Read([&](soci::session& s) -> core::Status {
        all_borrowed.arrive_and_wait();
        int one = 0;
        s << "SELECT 1", soci::into(one);
        // The statement cached on the dropped connection went with it; this one is new.
        if (TextsFrom(s, 1) != std::vector<std::string>{"before"}) {
          return core::Internal("prepared statement after reconnecting");
        }
        return {};
      });
    });
  }
  for (auto& reader : readers) reader.join();
  for (const auto& result : results) EXPECT_TRUE(result.ok()) << Text(result);
  core::Status write = Insert(*db_, 2, "after");
  EXPECT_TRUE(write.ok()) << Text(write);
  EXPECT_EQ(*Count(*db_), 2);
}

TEST_F(PostgresDatabaseTest, DescribeNeverShowsThePassword) {
  // The throw-away test cluster trusts local connections, so any password is accepted.
  std::string url = env_->options().url;
  std::size_t start = url.find("://") + 3;
  std::size_t at = url.find('@', start);
  std::string user = at == std::string::npos ? "postgres" : url.substr(start, at - start);
  user = user.substr(0, user.find(':'));
  url = url.substr(0, start) + user + ":s3cret-pw@" +
        url.substr(at == std::string::npos ? start : at + 1);
  auto db = Database::Open({.url = url, .pool_size = 1});
  ASSERT_TRUE(db.ok()) << Text(db);
  EXPECT_EQ((*db)->Describe().find("s3cret"), std::string::npos) << (*db)->Describe();
  EXPECT_EQ((*db)->Describe().find(user + "@"), std::string::npos) << (*db)->Describe();
}

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgres),
                         [](const auto& info) { return DialectName(info.param); });

// ---- Open() argument handling: no database needed -------------------------------------------

TEST(DatabaseOpen, RejectsUnsupportedUrls) {
  for (const char* url : {"mysql://u:p@h/db", "sqlite::memory:", "sqlite:", "file:x.db"}) {
    SCOPED_TRACE(url);
    auto db = Database::Open({.url = url, .data_dir = "/tmp"});
    ASSERT_FALSE(db.ok());
    EXPECT_EQ(db.error().code, ErrorCode::kInvalidArgument) << Text(db);
    EXPECT_EQ(db.error().public_message.find("u:p"), std::string::npos);
  }
}

TEST(DatabaseOpen, DefaultSqliteNeedsADataDirectory) {
  auto db = Database::Open({});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, ErrorCode::kInvalidArgument) << Text(db);
}

TEST(DatabaseOpen, UnreachablePostgresIsUnavailableAndKeepsThePasswordPrivate) {
  auto db = Database::Open(
      {.url = "postgres://u:hunter2@127.0.0.1:1/db?connect_timeout=2", .pool_size = 1});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, ErrorCode::kUnavailable) << Text(db);
  EXPECT_EQ(db.error().public_message.find("hunter2"), std::string::npos);
  EXPECT_EQ(db.error().internal_message.find("hunter2"), std::string::npos);
  EXPECT_NE(db.error().internal_message.find("127.0.0.1"), std::string::npos) << Text(db);
}

TEST(DatabaseOpen, ExplicitSqlitePathIsMadeAbsolute) {
  TestDatabase env(Dialect::kSqlite);
  std::filesystem::create_directories(env.dir());
  std::string path = (env.dir() / "explicit.db").string();
  auto db = Database::Open({.url = "sqlite:" + path, .pool_size = 1});
  ASSERT_TRUE(db.ok()) << Text(db);
  EXPECT_EQ((*db)->Describe(), "sqlite:" + path);
  EXPECT_TRUE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace gatehouse::store
