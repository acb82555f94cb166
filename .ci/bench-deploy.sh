#!/usr/bin/env bash
# A firmware rollout to 10,000 simulated HG8245H (`fyberpay sim`, its clock
# 1000x: a flash takes 45 ms, a reboot 30 ms) with maxInFlight 200, against
# the real `fyberpay serve`: samples, every 200 ms, the devices in flight
# (sending + sent + downloading; never above the cap) and serve's RSS, and
# prints the time against the simulator's own (50 rounds of a flash and a
# reboot: 3.75 s), the counts at the end and the RSS before and at its peak.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-10000}
CAP=${CAP:-200}
export GOTOOLCHAIN=go1.27.3 # as the Makefile: go.mod needs Go 1.27.3, fetched from the module proxy
DB=fyberpay_deploy_$$
TMP=$(mktemp -d)
BIN=$TMP/fyberpay
go build -o "$BIN" ./cmd/fyberpay
go build -o "$TMP/seed" ./internal/cpe/cpetest/cmd/seed
createdb -h 127.0.0.1 -U postgres "$DB"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(port); NBI=$(port); FS=$(port)
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable" HTTP_ADDR="127.0.0.1:$PORT" \
  SESSION_KEYS=$(head -c 32 /dev/urandom | base64 -w0) ENCRYPTION_KEY=k1:$(head -c 32 /dev/urandom | base64 -w0) LOG_LEVEL=error \
  GENIEACS_NBI_URL="http://127.0.0.1:$NBI" GENIEACS_FS_URL="http://127.0.0.1:$FS" \
  GENIEACS_INTERNAL_KEY=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n') FIRMWARE_FOLLOW_INTERVAL=200ms SYNC_INTERVAL=9m
cleanup() {
  for p in ${PID:-} ${SIM:-}; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  dropdb -h 127.0.0.1 -U postgres --force "$DB" || true; rm -rf "$TMP"
}
trap cleanup EXIT
"$BIN" migrate >/dev/null
"$BIN" org create --slug bench --name Bench >/dev/null
KEY=$("$BIN" apikey create --org bench --name bench | tail -1)
"$BIN" sim --devices "$N" --profiles huawei-hg8245h=1 --time-compression 1000 --inform-interval 24h \
  --nbi-addr "127.0.0.1:$NBI" --fs-addr "127.0.0.1:$FS" >/dev/null 2>&1 & SIM=$!
for _ in $(seq 1 600); do
  total=$(curl -fsI "http://127.0.0.1:$NBI/devices/" 2>/dev/null | awk 'tolower($1)=="total:" {print $2+0}' || true)
  [ "${total:-0}" -ge "$N" ] && break; sleep 0.1
done
"$TMP/seed" -org bench -genieacs "http://127.0.0.1:$NBI"
"$BIN" serve >"$TMP/serve.log" 2>&1 & PID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
sleep 2 # the start-up bootstrap job installs FyberPay's provisions in the simulator
head -c $((1 << 20)) /dev/urandom > "$TMP/image.bin"
curl -fsS -o /dev/null -H "Authorization: Bearer $KEY" -F oui=00259E -F productClass=HG8245H -F version=V-BENCH \
  -F "file=@$TMP/image.bin;filename=HG8245H_V-BENCH.bin" "http://127.0.0.1:$PORT/cpe/firmware"
rss() { awk '$1 == "VmRSS:" {print int($2 / 1024)}' "/proc/$PID/status"; }
before=$(rss)
start=$(date +%s.%N)
id=$(curl -fsS -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d "{\"filename\":\"HG8245H_V-BENCH.bin\",\"model\":\"HG8245H\",\"maxInFlight\":$CAP}" "http://127.0.0.1:$PORT/cpe/firmware/deploy" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["deploymentId"])')
most=0; peak=$before; samples=0
while :; do
  body=$(curl -fsS -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/cpe/firmware/deployments/$id")
  read -r state flying upgraded <<<"$(python3 -c 'import json,sys; d=json.load(sys.stdin); s=d["counts"]["states"]; print(d["state"], s["sending"]+s["sent"]+s["downloading"], s["upgraded"])' <<<"$body")"
  r=$(rss); samples=$((samples + 1))
  [ "$flying" -gt "$most" ] && most=$flying
  [ "$r" -gt "$peak" ] && peak=$r
  [ "$state" != running ] && break
  sleep 0.2
done
took=$(python3 -c "import time; print(f'{time.time() - $start:.1f}')")
echo "RESULT bench=firmware-deploy devices=$N max_in_flight=$CAP state=$state upgraded=$upgraded most_in_flight_sampled=$most samples=$samples secs=$took sim_secs=$(python3 -c "print(f'{$N / $CAP * 0.075:.2f}')") rss_before_mib=$before peak_rss_mib=$peak"
