# The benchmark's quick mode as one counted test: it proves `npm run bench` still works and
# that every measured run and export has its audit line. Timings are never asserted here;
# the benchmark exits non-zero only when a suite crashed or an integrity check failed.
run_check bench-quick npm run bench --silent -- --quick
