# Replicas (issue 19): a real PostgreSQL store (test/setup/db-servers.sh) and three jit-server
# processes on it, SIGKILLed under load; checks that they behave as one service.
run_suite replicas bash test/setup/db-servers.sh npx mocha --config test/replicas/mocharc.cjs
