#!/usr/bin/env python3
"""PyTorch's side of the mnistlab speed comparison (`./mnistlab bench --against-pytorch`).

Trains the network and recipe mnistlab hands over, the usual PyTorch way, so both rows of the
comparison are the same model trained the same way:
  --model FILE        a model.py as mnistlab writes it (`export`, or `bench` into a temporary folder):
                      its build() returns the spec's nn.Sequential, freshly initialised; dropout,
                      groups, padding and the rest are the spec's.
  --recipe FILE       the experiment's recipe as JSON, every key filled in (a preset's `recipe:` block,
                      as mnistlab resolves it): batch_size; optimizer sgd (lr, momentum, nesterov,
                      weight_decay) or adam (betas (momentum, 0.999), weight_decay); schedule constant,
                      step/multistep (StepLR/MultiStepLR, per epoch) or onecycle (OneCycleLR, per batch,
                      over the recipe's epochs); normalize mean/std; augment: rotation, translate, scale,
                      shear and interpolation as torchvision's RandomAffine (zero fill), brightness and
                      contrast as ColorJitter, both per sample in the DataLoader. Without augmentation the
                      training images are normalized once up front and no torchvision is needed.
                      loss label_smoothing as CrossEntropyLoss's; average ema (swa_utils.AveragedModel with
                      torch.lerp(avg, w, 1 - decay) and use_buffers=True, updated after every step, timed) or
                      swa (AveragedModel's equal average from start_epoch on, then update_bn over the training
                      loader, both after the timed pass); the averaged model is what is evaluated.
  --expect-params N   the trainable parameter count mnistlab's spec has.
The script refuses to run (exit 1, one line `error: ...`) when it cannot build that network or recipe
(a key it does not know, an optimizer or schedule it cannot make, torchvision missing for augmentation)
or when the network's trainable parameter count is not N.

MNIST is read with numpy from the four raw IDX files (raw or .gz) in --data-dir, the folder
mnistlab uses (`./mnistlab data where`); nothing is downloaded.

    /usr/bin/python3 bench/pytorch_reference.py --model DIR/model.py --recipe recipe.json \
        --expect-params 1960 --max-batches 60 --threads 1        # quick timing
    ... --epochs 1 --threads 1 --workers 1                       # one whole epoch

Measured:
  train_images_per_s  images / wall second over each epoch's batches after the first 10 (warm-up);
                      the wall time includes waiting for the DataLoader (augmentation).
  seconds_per_epoch   wall time of the training pass (DataLoader start-up included, evaluation not);
                      with --max-batches it is extrapolated to the full epoch of ceil(60000 / batch)
                      batches: time of the first 10 batches + the rest x mean time of the later batches.
  eval_images_per_s   images / wall time of torch.no_grad() passes over the test set in batches of 1000
                      (test images are normalized once when loaded, so this is the model's speed); with
                      --eval-passes N, N passes in a row timed together after one untimed warm-up pass.
With several epochs, the speeds and seconds are the means over the epochs; test_accuracy is the last one.
The last line is `RESULT {json}`.
"""
import argparse
import gzip
import importlib.util
import json
import os
import random
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import MultiStepLR, OneCycleLR, StepLR
from torch.optim.swa_utils import AveragedModel, update_bn
from torch.utils.data import DataLoader, Dataset, TensorDataset

WARMUP_BATCHES = 10
EVAL_BATCH = 1000


def fail(message):
    """Refuses to go on: one line on stderr, exit status 1."""
    sys.exit(f"error: {message}")


# ---------------------------------------------------------------- data
def _open(folder, name):
    for candidate in (name, name + ".gz"):
        path = os.path.join(folder, candidate)
        if os.path.isfile(path):
            return gzip.open(path, "rb") if candidate.endswith(".gz") else open(path, "rb")
    fail(f"{os.path.join(folder, name)}[.gz] not found "
         f"(point --data-dir at a folder of the four MNIST IDX files, e.g. `./mnistlab data fetch`)")


def read_idx_images(folder, name):
    with _open(folder, name) as f:
        magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
        if magic != 2051:
            fail(f"{name}: magic {magic}, expected 2051 (IDX images)")
        data = np.frombuffer(f.read(n * rows * cols), dtype=np.uint8).copy()  # writable
    if data.size != n * rows * cols:
        fail(f"{name}: truncated ({data.size} of {n * rows * cols} bytes)")
    return data.reshape(n, rows, cols)


