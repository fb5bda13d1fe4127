// Carries bus events between the nodes of a deployment through PostgreSQL LISTEN/NOTIFY: one
// listening connection per node (its own thread, reconnecting with back-off) and one connection
// for sending. A node ignores its own notifications (it delivered them locally already). After
// every reconnect the bus is told to resync, because notifications sent while the listener was
// away are not replayed by PostgreSQL.
//
//   auto transport = PgTransport::Start(url, bus);   // Result<std::unique_ptr<PgTransport>>
//   bus.SetTransport(std::move(*transport));
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/error.hpp"
#include "events/bus.hpp"

struct pg_conn;

namespace gatehouse::events {

class PgTransport final : public Transport {
 public:
  static constexpr const char* kChannel = "gatehouse_events";

  // Connects both connections before returning, so a bad URL fails at start-up.
  static core::Result<std::unique_ptr<PgTransport>> Start(const std::string& url, Bus& bus);
  ~PgTransport() override;

  void Send(const Event& event) override;
  void Stop() override;
  const std::string& node_id() const { return node_id_; }

 private:
  PgTransport(std::string url, Bus& bus);
  void Listen();
  bool ConnectListener();

  std::string url_;
  Bus& bus_;
  std::string node_id_;
  std::atomic<bool> stopping_{false};
  std::thread listener_;
  pg_conn* listen_conn_ = nullptr;  // owned by the listener thread
  std::mutex send_mutex_;
  pg_conn* send_conn_ = nullptr;
};

}  // namespace gatehouse::events
