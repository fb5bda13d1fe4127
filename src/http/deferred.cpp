#include "http/deferred.hpp"

#include <utility>

namespace gatehouse::http {

Response Deferred::Later() {
  Response response;
  response.deferred = shared_from_this();
  return response;
}

bool Deferred::Complete(core::Result<Response> result) {
  std::function<void()> ready;
  {
    std::lock_guard lock(mutex_);
    if (result_ || taken_) return false;
    result_.emplace(std::move(result));
    ready.swap(ready_);
  }
  if (ready) ready();  // outside the lock: it may post, or even complete synchronously
  return true;
}

void Deferred::OnComplete(std::function<void()> ready) {
  {
    std::lock_guard lock(mutex_);
    if (!result_ && !taken_) {
      ready_ = std::move(ready);
      return;
    }
  }
  ready();
}

core::Result<Response> Deferred::Take() {
  std::lock_guard lock(mutex_);
  if (!result_ || taken_) {
    return core::Internal("deferred response taken before it was completed, or twice");
  }
  taken_ = true;
  core::Result<Response> out = std::move(*result_);
  result_.reset();
  return out;
}

bool Deferred::completed() const {
  std::lock_guard lock(mutex_);
  return result_.has_value() || taken_;
}

}  // namespace gatehouse::http