def read_idx_labels(folder, name):
    with _open(folder, name) as f:
        magic, n = struct.unpack(">II", f.read(8))
        if magic != 2049:
            fail(f"{name}: magic {magic}, expected 2049 (IDX labels)")
        data = np.frombuffer(f.read(n), dtype=np.uint8)
    if data.size != n:
        fail(f"{name}: truncated ({data.size} of {n} labels)")
    return data.astype(np.int64)


class IdxMnist(Dataset):
    """MNIST from numpy arrays; `transform` gets an HxW uint8 array (or a PIL image when pil=True)."""

    def __init__(self, images, labels, transform, pil=False):
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


def normalized(images, mean, std, input_shape):
    """uint8 images as float tensors of `input_shape`: k / 255, then (x - mean) / std."""
    return ((torch.from_numpy(images).float().div(255.0) - mean) / std).reshape(-1, *input_shape)


# ---------------------------------------------------------------- network (mnistlab's model.py)
def load_network(path, expected_params):
    """The spec's network from the build() of the model.py mnistlab wrote, refused unless its trainable
    parameter count is the spec's."""
    if not os.path.isfile(path):
        fail(f"{path}: no such file (pass the model.py mnistlab writes with --model)")
    sys.dont_write_bytecode = True  # no __pycache__ beside the user's (or the temporary) model.py
    try:
        spec = importlib.util.spec_from_file_location("mnistlab_model", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        network, input_shape = module.build(), tuple(module.INPUT)
    except Exception as e:  # whatever the file does wrong, one line naming it
        fail(f"{path}: cannot build the network ({type(e).__name__}: {e})")
    params = sum(p.numel() for p in network.parameters() if p.requires_grad)
    if params != expected_params:
        fail(f"the network built from {path} has {params:,} trainable parameters, the spec {expected_params:,}; "
             f"refusing to compare two different networks")
    return network, input_shape, params


# ---------------------------------------------------------------- recipe (mnistlab's, as JSON)
# Every key a recipe may hold; a key outside these is one this script would silently ignore, so it refuses.
RECIPE_KEYS = {"epochs", "batch_size", "seed", "optimizer", "schedule", "normalize", "augment", "constraints",
               "average", "loss"}
AVERAGE_KEYS = {"none": set(), "ema": {"decay"}, "swa": {"start_epoch"}}
BLOCK_KEYS = {
    "loss": {"label_smoothing"},
    "optimizer": {"name", "lr", "momentum", "weight_decay", "nesterov"},
    "normalize": {"mean", "std"},
    "augment": {"rotation", "translate", "scale_min", "scale_max", "shear", "brightness", "contrast",
                "interpolation"},
    "constraints": {"max_params", "max_epochs", "target_accuracy", "last_epochs", "hard_budget"},  # not training
}
SCHEDULE_KEYS = {
    "constant": set(),
    "step": {"step_size", "gamma"},
    "multistep": {"milestones", "gamma"},
    "onecycle": {"max_lr", "pct_start", "div_factor", "final_div_factor", "anneal", "three_phase",
                 "cycle_momentum", "base_momentum", "max_momentum"},
}
ADAM_BETA2, ADAM_EPS = 0.999, 1e-8  # mnistlab's TorchAdam


def read_recipe(path):
    """The recipe with unset (null) settings dropped; refused when it holds a key this script cannot build."""
    try:
        with open(path) as f:
            recipe = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"{path}: cannot read the recipe ({e})")
    if not isinstance(recipe, dict):
        fail(f"{path}: expected a JSON object (a recipe), got {type(recipe).__name__}")
    unknown = set(recipe) - RECIPE_KEYS
    if unknown:
        fail(f"{path}: recipe key(s) {', '.join(sorted(unknown))} not known to this script; it cannot build that recipe")
    for block in ("optimizer", "schedule", "normalize", "augment", "constraints", "average", "loss"):
        if block in ("average", "loss") and block not in recipe:
            recipe[block] = {"kind": "none"} if block == "average" else {"label_smoothing": 0.0}  # an older mnistlab
        if not isinstance(recipe.get(block), dict):
            fail(f"{path}: recipe.{block} is missing (mnistlab writes every block)")
        recipe[block] = {k: v for k, v in recipe[block].items() if v is not None}
        name = str(recipe[block].get("name", "")).lower()
        if block == "schedule":
            name = "step" if name == "steplr" else name
            if name not in SCHEDULE_KEYS:
                fail(f"{path}: schedule '{name}' is not one this script can build ({', '.join(SCHEDULE_KEYS)})")
            recipe[block]["name"] = name
        if block == "average":
            name = str(recipe[block].get("kind", "none"))
            if name not in AVERAGE_KEYS:
                fail(f"{path}: average kind '{name}' is not one this script can build ({', '.join(AVERAGE_KEYS)})")
        allowed = (SCHEDULE_KEYS[name] | {"name"} if block == "schedule"
                   else AVERAGE_KEYS[name] | {"kind"} if block == "average" else BLOCK_KEYS[block])
        unknown = set(recipe[block]) - allowed
        if unknown:
            fail(f"{path}: recipe.{block} key(s) {', '.join(sorted(unknown))} not known to this script for "
                 f"{name or block}; it cannot build that recipe")
    if recipe["optimizer"].get("name") not in ("sgd", "adam"):
        fail(f"{path}: optimizer '{recipe['optimizer'].get('name')}' is not one this script can build (sgd, adam)")
    return recipe


