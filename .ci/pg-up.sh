#!/usr/bin/env bash
# Make sure PostgreSQL answers on 127.0.0.1:5432 with trust auth for loopback
# TCP (what DATABASE_URL defaults to here). Already reachable: nothing to do.
# Installed but stopped: start it. Not installed: install it from Debian.
set -euo pipefail
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && psql -h 127.0.0.1 -U postgres -tAc 'select 1' >/dev/null 2>&1; then
  exit 0
fi
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "PostgreSQL is not reachable on 127.0.0.1:5432 and cannot be installed here: install PostgreSQL 15+ or set DATABASE_URL." >&2
    exit 1
  fi
  echo "installing PostgreSQL from Debian..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
V=$(ls /etc/postgresql | sort -V | tail -1)
HBA=/etc/postgresql/$V/main/pg_hba.conf
changed=
if grep -qE '^host\s+all\s+all\s+(127\.0\.0\.1/32|::1/128)\s+(scram-sha-256|md5)' "$HBA"; then
  sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)(scram-sha-256|md5)/\1trust/' "$HBA"
  changed=1
fi
if pg_isready -q -h 127.0.0.1; then
  [ -n "$changed" ] && pg_ctlcluster --skip-systemctl-redirect "$V" main reload
else
  pg_ctlcluster --skip-systemctl-redirect "$V" main start
fi
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 0.5; done
psql -h 127.0.0.1 -U postgres -tAc 'select 1' >/dev/null
echo "postgres $V up on 127.0.0.1:5432 (trust)"
