// The Resolver on a real event loop, against a UDP socket of this test that never answers: the
// glue between c-ares and Asio (deadlines, shutdown, concurrency) without any DNS server.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <optional>

#include "core/dns/resolver.hpp"

using namespace smtpdoctor;
using namespace std::chrono_literals;

namespace {

// A bound UDP socket on 127.0.0.1 that nobody reads: queries sent to it are never answered.
struct SilentServer {
  int fd = -1;
  DnsServer address;
  SilentServer() {
    fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) == 0);
    socklen_t length = sizeof sin;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&sin), &length);
    address = DnsServer{"127.0.0.1", ntohs(sin.sin_port)};
  }
  ~SilentServer() { ::close(fd); }
};

ResolverOptions silent_options(const SilentServer& silent, std::chrono::milliseconds timeout,
                               int tries) {
  ResolverOptions options;
  options.servers = {silent.address};
  options.timeout = timeout;
  options.tries = tries;
  return options;
}

}  // namespace

TEST_CASE("a lookup nobody answers ends as timeout after timeout x tries, and the loop ends") {
  SilentServer silent;
  asio::io_context context;
  auto resolver = Resolver::create(context.get_executor(), silent_options(silent, 300ms, 3));
  REQUIRE(resolver.ok());
  std::optional<DnsAnswer<MxRecord>> answer;
  asio::co_spawn(
      context, [&]() -> asio::awaitable<void> { answer = co_await resolver->mx("example.test"); },
      asio::detached);
  auto started = std::chrono::steady_clock::now();
  context.run();  // returns only when c-ares holds no socket or timer any more
  auto elapsed = std::chrono::steady_clock::now() - started;
  REQUIRE(answer.has_value());
  CHECK(answer->status == DnsStatus::timeout);
  CHECK(elapsed >= 890ms);
  // c-ares alone would back off to 300+600+1200 ms; the margin absorbs a loaded machine.
  CHECK(elapsed < 1800ms);
}

TEST_CASE("destroying the resolver mid-lookup completes the lookup with an error") {
  SilentServer silent;
  asio::io_context context;
  auto resolver = Resolver::create(context.get_executor(), silent_options(silent, 5000ms, 2));
  REQUIRE(resolver.ok());
  std::optional<DnsAnswer<AddressRecord>> answer;
  asio::co_spawn(
      context, [&]() -> asio::awaitable<void> { answer = co_await resolver->a("example.test"); },
      asio::detached);
  asio::steady_timer shutdown(context, 100ms);
  std::optional<Result<Resolver>> doomed;
  shutdown.async_wait([&](std::error_code) {
    doomed.emplace(std::move(resolver));
    doomed.reset();
  });
  auto started = std::chrono::steady_clock::now();
  context.run();
  REQUIRE(answer.has_value());
  CHECK(answer->status == DnsStatus::error);
  CHECK(answer->detail.find("shut down") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - started < 2000ms);
}

TEST_CASE("lookups run concurrently: ten silent lookups take one timeout, not ten") {
  SilentServer silent;
  asio::io_context context;
  auto resolver = Resolver::create(context.get_executor(), silent_options(silent, 200ms, 1));
  REQUIRE(resolver.ok());
  int timeouts = 0;
  for (int i = 0; i < 10; ++i) {
    asio::co_spawn(
        context,
        [&, i]() -> asio::awaitable<void> {
          auto answer = co_await resolver->txt("n" + std::to_string(i) + ".example.test");
          if (answer.status == DnsStatus::timeout) ++timeouts;
        },
        asio::detached);
  }
  auto started = std::chrono::steady_clock::now();
  context.run();
  CHECK(timeouts == 10);
  CHECK(std::chrono::steady_clock::now() - started < 1000ms);
}

TEST_CASE("a resolver with a silly option is refused up front") {
  asio::io_context context;
  ResolverOptions options;
  options.servers = {DnsServer{"127.0.0.1", 53}};
  options.tries = 0;
  auto resolver = Resolver::create(context.get_executor(), options);
  REQUIRE_FALSE(resolver.ok());
  CHECK(resolver.error().kind == ErrorKind::usage);
}
