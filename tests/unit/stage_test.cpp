#include "core/base/stage.hpp"

#include <doctest/doctest.h>

using namespace smtpdoctor;

TEST_CASE("every stage name round-trips, so --quit-after accepts what reports print") {
  for (int i = int(Stage::none); i <= int(Stage::quit); ++i) {
    auto stage = Stage(i);
    auto back = stage_from_name(stage_name(stage));
    REQUIRE(back.has_value());
    CHECK(*back == stage);
  }
}

TEST_CASE("swaks' stage aliases are understood") {
  CHECK(stage_from_name("first-helo") == Stage::ehlo);
  CHECK(stage_from_name("RCPT") == Stage::rcpt);
  CHECK_FALSE(stage_from_name("dataa").has_value());
}
