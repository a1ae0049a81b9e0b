"""Bringing customers back, checked from outside: the local stack as a process, its clock moved
ahead with `POST /_local/clock`, mails read from its outbox folder with Python's own MIME parser,
orders arriving as Shopify signs them, the win-back coupon made in the Shopify fake (every request
validated against Shopify's published Admin schema), the stack killed with SIGKILL between the
commit and a due reminder.

Run by scripts/test.sh after `cargo build -p local`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from localstack import STAFF_KEY, LocalStack, eventually

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes"))
from running import ShopifyFake  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RR, CS, SN = "reward-referral", "collect-survey", "score-nps"
SHOPIFY_SECRET = "blackbox-shopify-secret-0123456789"
DAY = 24 * 3600
# The figures' range: from yesterday over the two years the moved clock reaches into.
RANGE = f"from={date.today() - timedelta(days=1)}&to={date.today() + timedelta(days=700)}"


def signature(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class RetentionFlowsTest(unittest.TestCase):
    def setUp(self) -> None:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.data = Path(folder.name) / "data"

    def start(self, **variables: str) -> LocalStack:
        stack = LocalStack(self.data, SHOPIFY_WEBHOOK_SECRET=SHOPIFY_SECRET, **variables)
        self.addCleanup(stack.kill)
        return stack.start()

    def clock(self, stack: LocalStack, advance: int | None = None, content_type: str = "application/json") -> tuple[int, Any]:
        url = f"http://127.0.0.1:{stack.port}/_local/clock"
        data = None if advance is None else json.dumps({"advance_seconds": advance}).encode()
        request = urllib.request.Request(url, data=data, method="GET" if data is None else "POST",
                                         headers={"Content-Type": content_type})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def advance(self, stack: LocalStack, seconds: int) -> str:
        status, body = self.clock(stack, seconds)
        self.assertEqual(status, 200, body)
        return body["now"]

    def subjects(self, stack: LocalStack) -> list[str]:
        return [line[len("Subject: "):] for mail in stack.mails() for line in mail.splitlines() if line.startswith("Subject: ")]

    def retention(self, stack: LocalStack) -> dict[str, Any]:
        stack.counted()
        status, body = stack.call("GET", SN, f"/retention?{RANGE}")
        self.assertEqual(status, 200, body)
        return body

    def test_the_clock_moves_ahead_only_and_survives_a_restart(self) -> None:
        stack = self.start()
        status, before = self.clock(stack)
        self.assertEqual((status, before["offset_seconds"]), (200, 0))
        # A page cannot move it: only a JSON request, which a browser must preflight.
        status, refused = self.clock(stack, 3600, content_type="text/plain")
        self.assertEqual((status, refused["error"]["field"]), (400, "Content-Type"))
        for bad in (-1, 1.5, "60"):
            request = urllib.request.Request(
                f"http://127.0.0.1:{stack.port}/_local/clock", method="POST",
                data=json.dumps({"advance_seconds": bad}).encode(), headers={"Content-Type": "application/json"})
            with self.assertRaises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(request, timeout=10)
            self.assertEqual(caught.exception.code, 400, bad)
        now = datetime.fromisoformat(self.advance(stack, 7 * DAY))
        ahead = (now - datetime.fromisoformat(before["now"])).total_seconds()
        self.assertTrue(7 * DAY <= ahead < 7 * DAY + 60, ahead)
        with urllib.request.urlopen(f"http://127.0.0.1:{stack.port}/", timeout=10) as page:
            self.assertIn(f"{7 * DAY} s</strong> ahead", page.read().decode())
        stack.kill()
        stack.start()
        status, after = self.clock(stack)
        self.assertEqual(after["offset_seconds"], 7 * DAY, "a restart does not turn time back")

    def test_a_due_reminder_is_sent_once_though_the_stack_is_killed_around_it(self) -> None:
        stack = self.start(SURVEY_REMINDER_DAYS="4")
        for order, email in (("r-1", "rita@example.com"), ("r-2", "rolf@example.com")):
            status, body = stack.call("POST", CS, "/surveys", {
                "order_id": order, "customer_id": f"c-{order}", "email": email, "locale": "de"})
            self.assertEqual(status, 201, body)
        mails = eventually(lambda: len(stack.mails()) == 2 and stack.mails(), what="both survey mails")
        rolf = next(m for m in mails if "To: rolf@example.com" in m)
        token = re.search(r"/s/([A-Za-z0-9_-]+)\?score=", rolf).group(1)
        status, _ = stack.call("POST", CS, f"/s/{token}", form="score=9")
        self.assertEqual(status, 200)

        # Killed after the commit, long before the reminder is due; then moved to it and killed
        # again at once, while the step or its mail may be on the way.
        stack.kill()
        stack.start()
        self.advance(stack, 4 * DAY + 60)
        stack.kill()
        stack.start()
        reminders = lambda: [s for s in self.subjects(stack) if s.startswith("Ihre Meinung")]  # noqa: E731
        eventually(reminders, what="the reminder after the restart")
        time.sleep(1.5)
        self.assertEqual(len(reminders()), 1, "sent once, and not to the customer who answered")
        reminder = next(m for m in stack.mails() if m.startswith("To: rita@example.com") or "Subject: Ihre Meinung" in m)
        self.assertIn("To: rita@example.com", reminder)
        self.assertIn("List-Unsubscribe:", reminder)
        self.assertRegex(reminder, r"/s/[A-Za-z0-9_-]+\?score=10")
        self.assertEqual(self.retention(stack)["reminders_sent"], 1)

    def shopify_order(self, stack: LocalStack, shop: ShopifyFake, order_id: int, at: str, codes: list[str] = ()) -> None:
        order = json.loads((FIXTURES / "shopify" / "order.json").read_text())
        order["id"] = order_id
        order["email"] = order["contact_email"] = "wilma@example.com"
        order["customer"]["id"] = 777
        order["customer"]["email"] = order["email"]
        order["created_at"] = order["processed_at"] = at
        order["note_attributes"] = []
        order["customer_locale"] = "en-GB"
        order["discount_codes"] = [{"code": c, "amount": "5.00", "type": "fixed_amount"} for c in codes]
        body = json.dumps(order).encode()
        status, answer = stack.post_raw(RR, "/webhooks/shopify", body, {
            "Content-Type": "application/json",
            "X-Shopify-Topic": "orders/paid",
            "X-Shopify-Hmac-Sha256": signature(SHOPIFY_SECRET, body),
            "X-Shopify-Shop-Domain": shop.domain,
            "X-Shopify-Event-Id": f"event-{order_id}",
        })
        self.assertEqual(status, 200, answer)

    def test_a_lapsed_shopify_customer_is_won_back_with_a_coupon_made_in_shopify(self) -> None:
        shop = ShopifyFake()
        self.addCleanup(shop.stop)
        stack = self.start(WINBACK_DAYS="60", WINBACK_REWARD_CENTS="700", WINBACK_VALID_DAYS="14",
                           **shop.settings())
        now = self.clock(stack)[1]["now"]
        self.shopify_order(stack, shop, 9101, now)
        # A second order 30 days on moves her win-back to 60 days after it.
        self.shopify_order(stack, shop, 9102, self.advance(stack, 30 * DAY))
        self.advance(stack, 45 * DAY)
        time.sleep(1)
        self.assertEqual([s for s in self.subjects(stack) if "miss you" in s], [])
        self.advance(stack, 16 * DAY)
        mail = eventually(lambda: next((m for m in stack.mails() if "We miss you" in m), None), what="the win-back mail")
        self.assertIn("To: wilma@example.com", mail)
        self.assertIn("€7.00", mail)
        self.assertRegex(mail, r"List-Unsubscribe: <http://127\.0\.0\.1:\d+/lambda-url/collect-survey/u/c/777/[A-Za-z0-9_-]{22}>")
        coupon = re.search(r"Your coupon code: ([A-Z0-9]+)", mail).group(1)
        discount = eventually(lambda: next((d for d in shop.discounts() if d["code"] == coupon), None),
                              what="the coupon in Shopify")
        self.assertEqual(discount["input"]["context"], {"customers": {"add": ["gid://shopify/Customer/777"]}})
        self.assertEqual(shop.invalid(), [], "every document valid against Shopify's schema")

        # She orders with it within its validity: won back, once, with the order's revenue.
        self.shopify_order(stack, shop, 9103, self.advance(stack, 3 * DAY), codes=[coupon.lower()])
        self.shopify_order(stack, shop, 9104, self.advance(stack, DAY))
        winback = self.retention(stack)["winback"]
        self.assertEqual(winback, {"sent": 1, "won_back": 1, "rate": 100.0, "margin_of_error": None,
                                   "revenue": {"EUR": 5480}})
        status, headers, page = stack.get_raw(SN, f"/dashboard?{RANGE}", {
            "Authorization": "Basic " + base64.b64encode(f"staff:{STAFF_KEY}".encode()).decode(),
            "Accept-Language": "en"})
        self.assertEqual(status, 200)
        html = page.decode()
        self.assertIn('id="winback-sent">1<', html)
        self.assertIn('id="won-back">1 (100.0 %)<', html)
        self.assertEqual(len([m for m in stack.mails() if "We miss you" in m]), 1)


if __name__ == "__main__":
    unittest.main()
