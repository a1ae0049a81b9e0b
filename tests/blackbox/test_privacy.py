"""A customer's data request, checked from outside: the local stack as a process, a customer with
a referral code, a rewarded order, a survey answered with a comment, a follow-up note and an
opt-out is exported, then erased; the store's files on disk (the database and its journal, not
the folder of mails already delivered) are then searched byte for byte for every piece of their
personal data, and the figures compared before and after.

Run by scripts/test.sh after `cargo build -p local`.
"""

from __future__ import annotations

import hashlib
import stat
import tempfile
import unittest
from pathlib import Path

from localstack import LocalStack, eventually

CR, RR, CS, SN, CD = "create-referral", "reward-referral", "collect-survey", "score-nps", "customer-data"

EMAIL = "Wilma.Wiesel+shop@gmail.com"
CANONICAL = "wilmawiesel@gmail.com"
NAME = "Wilhelmine"
COMMENT = "Karton war nass und eingedrueckt"
NOTE = "Wilhelmine zurueckgerufen, Gutschein angeboten"


class PrivacyTest(unittest.TestCase):
    def setUp(self) -> None:
        self.folder = tempfile.TemporaryDirectory()
        self.data = Path(self.folder.name) / "data"
        self.stack = LocalStack(self.data, SURVEY_THROTTLE_DAYS="0", REWARD_HOLD_DAYS="0").start()

    def tearDown(self) -> None:
        self.stack.stop()
        self.folder.cleanup()

    def history(self) -> str:
        """Wilma's story; returns her survey link token."""
        status, code = self.stack.call(
            "POST", CR, "/referrals", {"customer_id": "wilma", "email": EMAIL, "name": NAME}
        )
        self.assertEqual(status, 201, code)
        status, referrer = self.stack.call("POST", CR, "/referrals", {"customer_id": "otto", "email": "otto@example.com"})
        self.assertEqual(status, 201, referrer)
        status, order = self.stack.call(
            "POST", RR, "/orders",
            {"order_id": "pv-1", "customer_id": "wilma", "email": EMAIL, "name": NAME,
             "total_cents": 4200, "currency": "EUR", "referral_code": referrer["code"]},
        )
        self.assertEqual(status, 200, order)
        self.assertEqual(order["referral"]["status"], "rewarded", order)
        status, sent = self.stack.call(
            "POST", CS, "/surveys", {"order_id": "pv-1", "customer_id": "wilma", "email": EMAIL, "name": NAME}
        )
        self.assertEqual(status, 201, sent)
        token = self.stack.survey_token(EMAIL)
        status, answered = self.stack.call("POST", CS, f"/s/{token}", {"score": "2", "comment": COMMENT})
        self.assertEqual(status, 200, answered)
        status, listed = self.stack.call("GET", SN, "/responses?follow_up=open")
        self.assertEqual(status, 200, listed)
        survey_id = listed["responses"][0]["survey_id"]
        status, followed = self.stack.call(
            "POST", CS, f"/responses/{survey_id}/follow-up", {"status": "contacted", "note": NOTE}
        )
        self.assertEqual(status, 200, followed)
        status, _ = self.stack.call("POST", CS, f"/u/{token}", form="List-Unsubscribe=One-Click")
        self.assertEqual(status, 200)
        # Her mails reach the folder: what is delivered is the shop's mail archive, not the store.
        eventually(lambda: any(EMAIL in mail for mail in self.stack.mails()), what="Wilma's mails")
        return token

    def figures(self) -> list[object]:
        self.stack.counted()
        return [self.stack.call("GET", SN, path)[1] for path in ("/nps", "/retention", "/referrals/stats")]

    def store_bytes(self) -> bytes:
        files = sorted(p for p in self.data.glob("store.sqlite3*") if p.is_file())
        self.assertTrue(files, "the store's files")
        return b"".join(p.read_bytes() for p in files)

    def test_exported_then_erased_from_the_files(self) -> None:
        token = self.history()
        before = self.store_bytes()
        self.assertIn(COMMENT.encode(), before, "the search below can find what it looks for")
        plain_hash = hashlib.sha256(CANONICAL.encode()).hexdigest().encode()
        self.assertNotIn(plain_hash, before, "no plain SHA-256 of the address is stored")

        status, export = self.stack.call("POST", CD, "/customers/export", {"email": CANONICAL})
        self.assertEqual(status, 200, export)
        self.assertEqual([p["email"] for p in export["profiles"]], [EMAIL])
        self.assertEqual([p["name"] for p in export["profiles"]], [NAME])
        self.assertEqual([c["code"] for c in export["referral_codes"]], [export["referral_codes"][0]["code"]])
        self.assertEqual([o["order_id"] for o in export["orders"]], ["pv-1"])
        self.assertEqual([c["beneficiary"] for c in export["coupons"]], ["friend"])
        self.assertEqual([s["comment"] for s in export["surveys"]], [COMMENT])
        self.assertEqual(export["surveys"][0]["follow_up"]["note"], NOTE)
        self.assertEqual(len(export["opt_outs"]), 1)
        self.assertTrue(all(m["status"] in ("pending", "delivered") for m in export["messages"]), export["messages"])

        figures = self.figures()
        status, erased = self.stack.call("DELETE", CD, "/customers/wilma")
        self.assertEqual(status, 200, erased)
        self.assertEqual(erased["erased"]["profiles"], 1)
        self.assertEqual(erased["erased"]["referral_codes"], 1)
        self.assertEqual(erased["erased"]["surveys"], 1)

        after = self.store_bytes()
        for text in (EMAIL, EMAIL.lower(), CANONICAL, NAME, COMMENT, NOTE):
            self.assertNotIn(text.encode(), after, f"{text!r} is still in the store's files")
        self.assertNotIn(plain_hash, after)
        self.assertEqual(self.figures(), figures, "NPS, retention and funnel are unchanged")

        # The link died with her address; the opt-out and the once-only guard live on.
        status, _ = self.stack.call("POST", CS, f"/s/{token}", {"score": "9", "comment": ""})
        self.assertEqual(status, 404)
        status, skipped = self.stack.call(
            "POST", CS, "/surveys", {"order_id": "pv-2", "customer_id": "wilma-neu", "email": EMAIL}
        )
        self.assertEqual((status, skipped), (200, {"status": "skipped", "reason": "unsubscribed"}))
        status, again = self.stack.call("DELETE", CD, "/customers/wilma")
        self.assertEqual((status, set(again["erased"].values())), (200, {0}))
        status, _ = self.stack.call("POST", CD, "/customers/export", {"email": "nobody@example.com"})
        self.assertEqual(status, 404)

    def test_the_local_fingerprint_key_is_generated_once_and_private(self) -> None:
        key_file = self.data / "fingerprint.key"
        self.assertTrue(key_file.is_file())
        self.assertEqual(stat.S_IMODE(key_file.stat().st_mode), 0o600)
        key = key_file.read_text()
        self.assertGreaterEqual(len(key), 32)
        self.stack.stop()
        self.stack.start()
        self.assertEqual(key_file.read_text(), key, "a restart keeps the key")


if __name__ == "__main__":
    unittest.main()
