#!/usr/bin/env bash
# Time from SIGKILL of the postmaster (the OOM killer's way) to the first acknowledged write, under
# pgbench load: pgbox's supervision (systemd where it is PID 1, else the agent's watchdog) against a
# person's fastest reaction, a plain 'pg_ctl start' issued by a script the moment the kill is noticed
# (retried until it works, as a person would). Median of RUNS (default 5) kills each, side by side.
# Usage: bench/crash.sh [RUNS]
source "$(dirname "$(readlink -f "$0")")/lib.sh"
RUNS=${1:-5}
SCALE=${SCALE:-10}

pb=$BENCH_TMP/pgbox stock=$BENCH_TMP/stock
pport=$(free_port) sport=$(free_port)
pgbox_project "$pb" "$pport" "BACKUP_SCHEDULE=" "BACKUP_PHYSICAL_SCHEDULE=" "VERIFY_SCHEDULE=" "BACKUP_ARCHIVE=off"
"$PGBOX" --project "$pb" start >/dev/null 2>&1
stock_init "$stock"
stock_start "$stock" "$sport"

for side in pgbox stock; do
  if [ $side = pgbox ]; then sock=$pb/.pgbox/run port=$pport; else sock=$stock port=$sport; fi
  psql_at "$sock" "$port" postgres -c "CREATE TABLE IF NOT EXISTS acked (id bigserial PRIMARY KEY, at timestamptz DEFAULT now())"
  as_pg "$PGBIN/pgbench" -i -q -s "$SCALE" -h "$sock" -p "$port" postgres >/dev/null 2>&1
done

# kill_and_time SIDE: start pgbench, SIGKILL the postmaster, time until an INSERT commits
kill_and_time() {
  local side=$1 sock port data
  if [ "$side" = pgbox ]; then sock=$pb/.pgbox/run port=$pport data=$pb/.pgbox/data; else sock=$stock port=$sport data=$stock/data; fi
  as_pg "$PGBIN/pgbench" -c 4 -j 2 -T 60 -h "$sock" -p "$port" postgres >/dev/null 2>&1 &
  local bench=$!
  sleep 2
  local pid t0
  pid=$(head -1 "$data/postmaster.pid")
  t0=$(now)
  kill -9 "$pid"
  if [ "$side" = stock ]; then
    # a person's fastest reaction: pg_ctl start at once, again until it takes
    until as_pg "$PGBIN/pg_ctl" -D "$data" -l "$stock/server.log" -w -o "-c port=$port -c listen_addresses='' -c unix_socket_directories='$stock'" start >/dev/null 2>&1; do
      sleep 0.05
    done
  fi
  until psql_at "$sock" "$port" postgres -c "INSERT INTO acked DEFAULT VALUES" >/dev/null 2>&1; do sleep 0.02; done
  elapsed "$t0"
  kill "$bench" 2>/dev/null || true
  wait "$bench" 2>/dev/null || true
}

pgbox_times="" stock_times=""
for i in $(seq 1 "$RUNS"); do
  t=$(kill_and_time pgbox); pgbox_times="$pgbox_times $t"
  t=$(kill_and_time stock); stock_times="$stock_times $t"
  echo "run $i: pgbox ${t:+}$(echo "$pgbox_times" | awk '{print $NF}')s · manual pg_ctl start ${t}s" >&2
done
sup=$("$PGBOX" --project "$pb" status --json 2>/dev/null | sed -n 's/.*"supervisor" : "\([a-z]*\)".*/\1/p')
pm=$(echo "$pgbox_times" | median) sm=$(echo "$stock_times" | median)
echo "SIGKILL of the postmaster under pgbench (scale $SCALE, 4 clients) to the first acknowledged write, median of $RUNS:"
echo "  pgbox (${sup:-?} supervision, no command typed): ${pm}s   [$pgbox_times ]"
echo "  manual pg_ctl start the moment the kill is seen:  ${sm}s   [$stock_times ]"
echo "  goal: pgbox <= 3s and never more than 1s slower than the manual restart"
echo "ratio crash-to-write pgbox/manual = $(ratio "$pm" "$sm")x"
