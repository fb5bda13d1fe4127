#include "audit/group_writer.hpp"

#include <spdlog/spdlog.h>

#include "audit/repo.hpp"

namespace gatehouse::audit {
namespace {

core::Error Refused(std::string internal) {
  core::Error error = core::Unavailable(std::move(internal),
                                        "The audit log cannot take events right now; retry later");
  error.retry_after_seconds = 1;
  return error;
}

}  // namespace

GroupWriter::GroupWriter(store::Database& db, const Recorder& recorder, GroupWriterOptions options)
    : db_(db), recorder_(recorder), options_(options) {}

GroupWriter::~GroupWriter() { Stop(); }

void GroupWriter::Start() {
  std::lock_guard lock(mutex_);
  if (started_ || stopping_) return;
  started_ = true;
  thread_ = std::thread([this] { Run(); });
}

void GroupWriter::Stop() {
  std::deque<Item> orphans;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (!started_) orphans.swap(queue_);  // no thread will ever write these
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (auto& item : orphans) Answer(item, Refused("audit writer stopped before starting"));
}

void GroupWriter::Answer(Item& item, core::Result<StoredEvent> outcome) {
  try {
    item.done(std::move(outcome));
  } catch (const std::exception& e) {
    // A caller's bug must not stop the writer (and leave every later caller waiting).
    spdlog::error("audit writer: completion callback failed: {}", e.what());
  }
}

core::Status GroupWriter::Submit(core::RequestMeta meta, Entry entry, Done done) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return Refused("audit writer stopped");
    if (queue_.size() >= options_.queue_capacity) {
      return Refused("audit writer queue full (" + std::to_string(queue_.size()) + ")");
    }
    queue_.push_back({std::move(meta), std::move(entry), std::move(done)});
  }
  wake_.notify_one();
  return {};
}

core::Result<std::future<core::Result<StoredEvent>>> GroupWriter::Submit(core::RequestMeta meta,
                                                                         Entry entry) {
  auto promise = std::make_shared<std::promise<core::Result<StoredEvent>>>();
  auto future = promise->get_future();
  auto queued = Submit(std::move(meta), std::move(entry),
                       [promise](core::Result<StoredEvent> e) { promise->set_value(std::move(e)); });
  if (!queued) return std::move(queued).error();
  return future;
}

core::Result<StoredEvent> GroupWriter::Write(core::RequestMeta meta, Entry entry) {
  auto future = Submit(std::move(meta), std::move(entry));
  if (!future) return std::move(future).error();
  if (future->wait_for(options_.wait_timeout) != std::future_status::ready) {
    return Refused("audit writer did not commit within the wait timeout");
  }
  return future->get();
}

GroupWriter::Stats GroupWriter::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void GroupWriter::Run() {
  std::vector<Item> batch;
  batch.reserve(options_.max_batch);
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping, and everything queued is written
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    WriteBatch(batch);
    batch.clear();
  }
}

void GroupWriter::WriteBatch(std::vector<Item>& batch) {
  std::vector<Item*> all;
  all.reserve(batch.size());
  for (auto& item : batch) all.push_back(&item);
  std::vector<core::Result<StoredEvent>> outcomes;
  outcomes.reserve(batch.size());
  std::uint64_t committed = 0, batches = 0, failed = 0;
  auto stored = Commit(all);
  if (stored) {
    for (auto& event : *stored) outcomes.emplace_back(std::move(event));
    committed = batch.size();
    batches = 1;
  } else {
    spdlog::error("audit writer: batch of {} failed: {}", batch.size(),
                  stored.error().internal_message);
    // A failure other than an unavailable store may be one bad event: give each its own
    // transaction so the others still land. Otherwise answer 503 (nothing was committed).
    const bool retry_alone =
        batch.size() > 1 && stored.error().code != core::ErrorCode::kUnavailable;
    for (auto& item : batch) {
      if (retry_alone) {
        std::vector<Item*> one{&item};
        auto alone = Commit(one);
        if (alone) {
          outcomes.emplace_back(std::move(alone->front()));
          ++committed;
          ++batches;
          continue;
        }
        spdlog::error("audit writer: event failed alone: {}", alone.error().internal_message);
      }
      outcomes.emplace_back(Refused("audit write failed: " + stored.error().internal_message));
      ++failed;
    }
  }
  {
    // Counted before anyone is answered, so a caller that got its answer sees its event here.
    std::lock_guard lock(mutex_);
    stats_.events += committed;
    stats_.batches += batches;
    stats_.failed += failed;
    if (batches == 1 && committed == batch.size()) {
      stats_.largest_batch = std::max<std::uint64_t>(stats_.largest_batch, batch.size());
    }
  }
  for (std::size_t i = 0; i < batch.size(); ++i) Answer(batch[i], std::move(outcomes[i]));
}

core::Result<std::vector<StoredEvent>> GroupWriter::Commit(std::vector<Item*>& items) {
  return db_.Write([&](soci::session& tx) -> core::Result<std::vector<StoredEvent>> {
    const repo::ChainHead head = repo::LockChainHead(tx);
    std::vector<std::string> ids;
    ids.reserve(items.size());
    for (Item* item : items) ids.push_back(recorder_.Record(tx, item->meta, item->entry));
    // Read the rows back as stored (the holder of the chain head lock wrote all of them).
    std::vector<StoredEvent> rows;
    rows.reserve(items.size());
    repo::WalkChain(tx, head.last_seq, [&](const StoredEvent& e) {
      rows.push_back(e);
      return rows.size() < items.size();
    });
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (i >= rows.size() || rows[i].id != ids[i]) {
        return core::Internal("audit writer: read-back does not match the written events");
      }
    }
    return rows;
  });
}

}  // namespace gatehouse::audit
