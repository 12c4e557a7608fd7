#!/usr/bin/env bash
# The GPU benchmark in one go (issue 12, Speed), on a machine with an NVIDIA GPU and PyTorch with
# CUDA but no Java and no network: what bench/gpu/prepare.sh made travels in bench/gpu/target/kit
# (a jlinked JRE, the jars, LWJGL's natives, Fashion-MNIST). Under 10 minutes; results in $OUT:
#   0. the machine (nvidia-smi, cores, Python and PyTorch versions) and the kit's JRE, unpacked
#   1. OpenCL: is an ICD registered in /etc/OpenCL/vendors? If none, NVIDIA's libnvidia-opencl.so.1
#      is found and registered through OCL_ICD_VENDORS (a temporary vendors dir with one .icd file);
#      with no ICD loader on the machine, the kit's libOpenCL.so.1 is used; then `dlc devices`
#   2. SGEMM 4096x4096x4096 on the OpenCL kernel, in TFLOPS (dlc.bench.ClSgemmBench; target >= 25)
#   3. the interpreter check of the OpenCL backend on the device (small batches, --check)
#   4. the CNN training step at batch 256 and the MLP at batch 1024 (training and inference), OpenCL
#      and the JVM backend (all cores), alternating (dlc.bench.Workloads)
#   5. PyTorch CUDA on the same networks and batches (bench/gpu/torch_steps.py), then one table with
#      dlc's steps over PyTorch's (dlc.bench.BackendTable; target: OpenCL within 1.5x of PyTorch)
#   6. `dlc train examples/cnn_fashion.dl --backend opencl`: wall time and test accuracy (>= 0.915),
#      with whatever time is left (the run stops at about 9.5 minutes)
# A step that fails is reported and the next one runs. SMOKE=1 runs the same steps on this machine
# with small sizes, on the default OpenCL device (PoCL here), without PyTorch when it is absent.
# Knobs (env): KIT (default bench/gpu/target/kit), OUT (default bench/gpu/target/out), SMOKE=1,
#   DEVICE (default gpu; SMOKE: the default device), ICD_LIB=PATH (register this OpenCL library
#   through OCL_ICD_VENDORS even when /etc/OpenCL/vendors has ICDs), BUDGET_S (default 570).
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
KIT=${KIT:-$ROOT/bench/gpu/target/kit}
OUT=${OUT:-$ROOT/bench/gpu/target/out}
SMOKE=${SMOKE:-}
BUDGET_S=${BUDGET_S:-570}
mkdir -p "$OUT"
START=$(date +%s)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dlc-gpu.XXXXXX")
SUMMARY=$OUT/summary.txt
: > "$SUMMARY"
say() { echo "== $*" | tee -a "$SUMMARY"; }
elapsed() { echo $(( $(date +%s) - START )); }
left() { echo $(( BUDGET_S - $(elapsed) )); }
# run NAME LIMIT_S CMD...: stdout to $OUT/NAME.txt, stderr to $OUT/NAME.err; prints the first (and
# the end of the second when the command failed); its exit status and time go to the summary. The
# limit is cut to what is left of BUDGET_S.
run() {
  local name=$1 limit=$2 t0 rc
  shift 2
  (( limit > $(left) )) && limit=$(left)   # no step runs past the budget
  if (( limit < 5 )); then say "$name: skipped, the budget of $BUDGET_S s is spent"; return 1; fi
  t0=$(date +%s)
  timeout "$limit" "$@" > "$OUT/$name.txt" 2> "$OUT/$name.err"
  rc=$?
  cat "$OUT/$name.txt"
  ((rc != 0)) && grep -v 'Using incubator modules' "$OUT/$name.err" | tail -5
  say "$name: exit $rc in $(( $(date +%s) - t0 )) s$( ((rc == 124)) && echo " (stopped at its limit of $limit s)")"
  return $rc
}

if [[ -n "$SMOKE" ]]; then
  DEVICE=${DEVICE:-}
  SGEMM=(256 2 2)
  CHECK_CASES=mlp:train-b8,mlp:infer-b8,cnn:train-b4,cnn:infer-b4
  CASES=mlp:train-b64,mlp:infer-b64,cnn:train-b8,cnn:infer-b8
  TIMING=(-Dbench.warmupIters=2 -Dbench.warmupSec=0.2 -Dbench.minIters=3 -Dbench.minSec=0.5 -Dbench.maxSec=1 -Dbench.minItersHard=3)
  TORCH_ARGS=(--cases "$CASES" --device cpu --warmup-sec 0.2 --min-sec 0.5 --max-sec 1)
  TRAIN_ARGS=(-P c1=4 -P c2=8 -P hidden=16 --epochs 1 --batch 100)
  TRAIN_SUBSET=2000   # images of each file kept (PoCL on a loaded CPU trains a few hundred a second)
  HEAP=-Xmx3g
