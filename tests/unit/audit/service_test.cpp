// AuditService and GroupWriter against a real store: SQLite in a temporary directory, and
// PostgreSQL when GATEHOUSE_TEST_PG_URL names a server. Group commit (many requests per
// transaction, nothing acknowledged before COMMIT, 503 when full or failing), the report
// workflow, page numbers against keyset cursors, stats, export, and tamper evidence.
#include "audit/service.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "../store/store_test_env.hpp"
#include "audit/group_writer.hpp"
#include "audit/recorder.hpp"
#include "store/migrations.hpp"

namespace gatehouse::audit {
namespace {

using core::ErrorCode;
using store::Dialect;

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kJan1 = 1704067200000;  // 2024-01-01T00:00:00Z

class TestClock final : public core::Clock {
 public:
  core::TimePoint Now() const override { return core::FromUnixMillis(ms.load()); }
  std::atomic<std::int64_t> ms{kJan1};
};

core::RequestMeta Actor(std::string actor_id) {
  core::RequestMeta meta;
  meta.actor_id = std::move(actor_id);
  return meta;
}

template <typename R>
std::string Why(const R& r) {
  return r.ok() ? "ok"
                : std::string(r.error().Name()) + ": " + r.error().public_message + " / " +
                      r.error().internal_message;
}

class AuditStoreTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    env_ = std::make_unique<store::testing::TestDatabase>(GetParam());
    if (!env_->available()) GTEST_SKIP() << store::testing::kNoPostgresMessage;
    auto db = store::Database::Open(env_->options());
    ASSERT_TRUE(db.ok()) << Why(db);
    db_ = std::move(*db);
    auto migrated = store::Migrate(*db_);
    ASSERT_TRUE(migrated.ok()) << Why(migrated);
    recorder_ = std::make_unique<Recorder>(clock_, nullptr);
    service_ = std::make_unique<AuditService>(*db_, clock_, *recorder_);
  }
  void TearDown() override {
    service_.reset();
    recorder_.reset();
    if (db_) db_->Close();
    db_.reset();
    env_.reset();
  }

  // Records one event in its own transaction; returns its id.
  std::string Record(Entry entry, core::RequestMeta meta = {}) {
    auto id = db_->Write([&](soci::session& s) -> core::Result<std::string> {
      return recorder_->Record(s, meta, entry);
    });
    EXPECT_TRUE(id.ok()) << Why(id);
    return id.ok() ? *id : "";
  }

  void Sql(const std::string& sql) {
    auto done = db_->Write([&](soci::session& s) -> core::Status {
      s << sql;
      return {};
    });
    ASSERT_TRUE(done.ok()) << Why(done);
  }

  std::int64_t Count() {
    auto n = db_->Read([](soci::session& s) -> core::Result<std::int64_t> {
      long long count = 0;
      s << "SELECT COUNT(*) FROM audit_events", soci::into(count);
      return count;
    });
    return n.ok() ? *n : -1;
  }

  EventQuery Query(int limit = 20) {
    EventQuery q;
    q.filter.limit = limit;
    return q;
  }

  TestClock clock_;
  std::unique_ptr<store::testing::TestDatabase> env_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Recorder> recorder_;
  std::unique_ptr<AuditService> service_;
};

// --- group commit ----------------------------------------------------------------------------

