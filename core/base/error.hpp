// Errors as values. Every fallible operation in core returns Result<T>: either the value or an
// Error saying what kind of failure it was (the OpenSMTPD taxonomy), at which stage, and, when a
// server refused, the reply it refused with.
#pragma once

#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <variant>

#include "core/base/reply.hpp"
#include "core/base/stage.hpp"

namespace smtpdoctor {

enum class ErrorKind {
  network,      // socket error: refused, unreachable, reset ...
  timeout,      // a deadline passed
  protocol,     // the peer broke the protocol (malformed reply, overlong line ...)
  tls,          // handshake or certificate failure
  rejected,     // the server answered with a 4xx/5xx reply
  unsupported,  // the server lacks what was asked (no STARTTLS, no such AUTH mechanism)
  usage,        // our caller asked for something invalid (bad address, CR/LF in a value)
  cancelled,    // the operation was cancelled (shutdown, --deadline)
  resolve,      // name resolution failed
};

std::string_view error_kind_name(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::protocol;
  Stage stage = Stage::none;
  std::string message;         // one line, for people
  std::error_code code;        // the socket/TLS/DNS error, when there was one
  std::optional<Reply> reply;  // the server's reply, for ErrorKind::rejected
  long tls_verify_result = 0;  // X509_V_* when kind == tls and verification failed
};

// The common case of building an Error: no reply, no TLS result.
Error make_error(ErrorKind kind, Stage stage, std::string message, std::error_code code = {});

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  Error& error() { return std::get<1>(v_); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

struct Ok {};

}  // namespace smtpdoctor
