#!/usr/bin/env bash
# The one test command (npm test). Runs every suite even when one fails, then prints the
# single line CI counts: "N passed, N failed" (", N skipped" added when something was
# skipped). Exit status is non-zero if anything failed or a suite died without reporting.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export JIT_TEST_COUNTS="$ROOT/test-output/counts.txt"
mkdir -p test-output
: > "$JIT_TEST_COUNTS"
status=0

# Counts file, one line per report: "SUITE PASSED FAILED [SKIPPED] [# NOTE]".

# suite_overrides NAME: the environment variables that reshape suite NAME, by convention
# JIT_<NAME>_* (JIT_RELIABILITY_KILLS, JIT_RELIABILITY_SPEC, JIT_RELIABILITY_SEED ...). A run
# shrunk by one of them must say so wherever its counts are read.
suite_overrides() {
  local prefix="JIT_${1^^}_"
  prefix=${prefix//-/_}
  env | grep "^$prefix" | sort | tr '\n' ' ' | sed 's/ $//'
}

# record NAME PASSED FAILED NOTE: adds a line to the counts file.
record() { echo "$1 $2 $3 # $4" >> "$JIT_TEST_COUNTS"; }

# run_suite NAME CMD...: runs CMD with JIT_TEST_SUITE=NAME. A suite fails when it exits
# non-zero, when it reports no test, or when the tests it reports add up to zero passed and
# zero failed (an empty spec, a filter matching nothing, everything skipped): a suite that
# checked nothing must not look green. Such a suite counts as one failed test.
run_suite() {
  local name=$1; shift
  local overrides t0=$SECONDS
  overrides=$(suite_overrides "$name")
  echo
  echo "=== suite: $name${overrides:+ (overridden: $overrides)}"
  JIT_TEST_SUITE=$name "$@"
  local rc=$?
  echo "=== suite $name took $((SECONDS - t0)) s"
  local lines passed failed
  read -r lines passed failed < <(awk -v n="$name" '$1==n {c++; p+=$2; f+=$3} END {print c+0, p+0, f+0}' "$JIT_TEST_COUNTS")
  if [ "$rc" -ne 0 ]; then
    status=1
    if [ "$failed" -eq 0 ]; then
      record "$name" 0 1 "exited $rc without reporting a failure"
      echo "!!! suite $name exited $rc without reporting a failure"
    fi
  elif [ "$lines" -eq 0 ]; then
    status=1
    record "$name" 0 1 "reported no test"
    echo "!!! suite $name reported no test"
  elif [ $((passed + failed)) -eq 0 ]; then
    status=1
    record "$name" 0 1 "ran zero tests"
    echo "!!! suite $name ran zero tests"
  fi
  if [ -n "$overrides" ]; then
    local tmp="$JIT_TEST_COUNTS.tmp"
    awk -v n="$name" -v o="overridden: $overrides" '$1==n {$0 = $0 (index($0, "#") ? "; " : " # ") o} {print}' \
      "$JIT_TEST_COUNTS" > "$tmp" && mv "$tmp" "$JIT_TEST_COUNTS"
  fi
}

# run_check NAME CMD...: a command that is one test (it passes when CMD exits 0).
run_check() {
  local name=$1; shift
  one_check() { if "$@"; then echo "$name 1 0" >> "$JIT_TEST_COUNTS"; else echo "$name 0 1" >> "$JIT_TEST_COUNTS"; return 1; fi; }
  run_suite "$name" one_check "$@"
}

# Each suite file in test/suites.d/ defines its suites with run_suite; they run in name order.
for f in test/suites.d/*.sh; do
  # shellcheck source=/dev/null
  source "$f"
done

echo
echo "=== per suite (passed failed [skipped] [# note])"
cat "$JIT_TEST_COUNTS"
awk '{p+=$2; f+=$3; if ($4 ~ /^[0-9]+$/) s+=$4}
  END {printf "%d passed, %d failed", p, f; if (s > 0) printf ", %d skipped", s; print ""}' "$JIT_TEST_COUNTS"
if awk '{f+=$3} END {exit !(f>0)}' "$JIT_TEST_COUNTS"; then status=1; fi
exit $status
