#!/usr/bin/env bash
# What 'pgbox schema lint DIR' costs on 1,000 migration files (offline: parse with libpg_query, every rule),
# beside the same command on 1 file (the floor: JVM start, loading libpg_query) and 'cat' of the 1,000
# files (reading them). The per-file cost is (1,000 files - 1 file) / 999. Each file holds 6-10 varied
# statements: new tables, indexes with and without CONCURRENTLY, ALTER TABLE of every kind, updates,
# accept comments. Prints the ratio last. Usage: bench/schema-lint.sh [RUNS] [FILES]
source "$(dirname "$(readlink -f "$0")")/lib.sh"
RUNS=${1:-1}
FILES=${2:-1000}
"$PGBOX" --help >/dev/null   # build the jar outside the timed runs

dir="$BENCH_TMP/migrations"
one="$BENCH_TMP/one"
mkdir -p "$dir" "$one"
for i in $(seq 1 "$FILES"); do
  v=$(printf '%014d' "$i")
  case $((i % 5)) in
    0) body="CREATE TABLE t$i (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX t${i}_name ON t$i (name);
ALTER TABLE t$i ADD COLUMN note varchar(40);
INSERT INTO t$i (name) VALUES ('a'), ('b');
COMMENT ON TABLE t$i IS 'bench table $i';
CREATE TABLE c$i (id serial PRIMARY KEY, t_id bigint REFERENCES t$i, at timestamp);" ;;
    1) body="SET lock_timeout = '2s';
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_${i} ON orders (customer_id, created_at);
ALTER TABLE orders ADD COLUMN c$i text;
ALTER TABLE orders ALTER COLUMN c$i SET DEFAULT 'x';
-- pgbox-lint: accept ban-drop-column because old_c$i is unused since release $i
ALTER TABLE orders DROP COLUMN IF EXISTS old_c$i;
UPDATE orders SET status = 'done' WHERE id BETWEEN $i AND $((i + 1000));" ;;
    2) body="ALTER TABLE customers ADD CONSTRAINT customers_c$i CHECK (c$i IS NOT NULL) NOT VALID;
ALTER TABLE customers VALIDATE CONSTRAINT customers_c$i;
ALTER TABLE customers ALTER COLUMN c$i SET NOT NULL;
ALTER TABLE customers ALTER COLUMN d$i TYPE bigint;
ALTER TABLE customers ADD CONSTRAINT customers_f$i FOREIGN KEY (ref$i) REFERENCES orders (id);
CREATE UNIQUE INDEX customers_u$i ON customers (u$i);
DELETE FROM sessions WHERE expires_at < now() - interval '$i days';" ;;
    3) body="BEGIN;
CREATE TABLE p$i (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), payload jsonb, created_at timestamptz NOT NULL DEFAULT now()) PARTITION BY RANGE (created_at);
CREATE TABLE p${i}_2026 PARTITION OF p$i FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
ALTER TABLE events RENAME COLUMN old$i TO new$i;
ALTER TABLE events ADD COLUMN u$i uuid DEFAULT gen_random_uuid();
SELECT count(*) FROM events e JOIN p$i p ON p.id = e.id WHERE e.kind IN ('a', 'b') GROUP BY e.kind HAVING count(*) > 1;
COMMIT;" ;;
    4) body="SET statement_timeout = '5min';
CREATE OR REPLACE FUNCTION f$i(x int) RETURNS int LANGUAGE sql IMMUTABLE AS \$\$ SELECT x * $i \$\$;
CREATE VIEW v$i AS SELECT id, f$i(id::int) FROM orders WHERE status <> 'gone';
VACUUM (ANALYZE) orders;
REINDEX INDEX CONCURRENTLY orders_pkey;
GRANT SELECT ON v$i TO readonly;
DROP INDEX CONCURRENTLY IF EXISTS old_$i;
ALTER TABLE orders ADD COLUMN r$i int NOT NULL;" ;;
  esac
  printf '%s\n' "$body" > "$dir/${v}_step_$i.up.sql"
done
cp "$dir/$(printf '%014d' 2)_step_2.up.sql" "$one/"
stmts=$("$PGBOX" schema lint "$dir" --json --offline | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["statements"], len(r["findings"]), r["errors"], r["warnings"], r["accepted"])' || true)
read -r n_stmts n_find n_err n_warn n_acc <<<"$stmts"
echo "corpus: $FILES files, $(du -sh "$dir" | cut -f1), $n_stmts statements -> $n_find findings ($n_err errors, $n_warn warnings, $n_acc accepted)"

d_many=() d_one=() d_cat=()
for i in $(seq 1 "$RUNS"); do
  t=$(now); "$PGBOX" schema lint "$dir" --json --offline >/dev/null || true; d_many+=("$(elapsed "$t")")
  t=$(now); "$PGBOX" schema lint "$one" --json --offline >/dev/null || true; d_one+=("$(elapsed "$t")")
  t=$(now); cat "$dir"/*.sql >/dev/null; d_cat+=("$(elapsed "$t")")
  echo "run $i: $FILES files ${d_many[-1]}s / 1 file ${d_one[-1]}s / cat of $FILES files ${d_cat[-1]}s"
done
dm=$(echo "${d_many[*]}" | median); d1=$(echo "${d_one[*]}" | median); dc=$(echo "${d_cat[*]}" | median)
per=$(awk -v a="$dm" -v b="$d1" -v n="$FILES" 'BEGIN { printf "%.2f", (a - b) * 1000 / (n - 1) }')
echo
echo "median of $RUNS run(s) (seconds), load average $(cut -d' ' -f1 /proc/loadavg)"
echo "lint $FILES files: pgbox schema lint DIR --json ${dm}s ($n_stmts statements)"
echo "lint 1 file:       pgbox schema lint DIR --json ${d1}s (JVM start, libpg_query load)"
echo "read only:         cat of the $FILES files ${dc}s"
echo "per file:          ${per} ms (($FILES files - 1 file) / $((FILES - 1)))"
echo "ratio lint $FILES files / 1 file = $(ratio "$dm" "$d1")x"
