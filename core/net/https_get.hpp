// One HTTPS GET, for the MTA-STS policy (RFC 8461 §3.3): connect, TLS with the certificate
// verified for the host name (never --insecure: a sender does not skip it), one request with
// "Connection: close", and the response read by the strict parser of core/net/http_response.hpp
// within a size bound and one deadline for the whole exchange. Redirects are not followed — the
// RFC forbids it — so a 3xx comes back as the response it is, for the caller to report.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/base/error.hpp"
#include "core/base/run_control.hpp"
#include "core/net/http_response.hpp"
#include "core/net/tls_client.hpp"
#include "core/net/transport.hpp"

namespace smtpdoctor {

struct HttpsGetOptions {
  std::string host;     // the URL's host: SNI, the certificate name and the Host field
  std::string address;  // where to connect (resolved by the caller's resolver); empty: host
  std::uint16_t port = 443;
  std::string path = "/";
  IpFamily family = IpFamily::any;
  std::string ca_file;                       // empty: the system store
  std::chrono::milliseconds timeout{10000};  // connect, handshake, request and response together
  HttpLimits limits;
  RunControl* control = nullptr;  // a stop cancels the exchange at once
};

struct HttpsGetResult {
  std::optional<TlsInfo> tls;            // the handshake's outcome, verified or not
  std::optional<HttpResponse> response;  // set when a whole response was read
  // Set when no whole response was read: connect, handshake or verification (ErrorKind::tls),
  // timeout, the server broke HTTP (protocol), too large (protocol).
  std::optional<Error> error;
  std::string address;  // the address connected to
  std::chrono::milliseconds duration{0};
};

asio::awaitable<HttpsGetResult> https_get(asio::any_io_executor executor, HttpsGetOptions options);

}  // namespace smtpdoctor
