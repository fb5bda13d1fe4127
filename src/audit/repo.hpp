// SQL for the audit log: the chain head, event rows, queries, reports and checkpoints. Only
// audit/ touches these tables; everything else records through Recorder.
//
//   auto head = repo::LockChainHead(tx);
//   repo::InsertEvent(tx, event);
//   auto page = repo::QueryEvents(s, filter);
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "audit/event.hpp"

namespace gatehouse::audit::repo {

struct ChainHead {
  std::int64_t last_seq = 0;
  std::string last_hash;
};
// Locks the head row (PostgreSQL: FOR UPDATE) so concurrent writers extend one chain.
ChainHead LockChainHead(soci::session& s);
// The head as last committed, without locking (verification).
ChainHead ReadChainHead(soci::session& s);
void UpdateChainHead(soci::session& s, std::int64_t seq, const std::string& hash);
void InsertEvent(soci::session& s, const StoredEvent& event);

struct EventFilter {
  std::optional<std::string> user_id;
  std::vector<std::string> event_types;  // any of
  std::optional<std::string> user_search;  // matches the user's email, login or name
  std::optional<std::string> resource_type;
  std::optional<std::string> status;
  std::optional<std::string> source_service;
  std::optional<std::string> severity;
  std::optional<std::int64_t> start_ms;
  std::optional<std::int64_t> end_ms;
  std::optional<bool> is_reported;
  std::string sort_column = "created_at";  // one of kSortColumns (anything else: created_at)
  bool descending = true;
  int limit = 20;
  std::int64_t offset = 0;
  // Keyset position, only with sort_column "created_at": rows strictly after (created_at, seq)
  // in the sort direction, so a deep page costs an index seek instead of skipping `offset`
  // rows. Ignored by CountEvents.
  std::optional<std::int64_t> after_created_at;
  std::optional<std::int64_t> after_seq;
};
// The columns events may be sorted by (every one indexed together with created_at).
inline constexpr const char* kSortColumns[] = {"created_at",     "event_type", "status", "user_id",
                                               "source_service", "severity",   "resource_type"};
std::vector<StoredEvent> QueryEvents(soci::session& s, const EventFilter& filter);
std::int64_t CountEvents(soci::session& s, const EventFilter& filter);
std::optional<StoredEvent> FindEvent(soci::session& s, const std::string& id);
void MarkReported(soci::session& s, const std::string& id);

// Walks events in chain order from `after_seq`, calling `visit` for each; stops when visit
// returns false.
void WalkChain(soci::session& s, std::int64_t after_seq,
               const std::function<bool(const StoredEvent&)>& visit);

struct Checkpoint {
  std::int64_t last_seq = 0;
  std::string last_hash;
};
std::optional<Checkpoint> LatestCheckpoint(soci::session& s);
// Deletes events created before `before_ms` (never the newest event) and records a checkpoint;
// returns how many were deleted.
std::int64_t Prune(soci::session& s, std::int64_t before_ms, std::int64_t now_ms,
                   const std::string& checkpoint_id);

// Counts for GET /v1/security/stats.
struct Count {
  std::string key;
  std::int64_t count = 0;
};
std::vector<Count> CountBy(soci::session& s, const char* column, std::int64_t since_ms);
std::vector<Count> CountByDay(soci::session& s, std::int64_t since_ms);

}  // namespace gatehouse::audit::repo
