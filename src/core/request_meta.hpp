// Who asked and from where: what a route hands a service so the service can record it in the
// audit log in the same transaction as the change.
//
//   core::RequestMeta meta = MetaOf(ctx);                 // routes build it from the request
//   users.Update(ctx.principal, id, update, meta);        // services pass it to audit::Record
#pragma once

#include <string>

namespace gatehouse::core {

struct RequestMeta {
  std::string actor_id;        // the signed-in user acting, "" for anonymous or system
  std::string api_key_id;      // set when the actor authenticated with an API key
  std::string ip_address;
  std::string user_agent;
  std::string request_id;
  std::string source_service = "api";  // seed 001 sourceService
};

}  // namespace gatehouse::core
