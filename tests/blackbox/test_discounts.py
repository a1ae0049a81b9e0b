"""Coupons as discount codes in the shop's platform, checked from outside: the local stack as a
process, configured by exactly the documented variables, against the Shopify fake (every request
validated against Shopify's published 2026-10 Admin schema) and the WooCommerce fake; killed with
SIGKILL between the commit and the delivery, then restarted.

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

from localstack import LocalStack, eventually

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes"))
from running import ShopifyFake, WooCommerceFake  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CR, RR = "create-referral", "reward-referral"
SHOPIFY_SECRET = "blackbox-shopify-secret-0123456789"


def signature(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class DiscountsTest(unittest.TestCase):
    def setUp(self) -> None:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.data = Path(folder.name) / "data"

    def stack_for(self, platform: dict[str, str], **extra: str) -> LocalStack:
        stack = LocalStack(
            self.data,
            SHOPIFY_WEBHOOK_SECRET=SHOPIFY_SECRET,
            REWARD_HOLD_DAYS="0",
            **platform,
            **extra,
        )
        self.addCleanup(stack.kill)
        return stack.start()

    def shopify_order(self, stack: LocalStack, shop: ShopifyFake, order_id: int) -> list[str]:
        """A friend's paid Shopify order on a new referrer's code, delivered as Shopify signs it:
        its two coupons."""
        status, referral = stack.call(
            "POST", CR, "/referrals", {"customer_id": f"ref-{order_id}", "email": f"r{order_id}@example.com"}
        )
        self.assertIn(status, (200, 201), referral)
        order = json.loads((FIXTURES / "shopify" / "order.json").read_text())
        order["id"] = order_id
        order["email"] = order["contact_email"] = f"f{order_id}@example.com"
        order["customer"]["id"] = order_id + 1
        order["customer"]["email"] = order["email"]
        order["note_attributes"] = [{"name": "ref", "value": referral["code"]}]
        body = json.dumps(order).encode()
        status, answer = stack.post_raw(RR, "/webhooks/shopify", body, {
            "Content-Type": "application/json",
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Hmac-Sha256": signature(SHOPIFY_SECRET, body),
            "X-Shopify-Shop-Domain": shop.domain,
            "X-Shopify-Event-Id": f"event-{order_id}",
        })
        self.assertEqual(status, 200, answer)
        rewards = json.loads(answer)["referral"]["rewards"]
        return sorted(r["coupon"] for r in rewards)

    def test_a_shopify_order_webhook_becomes_two_discounts_within_seconds(self) -> None:
        shop = ShopifyFake()
        self.addCleanup(shop.stop)
        stack = self.stack_for(shop.settings())
        coupons = self.shopify_order(stack, shop, 5101)
        started = time.monotonic()
        discounts = eventually(lambda: len(shop.discounts()) == 2 and shop.discounts(), timeout=10,
                               what="both discounts in Shopify")
        print(f"\n  both discounts in Shopify {time.monotonic() - started:.2f} s after the answer", file=sys.stderr)
        self.assertEqual(sorted(d["code"] for d in discounts), coupons)
        friend = next(d for d in discounts if "friend" in d["input"]["title"])
        self.assertEqual(friend["input"]["context"], {"customers": {"add": ["gid://shopify/Customer/5102"]}})
        self.assertEqual(shop.invalid(), [], "every document valid against Shopify's schema")

    def test_a_sigkill_between_commit_and_delivery_still_makes_exactly_two(self) -> None:
        shop = ShopifyFake()
        self.addCleanup(shop.stop)
        # Shopify down: the creates are committed, attempted and refused, never delivered.
        shop.outage(503, -1)
        stack = self.stack_for(shop.settings(), OUTBOX_RETRY_SECONDS=",".join(["4"] * 20))
        coupons = self.shopify_order(stack, shop, 5201)
        eventually(lambda: sum(r["status"] == 503 for r in shop.requests()) >= 2, what="creates refused before the kill")
        # Killed once both refusals are recorded and before the next attempts (2-4 s later), so
        # no claim is held; a claim held at a kill runs out after 60 s (test_outbox covers it).
        time.sleep(0.5)
        stack.kill()
        shop.outage(503, 0)
        stack.start()
        discounts = eventually(lambda: len(shop.discounts()) == 2 and shop.discounts(), timeout=20,
                               what="both discounts after the restart")
        time.sleep(3)
        self.assertEqual(len(shop.discounts()), 2)
        self.assertEqual(sorted(d["code"] for d in discounts), coupons)
        created = [r for r in shop.requests() if "discountCodeBasicCreate" in json.dumps(r.get("operation")) and r["status"] == 200]
        self.assertEqual(len(created), 2, "no create replayed after it succeeded")

    def test_a_woocommerce_shop_gets_coupons_restricted_to_each_address(self) -> None:
        woo = WooCommerceFake()
        self.addCleanup(woo.stop)
        stack = self.stack_for(woo.settings())
        status, referral = stack.call("POST", CR, "/referrals", {"customer_id": "anna", "email": "anna@example.com"})
        self.assertIn(status, (200, 201), referral)
        status, answer = stack.call("POST", RR, "/orders", {
            "order_id": "w-1", "customer_id": "ben", "email": "ben@example.com",
            "total_cents": 5000, "currency": "EUR", "referral_code": referral["code"],
        })
        self.assertEqual(status, 200, answer)
        coupons = eventually(lambda: len(woo.coupons()) == 2 and woo.coupons(), timeout=10, what="both coupons in WooCommerce")
        restricted = sorted((c["code"], c["email_restrictions"]) for c in coupons)
        expected = sorted(
            (r["coupon"].lower(), ["anna@example.com" if r["beneficiary"] == "referrer" else "ben@example.com"])
            for r in answer["referral"]["rewards"]
        )
        self.assertEqual(restricted, expected)


if __name__ == "__main__":
    unittest.main()
