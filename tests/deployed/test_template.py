"""The template rewrite may touch CodeUri and nothing else."""

import unittest
from pathlib import Path

import template

TEMPLATE = (Path(__file__).resolve().parents[2] / "infra" / "template.yaml").read_text()


def locations() -> dict[str, str]:
    return {f.code_uri: f"s3://code/{f.binary}.zip" for f in template.functions(template.parse(TEMPLATE))}


class RewriteTest(unittest.TestCase):
    def test_every_function_is_found_with_its_binary(self) -> None:
        declared = template.functions(template.parse(TEMPLATE))
        self.assertEqual(
            sorted(f.binary for f in declared),
            ["collect-survey", "create-referral", "customer-data", "deliver-outbox", "reward-referral", "score-nps"],
        )
        for function in declared:
            self.assertEqual(function.code_uri, f"../functions/{function.binary}")

    def test_only_code_uri_lines_change(self) -> None:
        rewritten = template.rewrite_code_uris(TEMPLATE, locations())
        changed = [
            (old, new)
            for old, new in zip(TEMPLATE.splitlines(), rewritten.splitlines(), strict=True)
            if old != new
        ]
        self.assertEqual(len(changed), 6)
        for old, new in changed:
            self.assertRegex(old.strip(), r"^CodeUri: \.\./functions/[a-z-]+$")
            self.assertRegex(new.strip(), r"^CodeUri: s3://code/[a-z-]+\.zip$")

    def test_a_location_for_an_undeclared_function_is_refused(self) -> None:
        wrong = {**locations(), "../functions/extra": "s3://code/extra.zip"}
        with self.assertRaises(ValueError):
            template.rewrite_code_uris(TEMPLATE, wrong)

    def test_a_change_beyond_code_uri_is_detected(self) -> None:
        original = template.parse(TEMPLATE)
        changed = template.parse(TEMPLATE.replace("Timeout: 10", "Timeout: 11"))
        with self.assertRaises(AssertionError):
            template._assert_only_code_uris_differ(original, changed)

    def test_short_form_intrinsics_are_parsed(self) -> None:
        parsed = template.parse("A: !GetAtt Table.Arn\nB: !Ref X\nC: !Sub '${A}'\n")
        self.assertEqual(
            parsed, {"A": {"Fn::GetAtt": ["Table", "Arn"]}, "B": {"Ref": "X"}, "C": {"Fn::Sub": "${A}"}}
        )

    def test_parameters_without_default_are_required(self) -> None:
        required = template.required_parameters(template.parse(TEMPLATE))
        self.assertTrue({"ApiKeys", "StaffApiKeys", "PrivacyApiKeys"} <= set(required))
        self.assertNotIn("RewardHoldDays", required)


if __name__ == "__main__":
    unittest.main()
