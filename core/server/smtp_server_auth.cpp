// AUTH (RFC 4954) on the server side: PLAIN, LOGIN and CRAM-MD5, with initial responses, "*" to
// cancel, and answers that never echo a secret. Events name the user and mechanism only.
#include "core/base/ascii.hpp"

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>

#include "core/server/smtp_server_session.hpp"
#include "core/smtp/sasl.hpp"

namespace smtpdoctor::server_detail {

asio::awaitable<Session::Flow> Session::cmd_auth(const CommandLine& c) {
  if (!auth_available()) {
    co_await reply("502 5.5.1 AUTH not available");
    co_return Flow::next;
  }
  if (opt_.require_tls && !tls_) {
    co_await reply("530 5.7.0 Must issue a STARTTLS command first");
    co_return Flow::next;
  }
  if (helo_.empty() || !esmtp_) {
    co_await reply("503 5.5.1 Error: send EHLO first");
    co_return Flow::next;
  }
  if (!auth_user_.empty()) {
    co_await reply("503 5.5.1 Error: already authenticated");
    co_return Flow::next;
  }
  if (in_transaction()) {
    co_await reply("503 5.5.1 Error: MAIL transaction in progress");
    co_return Flow::next;
  }
  const unsigned per_address = opt_.limits.max_auth_failures_per_address;
  if (per_address && shared_->auth_failures_of(client_ip()) >= per_address) {
    co_await reply("421 4.7.0 " + opt_.hostname +
                   " Too many failed logins from your address, try again later; closing");
    co_return Flow::close;
  }
  auto space = c.argument.find(' ');
  std::string mechanism = ascii::upper(c.argument.substr(0, space));
  std::optional<std::string> initial;
  if (space != std::string::npos) initial = c.argument.substr(space + 1);

  std::string user;
  bool ok = false;
  if (mechanism == "PLAIN") {
    auto response = initial;
    if (!response) response = co_await challenge("");
    if (!response) co_return Flow::close;
    auto decoded = co_await decode_response(*response);
    if (!decoded) co_return Flow::next;
    auto credentials = parse_sasl_plain(*decoded);
    if (!credentials) {
      co_await reply("501 5.5.2 Malformed PLAIN response");
      co_return Flow::next;
    }
    user = credentials->user;
    ok = password_matches(user, credentials->password) &&
         (credentials->authzid.empty() || credentials->authzid == user);
  } else if (mechanism == "LOGIN") {
    auto user_response = initial;
    if (!user_response) user_response = co_await challenge("Username:");
    if (!user_response) co_return Flow::close;
    auto decoded_user = co_await decode_response(*user_response);
    if (!decoded_user) co_return Flow::next;
    auto pass_response = co_await challenge("Password:");
    if (!pass_response) co_return Flow::close;
    auto decoded_pass = co_await decode_response(*pass_response);
    if (!decoded_pass) co_return Flow::next;
    user = *decoded_user;
    ok = password_matches(user, *decoded_pass);
  } else if (mechanism == "CRAM-MD5") {
    if (initial) {
      co_await reply("501 5.5.4 CRAM-MD5 takes no initial response");
      co_return Flow::next;
    }
    std::string nonce =
        "<" + random_hex(8) + "." + std::to_string(std::time(nullptr)) + "@" + opt_.hostname + ">";
    auto response = co_await challenge(nonce);
    if (!response) co_return Flow::close;
    auto decoded = co_await decode_response(*response);
    if (!decoded) co_return Flow::next;
    auto last_space = decoded->rfind(' ');
    user = last_space == std::string::npos ? *decoded : decoded->substr(0, last_space);
    auto known = opt_.users.find(user);
    ok = known != opt_.users.end() &&
         equal_secret(*decoded, cram_md5_response(user, known->second, nonce));
  } else if (mechanism == "XOAUTH2" || mechanism == "OAUTHBEARER") {
    auto response = initial;
    if (!response) response = co_await challenge("");
    if (!response) co_return Flow::close;
    auto decoded = co_await decode_response(*response);
    if (!decoded) co_return Flow::next;
    auto credentials =
        mechanism == "XOAUTH2" ? parse_xoauth2(*decoded) : parse_oauthbearer(*decoded);
    if (!credentials) {
      co_await reply("501 5.5.2 Malformed " + mechanism + " response");
      co_return Flow::next;
    }
    user = credentials->user;
    auto known = opt_.oauth_tokens.find(user);
    ok = known != opt_.oauth_tokens.end() && equal_secret(known->second, credentials->token);
    if (!ok) {
      // RFC 7628 §3.2.2: the refusal is a 334 with the JSON error; the client's dummy response
      // (^A, or an empty line for XOAUTH2) then gets the final 535 from refuse_login().
      shared_->event({{"event", "auth"},
                      {"session", id_},
                      {"mechanism", mechanism},
                      {"user", user},
                      {"ok", false}});
      auto dummy = co_await challenge(oauth_error_json("https://mail.example.test/smtp"));
      if (!dummy) co_return Flow::close;
      Flow flow = co_await refuse_login();
      co_return flow;
    }
  } else {
    co_await reply("504 5.5.4 Unrecognized authentication type");
    co_return Flow::next;
  }

  shared_->event(
      {{"event", "auth"}, {"session", id_}, {"mechanism", mechanism}, {"user", user}, {"ok", ok}});
  if (!ok) {
    Flow flow = co_await refuse_login();
    co_return flow;
  }
  auth_user_ = user;
  co_await reply("235 2.7.0 Authentication successful");
  co_return Flow::next;
}

// Password guessing gets slower answers, then 421: each failure counts in the session and for
// the client's address, so neither reconnecting nor many sessions side by side start afresh.
asio::awaitable<Session::Flow> Session::refuse_login() {
  const Limits& limits = opt_.limits;
  ++auth_failures_;
  unsigned from_address = shared_->add_auth_failure(client_ip());
  unsigned failures = std::max(auth_failures_, from_address);
  if (failures >= 2 && limits.auth_failure_delay.count() > 0) {
    unsigned doublings = std::min(failures - 2, 3u);  // 1, 2, 4, 8 times the base delay
    co_await sleep(limits.auth_failure_delay * (1u << doublings));
  }
  bool session_over = limits.max_auth_failures && auth_failures_ >= limits.max_auth_failures;
  bool address_over =
      limits.max_auth_failures_per_address && from_address >= limits.max_auth_failures_per_address;
  if (session_over || address_over) {
    co_await reply("421 4.7.0 " + opt_.hostname +
                   " Authentication credentials invalid; too many failed logins, closing");
    co_return Flow::close;
  }
  co_await reply("535 5.7.8 Authentication credentials invalid");
  co_return Flow::next;
}

unsigned Shared::auth_failures_of(const std::string& address) {
  auto it = auth_failures.find(address);
  if (it == auth_failures.end()) return 0;
  if (std::chrono::steady_clock::now() - it->second.window_start >=
      options.limits.auth_failure_window) {
    auth_failures.erase(it);
    return 0;
  }
  return it->second.count;
}

unsigned Shared::add_auth_failure(const std::string& address) {
  // Bounded: a guesser cycling through many source addresses cannot grow this without limit.
  constexpr std::size_t kMaxAddresses = 10'000;
  auto now = std::chrono::steady_clock::now();
  if (auth_failures.size() >= kMaxAddresses && !auth_failures.contains(address)) {
    std::erase_if(auth_failures, [&](const auto& entry) {
      return now - entry.second.window_start >= options.limits.auth_failure_window;
    });
    if (auth_failures.size() >= kMaxAddresses) {
      auto oldest = std::min_element(auth_failures.begin(), auth_failures.end(),
                                     [](const auto& a, const auto& b) {
                                       return a.second.window_start < b.second.window_start;
                                     });
      auth_failures.erase(oldest);
    }
  }
  unsigned count = auth_failures_of(address);
  AuthFailures& entry = auth_failures[address];
  if (count == 0) entry = AuthFailures{0, now};
  return ++entry.count;
}

// Sends "334 base64(text)" and reads the client's answer; nullopt when the connection ended.
// A "*" answer cancels the exchange (RFC 4954 §4): that is reported by decode_response.
asio::awaitable<std::optional<std::string>> Session::challenge(std::string_view text) {
  co_await reply("334 " + base64_encode(text));
  std::string line;
  LineStatus status = co_await read_line(line, kAuthLineOctets - 2);
  if (status == LineStatus::closed) co_return std::nullopt;
  if (status == LineStatus::too_long) co_return std::string("\x01too-long");
  co_return line;
}

// Decodes one SASL response, replying 501 itself (cancel, bad base64, too long) on failure.
asio::awaitable<std::optional<std::string>> Session::decode_response(const std::string& response) {
  if (response == "*") {
    co_await reply("501 5.7.0 Authentication cancelled");
    co_return std::nullopt;
  }
  if (response == "\x01too-long") {
    co_await reply("500 5.5.6 Authentication exchange line is too long");
    co_return std::nullopt;
  }
  if (response == "=") co_return std::string();  // an empty initial response
  auto decoded = base64_decode(response);
  if (!decoded) co_await reply("501 5.5.2 Cannot decode the base64 response");
  co_return decoded;
}

bool Session::password_matches(const std::string& user, std::string_view password) const {
  auto known = opt_.users.find(user);
  return known != opt_.users.end() && equal_secret(known->second, password);
}

}  // namespace smtpdoctor::server_detail
