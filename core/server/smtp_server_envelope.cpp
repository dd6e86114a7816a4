// The mail transaction: MAIL and RCPT (syntax, parameters, limits, relay policy, faults), the
// message by DATA (framed by DataFraming) or BDAT chunks, and its acceptance: stored and
// fsync'd before the 250, or reported as an event.
#include "core/base/ascii.hpp"

#include <algorithm>
#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/server/bdat_framing.hpp"
#include "core/server/data_framing.hpp"
#include "core/server/smtp_server_session.hpp"
#include "core/server/smtp_server_store.hpp"
#include "core/smtp/address.hpp"

namespace smtpdoctor::server_detail {

asio::awaitable<Session::Flow> Session::cmd_mail(const CommandLine& c) {
  if (helo_.empty()) {
    co_await reply("503 5.5.1 Error: send HELO/EHLO first");
    co_return Flow::next;
  }
  if (mail_from_) {
    co_await reply("503 5.5.1 Error: nested MAIL command");
    co_return Flow::next;
  }
  if (opt_.require_tls && !tls_) {
    co_await reply("530 5.7.0 Must issue a STARTTLS command first");
    co_return Flow::next;
  }
  if (opt_.require_auth && auth_user_.empty()) {
    co_await reply("530 5.7.0 Authentication required");
    co_return Flow::next;
  }
  if (opt_.faults.close_after_messages && messages_ >= *opt_.faults.close_after_messages) {
    co_await reply("421 4.7.0 " + opt_.hostname + " Too many messages in this session, closing");
    co_return Flow::close;
  }
  auto path = parse_path_argument(c.argument, "FROM");
  if (!path) {
    co_await reply("501 5.5.4 Syntax: MAIL FROM:<address>");
    co_return Flow::next;
  }
  bool utf8 = false;
  for (const auto& [key, value] : path->params) {
    if (key == "SIZE") {
      unsigned long long size = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), size);
      if (ec != std::errc{} || end != value.data() + value.size()) {
        co_await reply("501 5.5.4 Syntax: SIZE=octets");
        co_return Flow::next;
      }
      if (size > opt_.limits.max_message_octets) {
        co_await reply("552 5.3.4 Message size exceeds fixed maximum message size");
        co_return Flow::next;
      }
    } else if (key == "SMTPUTF8" && opt_.capabilities.smtputf8) {
      utf8 = true;
    } else if (key == "BODY" &&
               (ascii::upper(value) == "7BIT" || ascii::upper(value) == "8BITMIME")) {
    } else if ((key == "RET" || key == "ENVID") && opt_.capabilities.dsn) {
    } else if (key == "AUTH") {  // RFC 4954 §5: accepted and ignored
    } else {
      co_await reply("555 5.5.4 Unsupported option: " + printable(key, 32));
      co_return Flow::next;
    }
  }
  std::string why;
  if (!path->path.empty() && !parse_mailbox(path->path, utf8, &why)) {
    co_await reply("501 5.1.7 Bad sender address syntax");
    co_return Flow::next;
  }
  if (opt_.faults.greylist_mail) {
    co_await reply("451 4.7.1 Greylisted, please try again later");
    co_return Flow::next;
  }
  mail_from_ = path->path;
  utf8_ = utf8;
  co_await reply("250 2.1.0 Ok");
  co_return Flow::next;
}

