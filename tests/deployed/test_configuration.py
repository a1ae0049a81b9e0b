"""Comparing a function's environment with what its settings read."""

import tempfile
import unittest
from pathlib import Path

import configuration

CONFIGURATION = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


class TableTest(unittest.TestCase):
    def test_the_documented_table_is_read(self) -> None:
        table = configuration.read_table(CONFIGURATION)
        self.assertTrue(table["API_KEYS"].required)
        self.assertEqual(table["TABLE_NAME"].readers, frozenset({"*"}))
        self.assertNotIn("deliver-outbox", table["API_KEYS"].readers, "it serves no storefront")
        self.assertEqual(table["PRIVACY_API_KEYS"].readers, frozenset({"customer-data"}))
        self.assertNotIn("score-nps", table["API_KEYS"].readers, "the storefront reads no feedback")
        self.assertIn("deliver-outbox", table["MAIL_FROM"].readers)
        self.assertIn("collect-survey", table["SUPPORT_EMAIL"].readers)
        self.assertNotIn("score-nps", table["SHOP_URL"].readers)

    def test_an_unread_or_missing_variable_is_reported(self) -> None:
        table = configuration.read_table(CONFIGURATION)
        self.assertEqual(configuration.mismatches("score-nps", {"STAFF_API_KEYS", "TABLE_NAME"}, table), [])
        extra = configuration.mismatches("score-nps", {"STAFF_API_KEYS", "TABLE_NAME", "API_KEYS"}, table)
        self.assertEqual(extra, ["score-nps is given API_KEYS, which it does not read"])
        missing = configuration.mismatches("score-nps", {"TABLE_NAME"}, table)
        self.assertEqual(missing, ["score-nps requires STAFF_API_KEYS, which the template does not set"])

    def test_a_document_without_the_table_is_an_error(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            empty = Path(folder) / "configuration.md"
            empty.write_text("# nothing here\n")
            with self.assertRaises(ValueError):
                configuration.read_table(empty)


if __name__ == "__main__":
    unittest.main()
