#!/usr/bin/env bash
# pgbox memory (issue 12) on a corpus every Debian machine has offline: the package descriptions of
# 'apt-cache dumpavail' (+ apt's Translation-en long descriptions when present), deduplicated, embedded
# in-process by the built-in model. Measures embedding texts/s; insert rows/s into a collection
# ('pgbox memory import', or JDBC batches while import is not built); recall@10 against exact
# neighbours (a sequential scan), QPS and p50/p95 at 1 and 4 clients for a default pgvector setup (HNSW
# m16/efc64, vector_cosine_ops, <=>, ef_search raised from 40 until it reaches pgbox's recall) beside
# pgbox's ('memory index' + 'memory tune --recall 0.95', emulated while those are not built); and the
# agent's HTTP API against raw JDBC. Parts whose piece is not built say so and are skipped or emulated.
# The corpus and its embeddings are cached in BENCH_CACHE, so only the first run pays for the model.
#
# Environment (all optional):
#   N             rows loaded (default: all, about 59k here)      QUERIES       held-out queries (500)
#   SECONDS       whole seconds per measured load (10)             WARMUP        warm-up seconds per load (2)
#   PARTS         embed,insert,query,api (default all; query and api load the rows first; 'embed' alone starts no server)
#   BATCH         texts per embed() call (256)                     EMBED_SAMPLE  texts timed when vectors are cached (2000)
#   RECALL        pgbox's recall target (0.95)                     TUNE_QUERIES  held-out texts of the emulated tune (200)
#   EXACT_CHECK   queries whose exact neighbours are also found by a sequential scan, to check the in-memory truth (20)
#   BENCH_CACHE   cache folder (/var/tmp/pgbox-bench)              PGBOX_ENV_LINES  extra .env lines for the pgbox project
# Usage: bench/memory.sh        e.g. N=5000 QUERIES=200 SECONDS=3 bench/memory.sh
# SECONDS is bash's own clock: read it first thing (a value from the environment, or about 0 when none was given)
MEASURE_SECONDS=${SECONDS_EACH:-$SECONDS}
[ "$MEASURE_SECONDS" -gt 0 ] 2>/dev/null || MEASURE_SECONDS=10
source "$(dirname "$(readlink -f "$0")")/lib.sh"
PARTS=${PARTS:-embed,insert,query,api}
[ "$(id -u)" -eq 0 ] || { echo "error: bench/memory.sh needs root (the server runs as the postgres OS user)" >&2; exit 1; }

cd "$BENCH_REPO"
# the jar, and the test classes the driver lives in
mvn -B -q -Dstyle.color=never -DskipTests package >"$BENCH_TMP/mvn.log" 2>&1 || { tail -40 "$BENCH_TMP/mvn.log" >&2; exit 1; }
cp_file="$BENCH_TMP/classpath"
mvn -B -q -Dstyle.color=never dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >"$BENCH_TMP/mvn.log" 2>&1 \
  || { tail -40 "$BENCH_TMP/mvn.log" >&2; exit 1; }

project=-
if [[ ",$PARTS," =~ ,(insert|query|api), ]]; then
  project="$BENCH_TMP/pgbox"
  # the agent supervises (no systemd unit left behind) and serves the HTTP API on its own free port
  # shellcheck disable=SC2086
  pgbox_project "$project" "$(free_port)" POSTGRES_MEMORY=4GB PGBOX_SUPERVISOR=agent "PGBOX_API_PORT=$(free_port)" ${PGBOX_ENV_LINES:-}
  "$PGBOX" --project "$project" start >"$BENCH_TMP/start.log" 2>&1 || { tail -40 "$BENCH_TMP/start.log" >&2; exit 1; }
  "$PGBOX" --project "$project" app create "${APP:-bench}" >"$BENCH_TMP/app.log" 2>&1 || { tail -40 "$BENCH_TMP/app.log" >&2; exit 1; }
fi

t0=$(now)
SECONDS_EACH="$MEASURE_SECONDS" PARTS="$PARTS" java -Xmx3g -cp "$BENCH_REPO/target/test-classes:$BENCH_REPO/target/classes:$(cat "$cp_file")" \
  -Dslf4j.provider=org.slf4j.nop.NOPServiceProvider dev.pgbox.bench.MemoryBench "$project" "$PGBOX" 2> >(grep -v "^SLF4J" >&2)
echo "whole run: $(elapsed "$t0") s (bench/memory.sh's driver; the build and pgbox start before it not counted)"
