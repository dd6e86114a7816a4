// How c-ares meets Asio. c-ares owns the DNS sockets and tells us, through its socket-state
// callback, which of them it wants to read or write; each such fd gets a *non-owning*
// stream_descriptor whose async_wait calls back into ares_process_fd. A steady_timer follows
// ares_timeout() so c-ares' retransmissions happen on time. Everything runs on the caller's
// executor: no blocking call, no helper thread.
//
// A lookup is an async operation completed from the c-ares callback (always posted, never
// inline, so a resumed coroutine never re-enters c-ares from inside ares_process_fd). Each lookup
// also has its own deadline of timeout * tries: c-ares 1.18 doubles its per-try timeout every
// round, and the promise to callers is a simple bound. A lookup whose deadline passed is
// answered "timeout" at once; c-ares' late callback for it is then ignored.
#include "core/dns/resolver.hpp"

#include <ares.h>

#include <asio/any_io_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <map>
#include <mutex>
#include <random>

#include "core/dns/dns_parse.hpp"
#include "core/dns/dns_query.hpp"

namespace smtpdoctor {

namespace {

constexpr int kClassIn = 1;
constexpr int kTypeA = 1;
constexpr int kTypeMx = 15;
constexpr int kTypePtr = 12;
constexpr int kTypeTxt = 16;
constexpr int kTypeAaaa = 28;
constexpr int kTypeTlsa = 52;
constexpr int kTypeSrv = 33;

// What c-ares handed back for one query, before any parsing.
struct RawAnswer {
  int status = ARES_EDESTRUCTION;
  int timeouts = 0;
  std::vector<unsigned char> message;
};

DnsStatus status_from_ares(int status) {
  switch (status) {
    case ARES_SUCCESS:
      return DnsStatus::ok;
    case ARES_ENOTFOUND:
      return DnsStatus::nxdomain;
    case ARES_ENODATA:
      return DnsStatus::nodata;
    case ARES_ESERVFAIL:
      return DnsStatus::servfail;
    case ARES_EREFUSED:
      return DnsStatus::refused;
    case ARES_ETIMEOUT:
      return DnsStatus::timeout;
    case ARES_ECONNREFUSED:
      return DnsStatus::unreachable;
    default:
      return DnsStatus::error;
  }
}

// The type-erased completion of one lookup (Asio 1.22 has no any_completion_handler).
struct Completion {
  virtual ~Completion() = default;
  virtual void complete(RawAnswer answer) = 0;
};

template <typename Handler>
struct CompletionFor : Completion {
  CompletionFor(Handler h, const asio::any_io_executor& ex)
      : handler(std::move(h)),
        work(asio::prefer(asio::get_associated_executor(handler, ex),
                          asio::execution::outstanding_work.tracked)) {}

  void complete(RawAnswer answer) override {
    auto ex = work;
    asio::post(
        asio::prefer(ex, asio::execution::outstanding_work.untracked),
        [h = std::move(handler), a = std::move(answer)]() mutable { std::move(h)(std::move(a)); });
  }

  Handler handler;
  asio::any_io_executor work;  // keeps the caller's context running until we complete
};

Error resolver_error(ErrorKind kind, std::string message) {
  Error error;
  error.kind = kind;
  error.stage = Stage::resolve;
  error.message = std::move(message);
  return error;
}

RawAnswer raw_status(int status) {
  RawAnswer answer;
  answer.status = status;
  return answer;
}

std::once_flag library_once;
int library_status = ARES_SUCCESS;

}  // namespace

struct Resolver::Impl : std::enable_shared_from_this<Resolver::Impl> {
  struct Query {
    Query(const asio::any_io_executor& ex, std::unique_ptr<Completion> c)
        : completion(std::move(c)), deadline(ex) {}
    // Completes the caller once; false if it was already answered (deadline or c-ares).
    bool finish(RawAnswer answer) {
      if (!completion) return false;
      deadline.cancel();
      auto c = std::move(completion);
      c->complete(std::move(answer));
      return true;
    }
    std::unique_ptr<Completion> completion;
    asio::steady_timer deadline;
  };

  // One socket c-ares asked us to watch. `generation` tells a late wait completion for a closed
  // socket apart from one for a new socket that reuses the fd number.
  struct Watch {
    std::unique_ptr<asio::posix::stream_descriptor> descriptor;
    std::uint64_t generation = 0;
    bool want_read = false, want_write = false;
    bool reading = false, writing = false;
  };

  Impl(asio::any_io_executor ex, ResolverOptions opts)
      : executor(std::move(ex)), options(std::move(opts)), timer(executor) {}
  ~Impl() { shutdown(); }

