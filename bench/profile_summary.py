#!/usr/bin/env python3
"""Self time per libtorch op (and per op+input shapes with --shapes) from a Chrome trace of bench/ProfileStep.java."""
import json, sys, collections
shapes = "--shapes" in sys.argv
trace = json.load(open([a for a in sys.argv[1:] if not a.startswith("--")][0]))
events = [e for e in (trace["traceEvents"] if isinstance(trace, dict) else trace) if e.get("ph") == "X" and "dur" in e]
by_thread = collections.defaultdict(list)
for e in events:
    by_thread[e.get("tid")].append(e)
self_time = collections.Counter(); calls = collections.Counter()
for evs in by_thread.values():
    evs.sort(key=lambda e: (e["ts"], -e["dur"]))
    stack = []
    for e in evs:
        while stack and stack[-1]["ts"] + stack[-1]["dur"] <= e["ts"]:
            stack.pop()
        key = e["name"] + ((" " + str(e.get("shape", e.get("args", {}).get("Input Dims", ""))[:2])) if shapes else "")
        e["_key"] = key
        self_time[key] += e["dur"]; calls[key] += 1
        if stack:
            self_time[stack[-1]["_key"]] -= e["dur"]
        stack.append(e)
total = sum(self_time.values())
print(f"total self time {total/1e3:.0f} ms")
for k, v in self_time.most_common(int(next((a[6:] for a in sys.argv if a.startswith("--top=")), 30))):
    print(f"{v/1e3:9.1f} ms {100*v/total:5.1f}% {calls[k]:7d}  {k[:150]}")
