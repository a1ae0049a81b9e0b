"""Shopify's and WooCommerce's order webhooks, checked from outside: the local stack as a process,
payloads in each platform's documented shape (tests/fixtures) signed with Python's own hmac, and
the `reward.issued` events the shop's endpoint receives, verified with `standardwebhooks`.

Run by scripts/test.sh after `cargo build -p local`.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import secrets
import sys
import tempfile
import time
import unittest
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from localstack import LocalStack, eventually

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "deployed"))
from receiver import Receiver  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CR, RR, CS = "create-referral", "reward-referral", "collect-survey"
SHOPIFY_SECRET = "blackbox-shopify-secret-0123456789"
WOO_SECRET = "blackbox-woocommerce-secret-0123456789"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def signature(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class PlatformsTest(unittest.TestCase):
    def setUp(self) -> None:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        whsec = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
        self.receiver = Receiver([whsec])
        url = self.receiver.start()
        self.addCleanup(self.receiver.stop)
        self.stack = LocalStack(
            Path(folder.name) / "data",
            WEBHOOK_URL=url,
            WEBHOOK_SECRET=whsec,
            SHOPIFY_WEBHOOK_SECRET=SHOPIFY_SECRET,
            WOOCOMMERCE_WEBHOOK_SECRET=WOO_SECRET,
            REWARD_HOLD_DAYS="0",
        )
        self.addCleanup(self.stack.kill)
        self.stack.start()

    def code(self, customer: str) -> str:
        status, body = self.stack.call("POST", CR, "/referrals", {"customer_id": customer, "email": f"{customer}@example.com"})
        self.assertIn(status, (200, 201), body)
        return body["code"]

    def shopify(self, function: str, topic: str, event: str, payload: dict[str, Any], secret: str = SHOPIFY_SECRET) -> tuple[int, bytes]:
        body = json.dumps(payload).encode()
        return self.stack.post_raw(function, "/webhooks/shopify", body, {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": signature(secret, body),
            "X-Shopify-Shop-Domain": "demo-shop.myshopify.com",
            "X-Shopify-Event-Id": event,
        })

    def woocommerce(self, function: str, topic: str, delivery: str, payload: dict[str, Any]) -> tuple[int, bytes]:
        body = json.dumps(payload).encode()
        return self.stack.post_raw(function, "/webhooks/woocommerce", body, {
            "Content-Type": "application/json",
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Signature": signature(WOO_SECRET, body),
            "X-WC-Webhook-Delivery-ID": delivery,
        })

    def rewarded_order(self, order_id: int, email: str, referrer: str) -> list[str]:
        """A friend's first order on a new referrer's code, through Shopify: its two coupons."""
        order = self.shopify_order(order_id, email, self.code(referrer))
        _, body = self.shopify(RR, "orders/create", f"rewarded-{order_id}", order)
        return [r["coupon"] for r in json.loads(body)["referral"]["rewards"]]

    def coupon_statuses(self, coupons: list[str]) -> list[str]:
        return [self.stack.call("GET", RR, f"/coupons/{coupon}")[1]["status"] for coupon in coupons]

    def issued_for(self, order_id: str) -> list[Any]:
        return [d for d in self.receiver.accepted()
                if d.event["type"] == "reward.issued" and d.event["data"]["order_id"] == order_id]

    @staticmethod
    def shopify_order(order_id: int, email: str, code: str | None = None) -> dict[str, Any]:
        order = fixture("shopify/order.json")
        order["id"] = order_id
        order["email"] = order["contact_email"] = email
        order["customer"]["id"] = order_id + 1
        order["customer"]["email"] = email
        order["landing_site"] = "/"
        if code:
            order["note_attributes"] = [{"name": "ref", "value": code}]
        return order

    def test_a_shopify_order_in_is_a_signed_reward_event_out(self) -> None:
        code = self.code("rita")
        order = self.shopify_order(5987654321098765432, "anna.schmidt@example.com", code)
        tampered = json.dumps({**order, "current_total_price": "5480.00"}).encode()
        status, _ = self.stack.post_raw(RR, "/webhooks/shopify", tampered, {
            "Content-Type": "application/json", "X-Shopify-Topic": "orders/create",
            "X-Shopify-Hmac-Sha256": signature(SHOPIFY_SECRET, json.dumps(order).encode())})
        self.assertEqual(status, 401)
        status, _ = self.stack.call("POST", RR, "/orders/5987654321098765432/refund")
        self.assertEqual(status, 404, "a refused delivery records nothing")

        status, first = self.shopify(RR, "orders/create", "evt-1", order)
        self.assertEqual(status, 200, first)
        answer = json.loads(first)
        self.assertEqual(answer["order_id"], "5987654321098765432")
        self.assertEqual(answer["referral"]["status"], "rewarded")
        issued = eventually(lambda: len(self.issued_for("5987654321098765432")) == 2 and self.issued_for("5987654321098765432"),
                            what="reward.issued for both sides")
        self.assertEqual(sorted(d.event["data"]["beneficiary"] for d in issued), ["friend", "referrer"])

        # Shopify retries the same event after a crash of ours: killed, restarted, redelivered.
        self.stack.kill()
        self.stack.start()
        status, again = self.shopify(RR, "orders/create", "evt-1", order)
        self.assertEqual((status, again), (200, first))
        status, paid = self.shopify(RR, "orders/paid", "evt-2", order)
        self.assertEqual(json.loads(paid)["referral"], answer["referral"])
        eventually(lambda: len(self.stack.mails()) >= 2, what="the reward mails")
        self.assertEqual(len(self.issued_for("5987654321098765432")), 2, "still one event per side")

    def test_concurrent_redeliveries_reward_one_pair(self) -> None:
        code = self.code("rolf")
        order = self.shopify_order(1111, "dana@example.com", code)
        with ThreadPoolExecutor(max_workers=12) as pool:
            answers = list(pool.map(lambda i: self.shopify(RR, "orders/create" if i % 2 else "orders/paid", f"c-{i}", order), range(12)))
        self.assertTrue(all(status == 200 for status, _ in answers), answers)
        self.assertEqual({json.dumps(json.loads(body)["referral"], sort_keys=True) for _, body in answers}.__len__(), 1)
        eventually(lambda: len(self.issued_for("1111")) == 2, what="two reward.issued")

    def test_partial_then_full_refund(self) -> None:
        coupons = self.rewarded_order(2222, "erik@example.com", "rena")
        refund = fixture("shopify/refund.json")
        refund["order_id"] = 2222
        status, body = self.shopify(RR, "refunds/create", "r-1", refund)
        self.assertEqual(status, 200, body)
        self.assertEqual((json.loads(body)["rewards_revoked"], json.loads(body)["net_total_minor"]), (False, 4480))
        rest = copy.deepcopy(refund)
        rest["id"] = refund["id"] + 1
        rest["transactions"][0]["amount"] = "44.80"
        status, body = self.shopify(RR, "refunds/create", "r-2", rest)
        self.assertTrue(json.loads(body)["rewards_revoked"], body)
        self.assertEqual(self.coupon_statuses(coupons), ["revoked", "revoked"])

    def test_woocommerce_ping_order_coupon_and_refund(self) -> None:
        status, body = self.stack.post_raw(RR, "/webhooks/woocommerce", b"webhook_id=7",
                                           {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual((status, json.loads(body)["ignored"]), (200, "ping"))
        code = self.code("wanda")
        order = fixture("woocommerce/order.json")
        order["meta_data"].append({"id": 1, "key": "ref", "value": code})
        status, body = self.woocommerce(RR, "order.created", "w-1", order)
        answer = json.loads(body)
        self.assertEqual((status, answer["referral"]["status"]), (200, "rewarded"), answer)
        friend_coupon = answer["referral"]["rewards"][1]["coupon"]

        second = fixture("woocommerce/order.json")
        second["id"] = 800
        second["coupon_lines"] = [{"id": 9, "code": friend_coupon.lower(), "discount": "15.00", "discount_tax": "0.00", "meta_data": []}]
        status, body = self.woocommerce(RR, "order.created", "w-2", second)
        self.assertEqual(json.loads(body)["coupons"], [{"code": friend_coupon, "status": "redeemed"}], body)

        order["status"] = "refunded"
        status, body = self.woocommerce(RR, "order.updated", "w-3", order)
        statuses = sorted(r["status"] for r in json.loads(body)["rewards"])
        self.assertEqual(statuses, ["redeemed", "revoked"], body)

    def test_fulfilment_sends_the_survey(self) -> None:
        order = self.shopify_order(3333, "sven@example.com")
        order["fulfillment_status"] = "fulfilled"
        status, body = self.shopify(CS, "orders/fulfilled", "f-1", order)
        self.assertEqual((status, json.loads(body)["status"]), (200, "sent"), body)
        mails = eventually(lambda: [m for m in self.stack.mails() if "sven@example.com" in m], what="the survey mail")
        self.assertEqual(len(mails), 1)

    def test_a_signed_order_replayed_under_another_topic_changes_nothing(self) -> None:
        """Shopify signs the body, not the topic: an order body is no privacy request, and an
        unfulfilled order asks for no survey, whatever the header says."""
        order = self.shopify_order(4444, "ida@example.com")
        self.assertEqual(self.shopify(RR, "orders/create", "x-1", order)[0], 200)
        status, body = self.stack.call("GET", "customer-data", "/customers/4445/export")
        self.assertEqual(status, 200, body)
        for topic in ("customers/redact", "customers/data_request", "shop/redact"):
            status, answer = self.shopify("customer-data", topic, f"x-{topic}", order)
            self.assertEqual(status, 400, answer)
        status, after = self.stack.call("GET", "customer-data", "/customers/4445/export")
        self.assertEqual((status, after["profiles"][0]["email"]), (200, "ida@example.com"), "nobody erased")
        status, answer = self.shopify(CS, "orders/fulfilled", "x-survey", order)
        self.assertEqual((status, json.loads(answer)["ignored"]), (200, "not_fulfilled"))
        self.assertEqual([m for m in self.stack.mails() if "ida@example.com" in m], [], "no survey mail")

    def test_an_order_is_rewarded_once_paid_and_revoked_once_cancelled(self) -> None:
        code = self.code("bea")
        order = self.shopify_order(5555, "jan@example.com", code)
        order["financial_status"] = "pending"
        status, body = self.shopify(RR, "orders/create", "u-1", order)
        self.assertEqual((json.loads(body)["handled"], json.loads(body)["status"]), ("undecided_order", "awaiting_payment"), body)
        self.assertEqual(self.issued_for("5555"), [], "no reward before the payment")
        paid = {**order, "financial_status": "paid"}
        status, body = self.shopify(RR, "orders/paid", "u-2", paid)
        rewards = json.loads(body)["referral"]["rewards"]
        eventually(lambda: len(self.issued_for("5555")) == 2, what="reward.issued once paid")
        cancelled = {**paid, "cancelled_at": "2026-11-21T10:00:00+01:00", "financial_status": "refunded"}
        status, body = self.shopify(RR, "orders/cancelled", "u-3", cancelled)
        self.assertEqual(json.loads(body)["status"], "revoked", body)
        self.assertEqual(self.coupon_statuses([r["coupon"] for r in rewards]), ["revoked", "revoked"])

        # Cancelled before its payment: a payment reported later rewards nobody.
        other = self.shopify_order(6666, "kai@example.com", code)
        other["financial_status"] = "pending"
        self.shopify(RR, "orders/create", "v-1", other)
        self.shopify(RR, "orders/cancelled", "v-2", {**other, "cancelled_at": "2026-11-21T11:00:00+01:00", "financial_status": "voided"})
        status, body = self.shopify(RR, "orders/paid", "v-3", {**other, "financial_status": "paid"})
        self.assertEqual((json.loads(body)["handled"], json.loads(body)["status"]), ("undecided_order", "closed"), body)
        self.assertEqual(self.issued_for("6666"), [])

    def test_a_refund_in_another_currency_is_not_counted(self) -> None:
        coupons = self.rewarded_order(7777, "lea@example.com", "cleo")
        refund = fixture("shopify/refund.json")
        refund["order_id"] = 7777
        refund["transactions"][0]["amount"] = "4000"
        refund["transactions"][0]["currency"] = "JPY"
        status, body = self.shopify(RR, "refunds/create", "y-1", refund)
        self.assertEqual((status, json.loads(body)["ignored"]), (200, "unusable_total"), body)
        self.assertEqual(self.coupon_statuses(coupons), ["available", "available"])

    def test_seventy_thousand_discount_codes_are_answered_within_shopifys_limit(self) -> None:
        order = self.shopify_order(8888, "mo@example.com")
        order["discount_codes"] = [{"code": f"X{n}"} for n in range(70_000)]
        started = time.monotonic()
        status, body = self.shopify(RR, "orders/create", "z-1", order)
        took = time.monotonic() - started
        self.assertEqual(status, 200, body[:300])
        self.assertEqual(json.loads(body)["codes_not_examined"], {"count": 69_900, "reason": "too_many_codes"})
        print(f"\n  a {len(json.dumps(order)) // 1024} KiB order with 70 000 discount codes answered in {took:.3f} s")
        # Shopify waits 5 s for an answer, then retries the delivery.
        self.assertLess(took, 5.0)


if __name__ == "__main__":
    unittest.main()
