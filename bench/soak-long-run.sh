#!/usr/bin/env bash
# Real-time soak of issue 11 "Long runs stay true", on the DEFAULT grain collection age (15 min): a three-step
# task whose middle step sleeps longer than the collection age, on one node (SQLite) and on a two-node
# PostgreSQL cluster (the step runs on beta, everything is read and, in a second task, killed from alpha).
# Nobody reads the tasks' details while they run: only the list is polled, every 60 s.
# Not part of CI (it takes ~20 minutes). Needs PostgreSQL: RE_SOAK_PG="Host=...;Username=...;Database=...".
#
#   RE_SOAK_PG="Host=127.0.0.1;Port=55433;Username=postgres;Database=postgres" bash bench/soak-long-run.sh
#
# Prints PASS/FAIL lines and a summary; exit code 0 when every check passed.
set -uo pipefail
cd "$(dirname "$0")/.."

SLEEP=${RE_SOAK_SLEEP:-1020}   # 17 minutes: past the 15-minute collection age
PG=${RE_SOAK_PG:?set RE_SOAK_PG to a PostgreSQL connection string}
WORK=$(mktemp -d /tmp/re-soak.XXXXXX)
BIN="$WORK/bin/remote_executor"
PIDS=()
FAILS=0
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
}
trap cleanup EXIT

say() { echo "[soak $(date -u +%H:%M:%S)] $*"; }
check() { if eval "$2"; then say "PASS $1"; else say "FAIL $1"; FAILS=$((FAILS + 1)); fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

say "publishing the server to $WORK/bin (the soak must not run a binary a rebuild can replace)"
dotnet publish src/Silo -c Release -r linux-x64 -o "$WORK/bin" -nologo -v q >/dev/null || exit 1
"$BIN" cluster-cert --out "$WORK/cert" >/dev/null || exit 1
TOKEN=soak$RANDOM$RANDOM$RANDOM
printf '%s' "$TOKEN" >"$WORK/token"

start() { # name root port extra...
  local name=$1 root=$2 port=$3; shift 3
  "$BIN" run --root="$root" --addr="127.0.0.1:$port" --silo_port="$(free_port)" --token_file="$WORK/token" "$@" \
    >"$WORK/$name.out" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$port/healthyz" >/dev/null 2>&1 && return 0; sleep 0.5; done
  say "$name did not start"; cat "$WORK/$name.out"; exit 1
}
api() { curl -sS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
steps() {
  cat <<JSON
[{"name":"first","command_type":"bash","command_content":"echo first"},
 {"name":"long","command_type":"bash","command_content":"echo long starts; sleep $SLEEP; echo long ends"},
 {"name":"third","command_type":"bash","command_content":"echo third ran"}]
JSON
}

SINGLE=$(free_port); ALPHA=$(free_port); BETA=$(free_port)
printf '%s' "$PG" >"$WORK/database"; chmod 600 "$WORK/database"
start single "$WORK/single" "$SINGLE"
start alpha "$WORK/alpha" "$ALPHA" --database_file="$WORK/database" --node=alpha --advertise=127.0.0.1 \
  --cluster_cert="$WORK/cert/cluster.crt" --cluster_key="$WORK/cert/cluster.key"
start beta "$WORK/beta" "$BETA" --database_file="$WORK/database" --node=beta --advertise=127.0.0.1 \
  --cluster_cert="$WORK/cert/cluster.crt" --cluster_key="$WORK/cert/cluster.key"

RUN=$RANDOM
api -X POST "http://127.0.0.1:$SINGLE/api/v1/task?id=soak${RUN}single" -d "$(steps)" >/dev/null
api -X POST "http://127.0.0.1:$ALPHA/api/v1/task?id=soak${RUN}cluster&node=beta" -d "$(steps)" >/dev/null
api -X POST "http://127.0.0.1:$ALPHA/api/v1/task?id=soak${RUN}kill&node=beta" \
  -d "[{\"name\":\"long\",\"command_type\":\"bash\",\"command_content\":\"sleep $((SLEEP + 600))\"}]" >/dev/null
say "submitted; the middle steps sleep ${SLEEP}s; polling only the lists"

state_in_list() { # port id -> "state code"
  api "http://127.0.0.1:$1/api/v1/task" | python3 -c "import json,sys; d=json.load(sys.stdin)['data']['tasks']; t=[x for x in d if x['id']=='$2']; print(f\"{t[0]['state']} {t[0]['code']}\" if t else 'missing')"
}

deadline=$((SECONDS + SLEEP + 240))
while [ $SECONDS -lt $deadline ]; do
  s=$(state_in_list "$SINGLE" "soak${RUN}single"); c=$(state_in_list "$ALPHA" "soak${RUN}cluster")
  say "list: single=[$s] cluster(from alpha)=[$c]"
  [ "$s" = "0 0" ] && [ "$c" = "0 0" ] && break
  sleep 60
done

check "single node: the task finished by itself, succeeded (list)" '[ "$(state_in_list "$SINGLE" "soak${RUN}single")" = "0 0" ]'
check "cluster: the task on beta finished by itself, succeeded (list on alpha)" '[ "$(state_in_list "$ALPHA" "soak${RUN}cluster")" = "0 0" ]'
check "cluster: the list on beta agrees" '[ "$(state_in_list "$BETA" "soak${RUN}cluster")" = "0 0" ]'
check "single node: the third step ran" 'api "http://127.0.0.1:$SINGLE/api/v1/task/soak${RUN}single/third/console" | grep -q "third ran"'
check "cluster: the third step ran" 'api "http://127.0.0.1:$ALPHA/api/v1/task/soak${RUN}cluster/third/console" | grep -q "third ran"'
check "single node: the long step kept its real start time" \
  'api "http://127.0.0.1:$SINGLE/api/v1/task/soak${RUN}single" | python3 -c "import json,sys; s=[x for x in json.load(sys.stdin)[\"data\"] if x[\"name\"]==\"long\"][0]; sys.exit(0 if s[\"times\"][\"st\"] and s[\"state\"]==0 else 1)"'

say "the kill task's step has been running past the collection age; killing it from alpha"
check "cluster: the long-running step on beta is still running, not lost" \
  '[ "$(state_in_list "$ALPHA" "soak${RUN}kill" | cut -d" " -f1)" = "1" ]'
api -X PUT "http://127.0.0.1:$ALPHA/api/v1/task/soak${RUN}kill?action=kill" >/dev/null
sleep 8
check "cluster: the kill from alpha ended the task (state -255)" '[ "$(state_in_list "$ALPHA" "soak${RUN}kill" | cut -d" " -f1)" = "-255" ]'
check "cluster: no sleep $((SLEEP + 600)) process is left" '! pgrep -f "sleep $((SLEEP + 600))" >/dev/null'

say "done: $FAILS failed check(s); logs in $WORK"
[ "$FAILS" -eq 0 ]