TEST_P(AuditStoreTest, GroupWriterCommitsConcurrentRequestsTogether) {
  GroupWriter writer(*db_, *recorder_);
  writer.Start();
  constexpr int kThreads = 8, kEach = 150;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto event = writer.Write(Actor("actor-" + std::to_string(t)),
                                  {.event_type = "custom_action",
                                   .user_id = "u" + std::to_string(t),
                                   .description = "n" + std::to_string(i)});
        if (!event) {
          ++failures;
          continue;
        }
        EXPECT_EQ(event->event_type, "custom_action");
        EXPECT_EQ(event->actor_id, "actor-" + std::to_string(t));
        EXPECT_FALSE(event->hash.empty());
        ids[t].push_back(event->id);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  writer.Stop();
  EXPECT_EQ(failures.load(), 0);
  std::set<std::string> unique;
  for (const auto& list : ids) unique.insert(list.begin(), list.end());
  EXPECT_EQ(unique.size(), static_cast<std::size_t>(kThreads * kEach));
  EXPECT_EQ(Count(), kThreads * kEach);
  const auto stats = writer.stats();
  EXPECT_EQ(stats.events, static_cast<std::uint64_t>(kThreads * kEach));
  EXPECT_LT(stats.batches, stats.events) << "no two requests ever shared a transaction";
  EXPECT_GT(stats.largest_batch, 1u);
  auto check = service_->Verify();
  ASSERT_TRUE(check.ok()) << Why(check);
  EXPECT_TRUE(check->intact) << check->reason;
  EXPECT_EQ(check->checked, kThreads * kEach);
}

TEST_P(AuditStoreTest, GroupWriterRefusesWhenTheQueueIsFull) {
  GroupWriter writer(*db_, *recorder_, {.queue_capacity = 2});  // not started: nothing drains
  auto a = writer.Submit({}, {.event_type = "custom_action"});
  auto b = writer.Submit({}, {.event_type = "custom_action"});
  auto c = writer.Submit({}, {.event_type = "custom_action"});
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kUnavailable);
  EXPECT_GT(c.error().retry_after_seconds, 0);
  writer.Stop();  // never started: the queued ones are refused, not left hanging
  EXPECT_EQ(a->get().error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(b->get().error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(Count(), 0);
}

TEST_P(AuditStoreTest, GroupWriterStopWritesEverythingQueued) {
  GroupWriter writer(*db_, *recorder_);
  writer.Start();
  std::vector<std::future<core::Result<StoredEvent>>> futures;
  for (int i = 0; i < 300; ++i) {
    auto f = writer.Submit({}, {.event_type = "custom_action"});
    ASSERT_TRUE(f.ok());
    futures.push_back(std::move(*f));
  }
  writer.Stop();
  for (auto& f : futures) {
    ASSERT_EQ(f.wait_for(std::chrono::seconds(0)), std::future_status::ready);
    EXPECT_TRUE(f.get().ok());
  }
  EXPECT_EQ(Count(), 300);
  auto late = writer.Submit({}, {.event_type = "custom_action"});
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kUnavailable);
}

TEST_P(AuditStoreTest, GroupWriterCallbackRunsOnceAfterTheCommit) {
  GroupWriter writer(*db_, *recorder_);
  writer.Start();
  constexpr int kEvents = 200;
  std::mutex mutex;
  std::condition_variable cv;
  int answered = 0;
  std::vector<std::string> ids;
  std::vector<std::int64_t> committed_when_answered;
  for (int i = 0; i < kEvents; ++i) {
    auto queued = writer.Submit(
        Actor("actor"), {.event_type = "custom_action", .description = "n" + std::to_string(i)},
        [&](core::Result<StoredEvent> event) {
          // Already committed: the writer counts a batch before answering any of it.
          const auto committed = static_cast<std::int64_t>(writer.stats().events);
          std::lock_guard lock(mutex);
          ++answered;
          if (event) ids.push_back(event->id);
          committed_when_answered.push_back(committed);
          cv.notify_all();
        });
    ASSERT_TRUE(queued.ok());
  }
  {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return answered == kEvents; });
  }
  writer.Stop();
  EXPECT_EQ(answered, kEvents);  // Stop joined the writer: no second call can come later
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kEvents));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(),
            static_cast<std::size_t>(kEvents));
  for (std::size_t i = 0; i < committed_when_answered.size(); ++i) {
    EXPECT_GE(committed_when_answered[i], static_cast<std::int64_t>(i + 1));
  }
  EXPECT_EQ(Count(), kEvents);
}

