#include "core/net/https_get.hpp"

#include <array>

#include "core/base/duration_text.hpp"

namespace smtpdoctor {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

milliseconds remaining(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
  return std::max(left, milliseconds(1));
}

}  // namespace

asio::awaitable<HttpsGetResult> https_get(asio::any_io_executor executor, HttpsGetOptions options) {
  HttpsGetResult out;
  const auto start = Clock::now();
  const auto deadline = start + options.timeout;
  Transport transport(executor);
  RunControl::Registration cancel;
  if (options.control) cancel = options.control->on_stop([&transport] { transport.cancel(); });
  auto finish = [&](HttpsGetResult& result) {
    result.duration = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  };

  const std::string dial = options.address.empty() ? options.host : options.address;
  ConnectResult connected =
      co_await transport.connect(dial, options.port, options.family, options.timeout);
  if (!connected.connected()) {
    if (connected.error) {
      out.error = *connected.error;
    } else {
      const ConnectAttempt& last = connected.attempts.back();
      out.error =
          make_error(last.error == std::errc::timed_out ? ErrorKind::timeout : ErrorKind::network,
                     Stage::connect,
                     "cannot connect to " + last.address + " port " + std::to_string(options.port) +
                         ": " + attempt_reason(last),
                     last.error);
    }
    finish(out);
    co_return out;
  }
  out.address = connected.attempts.back().address;

  TlsClientOptions tls;
  tls.ca_file = options.ca_file;
  auto handshake = co_await transport.start_tls(tls, options.host, options.host, Stage::tls,
                                                remaining(deadline));
  out.tls = transport.tls_info();
  if (!handshake) {
    out.error = handshake.error();
    finish(out);
    co_return out;
  }

  transport.expires_at(deadline);
  std::string request = "GET " + options.path + " HTTP/1.1\r\nHost: " + options.host +
                        "\r\nUser-Agent: smtpdoctor\r\nAccept: text/plain\r\n"
                        "Connection: close\r\n\r\n";
  auto [write_error, written] = co_await transport.write(std::move(request));
  (void)written;
  if (write_error) {
    out.error = make_error(
        write_error == std::errc::timed_out ? ErrorKind::timeout : ErrorKind::network, Stage::none,
        "sending the request failed: " + write_error.message(), write_error);
    finish(out);
    co_return out;
  }

  std::string data;
  std::array<char, 8192> buffer;
  while (true) {
    auto [ec, n] = co_await transport.read_some(buffer.data(), buffer.size());
    data.append(buffer.data(), n);
    const bool at_eof = ec && peer_closed(ec);
    if (ec && !at_eof) {
      out.error = make_error(ec == std::errc::timed_out ? ErrorKind::timeout : ErrorKind::network,
                             Stage::none,
                             ec == std::errc::timed_out
                                 ? "no whole response within " + format_duration(options.timeout)
                                 : "reading the response failed: " + ec.message(),
                             ec);
      break;
    }
    HttpParse parse = parse_http_response(data, at_eof, options.limits);
    if (parse.state == HttpParseState::complete) {
      out.response = std::move(parse.response);
      break;
    }
    if (parse.state == HttpParseState::failed) {
      out.error = make_error(ErrorKind::protocol, Stage::none,
                             "the server's HTTP response is broken: " + parse.error);
      break;
    }
  }
  transport.close();
  finish(out);
  co_return out;
}

}  // namespace smtpdoctor
