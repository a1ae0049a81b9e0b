"""Rewards held for review, checked from outside: the local stack as a process with its default
rules, orders arriving as Shopify signs them (`orders/paid`, each carrying `client_details.
browser_ip` and a `shipping_address`), discounts made in the Shopify fake (every request validated
against Shopify's published Admin schema), the queue read and decided over HTTP, the dashboard
read as staff read it, and the data folder searched for the IP and the street afterwards.

Run by scripts/test.sh after `cargo build -p local`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sys
import tempfile
import time
import unittest
from pathlib import Path
from typing import Any

from localstack import STAFF_KEY, LocalStack, eventually

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes"))
from running import ShopifyFake  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CR, RR, SN = "create-referral", "reward-referral", "score-nps"
SHOPIFY_SECRET = "blackbox-shopify-secret-0123456789"
IP = "198.51.100.77"
STREET = "Kastanienallee 9"


def signature(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class ReviewQueueTest(unittest.TestCase):
    def setUp(self) -> None:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.data = Path(folder.name) / "data"
        self.shop = ShopifyFake()
        self.addCleanup(self.shop.stop)
        # The documented defaults for the rules; no hold, so approved coupons are usable at once.
        self.stack = LocalStack(self.data, SHOPIFY_WEBHOOK_SECRET=SHOPIFY_SECRET, REWARD_HOLD_DAYS="0",
                                **self.shop.settings())
        self.addCleanup(self.stack.kill)
        self.stack.start()

    def code(self, customer_id: str) -> str:
        status, body = self.stack.call("POST", CR, "/referrals", {"customer_id": customer_id,
                                                                  "email": f"{customer_id}@example.com"})
        self.assertIn(status, (200, 201), body)
        return body["code"]

    def paid(self, order_id: int, customer: int, code: str | None, ip: str, street: str,
             email: str | None = None) -> dict[str, Any]:
        """A paid Shopify order as Shopify delivers it, from `ip`, shipped to `street`."""
        order = json.loads((FIXTURES / "shopify" / "order.json").read_text())
        order["id"] = order_id
        order["email"] = order["contact_email"] = email or f"buyer{customer}@example.com"
        order["customer"]["id"] = customer
        order["customer"]["email"] = order["email"]
        order["customer"]["first_name"] = f"Buyer{customer}"
        order["browser_ip"] = order["client_details"]["browser_ip"] = ip
        order["shipping_address"].update({"address1": street, "name": f"Buyer{customer} Person{customer}"})
        order["billing_address"] = None
        order["note_attributes"] = [{"name": "ref", "value": code}] if code else []
        body = json.dumps(order).encode()
        status, answer = self.stack.post_raw(RR, "/webhooks/shopify", body, {
            "Content-Type": "application/json",
            "X-Shopify-Topic": "orders/paid",
            "X-Shopify-Hmac-Sha256": signature(SHOPIFY_SECRET, body),
            "X-Shopify-Shop-Domain": self.shop.domain,
            "X-Shopify-Event-Id": f"event-{order_id}",
        })
        self.assertEqual(status, 200, answer)
        return json.loads(answer)

    def coupon_status(self, coupon: str) -> str:
        status, body = self.stack.call("GET", RR, f"/coupons/{coupon}")
        self.assertEqual(status, 200, body)
        return body["status"]

    def discount_codes(self) -> set[str]:
        return {d["code"] for d in self.shop.discounts()}

    def test_orders_from_one_ip_and_one_address_wait_for_a_decision(self) -> None:
        # A throwaway address is rejected outright, and counts toward nothing.
        throwaway = self.paid(8099, 499, self.code("ref-x"), IP, "Weg 0", email="friend@mailinator.com")
        self.assertEqual((throwaway["referral"]["status"], throwaway["referral"]["reason"]),
                         ("rejected", "disposable_email"))
        # Four friends of four referrers order from one IP: the fourth is held.
        answers = [self.paid(8100 + n, 500 + n, self.code(f"ref-{n}"), IP, f"Weg {n}") for n in range(4)]
        self.assertEqual([a["referral"]["status"] for a in answers], ["rewarded"] * 3 + ["review"])
        held = answers[3]
        self.assertEqual(held["referral"]["rules"], ["orders_per_ip"])
        held_coupons = sorted(r["coupon"] for r in held["referral"]["rewards"])
        for coupon in held_coupons:
            self.assertEqual(self.coupon_status(coupon), "review")
        rewarded = {r["coupon"] for a in answers[:3] for r in a["referral"]["rewards"]}
        eventually(lambda: rewarded <= self.discount_codes(), timeout=15, what="the rewarded orders' discounts")
        time.sleep(1)
        self.assertFalse(set(held_coupons) & self.discount_codes(), "no discount while held")
        self.assertFalse([m for m in self.stack.mails() if any(c in m for c in held_coupons)], "no mail while held")

        # A customer who ordered to STREET refers a friend who ships there too, from another IP.
        self.paid(8200, 600, None, "203.0.113.5", STREET)
        home = self.paid(8201, 601, self.code("600"), "203.0.113.6", STREET.upper())
        self.assertEqual((home["referral"]["status"], home["referral"]["rules"]), ("review", ["shipping_address"]))

        # The queue, newest first, without an IP, a street or an address.
        status, queue = self.stack.call("GET", RR, "/reviews?status=open")
        self.assertEqual(status, 200, queue)
        self.assertEqual([r["order_id"] for r in queue["reviews"]], ["8201", "8103"])
        text = json.dumps(queue)
        for secret in (IP, STREET, "Kastanien", "@example.com"):
            self.assertNotIn(secret, text)
        status, headers, page = self.stack.get_raw(SN, "/dashboard", {
            "Authorization": "Basic " + base64.b64encode(f"staff:{STAFF_KEY}".encode()).decode(),
            "Accept-Language": "en"})
        html = page.decode()
        self.assertIn('id="r-8103"', html)
        self.assertIn("many orders from one IP", html)
        self.assertIn("the referrer&#39;s shipping address", html.replace("&#x27;", "&#39;"))

        # Approve the first: its discounts appear in Shopify and both mails go out, once.
        status, approved = self.stack.call("POST", RR, "/reviews/8103", {"decision": "approve", "note": "two flatmates"})
        self.assertEqual((status, approved["status"]), (200, "approved"), approved)
        eventually(lambda: set(held_coupons) <= self.discount_codes(), timeout=15, what="the approved discounts")
        mails = eventually(lambda: (lambda found: len(found) == 2 and found)(
            [m for m in self.stack.mails() if any(c in m for c in held_coupons)]), what="both reward mails")
        self.assertEqual(len(mails), 2)
        for coupon in held_coupons:
            self.assertEqual(self.coupon_status(coupon), "available")
        status, again = self.stack.call("POST", RR, "/reviews/8103", {"decision": "reject"})
        self.assertEqual((status, again["error"]["code"]), (409, "already_decided"))

        # Reject the second: its coupons are revoked, nothing reaches Shopify.
        status, rejected = self.stack.call("POST", RR, "/reviews/8201", {"decision": "reject"})
        self.assertEqual((status, rejected["status"]), (200, "rejected"), rejected)
        home_coupons = [r["coupon"] for r in home["referral"]["rewards"]]
        for coupon in home_coupons:
            self.assertEqual(self.coupon_status(coupon), "revoked")
        time.sleep(1)
        self.assertFalse(set(home_coupons) & self.discount_codes())
        self.assertEqual(self.shop.invalid(), [], "every document valid against Shopify's schema")

        # Nowhere in the data folder: the IP, the street.
        self.stack.kill()
        for path in self.data.rglob("*"):
            if path.is_file():
                raw = path.read_bytes()
                for secret in (IP.encode(), STREET.encode(), b"Kastanienallee"):
                    self.assertNotIn(secret, raw, f"{secret!r} in {path}")


if __name__ == "__main__":
    unittest.main()
