#include "support/identity_helpers.hpp"

#include <fcntl.h>
#include <libpq-fe.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <barrier>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <boost/json.hpp>

extern char** environ;

namespace gatehouse::testing {
namespace {

namespace json = boost::json;

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

::testing::AssertionResult FillAccount(const Response& r, int expected_status, Account* out) {
  if (r.status != expected_status) {
    return ::testing::AssertionFailure() << "expected " << expected_status << ", got "
                                         << r.Describe();
  }
  json::value body = r.Json();
  boost::system::error_code ec;
  const json::value* data = body.find_pointer("/data", ec);
  if (data == nullptr || !data->is_object()) {
    return ::testing::AssertionFailure() << "no data object: " << r.body;
  }
  const json::object& d = data->get_object();
  auto str = [&](const char* key) -> std::string {
    const json::value* v = d.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  out->access = str("accessToken");
  out->refresh = str("refreshToken");
  out->session_id = str("sessionId");
  if (const json::value* user = d.if_contains("user"); user && user->is_object()) {
    if (const json::value* id = user->get_object().if_contains("id"); id && id->is_string()) {
      out->id = std::string(id->get_string());
    }
    if (const json::value* e = user->get_object().if_contains("email"); e && e->is_string()) {
      out->email = std::string(e->get_string());
    }
  }
  if (out->access.empty() || out->refresh.empty() || out->session_id.empty() || out->id.empty()) {
    return ::testing::AssertionFailure() << "incomplete login data: " << r.body;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace

std::vector<std::string> FastHashFlags(std::vector<std::string> more) {
  std::vector<std::string> flags = {"--password-memory", "8KiB", "--password-iterations", "1"};
  flags.insert(flags.end(), more.begin(), more.end());
  return flags;
}

Headers Bearer(std::string_view access_token) {
  return {{"Authorization", "Bearer " + std::string(access_token)}};
}

std::string JsonText(const json::value& value) { return json::serialize(value); }

std::string LoginBody(const std::string& email, const std::string& password) {
  return JsonText(json::object{{"email", email}, {"password", password}});
}

::testing::AssertionResult Register(HttpClient& client, const std::string& email,
                                    const std::string& password, Account* out,
                                    const json::object& extra, const Headers& headers) {
  json::object body = extra;
  body["email"] = email;
  body["password"] = password;
  Response r = client.Request("POST", "/v1/auth/register", headers, JsonText(body));
  out->password = password;
  return FillAccount(r, 201, out);
}

::testing::AssertionResult Login(HttpClient& client, const std::string& identifier,
                                 const std::string& password, Account* out,
                                 const Headers& headers, bool by_login) {
  json::object body{{by_login ? "login" : "email", identifier}, {"password", password}};
  Response r = client.Request("POST", "/v1/auth/login", headers, JsonText(body));
  out->password = password;
  return FillAccount(r, 200, out);
}

CommandResult AdminCreate(const ServerProcess& server, const std::string& email,
                          const std::string& password_line,
                          std::optional<std::vector<std::string>> flags, bool password_stdin) {
  std::vector<std::string> argv = {GatehouseBinary(), "admin", "create", "--email", email,
                                   "--data-dir", server.data_dir()};
  if (password_stdin) argv.push_back("--password-stdin");
  if (!server.database_url().empty()) {
    argv.insert(argv.end(), {"--database-url", server.database_url()});
  }
  const std::vector<std::string> extra = flags ? *flags : FastHashFlags();
  argv.insert(argv.end(), extra.begin(), extra.end());

  CommandResult result;
  TempDir dir("gatehouse-admin-create-");
  const std::string out_path = dir.path() + "/stdout", err_path = dir.path() + "/stderr";
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    if (!std::string_view(*e).starts_with("GATEHOUSE_")) env.emplace_back(*e);
  }
  std::vector<char*> c_argv, c_env;
  for (auto& a : argv) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  for (auto& e : env) c_env.push_back(e.data());
  c_env.push_back(nullptr);

  int in_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) {
    result.err = "pipe failed";
    return result;
  }
  const int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(in_pipe[0], 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    ::execve(c_argv[0], c_argv.data(), c_env.data());
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_fd);
  ::close(err_fd);
  if (pid < 0) {
    ::close(in_pipe[1]);
    result.err = "fork failed";
    return result;
  }
  const std::string line = password_line + "\n";
  (void)!::write(in_pipe[1], line.data(), line.size());
  ::close(in_pipe[1]);

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  int status = 0;
  for (;;) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      result.exit_code = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  result.out = ReadWhole(out_path);
  result.err = ReadWhole(err_path);
  return result;
}

::testing::AssertionResult StartWithCast(ServerProcess& server, Cast* cast) {
  CommandResult created = AdminCreate(server, "root@example.com", kPassword);
  if (created.exit_code != 0) {
    return ::testing::AssertionFailure() << "admin create: " << created.Describe();
  }
  if (auto started = server.Start(); !started) return started;
  HttpClient client(server.port());
  if (auto r = Login(client, "root@example.com", kPassword, &cast->super); !r) return r;
  if (auto r = Register(client, "alice@example.com", kPassword, &cast->alice); !r) return r;
  if (auto r = Register(client, "bob@example.com", kPassword, &cast->bob); !r) return r;
  if (auto r = Register(client, "admin@example.com", kPassword, &cast->admin); !r) return r;
  Response promoted =
      PatchUser(client, cast->super, cast->admin.id, R"({"roles":["admin","user"]})");
  if (promoted.status != 200) {
    return ::testing::AssertionFailure() << "making admin@example.com an admin: "
                                         << promoted.Describe();
  }
  return ::testing::AssertionSuccess();
}

Response PatchUser(HttpClient& client, const Account& actor, const std::string& id,
                   const std::string& body) {
  return client.Request("PATCH", "/v1/user/users/" + id, actor.Auth(), body);
}

// --- JSON shape checks ---

::testing::AssertionResult KeysAre(const json::value& value, const std::set<std::string>& keys) {
  if (!value.is_object()) {
    return ::testing::AssertionFailure() << "not an object: " << json::serialize(value);
  }
  std::set<std::string> got;
  for (const auto& kv : value.get_object()) got.insert(std::string(kv.key()));
  if (got == keys) return ::testing::AssertionSuccess();
  std::string missing, extra;
  for (const auto& k : keys) {
    if (!got.contains(k)) missing += " " + k;
  }
  for (const auto& k : got) {
    if (!keys.contains(k)) extra += " " + k;
  }
  return ::testing::AssertionFailure() << "keys differ; missing:" << (missing.empty() ? " -" : missing)
                                       << "; unexpected:" << (extra.empty() ? " -" : extra)
                                       << " in " << json::serialize(value);
}

json::value At(const Response& r, std::string_view pointer) {
  json::value body = r.Json();
  boost::system::error_code ec;
  const json::value* found = body.find_pointer(pointer, ec);
  return found ? *found : json::value(nullptr);
}

json::array ArrayAt(const Response& r, std::string_view pointer) {
  json::value v = At(r, pointer);
  return v.is_array() ? v.as_array() : json::array{};
}

bool IsIsoTimestamp(const json::value& v) {
  static const std::regex iso(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$)");
  return v.is_string() && std::regex_match(std::string(v.get_string()), iso);
}

bool IsUuidV7(std::string_view text) {
  static const std::regex uuid(
      R"(^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$)");
  return std::regex_match(std::string(text), uuid);
}

// --- JWT and crypto primitives ---

std::string Base64UrlEncode(std::string_view bytes) {
  static const char* alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  if (i + 1 == bytes.size()) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
  } else if (i + 2 == bytes.size()) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
  }
  return out;
}

std::string Base64UrlDecode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-' || c == '+') return 62;
    if (c == '_' || c == '/') return 63;
    return -1;
  };
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int v = value(c);
    if (v < 0) return "";
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

