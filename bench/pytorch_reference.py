#!/usr/bin/env python3
"""PyTorch's side of the mnistlab speed comparison.

Trains the `seed003` preset (src/main/resources/presets/seed003.yaml) the usual PyTorch way:
the same 8,000-parameter model, SGD(lr 0.1, momentum 0.9) with StepLR(8, 0.1), batch 128,
per-sample RandomAffine(7 deg, translate 0.05, scale 0.95-1.05, bilinear, zero fill) and
Normalize(0.1307, 0.3081), through torchvision transforms and a DataLoader.

MNIST is read with numpy from the four raw IDX files (raw or .gz) in --data-dir, the folder
mnistlab uses (`./mnistlab data where`); nothing is downloaded.

    /usr/bin/python3 bench/pytorch_reference.py --max-batches 60 --threads 1   # quick timing
    /usr/bin/python3 bench/pytorch_reference.py --epochs 1 --threads 1 --workers 1

Measured:
  train_images_per_s  images / wall second over each epoch's batches after the first 10 (warm-up);
                      the wall time includes waiting for the DataLoader (augmentation).
  seconds_per_epoch   wall time of the training pass (DataLoader start-up included, evaluation not);
                      with --max-batches it is extrapolated to the full 469-batch epoch:
                      time of the first 10 batches + 459 x mean time of the later batches.
  eval_images_per_s   10,000 / wall time of a torch.no_grad() pass over the test set in batches of 1000
                      (test images are normalized once when loaded, so this is the model's speed).
With several epochs, the speeds and seconds are the means over the epochs; test_accuracy is the last one.
The last line is `RESULT {json}`.
"""
import argparse
import gzip
import json
import os
import random
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms
from torchvision.transforms import InterpolationMode

MEAN, STD = 0.1307, 0.3081
BATCH_SIZE = 128
WARMUP_BATCHES = 10
TRAIN_SIZE = 60000
FULL_EPOCH_BATCHES = (TRAIN_SIZE + BATCH_SIZE - 1) // BATCH_SIZE  # 469
EXPECTED_PARAMS = 8000


# ---------------------------------------------------------------- data
def _open(folder, name):
    for candidate in (name, name + ".gz"):
        path = os.path.join(folder, candidate)
        if os.path.isfile(path):
            return gzip.open(path, "rb") if candidate.endswith(".gz") else open(path, "rb")
    sys.exit(f"error: {os.path.join(folder, name)}[.gz] not found "
             f"(point --data-dir at a folder of the four MNIST IDX files, e.g. `./mnistlab data fetch`)")


def read_idx_images(folder, name):
    with _open(folder, name) as f:
        magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
        if magic != 2051:
            sys.exit(f"error: {name}: magic {magic}, expected 2051 (IDX images)")
        data = np.frombuffer(f.read(n * rows * cols), dtype=np.uint8).copy()  # writable
    if data.size != n * rows * cols:
        sys.exit(f"error: {name}: truncated ({data.size} of {n * rows * cols} bytes)")
    return data.reshape(n, rows, cols)


def read_idx_labels(folder, name):
    with _open(folder, name) as f:
        magic, n = struct.unpack(">II", f.read(8))
        if magic != 2049:
            sys.exit(f"error: {name}: magic {magic}, expected 2049 (IDX labels)")
        data = np.frombuffer(f.read(n), dtype=np.uint8)
    if data.size != n:
        sys.exit(f"error: {name}: truncated ({data.size} of {n} labels)")
    return data.astype(np.int64)


class IdxMnist(Dataset):
    """MNIST from numpy arrays; `transform` gets an HxW uint8 array (or a PIL image when pil=True)."""

    def __init__(self, images, labels, transform=None, pil=False):
        assert len(images) == len(labels)
        self.images, self.labels, self.transform, self.pil = images, labels, transform, pil

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        img = self.images[i]
        if self.pil:
            from PIL import Image
            img = Image.fromarray(img, mode="L")
        return self.transform(img), int(self.labels[i])


