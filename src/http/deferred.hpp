// A response a handler gives later: the handler returns `Later()` at once (freeing its worker
// thread) and some other thread calls `Complete` when the answer is known, e.g. once a group
// commit reports back. The connection waits without holding a thread (up to the server's
// deferred_timeout, then 503); the dispatcher then applies the usual envelope, headers and
// access log. No Beast here.
//
//   auto pending = http::Deferred::Make();
//   writer.Submit(meta, entry, [pending](auto r) { pending->Complete(Answer(std::move(r))); });
//   return pending->Later();
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "core/error.hpp"
#include "http/message.hpp"

namespace gatehouse::http {

class Deferred : public std::enable_shared_from_this<Deferred> {
 public:
  static std::shared_ptr<Deferred> Make() { return std::make_shared<Deferred>(); }

  // The placeholder a handler returns; the server waits for Complete before answering.
  Response Later();

  // Delivers the answer; safe from any thread. Only the first call counts (later ones, such
  // as a result arriving after the server gave up waiting, are ignored): returns whether this
  // call was the first.
  bool Complete(core::Result<Response> result);

  // For the server: `ready` runs once, on the completing thread, after Complete (at once if
  // it already happened). Then Take() yields the answer.
  void OnComplete(std::function<void()> ready);
  core::Result<Response> Take();
  bool completed() const;

 private:
  mutable std::mutex mutex_;
  std::optional<core::Result<Response>> result_;
  bool taken_ = false;
  std::function<void()> ready_;
};

}  // namespace gatehouse::http
