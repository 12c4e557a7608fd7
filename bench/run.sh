#!/usr/bin/env bash
# The JVM backend side by side with the peers (their suite in PEERS_DIR), on this machine, back to back:
#   1. build the bench module (offline),
#   2. dlc's workloads for each thread count, one JVM per count (bench/target/results/dlc.txt),
#   3. the peers' run.sh (DJL/PyTorch and DL4J, same workloads, same timing method) in a writable
#      copy of the peers folder (bench/target/peers; its first build needs Maven Central),
#   4. compile time of every examples/*.dl, one fresh JVM per file (compile.txt), and the size of
#      the jar `dlc compile` makes for the MLPs where that command exists (jar.txt),
#   5. GemmBench where it exists (gemm.txt),
#   6. one table: dlc vs PyTorch, ONNX Runtime and DL4J per workload/metric/threads, with ratios and
#      each workload's share of the 512^3 GEMM rate measured in step 5, then dlc's speed-up from one
#      thread to each larger count (table.md).
#
# Knobs (env): THREADS="1 2"  WORKLOADS=mlp,cnn,lstm  QUICK=1 (short timings, both sides)
#   SKIP_BUILD=1  SKIP_PEERS=1 (reuse bench/target/peers/results.txt)  SKIP_COMPILE=1
#   PEERS_DIR=path/to/peers  JAVA=java  CHECK=0 (skip the compiled-vs-interpreter check)
#   PEERS="djl-pytorch onnxruntime" (passed to the peers' run.sh; its default also runs DL4J, the slowest)
#   WEIGHTS_DTYPE=bf16|int8 (the MLP inference workloads' matmul weights stored narrow, as
#   dlc compile --weights-dtype; metric names unchanged, so the table sets them against the peers' f32)
#   BUSY=1 (one busy-looping process beside dlc's runs: the "a core is busy" case, where two threads
#   must be no slower than one; the table's scaling rows then compare that, not an idle machine)
#   PEERS_EXTRA="old-results.txt old-detail.txt" (earlier peer results for the table, e.g. DL4J's;
#   the fresh peer results override them where both have a figure)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/bench/target/results
THREADS=${THREADS:-"1 2"}
WORKLOADS=${WORKLOADS:-mlp,cnn,lstm}
JAVA=${JAVA:-java}
JVM=(--add-modules jdk.incubator.vector -Xms1g -Xmx4g)
# IncrementalInlineForceCleanup, on JDK 17-24: without it C2 sometimes leaves vector intrinsics as calls
# and the kernels box every vector (docs/jvm-backend.md, "C2 and the Vector API"); as ./dlc does
JAVA_MAJOR="$("$JAVA" -version 2>&1 | sed -nE '1s/.*version "(1\.)?([0-9]+).*/\2/p')"
if [[ -z "$JAVA_MAJOR" ]] || (( JAVA_MAJOR < 25 )); then
  JVM+=(-XX:+UnlockDiagnosticVMOptions -XX:+IncrementalInlineForceCleanup)
fi
CP="$ROOT/bench/target/classes:$ROOT/bench/target/lib/*"
TIMING=()
[[ -n "${QUICK:-}" ]] && TIMING=(-Dbench.warmupSec=0.5 -Dbench.minSec=1 -Dbench.maxSec=3)
[[ -n "${WEIGHTS_DTYPE:-}" ]] && TIMING+=(-Dbench.weightsDtype="$WEIGHTS_DTYPE")

if [[ -z "${PEERS_DIR:-}" ]]; then
  for d in "$ROOT/../shared/peers" "$ROOT/../../shared/peers" /work/shared/peers; do
    [[ -f "$d/run.sh" ]] && { PEERS_DIR=$(cd "$d" && pwd); break; }
  done
fi

if [[ -z "${SKIP_BUILD:-}" ]]; then
  mvn -o -q -pl bench -am -DskipTests package
fi
mkdir -p "$OUT"

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $("$JAVA" -version 2>&1 | head -1)"
echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg)"

# 2. dlc
: > "$OUT/dlc.txt"
busy_pid=
if [[ -n "${BUSY:-}" ]]; then
  bash -c 'while :; do :; done' &
  busy_pid=$!
  trap 'kill "$busy_pid" 2>/dev/null || true' EXIT
  echo "== BUSY=1: a busy loop (pid $busy_pid) runs beside dlc's workloads"