def train_transform(backend):
    affine = transforms.RandomAffine(degrees=7, translate=(0.05, 0.05), scale=(0.95, 1.05),
                                     interpolation=InterpolationMode.BILINEAR, fill=0)
    if backend == "tensor":
        # ToTensor first: the warp samples float pixels in [0,1], as mnistlab's Augmenter does.
        return transforms.Compose([transforms.ToTensor(), affine, transforms.Normalize((MEAN,), (STD,))])
    # PIL: the classic MNIST-example order (uint8 warp, then ToTensor).
    return transforms.Compose([affine, transforms.ToTensor(), transforms.Normalize((MEAN,), (STD,))])


# ---------------------------------------------------------------- model (preset seed003)
def block(cin, cout, p=0.05):
    # a 3x3 conv without padding or bias, then ReLU, BatchNorm and 5% dropout
    return [nn.Conv2d(cin, cout, 3, bias=False), nn.ReLU(), nn.BatchNorm2d(cout), nn.Dropout(p)]


class Seed003(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            *block(1, 8),                          # 26x26
            *block(8, 14),                         # 24x24
            nn.Conv2d(14, 10, 1, bias=False),      # 1x1 transition
            nn.MaxPool2d(2),                       # 12x12
            *block(10, 14),                        # 10x10
            *block(14, 16),                        # 8x8
            *block(16, 20),                        # 6x6
            nn.AvgPool2d(6),                       # GAP, 1x1
            nn.Conv2d(20, 16, 1, bias=False),
            nn.Conv2d(16, 10, 1, bias=False),
        )

    def forward(self, x):
        return F.log_softmax(self.features(x).view(-1, 10), dim=1)


# ---------------------------------------------------------------- loops
def train_epoch(model, loader, optimizer, max_batches):
    model.train()
    n_batches = len(loader) if max_batches is None else min(max_batches, len(loader))
    t0 = time.perf_counter()
    t_warm = None
    steady_images = 0
    loss_sum, correct, seen = 0.0, 0, 0
    done = 0
    for data, target in loader:
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        done += 1
        bs = target.size(0)
        loss_sum += loss.item() * bs
        correct += output.argmax(dim=1).eq(target).sum().item()
        seen += bs
        if done == WARMUP_BATCHES:
            t_warm = time.perf_counter()
        elif done > WARMUP_BATCHES:
            steady_images += bs
        if done >= n_batches:
            break
    t_end = time.perf_counter()
    wall = t_end - t0
    if t_warm is None or done <= WARMUP_BATCHES:
        sys.exit(f"error: need more than {WARMUP_BATCHES} batches to measure (got {done})")
    steady = t_end - t_warm
    ips = steady_images / steady
    if done < FULL_EPOCH_BATCHES:
        per_batch = steady / (done - WARMUP_BATCHES)
        epoch_s = (t_warm - t0) + (FULL_EPOCH_BATCHES - WARMUP_BATCHES) * per_batch
        extrapolated = True
    else:
        epoch_s = wall
        extrapolated = False
    return dict(batches=done, wall=wall, train_images_per_s=ips, seconds_per_epoch=epoch_s,
                extrapolated=extrapolated, train_loss=loss_sum / seen, train_acc=100.0 * correct / seen)


