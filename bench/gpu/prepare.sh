#!/usr/bin/env bash
# Makes the kit that bench/gpu/run.sh needs on a GPU machine that has no Java and no network:
# bench/gpu/target/kit (git-ignored; carry it with the working tree), holding
#   jre.tar.xz      a small JRE made with jlink (the modules the dlc jars need, jdk.incubator.vector
#                   included; libjvm stripped of its symbols), xz-compressed: run.sh unpacks it
#                   (jlink's own compression left off: xz packs the uncompressed modules far smaller)
#   dlc-cli.jar     the dlc launcher's jar (its manifest finds lib/), and lib/ its jars, LWJGL's
#                   jars and natives and the bench jar (dlc.bench.*)
#   data/fashion-mnist/*.gz   Debian's Fashion-MNIST files (dlc reads them through $DLC_DATA)
#   native/libOpenCL.so.1     the ICD loader (ocl-icd), used only where the GPU machine has none
#   MANIFEST.txt    the commit, the JRE's modules and the sizes
# Run here (offline build, like bench/run.sh); fails when the kit exceeds 64 MiB, what the device
# tool carries. Then: the device tool runs `bash bench/gpu/run.sh` with carry ["bench/gpu/target/kit"].
# Knobs (env): SKIP_BUILD=1 (reuse the jars), DATA=/usr/share/datasets/fashion-mnist, JDK=/usr/lib/jvm/java-17-openjdk-amd64
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
KIT=$ROOT/bench/gpu/target/kit
DATA=${DATA:-/usr/share/datasets/fashion-mnist}
JDK=${JDK:-$(dirname "$(dirname "$(readlink -f "$(command -v jlink)")")")}
LIMIT=$((64 * 1024 * 1024))

if [[ -z "${SKIP_BUILD:-}" ]]; then
  mvn -o -q -B -DskipTests -pl cli,bench -am package
fi
cli_jar=$(ls cli/target/dlc-cli-*.jar | grep -v -e '-sources' -e '-tests' | head -1)
bench_jar=$(ls bench/target/dlc-bench-*.jar | grep -v -e '-sources' -e '-tests' | head -1)

rm -rf "$KIT"
mkdir -p "$KIT/lib" "$KIT/data/fashion-mnist" "$KIT/native"
cp "$cli_jar" "$KIT/dlc-cli.jar"
cp cli/target/lib/*.jar "$KIT/lib/"
for j in bench/target/lib/*.jar; do   # the bench's jars are the cli's (a subset), but for any it lacks
  [[ -e "$KIT/lib/$(basename "$j")" ]] || cp "$j" "$KIT/lib/"
done
cp "$bench_jar" "$KIT/lib/dlc-bench.jar"
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
  [[ -f "$DATA/$f" ]] || { echo "prepare.sh: no $DATA/$f (apt-get install dataset-fashion-mnist, or set DATA)" >&2; exit 1; }
  cp "$DATA/$f" "$KIT/data/fashion-mnist/"
done
loader=$(ldconfig -p | awk '/libOpenCL\.so\.1 .*x86-64/ {print $NF; exit}')
[[ -n "$loader" ]] || { echo "prepare.sh: no libOpenCL.so.1 here (apt-get install ocl-icd-libopencl1)" >&2; exit 1; }
cp -L "$loader" "$KIT/native/libOpenCL.so.1"

# The JRE: the modules jdeps finds in every jar (java.desktop is dlc train's PNG loss curve), plus
# jdk.incubator.vector (the JVM backend's vector kernels, loaded by --add-modules, so jdeps cannot
# see it) and java.management/jdk.management (the bench's CPU clock and allocation counters).
modules=$("$JDK/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 17 \
  "$KIT/dlc-cli.jar" "$KIT"/lib/*.jar 2>/dev/null | tail -1)
modules=$(echo "$modules,jdk.incubator.vector,java.management,jdk.management,jdk.unsupported" | tr , '\n' | sort -u | paste -sd,)
jre=$(mktemp -d)/jre
"$JDK/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=0 --output "$jre" 2>&1 \
  | grep -v 'Using incubator modules' || true
strip --strip-unneeded "$jre/lib/server/libjvm.so" 2>/dev/null || true
"$jre/bin/java" --add-modules jdk.incubator.vector -version 2>&1 | grep -v 'incubator' | head -1
tar -C "$(dirname "$jre")" -cf - jre | xz -9 -T2 > "$KIT/jre.tar.xz"
rm -rf "$(dirname "$jre")"

bytes=$(du -sb "$KIT" | cut -f1)
{
  echo "commit $(git rev-parse HEAD)$(git diff --quiet HEAD -- . ':!bench/gpu/target' || echo ' (with uncommitted changes)')${SKIP_BUILD:+ (SKIP_BUILD: the jars as last built)}"
  echo "made $(date -u +%FT%TZ) on $(hostname) by $("$JDK/bin/java" -version 2>&1 | head -1)"
  echo "jre modules: $modules"
  echo "kit: $bytes bytes"
  (cd "$KIT" && du -ab --max-depth=1 | sort -n)
} > "$KIT/MANIFEST.txt"
cat "$KIT/MANIFEST.txt"
if (( bytes > LIMIT )); then
  echo "prepare.sh: the kit is $bytes bytes, more than the 64 MiB ($LIMIT bytes) the device tool carries" >&2
  exit 1
fi
echo "kit ready: $KIT ($((bytes / 1024 / 1024)) MiB of 64); on the GPU machine: bash bench/gpu/run.sh (carry bench/gpu/target/kit)"
