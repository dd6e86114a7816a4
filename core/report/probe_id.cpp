#include "core/report/probe_id.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "core/base/ascii.hpp"

namespace smtpdoctor {
namespace {

constexpr std::array<std::string_view, 11> kNames{"internet", "dns",    "tcp",  "banner",
                                                  "ehlo",     "tls",    "auth", "envelope",
                                                  "mta_sts",  "tlsrpt", "dane"};

// Optimal-string-alignment distance: Levenshtein plus swapped neighbours, the commonest typo
// ("tsl" for "tls"). Inputs are short probe names, so a full matrix costs nothing.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = ascii::to_lower(a[i - 1]) == ascii::to_lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && ascii::to_lower(a[i - 1]) == ascii::to_lower(b[j - 2]) &&
          ascii::to_lower(a[i - 2]) == ascii::to_lower(b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

static_assert(kNames.size() == kAllProbes.size(), "one name per probe");

}  // namespace

std::string_view probe_name(ProbeId id) {
  return kNames[static_cast<std::size_t>(id)];
}

std::optional<ProbeId> probe_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return kAllProbes[i];
  return std::nullopt;
}

std::optional<ProbeId> probe_did_you_mean(std::string_view name) {
  if (name.size() > 64) return std::nullopt;  // garbage, not a typo
  std::optional<ProbeId> best;
  // One edit for short names, two for longer ones: beyond that it is a different word, and
  // "dns" must not be offered for "tcp".
  std::size_t best_distance = name.size() <= 4 ? 2 : 3;
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    std::size_t d = edit_distance(name, kNames[i]);
    if (d < best_distance) {
      best_distance = d;
      best = kAllProbes[i];
    }
  }
  return best;
}

}  // namespace smtpdoctor
