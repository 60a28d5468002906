#!/usr/bin/env bash
# Embedding throughput of pgbox's built-in model (all-MiniLM-L6-v2 quantized, batched: one ONNX run per
# batch of texts of similar length) beside LangChain4j's model class of the same model (embedAll: one ONNX
# run per text, a thread per CPU), in one JVM, on N offline texts: Debian package descriptions, the long
# ones of the installed packages (/var/lib/dpkg/status, 50-300 words) first, then short ones from
# 'apt-cache dumpavail' ("name: one line"). Prints texts/s (best of REPEAT runs) and texts per CPU second
# for both (the second is what to compare on a box shared with other work), how close the vectors are, and
# the ratio last. No server needed. Usage: bench/embed.sh [N] [REPEAT]
source "$(dirname "$(readlink -f "$0")")/lib.sh"
N=${1:-2000}
REPEAT=${2:-3}

corpus="$BENCH_TMP/texts.txt"
python3 - "$N" "$corpus" <<'EOF'
import random, re, subprocess, sys
n, out = int(sys.argv[1]), sys.argv[2]
texts = []
with open('/var/lib/dpkg/status', encoding='utf-8', errors='replace') as f:
    for block in f.read().split('\n\n'):
        name = re.search(r'^Package: (\S+)', block, re.M)
        desc = re.search(r'^Description: (.*(?:\n .*)*)', block, re.M)
        if name and desc:
            texts.append(name.group(1) + ': ' + re.sub(r'\s+', ' ', desc.group(1).replace('\n .\n', ' ')))
short, pkg = [], None
dump = subprocess.run(['apt-cache', 'dumpavail'], capture_output=True, text=True, check=True).stdout
for line in dump.split('\n'):
    if line.startswith('Package: '):
        pkg = line[9:]
    elif line.startswith('Description: ') and pkg:
        short.append(pkg + ': ' + line[13:])
random.Random(1).shuffle(short)
long_count = min(n, len(texts))
texts = (texts[:n] + short)[:n]
random.Random(2).shuffle(texts)
with open(out, 'w', encoding='utf-8') as f:
    f.write('\n'.join(texts) + '\n')
print(f"corpus: {len(texts)} texts, {long_count} of them long descriptions of installed packages, "
      f"{sum(len(t.split()) for t in texts) / len(texts):.0f} words on average")
EOF

cd "$BENCH_REPO"
mvn -B -q -Dstyle.color=never -DskipTests test-compile >"$BENCH_TMP/mvn.log" 2>&1 || { tail -40 "$BENCH_TMP/mvn.log" >&2; exit 1; }
cp_file="$BENCH_TMP/classpath"
mvn -B -q -Dstyle.color=never dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >"$BENCH_TMP/mvn.log" 2>&1 \
  || { tail -40 "$BENCH_TMP/mvn.log" >&2; exit 1; }
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
java -cp "$BENCH_REPO/target/test-classes:$BENCH_REPO/target/classes:$(cat "$cp_file")" \
  dev.pgbox.bench.EmbedBench "$corpus" "$REPEAT" 2> >(grep -v '^SLF4J' >&2)
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