TEST_P(AuditStoreTest, GroupWriterCallbackIsNotCalledWhenRefused) {
  GroupWriter writer(*db_, *recorder_, {.queue_capacity = 1});  // not started: nothing drains
  int calls = 0;
  ASSERT_TRUE(writer.Submit({}, {.event_type = "custom_action"},
                            [&](core::Result<StoredEvent>) { ++calls; })
                  .ok());
  auto refused = writer.Submit({}, {.event_type = "custom_action"},
                               [&](core::Result<StoredEvent>) { ++calls; });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(calls, 0);
  writer.Stop();  // the queued one is answered (refused), the refused one never
  EXPECT_EQ(calls, 1);
}

TEST_P(AuditStoreTest, GroupWriterAnswersUnavailableWhenTheStoreFails) {
  GroupWriter writer(*db_, *recorder_);
  writer.Start();
  ASSERT_TRUE(writer.Write({}, {.event_type = "custom_action"}).ok());
  db_->Close();
  auto failed = writer.Write({}, {.event_type = "custom_action"});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(writer.stats().failed, 1u);
  writer.Stop();
}

// --- reports ---------------------------------------------------------------------------------

TEST_P(AuditStoreTest, ReportWorkflowFollowsTheRules) {
  const std::string mine = Record({.event_type = "login", .user_id = "alice"});
  const std::string theirs = Record({.event_type = "login", .user_id = "bob"});

  auto other = service_->ReportEvent("alice", {}, {theirs, "not_me", std::nullopt});
  EXPECT_EQ(other.ok() ? "" : other.error().name, "AuditEventNotFound");
  auto missing = service_->ReportEvent("alice", {}, {"no-such-event", "not_me", std::nullopt});
  EXPECT_EQ(missing.ok() ? "" : missing.error().name, "AuditEventNotFound");
  auto anonymous = service_->ReportEvent("", {}, {mine, "not_me", std::nullopt});
  EXPECT_FALSE(anonymous.ok());

  auto report =
      service_->ReportEvent("alice", Actor("alice"), {mine, "not_me", std::string("wasn't me")});
  ASSERT_TRUE(report.ok()) << Why(report);
  EXPECT_EQ(report->status, "pending");
  EXPECT_EQ(report->user_id, "alice");
  EXPECT_EQ(report->description, "wasn't me");
  auto again = service_->ReportEvent("alice", {}, {mine, "suspicious", std::nullopt});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(again.error().name, "ReportAlreadyExists");

  // The event is flagged, and the report itself was recorded in alice's log.
  auto reported = Query();
  reported.filter.is_reported = true;
  auto flagged = service_->Events(reported);
  ASSERT_TRUE(flagged.ok());
  ASSERT_EQ(flagged->events.size(), 1u);
  EXPECT_EQ(flagged->events[0].id, mine);
  auto created = Query();
  created.filter.event_types = {"audit_report_created"};
  auto log = service_->EventsOf("alice", created);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->events.size(), 1u);
  EXPECT_EQ(log->events[0].resource_id, report->id);

  auto reviewed =
      service_->UpdateReport("admin", Actor("admin"), report->id, {"reviewed", std::nullopt});
  ASSERT_TRUE(reviewed.ok()) << Why(reviewed);
  EXPECT_EQ(reviewed->reviewed_by, "admin");
  EXPECT_TRUE(reviewed->reviewed_at.has_value());
  EXPECT_EQ(service_->ReportEvent("alice", {}, {mine, "other", std::nullopt}).error().code,
            ErrorCode::kAlreadyExists);  // reviewed is still open
  auto twice = service_->UpdateReport("admin", {}, report->id, {"reviewed", std::nullopt});
  EXPECT_EQ(twice.ok() ? "" : twice.error().name, "InvalidReportTransition");
  auto resolved =
      service_->UpdateReport("admin", {}, report->id, {"resolved", std::string("confirmed")});
  ASSERT_TRUE(resolved.ok()) << Why(resolved);
  EXPECT_EQ(resolved->resolution_notes, "confirmed");
  for (const char* back : {"pending", "reviewed", "dismissed", "resolved"}) {
    auto r = service_->UpdateReport("admin", {}, report->id, {back, std::nullopt});
    ASSERT_FALSE(r.ok()) << back;
    EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition) << back;
  }
  auto unknown = service_->UpdateReport("admin", {}, "nope", {"reviewed", std::nullopt});
  EXPECT_EQ(unknown.ok() ? "" : unknown.error().name, "ReportNotFound");

  // Closed: the event may be reported again.
  auto second = service_->ReportEvent("alice", {}, {mine, "suspicious", std::nullopt});
  ASSERT_TRUE(second.ok()) << Why(second);
  auto dismissed = service_->UpdateReport("", {}, second->id, {"dismissed", std::nullopt});
  ASSERT_TRUE(dismissed.ok());
  EXPECT_FALSE(dismissed->reviewed_by.has_value());  // root: nobody to name

  auto own = service_->ReportsOf("alice");
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->size(), 2u);
  EXPECT_TRUE(service_->ReportsOf("bob")->empty());
  ReportQuery all;
  all.limit = 1;
  auto page = service_->Reports(all);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total_count, 2);
  EXPECT_EQ(page->total_pages, 2);
  EXPECT_EQ(page->reports.size(), 1u);
  all.status = "resolved";
  EXPECT_EQ(service_->Reports(all)->total_count, 1);

  auto updated = Query();
  updated.filter.event_types = {"audit_report_updated"};
  EXPECT_EQ(service_->EventsOf("alice", updated)->total_count, 3);
  EXPECT_TRUE(service_->Verify()->intact);
}