std::vector<std::string> SplitJwt(std::string_view token) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = token.find('.', start);
    parts.emplace_back(token.substr(start, dot == std::string_view::npos ? token.npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts;
}

json::value DecodeJwtPart(std::string_view part) {
  boost::system::error_code ec;
  json::value v = json::parse(Base64UrlDecode(part), ec);
  return ec ? json::value(nullptr) : v;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  std::size_t len = 0;
  char digest[] = "SHA256";
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, digest, nullptr, key.data(), key.size(),
                reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
                sizeof out, &len) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string Sha256Hex(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string text;
  for (unsigned i = 0; i < len; ++i) {
    text += hex[out[i] >> 4];
    text += hex[out[i] & 15];
  }
  return text;
}

std::string Ed25519PublicPem(std::string_view raw_public_key) {
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw_public_key.data()),
      raw_public_key.size());
  if (key == nullptr) return "";
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

Ed25519Key::Ed25519Key() {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
  EVP_PKEY* key = nullptr;
  if (ctx == nullptr || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_keygen(ctx, &key) <= 0) {
    EVP_PKEY_CTX_free(ctx);
    throw std::runtime_error("Ed25519 keygen failed");
  }
  EVP_PKEY_CTX_free(ctx);
  key_ = key;
}

Ed25519Key::~Ed25519Key() { EVP_PKEY_free(static_cast<EVP_PKEY*>(key_)); }

