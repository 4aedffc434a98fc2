#!/usr/bin/env bash
# Runs a command with real PostgreSQL and MariaDB servers for the engine tests:
#   test/setup/db-servers.sh CMD [ARG...]
# Installs the servers from Debian's packages when missing, starts each on 127.0.0.1 on a
# free port in a temporary data directory, seeds test data (seed-postgres.sql,
# seed-mysql.sql), runs CMD with the connection URLs in its environment (also written to
# $JIT_TEST_DB_ENV for shells that want to source them), then stops both servers and removes
# every temporary file, whether CMD passed, failed or the script was interrupted.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

install_missing() {
  local wanted=()
  compgen -G '/usr/lib/postgresql/*/bin/initdb' > /dev/null || wanted+=(postgresql postgresql-contrib)
  command -v mariadbd > /dev/null || wanted+=(mariadb-server)
  [ ${#wanted[@]} -eq 0 ] && return
  echo "db-servers: installing ${wanted[*]}"
  # Waits for the dpkg lock rather than failing when another install holds it.
  local apt=(apt-get -o DPkg::Lock::Timeout=600)
  "${apt[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq "${wanted[@]}" > /dev/null
}

free_port() {
  node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })"
}

# wait_for PID SECONDS CMD...: retries CMD until it succeeds, while process PID lives, for at
# most SECONDS.
wait_for() {
  local pid=$1 deadline=$((SECONDS + $2)); shift 2
  until "$@" > /dev/null 2>&1; do
    if ! kill -0 "$pid" 2> /dev/null || [ $SECONDS -ge $deadline ]; then
      echo "db-servers: gave up waiting for: $*" >&2
      return 1
    fi
    sleep 0.2
  done
}

start_postgres() {
  local bin; bin=$(dirname "$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -1)")
  PG_BIN=$bin
  PG_DATA=$work/pg
  local port; port=$(free_port)
  mkdir -p "$PG_DATA" "$work/pg-run"
  printf 'admin-pw\n' > "$work/pg-run/pw"
  chown -R postgres "$PG_DATA" "$work/pg-run"
  # initdb and postgres refuse to run as root.
  runuser -u postgres -- "$bin/initdb" -D "$PG_DATA" -U jit_admin --pwfile="$work/pg-run/pw" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 > "$work/pg-run/init.log"
  runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DATA" -l "$work/pg-run/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$work/pg-run -c fsync=off" > /dev/null
  local admin="postgres://jit_admin:admin-pw@127.0.0.1:$port"
  psql "$admin/postgres" -q -v ON_ERROR_STOP=1 -f "$here/seed-postgres.sql" > /dev/null
  export JIT_TEST_PG_URL="postgres://jit_reader:reader-pw@127.0.0.1:$port"
  export JIT_TEST_PG_ADMIN_URL=$admin
  # The databases' owner with CREATEROLE (not a superuser): what the service is given to provision.
  export JIT_TEST_PG_OWNER_URL="postgres://jit_owner:owner-pw@127.0.0.1:$port"
}

start_mariadb() {
  MY_DATA=$work/my
  local port; port=$(free_port)
  local run=$work/my-run
  mkdir -p "$MY_DATA" "$run" "$work/my-files"
  chown mysql "$MY_DATA" "$run" "$work/my-files"
  mariadb-install-db --no-defaults --user=mysql --datadir="$MY_DATA" --auth-root-authentication-method=socket \
    --skip-test-db > "$run/init.log" 2>&1
  # secure_file_priv confines server-side file access to one folder the tests can inspect.
  mariadbd --no-defaults --user=mysql --datadir="$MY_DATA" --socket="$run/sock" --pid-file="$run/pid" \
    --port="$port" --bind-address=127.0.0.1 --skip-name-resolve --secure-file-priv="$work/my-files" \
    --innodb-buffer-pool-size=32M --innodb-flush-log-at-trx-commit=0 --log-error="$run/server.log" &
  MY_PID=$!
  wait_for "$MY_PID" 60 mariadb-admin --no-defaults --socket="$run/sock" -uroot ping || { cat "$run/server.log" >&2; return 1; }
  mariadb --no-defaults --socket="$run/sock" -uroot < "$here/seed-mysql.sql" > /dev/null
  export JIT_TEST_MYSQL_URL="mysql://jit_reader:reader-pw@127.0.0.1:$port"
  export JIT_TEST_MYSQL_ADMIN_URL="mysql://jit_admin:admin-pw@127.0.0.1:$port"
  # What an operator hands the service (ALL PRIVILEGES ON *.* WITH GRANT OPTION).
  export JIT_TEST_MYSQL_SERVICE_URL="mysql://jit_service:service-pw@127.0.0.1:$port"
  export JIT_TEST_MYSQL_FILES_DIR="$work/my-files"
}

stop_all() {
  if [ -n "${PG_DATA:-}" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop > /dev/null 2>&1 || true
  fi
  if [ -n "${MY_PID:-}" ]; then
    kill "$MY_PID" 2> /dev/null || true
    wait "$MY_PID" 2> /dev/null || true
  fi
  rm -rf "$work"
}

[ $# -gt 0 ] || { echo "usage: $0 CMD [ARG...]" >&2; exit 2; }
install_missing
work=$(mktemp -d /tmp/jit-db-servers.XXXXXX)
chmod 755 "$work"
trap stop_all EXIT
trap 'exit 130' INT TERM
start_postgres
start_mariadb
export JIT_TEST_DB_ENV=$work/env
export -p | grep ' JIT_TEST_' > "$JIT_TEST_DB_ENV"
"$@"