// --- queries ---------------------------------------------------------------------------------

std::vector<std::string> Ids(const std::vector<StoredEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.id);
  return out;
}

TEST_P(AuditStoreTest, PageNumbersCursorsAndDeepPagesAgree) {
  // 57 events, several per millisecond (ties broken by seq), three users.
  for (int i = 0; i < 57; ++i) {
    clock_.ms = kJan1 + (i / 3) * 1000;
    Record({.event_type = i % 2 == 0 ? "login" : "logout", .user_id = "u" + std::to_string(i % 3)});
  }
  for (bool descending : {true, false}) {
    SCOPED_TRACE(descending ? "desc" : "asc");
    auto everything = Query(100);
    everything.filter.descending = descending;
    auto all = service_->Events(everything);
    ASSERT_TRUE(all.ok());
    ASSERT_EQ(all->events.size(), 57u);
    for (std::size_t i = 1; i < all->events.size(); ++i) {
      const auto& a = all->events[i - 1];
      const auto& b = all->events[i];
      EXPECT_TRUE(
          descending
              ? (a.created_at > b.created_at || (a.created_at == b.created_at && a.seq > b.seq))
              : (a.created_at < b.created_at || (a.created_at == b.created_at && a.seq < b.seq)));
    }
    const auto expected = Ids(all->events);

    std::vector<std::string> by_page;
    for (int page = 1; page <= 7; ++page) {
      auto q = Query(10);
      q.filter.descending = descending;
      q.page = page;
      auto got = service_->Events(q);
      ASSERT_TRUE(got.ok());
      EXPECT_EQ(got->total_count, 57);
      EXPECT_EQ(got->total_pages, 6);
      EXPECT_EQ(got->events.size(), page <= 5 ? 10u : page == 6 ? 7u : 0u) << page;
      EXPECT_EQ(got->next_cursor.has_value(), page <= 5) << page;
      for (const auto& id : Ids(got->events)) by_page.push_back(id);
    }
    EXPECT_EQ(by_page, expected);

    std::vector<std::string> by_cursor;
    auto q = Query(10);
    q.filter.descending = descending;
    for (int hops = 0; hops < 10; ++hops) {
      auto got = service_->Events(q);
      ASSERT_TRUE(got.ok());
      for (const auto& id : Ids(got->events)) by_cursor.push_back(id);
      if (!got->next_cursor) break;
      q.cursor = DecodeCursor(*got->next_cursor);
      ASSERT_TRUE(q.cursor.has_value());
    }
    EXPECT_EQ(by_cursor, expected);
  }

  // Filters combine; other sort columns page consistently too.
  auto filtered = Query(5);
  filtered.filter.user_id = "u1";
  filtered.filter.event_types = {"login"};
  filtered.filter.sort_column = "event_type";
  std::vector<std::string> pages;
  std::int64_t total = 0;
  for (int page = 1; page <= 3; ++page) {
    filtered.page = page;
    auto got = service_->Events(filtered);
    ASSERT_TRUE(got.ok());
    total = got->total_count;
    EXPECT_FALSE(got->next_cursor.has_value());  // cursors only in createdAt order
    for (const auto& e : got->events) {
      EXPECT_EQ(e.user_id, "u1");
      EXPECT_EQ(e.event_type, "login");
      pages.push_back(e.id);
    }
  }
  EXPECT_EQ(total, 9);  // i % 3 == 1 and i even: i = 4, 10, ..., 52
  EXPECT_EQ(static_cast<std::int64_t>(std::set<std::string>(pages.begin(), pages.end()).size()),
            total);

  EventQuery none = Query();
  none.matches_nothing = true;
  EXPECT_EQ(service_->Events(none)->total_count, 0);
}

