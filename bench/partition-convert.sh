#!/usr/bin/env bash
# 'pgbox partition convert' of a 1 M-row table (identity key, 3 columns, one secondary index, rows over
# 12 months) into monthly pg_partman partitions while a writer keeps inserting and updating (one psql
# session, ~100 writes/s, each statement timed): total time, copy time, the longest lock the swap held
# (goal < 1 s) and the writer's slowest statement. Beside it the baseline: the same rows copied the
# plain way into a new plain table (CREATE TABLE ... LIKE, INSERT ... SELECT, then the same index) with
# no writer, no trigger, no batches, no partitions: what the copy costs without pgbox's care. Prints the
# ratio last. Usage: bench/partition-convert.sh [ROWS] [BATCH_ROWS]
source "$(dirname "$(readlink -f "$0")")/lib.sh"
ROWS=${1:-1000000}
BATCH=${2:-10000}
"$PGBOX" --help >/dev/null   # build the jar outside the timed runs

dir="$BENCH_TMP/pgbox"
port=$(free_port)
pgbox_project "$dir" "$port" POSTGRES_MEMORY=2GB PGBOX_SUPERVISOR=agent
"$PGBOX" --project "$dir" start >/dev/null 2>&1
"$PGBOX" --project "$dir" app create shop >/dev/null
sock=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["socket_dir"])' < <("$PGBOX" --project "$dir" status --json))

psql_at "$sock" "$port" shop <<SQL >/dev/null
SET ROLE shop_owner;
CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind text NOT NULL, payload text,
                     created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO events (kind, payload, created_at)
  SELECT 'k' || (g % 20), repeat(md5(g::text), 2), now() - (g % 360) * interval '1 day' - (g % 86400) * interval '1 second'
  FROM generate_series(1, $ROWS) g;
CREATE INDEX events_kind_idx ON events (kind, created_at);
VACUUM ANALYZE events;
SQL
size=$(psql_at "$sock" "$port" shop -c "SELECT pg_size_pretty(pg_total_relation_size('events'))")
echo "table: $ROWS rows, $size with its indexes; batches of $BATCH rows"

# baseline: the plain copy, no writer
t=$(now)
psql_at "$sock" "$port" shop <<SQL >/dev/null
SET ROLE shop_owner;
CREATE TABLE events_plain (LIKE events INCLUDING DEFAULTS INCLUDING IDENTITY);
INSERT INTO events_plain OVERRIDING SYSTEM VALUE SELECT * FROM events;
ALTER TABLE events_plain ADD PRIMARY KEY (id);
CREATE INDEX ON events_plain (kind, created_at);
SQL
d_plain=$(elapsed "$t")
psql_at "$sock" "$port" shop -c "DROP TABLE events_plain" >/dev/null

# the writer: one session, an insert and an update by key every ~10 ms, each statement timed; it stops
# (end of its input) when the stop file appears
writer_log="$BENCH_TMP/writer.log"
stop="$BENCH_TMP/stop"
feed() {
  echo '\timing on'
  while [ ! -e "$stop" ]; do
    echo "INSERT INTO events (kind, payload) VALUES ('w', 'written during the convert');"
    echo "UPDATE events SET kind = 'u' WHERE id = $(( (RANDOM * 32768 + RANDOM) % ROWS + 1 ));"
    echo "SELECT pg_sleep(0.01);"
  done
}
as_pg "$PGBIN/psql" -X -q -h "$sock" -p "$port" -U postgres -d shop < <(feed) > "$writer_log" 2>&1 &
writer=$!
sleep 1

t=$(now)
"$PGBOX" --project "$dir" partition convert shop events --interval monthly --premake 3 --batch-rows "$BATCH" --json \
  > "$BENCH_TMP/convert.json" 2> "$BENCH_TMP/convert.err" || { cat "$BENCH_TMP/convert.err"; exit 1; }
d_pgbox=$(elapsed "$t")
sleep 1
touch "$stop"
wait "$writer" || true

read -r copy total lock tries rows parts counting < <(python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
print("%.2f %.2f %d %d %d %d %d" % (c["copy_seconds"], c["total_seconds"], c["swap_lock_millis"], c["swap_attempts"], c["rows"],
                                   c["partitions"], c["swap_count_millis"]))
' "$BENCH_TMP/convert.json")
writes=$(( $(grep -c '^Time:' "$writer_log" || true) / 3 ))
slowest=$(grep -o 'Time: [0-9.]* ms' "$writer_log" | awk '{ if ($2 > m) m = $2 } END { printf "%.0f", m }')
errors=$(grep -c 'ERROR' "$writer_log" || true)
check=$(psql_at "$sock" "$port" shop -c "SELECT (SELECT count(*) FROM events_pre_partition) || ' / ' || (SELECT count(*) FROM events)")

echo
echo "seconds, one run, load average $(cut -d' ' -f1 /proc/loadavg)"
echo "pgbox:    partition convert ${d_pgbox}s whole command (its own total ${total}s, of which the copy ${copy}s); $rows rows into $parts partitions"
echo "          swap lock held ${lock} ms on try $tries (goal < 1000 ms), of which counting both tables' rows ${counting} ms"
echo "          writer during the convert: $writes inserts and as many updates, slowest statement ${slowest} ms, $errors errors"
echo "          rows old / new after the writer stopped: $check"
echo "baseline: CREATE TABLE LIKE + INSERT SELECT + primary key + index ${d_plain}s (no writer, no partitions)"
echo "ratio convert pgbox/plain copy = $(ratio "$d_pgbox" "$d_plain")x"
