#!/usr/bin/env python3
"""Are libtorch's convolutions the fastest way to compute default's (frontier-8k's) layers? Forward + backward of
each 1x1 (pointwise) conv shape three ways, and of each depthwise shape NCHW against channels-last, batch 128, one
thread, alternated, the minimum of three medians of 30 (issue 22):

    /usr/bin/python3 bench/pointwise_probe.py

pointwise: F.conv2d (what mnistlab calls, through DJL), a batched matmul (the weight broadcast over the batch), and
one GEMM over the batch folded into the columns (a transposed copy in and out)."""
import time
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
N = 128
POINTWISE = [(12, 24, 24), (24, 24, 22), (24, 32, 9), (32, 48, 7), (48, 48, 5)]  # in, out, height = width
DEPTHWISE = [(12, 26), (24, 24), (24, 11), (32, 9), (48, 7)]  # channels, input height = width


def median_ms(fn, reps=30):
    for _ in range(3):
        fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2] * 1e3


def best_of_three(*fns):
    runs = [[median_ms(fn) for fn in fns] for _ in range(3)]
    return [min(r[i] for r in runs) for i in range(len(fns))]


for cin, cout, hw in POINTWISE:
    x = torch.randn(N, cin, hw, hw, requires_grad=True)
    w = torch.randn(cout, cin, 1, 1, requires_grad=True)
    g = torch.randn(N, cout, hw, hw)

    def conv():
        F.conv2d(x, w).backward(g)

    def batched_matmul():
        torch.matmul(w.view(cout, cin), x.view(N, cin, hw * hw)).view(N, cout, hw, hw).backward(g)

    def one_gemm():
        cols = x.transpose(0, 1).reshape(cin, N * hw * hw)
        (w.view(cout, cin) @ cols).view(cout, N, hw, hw).transpose(0, 1).backward(g)

    a, b, c = best_of_three(conv, batched_matmul, one_gemm)
    print(f"pointwise {cin}->{cout} at {hw}x{hw}: conv {a:.2f} ms, batched matmul {b:.2f} ms, one GEMM {c:.2f} ms")

for c, hw in DEPTHWISE:
    x = torch.randn(N, c, hw, hw, requires_grad=True)
    w = torch.randn(c, 1, 3, 3, requires_grad=True)
    g = torch.randn(N, c, hw - 2, hw - 2)

    def nchw():
        F.conv2d(x, w, groups=c).backward(g)

    def channels_last():
        F.conv2d(x.contiguous(memory_format=torch.channels_last), w, groups=c).backward(g)

    a, b = best_of_three(nchw, channels_last)
    print(f"depthwise {c} at {hw}x{hw}: NCHW {a:.2f} ms, channels-last {b:.2f} ms")
