#include "core/json.hpp"

#include <gtest/gtest.h>

namespace gatehouse::core {
namespace {

TEST(ParseJsonObject, RejectsMalformedAndNonObjectBodies) {
  for (const char* body : {"{", "[1,2]", "\"text\"", "{\"a\":}", "nul"}) {
    auto parsed = ParseJsonObject(body);
    ASSERT_FALSE(parsed.ok()) << body;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    EXPECT_STREQ(parsed.error().Name(), "ValidationError");
    EXPECT_FALSE(parsed.error().details.empty());
  }
  EXPECT_FALSE(ParseJsonObject("").ok());
  EXPECT_TRUE(ParseJsonObject("", /*allow_empty=*/true).ok());
  EXPECT_TRUE(ParseJsonObject(R"({"a":1})").ok());
}

TEST(ParseJsonObject, RejectsDeepNesting) {
  std::string deep(100, '[');
  deep = "{\"a\":" + deep + std::string(100, ']') + "}";
  EXPECT_FALSE(ParseJsonObject(deep).ok());
}

TEST(FieldReader, ReportsEveryBadFieldWithItsPath) {
  auto body = ParseJsonObject(
      R"({"name": 5, "roles": ["ok", 3], "extra": true, "email": "  a@b.c  "})");
  ASSERT_TRUE(body.ok());
  FieldReader in(*body);
  auto name = in.OptionalString("name");
  auto roles = in.OptionalStringArray("roles");
  auto email = in.RequiredString("email", {.min = 3, .max = 320, .trim = true});
  auto missing = in.RequiredString("password");
  EXPECT_FALSE(name);
  EXPECT_FALSE(roles);
  ASSERT_TRUE(email);
  EXPECT_EQ(*email, "a@b.c");
  EXPECT_FALSE(missing);
  auto status = in.Finish();
  ASSERT_FALSE(status.ok());
  const auto& errors = status.error().details;
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0].path, (std::vector<std::string>{"name"}));
  EXPECT_EQ(errors[1].path, (std::vector<std::string>{"roles", "1"}));
  EXPECT_EQ(errors[2].path, (std::vector<std::string>{"password"}));
  EXPECT_EQ(errors[3].path, (std::vector<std::string>{"extra"}));
  EXPECT_EQ(errors[3].message, "Unknown field");
}

TEST(FieldReader, LengthsCountCodePointsNotBytes) {
  auto body = ParseJsonObject(R"({"a": "ééééé", "b": "\u00e9\u00e9"})");
  ASSERT_TRUE(body.ok());
  FieldReader in(*body);
  EXPECT_TRUE(in.RequiredString("a", {.min = 5, .max = 5}));
  EXPECT_FALSE(in.RequiredString("b", {.min = 3}));
}

TEST(FieldReader, IntegersAreRangeChecked) {
  auto body = ParseJsonObject(R"({"n": 5, "m": 1.5, "k": -1})");
  ASSERT_TRUE(body.ok());
  FieldReader in(*body);
  EXPECT_EQ(in.OptionalInt("n", 0, 10), 5);
  EXPECT_FALSE(in.OptionalInt("m", 0, 10));
  EXPECT_FALSE(in.OptionalInt("k", 0, 10));
  EXPECT_FALSE(in.Finish().ok());
}

TEST(Utf8Length, RejectsInvalidSequences) {
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length("\xF0\x9F\x98\x80"), 1u);       // one emoji
  EXPECT_FALSE(Utf8Length("\xC0\xAF"));                 // overlong '/'
  EXPECT_FALSE(Utf8Length("\xED\xA0\x80"));             // surrogate
  EXPECT_FALSE(Utf8Length("\xE2\x82"));                 // truncated
  EXPECT_FALSE(Utf8Length("\xFF"));
}

}  // namespace
}  // namespace gatehouse::core
