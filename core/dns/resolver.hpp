// An asynchronous DNS resolver: c-ares driven from the caller's Asio event loop. No lookup
// blocks and no thread is started per query; many lookups may be in flight at once on one
// Resolver. c-ares and the Asio I/O objects stay behind a pimpl, so including this header costs
// only <asio/awaitable.hpp>.
//
// Every lookup finishes within `timeout * tries * number of servers` (plus scheduling slack):
// c-ares 1.18 doubles its own per-try timeout on each round, so the Resolver enforces that
// overall deadline itself. The first server that answers decides, whatever its RCODE (as with
// dig); a server that stays silent or is unreachable passes the query on to the next. Names are
// asked as given (no search list). Lookups do not react to Asio cancellation (c-ares 1.18 cannot
// cancel one query); their own deadline ends them, or cancel() ends all of them at once.
#pragma once

#include <asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/base/error.hpp"
#include "core/dns/dns_name.hpp"
#include "core/dns/dns_records.hpp"

namespace smtpdoctor {

struct ResolverOptions {
  // Servers to ask, in order. Empty means the system's (/etc/resolv.conf); tests always name a
  // loopback server here.
  std::vector<DnsServer> servers;
  std::chrono::milliseconds timeout{3000};  // per try
  int tries = 2;                            // rounds over all servers
  std::size_t max_records = 64;             // per answer; the rest are dropped (`truncated`)
  std::size_t max_txt_octets = 8192;        // per TXT record, after joining its strings
};

class Resolver {
 public:
  // Fails (ErrorKind::resolve / usage) when c-ares cannot be initialised or a server is invalid.
  // The Resolver must be used from the executor's thread only.
  static Result<Resolver> create(asio::any_io_executor executor, ResolverOptions options);

  Resolver(Resolver&&) noexcept;
  Resolver& operator=(Resolver&&) noexcept;
  // Outstanding lookups complete with DnsStatus::error ("resolver shut down").
  ~Resolver();

  // MX records sorted by preference (stable for equal preferences).
  asio::awaitable<DnsAnswer<MxRecord>> mx(std::string name);
  asio::awaitable<DnsAnswer<AddressRecord>> a(std::string name);
  asio::awaitable<DnsAnswer<AddressRecord>> aaaa(std::string name);
  // `address` is a literal IP address; the in-addr.arpa / ip6.arpa name is built here.
  asio::awaitable<DnsAnswer<PtrRecord>> ptr(std::string address);
  asio::awaitable<DnsAnswer<TxtRecord>> txt(std::string name);
  // TLSA at e.g. "_25._tcp.mx.example.org" (RFC 6698 / 7672).
  asio::awaitable<DnsAnswer<TlsaRecord>> tlsa(std::string name);
  // SRV at e.g. "_submissions._tcp.example.org" (RFC 6186), in parse_srv_answer's order.
  asio::awaitable<DnsAnswer<SrvRecord>> srv(std::string name);

  // The same lookups asking the resolver to vouch for the answer (EDNS0 DO and AD set): the
  // answer's `dnssec` is secure when the resolver set AD, insecure when it did not (an unsigned
  // zone, or a resolver that does not validate), bogus when it answered SERVFAIL but gives the
  // data with checking disabled (CD). Only as trustworthy as the resolver and the path to it:
  // name a validating resolver on this machine or network (--dns-server), as DANE senders do.
  asio::awaitable<DnsAnswer<TlsaRecord>> tlsa_dnssec(std::string name);
  asio::awaitable<DnsAnswer<MxRecord>> mx_dnssec(std::string name);

  // Ends every lookup in flight and every later one at once with DnsStatus::error: the run's
  // --deadline or Ctrl-C (core/base/run_control.hpp).
  void cancel();

  const ResolverOptions& options() const;

 private:
  struct Impl;
  explicit Resolver(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace smtpdoctor