fi
for t in $THREADS; do
  check=()
  [[ "$t" == "1" && "${CHECK:-1}" != "0" ]] && check=(--check)
  "$JAVA" "${JVM[@]}" -Ddlc.threads="$t" "${TIMING[@]}" -cp "$CP" dlc.bench.Workloads "$t" "$WORKLOADS" "${check[@]}" \
    2> "$OUT/dlc-t$t.log" | tee -a "$OUT/dlc.txt" \
    || echo "== dlc workloads with $t thread(s) exited with an error: a failed check (% check FAIL) or see $OUT/dlc-t$t.log"
  echo "== load after dlc with $t thread(s): $(cut -d' ' -f1-3 /proc/loadavg)"   # the scaling table needs an idle machine
done
if [[ -n "$busy_pid" ]]; then kill "$busy_pid" 2>/dev/null || true; busy_pid=; fi

# 3. peers, in a writable copy (the shared folder may be read-only; its target/ is kept between runs)
if [[ -z "${SKIP_PEERS:-}" ]]; then
  [[ -n "${PEERS_DIR:-}" ]] || { echo "no peers folder found; set PEERS_DIR" >&2; exit 1; }
  work=$ROOT/bench/target/peers
  mkdir -p "$work"
  cp -r "$PEERS_DIR"/pom.xml "$PEERS_DIR"/src "$PEERS_DIR"/run.sh "$PEERS_DIR"/README.md "$work"/
  chmod -R u+w "$work"
  (cd "$work" && THREADS="$THREADS" WORKLOADS="$WORKLOADS" JAVA="$JAVA" bash ./run.sh)
fi
PEERS_RESULTS=$ROOT/bench/target/peers/results.txt
PEERS_DETAIL=$ROOT/bench/target/peers/results-detail.txt

# 4. compile times (a fresh JVM per example: the figure `dlc compile` users see) and jar sizes
if [[ -z "${SKIP_COMPILE:-}" ]]; then
  # default JIT, and C1 only (-XX:TieredStopAtLevel=1: no C2 compiler threads competing for the
  # cores during a run of a second or two, which is what a one-shot `dlc compile` is)
  : > "$OUT/compile.txt"
  : > "$OUT/compile-c1.txt"
  for f in examples/*.dl; do
    "$JAVA" "${JVM[@]}" -cp "$CP" dlc.bench.CompileTimes "$f" 2>/dev/null | tee -a "$OUT/compile.txt" || true
    "$JAVA" "${JVM[@]}" -XX:TieredStopAtLevel=1 -cp "$CP" dlc.bench.CompileTimes "$f" 2>/dev/null >> "$OUT/compile-c1.txt" || true
  done
  : > "$OUT/jar.txt"
  if ./dlc compile --help >/dev/null 2>&1; then
    for f in examples/mlp.dl examples/mlp_fashion.dl bench/src/main/resources/bench/mlp.dl; do
      jar="$OUT/$(basename "$f" .dl).jar"
      if ./dlc compile "$f" -o "$jar" >/dev/null 2>"$OUT/jar.err"; then
        echo "jar $f $(stat -c %s "$jar") bytes" | tee -a "$OUT/jar.txt"
      else
        echo "jar $f FAILED $(head -c 300 "$OUT/jar.err" | tr '\n' ' ')" | tee -a "$OUT/jar.txt"
      fi
    done
  else
    echo "jar: no 'dlc compile' command in this build" | tee -a "$OUT/jar.txt"
  fi
fi

# 5. GEMM GFLOPS (the GEMM helper's harness), where it exists
if [[ -f bench/target/classes/dlc/bench/GemmBench.class ]]; then
  # it sweeps 1 and all cores itself, vector and scalar micro-kernels, best of 5 rounds per case
  "$JAVA" "${JVM[@]}" -cp "$CP" dlc.bench.GemmBench 2>&1 | tee "$OUT/gemm.txt"
fi

echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
# 6. the table
peer_files=()
for f in "$PEERS_RESULTS" "$PEERS_DETAIL"; do [[ -f "$f" ]] && peer_files+=("$f"); done
cp "${peer_files[@]}" "$OUT"/ 2>/dev/null || true
[[ -s "$OUT/gemm.txt" ]] && peer_files+=("$OUT/gemm.txt")   # the GEMM limit column
# shellcheck disable=SC2086  # PEERS_EXTRA is a list of files
"$JAVA" -cp "$CP" dlc.bench.Table "$OUT/dlc.txt" ${PEERS_EXTRA:-} "${peer_files[@]}" | tee "$OUT/table.md"
[[ -s "$OUT/compile.txt" ]] && "$JAVA" -cp "$CP" dlc.bench.CompileTable "$OUT/compile.txt" "$OUT/compile-c1.txt" | tee "$OUT/compile.md"
true