def make_optimizer(params, o):
    if o["name"] == "sgd":
        return optim.SGD(params, lr=o["lr"], momentum=o["momentum"], weight_decay=o["weight_decay"],
                         nesterov=o["nesterov"])
    # mnistlab's Adam takes beta1 from momentum (which OneCycle cycles, as PyTorch's OneCycleLR does)
    return optim.Adam(params, lr=o["lr"], betas=(o["momentum"], ADAM_BETA2), eps=ADAM_EPS,
                      weight_decay=o["weight_decay"])


def make_schedule(optimizer, s, lr, total_steps):
    """(scheduler or None, stepped per batch?): epoch schedules step after each epoch, OneCycle after each batch."""
    if s["name"] == "constant":
        return None, False
    if s["name"] == "step":
        return StepLR(optimizer, step_size=s["step_size"], gamma=s.get("gamma", 0.1)), False
    if s["name"] == "multistep":
        return MultiStepLR(optimizer, milestones=s["milestones"], gamma=s.get("gamma", 0.1)), False
    settings = {k: v for k, v in s.items() if k not in ("name", "max_lr", "anneal")}
    return OneCycleLR(optimizer, max_lr=s.get("max_lr", lr), total_steps=total_steps,
                      anneal_strategy=s.get("anneal", "cos"), **settings), True


def train_transform(a, mean, std, backend):
    """The recipe's augmentation as torchvision transforms, or None when it has none."""
    affine = (a["rotation"] > 0 or a["translate"] > 0 or a["shear"] > 0
              or a["scale_min"] != 1 or a["scale_max"] != 1)
    jitter = a["brightness"] > 0 or a["contrast"] > 0
    if not (affine or jitter):
        return None
    try:
        from torchvision import transforms
        from torchvision.transforms import InterpolationMode
    except ImportError:
        fail("the recipe augments the training images, which takes torchvision, and it is not installed "
             "(Debian: apt-get install python3-torchvision)")
    if a["interpolation"] not in ("bilinear", "nearest"):
        fail(f"augment.interpolation '{a['interpolation']}' is not one this script can build (bilinear, nearest)")
    steps = []
    if affine:
        steps.append(transforms.RandomAffine(
            degrees=a["rotation"], translate=(a["translate"], a["translate"]) if a["translate"] > 0 else None,
            scale=(a["scale_min"], a["scale_max"]), shear=a["shear"] if a["shear"] > 0 else None,
            interpolation=InterpolationMode(a["interpolation"]), fill=0))
    if jitter:
        steps.append(transforms.ColorJitter(brightness=a["brightness"], contrast=a["contrast"]))
    norm = transforms.Normalize((mean,), (std,))
    if backend == "tensor":
        # ToTensor first: the warp samples float pixels in [0,1], as mnistlab's Augmenter does.
        return transforms.Compose([transforms.ToTensor(), *steps, norm])
    # PIL: the classic MNIST-example order (uint8 warp, then ToTensor).
    return transforms.Compose([*steps, transforms.ToTensor(), norm])


# ---------------------------------------------------------------- loops
def make_average(model, a):
    """The recipe's AveragedModel, or None. ema: the lerp of torch>=2.1's get_ema_multi_avg_fn, written out for
    older torch, buffers averaged too; swa: the default equal average (BatchNorm statistics from update_bn)."""
    if a["kind"] == "ema":
        def ema(averaged, current, num_averaged):
            return torch.lerp(averaged, current, 1 - a["decay"]) if averaged.is_floating_point() else current
        return AveragedModel(model, avg_fn=ema, use_buffers=True)
    return AveragedModel(model) if a["kind"] == "swa" else None


