// Every input saved under tests/fuzz — the seed corpus and the crashes fuzzing found (and that
// were fixed) — through the fuzz targets' own entry points, compiled by the normal build: a
// regression fails `ctest -L unit` without clang or libFuzzer.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "tests/fuzz/fuzz_targets.hpp"

namespace fs = std::filesystem;
using smtpdoctor::fuzz::kTargets;

namespace {

const fs::path kFuzzDir = fs::path(SMTPDOCTOR_SOURCE_DIR) / "tests" / "fuzz";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The files of `dir`, sorted (so a failure names the same file on every run).
std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> files;
  if (fs::is_directory(dir))
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::size_t run_saved_inputs(std::string_view kind) {
  std::size_t count = 0;
  for (const auto& target : kTargets) {
    for (const auto& file : files_in(kFuzzDir / kind / target.name)) {
      INFO("fuzz_" << target.name << " " << file.string());
      std::string input = read_file(file);
      CHECK_NOTHROW(target.run(input));
      ++count;
    }
  }
  return count;
}

}  // namespace

TEST_CASE("every crash fuzzing found stays fixed: tests/fuzz/regressions through the targets") {
  // Each target has its folder, even before fuzzing found anything (a README says so).
  for (const auto& target : kTargets) {
    INFO("tests/fuzz/regressions/" << target.name);
    CHECK(fs::is_directory(kFuzzDir / "regressions" / target.name));
  }
  CHECK(run_saved_inputs("regressions") > 0);
}

TEST_CASE("the seed corpus keeps every invariant of the fuzz targets") {
  for (const auto& target : kTargets) {
    INFO("tests/fuzz/corpus/" << target.name);
    CHECK_FALSE(files_in(kFuzzDir / "corpus" / target.name).empty());
  }
  CHECK(run_saved_inputs("corpus") > 0);
}

TEST_CASE("a folder under tests/fuzz is named after a fuzz target") {
  std::set<std::string> names;
  for (const auto& target : kTargets) names.emplace(target.name);
  for (std::string_view kind : {"corpus", "regressions"}) {
    for (const auto& entry : fs::directory_iterator(kFuzzDir / kind)) {
      if (!entry.is_directory()) continue;
      INFO(entry.path().string());
      CHECK(names.count(entry.path().filename().string()) == 1);
    }
  }
}
