"""Duplicates after kills, measured: the local stack (release build) is killed with SIGKILL at
random moments while rewarded orders arrive, and restarted at once; nothing is replayed. Afterwards
every coupon the store holds is one reward mail owed; the mail folder shows which were sent, and
which twice. The only window for a duplicate is a kill after a mail was written and before the
deliverer recorded it.

Usage: bench/duplicates.py [runs] [orders per run]   (prints a Markdown table)
"""

from __future__ import annotations

import collections
import random
import re
import sqlite3
import sys
import tempfile
import threading
import time
import urllib.error
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "blackbox"))
import localstack  # noqa: E402
from localstack import LocalStack, eventually  # noqa: E402

COUPON = re.compile(r"\b[A-Z0-9]{12}\b")


def one_run(seed: int, orders: int, folder: Path) -> dict[str, int]:
    rng = random.Random(seed)
    stack = LocalStack(folder / f"run-{seed}").start()
    codes = []
    for n in range(orders // 25 + 1):
        status, body = stack.call(
            "POST", "create-referral", "/referrals", {"customer_id": f"r-{n}", "email": f"r-{n}@example.com"}
        )
        assert status in (200, 201), body
        codes.append(body["code"])

    done = threading.Event()
    kills = 0

    def killer() -> None:
        nonlocal kills
        while not done.wait(rng.uniform(0.1, 0.6)):
            stack.kill()
            kills += 1
            stack.start()

    thread = threading.Thread(target=killer)
    thread.start()
    answered = 0
    for n in range(orders):
        order = {
            "order_id": f"o-{n}",
            "customer_id": f"f-{n}",
            "email": f"f-{n}@example.com",
            "total_cents": 5000,
            "currency": "EUR",
            "referral_code": codes[n // 25],
        }
        try:
            status, _ = stack.call("POST", "reward-referral", "/orders", order)
            answered += status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass  # the stack was down; a storefront would retry, this run replays nothing
        # A storefront's pace, so kills land among requests and deliveries, not after them.
        time.sleep(0.01)
    done.set()
    thread.join()
    if stack.process is None:
        stack.start()

    def settled() -> bool:
        status, body = stack.call("GET", "reward-referral", "/outbox/messages?status=pending&limit=1")
        return status == 200 and body["messages"] == []

    eventually(settled, timeout=120, what="the outbox drained")
    time.sleep(1)
    stack.stop()

    with sqlite3.connect(stack.data_dir / "store.sqlite3") as db:
        owed = [code for (code,) in db.execute("SELECT code FROM coupons")]
    sent = collections.Counter()
    for mail in stack.mails():
        for code in set(COUPON.findall(mail)) & set(owed):
            sent[code] += 1
    return {
        "orders": orders,
        "answered": answered,
        "kills": kills,
        "rewards": len(owed) // 2,
        "mails owed": len(owed),
        "mails sent": sum(sent.values()),
        "sent twice": sum(n - 1 for n in sent.values() if n > 1),
        "lost": sum(1 for code in owed if sent[code] == 0),
    }


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    orders = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    localstack.BINARY = ROOT / "target" / "release" / "local"
    with tempfile.TemporaryDirectory() as folder:
        results = [one_run(seed, orders, Path(folder)) for seed in range(1, runs + 1)]
    columns = list(results[0])
    print("| run | " + " | ".join(columns) + " |")
    print("|---:|" + "---:|" * len(columns))
    for index, result in enumerate(results, 1):
        print(f"| {index} | " + " | ".join(str(result[c]) for c in columns) + " |")
    total = {c: sum(r[c] for r in results) for c in columns}
    print("| **all** | " + " | ".join(f"**{total[c]}**" for c in columns) + " |")
    rate = 1000 * total["sent twice"] / max(total["mails owed"], 1)
    print(f"\nMails sent twice: **{rate:.2f} per 1 000** owed; lost: **{total['lost']}**.")


if __name__ == "__main__":
    main()