else
  DEVICE=${DEVICE:-gpu}
  SGEMM=(4096 10 7)
  CHECK_CASES=mlp:train-b64,mlp:infer-b64,cnn:train-b16,cnn:infer-b16
  CASES=mlp:train-b1024,mlp:infer-b1024,cnn:train-b256,cnn:infer-b256
  TIMING=(-Dbench.warmupSec=1 -Dbench.minSec=2 -Dbench.maxSec=4)
  TORCH_ARGS=(--cases "$CASES" --device cuda --warmup-sec 1 --min-sec 2 --max-sec 4)
  TRAIN_ARGS=()
  TRAIN_SUBSET=
  HEAP=-Xmx16g
fi
QUICK=(-Dbench.warmupIters=1 -Dbench.warmupSec=0 -Dbench.minIters=1 -Dbench.minSec=0 -Dbench.maxSec=0 -Dbench.minItersHard=1)

# 0. the machine and the JRE
say "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1 | sed 's/^/== gpu: /' | tee -a "$SUMMARY"
say "python: $(python3 --version 2>&1); torch: $(python3 -c 'import torch; print(torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())' 2>&1 | tail -1)"
[[ -f "$KIT/jre.tar.xz" ]] || { say "no kit at $KIT: run bench/gpu/prepare.sh first and carry bench/gpu/target/kit"; exit 1; }
say "kit: $(head -1 "$KIT/MANIFEST.txt")"
python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$KIT/jre.tar.xz" "$WORK" \
  || { say "cannot unpack the JRE"; exit 1; }
JAVA=$WORK/jre/bin/java
say "java: $("$JAVA" -version 2>&1 | head -1)"
JOPTS=(--add-modules jdk.incubator.vector "$HEAP" -Ddlc.opencl.cache="$WORK/opencl-cache" -Ddlc.opencl.logs="$OUT/opencl-logs"
       -Djava.io.tmpdir="$WORK" -Dorg.lwjgl.system.SharedLibraryExtractPath="$WORK/lwjgl")
CP="$KIT/lib/*"
DEV=()
[[ -n "$DEVICE" ]] && DEV=(-Dbench.device="$DEVICE")
DLC_DEV=()
[[ -n "$DEVICE" ]] && DLC_DEV=(--device "$DEVICE")

