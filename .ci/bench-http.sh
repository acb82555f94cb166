#!/usr/bin/env bash
# Load-tests the real binary the way ../shared/tools/limits measures its
# minimal identify endpoint: wrk, 2 threads, 2 and 32 connections, closed loop,
# on the same cores as the server and Postgres. Target: GET /cpe/me with an
# API key (Echo + request log + key lookup by prefix + constant-time hash
# compare + JSON). Prints RESULT lines.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=go1.27.3 # as the Makefile: go.mod needs Go 1.27.3, fetched from the module proxy
DUR=${DUR:-15s}
command -v wrk >/dev/null || { echo "wrk missing: apt-get install -y wrk" >&2; exit 1; }
DB=fyberpay_bench_$$
BIN=$(mktemp -d)/fyberpay
go build -o "$BIN" ./cmd/fyberpay
createdb -h 127.0.0.1 -U postgres "$DB"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable" HTTP_ADDR="127.0.0.1:$PORT" \
  SESSION_KEYS=$(head -c 32 /dev/urandom | base64 -w0) ENCRYPTION_KEY=k1:$(head -c 32 /dev/urandom | base64 -w0) LOG_LEVEL=warn
cleanup() { if [ -n "${PID:-}" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi; dropdb -h 127.0.0.1 -U postgres --force "$DB" || true; }
trap cleanup EXIT
"$BIN" migrate >/dev/null
"$BIN" org create --slug bench --name Bench >/dev/null
KEY=$("$BIN" apikey create --org bench --name wrk --role viewer | tail -1)
"$BIN" serve --worker=false >/dev/null 2>&1 & PID=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
curl -fs -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/cpe/me" >/dev/null
for c in 2 32; do
  out=$(wrk -t2 -c"$c" -d"$DUR" --latency -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/cpe/me")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out"); p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  echo "RESULT bench=http-apikey target=/cpe/me conns=$c threads=2 secs=$DUR rps=$rps p50=$p50 p99=$p99 non2xx=${non2xx:-0}"
done
