"""The friend's offer, checked from outside: the local stack as a process with the offer as
shipped (FRIEND_REWARD unset) and the Shopify fake (every request validated against Shopify's
published 2026-10 Admin schema). The share link is opened like a browser would (the page parsed
with Python's own HTML parser, its form submitted as a browser encodes it), the friend's discount
exists in Shopify before any order, and the friend's paid order, delivered as Shopify signs it and
redelivered, rewards the referrer once. The referrer's own address, an existing customer, a
repeat and concurrent claims are handled as docs/friend-offer.md says.

Run by scripts/test.sh after `cargo build -p local`.
"""

from __future__ import annotations

import base64
import concurrent.futures
import hashlib
import hmac
import json
import sys
import tempfile
import unittest
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from localstack import BROWSER, LocalStack, eventually

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes"))
from running import ShopifyFake  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CR, RR = "create-referral", "reward-referral"
SHOPIFY_SECRET = "blackbox-shopify-secret-0123456789"


class Page(HTMLParser):
    """What a visitor sees and can do on a page: its language, heading, form, code and links."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.lang = ""
        self.scripts = 0
        self.heading = ""
        self.form: dict[str, str] | None = None
        self.inputs: list[dict[str, str]] = []
        self.code = ""
        self.links: dict[str, str] = {}
        self._in: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.lang = attributes.get("lang", "")
        elif tag == "script":
            self.scripts += 1
        elif tag == "h1":
            self._in = "h1"
        elif tag == "form":
            self.form = attributes
        elif tag == "input":
            self.inputs.append(attributes)
        elif tag == "p" and attributes.get("id") == "code":
            self._in = "code"
        elif tag == "a" and "id" in attributes:
            self.links[attributes["id"]] = attributes.get("href", "")

    def handle_data(self, data: str) -> None:
        if self._in == "h1":
            self.heading += data
        elif self._in == "code":
            self.code += data

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "p"):
            self._in = None


def signature(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class FriendOfferTest(unittest.TestCase):
    def setUp(self) -> None:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.shop = ShopifyFake()
        self.addCleanup(self.shop.stop)
        # As shipped: FRIEND_REWARD unset is first_order (the harness's own default is not).
        self.stack = LocalStack(
            Path(folder.name) / "data",
            SHOPIFY_WEBHOOK_SECRET=SHOPIFY_SECRET,
            REWARD_HOLD_DAYS="0",
            FRIEND_REWARD="",
            **self.shop.settings(),
        )
        self.addCleanup(self.stack.kill)
        self.stack.start()

    def browse(self, url: str, form: dict[str, str] | None = None, language: str = "de-DE,de;q=0.9") -> tuple[int, dict[str, str], Page]:
        """A browser's GET, or its POST of a form, without following a redirect."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        headers = {"Accept-Language": language, "Accept": "text/html", "User-Agent": BROWSER}
        if data is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        opener = urllib.request.build_opener(NoRedirect)
        request = urllib.request.Request(url, data=data, headers=headers)
        try:
            with opener.open(request, timeout=30) as answer:
                return answer.status, dict(answer.headers.items()), Page(answer.read().decode())
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers.items()), Page(error.read().decode())

    def claim(self, link: str, email: str, language: str = "en-GB,en;q=0.8") -> tuple[int, Page]:
        """Opens the link, fills in the form's one field and submits it where the form says."""
        status, _, page = self.browse(link, language=language)
        self.assertEqual(status, 200)
        self.assertIsNotNone(page.form)
        self.assertEqual(page.form["method"], "post")
        fields = [i for i in page.inputs if i.get("type") != "hidden"]
        self.assertEqual([(i["name"], i["type"]) for i in fields], [("email", "email")])
        target = urllib.parse.urljoin(link, page.form.get("action", "") or link)
        status, _, answer = self.browse(target, {"email": email}, language)
        return status, answer

    def referral(self, customer_id: str, email: str) -> dict[str, Any]:
        status, body = self.stack.call("POST", CR, "/referrals", {"customer_id": customer_id, "email": email})
        self.assertIn(status, (200, 201), body)
        return body

    def paid_order(self, order_id: int, email: str, discount_code: str) -> dict[str, Any]:
        order = json.loads((FIXTURES / "shopify" / "order.json").read_text())
        order["id"] = order_id
        order["email"] = order["contact_email"] = email
        order["customer"]["id"] = order_id + 1
        order["customer"]["email"] = email
        order["landing_site"] = "/"
        order["note_attributes"] = []
        order["discount_codes"] = [{"code": discount_code.lower(), "amount": "10.00", "type": "fixed_amount"}]
        return order

    def deliver(self, order: dict[str, Any], event_id: str) -> dict[str, Any]:
        body = json.dumps(order).encode()
        status, answer = self.stack.post_raw(RR, "/webhooks/shopify", body, {
            "Content-Type": "application/json",
            "X-Shopify-Topic": "orders/paid",
            "X-Shopify-Hmac-Sha256": signature(SHOPIFY_SECRET, body),
            "X-Shopify-Shop-Domain": self.shop.domain,
            "X-Shopify-Event-Id": event_id,
        })
        self.assertEqual(status, 200, answer)
        return json.loads(answer)

    def test_the_share_link_to_the_checkout_and_the_referrers_reward_once(self) -> None:
        link = self.referral("max", "max.muster@gmail.com")["link"]

        status, headers, page = self.browse(link)
        self.assertEqual(status, 200)
        self.assertEqual(page.lang, "de")
        self.assertEqual(page.heading, "10,00 € Rabatt auf Ihre erste Bestellung")
        self.assertEqual(page.scripts, 0)
        self.assertTrue({k.lower(): v for k, v in headers.items()}["content-security-policy"].startswith("default-src 'none'"))

        status, code_page = self.claim(link, "lea@example.com")
        self.assertEqual(status, 200)
        coupon = code_page.code
        self.assertEqual(len(coupon), 12, coupon)
        self.assertEqual(code_page.links["shop"], f"https://shop.example/discount/{coupon}?redirect=/")

        # The discount exists in Shopify before any order: the friend's checkout accepts it.
        discount = eventually(lambda: [d for d in self.shop.discounts() if d["code"] == coupon],
                              timeout=10, what="the friend's discount in Shopify")[0]
        self.assertEqual(discount["input"]["minimumRequirement"], {"subtotal": {"greaterThanOrEqualToSubtotal": "20.00"}})
        self.assertEqual(discount["input"]["usageLimit"], 1)
        self.assertEqual(self.shop.invalid(), [])
        mail = eventually(lambda: [m for m in self.stack.mails() if coupon in m], what="the friend's mail")[0]
        self.assertIn("lea@example.com", mail)

        # The friend's paid order with the code, no ?ref= anywhere: the referrer is rewarded once,
        # however often Shopify delivers it.
        order = self.paid_order(7001, "lea@example.com", coupon)
        first = self.deliver(order, "e-7001")
        self.assertEqual(first["referral"]["status"], "rewarded", first)
        self.assertEqual([r["beneficiary"] for r in first["referral"]["rewards"]], ["referrer"])
        self.assertEqual(first["coupons"], [{"code": coupon, "status": "redeemed"}])
        with concurrent.futures.ThreadPoolExecutor(10) as pool:
            replays = list(pool.map(lambda n: self.deliver(order, f"e-7001-{n}"), range(10)))
        for replay in replays:
            self.assertEqual(replay["referral"], first["referral"])
        self.stack.counted()
        status, stats = self.stack.call("GET", CR, "/referrals/max")
        # She opened the link twice (to look, then to claim): one visitor within the hour.
        self.assertEqual((stats["clicks"], stats["conversions"]), (1, 1), stats)
        eventually(lambda: len(self.shop.discounts()) == 2, timeout=10, what="the referrer's discount")

    def test_refusals_repeats_and_concurrent_claims(self) -> None:
        link = self.referral("max", "max.muster@gmail.com")["link"]
        code = link.rsplit("/", 1)[1]

        # The referrer's own address under an alias.
        status, page = self.claim(link, "M.a.x.Muster+friends@googlemail.com")
        self.assertEqual((status, page.heading), (422, "This is your own link"))

        # An existing customer.
        status, body = self.stack.call("POST", RR, "/orders", {
            "order_id": "old-1", "customer_id": "old", "email": "old@example.com",
            "total_cents": 3000, "currency": "EUR",
        })
        self.assertEqual(status, 200, body)
        status, page = self.claim(link, "old@example.com", "de")
        self.assertEqual((status, page.heading), (422, "Sie haben schon bei uns bestellt"))

        # A repeat, and twenty claims of one person at once through the storefront's route.
        status, first = self.claim(link, "nina@example.com")
        status, again = self.claim(link, "Nina+again@example.com")
        self.assertEqual(again.code, first.code)
        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(
                lambda n: self.stack.call("POST", CR, f"/referrals/{code}/claims", {"email": f"olga+{n}@example.com"}),
                range(20),
            ))
        self.assertEqual(sorted(status for status, _ in answers), [200] * 19 + [201])
        self.assertEqual(len({body["coupon"] for _, body in answers}), 1)

        # Nothing was created for a refusal: two people, two discounts.
        eventually(lambda: len(self.shop.discounts()) == 2, timeout=10, what="two discounts")
        self.stack.counted()
        status, funnel = self.stack.call("GET", "score-nps", "/referrals/stats")
        self.assertEqual(funnel["claims"], 2, funnel)


if __name__ == "__main__":
    unittest.main()
