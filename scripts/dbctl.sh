#!/usr/bin/env bash
# Private PostgreSQL 15 and ClickHouse instances for development and tests.
#
# Data lives in $MARI_DATA_DIR (default: .data/ in the repository, git-ignored), the servers
# listen on loopback on non-default ports, and nothing touches a system-wide cluster.
#
#   scripts/dbctl.sh install        install missing Debian packages (PostgreSQL 15, ClickHouse)
#   scripts/dbctl.sh start          install if needed, init if needed, start both (idempotent)
#   scripts/dbctl.sh stop           stop both
#   scripts/dbctl.sh stop-clickhouse / start-clickhouse   (used by tests of the "unavailable" path)
#   scripts/dbctl.sh createdb NAME  create a PostgreSQL database and a ClickHouse database NAME
#   scripts/dbctl.sh status
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${MARI_DATA_DIR:-$ROOT/.data}"
PG_PORT="${MARI_PG_PORT:-55432}"
CH_PORT="${MARI_CH_PORT:-59000}"
CH_HTTP_PORT="${MARI_CH_HTTP_PORT:-58123}"
PG_BIN=/usr/lib/postgresql/15/bin
PG_DIR="$DATA/pg"
PG_RUN="$DATA/pg-run"
CH_DIR="$DATA/ch"

log() { printf '[dbctl] %s\n' "$*" >&2; }

# as_pg runs a command as the postgres system user when we are root (PostgreSQL refuses to
# run as root), or as ourselves otherwise.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install() {
  local missing=()
  [ -x "$PG_BIN/postgres" ] || missing+=(postgresql-15 postgresql-client-15)
  command -v clickhouse-server >/dev/null 2>&1 || missing+=(clickhouse-server clickhouse-client)
  command -v clickhouse-client >/dev/null 2>&1 || missing+=(clickhouse-client)
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  # The Debian package starts a system-wide cluster on 5432; we never use it, and leave it alone.
}

pg_running() { as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR" status >/dev/null 2>&1; }

start_pg() {
  mkdir -p "$DATA"
  if [ ! -s "$PG_DIR/PG_VERSION" ]; then
    log "initialising PostgreSQL in $PG_DIR"
    mkdir -p "$PG_DIR" "$PG_RUN"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DIR" "$PG_RUN"
    chmod 700 "$PG_DIR"
    as_pg "$PG_BIN/initdb" -D "$PG_DIR" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    cat >>"$PG_DIR/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_RUN'
timezone = 'UTC'
shared_buffers = 512MB
work_mem = 32MB
maintenance_work_mem = 256MB
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  fi
  mkdir -p "$PG_RUN"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_RUN"
  if ! pg_running; then
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR" -l "$PG_RUN/pg.log" -w -t 60 start >/dev/null
  fi
  # The application role. Loopback trust auth for this private dev instance; deployments set a
  # password through MARI_PG_URL (see docker-compose.yml).
  psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname='mari'" | grep -q 1 ||
    psql_admin -c "CREATE ROLE mari LOGIN CREATEDB" >/dev/null
}

psql_admin() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q "$@"; }

# ch_pid prints the pid of our ClickHouse server: the process running clickhouse-server with
# our config file, found through the pid file or else through /proc (no procps needed). The
# command line is checked, so a stale pid file never points at someone else's process. setsid
# forks when started from a shell with job control, so $! is not the server's pid.
is_our_ch() {
  local cmd
  cmd="$({ tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null || true)"
  [ "$cmd" = "clickhouse-server --config-file=$CH_DIR/config.xml " ]
}

ch_pid() {
  local pid="" d
  [ -f "$CH_DIR/clickhouse.pid" ] && pid="$(cat "$CH_DIR/clickhouse.pid" 2>/dev/null || true)"
  if [ -n "$pid" ] && is_our_ch "$pid"; then echo "$pid"; return 0; fi
  for d in /proc/[0-9]*; do
    if is_our_ch "${d#/proc/}"; then echo "${d#/proc/}"; return 0; fi
  done
  return 1
}

ch_running() { ch_pid >/dev/null; }

start_ch() {
  mkdir -p "$CH_DIR"/{data,tmp,user_files,log}
  cat >"$CH_DIR/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$CH_DIR/log/server.log</log><errorlog>$CH_DIR/log/error.log</errorlog><size>100M</size><count>2</count></logger>
  <tcp_port>$CH_PORT</tcp_port>
  <http_port>$CH_HTTP_PORT</http_port>
  <listen_host>127.0.0.1</listen_host>
  <max_connections>1024</max_connections>
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>100</max_concurrent_queries>
  <uncompressed_cache_size>1073741824</uncompressed_cache_size>
  <mark_cache_size>1073741824</mark_cache_size>
  <path>$CH_DIR/data/</path>
  <tmp_path>$CH_DIR/tmp/</tmp_path>
  <user_files_path>$CH_DIR/user_files/</user_files_path>
  <users_config>$CH_DIR/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
</yandex>
EOF
  cat >"$CH_DIR/users.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>8000000000</max_memory_usage><load_balancing>random</load_balancing></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
EOF
  if ! ch_running; then
    log "starting ClickHouse on 127.0.0.1:$CH_PORT"
    # setsid: the server outlives the make invocation that started it. Every descriptor of
    # the background job points at files, and no intermediate shell waits on the server:
    # a process left holding our caller's stdout would keep a pipe reader (a CI log, `| tail`)
    # waiting for an end of file that never comes.
    rm -f "$CH_DIR/clickhouse.pid"
    setsid clickhouse-server --config-file="$CH_DIR/config.xml" \
      >"$CH_DIR/log/stdout.log" 2>&1 </dev/null &
  fi
  for _ in $(seq 1 120); do
    if clickhouse-client --port "$CH_PORT" -q 'SELECT 1' >/dev/null 2>&1; then
      ch_pid >"$CH_DIR/clickhouse.pid" || rm -f "$CH_DIR/clickhouse.pid"
      return 0
    fi
    sleep 0.5
  done
  log "ClickHouse did not start; see $CH_DIR/log"
  tail -20 "$CH_DIR/log/error.log" "$CH_DIR/log/stdout.log" >&2 || true
  return 1
}

stop_ch() {
  if ch_running; then
    local pid; pid="$(ch_pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$CH_DIR/clickhouse.pid"
}

stop_pg() { if pg_running; then as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR" -m fast stop >/dev/null; fi; }

createdb() {
  local name="$1"
  psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname='$name'" | grep -q 1 ||
    psql_admin -c "CREATE DATABASE \"$name\" OWNER mari" >/dev/null
  clickhouse-client --port "$CH_PORT" -q "CREATE DATABASE IF NOT EXISTS \`$name\`"
}

case "${1:-}" in
  install) install ;;
  start) install; start_pg; start_ch ;;
  start-clickhouse) start_ch ;;
  stop-clickhouse) stop_ch ;;
  stop) stop_ch; stop_pg ;;
  createdb) createdb "${2:?database name}" ;;
  status)
    pg_running && echo "postgresql: running on 127.0.0.1:$PG_PORT" || echo "postgresql: stopped"
    ch_running && echo "clickhouse: running on 127.0.0.1:$CH_PORT" || echo "clickhouse: stopped" ;;
  *) echo "usage: $0 install|start|stop|start-clickhouse|stop-clickhouse|createdb NAME|status" >&2; exit 2 ;;
esac
