// Group commit for client-logged audit events (POST /v1/audit/events): one background thread
// takes whatever requests are queued and writes up to `max_batch` of them in one transaction,
// each through Recorder (so the hash chain is the same as for any other event). A request's
// answer waits for its transaction's COMMIT, so an acknowledged event is durable; with
// synchronous=FULL one fsync then serves a whole batch instead of one event.
//
//   GroupWriter writer(db, recorder);  writer.Start();
//   core::Result<StoredEvent> event = writer.Write(meta, entry);   // blocks until committed
//   writer.Submit(meta, entry, [](core::Result<StoredEvent> e) { ... });  // called after COMMIT
//   writer.Stop();                     // writes what is queued, then joins
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "audit/event.hpp"
#include "audit/recorder.hpp"
#include "core/error.hpp"
#include "core/request_meta.hpp"
#include "store/database.hpp"

namespace gatehouse::audit {

struct GroupWriterOptions {
  std::size_t queue_capacity = 10'000;  // queued events; beyond that Submit answers 503
  std::size_t max_batch = 1'000;        // events per transaction
  // How long Write waits for the commit before answering 503 (the event may still commit).
  std::chrono::milliseconds wait_timeout{30'000};
};

class GroupWriter {
 public:
  GroupWriter(store::Database& db, const Recorder& recorder, GroupWriterOptions options = {});
  ~GroupWriter();  // Stop()
  GroupWriter(const GroupWriter&) = delete;
  GroupWriter& operator=(const GroupWriter&) = delete;

  void Start();
  // Refuses new events, writes every queued one, joins the thread. Idempotent. Call it before
  // closing the database.
  void Stop();

  using Done = std::function<void(core::Result<StoredEvent>)>;
  // Queues one event; `done` is called once, on the writer's thread, after the event's
  // transaction committed (with the stored event) or failed (kUnavailable). It must not block
  // for long: the next batch waits for it. When the queue is full or the writer is stopped,
  // returns kUnavailable at once and never calls `done`.
  core::Status Submit(core::RequestMeta meta, Entry entry, Done done);
  // The same with a future in place of the callback.
  core::Result<std::future<core::Result<StoredEvent>>> Submit(core::RequestMeta meta, Entry entry);
  // Submit and wait (up to wait_timeout).
  core::Result<StoredEvent> Write(core::RequestMeta meta, Entry entry);

  struct Stats {
    std::uint64_t events = 0;   // committed
    std::uint64_t batches = 0;  // committed transactions
    std::uint64_t largest_batch = 0;
    std::uint64_t failed = 0;  // events answered with an error
  };
  Stats stats() const;

 private:
  struct Item {
    core::RequestMeta meta;
    Entry entry;
    Done done;
  };
  static void Answer(Item& item, core::Result<StoredEvent> outcome);

  void Run();
  void WriteBatch(std::vector<Item>& batch);
  // One transaction for `items`; the stored rows in order, or the error.
  core::Result<std::vector<StoredEvent>> Commit(std::vector<Item*>& items);

  store::Database& db_;
  const Recorder& recorder_;
  const GroupWriterOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Item> queue_;
  bool started_ = false;
  bool stopping_ = false;
  Stats stats_;
  std::thread thread_;
};

}  // namespace gatehouse::audit