def train_epoch(model, loader, optimizer, batch_scheduler, max_batches, label_smoothing=0.0, after_step=None):
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
        loss = F.cross_entropy(output, target, label_smoothing=label_smoothing)
        loss.backward()
        optimizer.step()
        if after_step is not None:
            after_step(model)
        if batch_scheduler is not None:
            batch_scheduler.step()
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
        fail(f"need more than {WARMUP_BATCHES} batches to measure (got {done})")
    steady = t_end - t_warm
    ips = steady_images / steady
    if done < len(loader):
        per_batch = steady / (done - WARMUP_BATCHES)
        epoch_s = (t_warm - t0) + (len(loader) - WARMUP_BATCHES) * per_batch
        extrapolated = True
    else:
        epoch_s = wall
        extrapolated = False
    return dict(batches=done, wall=wall, train_images_per_s=ips, seconds_per_epoch=epoch_s,
                extrapolated=extrapolated, train_loss=loss_sum / seen, train_acc=100.0 * correct / seen)


def evaluate(model, loader, passes=1):
    """Test loss, correct, images and images/s. With passes > 1: one untimed warm-up pass, then `passes` timed
    passes (one pass of 10,000 images takes about a second, too short to time alone); the counts are one pass's."""
    model.eval()
    with torch.no_grad():
        if passes > 1:
            for data, _ in loader:
                model(data)
        loss_sum, correct, n = 0.0, 0, 0
        t0 = time.perf_counter()
        for _ in range(passes):
            for data, target in loader:
                output = model(data)
                loss_sum += F.cross_entropy(output, target, reduction="sum").item()
                correct += output.argmax(dim=1).eq(target).sum().item()
                n += target.size(0)
        seconds = time.perf_counter() - t0
    return loss_sum / n, correct // passes, n // passes, n / seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="model.py written by mnistlab; its build() is the network")
    ap.add_argument("--recipe", required=True, help="the experiment's recipe as JSON, as mnistlab writes it")
    ap.add_argument("--expect-params", type=int, required=True,
                    help="the spec's trainable parameter count; any other count is refused")
    ap.add_argument("--data-dir", default=os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "mnistlab", "mnist"),
        help="folder of the four MNIST IDX files, raw or .gz (default: mnistlab's cache)")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--max-batches", type=int, default=None,
                    help="stop each epoch after N batches (N > %d); seconds_per_epoch is then extrapolated"
                         % WARMUP_BATCHES)
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    ap.add_argument("--workers", type=int, default=1, help="DataLoader num_workers (default 1)")
    ap.add_argument("--eval-passes", type=int, default=1,
                    help="time this many evaluation passes in a row, after one untimed warm-up pass (default 1, no warm-up)")
    ap.add_argument("--seed", type=int, default=None, help="default: the recipe's seed")
    ap.add_argument("--aug-backend", choices=["tensor", "pil"], default="tensor",
                    help="RandomAffine on float tensors after ToTensor (default, like mnistlab) "
                         "or on PIL images before ToTensor")
    ap.add_argument("--check", action="store_true",
                    help="build the network, augmentation, optimizer, schedule and averaging, then exit "
                         "(0 and `CHECK ok`, or 1 and the refusal) without reading data or training")
    args = ap.parse_args()
    if args.epochs < 1:
        ap.error("--epochs must be >= 1")
    if args.max_batches is not None and args.max_batches <= WARMUP_BATCHES:
        ap.error(f"--max-batches must be > {WARMUP_BATCHES} (the warm-up batches are not timed)")
    if args.eval_passes < 1:
        ap.error("--eval-passes must be >= 1")

    recipe = read_recipe(args.recipe)
    model, input_shape, n_params = load_network(args.model, args.expect_params)
    seed = recipe["seed"] if args.seed is None else args.seed
    batch_size = recipe["batch_size"]
    mean, std = recipe["normalize"]["mean"], recipe["normalize"]["std"]
    transform = train_transform(recipe["augment"], mean, std, args.aug_backend)

    if args.check:
        try:
            optimizer = make_optimizer(model.parameters(), recipe["optimizer"])
            make_schedule(optimizer, recipe["schedule"], recipe["optimizer"]["lr"],
                          recipe["epochs"] * -(-60000 // batch_size))
        except (ValueError, TypeError, KeyError) as e:
            fail(f"{args.recipe}: cannot build the recipe's optimizer or schedule ({type(e).__name__}: {e})")
        make_average(model, recipe["average"])
        print("CHECK ok")
        return

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)

    d = os.path.expanduser(args.data_dir)
    train_x = read_idx_images(d, "train-images-idx3-ubyte")
    train_y = read_idx_labels(d, "train-labels-idx1-ubyte")
    test_x = read_idx_images(d, "t10k-images-idx3-ubyte")
    test_y = read_idx_labels(d, "t10k-labels-idx1-ubyte")
    if (1, *train_x.shape[1:]) != input_shape:
        fail(f"the network takes {input_shape} images, the data in {d} is 1x{train_x.shape[1]}x{train_x.shape[2]}")

    if transform is None:
        # nothing random per sample: normalize once, as a plain PyTorch loop would
        train_set = TensorDataset(normalized(train_x, mean, std, input_shape), torch.from_numpy(train_y))
    else:
        train_set = IdxMnist(train_x, train_y, transform, pil=args.aug_backend == "pil")
    # Test: normalized once here (identical values to a per-sample Normalize).
    test_set = TensorDataset(normalized(test_x, mean, std, input_shape), torch.from_numpy(test_y))

    g = torch.Generator()
    g.manual_seed(seed)
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True, num_workers=args.workers,
                              pin_memory=False, generator=g)
    test_loader = DataLoader(test_set, batch_size=EVAL_BATCH, shuffle=False, num_workers=0)

    try:
        optimizer = make_optimizer(model.parameters(), recipe["optimizer"])
        total_steps = max(recipe["epochs"], args.epochs) * len(train_loader)
        scheduler, per_batch = make_schedule(optimizer, recipe["schedule"], recipe["optimizer"]["lr"], total_steps)
    except (ValueError, TypeError, KeyError) as e:
        fail(f"{args.recipe}: cannot build the recipe's optimizer or schedule ({type(e).__name__}: {e})")

    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, interop "
          f"{torch.get_num_interop_threads()}, workers {args.workers}, batch {batch_size}, "
          f"augmentation {'none' if transform is None else 'on ' + args.aug_backend}, data {d}")
    print(f"network: {args.model}")
    print(f"Trainable params: {n_params:,}")
    o, s = recipe["optimizer"], recipe["schedule"]
    print(f"recipe: {o['name']} lr {o['lr']:g}, schedule {s['name']}, augmentation: "
          + ("none" if transform is None else ", ".join(repr(t) for t in transform.transforms)))

    average = make_average(model, recipe["average"])
    ema_step = average.update_parameters if recipe["average"]["kind"] == "ema" else None
    epochs = []
    for epoch in range(1, args.epochs + 1):
        lr = optimizer.param_groups[0]["lr"]
        tr = train_epoch(model, train_loader, optimizer, scheduler if per_batch else None, args.max_batches,
                         recipe["loss"]["label_smoothing"], ema_step)
        if scheduler is not None and not per_batch:
            scheduler.step()
        evaluated = model
        if recipe["average"]["kind"] == "ema":
            evaluated = average
        elif recipe["average"]["kind"] == "swa" and epoch >= recipe["average"]["start_epoch"]:
            average.update_parameters(model)
            update_bn(train_loader, average)
            evaluated = average
        test_loss, correct, n, eval_ips = evaluate(evaluated, test_loader, args.eval_passes)
        acc = 100.0 * correct / n
        tr.update(test_loss=test_loss, test_acc=acc, eval_images_per_s=eval_ips)
        epochs.append(tr)
        print(f"Epoch {epoch}: lr {lr:g}, {tr['batches']} batches in {tr['wall']:.1f} s, "
              f"train loss {tr['train_loss']:.4f}, train acc {tr['train_acc']:.2f}%, "
              f"{tr['train_images_per_s']:.0f} train images/s (after {WARMUP_BATCHES} warm-up batches), "
              f"{tr['seconds_per_epoch']:.1f} s/epoch"
              f"{f' (extrapolated to {len(train_loader)} batches)' if tr['extrapolated'] else ''}, "
              f"eval {eval_ips:.0f} images/s")
        print(f"Test set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{n} ({acc:.2f}%)")
        sys.stdout.flush()

    mean_of = lambda k: sum(e[k] for e in epochs) / len(epochs)
    result = {
        "framework": "pytorch",
        "torch_version": torch.__version__,
        "threads": args.threads,
        "workers": args.workers,
        "batch_size": batch_size,
        "train_images_per_s": round(mean_of("train_images_per_s"), 1),
        "eval_images_per_s": round(mean_of("eval_images_per_s"), 1),
        "seconds_per_epoch": round(mean_of("seconds_per_epoch"), 2),
        "extrapolated": any(e["extrapolated"] for e in epochs),
        "test_accuracy": round(epochs[-1]["test_acc"], 2),
        "epochs": args.epochs,
        "batches_per_epoch": epochs[-1]["batches"],
        "augmentation": transform is not None,
        "aug_backend": args.aug_backend,
        "seed": seed,
        "params": n_params,
    }
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
