#include "events/pg_transport.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>

#include "core/ids.hpp"

namespace gatehouse::events {
namespace {

// NOTIFY payloads must stay under 8000 bytes.
constexpr std::size_t kMaxPayload = 7900;

PGconn* Connect(const std::string& url, std::string* error) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    if (error != nullptr) *error = PQerrorMessage(conn);
    PQfinish(conn);
    return nullptr;
  }
  return conn;
}

bool Exec(PGconn* conn, const char* sql) {
  PGresult* result = PQexec(conn, sql);
  const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK ||
                  PQresultStatus(result) == PGRES_TUPLES_OK;
  PQclear(result);
  return ok;
}

}  // namespace

PgTransport::PgTransport(std::string url, Bus& bus)
    : url_(std::move(url)), bus_(bus), node_id_(core::RandomHex(8)) {}

core::Result<std::unique_ptr<PgTransport>> PgTransport::Start(const std::string& url, Bus& bus) {
  std::unique_ptr<PgTransport> transport(new PgTransport(url, bus));
  std::string error;
  transport->send_conn_ = Connect(url, &error);
  if (transport->send_conn_ == nullptr || !transport->ConnectListener()) {
    return core::Unavailable(error, "cannot open the event channel on PostgreSQL");
  }
  transport->listener_ = std::thread([t = transport.get()] { t->Listen(); });
  return transport;
}

PgTransport::~PgTransport() { Stop(); }

bool PgTransport::ConnectListener() {
  if (listen_conn_ != nullptr) PQfinish(listen_conn_);
  listen_conn_ = Connect(url_, nullptr);
  if (listen_conn_ == nullptr) return false;
  if (!Exec(listen_conn_, (std::string("LISTEN ") + kChannel).c_str())) {
    PQfinish(listen_conn_);
    listen_conn_ = nullptr;
    return false;
  }
  return true;
}

void PgTransport::Listen() {
  auto backoff = std::chrono::milliseconds(200);
  while (!stopping_) {
    if (listen_conn_ == nullptr) {
      if (!ConnectListener()) {
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
        continue;
      }
      spdlog::info("event channel reconnected; resynchronising caches");
      backoff = std::chrono::milliseconds(200);
      bus_.Resync();
    }
    pollfd fd{PQsocket(listen_conn_), POLLIN, 0};
    const int ready = poll(&fd, 1, 250);
    if (ready < 0) continue;
    if (ready > 0 && PQconsumeInput(listen_conn_) == 0) {
      spdlog::warn("event channel lost: {}", PQerrorMessage(listen_conn_));
      PQfinish(listen_conn_);
      listen_conn_ = nullptr;
      continue;
    }
    if (PQstatus(listen_conn_) != CONNECTION_OK) {
      PQfinish(listen_conn_);
      listen_conn_ = nullptr;
      continue;
    }
    while (PGnotify* note = PQnotifies(listen_conn_)) {
      boost::system::error_code ec;
      auto value = boost::json::parse(note->extra, ec);
      PQfreemem(note);
      if (ec || !value.is_object()) continue;
      auto& object = value.as_object();
      const auto* origin = object.if_contains("origin");
      const auto* topic = object.if_contains("topic");
      const auto* data = object.if_contains("data");
      if (origin == nullptr || topic == nullptr || data == nullptr || !topic->is_string() ||
          !data->is_object()) {
        continue;
      }
      if (origin->is_string() && origin->as_string() == node_id_) continue;
      bus_.Deliver(Event{std::string(topic->as_string()), data->as_object(), true});
    }
  }
  if (listen_conn_ != nullptr) {
    PQfinish(listen_conn_);
    listen_conn_ = nullptr;
  }
}

void PgTransport::Send(const Event& event) {
  const std::string payload = boost::json::serialize(
      boost::json::object{{"origin", node_id_}, {"topic", event.topic}, {"data", event.data}});
  if (payload.size() > kMaxPayload) {
    // Too big to carry: the other nodes drop everything they cache instead.
    spdlog::warn("event {} too large for NOTIFY ({} bytes); asking nodes to resync",
                 event.topic, payload.size());
    Send(Event{"bus.resync", {}, false});
    return;
  }
  std::lock_guard lock(send_mutex_);
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (send_conn_ == nullptr || PQstatus(send_conn_) != CONNECTION_OK) {
      if (send_conn_ != nullptr) PQfinish(send_conn_);
      std::string error;
      send_conn_ = Connect(url_, &error);
      if (send_conn_ == nullptr) {
        spdlog::warn("event channel unavailable, {} not sent to other nodes: {}", event.topic,
                     error);
        return;
      }
    }
    const char* params[2] = {kChannel, payload.c_str()};
    PGresult* result = PQexecParams(send_conn_, "SELECT pg_notify($1, $2)", 2, nullptr, params,
                                    nullptr, nullptr, 0);
    const bool ok = PQresultStatus(result) == PGRES_TUPLES_OK;
    PQclear(result);
    if (ok) return;
    PQfinish(send_conn_);
    send_conn_ = nullptr;
  }
  spdlog::warn("event {} not sent to other nodes", event.topic);
}

void PgTransport::Stop() {
  if (stopping_.exchange(true)) return;
  if (listener_.joinable()) listener_.join();
  std::lock_guard lock(send_mutex_);
  if (send_conn_ != nullptr) {
    PQfinish(send_conn_);
    send_conn_ = nullptr;
  }
}

}  // namespace gatehouse::events
