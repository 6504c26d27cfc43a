#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what it needs (PostgreSQL and chromium from Debian packages),
# starts a throwaway PostgreSQL on 127.0.0.1 for the cluster tests, builds, runs every test, cleans up.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_BIN=/usr/lib/postgresql/15/bin
if [ ! -x "$PG_BIN/initdb" ]; then
  echo "== installing PostgreSQL 15 (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi

# The web UI tests drive Debian's chromium through Playwright (no browser download: ExecutablePath).
if [ ! -x /usr/bin/chromium ]; then
  echo "== installing chromium (Debian package, for the web UI tests)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

PG_DIR=$(mktemp -d /tmp/re-pg.XXXXXX)
PG_PORT=${RE_TEST_PG_PORT:-55433}
chown postgres "$PG_DIR"
cleanup() {
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap cleanup EXIT
runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres >/dev/null
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$PG_DIR -c max_connections=300 -c fsync=off" start >/dev/null
export REMOTE_EXECUTOR_TEST_PG="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"

echo "== building"
dotnet build RemoteExecutor.sln -c Release -nologo -v q
echo "== testing"
dotnet test RemoteExecutor.sln -c Release --no-build -nologo --logger "console;verbosity=normal" "$@"
echo "== benchmark smoke (small counts; timings are not asserted)"
dotnet run -c Release --no-build --project bench/RemoteExecutor.Bench -- --smoke
echo "== published single-file executable"
bash ops/check-publish.sh
