#!/usr/bin/python3
"""Reference parameter traces for OptimizerReferenceTest, produced by torch.optim itself.

Run from the repository root with Debian's torch:  /usr/bin/python3 src/test/python/optimizer_reference.py
Writes src/test/resources/optimizer/<case>.json. Each case optimises six float32 parameters whose gradient is
set by hand to g = a * w + b (a mul, then an add, in float32, so mnistlab can compute the very same gradient),
for STEPS steps, changing lr and momentum before every step as a scheduler does (OneCycleLR sets SGD's
momentum, and Adam's beta1 as its momentum). The last parameter has a tiny constant gradient, where Adam's
choice of where eps enters shows. Every float is written as the exact value of the float32 it holds.
"""
import json
import os
import torch

STEPS = 15
W0 = [1.0, -2.0, 0.5, 3.0, -0.25, 0.001]
A = [0.5, 1.0, 2.0, 0.1, 0.3, 0.0]
B = [0.1, -0.2, 0.0, 0.3, -0.05, 1e-5]
OUT_DIR = os.path.join("src", "test", "resources", "optimizer")

CASES = {
    "adam": dict(lr=0.01, weight_decay=0.01,
                 make=lambda p, lr, wd: torch.optim.Adam([p], lr=lr, weight_decay=wd)),
    "sgd_nesterov": dict(lr=0.05, weight_decay=5e-4,
                         make=lambda p, lr, wd: torch.optim.SGD([p], lr=lr, momentum=0.9, nesterov=True,
                                                                weight_decay=wd)),
    "sgd": dict(lr=0.05, weight_decay=5e-4,
                make=lambda p, lr, wd: torch.optim.SGD([p], lr=lr, momentum=0.9, weight_decay=wd)),
}


def floats(t):
    return [float(x) for x in t.tolist()]


def trace(case):
    p = torch.nn.Parameter(torch.tensor(W0, dtype=torch.float32))
    a = torch.tensor(A, dtype=torch.float32)
    b = torch.tensor(B, dtype=torch.float32)
    opt = case["make"](p, case["lr"], case["weight_decay"])
    steps = []
    for step in range(STEPS):
        lr = case["lr"] * 0.8 ** (step // 4)
        momentum = 0.95 - 0.1 * step / (STEPS - 1)
        for group in opt.param_groups:
            group["lr"] = lr
            if "betas" in group:
                group["betas"] = (momentum, group["betas"][1])
            else:
                group["momentum"] = momentum
        p.grad = a * p.detach() + b
        opt.step()
        steps.append({"lr": lr, "momentum": momentum, "w": floats(p.detach())})
    return {"torch": torch.__version__, "weight_decay": case["weight_decay"],
            "w0": floats(torch.tensor(W0, dtype=torch.float32)), "a": floats(a), "b": floats(b), "steps": steps}


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for name, case in CASES.items():
        path = os.path.join(OUT_DIR, name + ".json")
        data = trace(case)
        lines = ['  "%s": %s' % (k, json.dumps(v)) for k, v in data.items() if k != "steps"]
        steps = ",\n".join("    " + json.dumps(s) for s in data["steps"])
        with open(path, "w") as f:
            f.write("{\n" + ",\n".join(lines) + ',\n  "steps": [\n' + steps + "\n  ]\n}\n")
        print("wrote", path)


if __name__ == "__main__":
    main()
