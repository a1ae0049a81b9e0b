"""Reading and acting on the feedback, checked from outside: the local stack as a process,
responses listed, filtered and paged, the CSV export read by Python's own csv module, follow-ups
recorded, NPS per segment compared with figures computed here, and the dashboard behind HTTP
Basic authentication.

Run by scripts/test.sh after `cargo build -p local`.
"""

from __future__ import annotations

import base64
import csv
import io
import math
import tempfile
import unittest
import urllib.parse
from pathlib import Path

from localstack import STAFF_KEY, LocalStack

CS, SN = "collect-survey", "score-nps"

# (segment, locale, score, comment)
ANSWERS = [
    ("Schuhe", "de", 10, "Passt perfekt, schöne Größe"),
    ("Schuhe", "de", 9, ""),
    ("Schuhe", "en", 2, '=HYPERLINK("http://evil.example","klick")'),
    ("Taschen", "en", 7, "-1 Stern für die Verpackung"),
    ("Taschen", "de", 0, "Kaputt angekommen; \"Reißverschluss\" klemmt\nZweite Zeile"),
    ("Gürtel & Co", "de", 10, "@Team: danke"),
]


def nps(scores: list[int]) -> tuple[float, float | None]:
    """NPS and its 95 % margin of error, one decimal, computed independently of the product."""
    n = len(scores)
    p = sum(s >= 9 for s in scores) / n
    d = sum(s <= 6 for s in scores) / n
    margin = 1.96 * 100 * math.sqrt(max(p + d - (p - d) ** 2, 0.0) / n)
    # Below 10 answers the product reports no margin (docs/api.md, *score-nps*).
    return round(100 * (p - d), 1), (round(margin, 1) if n >= 10 else None)


class FeedbackTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.folder = tempfile.TemporaryDirectory()
        cls.stack = LocalStack(Path(cls.folder.name) / "data", SURVEY_THROTTLE_DAYS="0").start()
        cls.ids: list[str] = []
        for n, (segment, locale, score, comment) in enumerate(ANSWERS):
            status, sent = cls.stack.call(
                "POST", CS, "/surveys",
                {"order_id": f"fb-{n}", "customer_id": f"kunde-{n}", "email": f"kunde{n}@example.com",
                 "locale": locale, "segment": segment},
            )
            assert status == 201, sent
            status, answered = cls.stack.call(
                "POST", CS, f"/s/{cls.stack.survey_token(f'kunde{n}@example.com')}",
                {"score": str(score), "comment": comment},
            )
            assert status == 200, answered
        status, page = cls.stack.call("GET", SN, "/responses?limit=100")
        assert status == 200, page
        # Newest first: the reverse of the order answered.
        cls.ids = [r["survey_id"] for r in reversed(page["responses"])]

    @classmethod
    def tearDownClass(cls) -> None:
        cls.stack.stop()
        cls.folder.cleanup()

    def test_responses_page_newest_first_and_filter(self) -> None:
        seen: list[str] = []
        path = "/responses?limit=4"
        while path:
            status, page = self.stack.call("GET", SN, path)
            self.assertEqual(status, 200, page)
            self.assertLessEqual(len(page["responses"]), 4)
            seen += [r["survey_id"] for r in page["responses"]]
            cursor = page["next_cursor"]
            path = f"/responses?limit=4&cursor={urllib.parse.quote(cursor)}" if cursor else ""
        self.assertEqual(seen, list(reversed(self.ids)))
        self.assertTrue(all(i.startswith("srv_") for i in seen))

        status, detractors = self.stack.call("GET", SN, "/responses?category=detractor")
        self.assertEqual([r["score"] for r in detractors["responses"]], [0, 2])
        # Every detractor has a follow-up (another test of this class may have resolved one).
        self.assertTrue(all(r["follow_up"]["status"] in ("open", "resolved") for r in detractors["responses"]))
        status, bags = self.stack.call("GET", SN, "/responses?segment=Taschen&has_comment=true")
        self.assertEqual([r["score"] for r in bags["responses"]], [0, 7])
        status, error = self.stack.call("GET", SN, "/responses?follow_up=maybe")
        self.assertEqual((status, error["error"]["field"]), (400, "follow_up"))

    def test_csv_export_reads_back_with_formulas_neutralised(self) -> None:
        status, headers, body = self.stack.get_raw(
            SN, "/responses", {"Authorization": f"Bearer {STAFF_KEY}", "Accept": "text/csv"}
        )
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/csv"))
        self.assertTrue(body.startswith(b"\xef\xbb\xbf"), "a BOM, for Excel")
        self.assertIn(b"\r\n", body, "RFC 4180 line ends")
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
        self.assertEqual(len(rows), len(ANSWERS))
        comments = {row["order_id"]: row["comment"] for row in rows}
        self.assertEqual(comments["fb-0"], "Passt perfekt, schöne Größe")
        self.assertEqual(comments["fb-1"], "")
        self.assertEqual(comments["fb-2"], "'" + ANSWERS[2][3])
        self.assertEqual(comments["fb-3"], "'" + ANSWERS[3][3])
        self.assertEqual(comments["fb-4"], ANSWERS[4][3], "quotes, semicolon and newline survive")
        self.assertEqual(comments["fb-5"], "'" + ANSWERS[5][3])
        self.assertEqual({row["segment"] for row in rows}, {"Schuhe", "Taschen", "Gürtel & Co"})

        status, headers, body = self.stack.get_raw(
            SN, "/responses?format=csv&limit=4", {"Authorization": f"Bearer {STAFF_KEY}"}
        )
        link = headers["link"]
        self.assertTrue(link.endswith('>; rel="next"'), link)
        target = link[1:link.index(">")]
        # The request's own path, mount path included: followed as a client follows a Link.
        self.assertTrue(target.startswith("/lambda-url/score-nps/responses?"), target)
        status, _, rest = self.stack.get_url(target, {"Authorization": f"Bearer {STAFF_KEY}"})
        self.assertEqual(status, 200)
        first = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
        second = list(csv.reader(io.StringIO(rest.decode("utf-8-sig"), newline="")))
        self.assertEqual((len(first), len(second)), (5, 3), "header + 4, header + 2")

    def test_segment_nps_matches_figures_computed_here(self) -> None:
        self.stack.counted()
        status, report = self.stack.call("GET", SN, "/nps/segments")
        self.assertEqual(status, 200, report)
        for group, index in (("segments", 0), ("locales", 1)):
            names = sorted({a[index] for a in ANSWERS})
            self.assertEqual([g["name"] for g in report[group]], names)
            for entry in report[group]:
                scores = [a[2] for a in ANSWERS if a[index] == entry["name"]]
                expected_nps, expected_margin = nps(scores)
                self.assertEqual(entry["responses"], len(scores), entry)
                self.assertAlmostEqual(entry["nps"], expected_nps, places=1, msg=entry)
                if expected_margin is None:
                    self.assertIsNone(entry["margin_of_error"], entry)
                    self.assertTrue(entry["too_few_answers"], entry)
                else:
                    self.assertAlmostEqual(entry["margin_of_error"], expected_margin, places=1, msg=entry)
        status, shoes = self.stack.call("GET", SN, "/nps?segment=Schuhe")
        self.assertEqual(shoes["nps"], nps([10, 9, 2])[0])

    def test_follow_up_closes_the_loop(self) -> None:
        self.stack.counted()
        status, before = self.stack.call("GET", SN, "/nps")
        status, detractors = self.stack.call("GET", SN, "/responses?follow_up=open")
        target = detractors["responses"][0]["survey_id"]
        status, answer = self.stack.call(
            "POST", CS, f"/responses/{target}/follow-up", {"status": "resolved", "note": "Ersatz geschickt"}
        )
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["follow_up"]["status"], "resolved")
        self.stack.counted()
        status, after = self.stack.call("GET", SN, "/nps")
        self.assertEqual(after["open_detractors"], before["open_detractors"] - 1)
        status, resolved = self.stack.call("GET", SN, "/responses?follow_up=resolved")
        self.assertEqual([r["follow_up"]["note"] for r in resolved["responses"]], ["Ersatz geschickt"])
        status, error = self.stack.call("POST", CS, f"/responses/{target}/follow-up", {"status": "done"})
        self.assertEqual((status, error["error"]["field"]), (400, "status"))
        status, _ = self.stack.call("POST", CS, "/responses/srv_00000000000000000000000000000000/follow-up",
                                    {"status": "open"})
        self.assertEqual(status, 404)

    def test_dashboard_needs_basic_authentication_with_a_key(self) -> None:
        status, headers, _ = self.stack.get_raw(SN, "/dashboard", {})
        self.assertEqual(status, 401)
        self.assertTrue(headers["www-authenticate"].startswith("Basic realm="))
        wrong = base64.b64encode(b"staff:not-the-key-0123456789").decode()
        status, _, _ = self.stack.get_raw(SN, "/dashboard", {"Authorization": f"Basic {wrong}"})
        self.assertEqual(status, 401)
        right = base64.b64encode(f"staff:{STAFF_KEY}".encode()).decode()
        status, headers, body = self.stack.get_raw(
            SN, "/dashboard", {"Authorization": f"Basic {right}", "Accept-Language": "en-GB"}
        )
        self.assertEqual(status, 200)
        self.assertIn("default-src 'none'", headers["content-security-policy"])
        page = body.decode()
        self.assertIn('<html lang="en">', page)
        self.assertIn("<svg", page)
        self.assertNotIn("<script", page)


if __name__ == "__main__":
    unittest.main()
