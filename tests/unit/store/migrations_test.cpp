#include "store/migrations.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "core/ids.hpp"
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

std::string Label(const Migration& m) {
  char number[16];
  std::snprintf(number, sizeof number, "%04d", m.version);
  return std::string(number) + "_" + m.name;
}

std::vector<std::string> AllLabels(Dialect dialect) {
  std::vector<std::string> labels;
  for (const auto& m : EmbeddedMigrations(dialect)) labels.push_back(Label(m));
  return labels;
}

struct Recorded {
  int version;
  std::string name;
  long long applied_at;
};

core::Result<std::vector<Recorded>> RecordedMigrations(Database& db) {
  return db.Read([](soci::session& s) -> core::Result<std::vector<Recorded>> {
    std::vector<Recorded> rows;
    soci::rowset<soci::row> rs =
        (s.prepare << "SELECT CAST(version AS TEXT), name, CAST(applied_at AS TEXT) "
                      "FROM schema_migrations ORDER BY version");
    for (const soci::row& row : rs) {
      // soci::row is strict about column types, which differ by backend: compare as text.
      rows.push_back({std::stoi(row.get<std::string>(0)), row.get<std::string>(1),
                      std::stoll(row.get<std::string>(2))});
    }
    return rows;
  });
}

TEST(EmbeddedMigrations, AreOrderedNonEmptyAndTheSameForBothDialects) {
  const auto& sqlite = EmbeddedMigrations(Dialect::kSqlite);
  const auto& postgres = EmbeddedMigrations(Dialect::kPostgres);
  ASSERT_FALSE(sqlite.empty());
  EXPECT_EQ(sqlite.front().version, 1);
  EXPECT_EQ(sqlite.front().name, "instance_meta");
  for (std::size_t i = 1; i < sqlite.size(); ++i) {
    EXPECT_LT(sqlite[i - 1].version, sqlite[i].version);
  }
  EXPECT_EQ(AllLabels(Dialect::kSqlite), AllLabels(Dialect::kPostgres));
  // Every migration changes the schema (tables or indexes), none is an empty file.
  for (const auto& m : sqlite) EXPECT_NE(m.sql.find("CREATE "), std::string::npos) << m.name;
  EXPECT_FALSE(postgres.front().sql.empty());
}

class MigrationsTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    env_ = std::make_unique<TestDatabase>(GetParam());
    if (!env_->available()) GTEST_SKIP() << testing::kNoPostgresMessage;
    db_ = OpenDb();
    ASSERT_NE(db_, nullptr);
  }

  void TearDown() override {
    if (db_) db_->Close();
    db_.reset();
    env_.reset();
  }

  std::unique_ptr<Database> OpenDb() {
    auto db = Database::Open(env_->options());
    EXPECT_TRUE(db.ok()) << Text(db);
    return db.ok() ? std::move(*db) : nullptr;
  }

  int Newest() const { return EmbeddedMigrations(GetParam()).back().version; }

  std::unique_ptr<TestDatabase> env_;
  std::unique_ptr<Database> db_;
};

TEST_P(MigrationsTest, EmptyDatabaseIsVersionZero) {
  auto version = SchemaVersion(*db_);
  ASSERT_TRUE(version.ok()) << Text(version);
  EXPECT_EQ(*version, 0);
}

TEST_P(MigrationsTest, MigrateFromEmptyAppliesAllAndRecordsThem) {
  auto report = Migrate(*db_);
  ASSERT_TRUE(report.ok()) << Text(report);
  EXPECT_EQ(report->from_version, 0);
  EXPECT_EQ(report->to_version, Newest());
  EXPECT_EQ(report->applied, AllLabels(GetParam()));
  EXPECT_EQ(*SchemaVersion(*db_), Newest());

  auto recorded = RecordedMigrations(*db_);
  ASSERT_TRUE(recorded.ok()) << Text(recorded);
  const auto& embedded = EmbeddedMigrations(GetParam());
  ASSERT_EQ(recorded->size(), embedded.size());
  for (std::size_t i = 0; i < embedded.size(); ++i) {
    EXPECT_EQ((*recorded)[i].version, embedded[i].version);
    EXPECT_EQ((*recorded)[i].name, embedded[i].name);
    EXPECT_GT((*recorded)[i].applied_at, 1'600'000'000'000LL);  // Unix milliseconds
  }

  auto id = InstanceId(*db_);
  ASSERT_TRUE(id.ok()) << Text(id);
  EXPECT_TRUE(core::IsUuid(*id)) << *id;
}

TEST_P(MigrationsTest, MigrateTwiceIsANoOp) {
  ASSERT_TRUE(Migrate(*db_).ok());
  auto first_id = InstanceId(*db_);
  ASSERT_TRUE(first_id.ok());

  auto again = Migrate(*db_);
  ASSERT_TRUE(again.ok()) << Text(again);
  EXPECT_EQ(again->from_version, Newest());
  EXPECT_EQ(again->to_version, Newest());
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(RecordedMigrations(*db_)->size(), EmbeddedMigrations(GetParam()).size());
  EXPECT_EQ(*InstanceId(*db_), *first_id);
}

TEST_P(MigrationsTest, RefusesASchemaNewerThanTheBinary) {
  ASSERT_TRUE(Migrate(*db_).ok());
  core::Status faked = db_->Write([](soci::session& s) -> core::Status {
    s << "INSERT INTO schema_migrations (version, name, applied_at) "
         "VALUES (9999, 'from_the_future', 0)";
    return {};
  });
  ASSERT_TRUE(faked.ok()) << Text(faked);

  auto report = Migrate(*db_);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, ErrorCode::kFailedPrecondition) << Text(report);
  EXPECT_EQ(report.error().public_message,
            "database schema version 9999 is newer than this binary (" + std::to_string(Newest()) +
                "); upgrade gatehouse");
  EXPECT_EQ(*SchemaVersion(*db_), 9999);
}

TEST_P(MigrationsTest, ConcurrentMigratorsApplyEachMigrationExactlyOnce) {
  // Separate Database objects have separate connections, as separate processes would.
  constexpr int kMigrators = 4;
  std::vector<std::unique_ptr<Database>> dbs;
  for (int i = 0; i < kMigrators; ++i) {
    dbs.push_back(OpenDb());
    ASSERT_NE(dbs.back(), nullptr);
  }
  std::vector<core::Result<MigrationReport>> reports(kMigrators, core::Internal("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kMigrators; ++i) {
    threads.emplace_back([&, i] { reports[i] = Migrate(*dbs[i]); });
  }
  for (auto& thread : threads) thread.join();

  std::vector<std::string> applied;
  for (const auto& report : reports) {
    ASSERT_TRUE(report.ok()) << Text(report);
    EXPECT_EQ(report->to_version, Newest());
    applied.insert(applied.end(), report->applied.begin(), report->applied.end());
  }
  std::sort(applied.begin(), applied.end());
  EXPECT_EQ(applied, AllLabels(GetParam()));  // each exactly once, across all migrators
  EXPECT_EQ(RecordedMigrations(*db_)->size(), EmbeddedMigrations(GetParam()).size());

  auto id = InstanceId(*db_);
  ASSERT_TRUE(id.ok()) << Text(id);
  for (auto& db : dbs) EXPECT_EQ(*InstanceId(*db), *id);
}

INSTANTIATE_TEST_SUITE_P(Backends, MigrationsTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgres),
                         [](const auto& info) { return DialectName(info.param); });

}  // namespace
}  // namespace gatehouse::store
