#!/usr/bin/python3
"""Reference values for SmoothedCrossEntropyTest, produced by torch.nn.functional.cross_entropy itself.

Run from the repository root with Debian's torch:  /usr/bin/python3 src/test/python/loss_reference.py
Writes src/test/resources/loss/label_smoothing.json: random float32 logits (6 x 10) and class labels, and for
each label_smoothing the mean loss and its gradient with respect to the logits. Every float is the exact value
of the float32 it holds.
"""
import json
import os
import torch

OUT = os.path.join("src", "test", "resources", "loss", "label_smoothing.json")
SMOOTHING = [0.0, 0.1, 0.25]


def floats(t):
    return [float(x) for x in t.flatten().tolist()]


def main():
    torch.manual_seed(3)
    logits = torch.randn(6, 10) * 3
    labels = torch.randint(0, 10, (6,))
    cases = []
    for s in SMOOTHING:
        x = logits.clone().requires_grad_(True)
        loss = torch.nn.functional.cross_entropy(x, labels, label_smoothing=s)
        loss.backward()
        cases.append({"label_smoothing": s, "loss": float(loss), "gradient": floats(x.grad)})
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"torch": torch.__version__, "logits": floats(logits), "labels": labels.tolist(), "cases": cases},
                  f, indent=1)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
