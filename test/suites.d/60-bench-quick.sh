# The benchmark's quick mode: it proves `npm run bench` still works and that every measured
# run and export has its audit line. Timings are never asserted here; every measurement taken
# counts as passed, a suite that crashed or failed an integrity check as failed, and every
# part it could not measure (PostgreSQL without a server, the .vsix in --quick) as skipped,
# named in its counts line.
run_suite bench-quick npm run bench --silent -- --quick
