#!/usr/bin/env python3
"""PyTorch step times for the peers' networks, the reference for dlc's OpenCL backend on a GPU.

The networks of dlc's bench workloads (bench/src/main/resources/bench/*.dl) and the peers' suite:
  mlp: 784 -> 256 -> relu -> 128 -> relu -> 10
  cnn: conv 3x3 x32 (padding 1) -> relu -> maxpool 2 -> conv 3x3 x64 (padding 1) -> relu -> maxpool 2
       -> flatten (3136) -> dense 128 -> relu -> dense 10
Training is forward + softmax cross-entropy (batch mean) + backward + SGD(lr 0.01); inference is
the logits without gradients. Float32 throughout: TF32 is switched off for matmuls and
convolutions, since dlc computes in float32.

Timed like dlc.bench.Timing (the peers' harness): warm up until >= 20 steps and >= WARMUP_SEC
(capped at 10 s once 5 ran), then time each step until >= 50 steps and >= MIN_SEC (stopping at
MAX_SEC once 20 were timed). Each step ends with torch.cuda.synchronize(), as dlc's step ends
when the host has read the loss back. Prints dlc's line formats, which dlc.bench.BackendTable
reads (torch-cpu with --device cpu):
  torch-cuda WORKLOAD METRIC THREADS MEDIAN_MS
  # torch-cuda WORKLOAD METRIC THREADS median_ms=.. steps_per_s=.. p10_ms=.. p90_ms=.. ...
and one line "torch sgemm N TFLOPS" for the same product as dlc.bench.ClSgemmBench (float32).

  python3 bench/gpu/torch_steps.py --cases mlp:train-b1024,cnn:train-b256 [--device cuda] [--threads N]
"""
import argparse
import math
import re
import statistics
import sys
import time

import torch
from torch import nn


def mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


NETS = {"mlp": (mlp, (784,)), "cnn": (cnn, (1, 28, 28))}


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def measure(step, device, args):
    """Per-step times in ms, after the warm-up (the rules of dlc.bench.Timing)."""
    t0 = time.perf_counter()
    warm = 0
    while True:
        step()
        sync(device)
        warm += 1
        el = time.perf_counter() - t0
        if warm >= 20 and el >= args.warmup_sec:
            break
        if warm >= 5 and el >= 10.0:
            break
    ms = []
    m0 = time.perf_counter()
    while True:
        a = time.perf_counter()
        step()
        sync(device)
        ms.append((time.perf_counter() - a) * 1e3)
        el = time.perf_counter() - m0
        if len(ms) >= 50 and el >= args.min_sec:
            break
        if len(ms) >= 20 and el >= args.max_sec:
            break
    return ms, warm


def report(peer, workload, metric, threads, ms, warm):
    s = sorted(ms)
    med = statistics.median(ms)
    p10 = s[int(math.floor(0.1 * (len(s) - 1)))]
    p90 = s[int(math.ceil(0.9 * (len(s) - 1)))]
    half = len(ms) // 2
    print(f"{peer} {workload} {metric} {threads} {med:.4f}")
    print(f"# {peer} {workload} {metric} {threads} median_ms={med:.4f} steps_per_s={1000.0 / med:.1f}"
          f" p10_ms={p10:.4f} p90_ms={p90:.4f} mean_ms={statistics.fmean(ms):.4f}"
          f" half1_median_ms={statistics.median(ms[:half]):.4f} half2_median_ms={statistics.median(ms[half:]):.4f}"
          f" iters={len(ms)} warmup_iters={warm}", flush=True)


def case(spec, device, threads, args):
    m = re.fullmatch(r"(mlp|cnn):(train|infer)-b([1-9][0-9]*)", spec)
    if not m:
        sys.exit(f"bad case {spec!r}: expected mlp|cnn:train-bN|infer-bN")
    workload, kind, batch = m.group(1), m.group(2), int(m.group(3))
    make, shape = NETS[workload]
    torch.manual_seed(42)
    net = make().to(device)
    x = torch.rand((batch,) + shape, device=device)
    y = torch.randint(0, 10, (batch,), device=device)
    if kind == "train":
        net.train()
        opt = torch.optim.SGD(net.parameters(), lr=0.01)
        loss_fn = nn.CrossEntropyLoss()

        def step():
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(x), y)
            loss.backward()
            opt.step()
    else:
        net.eval()

        def step():
            with torch.no_grad():
                net(x)
    ms, warm = measure(step, device, args)
    report(f"torch-{device.type}", workload, f"{kind}-b{batch}", threads, ms, warm)


def sgemm(n, device):
    a = torch.rand((n, n), device=device) * 2 - 1
    b = torch.rand((n, n), device=device) * 2 - 1
    for _ in range(3):
        torch.mm(a, b)
    sync(device)
    best = 0.0
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(10):
            torch.mm(a, b)
        sync(device)
        best = max(best, 2.0 * n ** 3 * 10 / (time.perf_counter() - t0) / 1e12)
    print(f"torch sgemm {n} {best:.2f}   (TFLOPS f32, best of 5 rounds of 10 products, TF32 off)", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", default="mlp:train-b1024,mlp:infer-b1024,cnn:train-b256,cnn:infer-b256")
    p.add_argument("--device", default="cuda")
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads, and the threads column of the lines")
    p.add_argument("--warmup-sec", type=float, default=3.0)
    p.add_argument("--min-sec", type=float, default=5.0)
    p.add_argument("--max-sec", type=float, default=10.0)
    p.add_argument("--sgemm", type=int, default=4096, help="N of the SGEMM timed (0: none)")
    args = p.parse_args()
    device = torch.device(args.device)
    torch.set_num_threads(args.threads)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    print(f"# torch {torch.__version__} on {name}", flush=True)
    if args.sgemm > 0 and device.type == "cuda":
        sgemm(args.sgemm, device)
    for spec in args.cases.split(","):
        case(spec.strip(), device, args.threads, args)


if __name__ == "__main__":
    main()
