#!/usr/bin/env bash
# Identify under load, the way GenieACS calls it: POST /internal/cpe/identify
# with the internal key, rotating over 100,000 devices in the table (mixed:
# pending, owned, owned + subscriber with PPPoE). Load comes from vegeta in a
# separate process on loopback: a fixed 1,000 req/s for 30 s (the target:
# p99 <= 10 ms), then saturation (as fast as 32 workers go) for 15 s. Before
# it, the same rate on /readyz (a database ping) gives this moment's floor.
# Prints RESULT lines. RATE, DURATION, N override the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=go1.27.3 # as the Makefile: go.mod needs Go 1.27.3, fetched from the module proxy
N=${N:-100000}
RATE=${RATE:-1000}
DURATION=${DURATION:-30s}
SAT_DURATION=${SAT_DURATION:-15s}
VEGETA="go run github.com/tsenart/vegeta/v12@v12.13.0"
# One thread is plenty for the load generator at these rates and leaves the
# second core to the server and Postgres.
export GOMAXPROCS_VEGETA=${GOMAXPROCS_VEGETA:-1}
WORK=$(mktemp -d)
DB=fyberpay_bench_identify_$$
go build -o "$WORK/fyberpay" ./cmd/fyberpay
go build -o "$WORK/seed" ./internal/cpe/cpetest/cmd/seed
$VEGETA -version >/dev/null # compile once, outside the measurement
createdb -h 127.0.0.1 -U postgres "$DB"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
KEY=bench-internal-key-0123456789abcdef
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable" HTTP_ADDR="127.0.0.1:$PORT" \
  SESSION_KEYS=$(head -c 32 /dev/urandom | base64 -w0) ENCRYPTION_KEY=k1:$(head -c 32 /dev/urandom | base64 -w0) \
  GENIEACS_INTERNAL_KEY=$KEY LOG_LEVEL=warn
cleanup() { if [ -n "${PID:-}" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi; dropdb -h 127.0.0.1 -U postgres --force "$DB" || true; rm -rf "$WORK"; }
trap cleanup EXIT
"$WORK/fyberpay" migrate >/dev/null
"$WORK/fyberpay" org create --slug acme --name Acme >/dev/null
# 100k devices: 40% pending, 30% owned, 30% owned and assigned to a
# subscriber; devices that identified before (as after a factory reset): the
# reported hex serial, GenieACS id and data model are already known. Written
# by the cpe test kit's seed command (the table's SQL stays in internal/cpe).
"$WORK/seed" -org acme -devices "$N"
"$WORK/fyberpay" serve --worker=false >"$WORK/serve.log" 2>&1 & PID=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
python3 - "$N" "$PORT" "$KEY" > "$WORK/targets.json" <<'PY'
import base64, json, sys
n, port, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
for i in range(1, n + 1):
    serial = "48575443" + format(i, "08X")  # the hex form Huawei reports
    body = json.dumps({"serial": serial, "oui": "00259E", "productClass": "HG8245H", "manufacturer": "Huawei Technologies Co., Ltd",
                       "deviceId": "00259E-HG8245H-" + serial, "root": "InternetGatewayDevice"})
    print(json.dumps({"method": "POST", "url": f"http://127.0.0.1:{port}/internal/cpe/identify",
                      "header": {"Content-Type": ["application/json"], "X-FyberPay-Internal-Key": [key]},
                      "body": base64.b64encode(body.encode()).decode()}))
PY
# Warm up (connections, caches) before measuring, as a running server is.
GOMAXPROCS=$GOMAXPROCS_VEGETA $VEGETA attack -format=json -targets="$WORK/targets.json" -rate="$RATE/s" -duration=5s -timeout=5s >/dev/null
report() { # name
  $VEGETA report -type=json | python3 -c '
import json, sys
r = json.load(sys.stdin); l = r["latencies"]; ms = lambda ns: "%.2fms" % (ns / 1e6)
codes = ",".join("%s:%s" % kv for kv in sorted(r["status_codes"].items()))
print("RESULT bench=identify mode=%s rows=%s rate=%.0f throughput=%.0f p50=%s p90=%s p99=%s max=%s success=%.4f codes=%s" % (
  sys.argv[1], sys.argv[2], r["rate"], r["throughput"], ms(l["50th"]), ms(l["90th"]), ms(l["99th"]), ms(l["max"]), r["success"], codes))' "$1" "$N"
}
# The floor on this machine at this moment: the same server, same rate, a
# request that only pings the database (/readyz).
echo "GET http://127.0.0.1:$PORT/readyz" | GOMAXPROCS=$GOMAXPROCS_VEGETA $VEGETA attack -rate="$RATE/s" -duration="$DURATION" -timeout=5s | report "floor-readyz-$RATE/s-$DURATION"
GOMAXPROCS=$GOMAXPROCS_VEGETA $VEGETA attack -format=json -targets="$WORK/targets.json" -rate="$RATE/s" -duration="$DURATION" -timeout=5s | tee ${KEEP_RESULTS:-/dev/null} | report "fixed-$RATE/s-$DURATION"
GOMAXPROCS=$GOMAXPROCS_VEGETA $VEGETA attack -format=json -targets="$WORK/targets.json" -rate=0 -max-workers=32 -duration="$SAT_DURATION" -timeout=5s | report "saturation-32-workers"
