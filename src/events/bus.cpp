#include "events/bus.hpp"

#include <spdlog/spdlog.h>

namespace gatehouse::events {

Bus::~Bus() { Stop(); }

void Bus::Subscribe(std::string topic, Handler handler) {
  std::lock_guard lock(mutex_);
  handlers_.emplace_back(std::move(topic), std::move(handler));
}

void Bus::OnResync(std::function<void()> handler) {
  std::lock_guard lock(mutex_);
  resync_handlers_.push_back(std::move(handler));
}

void Bus::Publish(const std::string& topic, boost::json::object data) {
  Event event{topic, std::move(data), false};
  Deliver(event);
  Transport* transport;
  {
    std::lock_guard lock(mutex_);
    transport = transport_.get();
  }
  if (transport != nullptr) transport->Send(event);
}

void Bus::Deliver(const Event& event) {
  // A node that could not send an event asks everyone to drop what they cache.
  if (event.remote && event.topic == "bus.resync") {
    Resync();
    return;
  }
  std::vector<Handler> matching;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [topic, handler] : handlers_) {
      if (topic == event.topic || topic == "*") matching.push_back(handler);
    }
  }
  for (const auto& handler : matching) {
    try {
      handler(event);
    } catch (const std::exception& e) {
      spdlog::error("event handler for {} failed: {}", event.topic, e.what());
    }
  }
}

void Bus::Resync() {
  std::vector<std::function<void()>> handlers;
  {
    std::lock_guard lock(mutex_);
    handlers = resync_handlers_;
  }
  for (const auto& handler : handlers) handler();
}

void Bus::SetTransport(std::unique_ptr<Transport> transport) {
  std::lock_guard lock(mutex_);
  transport_ = std::move(transport);
}

void Bus::Stop() {
  std::unique_ptr<Transport> transport;
  {
    std::lock_guard lock(mutex_);
    transport = std::move(transport_);
  }
  if (transport) transport->Stop();
}

}  // namespace gatehouse::events
