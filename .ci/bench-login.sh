#!/usr/bin/env bash
# A sign-in burst against the real binary: wrk keeps 200 connections posting
# wrong passwords for unknown e-mails, each request from its own client
# address (X-Forwarded-For, believed from TRUSTED_PROXIES), so neither the
# per-account nor the per-address lock stops them and only the process-wide
# bound on argon2id runs (64 MiB each) protects memory. Prints the server's
# RSS before and its peak (VmHWM) during the burst, and the answers.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-15s}
export GOTOOLCHAIN=go1.27.3 # as the Makefile: go.mod needs Go 1.27.3, fetched from the module proxy
command -v wrk >/dev/null || { echo "wrk missing: apt-get install -y wrk" >&2; exit 1; }
DB=fyberpay_login_$$
TMP=$(mktemp -d)
BIN=$TMP/fyberpay
go build -o "$BIN" ./cmd/fyberpay
createdb -h 127.0.0.1 -U postgres "$DB"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable" HTTP_ADDR="127.0.0.1:$PORT" \
  SESSION_KEYS=$(head -c 32 /dev/urandom | base64 -w0) ENCRYPTION_KEY=k1:$(head -c 32 /dev/urandom | base64 -w0) LOG_LEVEL=error \
  TRUSTED_PROXIES=127.0.0.1/32
cleanup() { if [ -n "${PID:-}" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi; dropdb -h 127.0.0.1 -U postgres --force "$DB" || true; rm -rf "$TMP"; }
trap cleanup EXIT
"$BIN" migrate >/dev/null
"$BIN" serve --worker=false >/dev/null 2>&1 & PID=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
page=$(curl -fs -c "$TMP/jar" "http://127.0.0.1:$PORT/login")
export TOKEN=$(sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' <<<"$page" | head -1)
export COOKIE=$(sed 's/^#HttpOnly_//' "$TMP/jar" | awk '!/^#/ && NF >= 7 {printf "%s%s=%s", sep, $6, $7; sep="; "}')
cat > "$TMP/login.lua" <<'LUA'
local n = 0
local token, cookie = os.getenv("TOKEN"), os.getenv("COOKIE")
request = function()
  n = n + 1
  local ip = string.format("10.%d.%d.%d", math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
  local headers = {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = cookie, ["X-Forwarded-For"] = ip}
  local body = "email=nobody" .. n .. "%40burst.example&password=wrong-password&_csrf=" .. token
  return wrk.format("POST", "/login", headers, body)
end
local threads = {}
setup = function(thread) table.insert(threads, thread) end
ok, bad, busy, other = 0, 0, 0, 0
response = function(status)
  if status == 401 then bad = bad + 1 elseif status == 503 then busy = busy + 1 elseif status < 400 then ok = ok + 1 else other = other + 1 end
end
done = function()
  local b, y, o = 0, 0, 0
  for _, t in ipairs(threads) do b = b + t:get("bad"); y = y + t:get("busy"); o = o + t:get("other") + t:get("ok") end
  io.write(string.format("COUNTS verified=%d busy=%d other=%d\n", b, y, o))
end
LUA
rss() { awk -v k="$1:" '$1 == k {print int($2 / 1024)}' "/proc/$PID/status"; }
before=$(rss VmRSS)
echo 5 > "/proc/$PID/clear_refs" 2>/dev/null || true
probe=$(curl -s -o /dev/null -w "%{http_code}" -H "Cookie: $COOKIE" -H "X-Forwarded-For: 10.255.255.255" \
  --data "email=probe%40burst.example&password=wrong-password&_csrf=$TOKEN" "http://127.0.0.1:$PORT/login")
[ "$probe" = 401 ] || { echo "a wrong sign-in answered $probe, not 401: the burst would measure something else" >&2; exit 1; }
out=$(wrk -t2 -c200 -d"$DUR" --latency -s "$TMP/login.lua" "http://127.0.0.1:$PORT/login" 2>&1)
peak=$(rss VmHWM)
counts=$(awk '/^COUNTS/ {print $2, $3, $4}' <<<"$out")
rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out"); p99=$(awk '$1=="99%" {print $2}' <<<"$out")
echo "RESULT bench=login-burst conns=200 secs=$DUR rss_before_mib=$before peak_rss_mib=$peak rps=$rps p99=$p99 $counts"
