// The quality bar of issue 6 and 11: real replies and client errors from public sources
// (tests/data/replies/corpus.jsonl), each explained with the category a mail administrator would
// give it.
//
// The rules are written by hand, not trained, so "held out" means: entries whose origin (the
// program or provider that wrote the text) no rule was written or adjusted against. They are
// marked "tuned": false, and their misses are never printed, so that looking at this test's output
// while writing rules cannot turn them into tuned ones. Every origin is wholly on one side, and
// the corpus is also cut into five folds by a hash of the origin, so the accuracy of each group
// of unrelated programs shows whether the rules generalise or only fit the providers they were
// written for.
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "core/diagnosis/explain.hpp"

using namespace smtpdoctor;

namespace {

constexpr int kFolds = 5;
// Held-out accuracy: the goal, and what the rules reach honestly today (issue 11). The gap is the
// measure of how much the rules still fit the providers they were written for; raise the floor
// as it closes, never by tuning on held-out entries.
constexpr int kHeldOutGoalPercent = 95;
constexpr int kHeldOutPercent = 76;
constexpr int kTunedPercent = 95;

// FNV-1a: stable across platforms and standard libraries, unlike std::hash.
int fold_of(const std::string& origin) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : origin) h = (h ^ c) * 16777619u;
  return static_cast<int>(h % kFolds);
}

struct Tally {
  int right = 0;
  int total = 0;
  void add(bool ok) {
    right += ok;
    ++total;
  }
  std::string str() const {
    std::ostringstream s;
    s << right << "/" << total;
    if (total) s << " (" << std::fixed << std::setprecision(1) << 100.0 * right / total << "%)";
    return s.str();
  }
  bool at_least(int percent) const { return right * 100 >= total * percent; }
};

}  // namespace

TEST_CASE("explain generalises to real replies from origins no rule was tuned on") {
  std::ifstream in(SMTPDOCTOR_SOURCE_DIR "/tests/data/replies/corpus.jsonl");
  REQUIRE(in);
  Tally tuned, held_out;
  std::array<Tally, kFolds> tuned_fold, held_out_fold;
  std::map<std::string, std::pair<Tally, Tally>> per_category;  // expected -> (tuned, held out)
  std::map<std::string, bool> origin_tuned;
  std::array<std::set<std::string>, kFolds> fold_origins;
  std::ostringstream misses;
  int held_out_misses = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line);
    std::string text = j.at("text");
    std::string expected = j.at("expected");
    std::string origin = j.at("origin");
    bool is_tuned = j.at("tuned");
    REQUIRE(category_from_name(expected));
    REQUIRE_FALSE(j.at("source").get<std::string>().empty());
    REQUIRE_FALSE(origin.empty());
    auto [seen, inserted] = origin_tuned.emplace(origin, is_tuned);
    CHECK_MESSAGE(seen->second == is_tuned, origin << " is on both sides");
    int fold = fold_of(origin);
    fold_origins[fold].insert(origin);

    auto findings = explain_text(text);
    std::string got =
        findings.empty() ? "(nothing)" : std::string{category_name(findings[0].diagnosis.category)};
    bool ok = got == expected;
    (is_tuned ? tuned : held_out).add(ok);
    (is_tuned ? tuned_fold : held_out_fold)[fold].add(ok);
    auto& [cat_tuned, cat_held_out] = per_category[expected];
    (is_tuned ? cat_tuned : cat_held_out).add(ok);
    if (ok) continue;
    if (!is_tuned) {
      ++held_out_misses;  // counted, never shown: see the top of this file
      continue;
    }
    misses << "  expected " << expected << ", got " << got << " ("
           << (findings.empty() ? "-" : findings[0].diagnosis.rule) << ", " << origin
           << "): " << printable_excerpt(text, 140) << "\n";
  }

  int held_out_origins = 0;
  for (const auto& [origin, t] : origin_tuned) held_out_origins += !t;
  std::ostringstream report;
  report << "corpus: " << tuned.total + held_out.total << " entries from " << origin_tuned.size()
         << " origins\n"
         << "  held out (" << held_out_origins << " origins): " << held_out.str() << "\n"
         << "  tuned    (" << origin_tuned.size() - held_out_origins << " origins): " << tuned.str()
         << "\n"
         << "per fold (grouped by origin)      tuned              held out\n";
  for (int k = 0; k < kFolds; ++k)
    report << "  fold " << k << " (" << std::setw(2) << fold_origins[k].size() << " origins)       "
           << std::left << std::setw(19) << tuned_fold[k].str() << held_out_fold[k].str()
           << std::right << "\n";
  report << "per category                     tuned              held out\n";
  for (const auto& [category, counts] : per_category) {
    report << "  " << std::left << std::setw(31) << category << std::setw(19) << counts.first.str()
           << counts.second.str() << std::right << "\n";
    CHECK_MESSAGE(counts.first.total + counts.second.total >= 3,
                  category << " needs at least 3 real examples");
  }
  report << "held-out misses (not shown): " << held_out_misses << "\n"
         << "thresholds: held out >= " << kHeldOutPercent << "% (goal " << kHeldOutGoalPercent
         << "%, not reached), tuned >= " << kTunedPercent << "%\n";
  std::cout << report.str() << (misses.str().empty() ? "" : "tuned misses:\n") << misses.str();

  CHECK(tuned.total + held_out.total >= 600);
  CHECK(origin_tuned.size() >= 40);
  CHECK(held_out.total >= 150);
  CHECK(held_out_origins >= 5);
  CHECK(tuned.at_least(kTunedPercent));
  CHECK(held_out.at_least(kHeldOutPercent));
}
