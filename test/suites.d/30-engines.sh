# The engine behaviour suite on the embedded SQLite engine and on real PostgreSQL and MariaDB
# servers, which test/setup/db-servers.sh installs if missing, starts, seeds, and always
# stops again. Its own mocha config keeps these tests out of the default (unit + api) spec.
run_suite engines bash test/setup/db-servers.sh npx mocha --config test/engines/.mocharc.cjs
