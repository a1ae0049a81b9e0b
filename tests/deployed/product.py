"""The whole product once, through the deployed function URLs, as the storefront and customers use it.

Every call runs in the emulator as the deployed function, with that function's IAM role, so a
step that needs an action its role lacks fails here with the function's 500 (and AccessDenied in
the function's log). Mails and webhook events leave through the outbox: the table's stream, the
event source mapping and deliver-outbox, so the checks on them wait for delivery.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import json
import re
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sys

from function_urls import FunctionUrls, Response
from receiver import Receiver

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes"))
from running import ShopifyFake  # noqa: E402

SHOP_URL = "https://shop.example"
MAIL_FROM = "shop@shop.example"
SUPPORT_EMAIL = "support@shop.example"
REWARD_CENTS = 1000  # the template's default for both sides
DEFAULT_RANGE_DAYS = 30  # score-nps reports on the last 30 days without from/to
REFERRER_EMAIL = "anna@example.com"
# A share link's click counts only from a browser (docs/api.md, *Clicks that are people*).
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
# The stack's ShopifyWebhookSecret; Shopify's order webhooks are signed with it below.
SHOPIFY_SECRET = "deployed-shopify-secret-0123456789"
SHOPIFY_ORDER = Path(__file__).resolve().parents[1] / "fixtures" / "shopify" / "order.json"
OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


# How long a mail or event may take through stream, mapping and deliver-outbox in the emulator.
DELIVERY_SECONDS = 45.0


class StepFailed(AssertionError):
    pass


def eventually(check: Callable[[], Any], timeout: float = DELIVERY_SECONDS) -> Any:
    """`check()`'s result once it stops failing; its last failure after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except StepFailed:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def expect(condition: bool, what: str, response: Response | None = None) -> None:
    if condition:
        return
    detail = ""
    if response is not None:
        detail = f"\n  got {response.status}: {response.body[:600]!r}"
    raise StepFailed(f"{what}{detail}")


def expect_status(response: Response, status: int, what: str) -> Response:
    expect(response.status == status, f"{what}: expected {status}", response)
    return response


@dataclass(frozen=True)
class Keys:
    """One key per role, as the stack's three NoEcho parameters."""

    storefront: str
    staff: str
    privacy: str


@dataclass(frozen=True)
class Endpoints:
    create_referral: str
    reward_referral: str
    collect_survey: str
    score_nps: str
    customer_data: str

    @classmethod
    def from_outputs(cls, outputs: dict[str, str]) -> Endpoints:
        return cls(
            create_referral=outputs["CreateReferralUrl"],
            reward_referral=outputs["RewardReferralUrl"],
            collect_survey=outputs["CollectSurveyUrl"],
            score_nps=outputs["ScoreNpsUrl"],
            customer_data=outputs["CustomerDataUrl"],
        )


class Mailbox:
    """The mails the emulator's SES accepted (its inspection endpoint)."""

    def __init__(self, endpoint: str) -> None:
        self._url = f"{endpoint}/_ministack/ses/messages"

    def all(self) -> list[dict[str, Any]]:
        with urllib.request.urlopen(self._url, timeout=10) as answer:
            by_account = json.load(answer)["messages"]
        return [message for messages in by_account.values() for message in messages]

    def to(self, address: str) -> list[dict[str, Any]]:
        return [m for m in self.all() if address in m.get("To", [])]


