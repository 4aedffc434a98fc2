#!/usr/bin/env bash
# The one test command (npm test). Runs every suite even when one fails, then prints the
# single line CI counts: "N passed, N failed". Exit status is non-zero if anything failed
# or a suite died without reporting.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export JIT_TEST_COUNTS="$ROOT/test-output/counts.txt"
mkdir -p test-output
: > "$JIT_TEST_COUNTS"
status=0

# run_suite NAME CMD...: runs CMD with JIT_TEST_SUITE=NAME. A suite that exits non-zero
# without having recorded a failure counts as one failed test, so a crash is never silent.
run_suite() {
  local name=$1; shift
  echo
  echo "=== suite: $name"
  local before after t0=$SECONDS
  before=$(grep -c "^$name " "$JIT_TEST_COUNTS" || true)
  JIT_TEST_SUITE=$name "$@"
  local rc=$?
  echo "=== suite $name took $((SECONDS - t0)) s"
  after=$(grep -c "^$name " "$JIT_TEST_COUNTS" || true)
  if [ "$rc" -ne 0 ]; then
    status=1
    if ! awk -v n="$name" '$1==n && $3>0 {found=1} END {exit !found}' "$JIT_TEST_COUNTS"; then
      echo "$name 0 1" >> "$JIT_TEST_COUNTS"
      echo "!!! suite $name exited $rc without reporting a failure"
    fi
  elif [ "$after" -eq "$before" ]; then
    status=1
    echo "$name 0 1" >> "$JIT_TEST_COUNTS"
    echo "!!! suite $name ran no test"
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
echo "=== per suite (passed failed)"
cat "$JIT_TEST_COUNTS"
awk '{p+=$2; f+=$3} END {printf "%d passed, %d failed\n", p, f}' "$JIT_TEST_COUNTS"
if awk '{f+=$3} END {exit !(f>0)}' "$JIT_TEST_COUNTS"; then status=1; fi
exit $status
