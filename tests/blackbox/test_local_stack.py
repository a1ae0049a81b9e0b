"""The local stack as a process, checked from outside: each key opens only its role's routes,
a customer's own orders sent at once never fail, only loopback `Host` values are answered, and
what the stack writes into its data folder is readable by its owner only.

Run by scripts/test.sh after `cargo build -p local`.
"""

from __future__ import annotations

import http.client
import stat
import tempfile
import threading
import time
import unittest
from collections import Counter
from pathlib import Path

from localstack import API_KEY, PRIVACY_KEY, STAFF_KEY, LocalStack

CR, RR, CS, SN, CD = "create-referral", "reward-referral", "collect-survey", "score-nps", "customer-data"


class LocalStackTest(unittest.TestCase):
    def setUp(self) -> None:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        # A folder the stack creates, as on a fresh clone.
        self.stack = LocalStack(Path(folder.name) / "data")
        self.addCleanup(self.stack.kill)
        self.stack.start()

    def request(self, method: str, path: str, key: str | None = None, host: str | None = None,
                body: bytes | None = None) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.stack.port, timeout=30)
        headers = {"Host": host or f"127.0.0.1:{self.stack.port}", "Content-Type": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            return answer.status, answer.read()
        finally:
            connection.close()

    def test_each_key_opens_only_its_roles_routes(self) -> None:
        routes = [
            ("GET", f"/lambda-url/{CR}/referrals/nobody", API_KEY),
            ("POST", f"/lambda-url/{RR}/orders", API_KEY),
            ("GET", f"/lambda-url/{RR}/outbox/messages", STAFF_KEY),
            ("GET", f"/lambda-url/{SN}/nps", STAFF_KEY),
            ("GET", f"/lambda-url/{SN}/responses?format=csv", STAFF_KEY),
            ("POST", f"/lambda-url/{CS}/responses/srv_00000000000000000000000000000000/follow-up", STAFF_KEY),
            ("GET", f"/lambda-url/{CD}/customers/nobody/export", PRIVACY_KEY),
            ("DELETE", f"/lambda-url/{CD}/customers/nobody", PRIVACY_KEY),
        ]
        for method, path, own in routes:
            for key in (API_KEY, STAFF_KEY, PRIVACY_KEY):
                status, body = self.request(method, path, key, body=b"{}")
                if key == own:
                    self.assertNotEqual(status, 401, f"{method} {path} refused its own role's key")
                else:
                    self.assertEqual(status, 401, f"{method} {path} took another role's key: {body[:200]!r}")

    def test_distinct_orders_of_one_customer_sent_at_once_never_fail(self) -> None:
        """8 connections post different orders of one customer for 4 seconds."""
        statuses: Counter[int] = Counter()
        lock = threading.Lock()
        deadline = time.monotonic() + 4.0

        def post_orders(worker: int) -> None:
            n = 0
            while time.monotonic() < deadline:
                body = (f'{{"order_id": "busy-{worker}-{n}", "customer_id": "busy-customer", '
                        f'"email": "busy@example.com", "total_cents": 1999, "currency": "EUR"}}').encode()
                status, _ = self.request("POST", f"/lambda-url/{RR}/orders", API_KEY, body=body)
                with lock:
                    statuses[status] += 1
                n += 1

        workers = [threading.Thread(target=post_orders, args=(w,)) for w in range(8)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        print(f"\n  8 connections, 4 s, one customer: {dict(statuses)}")
        self.assertEqual(set(statuses), {200}, statuses)
        status, export = self.stack.call("GET", CD, "/customers/busy-customer/export")
        self.assertEqual(export["profiles"][0]["order_count"], sum(statuses.values()), "every order counted once")

    def test_only_loopback_hosts_are_answered(self) -> None:
        port = self.stack.port
        # A page on attacker.example rebinding its name to 127.0.0.1 sends its own name.
        for host in (f"attacker.example:{port}", "localhost", f"127.0.0.1.nip.io:{port}"):
            for path in ("/", f"/lambda-url/{SN}/nps"):
                status, body = self.request("GET", path, STAFF_KEY, host=host)
                self.assertEqual(status, 421, f"{host} {path}: {body[:200]!r}")
                self.assertIn(b"misdirected_request", body)
                self.assertNotIn(API_KEY.encode(), body)
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"):
            status, body = self.request("GET", "/", host=host)
            self.assertEqual(status, 200, host)

    def test_the_data_folder_is_readable_by_its_owner_only(self) -> None:
        status, body = self.stack.call("POST", CR, "/referrals", {"customer_id": "c-1", "email": "ada@example.com"})
        self.assertEqual(status, 201, body)
        status, _ = self.stack.call("POST", RR, "/orders", {
            "order_id": "o-1", "customer_id": "c-2", "email": "ben@example.com",
            "total_cents": 5990, "currency": "EUR", "referral_code": body["code"]})
        self.assertEqual(status, 200)
        outbox = self.stack.data_dir / "outbox"
        mails = lambda: sorted(outbox.glob("*.eml")) if outbox.is_dir() else []  # noqa: E731
        deadline = time.monotonic() + 10
        while len(mails()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(len(mails()), 2, "the two reward mails")
        mode = lambda path: stat.S_IMODE(path.stat().st_mode)  # noqa: E731
        self.assertEqual(oct(mode(self.stack.data_dir)), oct(0o700))
        self.assertEqual(oct(mode(outbox)), oct(0o700))
        files = [p for p in [*self.stack.data_dir.iterdir(), *outbox.iterdir()] if p.is_file()]
        self.assertGreaterEqual(len(files), 5, files)
        for path in files:
            self.assertEqual(oct(mode(path)), oct(0o600), path)

    def test_the_console_says_when_the_outbox_cannot_be_read(self) -> None:
        self.stack.block_mail()
        status, page = self.request("GET", "/")
        self.assertEqual(status, 200, page[:300])
        self.assertIn(b"Outbox unreadable", page)


if __name__ == "__main__":
    unittest.main()
