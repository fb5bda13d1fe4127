#include "audit/event.hpp"

#include <boost/json/parse.hpp>

#include "core/clock.hpp"
#include "security/digest.hpp"

namespace gatehouse::audit {
namespace {

void Field(std::string& out, const std::optional<std::string>& value) {
  if (!value) {
    out += "-1:|";
    return;
  }
  out += std::to_string(value->size());
  out += ':';
  out += *value;
  out += '|';
}

void Field(std::string& out, const std::string& value) { Field(out, std::optional(value)); }

}  // namespace

std::string ChainHash(const std::string& prev_hash, const StoredEvent& e) {
  std::string input;
  input.reserve(512);
  Field(input, prev_hash);
  Field(input, e.id);
  Field(input, std::to_string(e.seq));
  Field(input, e.user_id);
  Field(input, e.event_type);
  Field(input, e.resource_type);
  Field(input, e.resource_id);
  Field(input, e.actor_id);
  Field(input, e.ip_address);
  Field(input, e.user_agent);
  Field(input, e.description);
  Field(input, e.metadata);
  Field(input, e.status);
  Field(input, e.error_message);
  Field(input, e.country_code);
  Field(input, e.country_name);
  Field(input, e.city);
  Field(input, e.region);
  Field(input, e.source_service);
  Field(input, e.request_id);
  Field(input, e.severity);
  Field(input, std::to_string(e.created_at));
  return security::Sha256Hex(input);
}

boost::json::object ToJson(const StoredEvent& e) {
  boost::json::object out;
  out.reserve(22);
  auto optional = [&](const char* key, const std::optional<std::string>& value) {
    if (value) out.emplace(key, *value);
  };
  out.emplace("id", e.id);
  out.emplace("userId", e.user_id ? boost::json::value(*e.user_id) : boost::json::value(nullptr));
  out.emplace("eventType", e.event_type);
  optional("resourceType", e.resource_type);
  optional("resourceId", e.resource_id);
  optional("actorId", e.actor_id);
  optional("ipAddress", e.ip_address);
  optional("userAgent", e.user_agent);
  optional("description", e.description);
  boost::system::error_code ec;
  auto metadata = boost::json::parse(e.metadata, ec);
  if (!ec && metadata.is_object() && !metadata.as_object().empty()) {
    out.emplace("metadata", std::move(metadata));
  }
  out.emplace("status", e.status);
  optional("errorMessage", e.error_message);
  optional("countryCode", e.country_code);
  optional("countryName", e.country_name);
  optional("city", e.city);
  optional("region", e.region);
  out.emplace("sourceService", e.source_service);
  optional("requestId", e.request_id);
  out.emplace("severity", e.severity);
  out.emplace("createdAt", core::FormatIso8601(core::FromUnixMillis(e.created_at)));
  out.emplace("isReported", e.is_reported);
  return out;
}

}  // namespace gatehouse::audit