asio::awaitable<Session::Flow> Session::cmd_rcpt(const CommandLine& c) {
  if (!mail_from_) {
    co_await reply("503 5.5.1 Error: need MAIL command");
    co_return Flow::next;
  }
  auto path = parse_path_argument(c.argument, "TO");
  if (!path || path->path.empty()) {
    co_await reply("501 5.5.4 Syntax: RCPT TO:<address>");
    co_return Flow::next;
  }
  for (const auto& [key, value] : path->params) {
    if (!((key == "NOTIFY" || key == "ORCPT") && opt_.capabilities.dsn)) {
      co_await reply("555 5.5.4 Unsupported option: " + printable(key, 32));
      co_return Flow::next;
    }
  }
  std::string why;
  if (!parse_mailbox(path->path, utf8_, &why)) {
    co_await reply("501 5.1.3 Bad recipient address syntax");
    co_return Flow::next;
  }
  if (rcpts_.size() >= opt_.limits.max_recipients) {
    co_await reply("452 4.5.3 Too many recipients");
    co_return Flow::next;
  }
  const std::string& rcpt = path->path;
  for (const auto& unknown : opt_.faults.unknown_users) {
    if (ascii::iequals(unknown, rcpt)) {
      co_await reply("550 5.1.1 <" + rcpt + ">: Recipient address rejected: User unknown");
      co_return Flow::next;
    }
  }
  std::string domain = mailbox_domain(rcpt);
  bool local = std::any_of(opt_.local_domains.begin(), opt_.local_domains.end(),
                           [&](const std::string& d) { return ascii::iequals(d, domain); });
  if (!local && auth_user_.empty()) {
    co_await reply("554 5.7.1 <" + rcpt + ">: Relay access denied");
    co_return Flow::next;
  }
  if (opt_.faults.greylist_rcpt) {
    co_await reply("451 4.7.1 <" + rcpt + ">: Greylisted, please try again later");
    co_return Flow::next;
  }
  rcpts_.push_back(rcpt);
  co_await reply("250 2.1.5 Ok");
  co_return Flow::next;
}

asio::awaitable<Session::Flow> Session::cmd_data(const CommandLine& c) {
  if (!mail_from_) {
    co_await reply("503 5.5.1 Error: need MAIL command");
    co_return Flow::next;
  }
  if (rcpts_.empty()) {
    co_await reply("554 5.5.1 Error: no valid recipients");
    co_return Flow::next;
  }
  if (bdat_) {
    co_await reply("503 5.5.1 Error: DATA after BDAT");
    co_return Flow::next;
  }
  if (!c.argument.empty()) {
    co_await reply("501 5.5.4 Syntax: DATA");
    co_return Flow::next;
  }
  co_await reply("354 3.0.0 End data with <CR><LF>.<CR><LF>");
  in_data_ = true;
  DataFraming framing(
      {opt_.limits.max_text_line_octets, opt_.limits.max_message_octets, opt_.accept_bare_newlines},
      std::move(message_));
  for (;;) {
    inbuf_.erase(0, framing.feed(inbuf_));
    if (framing.done()) break;
    bool more = co_await fill();
    if (!more) co_return Flow::close;
  }
  in_data_ = false;
  switch (framing.verdict()) {
    case DataFraming::Verdict::too_big:
      reset_transaction();
      co_await reply("552 5.3.4 Message size exceeds fixed maximum message size");
      break;
    case DataFraming::Verdict::line_too_long:
      reset_transaction();
      co_await reply("500 5.5.2 Line too long");
      break;
    case DataFraming::Verdict::bare_newline:
      // Postfix's words (smtpd_forbid_bare_newline), so a client's author finds the cause.
      reset_transaction();
      co_await reply(
          "554 5.5.2 Error: bare <LF> received: every line must end in <CR><LF> (RFC 5321 "
          "section 2.3.8); message not accepted");
      break;
    case DataFraming::Verdict::ok:
      message_ = std::move(framing.message());
      co_await accept_message();
      break;
  }
  co_return Flow::next;
}

asio::awaitable<Session::Flow> Session::cmd_bdat(const CommandLine& c) {
  if (!opt_.capabilities.chunking) {
    co_await reply("502 5.5.1 BDAT not available");
    co_return Flow::close;  // the chunk's bytes would otherwise be read as commands
  }
  std::optional<BdatCommand> command = parse_bdat_argument(c.argument);
  if (!command) {
    co_await reply("501 5.5.4 Syntax: BDAT size [LAST]");
    co_return Flow::close;  // without a size the chunk cannot be skipped
  }
  if (command->size > opt_.limits.max_message_octets) {
    // A chunk larger than any message we accept: reading (and throwing away) up to 2^64 octets
    // would hold the session for as long as the client cares to send, so end it here.
    co_await reply("552 5.3.4 Message size exceeds fixed maximum message size; closing");
    co_return Flow::close;
  }
  if (!bdat_) bdat_.emplace(opt_.limits.max_message_octets);
  bdat_->start_chunk(command->size);
  in_data_ = true;
  while (!bdat_->chunk_done()) {
    if (inbuf_.empty()) {
      bool more = co_await fill();
      if (!more) co_return Flow::close;
    }
    inbuf_.erase(0, bdat_->feed(inbuf_));
  }
  in_data_ = false;
  if (!mail_from_ || rcpts_.empty()) {
    reset_transaction();
    co_await reply(mail_from_ ? "554 5.5.1 Error: no valid recipients"
                              : "503 5.5.1 Error: need MAIL command");
    co_return Flow::next;
  }
  if (bdat_->too_big()) {
    reset_transaction();
    co_await reply("552 5.3.4 Message size exceeds fixed maximum message size");
  } else if (command->last) {
    message_ = std::move(bdat_->message());
    co_await accept_message();
  } else {
    co_await reply("250 2.0.0 " + std::to_string(command->size) + " octets received");
  }
  co_return Flow::next;
}