TEST_P(AuditStoreTest, StatsCountByTypeSeverityAndEveryDay) {
  clock_.ms = kJan1 - 10 * kDay;  // outside the window
  Record({.event_type = "login"});
  clock_.ms = kJan1 + 5;
  Record({.event_type = "login"});
  Record({.event_type = "login_failed", .success = false});
  clock_.ms = kJan1 + 2 * kDay + 5;
  Record({.event_type = "login"});
  auto stats = service_->Stats(3);
  ASSERT_TRUE(stats.ok()) << Why(stats);
  EXPECT_EQ(stats->total, 3);
  ASSERT_EQ(stats->by_day.size(), 3u);
  EXPECT_EQ(stats->by_day[0].key, "2024-01-01");
  EXPECT_EQ(stats->by_day[0].count, 2);
  EXPECT_EQ(stats->by_day[1].key, "2024-01-02");
  EXPECT_EQ(stats->by_day[1].count, 0);
  EXPECT_EQ(stats->by_day[2].key, "2024-01-03");
  EXPECT_EQ(stats->by_day[2].count, 1);
  ASSERT_FALSE(stats->by_type.empty());
  EXPECT_EQ(stats->by_type[0].key, "login");
  EXPECT_EQ(stats->by_type[0].count, 2);
  ASSERT_EQ(stats->by_severity.size(), 4u);
  std::int64_t severities = 0;
  for (const auto& c : stats->by_severity) severities += c.count;
  EXPECT_EQ(severities, 3);
}

TEST_P(AuditStoreTest, ExportWalksEveryPageAndSaysWhenTruncated) {
  for (int i = 0; i < 12; ++i) {
    clock_.ms = kJan1 + i;
    Record({.event_type = "custom_action", .description = "row, \"" + std::to_string(i) + "\""});
  }
  AuditService small(*db_, clock_, *recorder_, {.export_cap = 5, .export_page = 2});
  auto capped = small.Export(Query(), ExportFormat::kJsonl);
  ASSERT_TRUE(capped.ok()) << Why(capped);
  EXPECT_EQ(capped->count, 5);
  EXPECT_TRUE(capped->truncated);
  EXPECT_EQ(std::count(capped->body.begin(), capped->body.end(), '\n'), 5);

  AuditService roomy(*db_, clock_, *recorder_, {.export_cap = 12, .export_page = 5});
  auto exact = roomy.Export(Query(), ExportFormat::kCsv);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->count, 12);
  EXPECT_FALSE(exact->truncated);  // exactly the cap is not truncation
  EXPECT_TRUE(exact->body.starts_with("id,createdAt,eventType"));

  auto by_type = Query();
  by_type.filter.sort_column = "event_type";
  auto offset_walk = small.Export(by_type, ExportFormat::kJsonl);
  ASSERT_TRUE(offset_walk.ok());
  EXPECT_EQ(offset_walk->count, 5);
  EXPECT_TRUE(offset_walk->truncated);
}

