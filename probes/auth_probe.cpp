// auth: which login mechanisms the server offers before and after TLS, and, with --auth-user and
// a password, a real login with the best offered mechanism (or --auth MECH). --auth-all tries
// every advertised mechanism, each in a fresh connection, and says which work. Credentials never
// go over an unencrypted connection unless --allow-plaintext-auth says so.
#include <asio/awaitable.hpp>

#include "probes/probes.hpp"

namespace smtpdoctor {
namespace {

std::string upper(std::string text) {
  for (char& c : text)
    if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
  return text;
}

bool we_implement(const std::string& mechanism) {
  return mechanism == "PLAIN" || mechanism == "LOGIN" || mechanism == "CRAM-MD5" ||
         is_oauth_mechanism(mechanism);
}

// Providers that no longer take passwords for SMTP AUTH (issue 14): Gmail wants OAuth2 or an app
// password, Microsoft 365 and Outlook.com retire Basic authentication. Matched by host name.
bool oauth_only_provider(std::string host) {
  host = upper(std::move(host));
  if (!host.empty() && host.back() == '.') host.pop_back();
  return host == "SMTP.GMAIL.COM" || host == "SMTP.OFFICE365.COM" ||
         host == "SMTP-MAIL.OUTLOOK.COM";
}

// Why --auth-all skips a mechanism this kind of secret cannot serve; empty: it can.
std::string wrong_secret(const std::string& mechanism, bool have_token) {
  if (is_oauth_mechanism(mechanism) && !have_token)
    return "not tried: needs an OAuth2 token (--oauth2-token-env/-file/-cmd), not a password";
  if (!is_oauth_mechanism(mechanism) && have_token)
    return "not tried: needs a password, a token was given";
  return {};
}

void add_oauth_refusal(ProbeResult& result, const std::optional<OauthError>& refusal) {
  if (!refusal) return;
  Details error = Details::object();
  error["status"] = refusal->status;
  if (!refusal->schemes.empty()) error["schemes"] = refusal->schemes;
  if (!refusal->scope.empty()) error["scope"] = refusal->scope;
  result.details["oauth_error"] = std::move(error);
  add_note(result, describe_oauth_error(*refusal));
}

constexpr const char* kNotInClear =
    "credentials not sent: the connection is not encrypted (--allow-plaintext-auth sends them "
    "anyway)";

}  // namespace

asio::awaitable<ProbeResult> run_auth_probe(PortSession& session) {
  const auto start = std::chrono::steady_clock::now();
  const CheckOptions& options = session.options;
  ProbeResult result = new_result(ProbeId::auth, session);
  const Capabilities* caps = session.current_capabilities();
  if (session.before_tls) result.details["mechanisms_before_tls"] = session.before_tls->auth;
  if (session.after_tls) result.details["mechanisms_after_tls"] = session.after_tls->auth;
  if (session.before_tls && session.after_tls && session.before_tls->auth.empty() &&
      !session.after_tls->auth.empty())
    add_note(result, "AUTH is offered only after STARTTLS");
  const std::vector<std::string> offered = caps ? caps->auth : std::vector<std::string>{};

  if (!options.has_credentials()) {
    if (offered.empty()) {
      if (session.plan.role == PortRole::relay) {
        result.summary = "no AUTH offered (normal for port 25, server-to-server)";
      } else {
        result.status = ProbeStatus::warn;
        result.summary = "no AUTH offered: clients cannot log in on this port";
        add_diagnosis(result, diagnosis_for_finding(Stage::auth, Finding::auth_not_offered));
      }
    } else {
      result.summary =
          "offers " + join_or_none(offered) + " (no --auth-user given, no login tried)";
    }
    result.duration = elapsed_since(start);
    co_return result;
  }

  if (!session.client.in_tls() && !options.allow_plaintext_auth) {
    result = skipped(ProbeId::auth, session, kNotInClear);
    co_return result;
  }

  if (!options.password_is_token && oauth_only_provider(session.plan.host))
    add_note(result, session.plan.host +
                         " takes OAuth2 (or an app password) rather than the account password: "
                         "log in with --auth XOAUTH2 and --oauth2-token-env/-file/-cmd");
  std::string mechanism;
  if (!options.auth_mechanism.empty())
    mechanism = upper(options.auth_mechanism);
  else if (options.password_is_token)
    mechanism = best_oauth_mechanism(*caps);
  else
    mechanism = best_auth_mechanism(*caps, session.client.in_tls());
  if (mechanism.empty()) {
    result.status = ProbeStatus::fail;
    const char* secret = options.password_is_token ? "a token" : "a password";
    result.summary = offered.empty() ? "the server offers no AUTH"
                                     : "none of the offered mechanisms (" + join_or_none(offered) +
                                           ") works with " + secret;
    add_diagnosis(result, diagnosis_for_finding(Stage::auth, Finding::auth_not_offered));
    result.duration = elapsed_since(start);
    co_return result;
  }
  if (!caps->has_auth(mechanism))
    add_note(result, mechanism + " is not advertised (offered: " + join_or_none(offered) +
                         "); trying it anyway");
  result.details["mechanism"] = mechanism;
  result.details["user"] = options.auth_user;

  auto login = co_await session.client.auth(mechanism, options.auth_user, options.password);
  result.duration = elapsed_since(start);
  session.login = LoginAttempt{mechanism, static_cast<bool>(login)};
  if (login) {
    session.authenticated = true;
    result.summary = "logged in as " + options.auth_user + " with " + mechanism;
  } else {
    const Error& error = login.error();
    result.status = ProbeStatus::fail;
    result.summary = "login as " + options.auth_user + " with " + mechanism +
                     " failed: " + (error.reply ? error.reply->one_line() : error.message);
    add_oauth_refusal(result, session.client.oauth_refusal());
    if (options.password_is_token && error.kind == ErrorKind::rejected && error.reply) {
      // The token's refusal, read in context: "535 5.7.8" means something else for a token.
      SessionContext context;
      context.known = context.login_attempted = context.token_login = true;
      add_diagnosis(result, diagnosis_for(Stage::auth, *error.reply, context));
    } else {
      add_diagnosis(result, diagnosis_for(error));
    }
    if (error.kind != ErrorKind::rejected && error.kind != ErrorKind::unsupported)
      session.broken = "AUTH failed";
  }
  co_return result;
}

asio::awaitable<std::vector<MechanismOutcome>> try_every_mechanism(PortSession& session) {
  std::vector<MechanismOutcome> outcomes;
  const Capabilities* caps = session.current_capabilities();
  if (!caps) co_return outcomes;
  for (const auto& mechanism : caps->auth) {
    MechanismOutcome outcome{mechanism, false, ""};
    if (session.control.stopped()) {
      outcome.outcome = "not tried: " + session.control.stop_reason();
    } else if (!we_implement(mechanism)) {
      outcome.outcome = "not tried: smtpdoctor does not implement it";
    } else if (auto why = wrong_secret(mechanism, session.options.password_is_token);
               !why.empty()) {
      outcome.outcome = why;
    } else {
      SmtpClient client(co_await asio::this_coro::executor,
                        client_options(session.options, session.plan));
      LiveClient live(session.control, client);
      auto opened = co_await open_side_session(client, session, /*with_tls=*/true);
      if (!opened) {
        outcome.outcome = "not tried: " + opened.error().message;
      } else if (!client.in_tls() && !session.options.allow_plaintext_auth) {
        outcome.outcome = std::string("not tried: ") + kNotInClear;
      } else {
        auto login =
            co_await client.auth(mechanism, session.options.auth_user, session.options.password);
        outcome.works = login.ok();
        outcome.outcome =
            login ? "works"
                  : (login.error().reply ? login.error().reply->one_line() : login.error().message);
      }
      auto quit = co_await client.quit();
      (void)quit;
      session.side_transcripts.push_back({"auth-all " + mechanism, client.transcript()});
    }
    outcomes.push_back(std::move(outcome));
  }
  co_return outcomes;
}

void merge_auth_all(ProbeResult& auth, const std::vector<MechanismOutcome>& outcomes) {
  if (outcomes.empty()) return;
  Details tried = Details::object();
  std::vector<std::string> working, broken;
  for (const auto& outcome : outcomes) {
    tried[outcome.mechanism] = outcome.outcome;
    if (outcome.works)
      working.push_back(outcome.mechanism);
    else if (outcome.outcome.rfind("not tried", 0) != 0)
      broken.push_back(outcome.mechanism);
  }
  auth.details["mechanisms_tried"] = std::move(tried);
  add_note(auth, "mechanisms that work: " + join_or_none(working));
  if (!broken.empty()) {
    add_note(auth, "advertised but refused: " + join_or_none(broken));
    if (auth.status == ProbeStatus::ok) raise_status(auth, ProbeStatus::warn);
  }
}

}  // namespace smtpdoctor
