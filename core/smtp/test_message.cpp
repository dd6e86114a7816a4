#include "core/smtp/test_message.hpp"

#include <ctime>
#include <random>

#include "core/base/ascii.hpp"

namespace smtpdoctor {
namespace {

std::string_view header_name(std::string_view line) {
  return line.substr(0, line.find(':'));
}

std::string message_id(std::string_view domain) {
  std::random_device rd;
  std::uniform_int_distribution<unsigned> hex(0, 15);
  std::string id;
  for (int i = 0; i < 24; ++i) id += "0123456789abcdef"[hex(rd)];
  return "<" + id + ".smtpdoctor@" + std::string(domain.empty() ? "localhost" : domain) + ">";
}

}  // namespace

std::string rfc5322_date(std::chrono::system_clock::time_point when) {
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::optional<std::string> check_header_line(std::string_view line) {
  if (line.find_first_of("\r\n") != std::string_view::npos ||
      line.find('\0') != std::string_view::npos)
    return "a header must be one line (no CR or LF)";
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return "a header needs the form \"Name: value\"";
  if (colon == 0) return "the header name is empty";
  for (char c : line.substr(0, colon))
    if (c < 33 || c > 126) return "the header name must be printable ASCII without spaces";
  return std::nullopt;
}

std::string build_test_message(const TestMessage& message) {
  std::string to;
  for (const auto& rcpt : message.to) to += (to.empty() ? "" : ", ") + ("<" + rcpt + ">");
  const std::string from =
      message.from.empty() ? "<MAILER-DAEMON@" + message.domain + ">" : "<" + message.from + ">";
  std::vector<std::string> headers = {
      "Date: " + rfc5322_date(message.date),
      "Message-ID: " + message_id(message.domain),
      "From: " + from,
      "To: " + to,
      "Subject: smtpdoctor test message",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=UTF-8",
      "Content-Transfer-Encoding: 8bit",
      "X-Mailer: smtpdoctor",
  };
  for (const auto& extra : message.headers) {
    auto name = header_name(extra);
    auto same = std::find_if(headers.begin(), headers.end(), [&](const std::string& h) {
      return ascii::iequals(header_name(h), name);
    });
    if (same != headers.end())
      *same = extra;
    else
      headers.push_back(extra);
  }
  std::string out;
  for (const auto& h : headers) out += h + "\n";
  out += "\n";
  out += message.body;
  if (!message.body.empty() && message.body.back() != '\n') out += "\n";
  return out;
}

}  // namespace smtpdoctor