std::string Ed25519Key::Sign(std::string_view data) const {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  unsigned char sig[64];
  std::size_t len = sizeof sig;
  EVP_DigestSignInit(md, nullptr, nullptr, nullptr, static_cast<EVP_PKEY*>(key_));
  EVP_DigestSign(md, sig, &len, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  EVP_MD_CTX_free(md);
  return std::string(reinterpret_cast<const char*>(sig), len);
}

std::string Ed25519Key::PublicRaw() const {
  unsigned char raw[32];
  std::size_t len = sizeof raw;
  EVP_PKEY_get_raw_public_key(static_cast<EVP_PKEY*>(key_), raw, &len);
  return std::string(reinterpret_cast<const char*>(raw), len);
}

// --- concurrency ---

std::vector<Response> Burst(std::uint16_t port, int threads, int total,
                            const std::function<Response(int, HttpClient&)>& request) {
  std::vector<Response> responses(static_cast<std::size_t>(total));
  std::atomic<int> next{0};
  std::barrier start(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      HttpClient client(port);
      client.set_timeout(std::chrono::seconds(20));
      client.Connect();  // connect before the barrier so the requests really overlap
      start.arrive_and_wait();
      for (int i = next.fetch_add(1); i < total; i = next.fetch_add(1)) {
        responses[static_cast<std::size_t>(i)] = request(i, client);
      }
    });
  }
  for (auto& t : pool) t.join();
  return responses;
}

// --- the store, from outside ---

std::vector<std::pair<std::string, std::string>> ReadAllFiles(const std::string& dir) {
  std::vector<std::pair<std::string, std::string>> files;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) files.emplace_back(it->path().string(), ReadWhole(it->path()));
  }
  return files;
}

std::vector<std::string> FilesContaining(const std::string& dir, std::string_view needle) {
  std::vector<std::string> hits;
  for (const auto& [path, bytes] : ReadAllFiles(dir)) {
    if (bytes.find(needle) != std::string::npos) hits.push_back(path);
  }
  return hits;
}

std::optional<std::string> PgScalar(const std::string& url, const std::string& sql,
                                    std::string* error) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    if (error) *error = PQerrorMessage(conn);
    PQfinish(conn);
    return std::nullopt;
  }
  PGresult* res = PQexec(conn, sql.c_str());
  std::optional<std::string> value;
  if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0 && PQnfields(res) > 0) {
    value = PQgetisnull(res, 0, 0) ? std::string() : std::string(PQgetvalue(res, 0, 0));
  } else if (error) {
    *error = sql + ": " + PQresultErrorMessage(res) + " (" + std::to_string(PQntuples(res)) +
             " rows)";
  }
  PQclear(res);
  PQfinish(conn);
  return value;
}

}  // namespace gatehouse::testing
