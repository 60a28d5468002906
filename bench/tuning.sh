#!/usr/bin/env bash
# Stock postgresql.conf (initdb defaults) vs pgbox's tuning for this machine, side by side in one run,
# on four workloads: a bulk load (pgbench -i, pgbox archiving its WAL through pgBackRest as it does by
# default), pgbench read-write, an HNSW index build, a sort-heavy report. Repeated workloads run
# interleaved (stock, pgbox, stock, pgbox, ...) so a busy neighbour slows both sides alike; medians count.
# Every ratio prints last, in one block, with its goal (> 1 means pgbox is faster).
#
# Usage: bench/tuning.sh            full size: scale 100, 100k x 384-d vectors, 10M rows, 3 rounds
#        SCALE=10 VECTORS=20000 ROWS=1000000 PGBENCH_SECONDS=20 REPEAT=3 bench/tuning.sh   a quick look
# REPEAT rounds for the bulk load, pgbench and the report; HNSW_REPEAT (default 1: a stock build at full
# size takes minutes) for the HNSW build. pgbox runs with its defaults (POSTGRES_RAM_SHARE=50, profile
# web) unless PGBOX_ENV_LINES says more.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
SCALE=${SCALE:-100}
VECTORS=${VECTORS:-100000}
ROWS=${ROWS:-10000000}
PGBENCH_SECONDS=${PGBENCH_SECONDS:-60}
PGBENCH_CLIENTS=${PGBENCH_CLIENTS:-8}
REPEAT=${REPEAT:-3}
HNSW_REPEAT=${HNSW_REPEAT:-1}
"$PGBOX" --help >/dev/null

stock="$BENCH_TMP/stock"; stock_port=$(free_port)
stock_init "$stock"; stock_start "$stock" "$stock_port"
proj="$BENCH_TMP/pgbox"; pgbox_port=$(free_port)
# shellcheck disable=SC2086
pgbox_project "$proj" "$pgbox_port" ${PGBOX_ENV_LINES:-}
"$PGBOX" --project "$proj" start >/dev/null
"$PGBOX" --project "$proj" tune --show | sed -n '1p'
declare -A SOCK=([stock]="$stock" [pgbox]="$proj/.pgbox/run")
declare -A PORT=([stock]="$stock_port" [pgbox]="$pgbox_port")
for who in stock pgbox; do
  echo "$who: $(psql_at "${SOCK[$who]}" "${PORT[$who]}" postgres -c "SELECT string_agg(name || '=' || current_setting(name), ' ' ORDER BY name) FROM pg_settings WHERE name IN ('shared_buffers','work_mem','maintenance_work_mem','max_parallel_maintenance_workers','max_parallel_workers_per_gather','random_page_cost','jit','parallel_tuple_cost','max_wal_size','data_checksums','archive_mode')")"
done

# ---- 1. bulk load: pgbench -i scale $SCALE into a fresh database each round; pgbox archives its WAL
# (archive_mode on, pgBackRest) as it runs by default. Before each round both servers checkpoint, and
# pgbox's archiver has caught up with the previous round, so no round pays for the one before.
archived_up_to_now() { # SOCK PORT: waits (at most 10 minutes) until every finished WAL file is archived
  local s=$1 p=$2 i
  for i in $(seq 1 3000); do
    [ "$(psql_at "$s" "$p" postgres -c "SELECT coalesce(last_archived_wal, '') >= pg_walfile_name(pg_current_wal_lsn() - 16777216) FROM pg_stat_archiver")" = t ] && return 0
    sleep 0.2
  done
  echo "pgbox's archiver did not catch up within 10 minutes" >&2
}
declare -A LOAD=([stock]="" [pgbox]="")
for round in $(seq 1 "$REPEAT"); do
  for who in stock pgbox; do
    psql_at "${SOCK[$who]}" "${PORT[$who]}" postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench" -c "CHECKPOINT" >/dev/null
    [ "$who" = pgbox ] && archived_up_to_now "${SOCK[$who]}" "${PORT[$who]}"
    t=$(now)
    as_pg "$PGBIN/pgbench" -q -i -s "$SCALE" -h "${SOCK[$who]}" -p "${PORT[$who]}" -U postgres bench >/dev/null 2>&1
    s=$(elapsed "$t"); LOAD[$who]="${LOAD[$who]} $s"
    extra=""
    if [ "$who" = pgbox ]; then
      archived_up_to_now "${SOCK[$who]}" "${PORT[$who]}"
      extra=" (its WAL archived $(elapsed "$t")s after the start)"
    fi
    echo "bulk load round $round $who: ${s}s$extra"
  done
done
load_stock=$(echo "${LOAD[stock]}" | median); load_pgbox=$(echo "${LOAD[pgbox]}" | median)
for who in stock pgbox; do
  psql_at "${SOCK[$who]}" "${PORT[$who]}" bench -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS vector" >/dev/null
done

# ---- 2. pgbench read-write (TPC-B-like) on the last round's data
declare -A TPS=([stock]="" [pgbox]="")
for round in $(seq 1 "$REPEAT"); do
  for who in stock pgbox; do
    tps=$(as_pg "$PGBIN/pgbench" -c "$PGBENCH_CLIENTS" -j 2 -T "$PGBENCH_SECONDS" -h "${SOCK[$who]}" -p "${PORT[$who]}" -U postgres bench 2>/dev/null \
      | awk '/^tps/ { print $3; exit }')
    TPS[$who]="${TPS[$who]} $tps"
    echo "pgbench round $round $who: $tps tps"
  done