# 1. the OpenCL ICD
find_nvidia_opencl() {
  local l d
  l=$(ldconfig -p 2>/dev/null | awk '/libnvidia-opencl\.so\.1/ {print $NF; exit}')
  [[ -n "$l" ]] && { echo "$l"; return; }
  for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/local/cuda/compat /usr/local/cuda/lib64; do
    [[ -e "$d/libnvidia-opencl.so.1" ]] && { echo "$d/libnvidia-opencl.so.1"; return; }
  done
  timeout 30 find / -xdev \( -path /proc -o -path /sys \) -prune -o -name 'libnvidia-opencl.so*' -print 2>/dev/null | head -1
}
icds=$(ls /etc/OpenCL/vendors/*.icd 2>/dev/null)
if [[ -n "$icds" && -z "${ICD_LIB:-}" ]]; then
  for f in $icds; do say "ICD registered: $f -> $(cat "$f")"; done
else
  lib=${ICD_LIB:-$(find_nvidia_opencl)}
  if [[ -n "$lib" ]]; then
    mkdir -p "$WORK/vendors"
    echo "$lib" > "$WORK/vendors/dlc-gpu.icd"
    export OCL_ICD_VENDORS=$WORK/vendors
    say "no ICD in /etc/OpenCL/vendors${ICD_LIB:+ used (ICD_LIB given)}: registered $lib through OCL_ICD_VENDORS=$OCL_ICD_VENDORS"
  else
    say "no ICD in /etc/OpenCL/vendors and no libnvidia-opencl.so.1 found: the OpenCL steps will fail (dlc says why)"
  fi
fi
if ! ldconfig -p 2>/dev/null | grep -q 'libOpenCL\.so\.1 '; then
  JOPTS+=(-Dorg.lwjgl.opencl.libname="$KIT/native/libOpenCL.so.1")
  say "no ICD loader (libOpenCL.so.1) on this machine: using the kit's"
fi
run devices 60 "$JAVA" "${JOPTS[@]}" -jar "$KIT/dlc-cli.jar" devices "${DLC_DEV[@]}"

# 2. SGEMM
run sgemm 120 "$JAVA" "${JOPTS[@]}" "${DEV[@]}" -cp "$CP" dlc.bench.ClSgemmBench "${SGEMM[@]}"

# 3. the OpenCL backend against the float64 interpreter on this device (small batches: the interpreter is slow)
run check 150 "$JAVA" "${JOPTS[@]}" "${DEV[@]}" "${QUICK[@]}" -Dbench.backend=opencl -cp "$CP" dlc.bench.Workloads "$(nproc)" "$CHECK_CASES" --check

# 4. the steps, OpenCL and the JVM backend alternating
run workloads 200 "$JAVA" "${JOPTS[@]}" "${DEV[@]}" "${TIMING[@]}" -Dbench.backend=jvm,opencl -cp "$CP" dlc.bench.Workloads "$(nproc)" "$CASES"

# 5. PyTorch on the same networks, and the table
if python3 -c 'import torch' 2>/dev/null; then
  run torch 150 python3 bench/gpu/torch_steps.py --threads "$(nproc)" "${TORCH_ARGS[@]}"
else
  python3 -c 'import sys; compile(open(sys.argv[1]).read(), sys.argv[1], "exec")' bench/gpu/torch_steps.py \
    && say "torch: no PyTorch here, skipped (torch_steps.py compiles)"
  : > "$OUT/torch.txt"
fi
results=()
for f in "$OUT/workloads.txt" "$OUT/torch.txt"; do [[ -f "$f" ]] && results+=("$f"); done
if ((${#results[@]})); then
  "$JAVA" -cp "$CP" dlc.bench.BackendTable torch-cuda,dlc-opencl,dlc-jvm "${results[@]}" > "$OUT/table.md" 2>&1
else
  echo "(no step times: the workloads did not run)" > "$OUT/table.md"
fi
say "table (ms per step; ratios over PyTorch CUDA's: the target is dlc-opencl/torch-cuda <= 1.5):"
tee -a "$SUMMARY" < "$OUT/table.md"

# 6. cnn_fashion.dl trained on the OpenCL backend (SMOKE: on the first TRAIN_SUBSET images of each file)
DATA_DIR=$KIT/data
if [[ -n "${TRAIN_SUBSET:-}" ]]; then
  DATA_DIR=$WORK/data
  mkdir -p "$DATA_DIR/fashion-mnist"
  python3 - "$KIT/data/fashion-mnist" "$DATA_DIR/fashion-mnist" "$TRAIN_SUBSET" <<'PY'
import gzip, os, struct, sys
src, dst, keep = sys.argv[1], sys.argv[2], int(sys.argv[3])
for f in os.listdir(src):   # IDX files: magic, count, dims (big-endian int32), then the bytes
    data = gzip.open(os.path.join(src, f)).read()
    rank = data[3]
    dims = list(struct.unpack(">%dI" % rank, data[4:4 + 4 * rank]))
    per = 1
    for d in dims[1:]:
        per *= d
    n = min(keep, dims[0])
    head = data[:4] + struct.pack(">%dI" % rank, n, *dims[1:])
    body = data[4 + 4 * rank:4 + 4 * rank + n * per]
    with gzip.open(os.path.join(dst, f), "wb") as out:
        out.write(head + body)
PY
  say "train: SMOKE, on the first $TRAIN_SUBSET images of each Fashion-MNIST file"
fi
t0=$(date +%s)
DLC_DATA=$DATA_DIR run train "$(left)" "$JAVA" "${JOPTS[@]}" -jar "$KIT/dlc-cli.jar" train examples/cnn_fashion.dl --backend opencl "${DLC_DEV[@]}" \
  "${TRAIN_ARGS[@]}" --out "$WORK/cnn_fashion.safetensors"
if [[ -f "$OUT/train.txt" ]]; then
  say "train wall time: $(( $(date +%s) - t0 )) s; the last lines:"
  grep -v '^\s*$' "$OUT/train.txt" | tail -4 | tee -a "$SUMMARY"
fi
say "done in $(elapsed) s; results in $OUT"
rm -rf "$WORK"
