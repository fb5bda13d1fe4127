// GeoIP enrichment from a MaxMind-format database (GeoLite2/GeoIP2 City or Country, or any
// .mmdb with the same layout), read with libmaxminddb. Optional: without a database file the
// audit log simply has no location fields.
//
//   auto geo = MaxMindLocator::Open("/var/lib/GeoIP/GeoLite2-City.mmdb");
//   Recorder recorder(clock, *geo);
//   std::optional<Place> place = (*geo)->Lookup("81.2.69.160");
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "audit/recorder.hpp"
#include "core/error.hpp"

namespace gatehouse::audit {

class MaxMindLocator final : public GeoLocator {
 public:
  static core::Result<std::shared_ptr<MaxMindLocator>> Open(const std::string& path);
  ~MaxMindLocator() override;

  std::optional<Place> Lookup(const std::string& ip) const override;

 private:
  MaxMindLocator();
  struct Db;
  std::unique_ptr<Db> db_;
};

}  // namespace gatehouse::audit
