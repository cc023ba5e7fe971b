"""seed003 training step in PyTorch 1.13 on one thread, random data: oneDNN (mkldnn) convolutions against
libtorch's native ones (im2col + GEMM). Run with the system python: /usr/bin/python3 bench/mkldnn_probe.py"""
import torch, time, torch.nn as nn, sys
torch.set_num_threads(1)
def blk(i,o): return [nn.Conv2d(i,o,3,bias=False), nn.ReLU(), nn.BatchNorm2d(o), nn.Dropout(0.05)]
m = nn.Sequential(*blk(1,8), *blk(8,14), nn.Conv2d(14,10,1,bias=False), nn.MaxPool2d(2), *blk(10,14), *blk(14,16), *blk(16,20),
    nn.AdaptiveAvgPool2d(1), nn.Conv2d(20,16,1,bias=False), nn.Conv2d(16,10,1,bias=False), nn.Flatten())
opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
x = torch.randn(128,1,28,28); y = torch.randint(0,10,(128,))
def run(n):
    t=time.time()
    for _ in range(n):
        opt.zero_grad(); loss = nn.functional.cross_entropy(m(x), y); loss.backward(); opt.step()
    return (time.time()-t)/n*1000
for rep in range(3):
    for mk in (True, False):
        torch.backends.mkldnn.enabled = mk
        run(5)
        print("mkldnn" if mk else "native", "%.1f ms/batch" % run(40), flush=True)
