#!/usr/bin/env bash
# pgbench TPS straight to the server against through PgBouncer ('pgbox pool enable'), side by side in one
# run, at 50, 500 and 1,000 clients: pgbench's select-only script (-S) on scale SCALE as an app's login
# role, TLS both ways, the password from the environment (PGPASSWORD), never argv. The server's
# max_connections is about 100, so straight to it 500 and 1,000 clients fail to connect; through the pool
# they queue for a few server connections. Ratios pooled/direct print last.
# Usage: bench/pool.sh            (SCALE=10, PGBENCH_SECONDS=15, LEVELS="50 500 1000", REPEAT=1)
#        QUICK=1 bench/pool.sh    (PGBENCH_SECONDS=5)
source "$(dirname "$(readlink -f "$0")")/lib.sh"
SCALE=${SCALE:-10}
PGBENCH_SECONDS=${PGBENCH_SECONDS:-$([ "${QUICK:-0}" = 1 ] && echo 5 || echo 15)}
LEVELS=${LEVELS:-"50 500 1000"}
REPEAT=${REPEAT:-1}
"$PGBOX" --help >/dev/null

proj="$BENCH_TMP/pool"; port=$(free_port); bport=$(free_port)
pgbox_project "$proj" "$port" POSTGRES_MEMORY=8GB "PGBOUNCER_PORT=$bport" PGBOUNCER_MAX_CLIENT_CONN=1100
"$PGBOX" --project "$proj" start >/dev/null 2>&1
"$PGBOX" --project "$proj" app create bench --connection-limit 90 >/dev/null
"$PGBOX" --project "$proj" pool enable >/dev/null
sock="$proj/.pgbox/run"
max_conn=$(psql_at "$sock" "$port" postgres -c "SHOW max_connections")
# the tables belong to the app's owner role, as its migrations would make them
as_pg env PGOPTIONS="-c role=bench_owner" "$PGBIN/pgbench" -q -i -s "$SCALE" -h "$sock" -p "$port" -U postgres bench >/dev/null 2>&1
password=$(grep '^PGBOX_APP_BENCH_PASSWORD=' "$proj/.env.secrets" | cut -d= -f2-)
cert="$sock/server.crt"
pool_line=$(psql_at "$sock" "$bport" pgbouncer -c "SHOW DATABASES" 2>/dev/null | awk -F'|' '$1 == "bench" { print "pool_size " $6 " + reserve " $8 }' || true)
echo "server max_connections $max_conn · PgBouncer 127.0.0.1:$bport transaction pool bench: ${pool_line:-?}"

# run_pgbench WHO CLIENTS: prints TPS (without the initial connection time), or "failed: REASON"
run_pgbench() {
  local who=$1 clients=$2 at_port out
  # pgbench's -T clock runs while its clients connect (TLS + scram each); tps excludes that time, so the
  # run gets a second per 10 clients more to leave PGBENCH_SECONDS of queries
  at_port=$([ "$who" = direct ] && echo "$port" || echo "$bport")
  # 1,000 clients need more than 1,024 descriptors in pgbench; -j 2 for the 2 CPUs
  if out=$(PGPASSWORD="$password" PGSSLMODE=verify-full PGSSLROOTCERT="$cert" PGCONNECT_TIMEOUT=60 \
      prlimit --nofile=8192:8192 "$PGBIN/pgbench" -n -S -c "$clients" -j 2 -T "$((PGBENCH_SECONDS + clients / 10))" \
      -h 127.0.0.1 -p "$at_port" -U bench bench 2>&1); then
    tps=$(echo "$out" | awk '/^tps = / { print $3; exit }')
    conn=$(echo "$out" | awk '/^initial connection time = / { printf "%.1f", $5 / 1000; exit }')
    if [ -n "$tps" ]; then echo "$tps"; else echo "failed: no transaction done (its clients took longer to log in than the run)"; fi
    [ -z "$conn" ] || echo "  (logins of $clients clients took ${conn}s)" >&2
  else
    echo "failed: $(echo "$out" | grep -m1 -iE 'FATAL|error|abort' | sed 's/^pgbench: //' | cut -c1-120)"
  fi
}

declare -A TPS
for clients in $LEVELS; do
  for who in direct pooled; do
    runs=""
    for round in $(seq 1 "$REPEAT"); do
      r=$(run_pgbench "$who" "$clients")
      echo "pgbench -S $clients clients $who (round $round): $r"
      case "$r" in failed*) runs="failed"; TPS[$who,$clients]="$r"; break ;; *) runs+=" $r" ;; esac
    done
    [ "$runs" = failed ] || TPS[$who,$clients]=$(echo "$runs" | median)
  done
done

"$PGBOX" --project "$proj" pool status 2>/dev/null | head -3 || true
echo
echo "goal: pooled/direct >= 0.9x at 50 clients; at 500 and 1,000 direct fails or degrades, pooled holds"
for clients in $LEVELS; do
  d=${TPS[direct,$clients]} p=${TPS[pooled,$clients]}
  case "$d$p" in
    *failed*) echo "$clients clients: direct ${d} · pooled ${p}" ;;
    *) echo "$clients clients: direct $d tps · pooled $p tps · pooled/direct $(ratio "$p" "$d")x" ;;
  esac
done