// Stores (when asked), reports, and answers the final dot / BDAT LAST.
asio::awaitable<void> Session::accept_message() {
  Envelope envelope;
  char number[16];
  std::snprintf(number, sizeof number, "%06llu",
                static_cast<unsigned long long>(shared_->next_message_number++));
  envelope.id = shared_->run_tag + "-" + number;
  envelope.from = *mail_from_;
  envelope.rcpts = rcpts_;
  envelope.helo = helo_;
  envelope.esmtp = esmtp_;
  envelope.auth_user = auth_user_;
  envelope.tls = tls_.has_value();
  envelope.tls_version = tls_version_;
  envelope.client_address = client_;
  envelope.received_at = rfc3339_now();
  envelope.size = message_.size();

  nlohmann::json event = envelope_json(envelope);
  event["event"] = "message";
  event["session"] = id_;
  const std::string id = envelope.id;
  if (!opt_.store_dir.empty()) {
    std::string header = received_header(envelope, opt_.hostname);
    MessageToStore message{std::move(envelope), std::move(header), std::move(message_)};
    std::optional<Result<StoredPaths>> result;
    if (shared_->group_commit) {
      Result<StoredPaths> together = co_await store_together(std::move(message));
      result.emplace(std::move(together));
    } else {
      result.emplace(store_message(opt_.store_dir, message));
    }
    Result<StoredPaths>& stored = *result;
    if (!stored) {
      shared_->event({{"event", "error"}, {"session", id_}, {"message", stored.error().message}});
      reset_transaction();
      co_await reply("451 4.3.0 Local error: the message could not be stored");
      co_return;
    }
    event["path"] = stored->eml;
  }
  shared_->event(std::move(event));
  ++messages_;
  reset_transaction();
  co_await reply("250 2.0.0 Ok: queued as " + id);
}

namespace {

// What a session waiting for the group commit waits on: the timer never expires, the commit
// thread's completion (posted to the session's executor) stores the result and cancels it. The
// work guard keeps io.run() from returning while a commit is in flight.
struct CommitWaiter {
  explicit CommitWaiter(const asio::any_io_executor& executor)
      : timer(executor, asio::steady_timer::time_point::max()), work(executor) {}
  asio::steady_timer timer;
  asio::executor_work_guard<asio::any_io_executor> work;
  std::optional<Result<StoredPaths>> result;
};

// Built outside the coroutine (g++ 12 and capturing lambdas inside coroutines). Runs on the
// commit thread: it only posts, and hands its reference to the waiter over to the posted handler
// so the waiter (and its timer) is destroyed on the session's thread.
GroupCommit::Done resume_when_stored(std::shared_ptr<CommitWaiter> waiter) {
  return [waiter = std::move(waiter)](Result<StoredPaths> result) mutable {
    auto executor = waiter->timer.get_executor();
    asio::post(executor, [waiter = std::move(waiter), result = std::move(result)]() mutable {
      waiter->result.emplace(std::move(result));
      waiter->timer.cancel();
      waiter->work.reset();
    });
  };
}

}  // namespace

asio::awaitable<Result<StoredPaths>> Session::store_together(MessageToStore message) {
  auto waiter = std::make_shared<CommitWaiter>(socket_.get_executor());
  GroupCommit::Done done = resume_when_stored(waiter);
  shared_->group_commit->submit(std::move(message), std::move(done));
  while (!waiter->result) {
    std::error_code ec;
    co_await waiter->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  Result<StoredPaths> stored = std::move(*waiter->result);
  co_return stored;
}

}  // namespace smtpdoctor::server_detail
