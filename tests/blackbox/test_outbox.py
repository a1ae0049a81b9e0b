"""Nothing is lost after a commit, checked from outside: the local stack as a process, a webhook
receiver that verifies every signature with the `standardwebhooks` package, mail blocked and
unblocked, the process killed between commit and delivery or while it counts, and concurrent
identical orders.

Run by scripts/test.sh after `cargo build -p local`.
"""

from __future__ import annotations

import base64
import collections
import http.client
import itertools
import re
import sqlite3
import secrets
import sys
import tempfile
import time
import unittest
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from localstack import BROWSER, LocalStack, eventually

# The receiver is shared with the deployed-stack test.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "deployed"))
from receiver import Receiver  # noqa: E402

CR, RR, CS = "create-referral", "reward-referral", "collect-survey"


def secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class OutboxTest(unittest.TestCase):
    def setUp(self) -> None:
        self.folder = tempfile.TemporaryDirectory()
        self.addCleanup(self.folder.cleanup)
        self.secrets = [secret(), secret()]
        self.people = itertools.count()
        self.receiver = Receiver(self.secrets)
        url = self.receiver.start()
        self.addCleanup(self.receiver.stop)
        self.stack = LocalStack(
            Path(self.folder.name) / "data",
            WEBHOOK_URL=url,
            # Two secrets: a receiver rotating its secret accepts either.
            WEBHOOK_SECRET=" ".join(self.secrets),
            OUTBOX_RETRY_SECONDS="1,1,1,1,1,1",
            REWARD_HOLD_DAYS="0",
        )
        self.addCleanup(self.stack.kill)

    def referral_code(self, customer: str) -> str:
        status, body = self.stack.call(
            "POST", CR, "/referrals", {"customer_id": customer, "email": f"{customer}@example.com"}
        )
        self.assertIn(status, (200, 201), body)
        return body["code"]

    def order(self, order_id: str, friend: str, code: str) -> tuple[int, object]:
        return self.stack.call(
            "POST",
            RR,
            "/orders",
            {
                "order_id": order_id,
                "customer_id": friend,
                "email": f"{friend}@example.com",
                "total_cents": 5000,
                "currency": "EUR",
                "referral_code": code,
            },
        )

    def accepted_events(self) -> list[dict]:
        return [d.event for d in self.receiver.accepted()]

    def test_every_event_type_is_signed_refused_once_then_accepted_once(self) -> None:
        self.receiver.first_answer = 500
        self.stack.start()
        code = self.referral_code("anna")
        status, answer = self.order("o-1", "ben", code)
        self.assertEqual(status, 200, answer)
        coupon = answer["referral"]["rewards"][1]["coupon"]
        redeemed = self.stack.call("POST", RR, f"/coupons/{coupon}/redeem", {"order_id": "o-9"})
        self.assertEqual(redeemed[0], 200)
        self.assertEqual(self.order("o-2", "carl", code)[0], 200)
        self.assertEqual(self.stack.call("POST", RR, "/orders/o-2/refund", {})[0], 200)
        status, sent = self.stack.call(
            "POST", CS, "/surveys", {"order_id": "o-1", "customer_id": "ben", "email": "ben@example.com"}
        )
        self.assertEqual(status, 201, sent)
        token = self.stack.survey_token("ben@example.com")
        self.assertEqual(self.stack.call("POST", CS, f"/s/{token}", form="score=4&comment=late")[0], 200)
        unsubscribed = self.stack.call("POST", CS, f"/u/{token}", form="List-Unsubscribe=One-Click")
        self.assertEqual(unsubscribed[0], 200)

        expected = collections.Counter(
            {
                # Anna's code, and Ben's, made with his thank-you mail's "share with friends" line.
                "referral.created": 2,
                "reward.issued": 4,
                "coupon.redeemed": 1,
                "reward.revoked": 2,
                "survey.sent": 1,
                "survey.answered": 1,
                "customer.unsubscribed": 1,
            }
        )
        eventually(
            lambda: collections.Counter(e["type"] for e in self.accepted_events()) == expected,
            what=f"the events {dict(expected)}",
        )
        time.sleep(2)  # anything sent twice would show up by now
        deliveries = self.receiver.deliveries
        by_id = collections.defaultdict(list)
        for delivery in deliveries:
            by_id[delivery.webhook_id].append(delivery)
        self.assertEqual(len(by_id), sum(expected.values()), "one webhook-id per event")
        for webhook_id, attempts in by_id.items():
            self.assertTrue(webhook_id.startswith("msg_"), webhook_id)
            answers = [a.answered for a in attempts]
            self.assertEqual(answers, [500, 204], f"{webhook_id}: refused once, then accepted")
            self.assertEqual(attempts[0].body, attempts[1].body, "the same bytes on every attempt")
            for attempt in attempts:
                self.assertEqual(attempt.verified_by, [0, 1], "signed with both secrets")
                self.assertNotIn(b"@", attempt.body, "no address on the wire")
        issued = [e["data"] for e in self.accepted_events() if e["type"] == "reward.issued"]
        self.assertEqual(
            {(d["order_id"], d["beneficiary"]) for d in issued},
            {("o-1", "referrer"), ("o-1", "friend"), ("o-2", "referrer"), ("o-2", "friend")},
        )
        self.assertTrue(all(d["status"] == "available" and d["currency"] == "EUR" for d in issued))

    def test_a_mail_outage_is_delivered_after_it_ends_with_no_replay(self) -> None:
        self.stack.block_mail()
        self.stack.start()
        code = self.referral_code("anna")
        self.assertEqual(self.order("o-1", "ben", code)[0], 200)
        pending = eventually(
            lambda: [
                m
                for m in self.stack.call("GET", RR, "/outbox/messages?status=pending")[1]["messages"]
                if m["kind"] == "reward_mail" and m["attempts"] >= 2
            ],
            what="two failed attempts of the reward mails",
        )
        for message in pending:
            reason = message["last_error"] or ""
            self.assertIn("outbox folder", reason, "the mailer's own reason is kept")
            self.assertNotIn("@", reason, "but no address")
        self.assertEqual(self.stack.mails(), [])
        self.stack.unblock_mail()
        eventually(lambda: len(self.stack.mails()) == 2, what="both reward mails")
        time.sleep(2)
        mails = self.stack.mails()
        self.assertEqual(len(mails), 2, "each once")
        recipients = sorted(re.findall(r"^To: (\S+)", "\n".join(mails), re.M))
        self.assertEqual(recipients, ["anna@example.com", "ben@example.com"])

    def test_messages_committed_before_a_sigkill_go_out_after_the_restart(self) -> None:
        # Retries enough that none is given up before the kill however slow the machine: the
        # three events must still be pending when the stack dies.
        self.stack.variables["OUTBOX_RETRY_SECONDS"] = ",".join(["2"] * 20)
        self.stack.block_mail()
        self.receiver.outage_answer = 503
        self.stack.start()
        code = self.referral_code("anna")
        self.assertEqual(self.order("o-1", "ben", code)[0], 200)
        eventually(
            lambda: len({d.webhook_id for d in self.receiver.deliveries}) == 3,
            what="each of the three events refused before the kill",
        )
        self.stack.kill()
        self.stack.unblock_mail()
        self.receiver.outage_answer = None
        self.stack.start()
        # A message the killed process had claimed (its POST in flight at the kill) is attempted
        # again when its claim runs out, 60 s after it was taken (CLAIM_SECONDS).
        after_claims = 60 + 15
        eventually(lambda: len(self.stack.mails()) == 2, timeout=after_claims, what="the reward mails after the restart")
        eventually(
            lambda: len(self.accepted_events()) == 3,
            timeout=after_claims,
            what="referral.created and both reward.issued",
        )
        time.sleep(2)
        self.assertEqual(len(self.stack.mails()), 2)
        self.assertEqual(
            sorted(e["type"] for e in self.accepted_events()),
            ["referral.created", "reward.issued", "reward.issued"],
        )

    def click(self, code: str) -> int:
        """Another person's click on the share link, redirects not followed: the status."""
        person = next(self.people)
        connection = http.client.HTTPConnection("127.0.0.1", self.stack.port, timeout=30)
        try:
            connection.request("GET", f"/lambda-url/{CR}/r/{code}", headers={"User-Agent": f"{BROWSER} person/{person}"})
            return connection.getresponse().status
        finally:
            connection.close()

    def pending_tallies(self) -> int:
        with sqlite3.connect(f"file:{self.stack.data_dir / 'store.sqlite3'}?mode=ro", uri=True) as db:
            return db.execute("SELECT count(*) FROM tallies").fetchone()[0]

    def test_clicks_are_counted_once_though_the_stack_is_killed_while_it_counts(self) -> None:
        self.stack.start()
        codes = [self.referral_code(f"referrer-{n}") for n in range(4)]
        clicks, killed_with_pending = 0, []
        # Killed right after a burst, while the background task (every 200 ms) has tallies left
        # to apply or is applying them; twice, more bursts if the task happened to finish one.
        while len(killed_with_pending) < 2 and clicks < 4800:
            with ThreadPoolExecutor(20) as pool:
                statuses = list(pool.map(lambda n: self.click(codes[n % 4]), range(800)))
            self.assertTrue(all(status < 400 for status in statuses), collections.Counter(statuses))
            clicks += 800
            self.stack.kill()
            pending = self.pending_tallies()
            if pending:
                killed_with_pending.append(pending)
            self.stack.start()
        self.assertTrue(killed_with_pending, "never killed while tallies were pending")
        self.stack.counted()
        for n in range(4):
            status, stats = self.stack.call("GET", CR, f"/referrals/referrer-{n}")
            self.assertEqual((status, stats["clicks"]), (200, clicks // 4), stats)
        status, funnel = self.stack.call("GET", "score-nps", "/referrals/stats")
        self.assertEqual((status, funnel["clicks"]), (200, clicks), funnel)

    def test_a_hundred_identical_orders_at_once_send_two_mails_and_two_events(self) -> None:
        self.stack.start()
        code = self.referral_code("anna")
        with ThreadPoolExecutor(max_workers=25) as pool:
            answers = list(pool.map(lambda _: self.order("o-1", "ben", code), range(100)))
        self.assertTrue(all(status == 200 for status, _ in answers), answers[:3])
        self.assertEqual(len({str(body) for _, body in answers}), 1, "one answer for all")
        eventually(lambda: len(self.stack.mails()) == 2, what="two reward mails")
        eventually(
            lambda: sum(e["type"] == "reward.issued" for e in self.accepted_events()) == 2,
            what="two reward.issued events",
        )
        time.sleep(2)
        self.assertEqual(len(self.stack.mails()), 2)
        self.assertEqual(sum(e["type"] == "reward.issued" for e in self.accepted_events()), 2)

    def test_a_410_fails_the_event_at_once_and_a_requeue_delivers_it(self) -> None:
        self.receiver.answer_next(410)
        self.stack.start()
        self.referral_code("anna")
        failed = eventually(
            lambda: self.stack.call("GET", RR, "/outbox/messages?status=failed")[1]["messages"],
            what="the refused event listed as failed",
        )
        self.assertEqual(len(failed), 1)
        self.assertEqual((failed[0]["kind"], failed[0]["attempts"]), ("referral.created", 1))
        self.assertIn("410", failed[0]["last_error"])
        self.assertEqual(self.console_outbox(), ("1", "problem"), "the console shows what the alarm watches")
        status, _ = self.stack.call("POST", RR, f"/outbox/messages/{failed[0]['id']}/requeue")
        self.assertEqual(status, 202)
        eventually(lambda: len(self.accepted_events()) == 1, what="the requeued event")
        self.assertEqual(self.receiver.deliveries[-1].webhook_id, failed[0]["id"])
        self.assertEqual(self.stack.call("GET", RR, "/outbox/messages?status=failed")[1]["messages"], [])
        self.assertEqual(self.stack.call("POST", RR, f"/outbox/messages/{failed[0]['id']}/requeue")[0], 409)
        self.assertEqual(self.console_outbox(), ("0", ""))

    def console_outbox(self) -> tuple[str, str]:
        """The console's failed-message count and its row's class, read from its HTML."""
        status, _, body = self.stack.get_url("/", {})
        self.assertEqual(status, 200)
        row = re.search(r'<tr( class="problem")?><th>failed messages</th><td id="failed-messages">([^<]*)</td>', body.decode())
        self.assertIsNotNone(row, "the console's outbox table")
        return row.group(2), "problem" if row.group(1) else ""


if __name__ == "__main__":
    unittest.main()
