"""The least-privilege judgement: required actions from linked symbols, granted ones from policies."""

import unittest
import urllib.parse

import privileges

TABLE = "arn:aws:dynamodb:us-east-1:000000000000:table/shop-Table-1"
SCOPE = privileges.Scope(table_arn=TABLE, ses_resource_prefix="arn:aws:ses:us-east-1:000000000000:")
IDENTITY = "arn:aws:ses:us-east-1:000000000000:identity/shop.example"


def linked(*names: str) -> list[str]:
    return [f"{name}::h0123456789abcdef" for name in names]


def op(crate: str, module: str, name: str) -> str:
    return f"aws_sdk_{crate}::operation::{module}::{name}::orchestrate"


def item(kind: str, builder: str) -> str:
    return f"aws_sdk_dynamodb::types::_{kind}::{builder}Builder::build"


def allow(actions, resources=TABLE, sid="S") -> privileges.Statement:
    return privileges.Statement(
        "Policy0", {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}
    )


class RequiredActionsTest(unittest.TestCase):
    def test_operations_map_to_their_iam_actions(self) -> None:
        required = privileges.required_actions(
            linked(
                op("dynamodb", "query", "Query"), op("sesv2", "send_email", "SendEmail"), "core::fmt::write"
            )
        )
        self.assertEqual(required, {"dynamodb:Query", "ses:SendEmail"})

    def test_a_transaction_needs_the_actions_of_the_items_it_builds(self) -> None:
        required = privileges.required_actions(
            linked(
                op("dynamodb", "transact_write_items", "TransactWriteItems"),
                item("put", "Put"),
                item("condition_check", "ConditionCheck"),
                # Builders of a transaction kind the code never sends do not count.
                item("get", "Get"),
            )
        )
        self.assertEqual(required, {"dynamodb:PutItem", "dynamodb:ConditionCheckItem"})

    def test_item_builders_without_a_transaction_need_nothing(self) -> None:
        self.assertEqual(privileges.required_actions(linked(item("put", "Put"))), set())

    def test_an_operation_of_an_unmapped_service_is_an_error(self) -> None:
        with self.assertRaises(ValueError):
            privileges.required_actions(linked(op("s3", "put_object", "PutObject")))

    def test_credential_provider_calls_are_not_the_roles_but_other_sts_calls_count(self) -> None:
        providers = linked(
            op("sts", "assume_role", "AssumeRole"),
            op("sts", "assume_role_with_web_identity", "AssumeRoleWithWebIdentity"),
        )
        self.assertEqual(privileges.required_actions(providers), set())
        with self.assertRaises(ValueError):
            privileges.required_actions(linked(op("sts", "get_caller_identity", "GetCallerIdentity")))

    def test_a_transaction_without_items_is_an_error(self) -> None:
        with self.assertRaises(ValueError):
            privileges.required_actions(linked(op("dynamodb", "transact_write_items", "TransactWriteItems")))


class JudgeTest(unittest.TestCase):
    def test_exactly_the_required_actions_on_the_table_pass(self) -> None:
        verdict = privileges.judge("f", {"dynamodb:GetItem"}, [allow(["dynamodb:GetItem"])], SCOPE)
        self.assertTrue(verdict.ok, verdict)

    def test_an_action_the_code_never_calls_fails(self) -> None:
        verdict = privileges.judge(
            "f", {"dynamodb:Query"}, [allow(["dynamodb:Query", "dynamodb:PutItem"])], SCOPE
        )
        self.assertFalse(verdict.ok)
        self.assertEqual(verdict.excess, {"dynamodb:PutItem"})

    def test_a_missing_action_fails(self) -> None:
        verdict = privileges.judge("f", {"dynamodb:Query", "ses:SendEmail"}, [allow("dynamodb:Query")], SCOPE)
        self.assertEqual(verdict.missing, {"ses:SendEmail"})
        self.assertFalse(verdict.ok)

    def test_wildcards_fail(self) -> None:
        for action in ("dynamodb:*", "dynamodb:Get*", "*"):
            verdict = privileges.judge(
                "f", {"dynamodb:GetItem"}, [allow(["dynamodb:GetItem", action])], SCOPE
            )
            self.assertFalse(verdict.ok, action)

    def test_grants_by_exclusion_fail(self) -> None:
        statement = privileges.Statement("P", {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
        self.assertFalse(privileges.judge("f", set(), [statement], SCOPE).ok)

    def test_other_services_are_not_compared(self) -> None:
        logs = allow(["logs:CreateLogStream", "logs:PutLogEvents"], "*")
        self.assertTrue(privileges.judge("f", set(), [logs], SCOPE).ok)

    def test_unscoped_resources_fail(self) -> None:
        for statement in (allow("dynamodb:GetItem", "*"), allow("dynamodb:GetItem", TABLE + "-other")):
            self.assertFalse(privileges.judge("f", {"dynamodb:GetItem"}, [statement], SCOPE).ok)
        self.assertFalse(privileges.judge("f", {"ses:SendEmail"}, [allow("ses:SendEmail", "*")], SCOPE).ok)
        scoped = allow(
            "ses:SendEmail", [IDENTITY, "arn:aws:ses:us-east-1:000000000000:configuration-set/s-mail"]
        )
        self.assertTrue(privileges.judge("f", {"ses:SendEmail"}, [scoped], SCOPE).ok)

    def test_deny_statements_grant_nothing(self) -> None:
        deny = privileges.Statement("P", {"Effect": "Deny", "Action": "dynamodb:PutItem", "Resource": TABLE})
        self.assertEqual(privileges.judge("f", set(), [deny], SCOPE).granted, set())

    def test_documents_come_as_json_text_or_url_encoded(self) -> None:
        text = '{"Statement": {"Effect": "Allow", "Action": "dynamodb:Query", "Resource": "x"}}'
        for document in (text, urllib.parse.quote(text)):
            self.assertEqual(privileges.statements("P", document)[0].actions, ["dynamodb:Query"])


class ConfinedWritesTest(unittest.TestCase):
    ALLOWED = frozenset({"SURVEY#*", "NPS"})

    def confined(self, actions, keys) -> privileges.Statement:
        statement = allow(actions)
        statement.document["Condition"] = {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": keys}}
        return statement

    def test_reads_and_writes_under_the_allowed_keys_pass(self) -> None:
        statements = [allow("dynamodb:Query"), self.confined("dynamodb:UpdateItem", ["SURVEY#*", "NPS"])]
        self.assertEqual(privileges.unconfined_writes(statements, self.ALLOWED), [])

    def test_a_write_without_the_condition_fails(self) -> None:
        problems = privileges.unconfined_writes([allow(["dynamodb:GetItem", "dynamodb:PutItem"])], self.ALLOWED)
        self.assertEqual(len(problems), 1)
        self.assertIn("dynamodb:PutItem", problems[0])

    def test_a_write_under_other_keys_fails(self) -> None:
        problems = privileges.unconfined_writes([self.confined("dynamodb:UpdateItem", ["SURVEY#*", "CODE#*"])], self.ALLOWED)
        self.assertEqual(problems, ["Policy0/S: ['dynamodb:UpdateItem'] on ['CODE#*'] too"])

    def test_a_wildcard_action_counts_as_a_write(self) -> None:
        self.assertEqual(len(privileges.unconfined_writes([allow("dynamodb:*")], self.ALLOWED)), 1)


if __name__ == "__main__":
    unittest.main()
