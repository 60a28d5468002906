#!/usr/bin/env bash
# What 'pgbox doctor --json' costs over 8 apps x 50 tables (goal <= 2 s, the whole command): every check,
# one server-wide query plus one query per database, pgbackrest info for the backup age. Beside it: the
# JVM floor ('pgbox --version') and the raw facts fetched by hand with psql (pg_stat_activity, locks,
# pg_stat_database; then per database its tables, indexes, constraints and sequences as JSON), one psql
# per query as a script would. Prints the ratio last. Usage: bench/doctor.sh [RUNS] [APPS] [TABLES]
source "$(dirname "$(readlink -f "$0")")/lib.sh"
RUNS=${1:-5}
APPS=${2:-8}
TABLES=${3:-50}
"$PGBOX" --help >/dev/null   # build the jar outside the timed runs

dir="$BENCH_TMP/pgbox"
port=$(free_port)
pgbox_project "$dir" "$port" POSTGRES_MEMORY=2GB PGBOX_SUPERVISOR=agent
"$PGBOX" --project "$dir" start >/dev/null 2>&1
sock=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["socket_dir"])' < <("$PGBOX" --project "$dir" status --json))
dbs=(app)
for i in $(seq 1 "$APPS"); do
  "$PGBOX" --project "$dir" app create "app$i" >/dev/null
  dbs+=("app$i")
  # TABLES tables, each with an identity key, a foreign key to the one before (no index: a finding), an
  # index on v (never scanned: a finding) and 200 rows
  psql_at "$sock" "$port" "app$i" <<<"SET ROLE app${i}_owner;
    CREATE TABLE t0 (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text);
    INSERT INTO t0 (v) SELECT 'v' || g FROM generate_series(1, 200) g;
    SELECT format('CREATE TABLE t%s (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, ref bigint REFERENCES t%s, v text);
                   CREATE INDEX ON t%s (v); INSERT INTO t%s (ref, v) SELECT g, ''v'' || g FROM generate_series(1, 200) g;',
                  n, n - 1, n, n) FROM generate_series(1, $((TABLES - 1))) n
\\gexec" >/dev/null
done
psql_at "$sock" "$port" postgres -c "ANALYZE" >/dev/null

by_hand() {
  psql_at "$sock" "$port" postgres -c "SELECT json_build_object('activity', (SELECT json_agg(a) FROM pg_stat_activity a),
      'blocking', (SELECT json_agg(pg_blocking_pids(pid)) FROM pg_stat_activity), 'db', (SELECT json_agg(d) FROM pg_stat_database d),
      'xid', (SELECT json_agg(age(datfrozenxid)) FROM pg_database), 'bgwriter', (SELECT row_to_json(b) FROM pg_stat_bgwriter b),
      'archiver', (SELECT row_to_json(a) FROM pg_stat_archiver a), 'replication', (SELECT json_agg(r) FROM pg_stat_replication r))" >/dev/null
  for db in "${dbs[@]}"; do
    psql_at "$sock" "$port" "$db" -c "SELECT json_build_object('tables', (SELECT json_agg(t) FROM pg_stat_user_tables t),
        'indexes', (SELECT json_agg(i) FROM pg_stat_user_indexes i JOIN pg_index USING (indexrelid)),
        'fks', (SELECT json_agg(c) FROM pg_constraint c WHERE contype = 'f'), 'sequences', (SELECT json_agg(s) FROM pg_sequences s))" >/dev/null
  done
}

"$PGBOX" --project "$dir" doctor --json > "$BENCH_TMP/report.json" || true
python3 - "$BENCH_TMP/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("report: %d findings (%d critical, %d warn, %d ok) over %d databases, doctor's own time %d ms"
      % (len(r["findings"]), r["critical"], r["warn"], r["ok"], len(r["databases"]), r["millis"]))
PY

d_pgbox=() d_inner=() v_pgbox=() d_hand=()
for i in $(seq 1 "$RUNS"); do
  t=$(now); "$PGBOX" --project "$dir" doctor --json > "$BENCH_TMP/run.json" || true; d_pgbox+=("$(elapsed "$t")")
  d_inner+=("$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["millis"] / 1000)' "$BENCH_TMP/run.json")")
  t=$(now); "$PGBOX" --version >/dev/null; v_pgbox+=("$(elapsed "$t")")
  t=$(now); by_hand; d_hand+=("$(elapsed "$t")")
  echo "run $i: pgbox doctor --json ${d_pgbox[-1]}s (checks ${d_inner[-1]}s, --version ${v_pgbox[-1]}s) / by hand ${d_hand[-1]}s"
done
dp=$(echo "${d_pgbox[*]}" | median); di=$(echo "${d_inner[*]}" | median); dv=$(echo "${v_pgbox[*]}" | median); dh=$(echo "${d_hand[*]}" | median)
echo
echo "median of $RUNS runs (seconds), $((APPS + 1)) databases x $TABLES tables, load average $(cut -d' ' -f1 /proc/loadavg)"
echo "doctor:     pgbox doctor --json ${dp}s (goal <= 2 s; of which the checks themselves ${di}s)"
echo "JVM start:  pgbox --version ${dv}s (part of every pgbox command)"
echo "by hand:    psql, one query server-wide + one per database, facts only, no checks ${dh}s"
echo "ratio doctor pgbox/by hand = $(ratio "$dp" "$dh")x"
