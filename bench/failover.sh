#!/usr/bin/env bash
# Failover times of a three-member pgbox HA cluster (Patroni + etcd, synchronous replication on), each
# member and its etcd member in its own network namespace, a writer recording every acknowledged id on
# a fourth "client" namespace: kill -9 of the leader's whole host (Patroni, PostgreSQL, etcd) to the
# first acknowledged write on the new leader (median of RUNS), planned switchover ('pgbox ha switchover'
# or patronictl) to the first write on the new leader, and the leader's cable pulled to the first write
# elsewhere (median of OTHER_RUNS each); every result also counts acknowledged ids missing on the new
# leader. pgbox's timings (PATRONI_TTL/LOOP_WAIT/RETRY_TIMEOUT 20/2/4, its defaults) against Patroni's
# defaults (30/10/10), in one run; ratios last. Reuses the failover test's Java harness (test class
# path). Needs root (ip netns). About 25 minutes with the defaults. Patroni 4 allows no ttl below 20 s: a
# lost node's lease runs out after ttl, so node loss and partition cannot fall below about ttl + loop_wait.
# Usage: bench/failover.sh [RUNS] [OTHER_RUNS]
source "$(dirname "$(readlink -f "$0")")/lib.sh"
RUNS=${1:-5}
OTHER_RUNS=${2:-3}
[ "$(id -u)" -eq 0 ] || { echo "error: bench/failover.sh needs root (network namespaces)" >&2; exit 1; }

cd "$BENCH_REPO"
# the jar, and the test classes the harness lives in
mvn -B -q -Dstyle.color=never -DskipTests package >"$BENCH_TMP/mvn.log" 2>&1 || { tail -40 "$BENCH_TMP/mvn.log" >&2; exit 1; }
cp_file="$BENCH_TMP/classpath"
mvn -B -q -Dstyle.color=never dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >"$BENCH_TMP/mvn.log" 2>&1 \
  || { tail -40 "$BENCH_TMP/mvn.log" >&2; exit 1; }
out="$BENCH_TMP/results.txt"
java -Dpgbox.jar="$BENCH_REPO/target/pgbox.jar" -cp "$BENCH_REPO/target/test-classes:$BENCH_REPO/target/classes:$(cat "$cp_file")" \
  dev.pgbox.it.FailoverBench "$RUNS" "$OTHER_RUNS" pgbox=20/2/4 patroni=30/10/10 2>"$BENCH_TMP/harness.err" | tee "$out" \
  || { tail -60 "$BENCH_TMP/harness.err" >&2; exit 1; }

# secs KIND PROFILE: the seconds of each run; lost KIND PROFILE: the acknowledged ids missing, summed
secs() { awk -v k="$1" -v p="$2" '$1 == "RESULT" && $2 == k && $3 == p { print $4 }' "$out" | tr '\n' ' '; }
lost() { awk -v k="$1" -v p="$2" '$1 == "RESULT" && $2 == k && $3 == p { sub("lost=", "", $5); n += $5 } END { print n + 0 }' "$out"; }

echo
echo "seconds from the event to the first acknowledged write on the new leader (median; each run; acknowledged ids lost)"
for kind in node_loss switchover partition; do
  for profile in pgbox patroni; do
    t=$(secs "$kind" "$profile")
    printf '%-11s %-8s median %6ss   runs: %s  lost: %s\n' "$kind" "$profile" "$(echo "$t" | median)" "$t" "$(lost "$kind" "$profile")"
  done
done
echo
for kind in node_loss switchover partition; do
  p=$(secs "$kind" pgbox | median); d=$(secs "$kind" patroni | median)
  echo "ratio $kind pgbox 20/2/4 / Patroni defaults 30/10/10 = $(ratio "$p" "$d")x"
done
