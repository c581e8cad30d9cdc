#!/usr/bin/env bash
# Private PostgreSQL 15 and ClickHouse instances for development and tests.
#
# Data lives in $MARI_DATA_DIR (default: .data/ in the repository, git-ignored), the servers
# listen on loopback on non-default ports, and nothing touches a system-wide cluster.
#
# Run as root, PostgreSQL runs as the postgres system user, which must be able to enter every
# folder above its data. A checkout inside a private folder (root's home is mode 700) does not
# let it, so there PostgreSQL's data goes to /var/lib/mari-dev/<hash of the data folder's
# path>/ instead (one line in the log says so); ClickHouse runs as root and stays in .data/.
#
#   scripts/dbctl.sh install        install missing Debian packages (PostgreSQL 15, ClickHouse)
#   scripts/dbctl.sh start          install if needed, init if needed, start both (idempotent)
#   scripts/dbctl.sh stop           stop both
#   scripts/dbctl.sh stop-clickhouse / start-clickhouse   (used by tests of the "unavailable" path)
#   scripts/dbctl.sh createdb NAME  create a PostgreSQL database and a ClickHouse database NAME
#   scripts/dbctl.sh status
#   scripts/dbctl.sh clean          stop both and delete all their data (wherever it is)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${MARI_DATA_DIR:-$ROOT/.data}"
# Absolute, because PostgreSQL's tools run from / (below) and the path names a folder.
case "$DATA" in /*) ;; *) DATA="$PWD/$DATA" ;; esac
PG_PORT="${MARI_PG_PORT:-55432}"
CH_PORT="${MARI_CH_PORT:-59000}"
CH_HTTP_PORT="${MARI_CH_HTTP_PORT:-58123}"
PG_BIN=/usr/lib/postgresql/15/bin
CH_DIR="$DATA/ch"
PG_OUTSIDE_BASE=/var/lib/mari-dev

log() { printf '[dbctl] %s\n' "$*" >&2; }

is_root() { [ "$(id -u)" = 0 ]; }

# as_pg runs a command as the postgres system user when we are root (PostgreSQL refuses to
# run as root), or as ourselves otherwise. From /: initdb and pg_ctl go back to the working
# directory, and complain when postgres may not enter it (a private checkout).
as_pg() {
  if is_root; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# postgres_can_enter: can the postgres user reach folder $1 (or, while it does not exist yet,
# the nearest folder above it that does)? access(2) checks search permission on every
# component of the path, so one test covers them all.
postgres_can_enter() {
  local d="$1"
  while [ ! -e "$d" ] && [ "$d" != / ]; do d="$(dirname "$d")"; done
  runuser -u postgres -- test -x "$d" 2>/dev/null
}

# first_closed_folder prints the first folder on the way to $1 that postgres cannot enter.
first_closed_folder() {
  local d="" part rest="${1#/}"
  while [ -n "$rest" ]; do
    part="${rest%%/*}"
    [ "$part" = "$rest" ] && rest="" || rest="${rest#*/}"
    d="$d/$part"
    runuser -u postgres -- test -x "$d" 2>/dev/null || { echo "$d"; return; }
  done
  echo "$1"
}

# The folder PostgreSQL's data would use outside the checkout: one per data folder, so two
# checkouts (or two MARI_DATA_DIR) never share a cluster, and the same one is found again.
pg_outside_home() {
  printf '%s/%s' "$PG_OUTSIDE_BASE" "$(realpath -m -- "$DATA" | sha256sum | cut -c1-12)"
}

# resolve_pg sets PG_HOME (PG_DIR: the cluster, PG_RUN: its socket and log). A cluster that
# exists stays where it is; a new one goes into the checkout when postgres can reach it there
# (as a non-root user we run PostgreSQL ourselves, so always), else outside it.
resolve_pg() {
  PG_HOME="$DATA"
  PG_OUTSIDE=""
  if is_root; then
    local outside
    outside="$(pg_outside_home)"
    if [ -s "$outside/pg/PG_VERSION" ] ||
      { [ ! -s "$DATA/pg/PG_VERSION" ] && ! postgres_can_enter "$DATA"; }; then
      PG_HOME="$outside"
      PG_OUTSIDE=1
    fi
  fi
  PG_DIR="$PG_HOME/pg"
  PG_RUN="$PG_HOME/pg-run"
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
  resolve_pg
  if [ -n "$PG_OUTSIDE" ]; then
    log "PostgreSQL data in $PG_DIR, outside the checkout: the postgres user could not enter $DATA (a folder above it is private)"
    mkdir -p "$PG_OUTSIDE_BASE" "$PG_HOME"
    chmod 755 "$PG_OUTSIDE_BASE" # whatever our umask: postgres must pass through it
    chown postgres:postgres "$PG_HOME"
    chmod 700 "$PG_HOME"
    # For whoever finds this folder: which checkout it belongs to (`dbctl.sh clean` there
    # removes it).
    printf '%s\n' "$DATA" >"$PG_HOME/data-dir"
  elif is_root && ! postgres_can_enter "$PG_DIR"; then
    # A cluster made here while the path was open, and the path closed since.
    log "the postgres user cannot enter $(first_closed_folder "$PG_DIR"), above the PostgreSQL data in $PG_DIR: run chmod o+x on it, or scripts/dbctl.sh clean to start afresh (deletes every local database)"
    return 1
  fi
  if [ ! -s "$PG_DIR/PG_VERSION" ]; then
    log "initialising PostgreSQL in $PG_DIR"
    mkdir -p "$PG_DIR" "$PG_RUN"
    if is_root; then chown postgres:postgres "$PG_DIR" "$PG_RUN"; fi
    chmod 700 "$PG_DIR"
    # --no-sync: a throwaway development cluster (fsync is off below too); saves seconds.
    as_pg "$PG_BIN/initdb" -D "$PG_DIR" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-sync >/dev/null
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
  if is_root; then chown postgres:postgres "$PG_RUN"; fi
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

stop_pg() {
  resolve_pg
  if pg_running; then as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR" -m fast stop >/dev/null; fi
}

# clean stops both servers and deletes their data: $DATA, and PostgreSQL's folder outside
# the checkout when it has one.
clean() {
  case "$(realpath -m -- "$DATA")" in
    / | "$(realpath -m -- "$ROOT")" | "$(realpath -m -- "${HOME:-/}")")
      log "refusing to delete $DATA: set MARI_DATA_DIR to the databases' own folder"
      return 1 ;;
  esac
  stop_ch
  stop_pg
  rm -rf -- "$DATA"
  local outside
  outside="$(pg_outside_home)"
  if [ -e "$outside" ]; then
    rm -rf -- "$outside"
    log "removed $outside"
    rmdir -- "$PG_OUTSIDE_BASE" 2>/dev/null || true
  fi
}

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
  clean) clean ;;
  createdb) createdb "${2:?database name}" ;;
  status)
    resolve_pg
    pg_running && echo "postgresql: running on 127.0.0.1:$PG_PORT (data in $PG_DIR)" || echo "postgresql: stopped"
    ch_running && echo "clickhouse: running on 127.0.0.1:$CH_PORT (data in $CH_DIR)" || echo "clickhouse: stopped" ;;
  *) echo "usage: $0 install|start|stop|clean|start-clickhouse|stop-clickhouse|createdb NAME|status" >&2; exit 2 ;;
esac