  asio::any_io_executor executor;
  ResolverOptions options;
  ares_channel channel = nullptr;
  asio::steady_timer timer;
  std::map<ares_socket_t, Watch> watches;
  std::uint64_t next_generation = 0;
  std::size_t waiting = 0;  // lookups whose callers still wait for an answer
  int server_count = 1;     // each try asks every server in turn
  bool cancelled = false;   // cancel(): every lookup, in flight or later, ends at once

  static void on_socket_state(void* data, ares_socket_t fd, int readable, int writable) {
    static_cast<Impl*>(data)->socket_state(fd, readable != 0, writable != 0);
  }

  void socket_state(ares_socket_t fd, bool readable, bool writable) {
    auto it = watches.find(fd);
    if (!readable && !writable) {
      // c-ares is about to close this fd: hand it back without closing it ourselves.
      if (it != watches.end()) {
        std::error_code ignored;
        it->second.descriptor->cancel(ignored);
        it->second.descriptor->release();
        watches.erase(it);
      }
      return;
    }
    if (it == watches.end()) {
      Watch watch;
      watch.descriptor = std::make_unique<asio::posix::stream_descriptor>(executor, fd);
      watch.generation = ++next_generation;
      it = watches.emplace(fd, std::move(watch)).first;
    }
    it->second.want_read = readable;
    it->second.want_write = writable;
    arm(fd);
  }

  void arm(ares_socket_t fd) {
    auto it = watches.find(fd);
    if (it == watches.end()) return;
    auto& watch = it->second;
    if (watch.want_read && !watch.reading) {
      watch.reading = true;
      watch.descriptor->async_wait(asio::posix::descriptor_base::wait_read,
                                   [self = shared_from_this(), fd, gen = watch.generation](
                                       std::error_code ec) { self->on_ready(fd, gen, ec, true); });
    }
    if (watch.want_write && !watch.writing) {
      watch.writing = true;
      watch.descriptor->async_wait(asio::posix::descriptor_base::wait_write,
                                   [self = shared_from_this(), fd, gen = watch.generation](
                                       std::error_code ec) { self->on_ready(fd, gen, ec, false); });
    }
  }

  void on_ready(ares_socket_t fd, std::uint64_t generation, std::error_code ec, bool read) {
    auto it = watches.find(fd);
    if (it == watches.end() || it->second.generation != generation) return;
    (read ? it->second.reading : it->second.writing) = false;
    if (ec || !channel) return;
    if (read ? !it->second.want_read : !it->second.want_write) return;
    ares_process_fd(channel, read ? fd : ARES_SOCKET_BAD, read ? ARES_SOCKET_BAD : fd);
    arm(fd);  // may have been closed meanwhile; arm() then does nothing
    arm_timer();
  }

