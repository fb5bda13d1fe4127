#include "audit/recorder.hpp"

#include <boost/json/serialize.hpp>

#include "audit/catalog.hpp"
#include "audit/event.hpp"
#include "audit/repo.hpp"
#include "core/ids.hpp"

namespace gatehouse::audit {
namespace {

std::optional<std::string> NonEmpty(const std::string& value, std::size_t max = 512) {
  if (value.empty()) return std::nullopt;
  return value.substr(0, max);
}

}  // namespace

Recorder::Recorder(const core::Clock& clock, std::shared_ptr<const GeoLocator> geo)
    : clock_(clock), geo_(std::move(geo)) {}

std::string Recorder::Record(soci::session& tx, const core::RequestMeta& meta,
                             const Entry& entry) const {
  StoredEvent e;
  e.id = core::NewUuidV7();
  e.user_id = NonEmpty(entry.user_id);
  e.event_type = entry.event_type;
  e.resource_type = NonEmpty(entry.resource_type);
  e.resource_id = NonEmpty(entry.resource_id);
  e.actor_id = NonEmpty(meta.actor_id);
  e.ip_address = NonEmpty(meta.ip_address, 64);
  e.user_agent = NonEmpty(meta.user_agent);
  e.description = NonEmpty(entry.description, 1000);
  boost::json::object metadata = entry.metadata;
  if (!meta.api_key_id.empty()) metadata.emplace("apiKeyId", meta.api_key_id);
  e.metadata = boost::json::serialize(metadata);
  e.status = entry.success ? "success" : "failure";
  e.error_message = NonEmpty(entry.error_message, 1000);
  if (geo_ != nullptr && e.ip_address) {
    if (auto place = geo_->Lookup(*e.ip_address)) {
      e.country_code = NonEmpty(place->country_code, 8);
      e.country_name = NonEmpty(place->country_name, 100);
      e.city = NonEmpty(place->city, 100);
      e.region = NonEmpty(place->region, 100);
    }
  }
  e.source_service = meta.source_service.empty() ? "api" : meta.source_service;
  e.request_id = NonEmpty(meta.request_id, 128);
  e.severity = Describe(e.event_type).severity;
  e.created_at = core::ToUnixMillis(clock_.Now());

  const repo::ChainHead head = repo::LockChainHead(tx);
  e.seq = head.last_seq + 1;
  e.prev_hash = head.last_hash;
  e.hash = ChainHash(e.prev_hash, e);
  repo::InsertEvent(tx, e);
  repo::UpdateChainHead(tx, e.seq, e.hash);
  return e.id;
}

}  // namespace gatehouse::audit
