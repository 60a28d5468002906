#!/usr/bin/env bash
# Cold start (fresh project: initdb, TLS, role, database, every extension) and warm restart of pgbox,
# each beside its hand-made baseline: initdb + pg_ctl start, and pg_ctl restart. Prints ratios last.
# Packages must be installed already (run ./pgbox install). Usage: bench/start.sh [RUNS]
source "$(dirname "$(readlink -f "$0")")/lib.sh"
RUNS=${1:-5}
"$PGBOX" --help >/dev/null   # build the jar outside the timed runs

cold_pgbox=() cold_stock=() warm_pgbox=() warm_stock=()
for i in $(seq 1 "$RUNS"); do
  p=$(free_port)
  t=$(now); stock_init "$BENCH_TMP/stock$i"; stock_start "$BENCH_TMP/stock$i" "$p"; cold_stock+=("$(elapsed "$t")")
  t=$(now); as_pg "$PGBIN/pg_ctl" -D "$BENCH_TMP/stock$i/data" -m fast -w restart >/dev/null; warm_stock+=("$(elapsed "$t")")
  stock_stop "$BENCH_TMP/stock$i"

  p=$(free_port)
  pgbox_project "$BENCH_TMP/pgbox$i" "$p" POSTGRES_MEMORY=4GB
  t=$(now); "$PGBOX" --project "$BENCH_TMP/pgbox$i" start >/dev/null 2>&1; cold_pgbox+=("$(elapsed "$t")")
  t=$(now); "$PGBOX" --project "$BENCH_TMP/pgbox$i" restart >/dev/null 2>&1; warm_pgbox+=("$(elapsed "$t")")
  "$PGBOX" --project "$BENCH_TMP/pgbox$i" stop >/dev/null
  echo "run $i: cold pgbox ${cold_pgbox[-1]}s / stock ${cold_stock[-1]}s · warm pgbox ${warm_pgbox[-1]}s / stock ${warm_stock[-1]}s"
done
cp=$(echo "${cold_pgbox[*]}" | median); cs=$(echo "${cold_stock[*]}" | median)
wp=$(echo "${warm_pgbox[*]}" | median); ws=$(echo "${warm_stock[*]}" | median)
echo
echo "median of $RUNS runs (seconds, whole commands)"
echo "cold start:   pgbox start ${cp}s (initdb, TLS, role, db, 9 extensions)  vs  initdb + pg_ctl start ${cs}s"
echo "warm restart: pgbox restart ${wp}s  vs  pg_ctl restart ${ws}s   (goal: pgbox warm <= 3s)"
echo "ratio cold pgbox/stock = $(ratio "$cp" "$cs")x · ratio warm pgbox/stock = $(ratio "$wp" "$ws")x"