done
tps_stock=$(echo "${TPS[stock]}" | median | awk '{ printf "%.1f", $1 }'); tps_pgbox=$(echo "${TPS[pgbox]}" | median | awk '{ printf "%.1f", $1 }')

# ---- 3. HNSW build, $VECTORS x 384-d, cosine ($HNSW_REPEAT rounds, interleaved)
declare -A HNSW=([stock]="" [pgbox]="")
for who in stock pgbox; do
  psql_at "${SOCK[$who]}" "${PORT[$who]}" bench -c "SELECT setseed(0.42)" -c "CREATE TABLE items (id int PRIMARY KEY, embedding vector(384))" \
    -c "INSERT INTO items SELECT i, (SELECT array_agg(random())::vector(384) FROM generate_series(1, 384) WHERE i > 0) FROM generate_series(1, $VECTORS) i" \
    -c "VACUUM ANALYZE items" >/dev/null
done
for round in $(seq 1 "$HNSW_REPEAT"); do
  for who in stock pgbox; do
    psql_at "${SOCK[$who]}" "${PORT[$who]}" bench -c "SET client_min_messages = warning" -c "DROP INDEX IF EXISTS items_hnsw" -c "CHECKPOINT" >/dev/null
    t=$(now)
    psql_at "${SOCK[$who]}" "${PORT[$who]}" bench -c "CREATE INDEX items_hnsw ON items USING hnsw (embedding vector_cosine_ops)" 2>&1 | grep -v '^$' || true
    s=$(elapsed "$t"); HNSW[$who]="${HNSW[$who]} $s"
    echo "HNSW build $VECTORS x 384 round $round on $who: ${s}s"
  done
done
hnsw_stock=$(echo "${HNSW[stock]}" | median); hnsw_pgbox=$(echo "${HNSW[pgbox]}" | median)

# ---- 4. sort-heavy report over $ROWS rows
declare -A SORT=([stock]="" [pgbox]="")
report="SELECT customer_id, count(*), sum(amount), percentile_disc(0.5) WITHIN GROUP (ORDER BY amount)
        FROM orders GROUP BY customer_id ORDER BY 3 DESC LIMIT 20"
for who in stock pgbox; do
  psql_at "${SOCK[$who]}" "${PORT[$who]}" bench -c "SELECT setseed(0.42)" \
    -c "CREATE TABLE orders AS SELECT i AS id, (random() * 200000)::int AS customer_id, round((random() * 1000)::numeric, 2) AS amount,
        now() - random() * interval '365 days' AS created_at FROM generate_series(1, $ROWS) i" -c "VACUUM ANALYZE orders" >/dev/null
done
for round in $(seq 1 "$REPEAT"); do
  for who in stock pgbox; do
    t=$(now)
    psql_at "${SOCK[$who]}" "${PORT[$who]}" bench -c "$report" >/dev/null
    s=$(elapsed "$t"); SORT[$who]="${SORT[$who]} $s"
    echo "report round $round $who: ${s}s"
  done
done
sort_stock=$(echo "${SORT[stock]}" | median); sort_pgbox=$(echo "${SORT[pgbox]}" | median)

# ---- every ratio last, in one block (> 1: pgbox is faster); a workload below 0.97x loses to stock
r_load=$(ratio "$load_stock" "$load_pgbox"); r_tps=$(ratio "$tps_pgbox" "$tps_stock")
r_hnsw=$(ratio "$hnsw_stock" "$hnsw_pgbox"); r_sort=$(ratio "$sort_stock" "$sort_pgbox")
# the bulk load's goal (0.8x: pgbox archives its WAL, stock does not) sits below the 0.97x line, so both show
verdict() { awk -v r="$1" -v g="$2" 'BEGIN { if (r == "n/a") print "n/a"; else if (r + 0 >= g && r + 0 >= 0.97) print "ok";
  else if (r + 0 >= g) print "goal met, below 0.97x"; else if (r + 0 < 0.97) print "LOSES to stock"; else print "below goal" }'; }
echo
echo "results: medians of $REPEAT rounds (HNSW: $HNSW_REPEAT), interleaved stock/pgbox; ratio > 1 = pgbox faster"
printf '%-44s %14s %14s %7s %8s  %s\n' workload stock pgbox ratio goal verdict
printf '%-44s %13ss %13ss %6sx %7s  %s\n' "bulk load pgbench -i -s $SCALE (pgbox archiving)" "$load_stock" "$load_pgbox" "$r_load" ">=0.8x" "$(verdict "$r_load" 0.8)"
printf '%-44s %10s tps %10s tps %6sx %7s  %s\n' "pgbench rw scale $SCALE, $PGBENCH_CLIENTS clients" "$tps_stock" "$tps_pgbox" "$r_tps" ">=0.97x" "$(verdict "$r_tps" 0.97)"
printf '%-44s %13ss %13ss %6sx %7s  %s\n' "HNSW build $VECTORS x 384" "$hnsw_stock" "$hnsw_pgbox" "$r_hnsw" ">=3x" "$(verdict "$r_hnsw" 3)"
printf '%-44s %13ss %13ss %6sx %7s  %s\n' "sort-heavy report $ROWS rows" "$sort_stock" "$sort_pgbox" "$r_sort" ">=1.3x" "$(verdict "$r_sort" 1.3)"
echo "no workload below 0.97x of stock: $(for r in "$r_load" "$r_tps" "$r_hnsw" "$r_sort"; do awk -v r="$r" 'BEGIN { if (r != "n/a" && r + 0 < 0.97) print "LOSES" }'; done | grep -q LOSES && echo NO || echo yes)"
