"""`cargo bloat --crates --message-format json` on stdin -> a Markdown table for BENCHMARKS.md."""

import json
import sys

SHOWN = 30

report = json.load(sys.stdin)
text = report["text-section-size"]
crates = report["crates"]
print("| crate | code in reward-referral (KiB) | share of its code |")
print("|---|---:|---:|")
for crate in crates[:SHOWN]:
    print(f"| {crate['name']} | {crate['size'] / 1024:.1f} | {100 * crate['size'] / text:.1f} % |")
rest = sum(crate["size"] for crate in crates[SHOWN:])
print(f"| the other {len(crates) - SHOWN} crates | {rest / 1024:.1f} | {100 * rest / text:.1f} % |")
print(f"| **all code (.text)** | {text / 1024:.1f} | 100 % |")
