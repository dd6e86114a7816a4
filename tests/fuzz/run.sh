#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each, JOBS (default 2) at a time, and fails when any of them
# crashes, leaks, breaks an invariant or times out. Each target starts from its seed corpus and
# regressions (copied: the repository's corpus is never written) and its dictionary, if any.
# A failing input is kept under $work/<target>/ and its path printed, with the line that turns
# it into a regression test (README.md).
#
#   tests/fuzz/run.sh SECONDS [JOBS]
#   SMTPDOCTOR_FUZZ_BUILD=build-fuzz   the build dir of `cmake -DSMTPDOCTOR_FUZZ=ON` (fuzz_all)
#   SMTPDOCTOR_FUZZ_MAX_LEN=4096       the longest input tried
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:?usage: tests/fuzz/run.sh SECONDS [JOBS]}
jobs=${2:-2}
build=${SMTPDOCTOR_FUZZ_BUILD:-build-fuzz}
max_len=${SMTPDOCTOR_FUZZ_MAX_LEN:-4096}
work="$build/fuzz-run"
# The targets, in the order of tests/fuzz/CMakeLists.txt, each with its dictionary (or none).
targets=(reply:smtp capabilities:smtp server_command:smtp data_framing:smtp bdat_framing:smtp address:smtp
         sasl:sasl dns_answer: mail_auth_records:mail_auth_records
         mailbox_response:mailbox_response explain:smtp proxy_reply: http_response:http mta_sts_policy:mta_sts)

for entry in "${targets[@]}"; do
  exe="$build/tests/fuzz/fuzz_${entry%%:*}"
  if [ ! -x "$exe" ]; then
    echo "fuzz: $exe is missing; build the fuzz targets first:" >&2
    echo "  CXX=clang++ cmake -S . -B $build -G Ninja -DSMTPDOCTOR_FUZZ=ON -DSMTPDOCTOR_TESTS=OFF" >&2
    echo "  ninja -C $build fuzz_all" >&2
    exit 2
  fi
done

# One target: fuzz it, keep its log, exit with libFuzzer's status (0: nothing found).
fuzz_one() {
  local name=$1 dict=$2
  local dir="$work/$name"
  rm -rf "$dir"
  mkdir -p "$dir/corpus"
  cp tests/fuzz/corpus/"$name"/* "$dir/corpus/"
  cp tests/fuzz/regressions/"$name"/* "$dir/corpus/"
  local args=(-max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048
              -print_final_stats=1 -artifact_prefix="$dir/")
  [ -z "$dict" ] || args+=(-dict="tests/fuzz/dict/$dict.dict")
  "$build/tests/fuzz/fuzz_$name" "${args[@]}" "$dir/corpus" >"$dir/log" 2>&1
}

mkdir -p "$work"
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, $jobs at a time (logs: $work/<target>/log)"
declare -A pid_of=()
failed=()
finish() {  # waits for one running target and records how it went
  local done_pid status=0
  wait -n -p done_pid "${!pid_of[@]}" || status=$?
  local name=${pid_of[$done_pid]}
  unset "pid_of[$done_pid]"
  local stats
  stats=$(grep -E '^stat::(number_of_executed_units|new_units_added)' "$work/$name/log" |
          awk '{printf "%s ", $2}')
  if [ "$status" -eq 0 ]; then
    echo "fuzz: $name ok (executions, new inputs: ${stats:-?})"
  else
    failed+=("$name")
    echo "fuzz: $name FAILED (exit $status); the end of its log:"
    tail -n 40 "$work/$name/log" | sed 's/^/    /'
    for artifact in "$work/$name"/{crash,leak,timeout,oom}-*; do
      [ -e "$artifact" ] || continue
      echo "    input: $artifact"
      echo "    keep it once fixed: cp $artifact tests/fuzz/regressions/$name/<what-it-broke>"
    done
  fi
}
for entry in "${targets[@]}"; do
  while [ "${#pid_of[@]}" -ge "$jobs" ]; do finish; done
  fuzz_one "${entry%%:*}" "${entry#*:}" &
  pid_of[$!]=${entry%%:*}
done
while [ "${#pid_of[@]}" -gt 0 ]; do finish; done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}"
  exit 1
fi
echo "fuzz: every target ran ${seconds}s without a crash, leak or timeout"
