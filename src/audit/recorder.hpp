// Writes audit events inside the caller's transaction, so an event exists exactly when the
// change it describes was committed. Each row carries a SHA-256 hash chained to the previous
// row's (tamper evidence; `gatehouse audit verify` walks it). Passwords, tokens and secret
// values never belong in an entry: put ids and field names in metadata, never values.
//
//   recorder.Record(tx, meta, {.event_type = types::kRoleAssigned, .user_id = target.id,
//                              .resource_type = "role", .resource_id = role.id});
#pragma once

#include <soci/soci.h>

#include <boost/json/object.hpp>

#include <memory>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/request_meta.hpp"

namespace gatehouse::audit {

// Country, region and city for an IP address (GeoIP); optional.
struct Place {
  std::string country_code;
  std::string country_name;
  std::string region;
  std::string city;
};
class GeoLocator {
 public:
  virtual ~GeoLocator() = default;
  virtual std::optional<Place> Lookup(const std::string& ip) const = 0;
};

// Every member has an initializer so designated initialisers may name only what they need.
struct Entry {
  std::string event_type{};     // one of audit::types
  std::string user_id{};        // whose activity log shows it; "" for system events
  std::string resource_type{};  // "user", "role", "session", "api_key", ...
  std::string resource_id{};
  std::string description{};
  boost::json::object metadata{};
  bool success = true;
  std::string error_message{};
};

class Recorder {
 public:
  // `geo` may be null (no GeoIP database configured).
  Recorder(const core::Clock& clock, std::shared_ptr<const GeoLocator> geo);

  // Inserts the event; SQL failures throw (soci), which rolls the caller's transaction back.
  // Returns the event id.
  std::string Record(soci::session& tx, const core::RequestMeta& meta, const Entry& entry) const;

 private:
  const core::Clock& clock_;
  std::shared_ptr<const GeoLocator> geo_;
};

}  // namespace gatehouse::audit
