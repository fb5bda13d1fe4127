// GoogleMock matchers for core::Result / core::Status, so tests assert the specific error.
//
//   EXPECT_THAT(hasher.Hash("pw"), IsOk());
//   EXPECT_THAT(tokens.Verify(bad), HasError(core::ErrorCode::kUnauthenticated));
//   EXPECT_THAT(tokens.Verify(bad), RejectedBecause("expired"));
#pragma once

#include <gmock/gmock.h>

#include <string>

#include "core/error.hpp"

namespace gatehouse::security::testing {

MATCHER(IsOk, "is ok") {
  if (arg.ok()) return true;
  *result_listener << "error " << arg.error().Name() << " (" << arg.error().internal_message << ")";
  return false;
}

MATCHER_P(HasError, code, "fails with the given ErrorCode") {
  if (arg.ok()) {
    *result_listener << "is ok";
    return false;
  }
  *result_listener << "error " << arg.error().Name() << " (" << arg.error().internal_message << ")";
  return arg.error().code == code;
}

// A token rejection: 401 with the one public message, and an internal message naming `why`.
MATCHER_P(RejectedBecause, why, std::string("rejected because ") + why) {
  if (arg.ok()) {
    *result_listener << "was accepted";
    return false;
  }
  const core::Error& error = arg.error();
  *result_listener << "error " << error.Name() << " public '" << error.public_message
                   << "' internal '" << error.internal_message << "'";
  return error.code == core::ErrorCode::kUnauthenticated &&
         error.public_message == "Unauthorized" &&
         error.internal_message.find(why) != std::string::npos;
}

}  // namespace gatehouse::security::testing