def evaluate(model, loader):
    model.eval()
    loss_sum, correct, n = 0.0, 0, 0
    t0 = time.perf_counter()
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            loss_sum += F.nll_loss(output, target, reduction="sum").item()
            correct += output.argmax(dim=1).eq(target).sum().item()
            n += target.size(0)
    seconds = time.perf_counter() - t0
    return loss_sum / n, correct, n, n / seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default=os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "mnistlab", "mnist"),
        help="folder of the four MNIST IDX files, raw or .gz (default: mnistlab's cache)")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--max-batches", type=int, default=None,
                    help="stop each epoch after N batches (N > %d); seconds_per_epoch is then extrapolated"
                         % WARMUP_BATCHES)
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    ap.add_argument("--workers", type=int, default=1, help="DataLoader num_workers (default 1)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--aug-backend", choices=["tensor", "pil"], default="tensor",
                    help="RandomAffine on float tensors after ToTensor (default, like mnistlab) "
                         "or on PIL images before ToTensor")
    args = ap.parse_args()
    if args.epochs < 1:
        ap.error("--epochs must be >= 1")
    if args.max_batches is not None and args.max_batches <= WARMUP_BATCHES:
        ap.error(f"--max-batches must be > {WARMUP_BATCHES} (the warm-up batches are not timed)")

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)

    d = os.path.expanduser(args.data_dir)
    train_x = read_idx_images(d, "train-images-idx3-ubyte")
    train_y = read_idx_labels(d, "train-labels-idx1-ubyte")
    test_x = read_idx_images(d, "t10k-images-idx3-ubyte")
    test_y = read_idx_labels(d, "t10k-labels-idx1-ubyte")

    train_set = IdxMnist(train_x, train_y, train_transform(args.aug_backend), pil=args.aug_backend == "pil")
    # Test: Normalize only, applied once here (identical values to a per-sample Normalize).
    test_norm = ((torch.from_numpy(test_x).float().div(255.0) - MEAN) / STD).unsqueeze(1)
    test_set = torch.utils.data.TensorDataset(test_norm, torch.from_numpy(test_y))

    g = torch.Generator()
    g.manual_seed(args.seed)
    train_loader = DataLoader(train_set, batch_size=BATCH_SIZE, shuffle=True, num_workers=args.workers,
                              pin_memory=False, generator=g)
    test_loader = DataLoader(test_set, batch_size=1000, shuffle=False, num_workers=0)

    model = Seed003()
    n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, interop "
          f"{torch.get_num_interop_threads()}, workers {args.workers}, batch {BATCH_SIZE}, "
          f"augmentation on {args.aug_backend}, data {d}")
    print(f"Trainable params: {n_params:,}")
    assert n_params == EXPECTED_PARAMS, f"expected {EXPECTED_PARAMS} trainable params, got {n_params}"

    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = StepLR(optimizer, step_size=8, gamma=0.1)

    epochs = []
    for epoch in range(1, args.epochs + 1):
        lr = optimizer.param_groups[0]["lr"]
        tr = train_epoch(model, train_loader, optimizer, args.max_batches)
        scheduler.step()
        test_loss, correct, n, eval_ips = evaluate(model, test_loader)
        acc = 100.0 * correct / n
        tr.update(test_loss=test_loss, test_acc=acc, eval_images_per_s=eval_ips)
        epochs.append(tr)
        print(f"Epoch {epoch}: lr {lr:g}, {tr['batches']} batches in {tr['wall']:.1f} s, "
              f"train loss {tr['train_loss']:.4f}, train acc {tr['train_acc']:.2f}%, "
              f"{tr['train_images_per_s']:.0f} train images/s (after {WARMUP_BATCHES} warm-up batches), "
              f"{tr['seconds_per_epoch']:.1f} s/epoch{' (extrapolated to 469 batches)' if tr['extrapolated'] else ''}, "
              f"eval {eval_ips:.0f} images/s")
        print(f"Test set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{n} ({acc:.2f}%)")
        sys.stdout.flush()

    mean = lambda k: sum(e[k] for e in epochs) / len(epochs)
    result = {
        "framework": "pytorch",
        "torch_version": torch.__version__,
        "threads": args.threads,
        "workers": args.workers,
        "batch_size": BATCH_SIZE,
        "train_images_per_s": round(mean("train_images_per_s"), 1),
        "eval_images_per_s": round(mean("eval_images_per_s"), 1),
        "seconds_per_epoch": round(mean("seconds_per_epoch"), 2),
        "extrapolated": any(e["extrapolated"] for e in epochs),
        "test_accuracy": round(epochs[-1]["test_acc"], 2),
        "epochs": args.epochs,
        "batches_per_epoch": epochs[-1]["batches"],
        "aug_backend": args.aug_backend,
        "seed": args.seed,
        "params": n_params,
    }
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
