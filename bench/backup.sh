#!/usr/bin/env bash
# Physical backup and restore (pgBackRest, as pgbox runs it) beside logical ones (pg_dump -Fc and
# pg_restore) on the same ~1.5 GB database (pgbench scale 100), in one run; then a point-in-time
# restore of the whole cluster end to end. Ratios print last (> 1: pgBackRest is faster).
# Usage: bench/backup.sh [SCALE]
source "$(dirname "$(readlink -f "$0")")/lib.sh"
SCALE=${1:-100}
"$PGBOX" --help >/dev/null

proj="$BENCH_TMP/backup"; port=$(free_port)
pgbox_project "$proj" "$port" POSTGRES_MEMORY=8GB
"$PGBOX" --project "$proj" start >/dev/null 2>&1
sock="$proj/.pgbox/run"
conf="$proj/.pgbox/pgbackrest.conf"
t=$(now)
as_pg "$PGBIN/pgbench" -q -i -s "$SCALE" -h "$sock" -p "$port" -U postgres app >/dev/null 2>&1
echo "pgbench init scale $SCALE: $(elapsed "$t")s, database $(psql_at "$sock" "$port" app -c "SELECT pg_size_pretty(pg_database_size('app'))")"
psql_at "$sock" "$port" postgres -c "CHECKPOINT" >/dev/null

t=$(now); "$PGBOX" --project "$proj" db backup --physical --type=full >/dev/null 2>&1; phys_backup=$(elapsed "$t")
dump="$BENCH_TMP/app.dump"; touch "$dump"; chown postgres: "$dump"
t=$(now); as_pg "$PGBIN/pg_dump" -F c -f "$dump" -h "$sock" -p "$port" -U postgres app; dump_time=$(elapsed "$t")
as_pg "$PGBIN/pgbench" -c 4 -j 2 -T 10 -h "$sock" -p "$port" -U postgres app >/dev/null 2>&1
t=$(now); "$PGBOX" --project "$proj" db backup --physical --type=incr >/dev/null 2>&1; incr_backup=$(elapsed "$t")
echo "backup:  pgBackRest full ${phys_backup}s, incremental after 10s of pgbench ${incr_backup}s ($(du -sh "$proj/.pgbox/backup/repo" | cut -f1) repo) · pg_dump -Fc ${dump_time}s ($(du -h "$dump" | cut -f1))"

target="$BENCH_TMP/restore-physical"; mkdir -p "$target" && chown postgres: "$target" && chmod 700 "$target"
t=$(now); as_pg /usr/bin/pgbackrest --config="$conf" --stanza=main --pg1-path="$target" --type=immediate --target-action=promote \
  --archive-mode=off --log-level-console=warn restore; phys_restore=$(elapsed "$t")
psql_at "$sock" "$port" postgres -c "CREATE DATABASE restored TEMPLATE template0" >/dev/null
# pg_cron exists only in the main database, so its objects fail to restore elsewhere: that is expected
t=$(now); as_pg "$PGBIN/pg_restore" -h "$sock" -p "$port" -U postgres -d restored "$dump" 2>/dev/null || true
logical_restore=$(elapsed "$t")
echo "restore: pgBackRest (files into an empty data dir) ${phys_restore}s · pg_restore (load + indexes) ${logical_restore}s"
rm -rf "$target"
psql_at "$sock" "$port" postgres -c "DROP DATABASE restored" >/dev/null

psql_at "$sock" "$port" app -c "CREATE TABLE marker (v int)" -c "INSERT INTO marker VALUES (1)" >/dev/null
sleep 1
when=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
sleep 1
as_pg "$PGBIN/pgbench" -c 4 -j 2 -T 10 -h "$sock" -p "$port" -U postgres app >/dev/null 2>&1
t=$(now); "$PGBOX" --project "$proj" db restore --point-in-time="$when" --yes >/dev/null 2>&1; pitr=$(elapsed "$t")
echo "PITR end to end (archive last WAL, stop, restore --delta, replay 10s of pgbench, promote, incremental backup): ${pitr}s"
echo "ratio backup pg_dump/pgBackRest-full = $(ratio "$dump_time" "$phys_backup")x · pg_dump/pgBackRest-incr = $(ratio "$dump_time" "$incr_backup")x · ratio restore pg_restore/pgBackRest = $(ratio "$logical_restore" "$phys_restore")x"
