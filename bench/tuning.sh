#!/usr/bin/env bash
# Stock postgresql.conf (initdb defaults) vs pgbox's tuning for this machine, side by side in one run,
# on three workloads: pgbench read-write, an HNSW index build, a sort-heavy report. Ratios print last
# (> 1 means pgbox is faster). Both servers run on this machine, one workload at a time.
#
# Usage: bench/tuning.sh            full size: pgbench scale 100, 100k x 384-d vectors, 10M rows
#        SCALE=10 VECTORS=20000 ROWS=1000000 PGBENCH_SECONDS=20 bench/tuning.sh   a quick look
# pgbox runs with its defaults (POSTGRES_RAM_SHARE=50, profile web) unless PGBOX_ENV_LINES says more.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
SCALE=${SCALE:-100}
VECTORS=${VECTORS:-100000}
ROWS=${ROWS:-10000000}
PGBENCH_SECONDS=${PGBENCH_SECONDS:-60}
PGBENCH_CLIENTS=${PGBENCH_CLIENTS:-8}
REPEAT=${REPEAT:-3}
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
  echo "$who: $(psql_at "${SOCK[$who]}" "${PORT[$who]}" postgres -c "SELECT string_agg(name || '=' || current_setting(name), ' ' ORDER BY name) FROM pg_settings WHERE name IN ('shared_buffers','work_mem','maintenance_work_mem','max_parallel_maintenance_workers','max_parallel_workers_per_gather','random_page_cost')")"
  psql_at "${SOCK[$who]}" "${PORT[$who]}" postgres -c "CREATE DATABASE bench" -c "SELECT 1" >/dev/null
  psql_at "${SOCK[$who]}" "${PORT[$who]}" bench -c "CREATE EXTENSION IF NOT EXISTS vector" >/dev/null
done

# ---- 1. pgbench read-write (TPC-B-like), scale $SCALE
for who in stock pgbox; do
  t=$(now)
  as_pg "$PGBIN/pgbench" -q -i -s "$SCALE" -h "${SOCK[$who]}" -p "${PORT[$who]}" -U postgres bench >/dev/null 2>&1
  echo "pgbench init scale $SCALE on $who: $(elapsed "$t")s"
done
declare -A TPS=([stock]="" [pgbox]="")
for round in $(seq 1 "$REPEAT"); do
  for who in stock pgbox; do
    tps=$(as_pg "$PGBIN/pgbench" -c "$PGBENCH_CLIENTS" -j 2 -T "$PGBENCH_SECONDS" -h "${SOCK[$who]}" -p "${PORT[$who]}" -U postgres bench 2>/dev/null \
      | awk '/^tps/ { print $3; exit }')
    TPS[$who]="${TPS[$who]} $tps"
    echo "pgbench round $round $who: $tps tps"
  done
done
tps_stock=$(echo "${TPS[stock]}" | median); tps_pgbox=$(echo "${TPS[pgbox]}" | median)

# ---- 2. HNSW build, $VECTORS x 384-d, cosine
declare -A HNSW=()
for who in stock pgbox; do
  psql_at "${SOCK[$who]}" "${PORT[$who]}" bench -c "SELECT setseed(0.42)" -c "CREATE TABLE items (id int PRIMARY KEY, embedding vector(384))" \
    -c "INSERT INTO items SELECT i, (SELECT array_agg(random())::vector(384) FROM generate_series(1, 384) WHERE i > 0) FROM generate_series(1, $VECTORS) i" \
    -c "VACUUM ANALYZE items" >/dev/null
  t=$(now)
  psql_at "${SOCK[$who]}" "${PORT[$who]}" bench -c "CREATE INDEX items_hnsw ON items USING hnsw (embedding vector_cosine_ops)" 2>&1 | grep -v '^$' || true
  HNSW[$who]=$(elapsed "$t")
  echo "HNSW build $VECTORS x 384 on $who: ${HNSW[$who]}s"
done

# ---- 3. sort-heavy report over $ROWS rows
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

echo
echo "results (median of $REPEAT where repeated)"
echo "pgbench rw scale $SCALE, $PGBENCH_CLIENTS clients: stock $tps_stock tps · pgbox $tps_pgbox tps   (goal >= 0.97x)"
echo "HNSW build $VECTORS x 384:            stock ${HNSW[stock]}s · pgbox ${HNSW[pgbox]}s   (goal >= 3x)"
echo "sort-heavy report $ROWS rows:      stock ${sort_stock}s · pgbox ${sort_pgbox}s   (goal >= 1.3x)"
echo "ratio pgbench pgbox/stock = $(ratio "$tps_pgbox" "$tps_stock")x · HNSW stock/pgbox = $(ratio "${HNSW[stock]}" "${HNSW[pgbox]}")x · report stock/pgbox = $(ratio "$sort_stock" "$sort_pgbox")x"