class ProductRun:
    def __init__(
        self,
        urls: FunctionUrls,
        endpoints: Endpoints,
        mailbox: Mailbox,
        receiver: Receiver,
        shopify: ShopifyFake,
        keys: Keys,
        log: Callable[[str], None],
    ) -> None:
        self.urls = urls
        # The stack's ShopifyShopUrl is the fake's: its webhooks name it, its discounts land there.
        self.shopify = shopify
        self.shop_domain = shopify.domain
        self.at = endpoints
        self.mailbox = mailbox
        self.receiver = receiver
        self.key = keys.storefront
        self.staff_key = keys.staff
        self.privacy_key = keys.privacy
        self.log = log

    def run(self) -> None:
        code = self.referral_code_is_created()
        self.referral_link_shows_the_offer(code)
        ben_coupon = self.friend_order_rewards_both_sides("o-1001", "ben", "ben@example.com", code)
        self.discounts_are_created_in_shopify("o-1001")
        self.coupon_is_read_and_redeemed(ben_coupon)
        self.refund_revokes_unredeemed_rewards(code)
        self.shopify_order_webhook_rewards_and_emits_events(code)
        survey_link = self.survey_mail_is_sent("o-1001", "ben", "ben@example.com")
        self.survey_is_answered_by_form_post(survey_link)
        self.unsubscribe_stops_further_surveys(survey_link)
        self.figures_are_read_back()
        self.a_friend_claims_the_offer_and_orders_with_it(code)
        self.the_referrer_sees_their_page(code)
        self.feedback_is_listed_followed_up_and_exported()
        self.customer_data_is_exported_and_erased()
        self.shopify_redacts_a_customer()
        self.routes_take_only_their_roles_key()
        self.each_function_serves_its_api_description()
        self.a_held_reward_waits_for_its_approval()

    def referral_code_is_created(self) -> str:
        url = self.at.create_referral + "referrals"
        customer = {"customer_id": "anna", "email": REFERRER_EMAIL, "name": "Anna", "locale": "de"}
        created = expect_status(
            self.urls.post_json(url, customer, key=self.key), 201, "first POST /referrals"
        )
        body = created.json()
        code = body["code"]
        expect(
            body["link"] == f"{self.at.create_referral}r/{code}",
            f"the share link is the function URL's /r/{code}: {body['link']}",
        )
        again = expect_status(
            self.urls.post_json(url, customer, key=self.key), 200, "repeated POST /referrals"
        )
        expect(again.json()["code"] == code, "a customer keeps their code", again)
        self.log(f"create-referral: code {code} for anna, link {body['link']}")
        return code

    def referral_link_shows_the_offer(self, code: str) -> None:
        page = expect_status(
            self.urls.request(
                "GET", f"{self.at.create_referral}r/{code.lower()}", headers={"Accept-Language": "en", "User-Agent": BROWSER}
            ),
            200,
            "GET /r/{code}",
        )
        html = page.body.decode()
        expect("€10.00 off your first order" in html, "the offer's page, in English", page)
        expect('name="email"' in html and 'method="post"' in html, "one email field in a form", page)
        expect(page.header("cache-control") == "no-store", "the page is not cached", page)
        csp = page.header("content-security-policy") or ""
        expect(csp.startswith("default-src 'none'; style-src 'sha256-"), f"the pages' CSP: {csp}", page)
        def click_counted() -> None:
            stats = expect_status(
                self.urls.get(f"{self.at.create_referral}referrals/anna", key=self.key),
                200,
                "GET /referrals/anna",
            ).json()
            expect(stats["clicks"] == 1, f"the click is counted: {stats}")

        # A link preview and the same visitor again answer the same and count nothing.
        for agent in ("facebookexternalhit/1.1", BROWSER):
            again = self.urls.request("GET", f"{self.at.create_referral}r/{code}", headers={"User-Agent": agent})
            expect(again.status == 200, f"GET /r/{{code}} as {agent}", again)
        # Counted by deliver-outbox from the click's tally on the table's stream.
        eventually(click_counted)
        self.log(
            "create-referral: link opened (the friend's offer, 200 with the pages' CSP), "
            "one click counted through the stream (not the preview's, not the same visitor's again)"
        )

    def a_held_reward_waits_for_its_approval(self) -> None:
        """The review rules as deployed: the fourth referred order from one IP in a week is held
        (coupons `review`, no mail, no discount in Shopify, `reward.flagged`), listed, and approved
        with reward-referral's own role: then its mails and discounts follow."""
        referrer = {"customer_id": "vera", "email": "vera@example.com", "locale": "en"}
        created = expect_status(
            self.urls.post_json(self.at.create_referral + "referrals", referrer, key=self.key), 201, "vera's code"
        ).json()
        url = self.at.reward_referral + "orders"
        answers = []
        for n in range(4):
            order = {"order_id": f"o-held-{n}", "customer_id": f"held-{n}", "email": f"held-{n}@example.com",
                     "total_cents": 4000, "currency": "EUR", "referral_code": created["code"],
                     "ip": "192.0.2.44"}
            answers.append(expect_status(self.urls.post_json(url, order, key=self.key), 200, "POST /orders").json())
        statuses = [a["referral"]["status"] for a in answers]
        expect(statuses == ["rewarded"] * 3 + ["review"], f"the fourth from one IP is held: {statuses}")
        held = answers[3]["referral"]
        expect(held["rules"] == ["orders_per_ip"], f"the rule that fired: {held}")
        coupons = sorted(r["coupon"] for r in held["rewards"])
        expect(all(r["status"] == "review" for r in held["rewards"]), f"held coupons: {held}")

        def flagged() -> None:
            events = [d.event for d in self.receiver.accepted() if d.event["type"] == "reward.flagged"]
            expect([e["data"]["order_id"] for e in events] == ["o-held-3"], f"one reward.flagged: {events}")

        eventually(flagged)
        time.sleep(2)
        expect(not self.mailbox.to("held-3@example.com"), "no reward mail while held")
        expect(not set(coupons) & {d["code"] for d in self.shopify.discounts()}, "no discount while held")
        queue = expect_status(
            self.urls.get(self.at.reward_referral + "reviews", key=self.key), 200, "GET /reviews"
        ).json()
        expect([r["order_id"] for r in queue["reviews"]] == ["o-held-3"], f"the open queue: {queue}")
        decided = expect_status(
            self.urls.post_json(self.at.reward_referral + "reviews/o-held-3", {"decision": "approve"}, key=self.key),
            200,
            "POST /reviews/o-held-3",
        ).json()
        expect(decided["status"] == "approved", f"approved: {decided}")

        def paid_out() -> None:
            expect(len(self.mailbox.to("held-3@example.com")) == 1, "the friend's reward mail after approval")
            made = {d["code"] for d in self.shopify.discounts()}
            expect(set(coupons) <= made, f"both discounts in Shopify after approval: {coupons}")

        eventually(paid_out)
        self.log(
            "reward-referral: the 4th referred order from one IP held (review, no mail, no discount, "
            "reward.flagged), listed, approved: its mails and Shopify discounts followed"
        )

    def friend_order_rewards_both_sides(self, order_id: str, customer: str, email: str, code: str) -> str:
        order = {
            "order_id": order_id,
            "customer_id": customer,
            "email": email,
            "locale": "en",
            "total_cents": 5990,
            "currency": "EUR",
            "referral_code": code,
        }
        url = self.at.reward_referral + "orders"
        referrer_mails = len(self.mailbox.to(REFERRER_EMAIL))
        answered = expect_status(
            self.urls.post_json(url, order, key=self.key), 200, f"POST /orders {order_id}"
        )
        referral = answered.json()["referral"]
        expect(referral["status"] == "rewarded", f"{order_id} is rewarded: {referral}")
        by_side = {reward["beneficiary"]: reward for reward in referral["rewards"]}
        expect(set(by_side) == {"referrer", "friend"}, f"both sides rewarded: {referral}")
        expect(by_side["referrer"]["customer_id"] == "anna", "the referrer is the code's owner")
        expect(by_side["friend"]["customer_id"] == customer, "the friend is the customer")
        for reward in by_side.values():
            expect(
                reward["status"] == "available", f"RewardHoldDays=0 makes coupons usable at once: {reward}"
            )
            expect(reward["amount_cents"] == REWARD_CENTS, f"default reward amount: {reward}")

        def mails_are_one_each() -> None:
            expect(len(self.mailbox.to(email)) == 1, f"the friend {email} got one reward mail")
            expect(
                len(self.mailbox.to(REFERRER_EMAIL)) == referrer_mails + 1,
                "the referrer got one reward mail for this order",
            )

        def events_are_one_each() -> list[Any]:
            issued = [
                d
                for d in self.receiver.accepted()
                if d.event["type"] == "reward.issued" and d.event["data"]["order_id"] == order_id
            ]
            sides = sorted(d.event["data"]["beneficiary"] for d in issued)
            expect(sides == ["friend", "referrer"], f"one signed reward.issued per side, got {sides}")
            return issued

        eventually(mails_are_one_each)
        issued = eventually(events_are_one_each)
        for delivery in issued:
            data = delivery.event["data"]
            side = by_side[data["beneficiary"]]
            expect(data["coupon"] == side["coupon"], f"the event names the coupon: {data}")
            expect("@" not in delivery.body.decode(), "no address on the wire")
        replay = expect_status(
            self.urls.post_json(url, order, key=self.key), 200, f"replayed POST /orders {order_id}"
        )
        expect(replay.body == answered.body, "a replay gets the identical body", replay)
        time.sleep(2)
        mails_are_one_each()
        events_are_one_each()
        self.log(
            f"reward-referral: {order_id} rewarded both sides; one mail each through the stream, both "
            "reward.issued events verified by standardwebhooks; a replay is identical and sends nothing"
        )
        return by_side["friend"]["coupon"]

    def coupon_is_read_and_redeemed(self, coupon: str) -> None:
        url = f"{self.at.reward_referral}coupons/{coupon}"
        read = expect_status(self.urls.get(url, key=self.key), 200, "GET /coupons/{code}").json()
        expect(read["status"] == "available", f"the coupon is usable after the hold: {read}")
        redeem_url = f"{url}/redeem"
        redeemed = expect_status(
            self.urls.post_json(redeem_url, {"order_id": "o-2001"}, key=self.key),
            200,
            "POST /coupons/{code}/redeem",
        ).json()
        expect(
            redeemed == {"code": coupon, "status": "redeemed", "order_id": "o-2001"}, f"redeemed: {redeemed}"
        )
        other = self.urls.post_json(redeem_url, {"order_id": "o-2002"}, key=self.key)
        expect_status(other, 409, "redeeming for another order")
        expect(other.json()["error"]["code"] == "already_redeemed", "409 already_redeemed", other)
        self.log(f"reward-referral: coupon {coupon} read, redeemed once, refused for a second order")

    def refund_revokes_unredeemed_rewards(self, code: str) -> None:
        self.friend_order_rewards_both_sides("o-1002", "carl", "carl@example.com", code)
        refunded = expect_status(
            self.urls.post_json(f"{self.at.reward_referral}orders/o-1002/refund", {}, key=self.key),
            200,
            "POST /orders/o-1002/refund",
        ).json()
        statuses = sorted(reward["status"] for reward in refunded["rewards"])
        expect(statuses == ["revoked", "revoked"], f"both unredeemed rewards revoked: {refunded}")
        revoked = {reward["coupon"] for reward in refunded["rewards"]}

        def deactivated_in_shopify() -> None:
            ended = {d["code"] for d in self.shopify.discounts() if d["deactivated_at"]}
            expect(revoked <= ended, f"both revoked coupons' discounts deactivated in Shopify: {ended}")

        eventually(deactivated_in_shopify)
        self.log("reward-referral: refund of o-1002 revoked both of its rewards; deliver-outbox deactivated their Shopify discounts")

    def discounts_are_created_in_shopify(self, order_id: str) -> None:
        """Each coupon's discount, created by deliver-outbox (stream, event source mapping, its
        own role) in the Shopify fake, which checks every request against Shopify's schema."""
        coupons = {
            d.event["data"]["coupon"]
            for d in self.receiver.accepted()
            if d.event["type"] == "reward.issued" and d.event["data"]["order_id"] == order_id
        }

        def created() -> list[dict[str, Any]]:
            discounts = [d for d in self.shopify.discounts() if d["code"] in coupons]
            expect(len(discounts) == 2, f"one Shopify discount per coupon of {order_id}, got {len(discounts)}")
            return discounts

        discounts = eventually(created)
        for discount in discounts:
            given = discount["input"]
            expect(given["usageLimit"] == 1 and given["appliesOncePerCustomer"], f"single use: {given}")
            expect(given["customerGets"]["value"]["discountAmount"]["amount"] == "10.00", f"the reward's amount: {given}")
        expect(self.shopify.invalid() == [], "every request valid against Shopify's 2026-10 schema")
        self.log(f"deliver-outbox: both discounts of {order_id} created in Shopify (Admin GraphQL, schema-checked)")

    def shopify_order_webhook_rewards_and_emits_events(self, code: str) -> None:
        """The story of docs/platforms.md: Shopify's order webhook in, signed as Shopify signs (HMAC-SHA256 by
        Python's hmac, not our code), and `reward.issued` out to the shop's endpoint."""
        order = json.loads(SHOPIFY_ORDER.read_text())
        order["id"] = 5987654321098765001
        order["email"] = order["contact_email"] = "dora@example.com"
        order["customer"]["id"] = 7012345678901234001
        order["customer"]["email"] = "dora@example.com"
        order["note_attributes"] = [{"name": "ref", "value": code}]
        # Today, so the order falls inside the figures' default range whenever this runs.
        order["created_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        body = json.dumps(order).encode()
        signature = base64.b64encode(hmac.new(SHOPIFY_SECRET.encode(), body, hashlib.sha256).digest()).decode()
        url = self.at.reward_referral + "webhooks/shopify"

        def deliver(payload: bytes, signed_as: str, shop: str = self.shop_domain) -> Response:
            headers = {
                "Content-Type": "application/json",
                "X-Shopify-Topic": "orders/create",
                "X-Shopify-Hmac-Sha256": signed_as,
                "X-Shopify-Shop-Domain": shop,
                "X-Shopify-Event-Id": "deployed-evt-1",
            }
            return self.urls.request("POST", url, body=payload, headers=headers)

        tampered = deliver(body.replace(b'"54.80"', b'"5480.00"'), signature)
        expect_status(tampered, 401, "a tampered Shopify delivery")
        # ShopifyShopUrl is the Shopify fake's loopback origin here (the discounts go there), and a
        # loopback shop refuses no delivery's shop; refusing another shop's delivery (401
        # wrong_shop) is tested with a myshopify.com origin in tests/tests/integration.
        answered = expect_status(deliver(body, signature), 200, "Shopify orders/create").json()
        expect(answered.get("handled") == "order", f"the order is handled: {answered}")
        expect(answered["order_id"] == str(order["id"]), f"Shopify's 64-bit id kept exactly: {answered}")
        referral = answered["referral"]
        expect(referral["status"] == "rewarded", f"the webhook's order is rewarded: {referral}")

        def issued_events() -> None:
            issued = [
                d
                for d in self.receiver.accepted()
                if d.event["type"] == "reward.issued" and d.event["data"]["order_id"] == str(order["id"])
            ]
            expect(len(issued) == 2, f"reward.issued for both sides of the Shopify order, got {len(issued)}")

        eventually(issued_events)
        again = expect_status(deliver(body, signature), 200, "Shopify redelivering the same event")
        expect(again.json() == answered, "a redelivery is answered as the first delivery", again)
        self.log("reward-referral: a signed Shopify orders/create rewarded both sides; reward.issued went out")

    def survey_mail_is_sent(self, order_id: str, customer: str, email: str) -> str:
        request = {"order_id": order_id, "customer_id": customer, "email": email, "locale": "en"}
        url = self.at.collect_survey + "surveys"
        sent = expect_status(self.urls.post_json(url, request, key=self.key), 201, "POST /surveys").json()
        expect(sent["status"] == "sent", f"the survey is sent: {sent}")

        def one_survey_mail() -> list[dict[str, Any]]:
            mails = [m for m in self.mailbox.to(email) if "/s/" in (m.get("BodyText") or "")]
            expect(len(mails) == 1, f"one survey mail to {email}, got {len(mails)}")
            return mails

        mails = eventually(one_survey_mail)
        pattern = re.escape(self.at.collect_survey) + r"s/[A-Za-z0-9_-]+\?score=10"
        link = re.search(pattern, mails[0]["BodyText"])
        expect(
            link is not None,
            f"the mail links to the survey on the function URL: {mails[0]['BodyText'][:400]!r}",
        )
        self.log("collect-survey: thank-you mail with survey links sent")
        return link.group(0)  # type: ignore[union-attr]

    def survey_is_answered_by_form_post(self, link: str) -> None:
        page = expect_status(self.urls.get(link), 200, "GET the survey link from the mail")
        expect("<form" in page.text(), "the survey page shows a form", page)
        form_url = link.split("?", 1)[0]
        promoter = expect_status(
            self.urls.post_form(form_url, {"score": "10", "comment": ""}), 200, "form POST score 10"
        )
        expect(
            f"{self.at.create_referral}r/" in promoter.text(),
            "a promoter is shown their share link",
            promoter,
        )
        detractor = expect_status(
            self.urls.post_form(form_url, {"score": "3", "comment": "Parcel arrived late"}),
            200,
            "form POST score 3",
        )
        expect("<html" in detractor.text().lower(), "the thank-you page", detractor)
        def one_alert() -> list[dict[str, Any]]:
            alerts = self.mailbox.to(SUPPORT_EMAIL)
            expect(len(alerts) == 1, f"one detractor alert to {SUPPORT_EMAIL}, got {len(alerts)}")
            return alerts

        alerts = eventually(one_alert)
        expect("Parcel arrived late" in alerts[0]["BodyText"], "the alert carries the comment")
        self.log("collect-survey: answered 10 (share link shown), changed to 3 (alert mailed to support)")

    def unsubscribe_stops_further_surveys(self, survey_link: str) -> None:
        token = survey_link.split("/s/", 1)[1].split("?", 1)[0]
        unsubscribe_url = f"{self.at.collect_survey}u/{token}"
        one_click = self.urls.request(
            "POST",
            unsubscribe_url,
            body=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        expect_status(one_click, 200, "RFC 8058 one-click unsubscribe")
        request = {"order_id": "o-1003", "customer_id": "ben", "email": "ben@example.com"}
        skipped = expect_status(
            self.urls.post_json(self.at.collect_survey + "surveys", request, key=self.key),
            200,
            "POST /surveys",
        ).json()
        expect(
            skipped == {"status": "skipped", "reason": "unsubscribed"}, f"no survey after opt-out: {skipped}"
        )
        self.log("collect-survey: one-click unsubscribe; the next survey request is skipped")

    def figures_are_read_back(self) -> None:
        # The counters follow the requests through the stream: read once they have caught up.
        eventually(self.figures_are_right)

    def figures_are_right(self) -> None:
        nps = expect_status(
            self.urls.get(self.at.score_nps + "nps?interval=day", key=self.staff_key), 200, "GET /nps"
        ).json()
        expect(
            (nps["responses"], nps["detractors"], nps["nps"], nps["margin_of_error"], nps["too_few_answers"])
            == (1, 1, -100.0, None, True),
            f"one answer, changed to a detractor, too few for a margin: {nps}",
        )
        expect(
            len(nps["series"]) == DEFAULT_RANGE_DAYS,
            f"a daily series over the default range: {len(nps['series'])}",
        )
        retention = expect_status(
            self.urls.get(self.at.score_nps + "retention", key=self.staff_key), 200, "GET /retention"
        ).json()
        expect(
            (retention["new_customers"], retention["customers_with_orders"], retention["repeat_customers"])
            == (3, 3, 0),
            f"three new customers (ben, carl, and dora from Shopify) with one order each: {retention}",
        )
        funnel = expect_status(
            self.urls.get(self.at.score_nps + "referrals/stats", key=self.staff_key), 200, "GET /referrals/stats"
        ).json()
        expected_funnel = {
            "codes_created": 2,  # anna's, and ben's as a promoter
            "clicks": 1,
            "rewarded": 3,  # ben's, carl's and dora's (Shopify) first orders
            "rejected": {},
            "rewards_issued_cents": 6 * REWARD_CENTS,
            "rewards_revoked_cents": 2 * REWARD_CENTS,
        }
        actual = {name: funnel.get(name) for name in expected_funnel}
        expect(actual == expected_funnel, f"funnel {actual} != {expected_funnel}")
        self.log(
            f"score-nps: NPS {nps['nps']} (n=1), {retention['new_customers']} new customers, funnel right"
        )

    def a_friend_claims_the_offer_and_orders_with_it(self, code: str) -> None:
        """The form on the share link's page through the function URL; the friend's discount
        created in Shopify before any order (deliver-outbox, schema-checked); the friend's paid
        Shopify order using it, with no ?ref=, rewarding the referrer once."""
        link = f"{self.at.create_referral}r/{code}"
        claimed = expect_status(
            self.urls.request(
                "POST",
                link,
                body=b"email=lea%40example.com",
                headers={"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "en"},
            ),
            200,
            "POST /r/{code} (the claim form)",
        )
        found = re.search(r'id="code">([A-Z2-9]{12})<', claimed.body.decode())
        expect(found is not None, "the code page shows the friend's code", claimed)
        coupon = found.group(1)
        expect(
            f'href="{SHOP_URL}/discount/{coupon}?redirect=/"' in claimed.body.decode(),
            "the button applies the code in Shopify",
            claimed,
        )
        repeat = expect_status(
            self.urls.post_json(f"{self.at.create_referral}referrals/{code}/claims", {"email": "Lea+2@example.com"}, key=self.key),
            200,
            "POST /referrals/{code}/claims again (an alias)",
        ).json()
        expect(repeat["coupon"] == coupon, f"one claim per person: {repeat}")

        def discount_in_shopify() -> dict[str, Any]:
            found = [d for d in self.shopify.discounts() if d["code"] == coupon]
            expect(len(found) == 1, f"the friend's discount in Shopify before the order: {len(found)}")
            return found[0]

        given = eventually(discount_in_shopify)["input"]
        expect(given["minimumRequirement"] == {"subtotal": {"greaterThanOrEqualToSubtotal": "20.00"}}, f"the minimum: {given}")
        expect(given["usageLimit"] == 1 and given["appliesOncePerCustomer"], f"single use: {given}")
        expect(self.shopify.invalid() == [], "every request valid against Shopify's 2026-10 schema")
        eventually(lambda: expect(len(self.mailbox.to("lea@example.com")) == 1, "the friend's code mailed once"))

        def claimed_event() -> None:
            events = [d for d in self.receiver.accepted() if d.event["type"] == "friend_offer.claimed"]
            expect(len(events) == 1, f"one friend_offer.claimed, got {len(events)}")
            expect(events[0].event["data"]["coupon"] == coupon and "@" not in events[0].body.decode(), "no address")

        eventually(claimed_event)

        order = json.loads(SHOPIFY_ORDER.read_text())
        order["id"] = 5987654321098765077
        order["email"] = order["contact_email"] = "lea@example.com"
        order["customer"]["id"] = 7012345678901234077
        order["customer"]["email"] = "lea@example.com"
        order["landing_site"] = "/"
        order["note_attributes"] = []
        order["discount_codes"] = [{"code": coupon.lower(), "amount": "10.00", "type": "fixed_amount"}]
        body = json.dumps(order).encode()
        signature = base64.b64encode(hmac.new(SHOPIFY_SECRET.encode(), body, hashlib.sha256).digest()).decode()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": "orders/paid",
            "X-Shopify-Hmac-Sha256": signature,
            "X-Shopify-Shop-Domain": self.shop_domain,
            "X-Shopify-Event-Id": "deployed-evt-lea",
        }
        url = self.at.reward_referral + "webhooks/shopify"
        answered = expect_status(self.urls.request("POST", url, body=body, headers=headers), 200, "Lea's paid order").json()
        expect(answered["referral"]["status"] == "rewarded" and answered["referral"]["code"] == code, f"the code's referral: {answered}")
        expect(answered["coupons"] == [{"code": coupon, "status": "redeemed"}], f"the friend's code redeemed: {answered}")
        headers["X-Shopify-Event-Id"] = "deployed-evt-lea-again"
        again = expect_status(self.urls.request("POST", url, body=body, headers=headers), 200, "Lea's order again").json()
        expect(again["referral"] == answered["referral"], "a redelivery rewards nothing more", again)
        self.log(
            f"create-referral: Lea claimed {coupon} on the share link's form (one claim per person); deliver-outbox "
            "created its Shopify discount before any order; her paid order with the code rewarded the referrer once"
        )

    def the_referrer_sees_their_page(self, code: str) -> None:
        """The referrer's page through the function URL: the key from the storefront route, the
        index query and batch read its role grants, the script's CSP, and the reward mail
        (reward-referral, REFERRAL_BASE_URL) linking the same page."""
        stats = expect_status(
            self.urls.get(f"{self.at.create_referral}referrals/anna", key=self.key), 200, "GET /referrals/anna"
        ).json()
        page_url = stats["page_url"]
        expect(page_url.startswith(f"{self.at.create_referral}me/{code}/"), f"the page on the function URL: {page_url}")
        page = expect_status(self.urls.request("GET", page_url), 200, "GET /me/{code}/{key}")
        html = page.text()
        expect('<html lang="de">' in html, "in Anna's language", page)
        rewards = re.findall(r'<li data-status="(\w+)"><code>([A-Z2-9]{12})</code>', html)
        expect(len(rewards) == stats["conversions"] >= 1, f"one reward per rewarded friend: {rewards} {stats}", page)
        csp = page.header("content-security-policy") or ""
        expect("; script-src 'sha256-" in csp and "unsafe-inline" not in csp, f"the script by hash: {csp}", page)
        wrong = expect_status(
            self.urls.request("GET", f"{self.at.create_referral}me/{code}/AAAAAAAAAAAAAAAAAAAAAA"), 404, "a made-up key"
        )
        expect("Anna" not in wrong.text(), "nothing about the owner", wrong)
        mails = [m for m in self.mailbox.to(REFERRER_EMAIL) if page_url in (m.get("BodyText") or "")]
        expect(len(mails) >= 1, "the reward mail links the page")
        self.log(f"create-referral: Anna's page shows {len(rewards)} rewards; a made-up key is 404; her reward mail links it")

    def feedback_is_listed_followed_up_and_exported(self) -> None:
        """The responses index, its IAM grant and the follow-up route, on the deployed stack."""
        listed = expect_status(
            self.urls.get(self.at.score_nps + "responses?category=detractor", key=self.staff_key),
            200,
            "GET /responses",
        ).json()
        expect(len(listed["responses"]) == 1, f"ben's answer is listed: {listed}")
        response = listed["responses"][0]
        expect(
            (response["score"], response["previous_score"], response["comment"], response["follow_up"]["status"])
            == (3, 10, "Parcel arrived late", "open"),
            f"the changed answer with an open follow-up: {response}",
        )
        followed = expect_status(
            self.urls.post_json(
                self.at.collect_survey + f"responses/{response['survey_id']}/follow-up",
                {"status": "contacted", "note": "Called back"},
                key=self.staff_key,
            ),
            200,
            "POST /responses/{survey_id}/follow-up",
        ).json()
        expect(followed["follow_up"]["status"] == "contacted", f"follow-up recorded: {followed}")

        def no_open_detractor() -> None:
            nps = expect_status(self.urls.get(self.at.score_nps + "nps", key=self.staff_key), 200, "GET /nps").json()
            expect(nps["open_detractors"] == 0, f"no open detractor after the call: {nps}")

        eventually(no_open_detractor)
        exported = expect_status(
            self.urls.get(self.at.score_nps + "responses?format=csv", key=self.staff_key), 200, "GET /responses as CSV"
        )
        # lambda_http strips a text body's byte-order mark unless the host keeps it: Excel needs it.
        expect(exported.body.startswith(b"\xef\xbb\xbf"), f"the CSV starts with a BOM: {exported.body[:8]!r}")
        rows = list(csv.DictReader(io.StringIO(exported.body.decode("utf-8-sig"), newline="")))
        expect(
            [(r["score"], r["follow_up_status"], r["follow_up_note"]) for r in rows] == [("3", "contacted", "Called back")],
            f"the CSV export: {rows}",
        )
        basic = base64.b64encode(f"staff:{self.staff_key}".encode()).decode()
        dashboard = self.urls.request("GET", self.at.score_nps + "dashboard", headers={"Authorization": f"Basic {basic}"})
        expect_status(dashboard, 200, "GET /dashboard with a staff key as Basic password")
        expect("<svg" in dashboard.text(), "the dashboard draws its chart", dashboard)
        expect(f'id="s-{response["survey_id"]}"' in dashboard.text(), "the contacted detractor has its form", dashboard)
        # The dashboard's form, as a browser posts it from the page: score-nps's one write, under
        # its role's LeadingKeys condition.
        origin = "https://" + urllib.parse.urlsplit(self.at.score_nps).netloc
        marked = self.urls.request(
            "POST",
            self.at.score_nps + "dashboard",
            body=urllib.parse.urlencode({"survey_id": response["survey_id"], "status": "resolved", "note": "Refunded"}).encode(),
            headers={
                "Authorization": f"Basic {basic}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
            },
        )
        expect_status(marked, 303, "POST /dashboard (the follow-up form)")
        expect("notice=saved" in (marked.header("location") or ""), f"saved: {marked.header('location')}", marked)
        resolved = expect_status(
            self.urls.get(self.at.score_nps + "responses?follow_up=resolved", key=self.staff_key), 200, "resolved"
        ).json()["responses"]
        expect(
            [(r["follow_up"]["status"], r["follow_up"]["note"]) for r in resolved] == [("resolved", "Refunded")],
            f"resolved from the dashboard: {resolved}",
        )
        foreign = self.urls.request(
            "POST",
            self.at.score_nps + "dashboard",
            body=urllib.parse.urlencode({"survey_id": response["survey_id"], "status": "open"}).encode(),
            headers={
                "Authorization": f"Basic {basic}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": "https://evil.example",
            },
        )
        expect_status(foreign, 403, "POST /dashboard from another origin")
        self.log(
            "score-nps: response listed, follow-up recorded (collect-survey), CSV exported, dashboard shown, "
            "resolved from its form (another origin refused)"
        )

    def customer_data_is_exported_and_erased(self) -> None:
        """Ben (a rewarded friend who answered with a comment and unsubscribed) asks for his data,
        then for its erasure, through the deployed function and its role."""
        export_url = self.at.customer_data + "customers/ben/export"
        exported = expect_status(self.urls.get(export_url, key=self.privacy_key), 200, "GET /customers/ben/export").json()
        expect(exported["profiles"][0]["email"] == "ben@example.com", f"the profile is exported: {exported['profiles']}")
        comments = [s["comment"] for s in exported["surveys"]]
        expect("Parcel arrived late" in comments, f"the survey comment is exported: {comments}")
        expect(len(exported["opt_outs"]) == 1, f"the opt-out is exported: {exported['opt_outs']}")
        expect(exported["coupons"] and exported["orders"], "orders and coupons are exported")
        erased = expect_status(
            self.urls.post_json(self.at.customer_data + "customers/erase", {"email": "ben@example.com"}, key=self.privacy_key),
            200,
            "POST /customers/erase",
        ).json()["erased"]
        expect(erased["profiles"] == 1 and erased["surveys"] >= 1, f"the profile and surveys are erased: {erased}")
        after = expect_status(self.urls.get(export_url, key=self.privacy_key), 200, "export after erasure").json()
        expect(after["profiles"][0]["email"] is None, f"no address left: {after['profiles']}")
        expect(all(s["comment"] is None and s["email"] is None for s in after["surveys"]), "no comment left")
        expect(len(after["coupons"]) == len(exported["coupons"]), "coupons (money owed) are kept")
        again = expect_status(
            self.urls.post_json(self.at.customer_data + "customers/erase", {"email": "ben@example.com"}, key=self.privacy_key),
            200,
            "erasing twice",
        ).json()["erased"]
        expect(set(again.values()) == {0}, f"a second erasure erases nothing: {again}")
        self.log("customer-data: Ben's data exported, erased (coupons kept), erasing again is a no-op")

    def shopify_redacts_a_customer(self) -> None:
        """Shopify's mandatory customers/redact, signed as Shopify signs, erases Dora (the Shopify
        order's customer) by her Shopify id and address."""
        body = json.dumps(
            {
                "shop_id": 954889,
                "shop_domain": self.shop_domain,
                "customer": {"id": 7012345678901234001, "email": "dora@example.com", "phone": None},
                "orders_to_redact": [5987654321098765001],
            }
        ).encode()
        signature = base64.b64encode(hmac.new(SHOPIFY_SECRET.encode(), body, hashlib.sha256).digest()).decode()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": "customers/redact",
            "X-Shopify-Hmac-Sha256": signature,
            "X-Shopify-Shop-Domain": self.shop_domain,
            "X-Shopify-Event-Id": "deployed-redact-1",
        }
        url = self.at.customer_data + "webhooks/shopify"
        answered = expect_status(self.urls.request("POST", url, body=body, headers=headers), 200, "customers/redact")
        erased = answered.json()
        expect(erased.get("handled") == "customers/redact" and erased["erased"]["profiles"] == 1, f"Dora erased: {erased}")
        dora = expect_status(
            self.urls.get(self.at.customer_data + "customers/7012345678901234001/export", key=self.privacy_key), 200, "Dora's export"
        ).json()
        expect(dora["profiles"][0]["email"] is None, f"Dora's address is gone: {dora['profiles']}")
        self.log("customer-data: Shopify's signed customers/redact erased the customer")

    def each_function_serves_its_api_description(self) -> None:
        """Each deployed function's `/openapi.json` names exactly its part of docs/openapi.json."""
        committed = json.loads(OPENAPI.read_text(encoding="utf-8"))
        for function, url in (
            ("create-referral", self.at.create_referral),
            ("reward-referral", self.at.reward_referral),
            ("collect-survey", self.at.collect_survey),
            ("score-nps", self.at.score_nps),
            ("customer-data", self.at.customer_data),
        ):
            served = expect_status(self.urls.get(url + "openapi.json"), 200, f"{function}'s openapi.json")
            expect(served.header("content-type") == "application/json", "served as JSON", served)
            document = served.json()
            prefix = f"/lambda-url/{function}"
            expected = {
                path[len(prefix):]: item for path, item in committed["paths"].items() if path.startswith(prefix + "/")
            }
            expect(set(document["paths"]) == set(expected), f"{function}: the paths of docs/openapi.json", served)
            for path, item in document["paths"].items():
                methods = {m for m in item if m in {"get", "post", "delete"}}
                expect(methods == {m for m in expected[path] if m in {"get", "post", "delete"}}, f"{function} {path}: methods")
        page = expect_status(self.urls.get(self.at.collect_survey + "s/%ff"), 404, "a survey link that is not UTF-8")
        expect((page.header("content-type") or "").startswith("text/html"), "the 404 page", page)
        expect((page.header("content-security-policy") or "").startswith("default-src 'none'"), "with its CSP", page)
        self.log("every function serves its part of docs/openapi.json; /s/%ff is the 404 page")

    def routes_take_only_their_roles_key(self) -> None:
        """Each function has only the key lists of its routes' roles: another role's key is 401."""
        routes = (
            (self.at.create_referral + "referrals/anna", self.key),
            (self.at.reward_referral + "coupons/ABCDEFGHJKMN", self.key),
            (self.at.reward_referral + "outbox/messages", self.staff_key),
            (self.at.score_nps + "nps", self.staff_key),
            (self.at.customer_data + "customers/ben/export", self.privacy_key),
        )
        for url, own_key in routes:
            refused = expect_status(self.urls.get(url), 401, f"GET {url} without a key")
            expect(refused.header("www-authenticate") == "Bearer", "401 names the scheme", refused)
            for other in {self.key, self.staff_key, self.privacy_key} - {own_key}:
                expect_status(self.urls.get(url, key=other), 401, f"GET {url} with another role's key")
            expect(self.urls.get(url, key=own_key).status != 401, f"GET {url} takes its role's key")
        refused = self.urls.post_json(self.at.collect_survey + "surveys", {}, key="not-a-valid-key-at-all")
        expect_status(refused, 401, "POST /surveys with a wrong key")
        self.log("every function answers 401 without a key and with another role's key")
