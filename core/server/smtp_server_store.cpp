// Durable storage is plain POSIX: open/write/fsync/rename, then fsync the directory so the new
// names are durable too. With --store-sync each it runs on the server's event loop, one message
// at a time; with group commit (store_group_commit.cpp) on a thread of its own, a batch at a time.
#include "core/server/smtp_server_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>

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

// One file on its way to disk: written to `tmp`, kept open until its fsync, so the fsync reports
// any writeback error of its own data.
struct PendingFile {
  std::string tmp, path;
  int fd = -1;
};

// Creates `file.tmp` and writes the pieces. Writeback starts at once (sync_file_range only
// starts it, it guarantees nothing): a batch's files then reach the disk together and the
// fsyncs that follow mostly wait for the same journal commit.
Result<Ok> write_file(PendingFile& file, std::initializer_list<std::string_view> pieces) {
  file.fd = ::open(file.tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (file.fd < 0) return io_error("cannot create " + file.tmp, errno);
  for (std::string_view data : pieces) {
    while (!data.empty()) {
      ssize_t n = ::write(file.fd, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return io_error("cannot write " + file.tmp, errno);
      data.remove_prefix(std::size_t(n));
    }
  }
  ::sync_file_range(file.fd, 0, 0, SYNC_FILE_RANGE_WRITE);
  return Ok{};
}

Result<Ok> sync_file(PendingFile& file) {
  int rc = ::fsync(file.fd);
  int err = errno;
  ::close(file.fd);
  file.fd = -1;
  if (rc != 0) return io_error("cannot fsync " + file.tmp, err);
  return Ok{};
}

// A file of a message that failed: its temporary name goes, so the store holds only messages
// that were acknowledged (or whose 250 a crash may have lost).
void discard(PendingFile& file) {
  if (file.fd >= 0) ::close(file.fd);
  file.fd = -1;
  ::unlink(file.tmp.c_str());
}

Result<Ok> sync_directory(const std::string& dir) {
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return io_error("cannot open " + dir, errno);
  int rc = ::fsync(dfd);
  int err = errno;
  ::close(dfd);
  if (rc != 0) return io_error("cannot fsync " + dir, err);
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

Result<StoredPaths> store_message(const std::string& dir, const MessageToStore& message) {
  return std::move(store_messages(dir, std::span(&message, 1)).front());
}

// Every file written (writeback started), then every file fsync'd, then renamed, then the
// directory fsync'd once: the order of store_message for each message, shared by the batch.
std::vector<Result<StoredPaths>> store_messages(const std::string& dir,
                                                std::span<const MessageToStore> batch) {
  struct Files {
    PendingFile eml, json;
    std::optional<Error> error;
  };
  std::vector<Files> files(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const MessageToStore& m = batch[i];
    Files& f = files[i];
    f.eml.path = dir + "/" + m.envelope.id + ".eml";
    f.json.path = dir + "/" + m.envelope.id + ".json";
    f.eml.tmp = f.eml.path + ".tmp";
    f.json.tmp = f.json.path + ".tmp";
    std::string sidecar = envelope_json(m.envelope).dump(2) + "\n";
    auto written = write_file(f.eml, {m.header, m.body});
    if (written) written = write_file(f.json, {sidecar});
    if (!written) f.error = written.error();
  }
  for (Files& f : files) {
    if (f.error) continue;
    auto synced = sync_file(f.eml);
    if (synced) synced = sync_file(f.json);
    if (!synced) f.error = synced.error();
  }
  bool any_renamed = false;
  for (Files& f : files) {
    if (!f.error && ::rename(f.eml.tmp.c_str(), f.eml.path.c_str()) != 0)
      f.error = io_error("cannot rename " + f.eml.tmp, errno);
    if (!f.error && ::rename(f.json.tmp.c_str(), f.json.path.c_str()) != 0) {
      f.error = io_error("cannot rename " + f.json.tmp, errno);
      ::unlink(f.eml.path.c_str());  // half a message is no message
    }
    if (f.error) {
      discard(f.eml);
      discard(f.json);
    } else {
      any_renamed = true;
    }
  }
  std::optional<Error> dir_error;
  if (any_renamed) {
    auto synced = sync_directory(dir);
    if (!synced) dir_error = synced.error();
  }
  std::vector<Result<StoredPaths>> results;
  results.reserve(files.size());
  for (Files& f : files) {
    if (f.error)
      results.emplace_back(std::move(*f.error));
    else if (dir_error)
      results.emplace_back(*dir_error);
    else
      results.emplace_back(StoredPaths{f.eml.path, f.json.path});
  }
  return results;
}

}  // namespace smtpdoctor
