#!/usr/bin/env bash
# What the agent's watching costs the workload: pgbench TPS on a pgbox server with 8 apps while the
# agent collects metrics every 5 s (one psql per collection reading every database, the history
# written to pgbox.metric_samples, the doctor at its default interval), against the same server with
# the agent paused (SIGSTOP: off, yet its JVM stays warm, so the "on" runs measure the steady cost and
# not a JVM start). Runs alternate (on/off, then off/on) so drift hits both sides. Two more views less
# noisy than TPS on a shared box: the agent's CPU while on (its JVM and its psql children, from /proc)
# and the server's time per collection (pg_stat_statements), summed into an estimated share of the
# machine. Ratio printed last (goal: overhead < 1 %).
# Usage: bench/observe.sh [RUNS] [SECONDS]   (env: SCALE, CLIENTS, APPS, INTERVAL)
source "$(dirname "$(readlink -f "$0")")/lib.sh"
RUNS=${1:-6}
SECS=${2:-30}
SCALE=${SCALE:-10}
CLIENTS=${CLIENTS:-4}
APPS=${APPS:-8}
INTERVAL=${INTERVAL:-5s}
"$PGBOX" --help >/dev/null   # build the jar outside the timed runs

dir="$BENCH_TMP/pgbox"
port=$(free_port)
mport=$(free_port)
pgbox_project "$dir" "$port" POSTGRES_MEMORY=2GB PGBOX_SUPERVISOR=agent BACKUP_ARCHIVE=off BACKUP_SCHEDULE= \
  BACKUP_PHYSICAL_SCHEDULE= VERIFY_SCHEDULE= PGBOX_METRICS_INTERVAL="$INTERVAL" PGBOX_METRICS_PORT="$mport"
"$PGBOX" --project "$dir" start >/dev/null 2>&1
for i in $(seq 1 "$APPS"); do "$PGBOX" --project "$dir" app create "app$i" >/dev/null 2>&1; done
json() { "$PGBOX" --project "$dir" status --json | python3 -c "import json,sys; print(json.load(sys.stdin).get('$1', ''))"; }
sock=$(json socket_dir)
as_pg "$PGBIN/pgbench" -q -i -s "$SCALE" -h "$sock" -p "$port" -U postgres app >/dev/null 2>&1

# on/off with 4 decimals: the effect looked for is below 1 %
ratio4() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.4f", a / b }'; }
# the agent's CPU ticks: its own and its waited-for children's (the psql of every collection)
cpu_ticks() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
"$PGBOX" --project "$dir" start >/dev/null 2>&1
agent=$(json agent_pid)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$mport/metrics" | grep -q '^pg_up 1' && break; sleep 0.2; done
agent_on() { kill -CONT "$agent"; }
agent_off() { kill -STOP "$agent"; }
trap 'kill -CONT "$agent" 2>/dev/null; bench_cleanup' EXIT
bench() { as_pg "$PGBIN/pgbench" -n -T "$SECS" -c "$CLIENTS" -j 2 -h "$sock" -p "$port" -U postgres app 2>/dev/null | awk '/^tps/ { print $3 }'; }

bench >/dev/null   # warm-up, the agent on
on=() off=() pairs=() cpu=()
hz=$(getconf CLK_TCK)
for i in $(seq 1 "$RUNS"); do
  for side in $( [ $((i % 2)) -eq 1 ] && echo "on off" || echo "off on"); do
    if [ "$side" = on ]; then
      agent_on
      c0=$(cpu_ticks "$agent"); t0=$(now)
      on+=("$(bench)")
      cpu+=("$(awk -v a="$c0" -v b="$(cpu_ticks "$agent")" -v hz="$hz" -v t="$(elapsed "$t0")" 'BEGIN { printf "%.3f", 100 * (b - a) / hz / t }')")
    else
      agent_off
      off+=("$(bench)")
    fi
  done
  pairs+=("$(ratio4 "${on[-1]}" "${off[-1]}")")
  echo "run $i: agent on ${on[-1]} tps (agent CPU ${cpu[-1]} % of one core) · agent off ${off[-1]} tps · on/off ${pairs[-1]}"
done
m=$(curl -sf "http://127.0.0.1:$mport/metrics")
collect=$(echo "$m" | awk '/^pgbox_metrics_collect_duration_seconds/ { print $2 }')
series=$(echo "$m" | grep -cv '^#')
rows=$(psql_at "$sock" "$port" postgres -c "SELECT count(*) FROM pgbox.metric_samples")
# the server's side of a collection (the agent's CPU above does not include it): pg_stat_statements
stmt_ms=$(psql_at "$sock" "$port" app -c "SELECT round((sum(total_exec_time + total_plan_time) / sum(calls))::numeric, 2)
  FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = 'postgres' AND s.query LIKE 'WITH db AS%'")
every=$(awk -v i="$INTERVAL" 'BEGIN { n = i + 0; if (i ~ /ms$/) n /= 1000; else if (i ~ /min$/) n *= 60; print n }')
mo=$(echo "${on[*]}" | median); mf=$(echo "${off[*]}" | median); mp=$(echo "${pairs[*]}" | median); mc=$(echo "${cpu[*]}" | median)
echo
echo "median of $RUNS alternating runs of ${SECS}s, pgbench scale $SCALE, $CLIENTS clients, $APPS apps, metrics every $INTERVAL, $(nproc) cores"
echo "agent on:  ${mo} tps   agent off: ${mf} tps   agent CPU while on: ${mc} % of one core"
echo "one collection: ${collect}s wall (agent side), ${stmt_ms} ms in the server (mean); ${series} series served, ${rows} history rows so far"
echo "estimated share of the machine: $(awk -v c="$mc" -v s="$stmt_ms" -v e="$every" -v n="$(nproc)" 'BEGIN { printf "%.2f", (c + 100 * s / 1000 / e) / n }') % (agent CPU + server time per collection, over $(nproc) cores)"
echo "ratio on/off (median of pairs) = ${mp}x · overhead $(awk -v r="$mp" 'BEGIN { printf "%.2f", (1 - r) * 100 }') % (goal < 1 %)"
