// Durable storage is plain POSIX: open/write/fsync/rename, then fsync the directory so the new
// names are durable too. It runs on the server's event loop: this is a test server, and a
// message must be on disk before its 250 anyway.
#include "core/server/smtp_server_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>

namespace smtpdoctor {
namespace {

Error io_error(const std::string& what, int err) {
  return Error{ErrorKind::network,
               Stage::none,
               what + ": " + std::strerror(err),
               std::error_code(err, std::generic_category()),
               {},
               0};
}

// Writes `data` to `path` + ".tmp", fsyncs, renames to `path`.
Result<Ok> write_durably(const std::string& path, std::string_view data) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot create " + tmp, errno);
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return io_error("cannot write " + tmp, err);
    }
    data.remove_prefix(std::size_t(n));
  }
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    return io_error("cannot fsync " + tmp, err);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return io_error("cannot rename " + tmp, errno);
  return Ok{};
}

std::string format_utc(const char* format) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

std::string client_ip(const std::string& address) {
  auto colon = address.rfind(':');
  return colon == std::string::npos ? address : address.substr(0, colon);
}

}  // namespace

std::string rfc3339_now() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::string s = format_utc("%Y-%m-%dT%H:%M:%S");
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03dZ", int(ms.count()));
  return s + frac;
}

std::string rfc5322_now() {
  return format_utc("%a, %d %b %Y %H:%M:%S +0000");
}

std::string received_header(const Envelope& e, std::string_view hostname) {
  std::string protocol = e.esmtp ? "ESMTP" : "SMTP";
  if (e.esmtp && e.tls) protocol += "S";
  if (e.esmtp && !e.auth_user.empty()) protocol += "A";
  std::string h = "Received: from " + (e.helo.empty() ? std::string("unknown") : e.helo) + " ([" +
                  client_ip(e.client_address) + "])\r\n\tby " + std::string(hostname) +
                  " (smtpdoctor) with " + protocol + " id " + e.id;
  if (e.rcpts.size() == 1) h += "\r\n\tfor <" + e.rcpts.front() + ">";
  h += "; " + rfc5322_now() + "\r\n";
  return h;
}

nlohmann::json envelope_json(const Envelope& e) {
  nlohmann::json j = {
      {"id", e.id},
      {"from", e.from},
      {"rcpts", e.rcpts},
      {"helo", e.helo},
      {"esmtp", e.esmtp},
      {"auth_user", e.auth_user.empty() ? nlohmann::json() : nlohmann::json(e.auth_user)},
      {"tls", e.tls},
      {"client", e.client_address},
      {"size", e.size},
      {"received_at", e.received_at}};
  if (e.tls) j["tls_version"] = e.tls_version;
  return j;
}

Result<StoredPaths> store_message(const std::string& dir, const Envelope& envelope,
                                  std::string_view message) {
  StoredPaths paths{dir + "/" + envelope.id + ".eml", dir + "/" + envelope.id + ".json"};
  if (auto r = write_durably(paths.eml, message); !r) return r.error();
  std::string sidecar = envelope_json(envelope).dump(2) + "\n";
  if (auto r = write_durably(paths.json, sidecar); !r) return r.error();
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return io_error("cannot open " + dir, errno);
  int rc = ::fsync(dfd);
  int err = errno;
  ::close(dfd);
  if (rc != 0) return io_error("cannot fsync " + dir, err);
  return paths;
}

}  // namespace smtpdoctor
