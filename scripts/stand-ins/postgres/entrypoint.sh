#!/bin/bash
# The stand-in's entrypoint (Containerfile beside it): on the first start, a cluster in $PGDATA
# with POSTGRES_USER (password POSTGRES_PASSWORD, scram-sha-256 from the network, trust on the
# local socket) and POSTGRES_DB, as the official image makes them; then PostgreSQL as PID 1,
# listening on every address.
set -euo pipefail
if [ "${1:-}" != postgres ]; then exec "$@"; fi
shift
: "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
chmod 0700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  initdb --pgdata="$PGDATA" --username="$user" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
  # Socket only while the database is made: nothing connects before it exists.
  pg_ctl --pgdata="$PGDATA" --wait --silent --options="-c listen_addresses=''" start
  if [ "$db" != postgres ]; then
    psql --quiet --no-psqlrc --set=ON_ERROR_STOP=1 --username="$user" --dbname=postgres --set=db="$db" <<<'CREATE DATABASE :"db"'
  fi
  pg_ctl --pgdata="$PGDATA" --wait --silent --mode=fast stop
  echo "stand-in postgres: made role $user and database $db in $PGDATA"
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
