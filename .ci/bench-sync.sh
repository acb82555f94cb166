#!/usr/bin/env bash
# Device sync against a simulated GenieACS of N devices (default 100,000):
# first the floor (stream every page with the sync's projection and discard
# it), then a full pass into an empty table, a full pass into the full one,
# and an incremental pass with CHANGED devices (default 1,000) informing
# since the previous one. The simulator runs with a 24 h inform interval, so
# only the devices the script wakes change: CHANGED devices are made to
# inform (a connection request each, through the NBI), one incremental pass
# takes the watermark past them, and more than the 30 s overlap later
# another CHANGED devices inform before the measured pass (which also
# re-reads the first ones: the overlap). Each pass is its own process under
# /usr/bin/time: wall time and peak RSS. Prints RESULT lines.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=go1.27.3 # as the Makefile: go.mod needs Go 1.27.3, fetched from the module proxy
N=${N:-100000}
CHANGED=${CHANGED:-1000}
WORK=$(mktemp -d)
DB=fyberpay_bench_sync_$$
go build -o "$WORK/fyberpay" ./cmd/fyberpay
createdb -h 127.0.0.1 -U postgres "$DB"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
NBI=$(port); FS=$(port)
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable" LOG_LEVEL=warn \
  GENIEACS_NBI_URL="http://127.0.0.1:$NBI" GENIEACS_FS_URL="http://127.0.0.1:$FS" \
  GENIEACS_INTERNAL_KEY=bench-internal-key-0123456789abcdef
cleanup() { kill "${SIM:-0}" 2>/dev/null || true; wait "${SIM:-0}" 2>/dev/null || true; dropdb -h 127.0.0.1 -U postgres --force "$DB" || true; rm -rf "$WORK"; }
trap cleanup EXIT
"$WORK/fyberpay" migrate >/dev/null
"$WORK/fyberpay" sim --devices "$N" --inform-interval 24h --nbi-addr "127.0.0.1:$NBI" --fs-addr "127.0.0.1:$FS" >"$WORK/sim.log" 2>&1 & SIM=$!
# Every device has informed once (has a document) when the count reaches N.
for _ in $(seq 1 600); do
  total=$(curl -fsI "http://127.0.0.1:$NBI/devices/" 2>/dev/null | tr -d '\r' | awk -F': ' 'tolower($1)=="total"{print $2}' || true)
  [ "${total:-0}" -ge "$N" ] && break
  sleep 0.5
done
echo "simulator ready: ${total:-0} devices"
measure() { # name, args...
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$WORK/fyberpay" sync "$@" | tee "$WORK/out"
  read -r secs kib < "$WORK/time"
  echo "RESULT $name seconds=$secs peak_rss_mib=$((kib / 1024)) $(tr -d '\n' < "$WORK/out")"
}
measure floor --discard
measure full_empty --pass full
measure full_full --pass full
wake() { # make $CHANGED devices (from offset $1) inform now
  python3 - "$NBI" "$CHANGED" "$1" <<'PY'
import json, sys, urllib.parse, urllib.request
from concurrent.futures import ThreadPoolExecutor
nbi, n, skip = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
base = f"http://127.0.0.1:{nbi}"
ids = [d["_id"] for d in json.load(urllib.request.urlopen(f"{base}/devices/?projection=_id&skip={skip}&limit={n}"))]
def wake(i):
    req = urllib.request.Request(f"{base}/devices/{urllib.parse.quote(i, safe='')}/tasks?connection_request", method="POST",
                                 data=json.dumps({"name": "getParameterValues", "parameterNames": ["Device.DeviceInfo.UpTime"]}).encode(),
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req).read()
with ThreadPoolExecutor(16) as ex:
    list(ex.map(wake, ids))
print(f"{len(ids)} devices informed")
PY
}
# The fleet's own informs (its bootstrap) must lie more than the 30 s
# overlap before the first watermark, or the measured pass re-reads them.
sleep 32
wake 0
"$WORK/fyberpay" sync --pass incremental >/dev/null
sleep 32
wake "$CHANGED"
measure incremental --pass incremental
