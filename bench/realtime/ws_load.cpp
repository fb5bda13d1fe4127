// Load client for bench/realtime: opens many WebSocket connections to GET /v1/ws from several
// loopback source addresses (past the ephemeral-port limit of one address), one epoll thread,
// no Beast. Records the CLOCK_MONOTONIC arrival time of every text frame the server sends.
//
//   ws_load --port 8080 --tokens tokens.txt --connections 50000 --sources 4
// Prints "ready N" once N sockets are upgraded (or "failed N reason"), then answers commands on
// stdin, one per line: "count" -> frames received so far; "dump" -> "times t1 t2 ..." (ns) and
// forgets them; "quit".
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

std::int64_t NowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

struct Conn {
  int fd = -1;
  bool upgraded = false;
  std::string in;  // bytes not yet parsed
};

}  // namespace

int main(int argc, char** argv) {
  int port = 0, connections = 1000, sources = 4;
  std::string tokens_path;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--port") port = std::atoi(argv[i + 1]);
    else if (flag == "--connections") connections = std::atoi(argv[i + 1]);
    else if (flag == "--sources") sources = std::atoi(argv[i + 1]);
    else if (flag == "--tokens") tokens_path = argv[i + 1];
  }
  std::vector<std::string> tokens;
  {
    std::ifstream file(tokens_path);
    for (std::string line; std::getline(file, line);) {
      if (!line.empty()) tokens.push_back(line);
    }
  }
  if (port == 0 || tokens.empty()) {
    std::fprintf(stderr, "usage: ws_load --port P --tokens FILE [--connections N] [--sources K]\n");
    return 2;
  }
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);

  const int ep = epoll_create1(0);
  std::vector<Conn> conns(connections);
  std::mutex mutex;
  std::vector<std::int64_t> times;
  times.reserve(1 << 20);
  int ready = 0, failed = 0;

  auto open_one = [&](int i) -> bool {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) return false;
    const int one = 1;
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    const int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    sockaddr_in source{};
    source.sin_family = AF_INET;
    source.sin_addr.s_addr = htonl(0x7f000001 + static_cast<std::uint32_t>(i % sources));
    if (bind(fd, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0) {
      close(fd);
      return false;
    }
    sockaddr_in target{};
    target.sin_family = AF_INET;
    target.sin_port = htons(static_cast<std::uint16_t>(port));
    target.sin_addr.s_addr = htonl(0x7f000001);
    if (connect(fd, reinterpret_cast<sockaddr*>(&target), sizeof target) != 0 &&
        errno != EINPROGRESS) {
      close(fd);
      return false;
    }
    conns[i].fd = fd;
    epoll_event ev{};
    ev.events = EPOLLOUT | EPOLLIN;
    ev.data.u32 = static_cast<std::uint32_t>(i);
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    return true;
  };

  auto request_for = [&](int i) {
    return "GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           "Sec-WebSocket-Version: 13\r\nAuthorization: Bearer " +
           tokens[static_cast<std::size_t>(i) % tokens.size()] + "\r\n\r\n";
  };

  // Opens connections in waves so the server's accept backlog is never overrun.
  constexpr int kWave = 500;
  int opened = 0, in_flight = 0;
  std::vector<bool> sent(connections, false);
  std::vector<epoll_event> events(4096);
  bool announced = false;
  std::thread commands;
  std::atomic<bool> quit{false};

  auto parse_frames = [&](Conn& c) {
    // Server frames are unmasked: FIN/opcode, length (7, 16 or 64 bits), payload.
    std::size_t pos = 0;
    for (;;) {
      if (c.in.size() - pos < 2) break;
      const auto b0 = static_cast<unsigned char>(c.in[pos]);
      std::uint64_t len = static_cast<unsigned char>(c.in[pos + 1]) & 0x7f;
      std::size_t header = 2;
      if (len == 126) {
        if (c.in.size() - pos < 4) break;
        len = (static_cast<unsigned char>(c.in[pos + 2]) << 8) |
              static_cast<unsigned char>(c.in[pos + 3]);
        header = 4;
      } else if (len == 127) {
        if (c.in.size() - pos < 10) break;
        len = 0;
        for (int k = 0; k < 8; ++k) len = (len << 8) | static_cast<unsigned char>(c.in[pos + 2 + k]);
        header = 10;
      }
      if (c.in.size() - pos < header + len) break;
      if ((b0 & 0x0f) == 0x1) {
        std::lock_guard lock(mutex);
        times.push_back(NowNs());
      }
      pos += header + len;
    }
    c.in.erase(0, pos);
  };

  while (!quit) {
    while (opened < connections && in_flight < kWave) {
      if (open_one(opened)) {
        ++in_flight;
      } else {
        ++failed;
      }
      ++opened;
    }
    if (!announced && ready + failed >= connections) {
      announced = true;
      std::printf("ready %d failed %d\n", ready, failed);
      std::fflush(stdout);
      commands = std::thread([&] {
        for (std::string line; std::getline(std::cin, line);) {
          if (line == "count") {
            std::lock_guard lock(mutex);
            std::printf("count %zu\n", times.size());
          } else if (line == "dump") {
            std::lock_guard lock(mutex);
            std::string out = "times";
            for (auto t : times) out += " " + std::to_string(t);
            times.clear();
            std::printf("%s\n", out.c_str());
          } else if (line == "quit") {
            break;
          }
          std::fflush(stdout);
        }
        quit = true;
      });
    }
    const int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
    for (int k = 0; k < n; ++k) {
      const int i = static_cast<int>(events[k].data.u32);
      Conn& c = conns[i];
      if ((events[k].events & (EPOLLERR | EPOLLHUP)) != 0 && !c.upgraded) {
        epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
        close(c.fd);
        c.fd = -1;
        ++failed;
        --in_flight;
        continue;
      }
      if ((events[k].events & EPOLLOUT) != 0 && !sent[i]) {
        const std::string request = request_for(i);
        if (send(c.fd, request.data(), request.size(), MSG_NOSIGNAL) ==
            static_cast<ssize_t>(request.size())) {
          sent[i] = true;
          epoll_event ev{};
          ev.events = EPOLLIN;
          ev.data.u32 = static_cast<std::uint32_t>(i);
          epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
        }
      }
      if ((events[k].events & EPOLLIN) != 0) {
        char buffer[16384];
        for (;;) {
          const ssize_t got = recv(c.fd, buffer, sizeof buffer, 0);
          if (got <= 0) {
            if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
              epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
              close(c.fd);
              c.fd = -1;
              if (!c.upgraded) {
                ++failed;
                --in_flight;
              }
            }
            break;
          }
          c.in.append(buffer, static_cast<std::size_t>(got));
        }
        if (!c.upgraded) {
          const auto end = c.in.find("\r\n\r\n");
          if (end != std::string::npos) {
            if (c.in.rfind("HTTP/1.1 101", 0) == 0) {
              c.upgraded = true;
              ++ready;
            } else {
              ++failed;
              if (failed < 5) std::fprintf(stderr, "refused: %s\n", c.in.substr(0, end).c_str());
            }
            --in_flight;
            c.in.erase(0, end + 4);
          }
        }
        if (c.upgraded) parse_frames(c);
      }
    }
  }
  if (commands.joinable()) commands.join();
  return 0;
}
