#include "audit/geoip.hpp"

#include <maxminddb.h>

namespace gatehouse::audit {

struct MaxMindLocator::Db {
  MMDB_s mmdb{};
  bool open = false;
};

MaxMindLocator::MaxMindLocator() : db_(std::make_unique<Db>()) {}

MaxMindLocator::~MaxMindLocator() {
  if (db_->open) MMDB_close(&db_->mmdb);
}

core::Result<std::shared_ptr<MaxMindLocator>> MaxMindLocator::Open(const std::string& path) {
  std::shared_ptr<MaxMindLocator> locator(new MaxMindLocator());
  const int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &locator->db_->mmdb);
  if (status != MMDB_SUCCESS) {
    return core::InvalidArgument("cannot open GeoIP database " + path + ": " +
                                 MMDB_strerror(status));
  }
  locator->db_->open = true;
  return locator;
}

namespace {

std::string Text(MMDB_entry_s* entry, const char* const* path) {
  MMDB_entry_data_s data{};
  if (MMDB_aget_value(entry, &data, path) != MMDB_SUCCESS || !data.has_data ||
      data.type != MMDB_DATA_TYPE_UTF8_STRING) {
    return {};
  }
  return std::string(data.utf8_string, data.data_size);
}

}  // namespace

std::optional<Place> MaxMindLocator::Lookup(const std::string& ip) const {
  int gai_error = 0, mmdb_error = 0;
  // MMDB reads are thread-safe on a shared, read-only database.
  MMDB_lookup_result_s result =
      MMDB_lookup_string(&db_->mmdb, ip.c_str(), &gai_error, &mmdb_error);
  if (gai_error != 0 || mmdb_error != MMDB_SUCCESS || !result.found_entry) return std::nullopt;
  static const char* const kCountryCode[] = {"country", "iso_code", nullptr};
  static const char* const kCountryName[] = {"country", "names", "en", nullptr};
  static const char* const kCity[] = {"city", "names", "en", nullptr};
  static const char* const kRegion[] = {"subdivisions", "0", "names", "en", nullptr};
  Place place;
  place.country_code = Text(&result.entry, kCountryCode);
  place.country_name = Text(&result.entry, kCountryName);
  place.city = Text(&result.entry, kCity);
  place.region = Text(&result.entry, kRegion);
  if (place.country_code.empty() && place.city.empty()) return std::nullopt;
  return place;
}

}  // namespace gatehouse::audit
