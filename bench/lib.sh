# Shared helpers for pgbox benchmarks: a stock PostgreSQL cluster (initdb defaults) as the baseline,
# a pgbox project, and timing. Source it; needs root (servers run as the postgres OS user).
set -euo pipefail
BENCH_REPO="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
PGBOX="$BENCH_REPO/pgbox"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
BENCH_TMP="$(mktemp -d /tmp/pgbox-bench-XXXXXX)"
chmod 755 "$BENCH_TMP"

as_pg() { runuser -u postgres -- "$@"; }

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

free_port() {
  local p
  while :; do
    p=$(shuf -i 20000-60000 -n 1)
    (echo >/dev/tcp/127.0.0.1/"$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# stock_init DIR PORT: initdb with the distribution's defaults (peer on the socket), nothing tuned
stock_init() {
  local dir=$1
  mkdir -p "$dir" && chown postgres: "$dir"
  as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres --auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
}
stock_start() {
  local dir=$1 port=$2
  as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "-c port=$port -c listen_addresses='' -c unix_socket_directories='$dir'" start >/dev/null
}
stock_stop() { as_pg "$PGBIN/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null 2>&1 || true; }

# pgbox_project DIR PORT [EXTRA .env LINES...]: a pgbox project with pgbox's defaults for this machine
pgbox_project() {
  local dir=$1 port=$2
  shift 2
  mkdir -p "$dir" && chmod 755 "$dir"
  printf 'POSTGRES_PORT=%s\n' "$port" > "$dir/.env.dev"
  for line in "$@"; do printf '%s\n' "$line" >> "$dir/.env.dev"; done
}

# psql_at SOCKETDIR PORT DB [psql args...]: superuser psql over the socket
psql_at() {
  local sock=$1 port=$2 db=$3
  shift 3
  as_pg "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U postgres -d "$db" "$@"
}

bench_cleanup() {
  for d in "$BENCH_TMP"/*/; do
    [ -f "$d/data/postmaster.pid" ] && stock_stop "$d"
    [ -f "$d/.env.dev" ] && "$PGBOX" --project "$d" stop >/dev/null 2>&1 || true
  done
  rm -rf "$BENCH_TMP"
}
trap bench_cleanup EXIT
