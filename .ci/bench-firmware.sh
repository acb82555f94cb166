#!/usr/bin/env bash
# A 256 MiB firmware image through POST /cpe/firmware (multipart, streamed
# to GenieACS's file server while its sha256 is computed) against the real
# binary and simulator, beside a plain `curl -T` of the same file to the
# simulator's NBI: the throughput ratio (target >= 0.8) and the serve
# process's RSS growth (peak VmHWM over the RSS before; target <= 32 MiB).
set -euo pipefail
cd "$(dirname "$0")/.."
MIB=${MIB:-256}
export GOTOOLCHAIN=go1.27.3 # as the Makefile: go.mod needs Go 1.27.3, fetched from the module proxy
DB=fyberpay_fw_$$
TMP=$(mktemp -d)
BIN=$TMP/fyberpay
go build -o "$BIN" ./cmd/fyberpay
createdb -h 127.0.0.1 -U postgres "$DB"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(port); NBI=$(port); FS=$(port)
KEY_INTERNAL=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable" HTTP_ADDR="127.0.0.1:$PORT" \
  SESSION_KEYS=$(head -c 32 /dev/urandom | base64 -w0) ENCRYPTION_KEY=k1:$(head -c 32 /dev/urandom | base64 -w0) LOG_LEVEL=error \
  GENIEACS_NBI_URL="http://127.0.0.1:$NBI" GENIEACS_FS_URL="http://127.0.0.1:$FS" GENIEACS_INTERNAL_KEY=$KEY_INTERNAL
cleanup() {
  for p in ${PID:-} ${SIM:-}; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  dropdb -h 127.0.0.1 -U postgres --force "$DB" || true; rm -rf "$TMP"
}
trap cleanup EXIT
"$BIN" migrate >/dev/null
"$BIN" org create --slug bench --name Bench >/dev/null
KEY=$("$BIN" apikey create --org bench --name bench | tail -1)
"$BIN" sim --devices 1 --nbi-addr "127.0.0.1:$NBI" --fs-addr "127.0.0.1:$FS" >/dev/null 2>&1 & SIM=$!
"$BIN" serve --worker=false >/dev/null 2>&1 & PID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && curl -fs -o /dev/null "http://127.0.0.1:$NBI/files/" && break; sleep 0.1; done
head -c "$((MIB << 20))" /dev/urandom > "$TMP/image.bin"
want=$(sha256sum "$TMP/image.bin" | cut -d' ' -f1)

# The baseline: the same bytes straight to the simulator's NBI.
plain=$(curl -fsS -o /dev/null -w '%{time_total}' -T "$TMP/image.bin" -H 'fileType: 1 Firmware Upgrade Image' \
  "http://127.0.0.1:$NBI/files/baseline.bin")
curl -fsS -X DELETE -o /dev/null "http://127.0.0.1:$NBI/files/baseline.bin"

rss() { awk -v k="$1:" '$1 == k {print int($2 / 1024)}' "/proc/$PID/status"; }
before=$(rss VmRSS)
echo 5 > "/proc/$PID/clear_refs" 2>/dev/null || true
out=$(curl -fsS -w '\n%{time_total}' -H "Authorization: Bearer $KEY" -F oui=00259E -F productClass=HG8245H -F version=V3R017C10S135 \
  -F "file=@$TMP/image.bin;filename=HG8245H_V3R017C10S135.bin" "http://127.0.0.1:$PORT/cpe/firmware")
ours=$(tail -1 <<<"$out")
peak=$(rss VmHWM)
got=$(head -1 <<<"$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["sha256"])')
[ "$got" = "$want" ] || { echo "sha256 $got, want $want" >&2; exit 1; }
python3 - "$MIB" "$plain" "$ours" "$before" "$peak" <<'PY'
import sys
mib, plain, ours, before, peak = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
print(f"RESULT bench=firmware-upload mib={mib} curl_mib_s={mib/plain:.0f} ours_mib_s={mib/ours:.0f} ratio={plain/ours:.2f} "
      f"rss_before_mib={before} peak_rss_mib={peak} growth_mib={peak-before}")
PY
