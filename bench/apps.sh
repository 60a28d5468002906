#!/usr/bin/env bash
# 'pgbox app create' for 8 apps beside the hand-made minimum (CREATE ROLE + CREATE DATABASE in one psql
# call per app), then 'pgbox security audit' and 'pgbox rls test' over 8 apps with 20 tenant tables
# each (2 tenants x 5 rows per table). Prints totals, and the create ratio last.
# Usage: bench/apps.sh [APPS] [TABLES]
source "$(dirname "$(readlink -f "$0")")/lib.sh"
APPS=${1:-8}
TABLES=${2:-20}
"$PGBOX" --help >/dev/null

proj="$BENCH_TMP/apps"; port=$(free_port)
pgbox_project "$proj" "$port" POSTGRES_MEMORY=4GB
"$PGBOX" --project "$proj" start >/dev/null 2>&1
sock="$proj/.pgbox/run"

t=$(now)
for i in $(seq 1 "$APPS"); do "$PGBOX" --project "$proj" app create "app$i" >/dev/null 2>&1; done
create_pgbox=$(elapsed "$t")
t=$(now)
for i in $(seq 1 "$APPS"); do
  psql_at "$sock" "$port" postgres -c "CREATE ROLE hand$i LOGIN PASSWORD 'x'" -c "CREATE DATABASE hand$i OWNER hand$i" >/dev/null
done
create_hand=$(elapsed "$t")
echo "app create x $APPS: pgbox ${create_pgbox}s (database, 3 roles, grants, default privileges, limits, secret) · by hand ${create_hand}s (role + database only)"

for i in $(seq 1 "$APPS"); do
  sql="SET ROLE app${i}_owner;"
  for j in $(seq 1 "$TABLES"); do
    sql+="CREATE TABLE t$j (id serial PRIMARY KEY, tenant_id uuid NOT NULL, body text);
          INSERT INTO t$j (tenant_id, body) SELECT t, 'row' FROM (VALUES ('11111111-1111-1111-1111-111111111111'::uuid),
            ('22222222-2222-2222-2222-222222222222'::uuid)) v(t), generate_series(1, 5);
          ALTER TABLE t$j ENABLE ROW LEVEL SECURITY; ALTER TABLE t$j FORCE ROW LEVEL SECURITY;
          CREATE POLICY pgbox_tenant_isolation ON t$j USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
          COMMENT ON POLICY pgbox_tenant_isolation ON t$j IS 'pgbox tenant column: tenant_id';
          CREATE INDEX ON t$j (tenant_id);"
  done
  psql_at "$sock" "$port" "app$i" -c "$sql" >/dev/null
done

t=$(now)
"$PGBOX" --project "$proj" security audit >/dev/null 2>&1 || true
audit=$(elapsed "$t")
t=$(now)
fails=0
for i in $(seq 1 "$APPS"); do
  "$PGBOX" --project "$proj" rls test "app$i" >/dev/null 2>&1 || fails=$((fails + 1))
done
rlstest=$(elapsed "$t")
echo "security audit over $APPS apps: ${audit}s"
echo "rls test over $APPS apps x $TABLES tables: ${rlstest}s total, $(awk -v a="$rlstest" -v n="$APPS" -v m="$TABLES" 'BEGIN { printf "%.0f", a * 1000 / (n * m) }') ms per table, $fails app(s) failing"
echo "totals: create ${create_pgbox}s + audit ${audit}s + rls test ${rlstest}s"
echo "ratio app create pgbox/by-hand = $(ratio "$create_pgbox" "$create_hand")x"
