#!/usr/bin/env python3
"""Where could 2x PyTorch come from? Times one training step of the seed003 model in PyTorch
(Debian's python3-torch, one thread, random data, no augmentation) in four forms: float32 or
bfloat16, NCHW or channels-last memory. A probe for docs/benchmarks.md, not part of the tool.

    /usr/bin/python3 bench/precision_probe.py
"""
import time

import torch


def seed003(dtype):
    c = torch.nn.Conv2d
    block = lambda i, o: [c(i, o, 3, bias=False), torch.nn.ReLU(), torch.nn.BatchNorm2d(o)]
    layers = (block(1, 8) + block(8, 14) + [c(14, 10, 1, bias=False), torch.nn.MaxPool2d(2)]
              + block(10, 14) + block(14, 16) + block(16, 20)
              + [torch.nn.AdaptiveAvgPool2d(1), c(20, 16, 1, bias=False), c(16, 10, 1, bias=False),
                 torch.nn.Flatten()])
    return torch.nn.Sequential(*layers).to(dtype)


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    for dtype in (torch.float32, torch.bfloat16):
        for channels_last in (False, True):
            model = seed003(dtype)
            x = torch.randn(128, 1, 28, 28).to(dtype)
            y = torch.randint(0, 10, (128,))
            if channels_last:
                model = model.to(memory_format=torch.channels_last)
                x = x.to(memory_format=torch.channels_last)
            opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

            def step():
                opt.zero_grad()
                torch.nn.functional.cross_entropy(model(x).float(), y).backward()
                opt.step()

            for _ in range(5):
                step()
            n = 30
            t = time.perf_counter()
            for _ in range(n):
                step()
            ms = (time.perf_counter() - t) / n * 1000
            print(f"{str(dtype):15} {'channels-last' if channels_last else 'NCHW':13} "
                  f"{ms:6.1f} ms/batch {128 / ms * 1000:6.0f} img/s")


if __name__ == "__main__":
    main()
