// An audit event as stored: seed 001's AuditEvent plus request id, severity, chain position and
// hashes. The hash covers every column except is_reported (the one a report may change).
//
//   StoredEvent e = ...;
//   e.hash = ChainHash(e.prev_hash, e);
//   boost::json::object wire = ToJson(e);     // camelCase, as seed 001
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace gatehouse::audit {

struct StoredEvent {
  std::string id;
  std::int64_t seq = 0;
  std::optional<std::string> user_id;
  std::string event_type;
  std::optional<std::string> resource_type;
  std::optional<std::string> resource_id;
  std::optional<std::string> actor_id;
  std::optional<std::string> ip_address;
  std::optional<std::string> user_agent;
  std::optional<std::string> description;
  std::string metadata = "{}";  // JSON object text
  std::string status = "success";
  std::optional<std::string> error_message;
  std::optional<std::string> country_code;
  std::optional<std::string> country_name;
  std::optional<std::string> city;
  std::optional<std::string> region;
  std::string source_service = "api";
  std::optional<std::string> request_id;
  std::string severity = "low";
  std::int64_t created_at = 0;
  bool is_reported = false;
  std::string prev_hash;
  std::string hash;
};

// SHA-256 (hex) over prev_hash and every hashed column, each length-prefixed so no two
// different rows can produce the same input.
std::string ChainHash(const std::string& prev_hash, const StoredEvent& event);

// Seed 001's AuditEvent (camelCase; absent optionals are omitted) plus requestId and severity.
boost::json::object ToJson(const StoredEvent& event);

inline constexpr const char* kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

}  // namespace gatehouse::audit
