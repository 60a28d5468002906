#!/usr/bin/env bash
# What the agent's watching costs the workload: pgbench TPS on a pgbox server with 8 apps while the
# agent collects metrics every 5 s (one psql per collection reading every database, the history
# written to pgbox.metric_samples, the doctor at its default interval), against the same server with
# the agent stopped. Runs alternate (on/off, then off/on) so drift hits both sides; the agent's own CPU
# time while on is read from /proc as a second, noise-free view. Ratio printed last (goal: overhead < 1 %).
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
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
agent_on() {
  "$PGBOX" --project "$dir" start >/dev/null 2>&1
  # wait for the first collection: the agent's JVM start is a one-off, not the steady cost measured here
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$mport/metrics" | grep -q '^pg_up 1' && return; sleep 0.2; done
  echo "the agent serves no metrics on $mport" >&2; exit 1
}
agent_off() {
  local pid
  pid=$(json agent_pid)
  [ -n "$pid" ] || return 0
  kill "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}
bench() { as_pg "$PGBIN/pgbench" -n -T "$SECS" -c "$CLIENTS" -j 2 -h "$sock" -p "$port" -U postgres app 2>/dev/null | awk '/^tps/ { print $3 }'; }

bench >/dev/null   # warm-up
on=() off=() pairs=() cpu=()
hz=$(getconf CLK_TCK)
for i in $(seq 1 "$RUNS"); do
  for side in $( [ $((i % 2)) -eq 1 ] && echo "on off" || echo "off on"); do
    if [ "$side" = on ]; then
      agent_on
      pid=$(json agent_pid); c0=$(cpu_ticks "$pid"); t0=$(now)
      on+=("$(bench)")
      cpu+=("$(awk -v a="$c0" -v b="$(cpu_ticks "$pid")" -v hz="$hz" -v t="$(elapsed "$t0")" 'BEGIN { printf "%.3f", 100 * (b - a) / hz / t }')")
    else
      agent_off
      off+=("$(bench)")
    fi
  done
  pairs+=("$(ratio4 "${on[-1]}" "${off[-1]}")")
  echo "run $i: agent on ${on[-1]} tps (agent CPU ${cpu[-1]} % of one core) · agent off ${off[-1]} tps · on/off ${pairs[-1]}"
done
agent_on
m=$(curl -sf "http://127.0.0.1:$mport/metrics")
collect=$(echo "$m" | awk '/^pgbox_metrics_collect_duration_seconds/ { print $2 }')
series=$(echo "$m" | grep -cv '^#')
rows=$(psql_at "$sock" "$port" postgres -c "SELECT count(*) FROM pgbox.metric_samples")
mo=$(echo "${on[*]}" | median); mf=$(echo "${off[*]}" | median); mp=$(echo "${pairs[*]}" | median); mc=$(echo "${cpu[*]}" | median)
echo
echo "median of $RUNS alternating runs of ${SECS}s, pgbench scale $SCALE, $CLIENTS clients, $APPS apps, metrics every $INTERVAL, $(nproc) cores"
echo "agent on:  ${mo} tps   agent off: ${mf} tps   agent CPU while on: ${mc} % of one core"
echo "one collection: ${collect}s, ${series} series served, ${rows} history rows so far"
echo "ratio on/off (median of pairs) = ${mp}x · overhead $(awk -v r="$mp" 'BEGIN { printf "%.2f", (1 - r) * 100 }') % (goal < 1 %)"
