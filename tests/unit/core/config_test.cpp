#include "core/config.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>

namespace gatehouse::core {
namespace {

ConfigSources WithEnv(std::map<std::string, std::string> env) {
  ConfigSources sources;
  static std::map<std::string, std::string> storage;
  storage = std::move(env);
  sources.getenv = [](const char* name) -> const char* {
    auto it = storage.find(name);
    return it == storage.end() ? nullptr : it->second.c_str();
  };
  return sources;
}

TEST(Config, DefaultsServeLocalhost8080WithSqliteInData) {
  auto config = ResolveConfig(WithEnv({}));
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->listen_host, "127.0.0.1");
  EXPECT_EQ(config->listen_port, 8080);
  EXPECT_EQ(config->data_dir, "./data");
  EXPECT_EQ(config->database_url, "");
  EXPECT_EQ(config->body_limit, 1024u * 1024u);
  EXPECT_EQ(config->header_limit, 16u * 1024u);
}

TEST(Config, FlagsBeatEnvironmentWhichBeatsFile) {
  const std::string path = ::testing::TempDir() + "/gatehouse_config_test.toml";
  {
    std::ofstream file(path);
    file << "listen = \"127.0.0.1:7000\"\n"
         << "data-dir = \"/from/file\"\n"
         << "body-limit = \"2MiB\"\n"
         << "cors-origins = [\"https://a.example\", \"https://b.example\"]\n";
  }
  auto sources = WithEnv({{"GATEHOUSE_LISTEN", "127.0.0.1:7001"},
                          {"GATEHOUSE_DATA_DIR", "/from/env"}});
  sources.config_file = path;
  sources.flags = {{"listen", "127.0.0.1:7002"}};
  auto config = ResolveConfig(sources);
  ASSERT_TRUE(config.ok()) << config.error().public_message;
  EXPECT_EQ(config->listen_port, 7002);
  EXPECT_EQ(config->data_dir, "/from/env");
  EXPECT_EQ(config->body_limit, 2u * 1024u * 1024u);
  ASSERT_EQ(config->cors_origins.size(), 2u);
  EXPECT_EQ(config->cors_origins[1], "https://b.example");
  std::remove(path.c_str());
}

TEST(Config, BadValueNamesTheOptionAndItsOrigin) {
  auto sources = WithEnv({});
  sources.flags = {{"body-limit", "banana"}};
  auto config = ResolveConfig(sources);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().public_message.find("--body-limit"), std::string::npos);
  EXPECT_NE(config.error().public_message.find("flag"), std::string::npos);

  auto from_env = ResolveConfig(WithEnv({{"GATEHOUSE_LOG_FORMAT", "xml"}}));
  ASSERT_FALSE(from_env.ok());
  EXPECT_NE(from_env.error().public_message.find("GATEHOUSE_LOG_FORMAT"), std::string::npos);
}

TEST(Config, UnknownKeyInFileIsRejected) {
  const std::string path = ::testing::TempDir() + "/gatehouse_config_unknown.toml";
  { std::ofstream(path) << "listne = \"127.0.0.1:1\"\n"; }
  auto sources = WithEnv({});
  sources.config_file = path;
  auto config = ResolveConfig(sources);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().public_message.find("listne"), std::string::npos);
  std::remove(path.c_str());
}

TEST(Config, ParsesSizesDurationsAndListenAddresses) {
  EXPECT_EQ(*ParseByteSize("16KiB"), 16384u);
  EXPECT_EQ(*ParseByteSize("1MiB"), 1048576u);
  EXPECT_EQ(*ParseByteSize("4096"), 4096u);
  EXPECT_FALSE(ParseByteSize("12XB").ok());
  EXPECT_FALSE(ParseByteSize("").ok());
  EXPECT_EQ(ParseDuration("500ms")->count(), 500);
  EXPECT_EQ(ParseDuration("30s")->count(), 30000);
  EXPECT_EQ(ParseDuration("2m")->count(), 120000);
  EXPECT_EQ(ParseDuration("7")->count(), 7000);
  EXPECT_FALSE(ParseDuration("soon").ok());

  std::string host;
  std::uint16_t port = 1;
  ASSERT_TRUE(ParseListen("0.0.0.0:0", host, port).ok());
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_EQ(port, 0);
  ASSERT_TRUE(ParseListen("[::1]:9000", host, port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 9000);
  EXPECT_FALSE(ParseListen("localhost", host, port).ok());
  EXPECT_FALSE(ParseListen("127.0.0.1:70000", host, port).ok());
}

TEST(Config, CorsOriginsMustBeOriginsOrWildcard) {
  auto sources = WithEnv({});
  sources.flags = {{"cors-origins", "https://ok.example, ftp://nope"}};
  EXPECT_FALSE(ResolveConfig(sources).ok());
  sources.flags = {{"cors-origins", "*"}};
  EXPECT_TRUE(ResolveConfig(sources).ok());
}

}  // namespace
}  // namespace gatehouse::core