  // Follows c-ares' next retransmission or timeout.
  void arm_timer() {
    if (!channel) return;
    timeval storage{};
    timeval* next = ares_timeout(channel, nullptr, &storage);
    if (!next) {
      timer.cancel();
      return;
    }
    timer.expires_after(std::chrono::seconds(next->tv_sec) +
                        std::chrono::microseconds(next->tv_usec));
    timer.async_wait([self = shared_from_this()](std::error_code ec) {
      if (ec || !self->channel) return;
      ares_process_fd(self->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
      self->arm_timer();
    });
  }

  // `wire`: a query built by build_query, sent as it is (ares_send); else c-ares builds it.
  void start(const std::string& name, int type, std::unique_ptr<Completion> completion,
             const std::vector<unsigned char>* wire = nullptr) {
    auto query = std::make_shared<Query>(executor, std::move(completion));
    if (!channel || cancelled) {
      query->finish(raw_status(cancelled ? ARES_ECANCELLED : ARES_EDESTRUCTION));
      return;
    }
    ++waiting;
    query->deadline.expires_after(options.timeout * options.tries * server_count);
    query->deadline.async_wait([self = shared_from_this(), query](std::error_code ec) {
      if (ec) return;
      self->answered(query->finish(raw_status(ARES_ETIMEOUT)));
      // Nobody waits for c-ares any more: stop its retransmissions so the loop can finish.
      if (self->waiting == 0 && self->channel) ares_cancel(self->channel);
    });
    if (wire)
      ares_send(channel, wire->data(), int(wire->size()), &Impl::on_answer,
                new Pending{shared_from_this(), query});
    else
      ares_query(channel, name.c_str(), kClassIn, type, &Impl::on_answer,
                 new Pending{shared_from_this(), query});
    arm_timer();
  }

  struct Pending {
    std::shared_ptr<Impl> impl;
    std::shared_ptr<Query> query;
  };

  static void on_answer(void* arg, int status, int timeouts, unsigned char* message, int length) {
    std::unique_ptr<Pending> pending(static_cast<Pending*>(arg));
    RawAnswer answer = raw_status(status);
    answer.timeouts = timeouts;
    if (message && length > 0) answer.message.assign(message, message + length);
    pending->impl->answered(pending->query->finish(std::move(answer)));
  }

  void answered(bool finished) {
    if (finished && waiting > 0) --waiting;
  }

  void shutdown() {
    if (!channel) return;
    auto* doomed = channel;
    channel = nullptr;
    ares_destroy(doomed);  // completes every outstanding lookup with ARES_EDESTRUCTION
    timer.cancel();
    for (auto& [fd, watch] : watches) {
      std::error_code ignored;
      watch.descriptor->cancel(ignored);
      watch.descriptor->release();
    }
    watches.clear();
  }

  asio::awaitable<RawAnswer> query(std::string name, int type) {
    return asio::async_initiate<const asio::use_awaitable_t<>, void(RawAnswer)>(
        [self = shared_from_this()](auto handler, std::string name, int type) {
          self->start(name, type,
                      std::make_unique<CompletionFor<decltype(handler)>>(std::move(handler),
                                                                         self->executor));
        },
        asio::use_awaitable, std::move(name), type);
  }

  // The same, for a query built by build_query (the DNSSEC lookups).
  asio::awaitable<RawAnswer> send(std::vector<unsigned char> wire) {
    return asio::async_initiate<const asio::use_awaitable_t<>, void(RawAnswer)>(
        [self = shared_from_this()](auto handler, std::vector<unsigned char> wire) {
          self->start({}, 0,
                      std::make_unique<CompletionFor<decltype(handler)>>(std::move(handler),
                                                                         self->executor),
                      &wire);
        },
        asio::use_awaitable, std::move(wire));
  }

  std::string describe(std::string_view what, const std::string& name, const RawAnswer& raw) {
    std::string text(what);
    text += " lookup of " + name + ": ";
    switch (status_from_ares(raw.status)) {
      case DnsStatus::timeout: {
        text += "no answer within " + std::to_string(options.timeout.count()) + " ms x " +
                std::to_string(options.tries) + " tries";
        if (server_count > 1) text += " x " + std::to_string(server_count) + " servers";
        break;
      }
      case DnsStatus::error:
        text += raw.status == ARES_EDESTRUCTION ? "resolver shut down" : ares_strerror(raw.status);
        break;
      default:
        text += std::string(make_error_code(status_from_ares(raw.status)).message());
    }
    if (!options.servers.empty()) {
      text += " (server";
      for (auto& server : options.servers) text += " " + server.to_string();
      text += ")";
    }
    return text;
  }

  DnsParseLimits parse_limits() const {
    return {.max_records = options.max_records, .max_txt_octets = options.max_txt_octets};
  }

  // Runs one lookup and parses its answer with `parse`.
  // Static, holding `self`, so the lookup keeps the Impl alive even if the Resolver is moved or
  // destroyed before the awaitable is first resumed.
  template <typename T, typename Parse>
  static asio::awaitable<DnsAnswer<T>> lookup(std::shared_ptr<Impl> self, std::string_view what,
                                              std::string name, int type, Parse parse) {
    if (!is_valid_dns_name(name)) {
      DnsAnswer<T> bad;
      bad.detail =
          std::string(what) + " lookup: '" + name.substr(0, 80) + "' is not a valid DNS name";
      co_return bad;
    }
    RawAnswer raw = co_await self->query(name, type);
    DnsAnswer<T> answer;
    if (raw.status == ARES_SUCCESS) {
      answer = parse(DnsMessage(raw.message), self->parse_limits());
      if (answer.status != DnsStatus::ok)
        answer.detail = std::string(what) + " lookup of " + name + ": " + answer.detail;
    } else {
      answer.status = status_from_ares(raw.status);
      answer.detail = self->describe(what, name, raw);
    }
    co_return answer;
  }

  // A lookup that asks the resolver to vouch for the answer: DO and AD set, the RCODE and AD bit
  // read from the answer ourselves (ares_send hands the answer over whatever its RCODE, with
  // ARES_FLAG_NOCHECKRESP). A validating resolver answers SERVFAIL for bogus data, the same as
  // for a broken server; asking again with CD set tells them apart: data that comes back
  // without validation is there but does not validate (RFC 4035 §3.2.2, §5.5).
  template <typename T, typename Parse>
  static asio::awaitable<DnsAnswer<T>> lookup_dnssec(std::shared_ptr<Impl> self,
                                                     std::string_view what, std::string name,
                                                     int type, Parse parse) {
    QueryFlags flags{.recursion_desired = true, .authentic_data = true, .dnssec_ok = true};
    auto wire = build_query(name, std::uint16_t(type), self->next_query_id(), flags);
    if (!is_valid_dns_name(name) || !wire) {
      DnsAnswer<T> bad;
      bad.detail =
          std::string(what) + " lookup: '" + name.substr(0, 80) + "' is not a valid DNS name";
      co_return bad;
    }
    RawAnswer raw = co_await self->send(std::move(*wire));
    DnsAnswer<T> answer = self->read_dnssec_answer<T>(what, name, raw, parse);
    if (answer.status != DnsStatus::servfail) co_return answer;
    flags.checking_disabled = true;
    auto unchecked_wire = build_query(name, std::uint16_t(type), self->next_query_id(), flags);
    RawAnswer unchecked = co_await self->send(std::move(*unchecked_wire));
    DnsAnswer<T> without_checks = self->read_dnssec_answer<T>(what, name, unchecked, parse);
    if (without_checks.status == DnsStatus::ok || without_checks.status == DnsStatus::nodata ||
        without_checks.status == DnsStatus::nxdomain) {
      answer.dnssec = DnssecState::bogus;
      answer.detail +=
          "; with checking disabled (CD) the resolver gives the data: its DNSSEC "
          "signatures do not validate";
    }
    co_return answer;
  }

  template <typename T, typename Parse>
  DnsAnswer<T> read_dnssec_answer(std::string_view what, const std::string& name,
                                  const RawAnswer& raw, Parse parse) {
    DnsAnswer<T> answer;
    auto header =
        raw.status == ARES_SUCCESS ? read_answer_header(DnsMessage(raw.message)) : std::nullopt;
    if (raw.status != ARES_SUCCESS || !header) {
      answer.status = raw.status == ARES_SUCCESS ? DnsStatus::error : status_from_ares(raw.status);
      answer.detail = describe(what, name, raw);
      return answer;
    }
    constexpr int kNoError = 0, kServFail = 2, kNxDomain = 3, kRefused = 5;
    switch (header->rcode) {
      case kNoError:
        answer = parse(DnsMessage(raw.message), parse_limits());
        break;
      case kNxDomain:
        answer.status = DnsStatus::nxdomain;
        break;
      case kServFail:
        answer.status = DnsStatus::servfail;
        break;
      case kRefused:
        answer.status = DnsStatus::refused;
        break;
      default:
        answer.status = DnsStatus::error;
        answer.detail = "RCODE " + std::to_string(header->rcode);
    }
    if (answer.status == DnsStatus::ok || answer.status == DnsStatus::nodata ||
        answer.status == DnsStatus::nxdomain)
      answer.dnssec = header->authentic_data ? DnssecState::secure : DnssecState::insecure;
    if (answer.status != DnsStatus::ok) {
      std::string why = answer.detail.empty() || answer.status != DnsStatus::error
                            ? std::string(make_error_code(answer.status).message())
                            : answer.detail;
      answer.detail = std::string(what) + " lookup of " + name + ": " + why;
    }
    return answer;
  }

  // c-ares may put an id of its own into a query it sends; a random one here costs nothing.
  std::uint16_t next_query_id() { return std::uint16_t(query_ids()); }
  std::minstd_rand query_ids{std::random_device{}()};
};

Result<Resolver> Resolver::create(asio::any_io_executor executor, ResolverOptions options) {
  std::call_once(library_once, [] { library_status = ares_library_init(ARES_LIB_INIT_ALL); });
  auto failure = [](std::string message) {
    return resolver_error(ErrorKind::resolve, std::move(message));
  };
  if (library_status != ARES_SUCCESS)
    return failure(std::string("c-ares initialisation failed: ") + ares_strerror(library_status));
  if (options.tries < 1 || options.timeout.count() < 1 || options.max_records < 1)
    return resolver_error(ErrorKind::usage, "DNS timeout, tries and record cap must be at least 1");

  auto impl = std::make_shared<Impl>(std::move(executor), std::move(options));
  ares_options ares{};
  // NOCHECKRESP: c-ares 1.18 otherwise treats a SERVFAIL/REFUSED answer like a lost packet,
  // retries, and in the end reports ARES_ECONNREFUSED ("could not be reached") for a server that
  // did answer. With it, the first server that answers decides, as with dig; a server that stays
  // silent still falls through to the next one.
  ares.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOCHECKRESP;
  ares.timeout = int(impl->options.timeout.count());
  ares.tries = impl->options.tries;
  ares.sock_state_cb = &Impl::on_socket_state;
  ares.sock_state_cb_data = impl.get();
  int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB |
             ARES_OPT_NOROTATE;
  if (int status = ares_init_options(&impl->channel, &ares, mask); status != ARES_SUCCESS) {
    impl->channel = nullptr;
    return failure(std::string("cannot start the DNS resolver: ") + ares_strerror(status));
  }
  if (!impl->options.servers.empty()) {
    std::string csv;
    for (auto& server : impl->options.servers) csv += (csv.empty() ? "" : ",") + server.to_string();
    if (int status = ares_set_servers_ports_csv(impl->channel, csv.c_str()); status != ARES_SUCCESS)
      return resolver_error(ErrorKind::usage,
                            "invalid DNS servers '" + csv + "': " + ares_strerror(status));
  }
  ares_addr_port_node* servers = nullptr;
  if (ares_get_servers_ports(impl->channel, &servers) == ARES_SUCCESS) {
    int count = 0;
    for (auto* node = servers; node; node = node->next) ++count;
    impl->server_count = std::max(count, 1);
  }
  ares_free_data(servers);
  return Resolver(std::move(impl));
}

Resolver::Resolver(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
Resolver::Resolver(Resolver&&) noexcept = default;
Resolver& Resolver::operator=(Resolver&& other) noexcept {
  if (this != &other) {
    if (impl_) impl_->shutdown();
    impl_ = std::move(other.impl_);
  }
  return *this;
}
Resolver::~Resolver() {
  if (impl_) impl_->shutdown();
}

void Resolver::cancel() {
  impl_->cancelled = true;
  // Completes every outstanding lookup with ARES_ECANCELLED (through on_answer, so each
  // caller resumes with DnsStatus::error).
  if (impl_->channel) ares_cancel(impl_->channel);
}

const ResolverOptions& Resolver::options() const {
  return impl_->options;
}

asio::awaitable<DnsAnswer<MxRecord>> Resolver::mx(std::string name) {
  return Impl::lookup<MxRecord>(impl_, "MX", std::move(name), kTypeMx, parse_mx_answer);
}

asio::awaitable<DnsAnswer<AddressRecord>> Resolver::a(std::string name) {
  return Impl::lookup<AddressRecord>(impl_, "A", std::move(name), kTypeA, parse_a_answer);
}

asio::awaitable<DnsAnswer<AddressRecord>> Resolver::aaaa(std::string name) {
  return Impl::lookup<AddressRecord>(impl_, "AAAA", std::move(name), kTypeAaaa, parse_aaaa_answer);
}

asio::awaitable<DnsAnswer<PtrRecord>> Resolver::ptr(std::string address) {
  auto name = reverse_lookup_name(address);
  if (!name) {
    return [](std::string address) -> asio::awaitable<DnsAnswer<PtrRecord>> {
      DnsAnswer<PtrRecord> bad;
      bad.detail = "PTR lookup: '" + address.substr(0, 80) + "' is not an IP address";
      co_return bad;
    }(std::move(address));
  }
  return Impl::lookup<PtrRecord>(impl_, "PTR", std::move(*name), kTypePtr, parse_ptr_answer);
}

asio::awaitable<DnsAnswer<TxtRecord>> Resolver::txt(std::string name) {
  return Impl::lookup<TxtRecord>(impl_, "TXT", std::move(name), kTypeTxt, parse_txt_answer);
}

asio::awaitable<DnsAnswer<TlsaRecord>> Resolver::tlsa(std::string name) {
  return Impl::lookup<TlsaRecord>(impl_, "TLSA", std::move(name), kTypeTlsa, parse_tlsa_answer);
}

asio::awaitable<DnsAnswer<SrvRecord>> Resolver::srv(std::string name) {
  return Impl::lookup<SrvRecord>(impl_, "SRV", std::move(name), kTypeSrv, parse_srv_answer);
}

}  // namespace smtpdoctor

namespace smtpdoctor {

asio::awaitable<DnsAnswer<TlsaRecord>> Resolver::tlsa_dnssec(std::string name) {
  return Impl::lookup_dnssec<TlsaRecord>(impl_, "TLSA", std::move(name), kTypeTlsa,
                                         parse_tlsa_answer);
}

asio::awaitable<DnsAnswer<MxRecord>> Resolver::mx_dnssec(std::string name) {
  return Impl::lookup_dnssec<MxRecord>(impl_, "MX", std::move(name), kTypeMx, parse_mx_answer);
}

}  // namespace smtpdoctor
