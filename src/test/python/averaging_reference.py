#!/usr/bin/python3
"""Reference traces for WeightAverageTest, produced by torch.optim.swa_utils itself.

Run from the repository root with Debian's torch:  /usr/bin/python3 src/test/python/averaging_reference.py
Writes src/test/resources/averaging/ema.json and swa.json. A small network (conv 1->3, BatchNorm, ReLU, flatten,
linear 12->10 on 1x4x4 inputs) trains a few SGD steps on random data; after every step (ema) or at the end of
every "epoch" of a few steps (swa) an AveragedModel is updated, and both the trained and the averaged state
are recorded, every array in the order DJL lists the network's parameters (conv weight; BatchNorm weight, bias,
running mean, running variance; linear weight, bias). Every float is the exact value of the float32 it holds.

ema: torch 1.13 has no get_ema_multi_avg_fn (torch >= 2.1); its formula for float tensors,
torch._foreach_lerp_(avg, current, 1 - decay), is given to 1.13's AveragedModel as avg_fn, with use_buffers=True
(BatchNorm's running statistics are averaged too), as mnistlab's ema does.
swa: AveragedModel's default avg_fn (the equal average), use_buffers=False, and after every averaged epoch
update_bn over fixed batches of uint8 images (k / 255, as mnistlab's batches with normalisation mean 0, std 1).
"""
import json
import os
import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel, update_bn

OUT_DIR = os.path.join("src", "test", "resources", "averaging")
NAMES = ["0.weight", "1.weight", "1.bias", "1.running_mean", "1.running_var", "4.weight", "4.bias"]
EMA_DECAY, EMA_STEPS = 0.9, 6
SWA_EPOCHS, SWA_STEPS_PER_EPOCH, SWA_START = 4, 3, 2
BN_IMAGES, BN_BATCH = 10, 4  # update_bn's batches: 4, 4 and 2 images


def network():
    return nn.Sequential(nn.Conv2d(1, 3, 3, bias=False), nn.BatchNorm2d(3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 10))


def state(model):
    s = model.state_dict()
    return [[float(x) for x in s[name].flatten().tolist()] for name in NAMES]


def sgd_step(model, optimizer):
    x = torch.randn(8, 1, 4, 4)
    y = torch.randint(0, 10, (8,))
    optimizer.zero_grad()
    nn.functional.cross_entropy(model(x), y).backward()
    optimizer.step()


def lerp_avg(decay):
    def avg_fn(averaged, current, num_averaged):
        if averaged.is_floating_point():
            return torch.lerp(averaged, current, 1 - decay)
        return current  # num_batches_tracked, which mnistlab does not keep
    return avg_fn


def ema_trace():
    torch.manual_seed(1)
    model = network()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    ema = AveragedModel(model, avg_fn=lerp_avg(EMA_DECAY), use_buffers=True)
    steps = []
    for _ in range(EMA_STEPS):
        sgd_step(model, optimizer)
        ema.update_parameters(model)
        steps.append({"trained": state(model), "average": state(ema.module)})
    return {"torch": torch.__version__, "decay": EMA_DECAY, "names": NAMES, "steps": steps}


def swa_trace():
    torch.manual_seed(2)
    model = network()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    swa = AveragedModel(model)
    pixels = torch.randint(0, 256, (BN_IMAGES, 1, 4, 4), dtype=torch.uint8)
    images = pixels.to(torch.float32) / 255
    batches = [images[i:i + BN_BATCH] for i in range(0, BN_IMAGES, BN_BATCH)]
    epochs = []
    for epoch in range(1, SWA_EPOCHS + 1):
        for _ in range(SWA_STEPS_PER_EPOCH):
            sgd_step(model, optimizer)
        record = {"epoch": epoch, "trained": state(model)}
        if epoch >= SWA_START:
            swa.update_parameters(model)
            update_bn(batches, swa)
            record["average"] = state(swa.module)
        epochs.append(record)
    return {"torch": torch.__version__, "start_epoch": SWA_START, "names": NAMES, "bn_batch": BN_BATCH,
            "pixels": [int(p) for p in pixels.flatten().tolist()], "epochs": epochs}


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for name, trace in (("ema", ema_trace()), ("swa", swa_trace())):
        path = os.path.join(OUT_DIR, name + ".json")
        with open(path, "w") as f:
            json.dump(trace, f)
            f.write("\n")
        print("wrote", path)


if __name__ == "__main__":
    main()
