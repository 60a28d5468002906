#!/usr/bin/env bash
# What the reshaped core costs a user per command: 'pgbox status --json' (server, live SQL facts,
# supervision, backups and archiver, apps, every component's health) and 'pgbox db query --app A
# --owner' (TLS login as the app, running as its owner role), each beside the same facts fetched by
# hand: pg_ctl status + one psql query + pgbackrest info, and psql with the owner URL. Most of pgbox's
# side is the JVM starting (compare 'pgbox --version'). Prints ratios last. Usage: bench/status.sh [RUNS] [APPS]
source "$(dirname "$(readlink -f "$0")")/lib.sh"
RUNS=${1:-7}
APPS=${2:-8}
"$PGBOX" --help >/dev/null   # build the jar outside the timed runs

dir="$BENCH_TMP/pgbox"
port=$(free_port)
pgbox_project "$dir" "$port" POSTGRES_MEMORY=2GB
"$PGBOX" --project "$dir" start >/dev/null 2>&1
"$PGBOX" --project "$dir" status --json >/dev/null
for i in $(seq 1 "$APPS"); do "$PGBOX" --project "$dir" app create "app$i" >/dev/null; done
sock=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["socket_dir"])' < <("$PGBOX" --project "$dir" status --json))
data=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["data_dir"])' < <("$PGBOX" --project "$dir" status --json))
conf="$(dirname "$data")/pgbackrest.conf"
owner_url=$("$PGBOX" --project "$dir" app url app1 --owner | awk '/^libpq|postgresql:\/\//{for(i=1;i<=NF;i++) if ($i ~ /^postgresql:\/\//) print $i}' | head -1)
password=$(grep '^PGBOX_APP_APP1_PASSWORD=' "$dir/.env.secrets" | cut -d= -f2-)

by_hand_status() {
  as_pg "$PGBIN/pg_ctl" -D "$data" status >/dev/null
  psql_at "$sock" "$port" postgres -c "SELECT current_setting('server_version'), pg_postmaster_start_time(),
      (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'), current_setting('max_connections'),
      pg_is_in_recovery(), current_setting('ssl'), (SELECT json_agg(json_build_object('db', datname, 'bytes', pg_database_size(datname)))
      FROM pg_database WHERE NOT datistemplate), (SELECT row_to_json(a) FROM pg_stat_archiver a)" >/dev/null
  as_pg pgbackrest --config="$conf" --stanza=main --output=json info >/dev/null
}

st_pgbox=() st_hand=() q_pgbox=() q_hand=() v_pgbox=()
for i in $(seq 1 "$RUNS"); do
  t=$(now); "$PGBOX" --project "$dir" status --json >/dev/null; st_pgbox+=("$(elapsed "$t")")
  t=$(now); "$PGBOX" --version >/dev/null; v_pgbox+=("$(elapsed "$t")")
  t=$(now); by_hand_status; st_hand+=("$(elapsed "$t")")
  t=$(now); "$PGBOX" --project "$dir" db query --app app1 --owner "SELECT current_user" >/dev/null; q_pgbox+=("$(elapsed "$t")")
  t=$(now); PGPASSWORD="$password" "$PGBIN/psql" -X -q -At "$owner_url" -c "SELECT current_user" >/dev/null; q_hand+=("$(elapsed "$t")")
  echo "run $i: status pgbox ${st_pgbox[-1]}s (--version ${v_pgbox[-1]}s) / by hand ${st_hand[-1]}s · query --owner pgbox ${q_pgbox[-1]}s / psql ${q_hand[-1]}s"
done
sp=$(echo "${st_pgbox[*]}" | median); sv=$(echo "${v_pgbox[*]}" | median); sh=$(echo "${st_hand[*]}" | median)
qp=$(echo "${q_pgbox[*]}" | median); qh=$(echo "${q_hand[*]}" | median)
echo
echo "median of $RUNS runs (seconds, whole commands), $APPS apps"
echo "status:         pgbox status --json ${sp}s (every component's health, backups, apps)  vs  pg_ctl status + psql + pgbackrest info ${sh}s"
echo "JVM start:      pgbox --version ${sv}s (part of every pgbox command)"
echo "owner query:    pgbox db query --app app1 --owner ${qp}s  vs  psql with the owner URL ${qh}s"
echo "ratio status pgbox/by hand = $(ratio "$sp" "$sh")x · ratio query pgbox/psql = $(ratio "$qp" "$qh")x"
