# Reliability and security (issue 7): crash consistency under SIGKILL, concurrency, time,
# the authorization matrix from the route table, hostile input (fast-check), resource limits
# and secrets. Its own mocha config: the default spec (unit + api) does not include it.
run_suite reliability npx mocha --config test/reliability/mocharc.cjs
