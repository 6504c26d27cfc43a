#!/usr/bin/env bash
# Publishes the single-file executable for this machine's runtime, starts it on a throwaway root and checks
# that it answers /healthyz and serves the web UI. Used by ops/run-tests.sh; prints the file's size.
set -euo pipefail
cd "$(dirname "$0")/.."

RID=${RE_PUBLISH_RID:-linux-x64}
OUT=$(mktemp -d /tmp/re-publish.XXXXXX)
ROOT=$(mktemp -d /tmp/re-publish-root.XXXXXX)
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  rm -rf "$OUT" "$ROOT"
}
trap cleanup EXIT

dotnet publish src/Silo -c Release -r "$RID" -o "$OUT" -nologo -v q
entries=$(find "$OUT" -mindepth 1 | wc -l)
if [ "$entries" -ne 1 ]; then
  echo "publish: expected one file in the output, found $entries:" >&2
  ls -la "$OUT" >&2
  exit 1
fi
echo "publish: $OUT/remote_executor, $(du -m "$OUT/remote_executor" | cut -f1) MB"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
"$OUT/remote_executor" run --addr="127.0.0.1:$PORT" --root "$ROOT" --silo_port "$(free_port)" >"$ROOT/out.log" 2>&1 &
PID=$!
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$PORT/healthyz" >/dev/null 2>&1; then
    echo "publish: the published executable answers /healthyz"
    # The web UI's files are embedded resources: they must come along in the single file.
    if ! curl -fsS -o /dev/null -w '%{content_type}' "http://127.0.0.1:$PORT/ui/js/app.js" | grep -q '^text/javascript'; then
      echo "publish: the published executable does not serve the web UI (/ui/js/app.js)" >&2
      exit 1
    fi
    echo "publish: the published executable serves the web UI"
    exit 0
  fi
  sleep 0.5
done
echo "publish: the published executable did not answer /healthyz within 60 s" >&2
cat "$ROOT/out.log" >&2
exit 1