// --- tamper evidence -------------------------------------------------------------------------

TEST_P(AuditStoreTest, VerifyNamesTheEditedEventAndPruneKeepsTheChainVerifiable) {
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    clock_.ms = kJan1 + i * kDay;
    ids.push_back(Record({.event_type = "custom_action",
                          .user_id = "u",
                          .description = "event " + std::to_string(i)}));
  }
  auto clean = service_->Verify();
  ASSERT_TRUE(clean.ok()) << Why(clean);
  EXPECT_TRUE(clean->intact);
  EXPECT_EQ(clean->checked, 10);

  Sql("UPDATE audit_events SET description = 'nothing happened' WHERE id = '" + ids[3] + "'");
  auto tampered = service_->Verify();
  ASSERT_TRUE(tampered.ok());
  EXPECT_FALSE(tampered->intact);
  EXPECT_EQ(tampered->broken_id, ids[3]);
  EXPECT_EQ(tampered->broken_seq, 4);

  auto refused = service_->Prune(kJan1 + 6 * kDay, /*force=*/false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().name, "ChainBroken");
  EXPECT_NE(refused.error().public_message.find(ids[3]), std::string::npos);

  auto pruned = service_->Prune(kJan1 + 6 * kDay, /*force=*/true);
  ASSERT_TRUE(pruned.ok()) << Why(pruned);
  EXPECT_EQ(pruned->pruned, 6);
  EXPECT_FALSE(pruned->checkpoint_id.empty());
  auto after = service_->Verify();
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->intact) << after->reason;
  EXPECT_EQ(after->from_seq, 6);
  EXPECT_EQ(after->checked, 4);
  EXPECT_EQ(Count(), 4);
  EXPECT_EQ(service_->Prune(kJan1, false)->pruned, 0);  // nothing that old is left

  // New events extend the chain after the cut.
  clock_.ms = kJan1 + 20 * kDay;
  const std::string later = Record({.event_type = "custom_action"});
  EXPECT_TRUE(service_->Verify()->intact);

  // Deleting a row in the middle names the event after the gap; at the end, the head.
  Sql("DELETE FROM audit_events WHERE id = '" + ids[8] + "'");
  auto gap = service_->Verify();
  EXPECT_FALSE(gap->intact);
  EXPECT_EQ(gap->broken_id, ids[9]);
  Sql("DELETE FROM audit_events WHERE seq >= 9");
  auto tail = service_->Verify();
  EXPECT_FALSE(tail->intact);
  EXPECT_EQ(tail->broken_seq, 9);
}

TEST_P(AuditStoreTest, ForgedHashIsCaughtAtTheNextLink) {
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(Record({.event_type = "custom_action"}));
  // Rewriting a row together with a recomputed hash cannot fix the following prev_hash.
  auto row = db_->Read(
      [&](soci::session& s) -> core::Result<StoredEvent> { return *repo::FindEvent(s, ids[1]); });
  ASSERT_TRUE(row.ok());
  StoredEvent forged = *row;
  forged.description = "forged";
  forged.hash = ChainHash(forged.prev_hash, forged);
  Sql("UPDATE audit_events SET description = 'forged', hash = '" + forged.hash + "' WHERE id = '" +
      ids[1] + "'");
  auto check = service_->Verify();
  ASSERT_TRUE(check.ok());
  EXPECT_FALSE(check->intact);
  EXPECT_EQ(check->broken_id, ids[2]);
}

INSTANTIATE_TEST_SUITE_P(, AuditStoreTest, ::testing::Values(Dialect::kSqlite, Dialect::kPostgres),
                         [](const auto& info) {
                           return std::string(store::testing::DialectName(info.param));
                         });

}  // namespace
}  // namespace gatehouse::audit
