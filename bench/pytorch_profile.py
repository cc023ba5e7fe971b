#!/usr/bin/env python3
"""Where PyTorch's own training step of an exported network spends its time: SGD steps on one fixed batch of
128 random images (no data loading, no augmentation), one thread, then torch.profiler's self time per op.

    ./mnistlab export RUN --to DIR
    /usr/bin/python3 bench/pytorch_profile.py DIR/model.py TRAINABLE_PARAMS

The share of the step spent in convolution kernels bounds how much faster than PyTorch any trainer that calls
the same kernels (libtorch's oneDNN convolutions, as mnistlab does through DJL) can be: 1 / (that share)."""
import os, sys, time, torch, torch.nn.functional as F
from torch.profiler import profile, ProfilerActivity
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pytorch_reference as ref
net = ref.load_network(sys.argv[1], int(sys.argv[2]))[0]
torch.set_num_threads(1)
opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
x = torch.randn(128, 1, 28, 28); y = torch.randint(0, 10, (128,))
def step():
    opt.zero_grad(); loss = F.cross_entropy(net(x), y); loss.backward(); opt.step()
net.train()
for _ in range(10): step()
t = time.perf_counter()
for _ in range(40): step()
dt = (time.perf_counter() - t) / 40
print(f"step {dt*1000:.1f} ms = {128/dt:.0f} img/s (no profiler)")
with profile(activities=[ProfilerActivity.CPU]) as p:
    for _ in range(20): step()
ev = p.key_averages()
total = sum(e.self_cpu_time_total for e in ev)
conv = sum(e.self_cpu_time_total for e in ev if "conv" in e.key.lower())
print(f"self time in convolution ops: {100*conv/total:.1f}% of {total/1e3/20:.1f} ms per step")
print(ev.table(sort_by="self_cpu_time_total", row_limit=8))
