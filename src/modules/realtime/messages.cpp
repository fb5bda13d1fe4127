#include "modules/realtime/messages.hpp"

#include <boost/json/serialize.hpp>

namespace gatehouse::modules::realtime {

std::shared_ptr<const std::string> Encode(std::string_view type, boost::json::object data,
                                          core::TimePoint now) {
  boost::json::object message;
  message["type"] = type;
  message["data"] = std::move(data);
  message["timestamp"] = core::FormatIso8601(now);
  return std::make_shared<const std::string>(boost::json::serialize(message));
}

}  // namespace gatehouse::modules::realtime
