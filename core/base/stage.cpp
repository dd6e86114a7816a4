#include "core/base/stage.hpp"

#include <array>
#include <utility>

#include "core/base/ascii.hpp"

namespace smtpdoctor {
namespace {

constexpr std::array<std::pair<Stage, std::string_view>, 14> kNames{{
    {Stage::none, "none"},
    {Stage::resolve, "resolve"},
    {Stage::connect, "connect"},
    {Stage::banner, "banner"},
    {Stage::ehlo, "ehlo"},
    {Stage::starttls, "starttls"},
    {Stage::tls, "tls"},
    {Stage::helo, "helo"},
    {Stage::auth, "auth"},
    {Stage::mail, "mail"},
    {Stage::rcpt, "rcpt"},
    {Stage::data, "data"},
    {Stage::rset, "rset"},
    {Stage::quit, "quit"},
}};

}  // namespace

std::string_view stage_name(Stage stage) {
  for (auto& [s, name] : kNames)
    if (s == stage) return name;
  return "none";
}

std::optional<Stage> stage_from_name(std::string_view name) {
  for (auto& [s, n] : kNames)
    if (ascii::iequals(n, name)) return s;
  // swaks spells the first greeting "first-helo" and the post-TLS one "helo".
  if (ascii::iequals(name, "first-helo") || ascii::iequals(name, "first-ehlo")) return Stage::ehlo;
  if (ascii::iequals(name, "greeting")) return Stage::banner;
  return std::nullopt;
}

}  // namespace smtpdoctor
