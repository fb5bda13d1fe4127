// The event bus: after a transaction commits, services publish what changed (a session
// revoked, a user's permissions changed); caches and the realtime hub subscribe. Delivery to
// local subscribers is synchronous, so a change is in effect on this node before the request
// that made it is answered. With a transport (PostgreSQL LISTEN/NOTIFY), events also reach the
// other nodes of the deployment; when the transport reconnects, subscribers are told to resync,
// since anything published while it was away is lost.
//
//   bus.Subscribe("session.revoked", [&](const Event& e) { ... e.data ... });
//   bus.OnResync([&] { ReloadRevocations(); });
//   bus.Publish("session.revoked", {{"ids", ids}});
#pragma once

#include <boost/json/object.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace gatehouse::events {

struct Event {
  std::string topic;
  boost::json::object data;
  bool remote = false;  // published by another node
};

// Carries events between nodes. Implementations call the bus's Deliver for events from other
// nodes and Resync after reconnecting.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual void Send(const Event& event) = 0;
  virtual void Stop() = 0;
};

class Bus {
 public:
  using Handler = std::function<void(const Event&)>;

  Bus() = default;
  ~Bus();
  Bus(const Bus&) = delete;
  Bus& operator=(const Bus&) = delete;

  void Subscribe(std::string topic, Handler handler);
  void OnResync(std::function<void()> handler);
  void Publish(const std::string& topic, boost::json::object data);

  // For transports.
  void Deliver(const Event& event);
  void Resync();
  void SetTransport(std::unique_ptr<Transport> transport);
  void Stop();

 private:
  std::mutex mutex_;
  std::vector<std::pair<std::string, Handler>> handlers_;
  std::vector<std::function<void()>> resync_handlers_;
  std::unique_ptr<Transport> transport_;
};

}  // namespace gatehouse::events
